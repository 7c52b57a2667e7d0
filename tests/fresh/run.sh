#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-fresh: what a new user's bare Debian 12 does with this tree.
#
# A minimal Debian 12 root (debootstrap --variant=minbase bookworm, from the
# mirror of this machine's apt configuration) is made once and cached in
# .cache/fresh/base; every run copies it to .cache/fresh/root, clones this
# repository into it (plus the working tree's uncommitted changes), and
# runs there, with nothing installed but what the project installs:
#
#   1. apt-get install git make     the README's prerequisites
#   2. make check-host              scripts/deps.sh build, then build, lint,
#                                   unit tests, install test
#   3. make deb; apt-get install ./build/deb/*.deb
#                                   syschain-dkms builds the module for the
#                                   root's Debian 12 kernel headers
#   4. a program built against libchain-dev with pkg-config only
#   5. scripts/deps.sh vm bench; tests/vm/run.sh --check-tools; the bench
#      builds; its tools are there
#   6. tests/vm/run.sh --kernel 6.1 --module <the package's .ko> --on-demand
#      --test <the program>: the 6.1 guest loads the packaged module when
#      the program opens /dev/syschain, with the packaged udev rule's group
#      and mode, and the program runs a chain through the kernel.
#
# A package missing from scripts/deps.sh fails one of these steps. Downloaded
# .debs are kept in .cache/fresh/archives (a cache of downloads only: every
# run installs everything anew). SYSCHAIN_KEEP=1 keeps the root.
set -euo pipefail

# shellcheck source=tests/vm/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../vm" && pwd)/lib.sh"
msg() { printf 'check-fresh: %s\n' "$*" >&2; }

FRESH=$CACHE/fresh
BASE=$FRESH/base
ROOT=$FRESH/root
ARCHIVES=$FRESH/archives
SRC=/src/syschain

[[ $(id -u) == 0 ]] || die "check-fresh needs root (debootstrap, chroot)"
for tool in debootstrap git unshare chroot; do
	command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh vm)"
done

# shellcheck disable=SC2317  # called via with_lock
make_base() {
	[[ -f $BASE/.syschain-ready ]] && return 0
	msg "creating a minimal Debian 12 root in $BASE (once)"
	rm -rf "$BASE.tmp"
	mkdir -p "$FRESH"
	debian_bootstrap bookworm "$BASE.tmp" "$FRESH/debootstrap.log"
	touch "$BASE.tmp/.syschain-ready"
	mv "$BASE.tmp" "$BASE"
}

t0=$SECONDS
mkdir -p "$FRESH" "$ARCHIVES"
[[ -f $BASE/.syschain-ready ]] || with_lock fresh-base make_base

# A fresh root every run.
rm -rf "$ROOT"
cp -a "$BASE" "$ROOT"
rm -f "$ROOT/.syschain-ready"

# The repository as `git clone` gives it, plus what the working tree
# changes (modified and untracked files, deletions), staged so that
# `git ls-files` there sees them.
git clone -q --no-local "$REPO_ROOT" "$ROOT$SRC"
(
	cd "$REPO_ROOT"
	git diff --name-only -z HEAD
	git ls-files -z --others --exclude-standard
) | while IFS= read -r -d '' f; do
	if [[ -e $REPO_ROOT/$f || -L $REPO_ROOT/$f ]]; then
		mkdir -p "$(dirname "$ROOT$SRC/$f")"
		cp -a "$REPO_ROOT/$f" "$ROOT$SRC/$f"
	else
		rm -f "$ROOT$SRC/$f"
	fi
done
git -C "$ROOT$SRC" add -A

# The steps, run inside the root. The guest kernels cached by the VM
# harness are shared (downloads only).
cat >"$ROOT/tmp/fresh-steps.sh" <<'EOF'
set -euo pipefail
step() { printf '\ncheck-fresh[root]: === %s\n' "$*"; }
cd /src/syschain
step "apt-get install git make (the README's prerequisites)"
apt-get update -q
apt-get install -q -y --no-install-recommends git make
step "make check-host"
make check-host
step "make deb, and install the four packages"
make deb
apt-get install -q -y ./build/deb/syschain-dkms_*.deb ./build/deb/libchain0_*.deb \
	./build/deb/libchain-dev_*.deb ./build/deb/syschain-tools_*.deb
