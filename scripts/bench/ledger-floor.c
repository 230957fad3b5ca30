/* A floor for scripts/bench-daemon.sh: the ledger work one pass does per message, written
   directly against SQLite's C API with prepared statements, nothing else (no planning, no
   composing, no SMTP). On a fresh copy of the benchmark's ledger it takes the first COUNT
   open invoices (one per client) and, in batches of 256 as the pass does, runs what
   Ledger.reserve runs: first what Ledger.recordOutcomes runs for the previous batch (the
   outcome, one more log step), then for each message the re-checks, the attempt with
   MESSAGE_FILE as its stored bytes and their SHA-256, its invoice link, a hash-chained log
   step; and commits with synchronous = FULL. The last batch's outcomes get a commit of their
   own. Kept in step with Sources/CobradorLedger/Ledger+Outbox.swift by hand.
   Prints "CPU_US_PER_MESSAGE USER_US SYS_US". Usage: ledger-floor LEDGER COUNT MESSAGE_FILE */
#include <malloc.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static sqlite3 *db;

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    return statement;
}

static void execute(const char *sql) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
}

/* Steps through every row (reading each column in its own type, as a fetch does), then resets. */
static void run(sqlite3_stmt *statement) {
    int code;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW)
        for (int column = 0; column < sqlite3_column_count(statement); column++)
            switch (sqlite3_column_type(statement, column)) {
            case SQLITE_INTEGER: sqlite3_column_int64(statement, column); break;
            case SQLITE_TEXT: sqlite3_column_text(statement, column); break;
            case SQLITE_BLOB: sqlite3_column_blob(statement, column); break;
            default: break;
            }
    if (code != SQLITE_DONE) {
        fprintf(stderr, "%s: %s\n", sqlite3_sql(statement), sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_reset(statement);
}

static void text(sqlite3_stmt *statement, int index, const char *value) {
    sqlite3_bind_text(statement, index, value, -1, SQLITE_TRANSIENT);
}

static void hex_sha256(const void *data, size_t size, char out[65]) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(data, size, digest);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) out[2 * i] = digits[digest[i] >> 4], out[2 * i + 1] = digits[digest[i] & 15];
    out[64] = 0;
}

/* One hash-chained attempt-log step, hashed as AttemptChain.hash does ("length:field" joined
   by "|"), so the chain verifies; `previous` becomes this step's hash. */
static void log_step(sqlite3_stmt *insert, sqlite3_int64 attempt, const char *status, const char *detail, const char *sha256, char previous[65]) {
    const char *at = "2026-12-01T09:00:00Z";
    char id[24], record[1024], hash[65];
    snprintf(id, sizeof id, "%lld", (long long)attempt);
    const char *fields[] = {previous, id, at, status, detail, sha256 ? sha256 : ""};
    size_t size = 0;
    for (int i = 0; i < 6; i++) {
        int written = snprintf(record + size, sizeof record - size, "%s%zu:%s", i ? "|" : "", strlen(fields[i]), fields[i]);
        if (written < 0 || (size_t)written >= sizeof record - size) { fprintf(stderr, "attempt-log record too long\n"); exit(1); }
        size += (size_t)written;
    }
    hex_sha256(record, size, hash);
    sqlite3_bind_int64(insert, 1, attempt);
    text(insert, 2, at);
    text(insert, 3, status);
    text(insert, 4, detail);
    if (sha256) text(insert, 5, sha256); else sqlite3_bind_null(insert, 5);
    text(insert, 6, previous);
    text(insert, 7, hash);
    run(insert);
    memcpy(previous, hash, 65);
}

/* Opens a write transaction and reads the chain's last hash, as AttemptLogWriter does once per
   transaction. */
static void begin(sqlite3_stmt *last_hash, char previous[65]) {
    execute("BEGIN IMMEDIATE");
    if (sqlite3_step(last_hash) == SQLITE_ROW) snprintf(previous, 65, "%s", sqlite3_column_text(last_hash, 0));
    else memset(previous, '0', 64), previous[64] = 0;
    sqlite3_reset(last_hash);
}

