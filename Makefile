# SPDX-License-Identifier: GPL-2.0-or-later
# vnic: one build for the installer, the driver, the tests and the packages. `make help` lists
# the targets. Everything built lands in $(BUILD); nothing outside it changes unless a target
# says so (install, check-dkms, check-vm need root and clean up after themselves).

VERSION := $(shell cat VERSION)
BUILD ?= build
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DESTDIR ?=
PYTHON ?= /usr/bin/python3
CC ?= gcc
# Facts about what is installed (kernel headers, pkg-config flags) are read when a recipe first
# needs them, never when this file is parsed: `make demo`, `make check` and `make deps all`
# install packages and build in the same run, after the parse. $(call once,VAR,COMMAND) defines
# VAR as COMMAND's output, run at VAR's first expansion and kept for the rest of the run.
once = $(eval $1 = $$(eval $1 := $$$$(shell $2))$$($1))
# The kernel to build the driver for: by default the newest one whose headers are installed.
# Never `uname -r`: the machine's running kernel is not the one we build for.
ifeq ($(origin KVER),undefined)
$(call once,KVER,mk/kver.sh)
endif
FUZZ_SECONDS ?= 30
# Where a vnic-install built here looks for the driver sources when none are installed: this
# tree. Packages build with VNIC_SRCDIR= (empty) so that no build path ends up in the binary.
VNIC_SRCDIR ?= $(CURDIR)
export VNIC_CACHE ?= $(CURDIR)/$(BUILD)/cache

PKGS := libkmod blkid libmnl yaml-0.1
$(call once,PKG_CFLAGS,pkg-config --cflags $(PKGS) 2>/dev/null)
$(call once,PKG_LIBS,pkg-config --libs $(PKGS) 2>/dev/null)
# A goal that installs packages (deps itself, and the goals that run it) comes before every
# build step, also under -j.
DEPS_FIRST := $(if $(filter deps check demo bench,$(MAKECMDGOALS)),deps)

WARNINGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	    -Wno-unused-parameter
BASE_CFLAGS = -std=gnu11 -g $(WARNINGS) -D_GNU_SOURCE -DVNIC_VERSION='"$(VERSION)"' \
	       -DVNIC_DATADIR='"$(DATADIR)/vnic"' -DVNIC_SRCDIR='"$(VNIC_SRCDIR)"' \
	       -Iinstaller $(PKG_CFLAGS) -MMD -MP
REL_CFLAGS := -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong $(CFLAGS)
SAN_CFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS_SAN := -fsanitize=address,undefined

# Objects depend on a stamp of the flags they were built with, so that `make install
# PREFIX=/usr` after a plain `make` rebuilds instead of installing a binary with other paths.
# The stamp is rewritten (and so newer than the objects) only when the flags differ.
FLAGS_rel = $(BASE_CFLAGS) $(REL_CFLAGS)
FLAGS_san = $(BASE_CFLAGS) $(SAN_CFLAGS)
FLAGS_fuzz = $(BASE_CFLAGS) $(FUZZ_CFLAGS)
differ = $(subst $(strip $1),,$(strip $2))$(subst $(strip $2),,$(strip $1))

