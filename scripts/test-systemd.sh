#!/usr/bin/env bash
# Tests the systemd unit under a real systemd: boots Debian's systemd in a systemd-nspawn
# container, installs cobrador into it with `make install`, sets it up as the README's
# "Install" section says, with an SMTP relay on the host's loopback that requires a login
# (scripts/smtp-test-server.py, STARTTLS with a certificate authority made for the run) and the
# password handed over by LoadCredential=, and checks with systemctl and journalctl that:
#   - `systemctl start` returns only after READY (the first pass is done and its STATUS set);
#   - `systemctl status` shows the STATUS= text of the last pass;
#   - `journalctl -u cobrador` shows the daemon's log;
#   - the credential was read (the relay accepted the login and the messages) and never logged;
#   - the daemon runs as the user cobrador and the files it writes in its state folder are its;
#   - logrotate, with the rule `make install` puts in /etc/logrotate.d, rotates the sent log, and
#     the next pass writes a new one, cobrador's, with its line;
#   - `systemctl reload` with a good configuration reloads it, and with a broken one keeps the
#     same process running on the last good one and names the file, line and key;
#   - the watchdog kills a hung daemon (SIGSTOP) and systemd restarts it;
#   - `systemctl stop` is clean (result success, no SIGKILL, within seconds);
#   - a configuration that cannot work fails the start with status 78 and no restart loop;
#   - `systemd-analyze security` rates the unit 2.0 or better.
# Each check prints "ok: ..." or fails with the unit's status and journal. When the test cannot
# run here (not root, no systemd-nspawn, no Debian mirror to build the container from) it
# prints "SKIPPED: systemd unit test: <reason>" and exits 0: it never passes silently.
#
# The container's root (debootstrap minbase + systemd and what the binary needs) is cached as
# a tarball in $COBRADOR_TEST_CACHE (default /var/cache/cobrador-test) and rebuilt when missing,
# from $COBRADOR_TEST_MIRROR (default: the mirror of /etc/apt/sources.list.d/debian.sources).
# How to boot a real systemd on these machines, and the traps: shared notes/real-systemd.md.
# Usage: scripts/test-systemd.sh    (as root; KEEP=1 keeps the work folder for a post-mortem)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
started=$SECONDS

