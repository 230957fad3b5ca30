#!/usr/bin/env bash
# Writes a ledger of 1,000,000 invoices, 100,000 clients and about 2,900,000 past contacts as
# of TODAY, with about 1% of the invoices due for a stage that day (what scripts/bench-planner.sh
# and scripts/bench-daemon.sh measure). Building it takes about half a minute and 700 MB, so the
# result is kept under $COBRADOR_BENCH_CACHE (default /var/cache/cobrador-bench), keyed by TODAY,
# the schema version of a new ledger and the text of the SQL below; later calls copy it.
# Usage: scripts/bench/million-ledger.sh COBRADOR TODAY OUT_LEDGER
#   COBRADOR: the cobrador binary (its `init` makes the empty ledger); TODAY: YYYY-MM-DD;
#   OUT_LEDGER: where the copy goes (any -wal/-shm next to it are removed). Nothing else may
#   have OUT_LEDGER open.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 COBRADOR TODAY OUT_LEDGER" >&2; exit 64; }
cobrador=$1 today=$2 out=$3
cache=${COBRADOR_BENCH_CACHE:-/var/cache/cobrador-bench}
mkdir -p "$cache"
scratch=$(mktemp -d /tmp/cobrador-million.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
"$cobrador" init --config "$scratch/cobrador.toml" --sender-email bench@example.com --time-zone Europe/Madrid >/dev/null
schema=$(sqlite3 "$scratch/ledger.sqlite" 'PRAGMA user_version')
sql=$(cat <<SQL
PRAGMA journal_mode = WAL;
BEGIN IMMEDIATE;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO client (id, code, name, language, country, time_zone) SELECT i, printf('C%06d', i), 'Client ' || i, 'es', 'ES', 'Europe/Madrid' FROM n;
INSERT INTO client_email (client_id, address) SELECT id, 'billing' || id || '@client.example' FROM client;
-- 1,000,000 invoices, 10 per client; due dates spread over 1,000 days up to 30 days ahead.
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999)
INSERT INTO invoice (id, number, client_id, concept, issue_date, due_date, gross_minor, currency)
SELECT i + 1, printf('INV-%07d', i), 1 + i % 100000, 'Services', date('$today', '-' || ((i * 7919) % 1000 + 30) || ' days'),
       date('$today', '+30 days', '-' || ((i * 7919) % 1000) || ' days'), 10000 + (i * 104729) % 900000, 'EUR'
FROM n;
-- 75% of them paid in full long ago.
INSERT INTO payment (invoice_id, amount_minor, value_date) SELECT id, gross_minor, due_date FROM invoice WHERE id % 4 <> 0 AND due_date < '$today';
-- The unpaid ones were chased stage by stage on their nominal days, up to the last due stage:
-- about 2,000,000 contact rows in all with the paid ones' history.
CREATE TEMP TABLE stage(position, name, offset_days);
INSERT INTO stage VALUES (0, 'before-due', -3), (1, 'due', 0), (2, 'reminder-1', 7), (3, 'reminder-2', 15), (4, 'formal-notice', 30), (5, 'final-notice', 45);
INSERT INTO contact (id, client_id, stage, channel, status, occurred_at)
SELECT invoice.id * 8 + stage.position, invoice.client_id, stage.name, 'email', 'sent', date(invoice.due_date, stage.offset_days || ' days') || 'T09:00:00Z'
FROM invoice JOIN stage ON date(invoice.due_date, stage.offset_days || ' days') < '$today'
WHERE invoice.id % 2 = 0;
INSERT INTO contact_invoice (contact_id, invoice_id) SELECT id, id / 8 FROM contact;
-- Those whose final notice went unanswered were handed over 14 days later, as the daemon records.
UPDATE invoice SET handed_over_at = date(due_date, '+64 days') || 'T00:00:00Z', hand_over_cause = 'final notice unanswered'
WHERE id % 4 = 0 AND date(due_date, '+64 days') <= '$today';
COMMIT;
ANALYZE;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
)
key="million-$today-v$schema-$(printf '%s' "$sql" | sha256sum | cut -c1-12)"

if [ ! -f "$cache/$key.sqlite" ]; then
    echo "building the 1,000,000-invoice ledger as of $today (once, about 30 s; cached as $cache/$key.sqlite)..." >&2
    printf '%s\n' "$sql" | sqlite3 "$scratch/ledger.sqlite" >/dev/null
    cp "$scratch/ledger.sqlite" "$cache/$key.sqlite.partial"
    mv "$cache/$key.sqlite.partial" "$cache/$key.sqlite"
fi
rm -f "$out" "$out-wal" "$out-shm"
cp "$cache/$key.sqlite" "$out"
