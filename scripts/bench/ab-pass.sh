#!/usr/bin/env bash
# Compares two cobrador binaries on part A of scripts/bench-daemon.sh: ROUNDS alternating passes
# of each (10,000 messages into smtp-sink, all pinned to CPU 0), with the bare libcurl loop after
# each pair; prints each binary's median wall time, CPU per message (user + sys) and ratio to the
# loop's median. Alternating rounds in one run cancel most of this machine's drift, which single
# runs of the benchmark, minutes apart, do not.
# Usage: scripts/bench/ab-pass.sh WORKDIR BASE_BINARY NEW_BINARY [ROUNDS (5)]
#   WORKDIR: a folder `PARTS=A scripts/bench-daemon.sh WORKDIR` left (its a/ and curl-loop), made
#   with the older binary checked out, so that both binaries read its configuration.
set -euo pipefail
work=$1 base=$2 new=$3 rounds=${4:-5}
a="$work/a"
export COBRADOR_CONFIG="$a/cobrador.toml"
at="2026-12-01T10:00:00+01:00"  # the moment bench-daemon.sh plans its ledger for
port=$(grep -oP '^port = \K[0-9]+' "$a/cobrador.toml")
taskset -c 0 smtp-sink -u nobody "127.0.0.1:$port" 1000 >/dev/null 2>&1 &
sink=$!
results=$(mktemp -d)
trap 'kill $sink 2>/dev/null || true; rm -rf "$results"' EXIT
sleep 0.3
# One pass of BINARY on a fresh copy of the ledger; appends "wall_seconds cpu_us_per_message" to FILE.
pass() {
    rm -f "$a/ledger.sqlite-wal" "$a/ledger.sqlite-shm" "$a/sent.log" "$a/ledger.sqlite.outbox"
    cp "$a/base.sqlite" "$a/ledger.sqlite"
    local start end rehearsal=()
    # Builds before `--rehearsal` existed take --at without it.
    "$1" run --help | grep -q -- --rehearsal && rehearsal=(--rehearsal)
    start=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$results/time" taskset -c 0 "$1" run --once "${rehearsal[@]}" --through-relay --at "$at" > "$results/out"
    end=$(date +%s.%N)
    grep -q "^Pass done: 10000 sent" "$results/out" || { cat "$results/out" >&2; exit 1; }
    read -r user sys < "$results/time"
    python3 -c "import sys; s, e, u, y = map(float, sys.argv[1:]); print('%.3f %.0f' % (e - s, (u + y) * 100))" "$start" "$end" "$user" "$sys" >> "$2"
}
for _ in $(seq "$rounds"); do
    pass "$base" "$results/base"
    pass "$new" "$results/new"
    taskset -c 0 "$work/curl-loop" "smtp://127.0.0.1:$port" 10000 "$a/message.eml" | awk '{print $1}' >> "$results/loop"
done
python3 - "$results" <<'PY'
import statistics, sys
folder = sys.argv[1]
loop = statistics.median(float(line) for line in open(folder + "/loop"))
for name in ("base", "new"):
    rows = [tuple(map(float, line.split())) for line in open(f"{folder}/{name}")]
    wall = statistics.median(row[0] for row in rows)
    cpu = statistics.median(row[1] for row in rows)
    print(f"{name}: wall median {wall:.3f} s ({' '.join(f'{row[0]:.2f}' for row in rows)}), "
          f"CPU median {cpu:.0f} us/message, ratio to the loop {10000 / wall / loop:.3f}")
print(f"bare libcurl loop: median {loop:.0f} msg/s")
PY