/* Records the outcomes of messages [from, to) in the open transaction, as Ledger.record does. */
static void record(sqlite3_stmt *outcome, sqlite3_stmt *insert_step, const sqlite3_int64 *ids, int from, int to, char previous[65]) {
    for (int i = from; i < to; i++) {
        const char *reply = "250 2.0.0 Ok: queued as 4dQ1Zr0wXnz1L";
        text(outcome, 1, "sent"); text(outcome, 2, reply); sqlite3_bind_null(outcome, 3); text(outcome, 4, "sent");
        text(outcome, 5, "2026-12-01T09:00:01Z"); sqlite3_bind_null(outcome, 6); sqlite3_bind_int64(outcome, 7, ids[i]);
        sqlite3_bind_int(outcome, 8, 1);
        run(outcome);
        if (sqlite3_changes(db) != 1) { fprintf(stderr, "attempt %lld: no outcome recorded\n", (long long)ids[i]); exit(1); }
        log_step(insert_step, ids[i], "sent", reply, NULL, previous);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: ledger-floor LEDGER COUNT MESSAGE_FILE\n"); return 64; }
    FILE *file = fopen(argv[3], "rb");
    if (!file) { perror(argv[3]); return 66; }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    char *message = malloc(size);
    if (fread(message, 1, size, file) != (size_t)size) return 74;
    fclose(file);
    int count = atoi(argv[2]);
    /* glibc would give the heap's top back after each batch and fault it in again (a dozen
       page faults a message, a third of the time): keep it, for a floor. */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", argv[1], sqlite3_errmsg(db)); return 66; }
    /* As Ledger opens it. */
    execute("PRAGMA journal_mode = WAL");
    execute("PRAGMA synchronous = FULL");
    execute("PRAGMA foreign_keys = ON");
    execute("PRAGMA cache_size = -65536");

    struct target { sqlite3_int64 client_id, invoice_id; char code[65], number[65]; } *targets = calloc(count, sizeof *targets);
    sqlite3_stmt *list = prepare("SELECT client.id, client.code, invoice.id, invoice.number FROM invoice JOIN client ON client.id = invoice.client_id "
                                 "WHERE invoice.status = 'open' ORDER BY invoice.id LIMIT ?");
    sqlite3_bind_int(list, 1, count);
    int found = 0;
    while (sqlite3_step(list) == SQLITE_ROW) {
        targets[found].client_id = sqlite3_column_int64(list, 0);
        snprintf(targets[found].code, 65, "%s", sqlite3_column_text(list, 1));
        targets[found].invoice_id = sqlite3_column_int64(list, 2);
        snprintf(targets[found].number, 65, "%s", sqlite3_column_text(list, 3));
        found++;
    }
    sqlite3_finalize(list);
    if (found < count) { fprintf(stderr, "the ledger has %d open invoices, not %d\n", found, count); return 65; }

    sqlite3_stmt *reserved = prepare("SELECT 1 FROM contact WHERE dispatch_key = ?");
    sqlite3_stmt *client = prepare("SELECT * FROM client WHERE code = ?");
    sqlite3_stmt *emails = prepare("SELECT address FROM client_email WHERE client_id = ? ORDER BY position");
    sqlite3_stmt *invoice = prepare(
        "SELECT invoice.*, client.code AS client_code, client.name AS client_name,"
        " (SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE invoice_id = invoice.id) AS paid_minor,"
        " invoice.gross_minor - (SELECT COALESCE(SUM(amount_minor), 0) FROM payment WHERE invoice_id = invoice.id) AS balance_minor"
        " FROM invoice JOIN client ON client.id = invoice.client_id WHERE invoice.number = ?");
    sqlite3_stmt *bad = prepare("SELECT address FROM bad_address WHERE client_id = ? ORDER BY address LIMIT 1");
    sqlite3_stmt *negotiation = prepare(
        "SELECT negotiation.id FROM negotiation JOIN negotiation_invoice ON negotiation_invoice.negotiation_id = negotiation.id"
        " WHERE negotiation_invoice.invoice_id = ? AND negotiation.closed_at IS NULL");
    sqlite3_stmt *references = prepare(
        "SELECT contact.message_id FROM contact_invoice JOIN contact ON contact.id = contact_invoice.contact_id"
        " WHERE contact_invoice.invoice_id IN (?) AND contact.client_id = ? AND contact.message_id IS NOT NULL"
        " AND contact.status IN ('sent', 'unknown') ORDER BY contact.occurred_at, contact.id");
    sqlite3_stmt *next_id = prepare("SELECT coalesce(max(id), 0) + 1 FROM contact");
    sqlite3_stmt *failed_before = prepare(
        "SELECT 1 FROM contact WHERE client_id = ? AND substr(dispatch_key, 1, ?) = ? AND status = 'failed'"
        " AND server_reply IS NOT NULL AND recipients = ? AND id > coalesce((SELECT addresses_confirmed_after FROM client WHERE id = ?), 0)");
    sqlite3_stmt *insert_attempt = prepare(
        "INSERT INTO contact (id, client_id, stage, channel, status, occurred_at, dispatch_key, send_phase, claim_boot, attempt_count,"
        " last_attempt_at, message_id, message, sha256, subject, recipients)"
        " VALUES (?, ?, 'before-due', 'email', 'sending', '2026-12-01T09:00:00Z', ?, 'claimed', 'boot', 1, '2026-12-01T09:00:00Z', ?, ?, ?, ?, ?)");
    sqlite3_stmt *insert_link = prepare("INSERT INTO contact_invoice (contact_id, invoice_id) VALUES (?, ?)");
    sqlite3_stmt *insert_step = prepare(
        "INSERT INTO attempt_event (contact_id, at, status, detail, message_sha256, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *last_hash = prepare("SELECT hash FROM attempt_event ORDER BY id DESC LIMIT 1");
    sqlite3_stmt *outcome = prepare(
        "UPDATE contact SET status = ?, server_reply = ?, error = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,"
        " next_attempt_at = ? WHERE id = ? AND status = 'sending' AND attempt_count = ?");

    const int batch = 256;
    sqlite3_int64 *ids = calloc(count, sizeof *ids);
    char previous[65], sha256[65], key[160], message_id[160], recipient[160], detail[400];
    for (int first = 0; first < count; first += batch) {
        int end = first + batch < count ? first + batch : count;
        begin(last_hash, previous);
        record(outcome, insert_step, ids, first - batch < 0 ? 0 : first - batch, first, previous);
        sqlite3_step(next_id);
        sqlite3_int64 next = sqlite3_column_int64(next_id, 0);
        sqlite3_reset(next_id);
        for (int i = first; i < end; i++) {
            struct target *t = &targets[i];
            snprintf(key, sizeof key, "before-due|%s|2026-12-01", t->number);
            text(reserved, 1, key); run(reserved);
            text(client, 1, t->code); run(client);
            sqlite3_bind_int64(emails, 1, t->client_id); run(emails);
            text(invoice, 1, t->number); run(invoice);
            sqlite3_bind_int64(bad, 1, t->client_id); run(bad);
            sqlite3_bind_int64(negotiation, 1, t->invoice_id); run(negotiation);
            sqlite3_bind_int64(references, 1, t->invoice_id); sqlite3_bind_int64(references, 2, t->client_id); run(references);
            ids[i] = next++;
            snprintf(message_id, sizeof message_id, "<%lld.floor@bench.example>", (long long)ids[i]);
            snprintf(recipient, sizeof recipient, "billing%d@client.example", i);
            int prefix = (int)(strchr(strchr(key, '|') + 1, '|') - key) + 1;
            sqlite3_bind_int64(failed_before, 1, t->client_id); sqlite3_bind_int(failed_before, 2, prefix);
            sqlite3_bind_text(failed_before, 3, key, prefix, SQLITE_TRANSIENT); text(failed_before, 4, recipient);
            sqlite3_bind_int64(failed_before, 5, t->client_id); run(failed_before);
            hex_sha256(message, size, sha256);
            sqlite3_bind_int64(insert_attempt, 1, ids[i]); sqlite3_bind_int64(insert_attempt, 2, t->client_id);
            text(insert_attempt, 3, key); text(insert_attempt, 4, message_id);
            sqlite3_bind_blob(insert_attempt, 5, message, (int)size, SQLITE_STATIC); text(insert_attempt, 6, sha256);
            text(insert_attempt, 7, "Recordatorio: la factura vence pronto"); text(insert_attempt, 8, recipient);
            run(insert_attempt);
            sqlite3_bind_int64(insert_link, 1, ids[i]); sqlite3_bind_int64(insert_link, 2, t->invoice_id); run(insert_link);
            snprintf(detail, sizeof detail, "reserved %s for %s, handed to the transport", message_id, recipient);
            log_step(insert_step, ids[i], "sending", detail, sha256, previous);
        }
        execute("COMMIT");
    }
    begin(last_hash, previous);
    record(outcome, insert_step, ids, count - (count % batch ? count % batch : batch), count, previous);
    execute("COMMIT");
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double user = usage.ru_utime.tv_sec * 1e6 + usage.ru_utime.tv_usec, sys = usage.ru_stime.tv_sec * 1e6 + usage.ru_stime.tv_usec;
    printf("%.1f %.1f %.1f\n", (user + sys) / count, user / count, sys / count);
    return 0;
}
