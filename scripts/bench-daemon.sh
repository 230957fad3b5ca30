#!/usr/bin/env bash
# The daemon's own figures (issue 7), everything pinned to CPU 0 (see shared notes/benchmarking.md):
#   A. Throughput of the full pass (plan, compose, reserve, send, record): `cobrador run --once`
#      delivering COUNT (10,000) due messages, one per client, to Postfix's smtp-sink on
#      127.0.0.1, in messages per second of wall time, against the bare C loop over one reused
#      libcurl handle (scripts/bench/curl-loop.c) sending a message of the same size in the same
#      run. ROUNDS rounds after a warm-up, each on a fresh copy of the ledger; medians with min
#      and max; the ratio (target >= 0.5). Also the planning alone (`cobrador plan --days 0`)
#      on the same ledger, the fsyncs per message (one pass under strace -c), and where the
#      time goes: the CPU per message of cobrador, of the loop and of the sink under each,
#      against the ledger work alone written in C (scripts/bench/ledger-floor.c). Then ROUNDS
#      more rounds of the pass and the loop with the sink moved to CPU 1, as a relay on another
#      machine is: the ratio when the relay's latency rather than one shared CPU sets the pace.
#   B. The resident daemon (`cobrador run`, Maildir transport) on a 1,000,000-invoice ledger
#      (scripts/bench/million-ledger.sh, as of today, cached): after its first pass, resident
#      memory (VmRSS, VmHWM; target < 40 MB) and CPU over IDLE_SECONDS (60; target < 1%); the
#      time from a payment written by the sqlite3 tool to the daemon logging that it noticed
#      (TRIES = 5 times; target < 3 s); a payment written while a pass runs; SIGTERM, exit 0.
# Usage: scripts/bench-daemon.sh [WORKDIR]      (default: a new folder under /tmp)
#   Environment: COUNT (10000), ROUNDS (5), IDLE_SECONDS (60), TRIES (5), PARTS ("A B"),
#   PROFILE=1 to add one pass under perf and print its CPU split by phase (scripts/bench/perf-phases.py).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:/usr/sbin:$PATH
count=${COUNT:-10000}
rounds=${ROUNDS:-5}
idle=${IDLE_SECONDS:-60}
tries=${TRIES:-5}
parts=${PARTS:-A B}
if ! command -v smtp-sink >/dev/null; then
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
for tool in gcc sqlite3 strace; do command -v $tool >/dev/null || apt-get install -y -qq $tool >/dev/null; done
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
# The binary `make install` installs: release, Swift runtime linked in.
swift build -c release -Xswiftc -warnings-as-errors --static-swift-stdlib --product cobrador >/dev/null
cobrador="$(swift build -c release -Xswiftc -warnings-as-errors --static-swift-stdlib --show-bin-path)/cobrador"
work=${1:-$(mktemp -d /tmp/cobrador-daemon-bench.XXXXXX)}
mkdir -p "$work"
pin="taskset -c 0"
echo "binary: $cobrador; work folder: $work; everything pinned to CPU 0"
summary="$work/summary.txt"
: > "$summary"

