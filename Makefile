# SPDX-License-Identifier: GPL-2.0-only
#
# syschain: top-level build.
#
#   make                 module, libchain, examples, tests, benchmarks
#   make check           everything a contributor must pass (installs deps)
#   make check-san       the guest suite on the KASAN/UBSAN/lockdep kernel
#   make check-ci        what CI runs: check, then check-san
#   make check-fresh     the host half of check in a fresh minimal Debian 12
#                        root: proves scripts/deps.sh installs all it needs
#   make bench           the benchmarks (in a guest if /dev/syschain is absent)
#   make lint            checkpatch + sparse on module/ and uapi/
#   make dkms-install    install the module for real with DKMS, for the
#                        running kernel (KERNELRELEASE=... for another)
#   make dkms-uninstall  remove it
#   make vm-shell        boot the test kernel with the module, get a shell
#   make check-arm64-build  the module, libchain, examples and guest tests
#                        cross-built for Debian 12's arm64 kernel, the
#                        module's symbols checked, a user-mode smoke run
#                        (scripts/arm64.mk; the arm64 guest suite:
#                        make check-vm KERNELS=6.1-arm64)
#   make clean
#
# Knobs: KERNELS="6.1 6.12" (guest kernels for check), KERNELRELEASE and
# KDIR (host module build), CC, CFLAGS, V=1.

VERSION := $(shell cat VERSION)
TOP := $(abspath .)
BUILD := $(TOP)/build

# The release to build the host module for: the running kernel if its
# build tree exists, else the newest installed Debian headers.
KERNELRELEASE ?= $(shell scripts/krelease.sh)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
KERNELS ?= 6.1 6.12

CC ?= cc
WARN := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror)
CFLAGS ?= -O2 -g
HOST_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -Wno-missing-field-initializers $(CFLAGS) -I$(TOP)/uapi

GUEST_TEST_SRCS := $(wildcard tests/guest/test_*.c)
GUEST_TESTS := $(patsubst tests/guest/%.c,$(BUILD)/guest/%,$(GUEST_TEST_SRCS))
# a 32-bit caller, through .compat_ioctl (static: the guest has no ia32 libs)
GUEST_TESTS += $(BUILD)/guest/test_compat32
# unloads and reloads the module (parameters back to defaults): last
GUEST_TESTS := $(filter-out %/test_lifecycle,$(GUEST_TESTS)) $(BUILD)/guest/test_lifecycle

all: module libchain examples guest-tests unit-tests

# Each target installs the dependency sets it needs (scripts/deps.sh).
DEPS := scripts/deps.sh -q
deps:
	@$(DEPS) all

module:
	$(MAKE) -C module KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR)

libchain:
	$(MAKE) -C libchain

examples: libchain
	@if [ -f examples/Makefile ]; then $(MAKE) -C examples; fi

install: libchain
	$(MAKE) -C libchain install

