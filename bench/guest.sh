# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# Runs inside the benchmark guest (busybox sh, cwd /tmp), or natively.
# bench/run.sh prepends the settings: SETUP, BENCH_ARGS, HF_ARGS, B (the
# directory holding syschain-bench, the cat, du and walk examples, coreutils' cat
# and du, and diffutils' cmp).
# Everything the host needs is printed between @@...@@ marker lines.

: "${B:=/syschain/bench}"
: "${SETUP:=default}"
: "${BENCH_ARGS:=}"
: "${HF_ARGS:=--warmup 3 --min-runs 10}"
DATA=/tmp/syschain-bench

echo "bench: setup $SETUP, kernel $(uname -r), cmdline: $(cat /proc/cmdline)"
echo "bench: meltdown: $(cat /sys/devices/system/cpu/vulnerabilities/meltdown 2>/dev/null || echo '?')"
echo "bench: cpuinfo pti flag: $(grep -m1 '^flags' /proc/cpuinfo | grep -qw pti && echo yes || echo no)"
echo "bench: cpuinfo fast-string flags: erms $(grep -m1 '^flags' /proc/cpuinfo | grep -qw erms && echo yes || echo no), fsrm $(grep -m1 '^flags' /proc/cpuinfo | grep -qw fsrm && echo yes || echo no)"
echo "bench: dmesg: $(dmesg | grep -m1 'page tables isolation' || echo 'no page table isolation line')"
# Kernel messages would land in the middle of our output lines on the
# serial console; the harness prints the whole kernel log at the end anyway.
[ -w /proc/sys/kernel/printk ] && echo 1 > /proc/sys/kernel/printk

stamp() { echo "bench: t=$(cut -d' ' -f1 /proc/uptime)s $*"; }

# Every check and step counts as one case; the script ends with one
# "bench: N passed, M failed" line (what tests/vm/run.sh counts a script
# by) and exits 1 if any failed.
npass=0
nfail=0
ok() {
	npass=$((npass + 1))
	echo "bench: ok: $*"
}
bad() {
	nfail=$((nfail + 1))
	echo "bench: FAILED: $*"
}
finish() {
	echo "bench: $npass passed, $nfail failed"
	[ "$nfail" = 0 ] || exit 1
	exit 0
}

stamp "syschain-bench start"
# syschain-bench checks every mode against its plain-syscall reference
# itself and exits non-zero on a mismatch or a failed mode; with
# --syscalls (tracefs, mounted by the guest's init) it also counts each
# mode's syscalls per batch and fails when the loop does not make exactly
# the chain's ops.
sc=
if [ -w /sys/kernel/tracing/events/raw_syscalls/sys_enter/enable ] ||
	[ -w /sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/enable ]; then
	sc=--syscalls
else
	bad "no writable tracefs with raw_syscalls: syscalls per mode not counted"
fi
rc=0
# shellcheck disable=SC2086  # BENCH_ARGS is a word list
"$B/syschain-bench" --setup "$SETUP" --dir "$DATA" $sc $BENCH_ARGS || rc=$?
if [ "$rc" = 0 ]; then
	ok "syschain-bench: every checked run matched the plain-syscall reference"
else
	# it may have died in the middle of a JSON line: start a line of ours
	echo
	bad "syschain-bench exited $rc"
fi
stamp "syschain-bench end"

