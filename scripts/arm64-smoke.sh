#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/arm64-smoke.sh [DIR]   (DIR: the arm64 build, default build/arm64)
#
# The smoke run of make check-arm64-build: the arm64 programs under
# qemu-aarch64-static, user-mode emulation on this amd64 machine. There is
# no arm64 kernel here, so no module: this shows that the static binaries
# start, find the module absent, and run arm64's syscall numbers through
# libchain's user backend (module/engine.c and plain syscalls):
#
#   - syschain probe fails, naming /dev/syschain's absence;
#   - the examples, on the auto backend (which falls back to plain
#     syscalls when the device is missing) and on the user backend, print
#     what cat and du -sb print, and agree with each other;
#   - test_diff with DIFF_SELFTEST=1 (its "kernel" side on the user
#     backend too, a probe made from its own op table): the user backend
#     and the independent oracle agree on every chain, ops named by arm64's
#     numbers (DIFF_CHAINS chains a seed, default 20 here). In a mount
#     namespace of its own with a tmpfs on /tmp where unshare(1) may make
#     one, as the guest has: statfs of a /tmp that other work on this
#     machine writes to changes between the sides.
#
# qemu-user is not an arm64 kernel: it lets an invalid address through to
# its own memory (nanosleep((void *)1, ...) returns EINVAL or 0 there, not
# EFAULT), which test_diff's deliberate bad pointers meet in longer runs
# (seed 0x5eed0002 chain 107 at DIFF_CHAINS=200), and it keeps SIGRTMAX,
# which the other guest tests' watchdog (G_BOUND) needs. Those run in
# the arm64 guest (make check-vm KERNELS=6.1-arm64), not here.
#
# Refuses to run where /dev/syschain exists: qemu-user hands the ioctl to
# this machine's kernel, whose module would read arm64's syscall numbers
# as its own. Prints "arm64-smoke: N passed, M failed" and fails if any did.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dir=${1:-build/arm64}
qemu=${QEMU_AARCH64:-qemu-aarch64-static}
command -v "$qemu" >/dev/null || { echo "arm64-smoke: $qemu not found: run scripts/deps.sh arm64" >&2; exit 1; }
if [[ -e /dev/syschain ]]; then
	echo "arm64-smoke: /dev/syschain exists here: an arm64 program under qemu-user would reach this machine's module with arm64 syscall numbers; not running" >&2
	exit 1
fi

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "arm64-smoke: ok $*"; }
bad() { failed=$((failed + 1)); echo "arm64-smoke: FAILED $*"; }
run() { "$qemu" "$@"; }

w=$(mktemp -d /tmp/arm64-smoke.XXXXXX)
trap 'rm -rf "$w"' EXIT

# the module is absent, and the programs say so
if out=$(run "$dir/libchain/syschain" probe 2>&1); then
	bad "syschain probe succeeded without a module: $out"
elif [[ $out == *"/dev/syschain"* || $out == *"No such file"* ]]; then
	ok "syschain probe: ${out%%$'\n'*}"
else
	bad "syschain probe: unexpected: $out"
fi

# the examples, both backends, against cat and du -sb
mkdir -p "$w/tree/a/b" "$w/tree/c"
printf 'hello\n' >"$w/tree/f1"
seq 1 3000 >"$w/tree/a/f2"
printf 'x' >"$w/tree/a/b/f3"
ln -s f1 "$w/tree/link"
example() {	# NAME WANT_FILE ARGS...
	local name=$1 want=$2 b rc
	shift 2
	for b in auto user; do
		SYSCHAIN_BACKEND=$b run "$dir/examples/$name" "$@" >"$w/out.$b" 2>"$w/err.$b"
		rc=$?
		if ((rc != 0)); then
			bad "$name ($b): exit status $rc: $(head -c 500 "$w/err.$b")"
			return
		fi
		if ! cmp -s "$w/out.$b" "$want"; then
			bad "$name ($b): output differs from $want:"$'\n'"$(head -c 500 "$w/out.$b")"
			return
		fi
	done
	ok "$name (auto and user backends)"
}
cat "$w/tree/f1" "$w/tree/a/f2" >"$w/want.cat"
example cat "$w/want.cat" "$w/tree/f1" "$w/tree/a/f2"
example readfile "$w/want.cat" "$w/tree/f1" "$w/tree/a/f2"
du -sb "$w/tree" >"$w/want.walk"
example walk "$w/want.walk" "$w/tree"
printf 'hello chained world\n' >"$w/want.echo"
example echo "$w/want.echo" hello chained world

# the differential test on the user backend: user backend against oracle
diff_cmd="cd /tmp && DIFF_SELFTEST=1 DIFF_CHAINS=${DIFF_CHAINS:-20} $qemu $(realpath "$dir/guest/test_diff")"
if unshare --mount --propagation private \
	sh -c 'mount -t tmpfs tmpfs /tmp' 2>/dev/null; then
	diff_cmd="mount -t tmpfs -o size=256m,mode=1777 tmpfs /tmp && $diff_cmd"
	diff_run() { unshare --mount --propagation private sh -c "$diff_cmd"; }
else
	echo "arm64-smoke: no mount namespace here: test_diff in this machine's /tmp"
	diff_run() { sh -c "$diff_cmd"; }
fi
if out=$(diff_run 2>&1); then
	ok "test_diff DIFF_SELFTEST=1: $(grep -E '^\[  PASSED  \]' <<<"$out")"
else
	bad "test_diff DIFF_SELFTEST=1:"$'\n'"$(tail -n 40 <<<"$out")"
fi

echo "arm64-smoke: $passed passed, $failed failed"
((failed == 0))
