#!/usr/bin/env bash
# Delivery speed against peers measured in the same run, everything pinned to CPU 0 with the
# sink (see shared notes/benchmarking.md): Postfix's smtp-sink on 127.0.0.1 receives
#   1. cobrador's SMTP transport (one handle reused), 10,000 messages of 4 KB;
#   2. a bare C loop over one reused libcurl handle (scripts/bench/curl-loop.c), same bytes;
#   3. Postfix's smtp-source on one connection (the ceiling);
#   4. the curl command-line tool, one process per message (300 messages).
# Three rounds; prints the median rate of each and the ratios the issue asks for.
# Usage: scripts/bench-smtp.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:/usr/sbin:$PATH
count=${1:-10000}
if ! command -v smtp-sink >/dev/null; then
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
command -v gcc >/dev/null || apt-get install -y -qq gcc >/dev/null
work=$(mktemp -d /tmp/cobrador-smtp-bench.XXXXXX)
swift build -c release --product cobrador-bench-smtp >/dev/null
ours="$(swift build -c release --show-bin-path)/cobrador-bench-smtp"
gcc -O2 -o "$work/curl-loop" scripts/bench/curl-loop.c $(pkg-config --cflags --libs libcurl)

python3 - "$work/message.eml" <<'PY'
import sys
lines = ["From: <bench@cobrador.example>", "To: <sink@cobrador.example>", "Subject: benchmark", "Message-ID: <b.1@cobrador.example>", ""]
lines += ["Line %04d of a four-kilobyte message body, about as long as a reminder is. xxxxxx" % i for i in range(48)]
open(sys.argv[1], "wb").write(("\r\n".join(lines) + "\r\n").encode())
PY
port=$((20000 + RANDOM % 20000))
taskset -c 0 smtp-sink -u nobody 127.0.0.1:$port 1000 >/dev/null 2>&1 &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
sleep 0.5

# COUNT messages over the seconds from START to END (`date +%s.%N`, read right before and after:
# python3's own start-up, 80 ms, must not count).
per_second() { awk -v count="$1" -v start="$2" -v end="$3" 'BEGIN { printf "%.1f\n", count / (end - start) }'; }
declare -a r_ours r_loop r_source r_cli
for round in 1 2 3; do
    r_ours+=("$(taskset -c 0 "$ours" 127.0.0.1 $port "$count" "$work/message.eml" | cut -d' ' -f1)")
    r_loop+=("$(taskset -c 0 "$work/curl-loop" "smtp://127.0.0.1:$port" "$count" "$work/message.eml" | cut -d' ' -f1)")
    start=$(date +%s.%N)
    taskset -c 0 smtp-source -s 1 -m "$count" -l 4096 -f bench@cobrador.example -t sink@cobrador.example 127.0.0.1:$port >/dev/null
    end=$(date +%s.%N)
    r_source+=("$(per_second "$count" "$start" "$end")")
    start=$(date +%s.%N)
    for i in $(seq 300); do
        taskset -c 0 curl -s --url "smtp://127.0.0.1:$port" --mail-from bench@cobrador.example --mail-rcpt sink@cobrador.example -T "$work/message.eml"
    done
    end=$(date +%s.%N)
    r_cli+=("$(per_second 300 "$start" "$end")")
    echo "round $round: cobrador ${r_ours[-1]}/s, libcurl loop ${r_loop[-1]}/s, smtp-source ${r_source[-1]}/s, curl CLI ${r_cli[-1]}/s"
done
python3 - "${r_ours[*]}" "${r_loop[*]}" "${r_source[*]}" "${r_cli[*]}" <<'PY'
import statistics, sys
ours, loop, source, cli = (statistics.median(map(float, s.split())) for s in sys.argv[1:])
print(f"medians (msg/s, all on CPU 0 with smtp-sink): cobrador {ours:.0f}, bare libcurl loop {loop:.0f}, smtp-source {source:.0f}, curl CLI {cli:.0f}")
print(f"cobrador / libcurl loop = {ours / loop:.2f} (target >= 0.8); cobrador / curl CLI = {ours / cli:.1f} (target >= 10); cobrador / smtp-source = {ours / source:.2f}")
PY