INSTALLER_SRCS := $(sort $(shell find installer -name '*.c' ! -name main.c))
REL_OBJS := $(INSTALLER_SRCS:%.c=$(BUILD)/rel/%.o)
SAN_OBJS := $(INSTALLER_SRCS:%.c=$(BUILD)/san/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/san/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_OBJS := $(INSTALLER_SRCS:%.c=$(BUILD)/fuzz/%.o)

VNIC := $(BUILD)/vnic-install
VNIC_SAN := $(BUILD)/san/vnic-install

.PHONY: all installer driver deps build-deps FORCE check check-unit check-fresh check-roots check-dkms check-driver-build check-prepare check-e2e-slow check-fleet ansible \
	check-vm check-pkg check-debug-kernel bench fuzz demo deb rpm dist install uninstall clean help
.DEFAULT_GOAL := all

all: installer driver ## Build the installer and the driver

help: ## List the targets
	@echo "vnic $(VERSION): make [TARGET] [KVER=<kernel release>] [DESTDIR=...] [PREFIX=...]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-20s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "KVER defaults to the newest installed kernel headers (now: $(or $(KVER),none))."

# --- the installer ----------------------------------------------------------------------------

installer: $(VNIC) ## Build vnic-install (-Wall -Wextra -Werror, FORTIFY)

$(VNIC): $(BUILD)/rel/installer/main.o $(BUILD)/rel/libvnic.a
	$(CC) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(VNIC_SAN): $(BUILD)/san/installer/main.o $(BUILD)/san/libvnic.a
	$(CC) $(LDFLAGS_SAN) -o $@ $^ $(PKG_LIBS)

$(BUILD)/rel/.flags $(BUILD)/san/.flags $(BUILD)/fuzz/.flags: FORCE | build-deps
	$(if $(wildcard $(@D)),,$(shell mkdir -p $(@D)))$(if $(call differ,$(file <$@),$(FLAGS_$(notdir $(@D)))),@$(file >$@,$(FLAGS_$(notdir $(@D)))):)

# What building needs, checked once per run before the first compiler call: missing packages
# are named in one line with the command that installs them.
build-deps: | $(DEPS_FIRST)
	@mk/deps.sh --check mk/build-packages.txt

$(BUILD)/rel/libvnic.a: $(REL_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/san/libvnic.a: $(SAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/rel/%.o: %.c VERSION $(BUILD)/rel/.flags
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(REL_CFLAGS) -c -o $@ $<

$(BUILD)/san/%.o: %.c VERSION $(BUILD)/san/.flags
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) -c -o $@ $<

$(BUILD)/san/tests/%: tests/unit/%.c tests/unit/unit.h tests/unit/snapshot.h $(BUILD)/san/libvnic.a
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/san/libvnic.a \
		$(LDFLAGS_SAN) $(PKG_LIBS) -lcmocka

-include $(shell find $(BUILD)/rel $(BUILD)/san $(BUILD)/fuzz -type f -name '*.d' 2>/dev/null)

# --- the driver -------------------------------------------------------------------------------

driver: build-deps ## Build the vmxnet3 module for KVER (W=1 C=1 pass through to kbuild)
	@test -n "$(KVER)" -a -d "/lib/modules/$(KVER)/build" || \
		{ echo "make driver: no kernel headers$(if $(KVER), for '$(KVER)'); run 'sudo make deps' (linux-headers-amd64) or set KVER=" >&2; exit 1; }
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(CURDIR)/driver VNX_VERSION=$(VERSION) \
		$(if $(W),W=$(W)) $(if $(C),C=$(C)) modules

# --- tests ------------------------------------------------------------------------------------

deps: ## Install build and test dependencies with apt-get (idempotent; quiet when present)
	@mk/deps.sh mk/build-packages.txt mk/host-packages.txt \
		$(wildcard mk/host-packages.d/*.txt tests/*/host-packages.txt)

check: deps ## Run every test tier (needs root), with a summary and each tier's time
	@tests/tier.sh --start
	@tests/tier.sh unit $(MAKE) --no-print-directory check-unit
	@tests/tier.sh fresh $(MAKE) --no-print-directory check-fresh
	@$(if $(wildcard tests/roots/*), tests/tier.sh roots $(MAKE) --no-print-directory check-roots)
	@tests/tier.sh dkms $(MAKE) --no-print-directory check-dkms
	@$(if $(wildcard tests/driver/build-matrix.sh), tests/tier.sh driver-build $(MAKE) --no-print-directory check-driver-build)
	@tests/tier.sh prepare $(MAKE) --no-print-directory check-prepare
	@$(if $(wildcard tests/vm/test_*.py), tests/tier.sh vm $(MAKE) --no-print-directory check-vm)
	@tests/tier.sh pkg $(MAKE) --no-print-directory check-pkg
	@$(if $(VNIC_SLOW_TESTS), tests/tier.sh e2e-slow $(MAKE) --no-print-directory check-e2e-slow)
	@$(if $(VNIC_SLOW_TESTS), tests/tier.sh debug-kernel $(MAKE) --no-print-directory check-debug-kernel)
	@$(if $(VNIC_SLOW_TESTS), tests/tier.sh fleet $(MAKE) --no-print-directory check-fleet)
	@tests/tier.sh --summary

check-unit: $(UNIT_BINS) $(VNIC_SAN) $(FUZZ_BINS) ## Unit tests (cmocka) under ASan and UBSan; fuzz seeds
	@tests/unit/run.sh $(UNIT_BINS)
	@# The fuzz targets build the installer with clang (warnings gcc misses) and replay their
	@# seed corpora, crash regressions included, for a few seconds each.
	@tests/fuzz/run.sh 3 $(FUZZ_BINS)

check-fresh: ## The rehearsal: `make deps all` as the first command in a pristine Debian 12 root (root)
	@tests/fresh/run.sh

check-roots: $(VNIC_SAN) ## vnic-install detect on every fake root in tests/roots (ASan, UBSan)
	@tests/roots/run.sh $(VNIC_SAN)

check-dkms: installer ## dkms add/build/install/remove of the driver for KVER (root)
	@tests/dkms/check-dkms.sh --kernel "$(KVER)" --driver driver --vnic $(VNIC)

check-pkg: ## Packages: dkms.conf checks, make deb/rpm, lintian, rpmlint, install/upgrade/purge in a chroot (root)
	@tests/packaging/run.sh

check-prepare: $(VNIC_SAN) ## prepare --root/--image on fake roots and disk images (root; ASan, UBSan)
	@tests/prepare/run.sh $(VNIC_SAN)

check-driver-build: ## Build the driver against several Debian kernel series (chroots)
	@tests/driver/build-matrix.sh

check-vm: installer driver ## System tests in QEMU guests on a private network (root)
	$(PYTHON) -m pytest -p no:cacheprovider -v -ra --durations=25 -m "not slow" $(wildcard tests/vm tests/driver tests/e2e)

check-e2e-slow: installer driver ## The slow end-to-end tests: DKMS builds in guests, crashes, every image's boot (root)
	$(PYTHON) -m pytest -p no:cacheprovider -v -ra --durations=25 -m slow tests/vm tests/e2e

check-debug-kernel: ## The driver under KASAN/lockdep/kmemleak/fault injection in a debug 6.1 kernel (root; slow tier)
	@# Its own packages (linux-source-6.1 and a kernel build's tools), not in every `make deps`.
	@mk/deps.sh tests/debugkernel/packages.txt
	@tests/debugkernel/stress.py $(if $(QUICK),--quick)

check-fleet: installer ## The Ansible collection against three Debian guests over SSH (root; slow tier)
	@# Its own packages (ansible-core, Debian's ansible collections), not in every `make deps`.
	@mk/deps.sh tests/ansible/packages.txt
	$(PYTHON) -m pytest -p no:cacheprovider -v -ra tests/ansible

ansible: ## The Ansible collection vnic.fleet as $(BUILD)/ansible/vnic-fleet-VERSION.tar.gz
	@mk/deps.sh tests/ansible/packages.txt
	@ansible-galaxy collection build ansible --output-path $(BUILD)/ansible --force

bench: deps installer ## Benchmarks: our figures as ratios against peers run side by side
	@# Tools only a benchmark uses (virt-customize, the peer of prepare) are not in `make deps`.
	@mk/deps.sh mk/bench-packages.txt
	@mk/bench.sh

fuzz: ## Run every libFuzzer target for FUZZ_SECONDS (default 30) with its seed corpus
	@test -n "$(FUZZ_SRCS)" || { echo "make fuzz: no fuzz targets yet (they come with the parsers)." >&2; exit 1; }
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# -MMD -MP as for the other objects: a header change must rebuild them (stale objects of an
# older struct layout crashed the fuzz replay in a tree built before)
FUZZ_CFLAGS = -Wno-unused-command-line-argument -O1 -g -fsanitize=fuzzer-no-link,address,undefined
# kept: only pattern rules name them, so make would delete them as intermediates after each
# build and compile all of them again the next time
.SECONDARY: $(FUZZ_OBJS)
$(BUILD)/fuzz/%.o: %.c VERSION $(BUILD)/fuzz/.flags
	@mkdir -p $(@D)
	clang $(BASE_CFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	clang $(filter-out -MMD -MP,$(BASE_CFLAGS)) -O1 -g -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_OBJS) $(PKG_LIBS)

# --- the main job, packages, installation -----------------------------------------------------

demo: deps installer ## Demonstration in a disposable VM: the driver through DKMS, the swap, a rollback (root)
	@if [ -x tests/demo/demo.sh ]; then tests/demo/demo.sh; else \
		echo "make demo: not yet available: it comes with 'vnic-install swap' (issue 7)." >&2; exit 1; fi

deb: | $(DEPS_FIRST) ## Build the .deb packages (vmxnet3-dkms, vnic-install) into $(BUILD)/deb
	@mk/deps.sh mk/build-packages.txt mk/host-packages.d/packaging.txt
	@if [ -x packaging/build-deb.sh ]; then packaging/build-deb.sh $(BUILD)/deb; else \
		echo "make deb: not yet available: packaging comes with issue 8." >&2; exit 1; fi

rpm: | $(DEPS_FIRST) ## Build the .rpm packages (dkms-vmxnet3, vnic-install) into $(BUILD)/rpm
	@mk/deps.sh mk/build-packages.txt mk/host-packages.d/packaging.txt
	@if [ -x packaging/build-rpm.sh ]; then packaging/build-rpm.sh $(BUILD)/rpm; else \
		echo "make rpm: not yet available: packaging comes with issue 8." >&2; exit 1; fi

dist: ## Source tarball $(BUILD)/vnic-$(VERSION).tar.gz (the committed tree + the generated vnic.spec)
	@packaging/dist.sh $(BUILD)

DRIVER_FILES = $(wildcard driver/*.c driver/*.h driver/Kbuild driver/Makefile)
# What `make install` installs besides the program, each only if it exists in the tree: man
# pages (docs/*.[1-8]), systemd units (installer/**, systemd/), the bash completion. DRIVERDIR=
# (empty) leaves out the driver sources (the packages ship them as the DKMS tree instead).
MAN_PAGES = $(wildcard docs/*.[1-8])
UNIT_FILES = $(sort $(shell find installer systemd -type f \( -name '*.service' -o -name '*.timer' \
	-o -name '*.path' -o -name '*.socket' -o -name '*.target' \) 2>/dev/null))
COMPLETION = installer/completion/vnic-install.bash
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
DRIVERDIR ?= $(DATADIR)/vnic/driver

install: installer ## Install vnic-install, man page, units, completion, driver sources (DESTDIR, PREFIX)
	install -D -m 0755 $(VNIC) $(DESTDIR)$(SBINDIR)/vnic-install
	@set -e; for m in $(MAN_PAGES); do d="$(DESTDIR)$(MANDIR)/man$${m##*.}"; \
		echo "install -D -m 0644 $$m $$d/$${m##*/}"; install -D -m 0644 $$m "$$d/$${m##*/}"; done
	$(if $(UNIT_FILES),install -d $(DESTDIR)$(UNITDIR))
	$(if $(UNIT_FILES),install -m 0644 $(UNIT_FILES) $(DESTDIR)$(UNITDIR)/)
	install -D -m 0644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/vnic-install
ifneq ($(DRIVERDIR),)
	install -d $(DESTDIR)$(DRIVERDIR)
	$(if $(DRIVER_FILES),install -m 0644 $(DRIVER_FILES) $(DESTDIR)$(DRIVERDIR)/)
	install -m 0644 dkms.conf VERSION $(DESTDIR)$(DRIVERDIR)/
endif

uninstall: ## Remove what `make install` installed
	rm -f $(DESTDIR)$(SBINDIR)/vnic-install $(DESTDIR)$(BASHCOMPDIR)/vnic-install
	rm -f $(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	$(if $(UNIT_FILES),rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(UNIT_FILES))))
	$(if $(DRIVERDIR),rm -rf $(DESTDIR)$(DRIVERDIR))
	@rmdir $(DESTDIR)$(DATADIR)/vnic 2>/dev/null || true

clean: ## Remove build products (keeps the VM image cache unless CACHE=1)
	$(if $(CACHE),rm -rf $(BUILD),find $(BUILD) -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} + 2>/dev/null || true)
	@if [ -n "$(KVER)" -a -d "/lib/modules/$(KVER)/build" ]; then \
		$(MAKE) -C /lib/modules/$(KVER)/build M=$(CURDIR)/driver clean >/dev/null; fi
