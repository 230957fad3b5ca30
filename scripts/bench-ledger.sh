#!/usr/bin/env bash
# Measures the ledger's two heavy owner commands against peers run in the same session, and
# prints ratios (absolute times move from machine to machine; see shared notes/benchmarking.md):
#   1. `cobrador import invoices` of a 100,000-row CSV in one transaction, against the sqlite3
#      tool's `.import` of the same file into a bare table (no validation, no constraints);
#   2. `cobrador status` on a ledger of 1,000,000 invoices and 280,000 payments, against the
#      fastest bare SQL aging query known (the same aggregation, without pauses and
#      negotiations) run by the sqlite3 tool on the same file with the same page cache.
# Everything runs pinned to CPU 0. Needs hyperfine (installed if missing).
# Usage: scripts/bench-ledger.sh [WORKDIR]    (default: a new folder under /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
command -v hyperfine >/dev/null && [ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq hyperfine time >/dev/null; }
swift build -c release >/dev/null
cobrador="$(swift build -c release --show-bin-path)/cobrador"
work=${1:-$(mktemp -d /tmp/cobrador-bench.XXXXXX)}
mkdir -p "$work"
pin="taskset -c 0"
echo "binary: $cobrador; work folder: $work"

python3 - "$work" <<'PY'
import random, sys, datetime
work = sys.argv[1]
random.seed(7)
with open(f"{work}/clients.csv", "w") as f:
    f.write("code,name,email,country,language\n")
    for i in range(5000):
        f.write(f"C{i:05d},Client {i} S.L.,billing{i}@client{i}.example,{'ES' if i % 3 else 'GB'},{'es' if i % 3 else 'en'}\n")
start = datetime.date(2025, 1, 1)
with open(f"{work}/invoices.csv", "w") as f:
    f.write("number,client,concept,issue_date,due_date,amount,currency\n")
    for i in range(100_000):
        issued = start + datetime.timedelta(days=random.randrange(0, 690))
        f.write(f"INV-{i:07d},C{random.randrange(5000):05d},Services rendered {i},{issued},{issued + datetime.timedelta(days=30)},{random.randrange(5000, 900000) / 100:.2f},EUR\n")
PY

# A base ledger holding the 5,000 clients, made by the real commands.
rm -rf "$work/base" && mkdir -p "$work/base"
"$cobrador" init --config "$work/base/cobrador.toml" --sender-email bench@example.com >/dev/null
export COBRADOR_CONFIG="$work/base/cobrador.toml"
"$cobrador" import clients "$work/clients.csv" >/dev/null
cp "$work/base/ledger.sqlite" "$work/base.sqlite"

echo
echo "== 1. import of 100,000 invoices in one transaction (both pinned to CPU 0)"
hyperfine --runs 5 --warmup 1 --style basic --export-json "$work/import.json" \
    --prepare "cp $work/base.sqlite $work/base/ledger.sqlite && rm -f $work/base/ledger.sqlite-wal $work/base/ledger.sqlite-shm" \
    -n "cobrador import invoices" "$pin $cobrador import invoices $work/invoices.csv" \
    --prepare "rm -f $work/peer.sqlite" \
    -n "sqlite3 .import (peer)" "$pin sqlite3 $work/peer.sqlite '.mode csv' '.import $work/invoices.csv invoice'"

echo
echo "== 2. status over 1,000,000 invoices (both pinned to CPU 0)"
cp "$work/base.sqlite" "$work/base/ledger.sqlite" && rm -f "$work/base/ledger.sqlite-wal" "$work/base/ledger.sqlite-shm"
sqlite3 "$work/base/ledger.sqlite" <<'SQL'
PRAGMA journal_mode = WAL;
BEGIN IMMEDIATE;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999999)
INSERT INTO invoice (number, client_id, concept, issue_date, due_date, gross_minor, currency, status)
SELECT printf('BIG-%07d', i), 1 + (i * 7919) % 5000, 'Services', date('2024-01-01', '+' || (i % 1000) || ' days'),
       date('2024-01-31', '+' || (i % 1000) || ' days'), 5000 + (i * 104729) % 900000, CASE WHEN i % 10 = 0 THEN 'GBP' ELSE 'EUR' END,
       CASE WHEN i % 50 = 0 THEN 'void' ELSE 'open' END
FROM n;
INSERT INTO payment (invoice_id, amount_minor, value_date)
SELECT id, gross_minor - (id % 3) * 1000, date(due_date, '+10 days') FROM invoice WHERE id % 10 < 3 AND status = 'open' AND gross_minor > 3000;
COMMIT;
ANALYZE;
SQL
echo "ledger: $(sqlite3 "$work/base/ledger.sqlite" 'SELECT count(*) FROM invoice') invoices, $(sqlite3 "$work/base/ledger.sqlite" 'SELECT count(*) FROM payment') payments, $(du -h "$work/base/ledger.sqlite" | cut -f1)"
cat > "$work/aging.sql" <<'SQL'
PRAGMA cache_size = -65536;
SELECT client.code, open.currency, open.bucket, SUM(open.balance), COUNT(*)
FROM (SELECT invoice.client_id, invoice.currency,
             CASE WHEN invoice.due_date >= '2026-11-29' THEN 'current' WHEN invoice.due_date >= '2026-10-30' THEN '1-30'
                  WHEN invoice.due_date >= '2026-09-30' THEN '31-60' WHEN invoice.due_date >= '2026-08-31' THEN '61-90' ELSE '90+' END AS bucket,
             invoice.gross_minor - COALESCE(paid.total, 0) AS balance
      FROM invoice LEFT JOIN (SELECT invoice_id, SUM(amount_minor) AS total FROM payment GROUP BY invoice_id) AS paid
           ON paid.invoice_id = invoice.id
      WHERE invoice.status = 'open') AS open
JOIN client ON client.id = open.client_id
WHERE open.balance > 0
GROUP BY open.client_id, open.currency, open.bucket;
SQL
hyperfine --runs 5 --warmup 1 --style basic --export-json "$work/status.json" \
    -n "cobrador status" "$pin $cobrador status --as-of 2026-11-29 > /dev/null" \
    -n "bare SQL aging query (peer)" "$pin sqlite3 $work/base/ledger.sqlite < $work/aging.sql > /dev/null"

echo
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
for name in ("import", "status"):
    results = json.load(open(f"{work}/{name}.json"))["results"]
    ours, peer = results[0], results[1]
    print(f"{ours['command']}: median {ours['median']:.3f} s (min {ours['min']:.3f}, max {ours['max']:.3f}); "
          f"{peer['command']}: median {peer['median']:.3f} s; ratio {ours['median'] / peer['median']:.2f}x the peer")
PY
/usr/bin/time -f "peak memory of cobrador status: %M KiB" "$cobrador" status --as-of 2026-11-29 > /dev/null