# Userspace objects that embed the shared engine are built with the same
# warnings as everything else. Every guest test declares its test count
# (tests/guest/counted.h, force-included; tests/vm/run.sh checks it).
GUEST_COUNTED := -include $(TOP)/tests/guest/counted.h
GUEST_HDRS := $(wildcard tests/guest/*.h)
$(BUILD)/guest/%: tests/guest/%.c $(GUEST_HDRS) uapi/linux/syschain.h module/oplist.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(GUEST_COUNTED) -I$(TOP)/module -o $@ $< -lcmocka -lpthread

# test_diff links libchain (an explicit rule wins over the pattern rule)
$(BUILD)/guest/test_diff: tests/guest/test_diff.c uapi/linux/syschain.h \
		libchain/include/libchain.h $(BUILD)/libchain/libchain.a $(GUEST_HDRS) \
		module/oplist.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(GUEST_COUNTED) -I$(TOP)/libchain/include -o $@ $< \
		$(BUILD)/libchain/libchain.a -lcmocka -lpthread

# test_boundary too: each case runs as syscalls and on both backends
$(BUILD)/guest/test_boundary: tests/guest/test_boundary.c uapi/linux/syschain.h \
		libchain/include/libchain.h $(BUILD)/libchain/libchain.a $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(GUEST_COUNTED) -I$(TOP)/libchain/include -o $@ $< \
		$(BUILD)/libchain/libchain.a -lcmocka -lpthread

# test_fixed: registered buffers, on both backends
$(BUILD)/guest/test_fixed: tests/guest/test_fixed.c \
		uapi/linux/syschain.h libchain/include/libchain.h \
		$(BUILD)/libchain/libchain.a $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(GUEST_COUNTED) -I$(TOP)/libchain/include -o $@ $< \
		$(BUILD)/libchain/libchain.a -lcmocka -lpthread

# test_lc_register: libchain's transparent registration
$(BUILD)/guest/test_lc_register: tests/guest/test_lc_register.c \
		uapi/linux/syschain.h libchain/include/libchain.h \
		$(BUILD)/libchain/libchain.a $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(GUEST_COUNTED) -I$(TOP)/libchain/include -o $@ $< \
		$(BUILD)/libchain/libchain.a -lcmocka -lpthread

# test_tool: the syschain command, which check-vm installs in the guest
$(BUILD)/guest/test_tool: tests/guest/test_tool.c uapi/linux/syschain.h \
		libchain/include/libchain.h $(BUILD)/libchain/libchain.a $(GUEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(GUEST_COUNTED) -I$(TOP)/libchain/include -o $@ $< \
		$(BUILD)/libchain/libchain.a -lcmocka -lpthread

$(BUILD)/libchain/libchain.a: FORCE
	$(MAKE) -C libchain $@

$(BUILD)/guest/test_compat32: tests/compat/test_compat32.c uapi/linux/syschain.h
	@mkdir -p $(dir $@)
	$(CC) -m32 -static -std=gnu11 $(WARN) $(CFLAGS) -I$(TOP)/uapi -o $@ $<

guest-tests: $(GUEST_TESTS)
# `make build/guest/test_X` builds one test (the rules name absolute paths)
build/guest/%: $(BUILD)/guest/% ;

check-install: libchain
	tests/install-test.sh

unit-tests:
	$(MAKE) -C tests/unit

# The module must never import a syscall entry point or a lookup trick,
# nor anything the kernel does not export (scripts/check-symbols.sh).
check-symbols: module
	@scripts/check-symbols.sh module/syschain.ko $(wildcard $(KDIR)/Module.symvers)

check-unit:
	@$(DEPS) build
	$(MAKE) -C tests/unit check
	$(MAKE) -C tests/unit check-sanitize
	$(MAKE) -C tests/unit check-valgrind

# VM_TIMEOUT: seconds per guest, boot to poweroff; VM_ENV: --env options.
# An arm64 kernel (KERNELS=6.1-arm64) runs the cross-built programs of
# build/arm64/ (make arm64; run.sh cross-builds the module): the same tests
# in the same order, but test_compat32 (x86's 32-bit caller).
VM_TIMEOUT ?= 1200
VM_ENV ?=
VM_X86 := $(filter-out %-arm64,$(KERNELS))
VM_ARM64 := $(filter %-arm64,$(KERNELS))
ARM64_GUEST_TESTS := $(patsubst $(BUILD)/guest/%,$(BUILD)/arm64/guest/%, \
	$(filter-out %/test_compat32,$(GUEST_TESTS)))
check-vm: $(if $(VM_X86),guest-tests examples libchain) $(if $(VM_ARM64),arm64)
	@$(DEPS) build vm $(if $(VM_ARM64),arm64 vm-arm64)
	@set -e; for k in $(KERNELS); do \
		case $$k in \
		*-arm64) b=$(BUILD)/arm64; opts="$(foreach t,$(ARM64_GUEST_TESTS),--test $(t))" ;; \
		*) b=$(BUILD); opts="$(foreach t,$(GUEST_TESTS),--test $(t))" ;; \
		esac; \
		tests/vm/run.sh --kernel $$k --memdebug --timeout $(VM_TIMEOUT) $(VM_ENV) $$opts \
			--file $$b/examples:/syschain/examples \
			--file $$b/libchain/syschain:/syschain/bin/syschain \
			--script tests/guest/test_examples.sh; \
	done

lint: module
	@$(DEPS) build
	scripts/lint.sh

# The host half: what check-fresh runs in a fresh root, too. Only the
# project's own checks build with -Werror.
check-host:
	@$(DEPS) build
	$(MAKE) all WERROR=1
	$(MAKE) check-symbols WERROR=1
	$(MAKE) lint WERROR=1
	$(MAKE) check-unit WERROR=1
	$(MAKE) check-install WERROR=1

check:
	@$(DEPS) build vm deb
	$(MAKE) check-host
	$(MAKE) check-fresh
	$(MAKE) check-vm WERROR=1

# The guest suite on the sanitizer kernel (KASAN, UBSAN, lockdep), built
# once from Debian's 6.1 source and cached (tests/vm/san.config).
# KASAN, lockdep and TCG make the sanitizer kernel several times slower:
# the generated suites (test_diff's chains, the fuzzer's ioctls), the
# module load/unload cycles and the signal test's steps run a fifth or a
# tenth of their default there.
SAN_ENV := --env DIFF_CHAINS=100 --env FUZZ_CALLS=20000 --env LIFECYCLE_CYCLES=100 \
	   --env SIGNAL_STEPS=20000
check-san: guest-tests examples
	@$(DEPS) build vm
	$(MAKE) check-vm KERNELS=6.1-san WERROR=1 VM_TIMEOUT=3600 VM_ENV="$(SAN_ENV)"

# What CI runs: make check, then the sanitizer suite. The sanitizer kernel
# (about 40 CPU-minutes) builds at the lowest priority beside make check,
# which leaves a core idle most of its time, so that check-san finds it
# ready (or waits for it on the build's lock).
SAN_PREPARE_LOG := $(BUILD)/san-kernel.log
check-ci:
	@$(DEPS) build vm deb
	@mkdir -p $(BUILD)
	@set -e; \
	setsid nice -n 19 tests/vm/run.sh --kernel 6.1-san --prepare-only >$(SAN_PREPARE_LOG) 2>&1 & san=$$!; \
	trap 'kill -- -$$san 2>/dev/null || true' EXIT; \
	echo "check-ci: building the sanitizer kernel in the background (log: $(SAN_PREPARE_LOG))"; \
	$(MAKE) --no-print-directory check; \
	t0=$$(date +%s); \
	if ! wait $$san; then tail -n 30 $(SAN_PREPARE_LOG); echo "check-ci: sanitizer kernel build FAILED"; exit 1; fi; \
	trap - EXIT; \
	echo "check-ci: waited $$(( $$(date +%s) - t0 ))s for the sanitizer kernel after make check"; \
	$(MAKE) --no-print-directory check-san

# A fresh minimal Debian 12 root (debootstrap, cached under .cache/fresh):
# scripts/deps.sh installs everything there, then the host half of check,
# make deb and the package install run in it.
check-fresh:
	@$(DEPS) vm
	tests/fresh/run.sh

# The benchmarks: in a guest unless /dev/syschain exists here (QUICK=1: short)
bench: libchain examples
	@$(DEPS) build vm bench
	$(MAKE) -C bench run

# The long fuzz run, not part of check: FUZZ_CALLS ioctls (default 5M).
FUZZ_CALLS ?= 5000000
# on the sanitizer kernel (KASAN, UBSAN, lockdep), with the Debian detectors
FUZZ_KERNEL ?= 6.1-san
fuzz-long: guest-tests
	@$(DEPS) build vm
	@printf '#!/bin/sh\nFUZZ_CALLS=%s /syschain/fuzz/test_fuzz\n' '$(FUZZ_CALLS)' > $(BUILD)/fuzz-long.sh
	tests/vm/run.sh --kernel $(FUZZ_KERNEL) --memdebug --timeout 7200 \
		--file $(BUILD)/guest/test_fuzz:/syschain/fuzz/test_fuzz \
		--script $(BUILD)/fuzz-long.sh

# arm64 (issue 17): cross-built into build/arm64/ with the toolchain and
# the kernel headers scripts/arm64-root.sh extracts into .cache/arm64/
# (see scripts/arm64.mk). Not part of make check yet; the guest suite on
# Debian's arm64 kernel is make check-vm KERNELS=6.1-arm64.
#   make module-arm64         syschain.ko for Debian 12's arm64 kernel
#   make check-symbols-arm64  check-symbols on it, against its Module.symvers
#   make arm64                libchain, examples, guest tests (static)
#   make lint-arm64           sparse on module/ for arm64
#   make check-arm64-build    all of these, then a user-mode smoke run
#                             under qemu-aarch64-static (no module there)
ARM64_TARGETS := module-arm64 check-symbols-arm64 arm64 lint-arm64 check-arm64-build
arm64-root:
	@$(DEPS) arm64
	scripts/arm64-root.sh -q
$(ARM64_TARGETS): arm64-root
	$(MAKE) --no-print-directory -f scripts/arm64.mk $@ \
		ARM64_HOST_CFLAGS='$(HOST_CFLAGS)' ARM64_GUEST_COUNTED='$(GUEST_COUNTED)'

vm-shell: guest-tests
	@$(DEPS) build vm
	tests/vm/run.sh --kernel $(firstword $(KERNELS)) --shell

# The running kernel unless KERNELRELEASE is given on the command line or
# in the environment (the default above is for the build, not the install).
dkms-install:
	scripts/dkms.sh install $(if $(filter command line environment,$(origin KERNELRELEASE)),-k $(KERNELRELEASE))

dkms-uninstall:
	scripts/dkms.sh uninstall

# Debian packages (syschain-dkms, libchain0, libchain-dev, syschain-tools)
# into build/deb/
deb:
	@$(DEPS) deb
	scripts/deb.sh

clean:
	-$(MAKE) -C module clean KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR)
	-$(MAKE) -C tests/unit clean
	-$(MAKE) -C libchain clean
	rm -rf $(BUILD)

FORCE:

.PHONY: all deps module guest-tests unit-tests check-symbols check-unit \
	check-vm check check-ci check-host check-fresh check-san check-install bench fuzz-long lint libchain examples install vm-shell dkms-install dkms-uninstall deb clean FORCE \
	arm64-root $(ARM64_TARGETS)