# Rewrites a configuration made by `cobrador init`: the send window open every day at every
# hour (so the figures do not depend on the clock), no daily digest, and, given a port, the
# SMTP transport to smtp-sink on loopback (tls = "none" is allowed there without credentials).
configure() {
    python3 - "$@" <<'PY'
import re, sys
path = sys.argv[1]
port = sys.argv[2] if len(sys.argv) > 2 else None
text = open(path).read()
days = "".join(f'{day} = "00:00-24:00"\n' for day in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
text = re.sub(r"\[policy\.window\]\n(?:.*\n)*?\n", "[policy.window]\n" + days + "\n", text, count=1)
text = text.replace('digest_time = "08:00"', 'digest_time = "never"')
if port:
    text = text.replace('kind = "maildir"', 'kind = "smtp"')
    text += f'\n[transport.smtp]\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\n'
open(path, "w").write(text)
PY
}
# Seconds from START to END, both read with `date +%s.%N` right before and right after what is
# timed (a helper started after END, as python3 is in 80 ms, must not count).
seconds_between() { awk -v start="$1" -v end="$2" 'BEGIN { printf "%.3f\n", end - start }'; }
# The user + system CPU a process has used so far, in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

if [[ " $parts " == *" A "* ]]; then
    echo
    echo "== A. full pass of $count messages into smtp-sink against the bare libcurl loop (both pinned to CPU 0 with the sink)"
    a="$work/a"
    rm -rf "$a" && mkdir -p "$a"
    gcc -O2 -o "$work/curl-loop" scripts/bench/curl-loop.c $(pkg-config --cflags --libs libcurl)
    gcc -O2 -o "$work/ledger-floor" scripts/bench/ledger-floor.c -lsqlite3 -lcrypto
    port=$((20000 + RANDOM % 20000))
    $pin smtp-sink -u nobody 127.0.0.1:$port 1000 >/dev/null 2>&1 &
    sink=$!
    trap 'kill $sink 2>/dev/null || true' EXIT
    "$cobrador" init --config "$a/cobrador.toml" --sender-name "Bench Cobros S.L." --sender-email cobros@bench.example \
        --time-zone Europe/Madrid --iban "ES91 2100 0418 4502 0005 1332" >/dev/null
    configure "$a/cobrador.toml" $port
    export COBRADOR_CONFIG="$a/cobrador.toml"
    # A Tuesday that is no holiday; every client has one invoice due in 3 days, so its
    # before-due stage goes out today: one message per client, nothing else due.
    day=2026-12-01
    at="${day}T10:00:00+01:00"
    python3 - "$a" "$count" "$day" <<'PY'
import datetime, random, sys
folder, count, day = sys.argv[1], int(sys.argv[2]), datetime.date.fromisoformat(sys.argv[3])
random.seed(7)
with open(f"{folder}/clients.csv", "w") as f:
    f.write("code,name,email,country,language\n")
    for i in range(count):
        f.write(f"C{i:06d},Cliente {i} S.L.,billing{i}@client{i}.example,{'ES' if i % 3 else 'GB'},{'es' if i % 3 else 'en'}\n")
with open(f"{folder}/invoices.csv", "w") as f:
    f.write("number,client,concept,issue_date,due_date,amount,currency\n")
    for i in range(count):
        f.write(f"INV-{i:07d},C{i:06d},Servicios de traducción {i},{day - datetime.timedelta(days=27)},{day + datetime.timedelta(days=3)},{random.randrange(5000, 900000) / 100:.2f},EUR\n")
PY
    "$cobrador" import clients "$a/clients.csv" >/dev/null
    "$cobrador" import invoices "$a/invoices.csv" >/dev/null
    sqlite3 "$a/ledger.sqlite" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    cp "$a/ledger.sqlite" "$a/base.sqlite"
    fresh() { rm -f "$a/ledger.sqlite-wal" "$a/ledger.sqlite-shm" "$a/sent.log" && cp "$a/base.sqlite" "$a/ledger.sqlite"; }
    planned=$("$cobrador" plan --days 0 --at "$at" --json | grep -c '"kind" : "message"' || true)
    echo "ledger: $count clients, one invoice each; planned at $at: $planned messages"
    [ "$planned" -eq "$count" ] || { echo "expected $count planned messages, got $planned" >&2; exit 1; }

    # Warm-up: one pass (untimed), whose stored messages give the loop its message: the one
    # closest to the average size.
    fresh
    $pin "$cobrador" run --once --rehearsal --through-relay --at "$at" >/dev/null
    read -r avg min max < <(sqlite3 -separator ' ' "$a/ledger.sqlite" "SELECT CAST(avg(length(message)) AS INT), min(length(message)), max(length(message)) FROM contact WHERE message IS NOT NULL")
    sqlite3 "$a/ledger.sqlite" "SELECT writefile('$a/message.eml', message) FROM contact WHERE message IS NOT NULL ORDER BY abs(length(message) - $avg), id LIMIT 1" >/dev/null
    echo "cobrador's messages: average $avg bytes (min $min, max $max); the loop sends one of $(stat -c %s "$a/message.eml") bytes"
    $pin "$work/curl-loop" "smtp://127.0.0.1:$port" "$count" "$a/message.eml" >/dev/null

    declare -a r_pass r_loop r_plan r_wall r_cpu r_sink r_loop_cpu r_loop_sink r_floor
    # CPU per message in microseconds from `/usr/bin/time -f "%U %S"` output, and from sink ticks.
    per_message() { python3 -c "import sys; print('%.1f' % (sum(map(float, open(sys.argv[1]).read().split())) * 1e6 / int(sys.argv[2])))" "$1" "$count"; }
    ticks_per_message() { python3 -c "import os, sys; print('%.1f' % (int(sys.argv[1]) / os.sysconf('SC_CLK_TCK') * 1e6 / int(sys.argv[2])))" "$1" "$count"; }
    for round in $(seq "$rounds"); do
        fresh
        start=$(date +%s.%N)
        $pin "$cobrador" plan --days 0 --at "$at" --json >/dev/null
        end=$(date +%s.%N)
        r_plan+=("$(seconds_between "$start" "$end")")
        fresh
        sink_before=$(ticks $sink)
        start=$(date +%s.%N)
        /usr/bin/time -f "%U %S" -o "$a/pass.time" $pin "$cobrador" run --once --rehearsal --through-relay --at "$at" > "$a/pass.out"
        end=$(date +%s.%N)
        wall=$(seconds_between "$start" "$end")
        r_sink+=("$(ticks_per_message $(($(ticks $sink) - sink_before)))")
        r_cpu+=("$(per_message "$a/pass.time")")
        sent=$(sqlite3 "$a/ledger.sqlite" "SELECT count(*) FROM contact WHERE status = 'sent'")
        other=$(sqlite3 "$a/ledger.sqlite" "SELECT count(*) FROM contact WHERE status <> 'sent'")
        if [ "$sent" -ne "$count" ] || [ "$other" -ne 0 ] || ! grep -q "Pass done: $count sent, 0 deferred, 0 failed, 0 unknown" "$a/pass.out"; then
            echo "round $round: $sent sent, $other not sent: $(cat "$a/pass.out")" >&2
            exit 1
        fi
        r_wall+=("$wall")
        r_pass+=("$(python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / float(sys.argv[2])))" "$count" "$wall")")
        sink_before=$(ticks $sink)
        read -r loop failures < <(/usr/bin/time -f "%U %S" -o "$a/loop.time" $pin "$work/curl-loop" "smtp://127.0.0.1:$port" "$count" "$a/message.eml")
        [ "$failures" -eq 0 ] || { echo "the libcurl loop failed $failures times" >&2; exit 1; }
        r_loop_sink+=("$(ticks_per_message $(($(ticks $sink) - sink_before)))")
        r_loop_cpu+=("$(per_message "$a/loop.time")")
        r_loop+=("$loop")
        fresh
        r_floor+=("$($pin "$work/ledger-floor" "$a/ledger.sqlite" "$count" "$a/message.eml" | cut -d' ' -f1)")
        echo "round $round: cobrador pass ${wall} s = ${r_pass[-1]} msg/s ($sent sent), plan alone ${r_plan[-1]} s; libcurl loop $loop msg/s;" \
            "CPU us/message: cobrador ${r_cpu[-1]}, its sink ${r_sink[-1]}, loop ${r_loop_cpu[-1]}, its sink ${r_loop_sink[-1]}, ledger floor ${r_floor[-1]}"
    done

    # The same pass and loop with the sink moved to CPU 1: a relay that is not on the client's
    # CPU, as a real one is not. Each round trip then waits for the other CPU to wake (about
    # 61 us, see the notes), so the figures say how both fare when the relay's latency, not
    # the CPU they share, sets the pace.
    declare -a s_pass s_loop
    if [ "$(nproc)" -ge 2 ]; then  # (a single CPU has no other to put the sink on)
        kill $sink 2>/dev/null || true
        wait $sink 2>/dev/null || true
        taskset -c 1 smtp-sink -u nobody 127.0.0.1:$port 1000 >/dev/null 2>&1 &
        sink=$!
        sleep 0.3
        fresh
        $pin "$cobrador" run --once --rehearsal --through-relay --at "$at" >/dev/null  # warm-up
        for round in $(seq "$rounds"); do
            fresh
            start=$(date +%s.%N)
            $pin "$cobrador" run --once --rehearsal --through-relay --at "$at" > "$a/pass.out"
            end=$(date +%s.%N)
            wall=$(seconds_between "$start" "$end")
            grep -q "Pass done: $count sent, 0 deferred, 0 failed, 0 unknown" "$a/pass.out" || { echo "round $round (sink on CPU 1): $(cat "$a/pass.out")" >&2; exit 1; }
            s_pass+=("$(python3 -c "import sys; print('%.1f' % (int(sys.argv[1]) / float(sys.argv[2])))" "$count" "$wall")")
            read -r loop failures < <($pin "$work/curl-loop" "smtp://127.0.0.1:$port" "$count" "$a/message.eml")
            [ "$failures" -eq 0 ] || { echo "the libcurl loop failed $failures times" >&2; exit 1; }
            s_loop+=("$loop")
            echo "round $round, sink on CPU 1: cobrador pass ${s_pass[-1]} msg/s; libcurl loop $loop msg/s"
        done
        kill $sink 2>/dev/null || true
        wait $sink 2>/dev/null || true
        $pin smtp-sink -u nobody 127.0.0.1:$port 1000 >/dev/null 2>&1 &
        sink=$!
        sleep 0.3
    fi

    # One more pass under strace, counting the system calls (fsyncs per message above all).
    fresh
    $pin strace -f -c -o "$a/strace.txt" "$cobrador" run --once --rehearsal --through-relay --at "$at" >/dev/null
    syncs=$(awk '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { print n + 0 }' "$a/strace.txt")
    sent=$(sqlite3 "$a/ledger.sqlite" "SELECT count(*) FROM contact WHERE status = 'sent'")

    python3 - "${r_pass[*]}" "${r_loop[*]}" "${r_plan[*]}" "${r_wall[*]}" "${r_cpu[*]}" "${r_sink[*]}" "${r_loop_cpu[*]}" "${r_loop_sink[*]}" "${r_floor[*]}" \
        "$syncs" "$sent" "$count" "$avg" "${s_pass[*]}" "${s_loop[*]}" >> "$summary" <<'PY'
import statistics, sys
passes, loops, plans, walls, cpus, sinks, loop_cpus, loop_sinks, floors = ([float(v) for v in s.split()] for s in sys.argv[1:10])
syncs, sent, count, size = int(sys.argv[10]), int(sys.argv[11]), int(sys.argv[12]), int(sys.argv[13])
split_passes, split_loops = ([float(v) for v in s.split()] for s in sys.argv[14:16])
m = statistics.median
ratios = [p / l for p, l in zip(passes, loops)]
print(f"A. full pass of {count} messages (avg {size} bytes) into smtp-sink, cobrador and the sink on CPU 0:")
print(f"   cobrador run --once: median {m(passes):.0f} msg/s (min {min(passes):.0f}, max {max(passes):.0f}); wall median {m(walls):.2f} s")
print(f"   bare libcurl loop, one reused handle, same size: median {m(loops):.0f} msg/s (min {min(loops):.0f}, max {max(loops):.0f})")
print(f"   ratio cobrador / loop: {m(passes) / m(loops):.3f} (per round {min(ratios):.3f}-{max(ratios):.3f}; target >= 0.5)")
print(f"   planning alone (plan --days 0, same ledger): median {m(plans):.2f} s = {100 * m(plans) / m(walls):.0f}% of the pass;"
      f" the rest {1e6 * (m(walls) - m(plans)) / count:.0f} us per message (the loop: {1e6 / m(loops):.0f} us)")
print(f"   fsync + fdatasync in one pass (strace -f -c): {syncs} for {sent} messages = {syncs / max(sent, 1):.2f} per message")
# Both ends share CPU 0, so a message's wall time is about the client's CPU plus the sink's.
loop_wall, sink = 1e6 / m(loops), m(sinks)
allowed = 2 * loop_wall - sink - max(0.0, 1e6 * m(walls) / count - m(cpus) - sink)
print(f"   CPU per message (medians): cobrador {m(cpus):.0f} us, the sink under it {sink:.0f} us;"
      f" the loop {m(loop_cpus):.0f} us, the sink under it {m(loop_sinks):.0f} us; the loop's wall {loop_wall:.0f} us")
print(f"   for 0.5x a message may take {2 * loop_wall:.0f} us of wall time: after the sink and the pass's I/O waits, {allowed:.0f} us of cobrador CPU;"
      f" of those, the ledger work alone written in C (ledger-floor) takes {m(floors):.0f} us and libcurl about the loop's {m(loop_cpus):.0f},"
      f" leaving {allowed - m(floors) - m(loop_cpus):.0f} us for planning, composing and logging (cobrador spends {m(cpus) - m(floors) - m(loop_cpus):.0f} on them"
      f" and its own overhead around SQLite and libcurl)")
split_ratios = [p / l for p, l in zip(split_passes, split_loops)]
if split_ratios: print(f"   with the sink on CPU 1 instead (a relay on another CPU; cobrador and the loop on CPU 0): cobrador median {m(split_passes):.0f} msg/s"
      f" (min {min(split_passes):.0f}, max {max(split_passes):.0f}), the loop {m(split_loops):.0f} (min {min(split_loops):.0f}, max {max(split_loops):.0f});"
      f" ratio {m(split_passes) / m(split_loops):.3f} (per round {min(split_ratios):.3f}-{max(split_ratios):.3f})")
PY
    if [ -n "${PROFILE:-}" ]; then
        # Where the CPU of a pass goes, by phase: one more pass under perf (cpu-clock samples with
        # DWARF call stacks, since libsqlite3 has no frame pointers).
        command -v perf >/dev/null || apt-get install -y -qq linux-perf >/dev/null
        fresh
        $pin perf record -q -e cpu-clock -F 200 --call-graph dwarf,16384 -o "$a/perf.data" "$cobrador" run --once --rehearsal --through-relay --at "$at" >/dev/null 2>&1
        perf script -i "$a/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null | swift demangle --simplified > "$a/perf.txt"
        python3 scripts/bench/perf-phases.py "$a/perf.txt" 200 "$count" >> "$summary"
    fi
    kill $sink 2>/dev/null || true
    trap - EXIT
    unset COBRADOR_CONFIG
fi

if [[ " $parts " == *" B "* ]]; then
    echo
    echo "== B. the resident daemon on a 1,000,000-invoice ledger (Maildir transport; daemon, sqlite3 writer and probe on CPU 0)"
    b="$work/b"
    rm -rf "$b" && mkdir -p "$b"
    "$cobrador" init --config "$b/cobrador.toml" --sender-name "Bench Cobros S.L." --sender-email cobros@bench.example \
        --time-zone Europe/Madrid --iban "ES91 2100 0418 4502 0005 1332" >/dev/null
    configure "$b/cobrador.toml"
    export COBRADOR_CONFIG="$b/cobrador.toml"
    today=$(TZ=Europe/Madrid date +%F)
    scripts/bench/million-ledger.sh "$cobrador" "$today" "$b/ledger.sqlite"
    planned=$("$cobrador" plan --days 0 --json | grep -c '"kind" : "message"' || true)
    echo "ledger: $(sqlite3 "$b/ledger.sqlite" 'SELECT count(*) FROM invoice') invoices, $(du -h "$b/ledger.sqlite" | cut -f1); due now: $planned messages (the first pass sends them into the Maildir)"
    start=$(date +%s.%N)
    $pin "$cobrador" run > "$b/daemon.out" 2> "$b/daemon.err" &
    daemon=$!
    trap 'kill $daemon 2>/dev/null || true' EXIT
    until grep -q "info: pass done" "$b/daemon.err" 2>/dev/null; do
        kill -0 $daemon 2>/dev/null || { echo "the daemon stopped: $(cat "$b/daemon.err")" >&2; exit 1; }
        sleep 0.1
    done
    first=$(seconds_between "$start" "$(date +%s.%N)")
    echo "first pass done after $first s: $(grep "info: pass done" "$b/daemon.err" | head -1)"
    echo "measuring $idle idle seconds, then $tries payments..."
    $pin python3 scripts/bench/daemon-probe.py $daemon "$b/daemon.err" "$b/ledger.sqlite" "$idle" "$tries" "$b/probe.json"
    kill -TERM $daemon
    status=0
    wait $daemon || status=$?
    trap - EXIT
    echo "daemon stderr: $(grep -c . "$b/daemon.err") lines; last: $(tail -1 "$b/daemon.err")"
    python3 - "$b/probe.json" "$first" "$planned" "$status" "$idle" >> "$summary" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
first, planned, status, idle_target = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
i, n, d = r["idle"], r["notice"], r["during_pass"]
mb = lambda kb: kb / 1024
print(f"B. cobrador run on 1,000,000 invoices (Maildir), pinned to CPU 0; first pass ({planned} messages) took {first:.1f} s:")
print(f"   idle resident memory: VmRSS {mb(i['rss_kb_end']):.1f} MB (sampled {mb(i['rss_kb_min']):.1f}-{mb(i['rss_kb_max']):.1f}; anon {mb(i['rss_anon_kb']):.1f},"
      f" file {mb(i['rss_file_kb']):.1f}, shmem {mb(i['rss_shmem_kb']):.1f}); VmHWM {mb(i['hwm_kb']):.1f} MB (target < 40 MB)")
print(f"   idle CPU over {i['seconds']:.0f} s: {i['cpu_seconds']:.2f} s = {i['cpu_percent']:.2f}% (target < 1%); passes meanwhile: {i['passes_during']}; threads {i['threads']}")
lat = [x for x in n["latency_seconds"] if x is not None]
missed = len(n["latency_seconds"]) - len(lat)
if lat:
    print(f"   payment by sqlite3 -> 'the ledger changed': median {statistics.median(lat):.2f} s, max {max(lat):.2f} s, min {min(lat):.2f} s"
          f" over {len(lat)} tries{f', {missed} not noticed within 30 s' if missed else ''} (target < 3 s)")
passes = [x for x in n["pass_seconds"] if x is not None]
if passes:
    cycle = statistics.median(n["cycle_cpu_seconds"])
    print(f"   the pass each payment triggers: median {statistics.median(passes):.2f} s; CPU per wake-up (pass + look-ahead) median {cycle:.2f} s,"
          f" so every 300-s tick alone costs {100 * cycle / 300:.2f}% CPU")
if d["written_while_pass_ran"]:
    seen = d["noticed_after_seconds"]
    print(f"   payment written while a pass ran: " + (f"noticed after {seen:.2f} s" if seen is not None
          else f"NOT noticed within {d['waited_seconds']:.0f} s (waits for the next tick)"))
else:
    print("   payment written while a pass ran: the pass had ended before the write; not measured")
print(f"   VmRSS after the payment passes: {mb(r['final_status']['VmRSS']):.1f} MB; SIGTERM -> exit status {status} (expected 0)")
PY
    unset COBRADOR_CONFIG
fi

echo
echo "== summary (work folder $work)"
cat "$summary"
