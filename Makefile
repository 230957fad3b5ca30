# The two quick-start commands (`make demo`, `make test`) and installation.
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
PREFIX ?= /usr/local
DESTDIR ?=
# sysusers.d and tmpfiles.d are read from /usr/lib (and /etc), whatever PREFIX is.
SYSTEMD_LIBDIR ?= /usr/lib
# logrotate reads its rules from /etc/logrotate.d only.
LOGROTATE_DIR ?= /etc/logrotate.d
SWIFT_FLAGS := -Xswiftc -warnings-as-errors

.PHONY: demo test build release deps install clean

## Install what is missing, build, create ./demo with a demo ledger, and show `status`.
demo: deps build
	scripts/demo.sh

## Install what is missing, build without warnings, and run every test; then the unit under a
## real systemd in a container (scripts/test-systemd.sh: as root, else it says it is skipped).
test: deps
	swift build --build-tests $(SWIFT_FLAGS)
	swift test --skip-build
	scripts/test-systemd.sh

build:
	swift build $(SWIFT_FLAGS)

# The Swift runtime is linked in, so the installed binary does not need the toolchain.
release:
	swift build -c release $(SWIFT_FLAGS) --static-swift-stdlib

deps:
	scripts/install-deps.sh

## Install the binary, templates, rates and an example configuration under $(DESTDIR)$(PREFIX),
## the system user and folders under $(SYSTEMD_LIBDIR), the sent log's rotation under
## $(LOGROTATE_DIR). The example configuration is what `cobrador init` writes for /etc/cobrador
## (run in a scratch folder standing for /, so the example cannot drift from the program).
install: release
	install -D -m 0755 "$$(swift build -c release --show-bin-path)/cobrador" "$(DESTDIR)$(PREFIX)/bin/cobrador"
	install -d "$(DESTDIR)$(PREFIX)/share/cobrador/templates"
	cp -R Templates/. "$(DESTDIR)$(PREFIX)/share/cobrador/templates/"
	install -m 0644 Data/rates.toml "$(DESTDIR)$(PREFIX)/share/cobrador/rates.toml"
	scratch=$$(mktemp -d) && \
	COBRADOR_DEFAULT_TEMPLATES=Templates "$$(swift build -c release --show-bin-path)/cobrador" init \
	    --config "$$scratch/etc/cobrador/cobrador.toml" --state-dir "$$scratch/var/lib/cobrador" --time-zone Europe/Madrid >/dev/null && \
	sed "s|$$scratch/|/|" "$$scratch/etc/cobrador/cobrador.toml" > "$$scratch/cobrador.toml.example" && \
	install -m 0644 "$$scratch/cobrador.toml.example" "$(DESTDIR)$(PREFIX)/share/cobrador/cobrador.toml.example"; \
	status=$$?; rm -rf "$$scratch"; exit $$status
	install -D -m 0644 systemd/cobrador.sysusers "$(DESTDIR)$(SYSTEMD_LIBDIR)/sysusers.d/cobrador.conf"
	install -D -m 0644 systemd/cobrador.tmpfiles "$(DESTDIR)$(SYSTEMD_LIBDIR)/tmpfiles.d/cobrador.conf"
	install -D -m 0644 systemd/cobrador.logrotate "$(DESTDIR)$(LOGROTATE_DIR)/cobrador"
	install -d "$(DESTDIR)$(SYSTEMD_LIBDIR)/systemd/system"
	sed 's|/usr/local/bin/cobrador|$(PREFIX)/bin/cobrador|' systemd/cobrador.service > "$(DESTDIR)$(SYSTEMD_LIBDIR)/systemd/system/cobrador.service"

clean:
	rm -rf .build demo