# the packaged command runs; here (no module loaded in this root) probe
# says so and exits 1
syschain --version | grep -qx "syschain $(cat VERSION)" ||
	{ echo "check-fresh[root]: syschain --version does not say $(cat VERSION)"; exit 1; }
prc=0
syschain probe 2>/tmp/probe.err || prc=$?
[ "$prc" = 1 ] && grep -q "no usable /dev/syschain" /tmp/probe.err ||
	{ echo "check-fresh[root]: syschain probe without the module: exit $prc"; exit 1; }
man -w syschain >/dev/null || { echo "check-fresh[root]: no syschain(1) installed"; exit 1; }
rel=$(scripts/krelease.sh)
ko=/lib/modules/$rel/updates/dkms/syschain.ko
dkms status syschain
[ -f "$ko" ] || { echo "check-fresh[root]: the package's DKMS build left no $ko"; exit 1; }
getent group syschain >/dev/null || { echo "check-fresh[root]: no group syschain"; exit 1; }
[ -f /usr/lib/udev/rules.d/60-syschain.rules ] ||
	{ echo "check-fresh[root]: no udev rule installed"; exit 1; }
step "a program built against libchain-dev with pkg-config"
mkdir -p /tmp/pkg && cp tests/fresh/pkg-chain.c /tmp/pkg/
(cd /tmp/pkg && cc -std=gnu11 -Wall -Wextra -Werror -o pkg-chain pkg-chain.c \
	$(pkg-config --cflags --libs libchain))
# (not ldd | grep -q: under pipefail, grep's early exit fails the pipe)
ldd /tmp/pkg/pkg-chain >/tmp/pkg/ldd.txt
grep -q "/libchain.so.0 " /tmp/pkg/ldd.txt ||
	{ echo "check-fresh[root]: pkg-chain not linked against the packaged libchain.so.0"; exit 1; }
step "the README's first chain, verbatim, built with the README's line"
mkdir -p /tmp/readme
awk '/^```c$/ { f = 1; next } /^```$/ { f = 0 } f' README.md >/tmp/readme/hello.c
ccline=$(grep -m1 '^cc -o hello hello.c ' README.md)
[ -n "$ccline" ] || { echo "check-fresh[root]: no 'cc -o hello' line in README.md"; exit 1; }
(cd /tmp/readme && eval "$ccline" && SYSCHAIN_BACKEND=user ./hello /etc/os-release >out &&
	cmp out /etc/os-release) ||
	{ echo "check-fresh[root]: README's hello does not build or print the file"; exit 1; }
echo "check-fresh[root]: README hello: ok"
step "the VM harness's and the bench's tools"
scripts/deps.sh vm bench
tests/vm/run.sh --check-tools
make -C bench
for t in hyperfine gnuplot python3; do
	command -v "$t" >/dev/null || { echo "check-fresh[root]: $t missing for make bench"; exit 1; }
done
step "the 6.1 guest: the packaged module, loaded on demand, runs pkg-chain"
tests/vm/run.sh --kernel 6.1 --module "$ko" --on-demand --test /tmp/pkg/pkg-chain \
	--log /tmp/vm-pkg.log
EOF

# On a first run (a fresh clone without a cache) nothing has downloaded a
# kernel yet: the directory must exist to be bound; the root's guest step
# downloads into it.
mkdir -p "$VM_CACHE/kernels"
rc=0
"$VM_DIR/chroot-run.sh" "$ROOT" --bind "$ARCHIVES:/var/cache/apt/archives" \
	--bind "$VM_CACHE/kernels:$SRC/.cache/vm/kernels" -- \
	bash /tmp/fresh-steps.sh >"$FRESH/log" 2>&1 || rc=$?
if ((rc)); then
	tail -n 60 "$FRESH/log" >&2
	msg "FAILED after $((SECONDS - t0))s (exit $rc); full log: $FRESH/log"
	exit 1
fi
tr -d '\r' <"$FRESH/log" | grep -E '^(check-fresh\[root\]: ===|vm-6\.1: |lint: clean|install-test: |check-fresh\[root\]: README|deb\.sh: lintian|syschain/[0-9.]+, |pkg-chain: |syschain-vm: (static node|udev|first open|on-demand))' >&2 || true
[[ ${SYSCHAIN_KEEP:-0} == 1 ]] || rm -rf "$ROOT"
msg "ok in $((SECONDS - t0))s: a fresh Debian 12 root passed the host checks, built and installed the packages, and its guest ran a chain through the packaged module"
