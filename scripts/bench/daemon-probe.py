#!/usr/bin/env python3
"""Measures a running `cobrador run` daemon for scripts/bench-daemon.sh (part B).

Usage: daemon-probe.py PID STDERR_FILE LEDGER IDLE_SECONDS TRIES OUT_JSON

1. Idle footprint: VmRSS (sampled every second) and VmHWM from /proc/PID/status, and the CPU
   the daemon used (utime + stime from /proc/PID/stat) over IDLE_SECONDS, as a percentage of
   one CPU; also whether a pass ran meanwhile.
2. Noticing a payment: TRIES times, writes one payment with the sqlite3 tool (pinned to CPU 0
   like the daemon) and polls the daemon's stderr every 2 ms until it logs "the ledger
   changed"; the latency is counted from the moment the sqlite3 tool was started (an upper
   bound: the commit happens a little later). Then waits for the pass it runs to end
   ("info: pass done") and for the daemon to go idle again, and counts the CPU that cycle took
   (a pass plus the look-ahead for the next wake-up: what every tick costs on this ledger).
3. A payment written while a pass is running: is it noticed within a tick?
Writes every figure to OUT_JSON.
"""
import json
import os
import random
import subprocess
import sys
import time

pid, err_path, ledger = int(sys.argv[1]), sys.argv[2], sys.argv[3]
idle_seconds, tries, out_path = float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ticks = os.sysconf("SC_CLK_TCK")
NOTICED = "the ledger changed; running a pass"
PASSED = "info: pass done"


def status():
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem", "Threads"):
                fields[key] = int(value.split()[0])  # kB, or a count for Threads
    return fields


def cpu_seconds():
    with open(f"/proc/{pid}/stat") as f:
        after_name = f.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 (utime, stime) of proc(5); after_name starts at field 3.
    return (int(after_name[11]) + int(after_name[12])) / ticks


def lines():
    with open(err_path, errors="replace") as f:
        return f.read().splitlines()


def count(text):
    return sum(text in line for line in lines())


def wait_for(text, before, timeout, step=0.002):
    """Polls until more than `before` lines contain `text`; returns the moment seen, or None."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if count(text) > before:
            return time.time()
        time.sleep(step)
    return None


def settle(seconds=1.0, limit=120.0):
    """Waits until the daemon's CPU time stops moving for `seconds` (its look-ahead is done)."""
    start = time.time()
    last = cpu_seconds()
    while time.time() - start < limit:
        time.sleep(seconds)
        now = cpu_seconds()
        if now - last < 0.02:
            return
        last = now


def unpaid_invoices(n):
    rows = subprocess.run(
        ["sqlite3", ledger, f"SELECT invoice_id, balance_minor FROM invoice_balance WHERE balance_minor > 10000 ORDER BY invoice_id LIMIT {n}"],
        check=True, capture_output=True, text=True).stdout.split()
    return [tuple(map(int, row.split("|"))) for row in rows]


def pay(invoice_id, amount):
    sql = ("PRAGMA foreign_keys = ON; BEGIN IMMEDIATE; "
           f"INSERT INTO payment (invoice_id, amount_minor, value_date, method, reference) VALUES ({invoice_id}, {amount}, date('now'), 'transfer', 'bench'); "
           "COMMIT;")
    started = time.time()
    subprocess.run(["taskset", "-c", "0", "sqlite3", "-cmd", ".timeout 10000", ledger, sql], check=True)
    return started, time.time()


result = {}
settle()
# 1. Idle footprint.
passes_before = count(PASSED)
cpu_start, t_start = cpu_seconds(), time.time()
rss_samples = []
while time.time() - t_start < idle_seconds:
    rss_samples.append(status()["VmRSS"])
    time.sleep(1)
cpu_end, t_end = cpu_seconds(), time.time()
end_status = status()
result["idle"] = {
    "seconds": t_end - t_start, "cpu_seconds": cpu_end - cpu_start, "cpu_percent": 100 * (cpu_end - cpu_start) / (t_end - t_start),
    "rss_kb_end": end_status["VmRSS"], "rss_kb_max": max(rss_samples), "rss_kb_min": min(rss_samples), "hwm_kb": end_status["VmHWM"],
    "rss_anon_kb": end_status["RssAnon"], "rss_file_kb": end_status["RssFile"], "rss_shmem_kb": end_status["RssShmem"],
    "threads": end_status["Threads"], "passes_during": count(PASSED) - passes_before,
}

# 2. Noticing a payment written by another process, TRIES times.
invoices = unpaid_invoices(tries + 2)
latencies, latencies_after_commit, pass_seconds, cycle_cpu = [], [], [], []
for invoice_id, balance in invoices[:tries]:
    time.sleep(random.uniform(0.3, 1.8))  # land anywhere in the daemon's 1.5-s polling slice
    noticed_before, passed_before = count(NOTICED), count(PASSED)
    cpu_before = cpu_seconds()
    started, committed = pay(invoice_id, 100)
    noticed = wait_for(NOTICED, noticed_before, timeout=30)
    if noticed is None:
        latencies.append(None)
        continue
    latencies.append(noticed - started)
    latencies_after_commit.append(noticed - committed)
    done = wait_for(PASSED, passed_before, timeout=600, step=0.01)
    pass_seconds.append(done - noticed if done else None)
    settle()
    cycle_cpu.append(cpu_seconds() - cpu_before)
result["notice"] = {
    "latency_seconds": latencies, "latency_after_commit_seconds": latencies_after_commit,
    "pass_seconds": pass_seconds, "cycle_cpu_seconds": cycle_cpu,
}

# 3. A payment written while a pass runs (right after the daemon noticed another one).
invoice_a, invoice_b = invoices[tries], invoices[tries + 1]
time.sleep(1)
noticed_before, passed_before = count(NOTICED), count(PASSED)
pay(invoice_a[0], 100)
wait_for(NOTICED, noticed_before, timeout=30)
time.sleep(0.2)
still_running = count(PASSED) == passed_before
started, _ = pay(invoice_b[0], 100)
pass_end = wait_for(PASSED, passed_before, timeout=600, step=0.01)
noticed = wait_for(NOTICED, noticed_before + 1, timeout=30)
result["during_pass"] = {
    "written_while_pass_ran": still_running,
    "pass_ended_after_write_seconds": (pass_end - started) if pass_end else None,
    "noticed_after_seconds": (noticed - started) if noticed else None,
    "waited_seconds": 30 + ((pass_end - started) if pass_end else 0),
}
settle()
result["final_status"] = status()
json.dump(result, open(out_path, "w"), indent=1)
