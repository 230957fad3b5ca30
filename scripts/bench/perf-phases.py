#!/usr/bin/env python3
"""Splits the CPU of one `cobrador run --once` pass by phase, from `perf script` output
(recorded with `perf record -e cpu-clock -F HZ --call-graph dwarf`, demangled with
`swift demangle --simplified`). Each sample goes to the innermost phase found on its stack;
within a phase, the library its leaf frame is in says what the time is (SQLite, ICU, kernel...).
Usage: perf-phases.py DEMANGLED_PERF_SCRIPT HZ MESSAGES
"""
import collections
import re
import sys

# (phase, a piece of the demangled frame name); checked from the leaf towards the root.
PHASES = [
    ("compose: templates (MessageBuilder.message)", "MessageBuilder.message("),
    ("compose: MIME (MIMEComposer.compose)", "MIMEComposer.compose("),
    ("reserve txn: re-check (noLongerDue)", "Ledger.noLongerDue("),
    ("reserve txn: threadReferences", "Ledger.threadReferences("),
    ("attempt log rows (logAttempt, 3 per message)", "Ledger.logAttempt("),
    ("reserve txn: the rest (inserts, commit)", "in Ledger.reserve("),
    ("markSending txn", "Ledger.markSending("),
    ("markBodyStarted txn (re-check behind a slow relay)", "Ledger.markBodyStarted("),
    ("recordOutcomes txn (one per batch)", "Ledger.recordOutcomes("),
    ("outbox journal lines", "OutboxJournal."),
    ("SMTP send (libcurl, cobrador side)", "SMTPTransport.send("),
    ("reads: client(code:) (in the reservation)", "Ledger.client(code:"),
    ("reads: invoice(number:)", "Ledger.invoice(number:"),
    ("reads: Claims", "Claims."),
    ("plan (plannerInput, Planner.events)", "Ledger.plannerInput("),
    ("plan (plannerInput, Planner.events)", "Planner.events("),
    ("sent log line", "Pass.log("),
    ("Pass, other (GRDB write/read wrappers inlined)", "Pass."),
    ("start-up (configuration, templates, ledger open)", "RunCommand"),
]


def library(frames):
    # Inlined frames name no library: the first real frame does.
    dso = next((dso for _, dso in frames if dso != "inlined"), "?")
    if "kernel" in dso:
        return "kernel"
    for key, name in (("libsqlite3", "SQLite"), ("ICU", "ICU"), ("Foundation", "Foundation"), ("libswiftCore", "Swift runtime"),
                      ("libc.so", "libc (malloc, memcpy)"), ("libcurl", "libcurl")):
        if key in dso:
            return name
    return "cobrador and its packages" if "cobrador" in dso else dso.rsplit("/", 1)[-1]


samples, frames = [], []
for line in open(sys.argv[1], errors="replace"):
    if not line.strip() or not line[0].isspace():
        if frames:
            samples.append(frames)
        frames = []
        continue
    match = re.match(r"\s+[0-9a-f]+ (.*) \((.*)\)$", line.rstrip())
    if match:
        frames.append((match.group(1), match.group(2)))
if frames:
    samples.append(frames)
hz, messages = float(sys.argv[2]), int(sys.argv[3])
cpu = len(samples) / hz
phases, libraries = collections.Counter(), collections.defaultdict(collections.Counter)
for frames in samples:
    phase = next((name for symbol, _ in frames for name, marker in PHASES if marker in symbol), "unattributed (truncated stacks)")
    phases[phase] += 1
    libraries[phase][library(frames)] += 1
print(f"   CPU of the pass by phase (perf, {len(samples)} samples = {cpu:.1f} s of CPU for {messages} messages = {1e6 * cpu / messages:.0f} us each):")
for phase, count in phases.most_common():
    top = ", ".join(f"{name} {100 * n / count:.0f}%" for name, n in libraries[phase].most_common(3))
    print(f"   {1e6 * cpu * count / len(samples) / messages:6.0f} us/msg {100 * count / len(samples):5.1f}%  {phase}  [{top}]")