skip() { echo "SKIPPED: systemd unit test: $*"; exit 0; }
say() { echo "test-systemd: $*"; }
ok() { echo "ok: $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (systemd-nspawn boots a container)"

# --- Tools on the host: systemd-nspawn, debootstrap, zstd for the cache, and the relay's needs.
declare -A tool_package=([systemd-nspawn]=systemd-container [debootstrap]=debootstrap [zstd]=zstd [openssl]=openssl [nsenter]=util-linux)
missing=()
for tool in "${!tool_package[@]}"; do command -v "$tool" >/dev/null 2>&1 || missing+=("${tool_package[$tool]}"); done
python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
# Without recommends: systemd-container's (libnss-mymachines) would edit the host's nsswitch.conf.
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
        command -v systemd-nspawn >/dev/null 2>&1 || skip "systemd-nspawn is not installed and apt-get could not install systemd-container"
        echo "error: apt-get could not install ${missing[*]}" >&2
        exit 1
    fi
fi
command -v systemd-nspawn >/dev/null 2>&1 || skip "systemd-nspawn is not available"
[ -d /sys/fs/cgroup/unified ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || skip "no cgroup hierarchy for systemd-nspawn under /sys/fs/cgroup"

# --- Where things go. One name per run, so that leftovers of one run never meet another.
name=cobrador-test-$$
work=$(mktemp -d /var/tmp/cobrador-systemd.XXXXXX)
root=$work/root
cache=${COBRADOR_TEST_CACHE:-/var/cache/cobrador-test}
nspawn_pid=
smtp_pid=
leader=
# nspawn --keep-unit puts the container under the cgroup it runs in, in folders named payload
# and supervisor; a cgroup of our own keeps them apart from anything else and easy to remove.
cgroups=()
for hierarchy in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
    [ -d "$hierarchy" ] && cgroups+=("$hierarchy/$name")
done
[ ${#cgroups[@]} -gt 0 ] || cgroups+=("/sys/fs/cgroup/$name")

cleanup() {
    local status=$?
    set +e
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        # SIGTERM makes nspawn power the container off cleanly.
        kill -TERM "$nspawn_pid"
        for _ in $(seq 1 150); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$nspawn_pid" 2>/dev/null; then
            say "the container did not power off within 15 s; killing it"
            kill -KILL "$nspawn_pid"
        fi
        wait "$nspawn_pid" 2>/dev/null
    fi
    if [ -n "$smtp_pid" ]; then
        kill -TERM "$smtp_pid" 2>/dev/null
        wait "$smtp_pid" 2>/dev/null
    fi
    for group in "${cgroups[@]}"; do
        [ -d "$group" ] && find "$group" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    if [ -d "/run/systemd/nspawn/propagate/$name" ]; then
        umount -l "/run/systemd/nspawn/propagate/$name" 2>/dev/null
        rm -rf --one-file-system "/run/systemd/nspawn/propagate/$name"
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        say "kept $work (remove it with: rm -rf --one-file-system $work)"
    else
        rm -rf --one-file-system "$work"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The container's root: debootstrap once, then a cached tarball.
. /etc/os-release
suite=${VERSION_CODENAME:-bookworm}
mirror=${COBRADOR_TEST_MIRROR:-}
[ -n "$mirror" ] || mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $1; exit}')
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
# systemd and what `systemctl`/`journalctl` need (procps: ExecReload's kill; libnss-systemd), and
# what the binary links: `ldd cobrador` shows libcurl (OpenSSL flavour), SQLite and libstdc++.
# tzdata: the configuration names time zones.
# logrotate: the sent log's rotation rule is checked with it.
packages=systemd,systemd-sysv,dbus,procps,libnss-systemd,libcurl4,libsqlite3-0,libstdc++6,tzdata,ca-certificates,logrotate
key=$(printf '%s %s %s' "$suite" "$packages" 1 | sha256sum | cut -c1-12)
tarball=$cache/root-$suite-$key.tar.zst
mkdir -p "$root"
if [ ! -s "$tarball" ]; then
    # Can the mirror be reached at all? If not, this machine cannot build the container.
    unreachable=$(python3 - "$mirror/dists/$suite/Release" 2>&1 <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=20).read(1)
except Exception as error:
    print(error)
PY
    )
    [ -z "$unreachable" ] || skip "cannot reach the Debian mirror $mirror to build the container ($unreachable)"
    say "building the container's root with debootstrap ($suite from $mirror; cached in $tarball afterwards)"
    fresh=$work/debootstrap
    if ! debootstrap --variant=minbase --include="$packages" "$suite" "$fresh" "$mirror" >"$work/debootstrap.log" 2>&1; then
        tail -n 30 "$work/debootstrap.log" >&2
        if grep -qiE "Failed getting release file|Couldn't download|Temporary failure resolving|Could not resolve|Connection (refused|timed out)" "$work/debootstrap.log"; then
            skip "debootstrap could not download from $mirror"
        fi
        echo "error: debootstrap failed (log above)" >&2
        exit 1
    fi
    rm -rf "$fresh/var/cache/apt/archives/"*.deb "$fresh/var/lib/apt/lists/"*
    mkdir -p "$cache"
    rm -f "$cache"/root-*.tar.zst
    tar --numeric-owner --zstd -C "$fresh" -cf "$tarball.$$.partial" .
    mv "$tarball.$$.partial" "$tarball"
    rm -rf --one-file-system "$fresh"
fi
tar --numeric-owner --zstd -C "$root" -xpf "$tarball"
say "container root ready ($((SECONDS - started)) s)"

# --- cobrador, installed into the root exactly as an owner installs it.
make --no-print-directory install DESTDIR="$root" PREFIX=/usr/local >"$work/install.log" 2>&1 || {
    tail -n 40 "$work/install.log" >&2
    echo "error: make install DESTDIR=$root PREFIX=/usr/local failed (log above)" >&2
    exit 1
}
missing_libraries=$(chroot "$root" ldd /usr/local/bin/cobrador | grep 'not found' || true)
[ -z "$missing_libraries" ] || { echo "error: the installed binary misses libraries in the container:" >&2; echo "$missing_libraries" >&2; exit 1; }
say "installed with make install ($((SECONDS - started)) s)"

# --- The relay: STARTTLS with a certificate authority made for this run, and a login.
mkdir -p "$work/tls" "$work/spool"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cobrador test CA" \
    -keyout "$work/tls/ca.key" -out "$work/tls/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/tls/server.key" -out "$work/tls/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$work/tls/san.cnf"
openssl x509 -req -in "$work/tls/server.csr" -CA "$work/tls/ca.pem" -CAkey "$work/tls/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/tls/san.cnf" -out "$work/tls/server.pem" 2>/dev/null
smtp_user=cobrador-test
smtp_password=$(openssl rand -hex 16)
python3 scripts/smtp-test-server.py --tls starttls --cert "$work/tls/server.pem" --key "$work/tls/server.key" \
    --auth "$smtp_user:$smtp_password" --spool "$work/spool" >"$work/smtp.out" 2>"$work/smtp.err" &
smtp_pid=$!
for _ in $(seq 1 100); do grep -q '^READY ' "$work/smtp.out" 2>/dev/null && break; sleep 0.1; done
smtp_port=$(sed -n 's/^READY \([0-9]*\)$/\1/p' "$work/smtp.out")
[ -n "$smtp_port" ] || { cat "$work/smtp.err" >&2; echo "error: the test SMTP server did not start" >&2; exit 1; }

# --- Boot. The five settings of notes/real-systemd.md: no registration with a host systemd,
# a drained console, bpf allowed (IPAddressDeny= works), the unified cgroup hierarchy
# (DevicePolicy= works); and no private network, so the relay on the host's 127.0.0.1 is near.
for group in "${cgroups[@]}"; do mkdir -p "$group"; done
(
    for group in "${cgroups[@]}"; do echo "$BASHPID" >"$group/cgroup.procs"; done
    export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
    exec systemd-nspawn --quiet --boot --directory="$root" --machine="$name" --register=no --keep-unit \
        --console=read-only --system-call-filter=bpf
) >"$work/console.log" 2>&1 &
nspawn_pid=$!
for _ in $(seq 1 300); do
    leader=$(pgrep -P "$nspawn_pid" -x systemd || true)
    [ -n "$leader" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$leader" ] || { tail -n 40 "$work/console.log" >&2; echo "error: systemd-nspawn did not start the container's systemd (console above)" >&2; exit 1; }

# A command in the container, with a clean environment.
inside() {
    nsenter -t "$leader" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 SYSTEMD_COLORS=0 SYSTEMD_PAGER= "$@"
}
for _ in $(seq 1 300); do inside test -S /run/systemd/private && break; sleep 0.1; done
state=$(inside timeout 60 systemctl is-system-running --wait 2>&1 || true)
case "$state" in
    running | degraded) ;;
    *) tail -n 40 "$work/console.log" >&2; echo "error: the container's systemd is \"$state\" after boot (console above)" >&2; exit 1 ;;
esac
say "container booted ($state, $((SECONDS - started)) s)"

# What went wrong, with the unit's own words, then stop.
fail() {
    echo "FAIL: systemd unit test: $*" >&2
    echo "--- systemctl status cobrador" >&2
    inside systemctl status cobrador --no-pager -l >&2 || true
    echo "--- journalctl -u cobrador (last 60 lines)" >&2
    inside journalctl -u cobrador --no-pager -n 60 >&2 || true
    exit 1
}
show() { inside systemctl show cobrador --value -p "$1"; }
# The journal from a mark on; a mark is the cursor of the journal's last entry.
mark() { inside journalctl -q -n 1 --show-cursor -o cat | sed -n 's/^-- cursor: //p'; }
journal_since() { inside journalctl -q -u cobrador --no-pager -o cat --after-cursor="$1"; }
# Waits up to $1 seconds for the function $2 (with its arguments) to succeed.
wait_for() {
    local seconds=$1
    shift
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}
journal_has() { journal_since "$1" | grep -qE -- "$2"; }
settled() { [ "$(show ActiveState)" = active ] && [ "$(show SubState)" = running ]; }

# --- Set up as the README's Install section says.
inside systemd-sysusers
inside systemd-tmpfiles --create
inside cobrador init --sender-name "Cobrador Test S.L." --sender-email cobros@cobrador-test.example \
    --iban "ES91 2100 0418 4502 0005 1332" --time-zone Europe/Madrid >/dev/null
# A ledger with work to do: two clients (in Germany: no holidays in the configuration) with an
# invoice each 20 days overdue, imported through the real CSV import.
day() { date -u -d "$1 days" +%F; }
cat >"$root/root/clients.csv" <<CSV
code,name,email,country,language,time_zone,debtor_kind
NORD,Nordlicht Verlag GmbH,buchhaltung@nordlicht.example,DE,en,Europe/Berlin,company
BERG,Bergwerk Medien GmbH,rechnungen@bergwerk.example,DE,en,Europe/Berlin,company
CSV
cat >"$root/root/invoices.csv" <<CSV
number,client,concept,issue_date,due_date,amount,currency
T-1,NORD,Localisation of the website,$(day -50),$(day -20),3150.00,EUR
T-2,BERG,Subtitles for a documentary,$(day -50),$(day -20),1200.00,EUR
CSV
inside cobrador import clients /root/clients.csv >/dev/null
inside cobrador import invoices /root/invoices.csv >/dev/null
inside chown -R cobrador:cobrador /var/lib/cobrador
# The configuration: the relay on the host's loopback, its password through LoadCredential=
# (the file is root's, mode 0600: the daemon, as cobrador, can only get it from systemd), the
# send window open around the clock (the test runs at any hour) and no digest (a fixed count).
config=$root/etc/cobrador/cobrador.toml
python3 - "$config" "$smtp_port" "$smtp_user" <<'PY'
import re, sys
path, port, user = sys.argv[1:]
text = open(path).read()
days = "".join(f'{day} = "00:00-24:00"\n' for day in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
text, windows = re.subn(r"\[policy\.window\]\n(?:.*\n)*?\n", "[policy.window]\n" + days + "\n", text, count=1)
text, kinds = re.subn(r'^kind = "maildir"$', 'kind = "smtp"', text, count=1, flags=re.M)
text, digests = re.subn(r'^digest_time = .*$', 'digest_time = "never"', text, count=1, flags=re.M)
assert windows == kinds == digests == 1, "cobrador init wrote a configuration this test does not know"
text += f"""
[transport.smtp]
host = "127.0.0.1"
port = {port}
tls = "starttls"
username = "{user}"
credential = "smtp-password"
ca_file = "/etc/cobrador/test-ca.pem"
"""
open(path, "w").write(text)
PY
install -m 0640 -g "$(inside id -g cobrador)" "$work/tls/ca.pem" "$root/etc/cobrador/test-ca.pem"
printf '%s\n' "$smtp_password" >"$root/etc/cobrador/smtp-password"
chmod 0600 "$root/etc/cobrador/smtp-password"
mkdir -p "$root/etc/systemd/system/cobrador.service.d"
cat >"$root/etc/systemd/system/cobrador.service.d/credential.conf" <<'CONF'
[Service]
LoadCredential=smtp-password:/etc/cobrador/smtp-password
CONF
good_config=$(cat "$config")
inside cobrador check >"$work/check.log" 2>&1 || { cat "$work/check.log" >&2; fail "cobrador check refuses the test configuration"; }
inside systemctl daemon-reload
say "cobrador set up in the container ($((SECONDS - started)) s)"

# --- 1. start returns only after READY, which the daemon sends after its first pass.
start_mark=$(mark)
inside timeout 120 systemctl start cobrador || fail "systemctl start cobrador failed"
active_after_start=$(show ActiveState)
status_after_start=$(show StatusText)
received_at_start=$(find "$work/spool" -name '*.eml' | wc -l)
[ "$active_after_start" = active ] || fail "the unit is \"$active_after_start\" right after systemctl start returned, not active"
[[ "$status_after_start" == *"last pass"* ]] || fail "STATUS= is \"$status_after_start\" right after systemctl start returned: the first pass had not finished"
[[ "$status_after_start" =~ [[:space:]]2\ sent ]] || fail "the first pass did not send the two due messages: STATUS=\"$status_after_start\""
# STATUS= and READY=1 come in this order on one socket, and the messages go out before both;
# so this holds whatever the timing, unlike the order of lines from two sources in the journal.
[ "$received_at_start" -eq 2 ] || fail "the relay had $received_at_start messages when systemctl start returned, expected the first pass's 2"
ok "systemctl start returned after READY: active, the first pass done and its 2 messages at the relay (\"$status_after_start\")"
# The journal mostly shows the same order, but journald interleaves the daemon's stderr and
# systemd's own messages as it reads them, so the order there is shown, not required.
order=$(journal_since "$start_mark" | grep -m2 -oE 'pass done|Started cobrador' | tr '\n' ' ')
if [ "$order" = "pass done Started cobrador " ]; then
    ok "the journal shows the first pass's line before systemd's \"Started cobrador\""
else
    say "note: the journal shows \"$order\" in that order (journald read systemd's message first); STATUS= above is the proof"
fi
main_pid=$(show MainPID)

# --- 2. STATUS= in systemctl status.
status_text=$(inside systemctl status cobrador --no-pager -l || true)
grep -qE 'Status: "last pass [^"]*sent' <<<"$status_text" || fail "systemctl status does not show the last pass's STATUS= text"
ok "systemctl status shows the last pass: $(grep -o 'Status: "[^"]*"' <<<"$status_text")"

# --- 3. The daemon's log in the journal.
wait_for 10 journal_has "$start_mark" 'pass done .*sent=2' || fail "journalctl -u cobrador does not show the daemon's \"pass done\" line"
ok "journalctl -u cobrador shows the daemon's log: $(journal_since "$start_mark" | grep -m1 'pass done')"

# --- 4. The credential: the relay requires a login with the password systemd handed over.
received=$(find "$work/spool" -name '*.eml' | wc -l)
[ "$received" -eq 2 ] || fail "the relay (which requires a login) received $received messages, expected 2"
recipients=$(grep -hiE '^To:' "$work/spool"/*.eml | sort | tr '\n' ' ')
[[ "$recipients" == *nordlicht.example* && "$recipients" == *bergwerk.example* ]] || fail "the relay received messages for $recipients"
[ "$(stat -c '%U %a' "$root/etc/cobrador/smtp-password")" = "root 600" ] || fail "the password file is not root's with mode 0600"
if inside journalctl --no-pager -o cat | grep -qF -- "$smtp_password"; then fail "the SMTP password appears in the journal"; fi
ok "LoadCredential=: the relay accepted the login with the password and received both messages; the password is not in the journal"

# --- 5. The unit's own user: the process, and what it wrote in its state folder.
process_user=$(inside ps -o user= -p "$main_pid" | tr -d ' ')
[ "$process_user" = cobrador ] || fail "the daemon runs as \"$process_user\", not cobrador"
state_files=$(inside stat -c '%U:%G %a %n' /var/lib/cobrador /var/lib/cobrador/ledger.sqlite /var/lib/cobrador/ledger.sqlite-wal /var/log/cobrador/sent.log 2>&1) \
    || fail "the state folder lacks the ledger, its WAL or the sent log: $state_files"
if grep -v '^cobrador:cobrador ' <<<"$state_files"; then fail "files in the state folder not owned by cobrador: $state_files"; fi
grep -q ' sent ' "$root/var/log/cobrador/sent.log" || fail "the sent log in the logs folder does not list the messages sent"
logs_folder=$(inside stat -c '%U:%G %a' /var/log/cobrador)
[ "$logs_folder" = "cobrador:cobrador 750" ] || fail "/var/log/cobrador is $logs_folder after the start, not cobrador:cobrador 750 as tmpfiles.d says"
ok "the daemon runs as cobrador; its state folder, ledger, WAL and sent log are cobrador's ($(tr '\n' ';' <<<"$state_files"))"

# --- 5b. logrotate rotates the sent log with the installed rule; the next pass writes a new one.
inside logrotate -f /etc/logrotate.d/cobrador 2>"$work/logrotate.err" || { cat "$work/logrotate.err" >&2; fail "logrotate refused /etc/logrotate.d/cobrador"; }
grep -q ' sent ' "$root/var/log/cobrador/sent.log.1" || fail "logrotate did not move the sent log to sent.log.1"
# A third client with an invoice due: the daemon notices the ledger change and sends its reminder.
inside runuser -u cobrador -- cobrador client add WALD --name "Waldblick GmbH" --email rechnungen@waldblick.example --country DE \
    --language en --time-zone Europe/Berlin >/dev/null
inside runuser -u cobrador -- cobrador invoice add T-3 --client WALD --concept "Voice-over" --issued "$(day -50)" --due "$(day -20)" --amount 800.00 >/dev/null
new_log_written() { grep -q 'WALD .* sent ' "$root/var/log/cobrador/sent.log" 2>/dev/null; }
wait_for 20 new_log_written || fail "no pass wrote the new client's reminder to a new sent log after the rotation"
rotated=$(inside stat -c '%U:%G %a' /var/log/cobrador/sent.log)
[ "$rotated" = "cobrador:cobrador 640" ] || fail "the sent log after the rotation is $rotated, not cobrador:cobrador 640"
if grep -q 'NORD' "$root/var/log/cobrador/sent.log"; then fail "the new sent log repeats lines of the rotated one"; fi
ok "logrotate rotated the sent log (sent.log.1) and the next pass wrote a new one ($rotated) with the new client's line"

# --- 6. Reload with a good configuration.
printf '%s\n# reloaded by the test\n' "$good_config" >"$config"
reload_mark=$(mark)
inside timeout 60 systemctl reload cobrador || fail "systemctl reload failed with a good configuration"
# ExecReload= returns once the signal is sent; the unit shows "reloading" from RELOADING=1 until
# READY=1. So: wait for the daemon's word, then for the unit to be back to running.
wait_for 10 journal_has "$reload_mark" 'reloaded' || fail "the journal does not show the reload"
wait_for 30 settled || fail "the unit did not settle back to active after a reload"
[ "$(show MainPID)" = "$main_pid" ] || fail "the main process changed on reload"
ok "systemctl reload (good configuration): active again, same process, journal says: $(journal_since "$reload_mark" | grep -m1 'reloaded')"

# --- 7. Reload with a broken configuration: refused with its file, line and key; same process.
python3 - "$config" <<'PY' >"$work/broken-line"
import sys
path = sys.argv[1]
lines = open(path).read().split("\n")
at = lines.index("minimum_gap_days = 1") + 1
lines.insert(at, "minimum_gap_dayz = 2")
open(path, "w").write("\n".join(lines))
print(at + 1)
PY
broken_line=$(cat "$work/broken-line")
broken_mark=$(mark)
inside timeout 60 systemctl reload cobrador || fail "systemctl reload failed with a broken configuration (the daemon should refuse it, not fail)"
wait_for 10 journal_has "$broken_mark" 'reload failed' || fail "the journal does not say the reload failed"
wait_for 30 settled || fail "the unit did not settle back to active after a reload with a broken configuration"
refusal=$(journal_since "$broken_mark" | grep -A3 'reload failed')
grep -qF "/etc/cobrador/cobrador.toml:$broken_line" <<<"$refusal" || fail "the refusal does not name /etc/cobrador/cobrador.toml:$broken_line: $refusal"
grep -qF "policy.minimum_gap_dayz" <<<"$refusal" || fail "the refusal does not name the key policy.minimum_gap_dayz: $refusal"
# journald read the line's priority: the refusal is an error, the passes are not.
errors=$(inside journalctl -q -u cobrador --no-pager -o cat -p err)
grep -q 'reload failed' <<<"$errors" || fail "journalctl -p err does not list the refused reload: the log's priority prefix was not read"
if grep -q 'pass done' <<<"$errors"; then fail "a pass's line was logged as an error"; fi
[ "$(show MainPID)" = "$main_pid" ] || fail "the main process changed after a broken reload"
[ "$(show ActiveState)" = active ] || fail "the unit is not active after a broken reload"
# The daemon goes on with the last good configuration: a pass runs right after the reload.
wait_for 10 journal_has "$broken_mark" 'pass done' || fail "no pass ran after the broken reload"
ok "systemctl reload (broken configuration): still active, same process, journal says: $(head -n1 <<<"$refusal")"
printf '%s\n' "$good_config" >"$config"

# --- 8. The watchdog: a hung daemon is killed and restarted. A short WatchdogSec= for the test.
cat >"$root/etc/systemd/system/cobrador.service.d/watchdog-test.conf" <<'CONF'
[Service]
WatchdogSec=3
RestartSec=1
CONF
inside systemctl daemon-reload
inside timeout 120 systemctl restart cobrador || fail "systemctl restart with WatchdogSec=3 failed"
hung_pid=$(show MainPID)
restarts=$(show NRestarts)
# Pings come at least every 1.5 s: a few seconds running proves the daemon keeps the watchdog fed.
sleep 5
[ "$(show MainPID)" = "$hung_pid" ] || fail "the daemon was restarted although it was not hung (it does not ping the watchdog?)"
watchdog_mark=$(mark)
inside kill -STOP "$hung_pid"
restarted() { [ "$(show NRestarts)" -gt "$restarts" ] && [ "$(show MainPID)" != "$hung_pid" ] && [ "$(show MainPID)" != 0 ] && settled; }
wait_for 30 restarted || fail "the hung daemon was not killed and restarted by the watchdog within 30 s"
wait_for 10 journal_has "$watchdog_mark" "[Ww]atchdog timeout" || fail "the journal does not show a watchdog timeout"
journal_has "$watchdog_mark" "result 'watchdog'" || fail "the journal does not show the result 'watchdog'"
ok "watchdog: the stopped daemon (pid $hung_pid) was killed and restarted as pid $(show MainPID), NRestarts $restarts -> $(show NRestarts): $(journal_since "$watchdog_mark" | grep -m1 "result 'watchdog'")"
rm "$root/etc/systemd/system/cobrador.service.d/watchdog-test.conf"
inside systemctl daemon-reload
inside timeout 120 systemctl restart cobrador || fail "systemctl restart with the shipped WatchdogSec failed"

# --- 9. A clean stop.
stop_mark=$(mark)
stop_started=$SECONDS
inside timeout 60 systemctl stop cobrador || fail "systemctl stop failed"
stop_seconds=$((SECONDS - stop_started))
[ "$(show Result)" = success ] || fail "the stop's result is \"$(show Result)\", not success"
[ "$(show ExecMainStatus)" = 0 ] || fail "the daemon exited with status $(show ExecMainStatus) on stop"
[ $stop_seconds -le 5 ] || fail "systemctl stop took $stop_seconds s"
if journal_since "$stop_mark" | grep -E 'SIGKILL|Killing process|timed out'; then fail "the stop needed SIGKILL"; fi
wait_for 10 journal_has "$stop_mark" 'stopped' || fail "the daemon did not log that it stopped"
ok "systemctl stop: clean (result success, exit status 0, no SIGKILL, $stop_seconds s)"

# --- 10. A configuration that cannot work: the start fails with 78 and is not retried.
printf '%s\n[policy]\n' "$good_config" >"$config"
if inside timeout 60 systemctl start cobrador 2>/dev/null; then fail "systemctl start succeeded with a broken configuration"; fi
[ "$(show ExecMainStatus)" = 78 ] || fail "the daemon exited with $(show ExecMainStatus) on a broken configuration, not 78"
sleep 2
[ "$(show ActiveState)" = failed ] || fail "the unit is \"$(show ActiveState)\" after exit 78 (RestartPreventExitStatus=78 should leave it failed)"
ok "a broken configuration at start: exit status 78, unit failed, no restart loop"
printf '%s\n' "$good_config" >"$config"

# --- 11. systemd-analyze security.
exposure=$(inside systemd-analyze security cobrador.service --no-pager 2>/dev/null | sed -n 's/.*Overall exposure level for cobrador.service: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "systemd-analyze security gave no exposure level"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "systemd-analyze security rates the unit $exposure, above 2.0"
ok "systemd-analyze security cobrador.service: $exposure"

say "all checks passed in $((SECONDS - started)) s"
