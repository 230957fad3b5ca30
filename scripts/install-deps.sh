#!/usr/bin/env bash
# Installs what building and testing cobrador needs on Debian 12, skipping what is there.
# Run as root (or with sudo). The Swift 6 toolchain itself is expected in /opt/swift or on PATH.
set -euo pipefail

packages=(libsqlite3-dev sqlite3 libstdc++-12-dev tzdata pkg-config python3 libcurl4-openssl-dev python3-aiosmtpd openssl libssl-dev)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1 && [ ! -x /opt/swift/usr/bin/swift ]; then
    echo "error: no Swift toolchain: install Swift 6 from swift.org under /opt/swift (or put swift on PATH)" >&2
    exit 1
fi