# The examples must produce the right output on both backends before they
# are timed, QUICK or not. cat: its exit status, and its output (a tmpfs
# file) compared byte for byte (diffutils cmp) with the file, or with the
# small files concatenated by busybox cat. The 64 MiB file's check takes
# 12-15 s in the TCG guest: moving 64 MiB through cat and reading it back,
# whatever compares it (cksum and md5sum through a pipe cost as much).
check_cat() { # what reference files...
	what=$1
	ref=$2
	shift 2
	for be in kernel user; do
		rc=0
		SYSCHAIN_BACKEND=$be "$B/cat" "$@" >/tmp/cat.out || rc=$?
		diff=$("$B/cmp" /tmp/cat.out "$ref" 2>&1)
		crc=$?
		rm -f /tmp/cat.out
		if [ "$rc" = 0 ] && [ "$crc" = 0 ]; then
			ok "cat ($what), SYSCHAIN_BACKEND=$be: output identical to the input ($(wc -c <"$ref") bytes)"
		else
			bad "cat ($what), SYSCHAIN_BACKEND=$be: exit $rc, cmp with the input: $diff"
		fi
	done
}
cat "$DATA"/files/* >/tmp/cat-small.ref
check_cat "1024 small files" /tmp/cat-small.ref "$DATA"/files/*
rm -f /tmp/cat-small.ref
stamp "cat of the small files checked"
check_cat "64 MiB file" "$DATA/big" "$DATA/big"
stamp "cat of the 64 MiB file checked"

# du: its directory line and total against coreutils du -sb of the same
# tree, less the directory's own apparent size (coreutils counts it, the
# example sums regular files only). The tree is flat: one directory.
check_du() {
	dir=$DATA/files
	tab=$(printf '\t')
	all=$("$B/coreutils-du" -sb "$dir" | cut -f1)
	own=$(stat -c %s "$dir")
	files=$((all - own))
	want="$files$tab$dir
$files${tab}total"
	for be in kernel user; do
		rc=0
		got=$(SYSCHAIN_BACKEND=$be "$B/du" "$dir") || rc=$?
		if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
			ok "du, SYSCHAIN_BACKEND=$be: $files bytes, as coreutils du -sb ($all) less the directory ($own)"
		else
			bad "du, SYSCHAIN_BACKEND=$be: exit $rc, printed '$(printf %s "$got" | tr '\t\n' ' ;')', coreutils du -sb $all less the directory $own: $files"
		fi
	done
}
check_du

# walk: a tree of 32 directories of 32 files (and a symlink each) under
# one, walked by the walk example (openat relative to the parent's
# descriptor, getdents64, newfstatat per entry, close: two runs per
# directory); its output must be coreutils du -sb's, on both backends.
TREE=$DATA/tree
make_tree() {
	rm -rf "$TREE"
	d=0
	while [ $d -lt 32 ]; do
		mkdir -p "$TREE/d$d"
		f=0
		while [ $f -lt 32 ]; do
			head -c $((d * 32 + f)) /dev/zero >"$TREE/d$d/f$f"
			f=$((f + 1))
		done
		ln -s f0 "$TREE/d$d/link"
		d=$((d + 1))
	done
}
check_walk() {
	want=$("$B/coreutils-du" -sb "$TREE")
	for be in kernel user; do
		rc=0
		got=$(SYSCHAIN_BACKEND=$be "$B/walk" "$TREE") || rc=$?
		if [ "$rc" = 0 ] && [ "$got" = "$want" ]; then
			ok "walk, SYSCHAIN_BACKEND=$be: $(printf %s "$got" | cut -f1) bytes, as coreutils du -sb"
		else
			bad "walk, SYSCHAIN_BACKEND=$be: exit $rc, printed '$(printf %s "$got" | tr '\t\n' ' ;')', coreutils du -sb: '$(printf %s "$want" | tr '\t\n' ' ;')'"
		fi
	done
}
make_tree
check_walk
stamp "walk checked"

command -v hyperfine >/dev/null || {
	echo "bench: hyperfine not found, whole-program comparison skipped"
	finish
}
# what was not right is not timed
[ "$nfail" = 0 ] || {
	echo "bench: a check failed: whole-program comparison skipped"
	finish
}
# One big file (the 64 MiB copy source) and 1024 small files: the same
# input for the three commands. Output goes to /dev/null (hyperfine's
# default), the shell's spawn time is measured and subtracted by hyperfine.
hf() {
	name=$1
	shift
	# shellcheck disable=SC2086
	if ! hyperfine --style basic $HF_ARGS \
		--export-json "/tmp/hf-$name.json" --export-markdown "/tmp/hf-$name.md" \
		"$@"; then
		bad "hyperfine $name"
		return
	fi
	ok "hyperfine $name"
	echo "@@HF-BEGIN $name json@@"
	cat "/tmp/hf-$name.json"
	echo "@@HF-END@@"
	echo "@@HF-BEGIN $name md@@"
	cat "/tmp/hf-$name.md"
	echo "@@HF-END@@"
}
stamp "hyperfine start"
hf cat-big \
	-n "chain-cat (kernel)" "SYSCHAIN_BACKEND=kernel $B/cat $DATA/big" \
	-n "chain-cat (user)" "SYSCHAIN_BACKEND=user $B/cat $DATA/big" \
	-n "coreutils cat" "$B/coreutils-cat $DATA/big"
hf cat-small \
	-n "chain-cat (kernel)" "SYSCHAIN_BACKEND=kernel $B/cat $DATA/files/*" \
	-n "chain-cat (user)" "SYSCHAIN_BACKEND=user $B/cat $DATA/files/*" \
	-n "coreutils cat" "$B/coreutils-cat $DATA/files/*"
# du: one newfstatat per file, batched into chains, against coreutils du
# (which also sizes directories and reads more per entry: similar work,
# not the same).
hf du-small \
	-n "chain-du (kernel)" "SYSCHAIN_BACKEND=kernel $B/du $DATA/files" \
	-n "chain-du (user)" "SYSCHAIN_BACKEND=user $B/du $DATA/files" \
	-n "coreutils du -sb" "$B/coreutils-du -sb $DATA/files"
# walk: the tree walker against coreutils du -sb on a tree of 33
# directories and 1056 entries (the same output, checked above)
hf walk-tree \
	-n "chain-walk (kernel)" "SYSCHAIN_BACKEND=kernel $B/walk $TREE" \
	-n "chain-walk (user)" "SYSCHAIN_BACKEND=user $B/walk $TREE" \
	-n "coreutils du -sb" "$B/coreutils-du -sb $TREE"
stamp "all done"
finish
