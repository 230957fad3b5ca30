import GRDB

/// The ledger's tables, as append-only migrations. The schema is a public interface (see
/// docs/ledger-schema.md): other programs write clients, invoices and payments straight into
/// the file, so the CHECK constraints here guard them as much as they guard cobrador.
///
/// Never edit a migration that has shipped; add a new one to `migrations`.
enum LedgerSchema {
    /// Each version's statements, in order: version N is `migrations[N - 1]`.
    private static let migrations = [version1, version2, version3, version4, version5]

    /// The schema version this build writes, stored in `PRAGMA user_version`.
    static let version = migrations.count

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (index, statements) in migrations.enumerated() {
            migrator.registerMigration("v\(index + 1)") { db in
                try db.execute(sql: statements)
                try db.execute(sql: "PRAGMA user_version = \(index + 1)")
            }
        }
        return migrator
    }

    /// A calendar date: "YYYY-MM-DD" that exists (SQLite's date() keeps 02-30 as is, the
    /// '+0 days' modifier normalises it, so a real date is one that survives unchanged).
    private static func isDate(_ column: String) -> String {
        "\(column) IS date(\(column), '+0 days')"
    }

    private static func isOptionalDate(_ column: String) -> String {
        "\(column) IS NULL OR \(column) IS date(\(column), '+0 days')"
    }

    /// No CR or LF: these values reach mail headers.
    private static func isOneLine(_ column: String) -> String {
        "instr(\(column), char(10)) = 0 AND instr(\(column), char(13)) = 0"
    }

    private static let now = "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"

    /// Version 5: the same rules, written so that checking them costs no temporary table.
    /// SQLite checks `x IN (a, b, c)` of more than two values by building a table of the
    /// values at every statement, so recording one message (its attempt inserted, then its
    /// outcome) built six: `contact`'s CHECKs on `channel` and `status`, and the condition of
    /// the partial index `contact_status`, for the old row and the new. Written as `=` joined
    /// by OR they mean the same and are checked in place. SQLite cannot change a CHECK, so the
    /// table is copied, same columns in the same order, same ids. Also an index for reading a
    /// client's addresses in order (every message did a sort of them).
    private static let version5 = """
        CREATE TABLE contact_v5 (
            id              INTEGER PRIMARY KEY,
            client_id       INTEGER NOT NULL REFERENCES client(id),
            stage           TEXT,
            channel         TEXT NOT NULL CHECK (channel = 'email' OR channel = 'phone' OR channel = 'letter' OR channel = 'other'),
            recipients      TEXT,
            subject         TEXT,
            message_id      TEXT UNIQUE,
            message         BLOB,
            sha256          TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
            status          TEXT NOT NULL CHECK (
                                status = 'pending' OR status = 'sending' OR status = 'sent' OR status = 'deferred' OR status = 'failed'
                                OR status = 'unknown' OR status = 'recorded'),
            server_reply    TEXT,
            error           TEXT,
            attempt_count   INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
            summary         TEXT,
            occurred_at     TEXT NOT NULL DEFAULT \(now),
            last_attempt_at TEXT,
            next_attempt_at TEXT,
            sent_at         TEXT,
            created_at      TEXT NOT NULL DEFAULT \(now),
            dispatch_key    TEXT,
            send_phase      TEXT CHECK (send_phase IS NULL OR send_phase IN ('claimed', 'data')),
            claim_boot      TEXT
        );
        INSERT INTO contact_v5 (
            id, client_id, stage, channel, recipients, subject, message_id, message, sha256, status, server_reply, error, attempt_count,
            summary, occurred_at, last_attempt_at, next_attempt_at, sent_at, created_at, dispatch_key, send_phase, claim_boot)
            SELECT id, client_id, stage, channel, recipients, subject, message_id, message, sha256, status, server_reply, error, attempt_count,
                summary, occurred_at, last_attempt_at, next_attempt_at, sent_at, created_at, dispatch_key, send_phase, claim_boot
            FROM contact ORDER BY id;
        DROP TABLE contact;
        ALTER TABLE contact_v5 RENAME TO contact;
        CREATE INDEX contact_client ON contact(client_id, occurred_at);
        CREATE INDEX contact_status ON contact(status) WHERE \(inFlightCondition);
        CREATE UNIQUE INDEX contact_dispatch ON contact(dispatch_key) WHERE dispatch_key IS NOT NULL;
        CREATE INDEX client_email_position ON client_email(client_id, position);
        """

    /// The condition of the partial index `contact_status` (an attempt not yet settled): a
    /// query repeats it word for word so that SQLite uses the index.
    static let inFlightCondition = "status = 'pending' OR status = 'sending' OR status = 'deferred' OR status = 'unknown'"

    /// Version 4: the attempt log's `hash` is no longer a UNIQUE column. Nothing looks a step up
    /// by its hash (the chain is checked in id order), and the unique index on random hashes
    /// put every new step on a random page of it: about two more page writes per message, more
    /// as the log grows. SQLite cannot drop a column's UNIQUE, so the table is copied, same
    /// columns and ids.
    private static let version4 = """
        CREATE TABLE attempt_event_v4 (
            id              INTEGER PRIMARY KEY,
            contact_id      INTEGER NOT NULL REFERENCES contact(id),
            at              TEXT NOT NULL,
            status          TEXT NOT NULL,
            detail          TEXT NOT NULL,
            message_sha256  TEXT,
            previous_hash   TEXT NOT NULL,
            hash            TEXT NOT NULL
        );
        INSERT INTO attempt_event_v4 (id, contact_id, at, status, detail, message_sha256, previous_hash, hash)
            SELECT id, contact_id, at, status, detail, message_sha256, previous_hash, hash FROM attempt_event ORDER BY id;
        DROP TABLE attempt_event;
        ALTER TABLE attempt_event_v4 RENAME TO attempt_event;
        CREATE INDEX attempt_event_contact ON attempt_event(contact_id);
        """

    /// Version 3: what a crash must know, and addresses the relay refused. An attempt being
    /// sent says how far it got (`claimed`: nothing left yet; `data`: the relay asked for the
    /// body, so it may have it) and in which boot of the machine it was claimed, so that after
    /// a crash of the process only the attempts that reached DATA become unknown. An address
    /// a relay refused for good is kept with the relay's words until the owner edits the
    /// client's addresses; the client then notes the last contact before that edit, since
    /// the relay's earlier refusals no longer hold its cadence.
    private static let version3 = """
        ALTER TABLE contact ADD COLUMN send_phase TEXT CHECK (send_phase IS NULL OR send_phase IN ('claimed', 'data'));
        ALTER TABLE contact ADD COLUMN claim_boot TEXT;
        ALTER TABLE client ADD COLUMN addresses_confirmed_after INTEGER;

        CREATE TABLE bad_address (
            address         TEXT NOT NULL COLLATE NOCASE,
            client_id       INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,
            contact_id      INTEGER REFERENCES contact(id),
            marked_at       TEXT NOT NULL DEFAULT \(now),
            reply           TEXT NOT NULL,
            PRIMARY KEY (client_id, address)
        ) WITHOUT ROWID;
        """

    /// Version 2: the planner's transitions. Every change of a negotiation (opened, closed,
    /// broken, kept, review due) is an event with its time and cause; an invoice handed over
    /// after the last stage carries the moment it was; a client may name its region (ES-MD)
    /// so that regional holidays apply; an automatic contact carries the key of the planner's
    /// dispatch it carries out, unique, so a dispatch is never reserved twice.
    private static let version2 = """
        CREATE TABLE negotiation_event (
            id              INTEGER PRIMARY KEY,
            negotiation_id  INTEGER NOT NULL REFERENCES negotiation(id) ON DELETE CASCADE,
            at              TEXT NOT NULL DEFAULT \(now),
            kind            TEXT NOT NULL CHECK (kind IN ('opened', 'closed', 'promise-broken', 'promise-kept', 'plan-broken', 'plan-completed', 'dispute-review-due')),
            cause           TEXT NOT NULL
        );
        CREATE INDEX negotiation_event_negotiation ON negotiation_event(negotiation_id);

        ALTER TABLE invoice ADD COLUMN handed_over_at TEXT;
        ALTER TABLE invoice ADD COLUMN hand_over_cause TEXT;
        ALTER TABLE invoice ADD COLUMN contract_rate TEXT CHECK (contract_rate IS NULL OR (CAST(contract_rate AS REAL) >= 0 AND CAST(contract_rate AS REAL) < 100));
        ALTER TABLE invoice ADD COLUMN interest_regime TEXT CHECK (interest_regime IS NULL OR interest_regime IN ('es-business', 'es-consumer', 'eu-business', 'uk-business', 'none'));
        ALTER TABLE client ADD COLUMN region TEXT CHECK (region IS NULL OR region GLOB '[A-Z][A-Z]-[A-Z0-9]*');
        ALTER TABLE contact ADD COLUMN dispatch_key TEXT;

        -- The attempt log: every step of every automatic message, append-only and hash-chained
        -- (each row's hash covers the previous row's), so an edit anywhere is detectable.
        CREATE TABLE attempt_event (
            id              INTEGER PRIMARY KEY,
            contact_id      INTEGER NOT NULL REFERENCES contact(id),
            at              TEXT NOT NULL,
            status          TEXT NOT NULL,
            detail          TEXT NOT NULL,
            message_sha256  TEXT,
            previous_hash   TEXT NOT NULL,
            hash            TEXT NOT NULL UNIQUE
        );
        CREATE INDEX attempt_event_contact ON attempt_event(contact_id);

        -- The owner's daily digest: one row per day it went out.
        CREATE TABLE digest (
            day             TEXT PRIMARY KEY CHECK (day IS date(day, '+0 days')),
            sent_at         TEXT NOT NULL,
            status          TEXT NOT NULL,
            reply           TEXT
        );
        CREATE UNIQUE INDEX contact_dispatch ON contact(dispatch_key) WHERE dispatch_key IS NOT NULL;
        """

    private static let version1 = """
        CREATE TABLE client (
            id              INTEGER PRIMARY KEY,
            code            TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(code) BETWEEN 1 AND 64 AND \(isOneLine("code"))),
            name            TEXT NOT NULL CHECK (length(name) > 0 AND \(isOneLine("name"))),
            language        TEXT NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en')),
            time_zone       TEXT CHECK (time_zone IS NULL OR \(isOneLine("time_zone"))),
            country         TEXT NOT NULL CHECK (length(country) = 2 AND country GLOB '[A-Z][A-Z]'),
            debtor_kind     TEXT NOT NULL DEFAULT 'company' CHECK (debtor_kind IN ('company', 'self-employed', 'consumer')),
            tax_id          TEXT CHECK (tax_id IS NULL OR \(isOneLine("tax_id"))),
            postal_address  TEXT CHECK (postal_address IS NULL OR \(isOneLine("postal_address"))),
            paused_at       TEXT,
            pause_reason    TEXT,
            paused_until    TEXT CHECK (\(isOptionalDate("paused_until"))),
            notes           TEXT,
            created_at      TEXT NOT NULL DEFAULT \(now),
            CHECK ((paused_at IS NULL) = (pause_reason IS NULL)),
            CHECK (paused_until IS NULL OR paused_at IS NOT NULL)
        );

        CREATE TABLE client_email (
            id              INTEGER PRIMARY KEY,
            client_id       INTEGER NOT NULL REFERENCES client(id) ON DELETE CASCADE,
            address         TEXT NOT NULL CHECK (address LIKE '%_@_%._%' AND address NOT GLOB '*[^!-~]*'),
            position        INTEGER NOT NULL DEFAULT 0,
            UNIQUE (client_id, address)
        );

        CREATE TABLE invoice (
            id              INTEGER PRIMARY KEY,
            number          TEXT NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 64 AND \(isOneLine("number"))),
            client_id       INTEGER NOT NULL REFERENCES client(id),
            concept         TEXT NOT NULL CHECK (length(concept) > 0 AND \(isOneLine("concept"))),
            issue_date      TEXT NOT NULL CHECK (\(isDate("issue_date"))),
            due_date        TEXT NOT NULL CHECK (\(isDate("due_date")) AND due_date >= issue_date),
            gross_minor     INTEGER NOT NULL CHECK (typeof(gross_minor) = 'integer' AND gross_minor > 0),
            currency        TEXT NOT NULL CHECK (currency GLOB '[A-Z][A-Z][A-Z]'),
            attachment      TEXT CHECK (attachment IS NULL OR \(isOneLine("attachment"))),
            status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'void', 'written-off')),
            paused_at       TEXT,
            pause_reason    TEXT,
            paused_until    TEXT CHECK (\(isOptionalDate("paused_until"))),
            created_at      TEXT NOT NULL DEFAULT \(now),
            CHECK ((paused_at IS NULL) = (pause_reason IS NULL)),
            CHECK (paused_until IS NULL OR paused_at IS NOT NULL)
        );
        CREATE INDEX invoice_client ON invoice(client_id);
        CREATE INDEX invoice_open_due ON invoice(due_date) WHERE status = 'open';

        CREATE TABLE payment (
            id              INTEGER PRIMARY KEY,
            invoice_id      INTEGER NOT NULL REFERENCES invoice(id),
            amount_minor    INTEGER NOT NULL CHECK (typeof(amount_minor) = 'integer' AND amount_minor > 0),
            value_date      TEXT NOT NULL CHECK (\(isDate("value_date"))),
            method          TEXT,
            reference       TEXT,
            created_at      TEXT NOT NULL DEFAULT \(now)
        );
        CREATE INDEX payment_invoice ON payment(invoice_id);

        CREATE VIEW invoice_balance AS
            SELECT invoice.id AS invoice_id,
                   invoice.number,
                   invoice.client_id,
                   invoice.currency,
                   invoice.gross_minor,
                   COALESCE(SUM(payment.amount_minor), 0) AS paid_minor,
                   invoice.gross_minor - COALESCE(SUM(payment.amount_minor), 0) AS balance_minor
            FROM invoice LEFT JOIN payment ON payment.invoice_id = invoice.id
            GROUP BY invoice.id;

        CREATE TABLE negotiation (
            id                  INTEGER PRIMARY KEY,
            client_id           INTEGER NOT NULL REFERENCES client(id),
            kind                TEXT NOT NULL CHECK (kind IN ('promise', 'plan', 'dispute')),
            opened_at           TEXT NOT NULL DEFAULT \(now),
            promised_date       TEXT CHECK (\(isOptionalDate("promised_date"))),
            review_date         TEXT CHECK (\(isOptionalDate("review_date"))),
            reason              TEXT,
            notes               TEXT,
            waive_interest      INTEGER NOT NULL DEFAULT 0 CHECK (waive_interest IN (0, 1)),
            waive_compensation  INTEGER NOT NULL DEFAULT 0 CHECK (waive_compensation IN (0, 1)),
            closed_at           TEXT,
            outcome             TEXT CHECK (outcome IS NULL OR outcome IN ('kept', 'broken', 'resolved', 'withdrawn')),
            closing_note        TEXT,
            CHECK ((closed_at IS NULL) = (outcome IS NULL)),
            CHECK (kind <> 'promise' OR promised_date IS NOT NULL)
        );
        CREATE INDEX negotiation_client ON negotiation(client_id);

        CREATE TABLE negotiation_invoice (
            negotiation_id  INTEGER NOT NULL REFERENCES negotiation(id) ON DELETE CASCADE,
            invoice_id      INTEGER NOT NULL REFERENCES invoice(id),
            PRIMARY KEY (negotiation_id, invoice_id)
        ) WITHOUT ROWID;
        CREATE INDEX negotiation_invoice_invoice ON negotiation_invoice(invoice_id);

        CREATE TABLE instalment (
            id              INTEGER PRIMARY KEY,
            negotiation_id  INTEGER NOT NULL REFERENCES negotiation(id) ON DELETE CASCADE,
            due_date        TEXT NOT NULL CHECK (\(isDate("due_date"))),
            amount_minor    INTEGER NOT NULL CHECK (typeof(amount_minor) = 'integer' AND amount_minor > 0),
            UNIQUE (negotiation_id, due_date)
        );

        CREATE TABLE contact (
            id              INTEGER PRIMARY KEY,
            client_id       INTEGER NOT NULL REFERENCES client(id),
            stage           TEXT,
            channel         TEXT NOT NULL CHECK (channel IN ('email', 'phone', 'letter', 'other')),
            recipients      TEXT,
            subject         TEXT,
            message_id      TEXT UNIQUE,
            message         BLOB,
            sha256          TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
            status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'deferred', 'failed', 'unknown', 'recorded')),
            server_reply    TEXT,
            error           TEXT,
            attempt_count   INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
            summary         TEXT,
            occurred_at     TEXT NOT NULL DEFAULT \(now),
            last_attempt_at TEXT,
            next_attempt_at TEXT,
            sent_at         TEXT,
            created_at      TEXT NOT NULL DEFAULT \(now)
        );
        CREATE INDEX contact_client ON contact(client_id, occurred_at);
        CREATE INDEX contact_status ON contact(status) WHERE status IN ('pending', 'sending', 'deferred', 'unknown');

        CREATE TABLE contact_invoice (
            contact_id      INTEGER NOT NULL REFERENCES contact(id) ON DELETE CASCADE,
            invoice_id      INTEGER NOT NULL REFERENCES invoice(id),
            PRIMARY KEY (contact_id, invoice_id)
        ) WITHOUT ROWID;
        CREATE INDEX contact_invoice_invoice ON contact_invoice(invoice_id);
        """
}
