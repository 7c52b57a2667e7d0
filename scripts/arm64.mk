# SPDX-License-Identifier: GPL-2.0-only
#
# The arm64 cross-build (issue 17), run by the top Makefile's arm64 targets
# (make module-arm64, check-symbols-arm64, arm64, lint-arm64,
# check-arm64-build) once scripts/arm64-root.sh has made .cache/arm64: its
# env names the kernel's build tree (ARM64_KDIR, Debian 12's arm64
# headers) and the cross compiler (ARM64_CROSS). Into build/arm64/:
#
#   module/    syschain.ko for ARM64_KREL. Kbuild of 6.1 builds an external
#              module in its own directory, and module/ holds the amd64
#              build: module/'s sources are linked into a directory of their
#              own, with uapi/ and VERSION beside it, where Kbuild looks.
#   libchain/  libchain.a and the syschain command
#   examples/  the examples
#   guest/     the guest tests, but tests/compat's 32-bit caller (x86's
#              -m32; a 32-bit arm caller is still to come)
#
# Every program is static (the guest has no arm64 libraries; cmocka's
# static library is scripts/arm64-root.sh's), built with the flags of the
# amd64 build (ARM64_HOST_CFLAGS, ARM64_GUEST_COUNTED: the top Makefile's).

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
ARM64_CACHE ?= $(or $(SYSCHAIN_CACHE),$(TOP)/.cache)/arm64
include $(ARM64_CACHE)/env

# ARM64_BUILD: another output directory (tests/vm/run.sh builds the
# module of each arm64 guest run fresh in its work directory)
ARM64_BUILD ?= $(TOP)/build/arm64
A := $(ARM64_BUILD)
XCC := $(ARM64_CROSS)gcc
KMAKE := $(MAKE) -C $(ARM64_KDIR) M=$(A)/module ARCH=arm64 CROSS_COMPILE=$(ARM64_CROSS)
WERR := $(if $(filter 1,$(WERROR)),-Werror)

# ---- the module -------------------------------------------------------

MOD_SRCS := $(filter-out %.mod.c,$(wildcard $(TOP)/module/*.c $(TOP)/module/*.h)) \
	$(TOP)/module/Kbuild

module-arm64:
	@mkdir -p $(A)/module
	@find $(A)/module -maxdepth 1 -type l -delete
	@ln -sfn $(TOP)/uapi $(A)/uapi
	@ln -sfn $(TOP)/VERSION $(A)/VERSION
	@ln -sf $(MOD_SRCS) $(A)/module/
	$(KMAKE) modules
	@echo "module-arm64: $(A)/module/syschain.ko for $(ARM64_KREL)"

check-symbols-arm64: module-arm64
	@NM=$(ARM64_CROSS)nm $(TOP)/scripts/check-symbols.sh $(A)/module/syschain.ko \
		$(ARM64_KDIR)/Module.symvers

# sparse as make lint runs it for amd64 (scripts/lint.sh), on the arm64
# tree. What sparse finds inside the kernel's own headers (Debian's 6.1
# arm64 asm/percpu.h:127, "cast truncates bits from constant value", its
# PERCPU_OP(andnot) for 8- and 16-bit cases: any file that includes it) is
# the kernel's: shown once, not a failure; any finding in module/ fails.
KHDRS := $(ARM64_CACHE)/root/usr/src/
lint-arm64: module-arm64
	@echo "lint-arm64: sparse (C=2) on module/ for $(ARM64_KREL)"
	@out=$$($(KMAKE) -s --no-print-directory C=2 CHECK=sparse modules 2>&1 | \
		grep -Ev '^(Skipping BTF|  (CC|LD|CHECK|MODPOST|BTF))' || true); \
	kern=$$(printf '%s\n' "$$out" | grep '^$(KHDRS)' | sort -u); \
	ours=$$(printf '%s\n' "$$out" | grep -v '^$(KHDRS)' | \
		grep -v ': note: in included file' | grep . || true); \
	if [ -n "$$kern" ]; then \
		echo "lint-arm64: in the kernel's headers, not module/ (not a failure):"; \
		echo "$$kern"; \
	fi; \
	if [ -n "$$ours" ]; then echo "$$out"; exit 1; fi; \
	echo "lint-arm64: sparse clean on module/"

# ---- libchain, the examples, the guest tests ---------------------------

LIBCHAIN_A := $(A)/libchain/libchain.a
TOOL := $(A)/libchain/syschain
LIB_VARS := BUILD=$(A)/libchain CC=$(XCC) AR=$(ARM64_CROSS)ar \
	OBJCOPY=$(ARM64_CROSS)objcopy LDFLAGS=-static

$(LIBCHAIN_A) $(TOOL): FORCE
	$(MAKE) -C $(TOP)/libchain $(LIB_VARS) $@

EXAMPLES := $(patsubst $(TOP)/examples/%.c,$(A)/examples/%,$(wildcard $(TOP)/examples/*.c))
$(A)/examples/%: $(TOP)/examples/%.c $(LIBCHAIN_A) $(TOP)/libchain/include/libchain.h
	@mkdir -p $(dir $@)
	$(XCC) -static -D_GNU_SOURCE -I$(TOP)/libchain/include -I$(TOP)/uapi \
		-std=gnu11 -Wall -Wextra $(WERR) $(CFLAGS) -o $@ $< $(LIBCHAIN_A) -lpthread

# One rule for all: the include paths and libchain.a of the amd64 rules
# (the tests that do not use libchain link nothing from it).
GUEST := $(patsubst $(TOP)/tests/guest/%.c,$(A)/guest/%,$(wildcard $(TOP)/tests/guest/test_*.c))
GUEST_DEPS := $(wildcard $(TOP)/tests/guest/*.h) $(TOP)/tests/fd_count.h \
	$(TOP)/uapi/linux/syschain.h $(TOP)/module/oplist.h \
	$(TOP)/libchain/include/libchain.h
$(A)/guest/%: $(TOP)/tests/guest/%.c $(GUEST_DEPS) $(LIBCHAIN_A)
	@mkdir -p $(dir $@)
	$(XCC) -static $(ARM64_HOST_CFLAGS) $(ARM64_GUEST_COUNTED) -I$(TOP)/module \
		-I$(TOP)/libchain/include -o $@ $< $(LIBCHAIN_A) -lcmocka -lpthread

arm64: $(LIBCHAIN_A) $(TOOL) $(EXAMPLES) $(GUEST)
	@echo "arm64: libchain, $(words $(EXAMPLES)) examples, $(words $(GUEST)) guest tests in $(A) (static, aarch64)"

# ---- all of it, and a user-mode smoke run -------------------------------

check-arm64-build: check-symbols-arm64 lint-arm64 arm64
	$(TOP)/scripts/arm64-smoke.sh $(A)

.PHONY: module-arm64 check-symbols-arm64 lint-arm64 arm64 check-arm64-build FORCE
FORCE:
