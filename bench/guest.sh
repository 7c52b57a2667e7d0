# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# Runs inside the benchmark guest (busybox sh, cwd /tmp), or natively.
# bench/run.sh prepends the settings: SETUP, BENCH_ARGS, HF_ARGS, B (the
# directory holding syschain-bench, cat and coreutils-cat).
# Everything the host needs is printed between @@...@@ marker lines.

: "${B:=/syschain/bench}"
: "${SETUP:=default}"
: "${BENCH_ARGS:=}"
: "${HF_ARGS:=--warmup 3 --min-runs 10}"
DATA=/tmp/syschain-bench

echo "bench: setup $SETUP, kernel $(uname -r), cmdline: $(cat /proc/cmdline)"
echo "bench: meltdown: $(cat /sys/devices/system/cpu/vulnerabilities/meltdown 2>/dev/null || echo '?')"
echo "bench: cpuinfo pti flag: $(grep -m1 '^flags' /proc/cpuinfo | grep -qw pti && echo yes || echo no)"
echo "bench: dmesg: $(dmesg | grep -m1 'page tables isolation' || echo 'no page table isolation line')"
# Kernel messages would land in the middle of our output lines on the
# serial console; the harness prints the whole kernel log at the end anyway.
[ -w /proc/sys/kernel/printk ] && echo 1 > /proc/sys/kernel/printk

stamp() { echo "bench: t=$(cut -d' ' -f1 /proc/uptime)s $*"; }
stamp "syschain-bench start"
# shellcheck disable=SC2086  # BENCH_ARGS is a word list
"$B/syschain-bench" --setup "$SETUP" --dir "$DATA" $BENCH_ARGS || {
	echo "bench: syschain-bench failed (exit $?)"
	exit 1
}

stamp "syschain-bench end"
# The cat example must copy correctly on both backends before it is timed
# (the 64 MiB file only when CHECK_BIG=1: md5sum of it takes ~10 s in TCG).
check_cat() { # what files...
	what=$1
	shift
	want=$(cat "$@" | md5sum | cut -d' ' -f1)
	for be in kernel user; do
		got=$(SYSCHAIN_BACKEND=$be "$B/cat" "$@" | md5sum | cut -d' ' -f1)
		if [ "$got" != "$want" ]; then
			echo "bench: cat ($what) with SYSCHAIN_BACKEND=$be copies wrongly ($got != $want)"
			exit 1
		fi
	done
	echo "bench: cat ($what) output checked on both backends"
}
check_cat "1024 small files" "$DATA"/files/*
[ "${CHECK_BIG:-1}" = 1 ] && check_cat "64 MiB file" "$DATA/big"

command -v hyperfine >/dev/null || {
	echo "bench: hyperfine not found, whole-program comparison skipped"
	exit 0
}
# One big file (the 64 MiB copy source) and 1024 small files: the same
# input for the three commands. Output goes to /dev/null (hyperfine's
# default), the shell's spawn time is measured and subtracted by hyperfine.
hf() {
	name=$1
	shift
	# shellcheck disable=SC2086
	hyperfine --style basic $HF_ARGS \
		--export-json "/tmp/hf-$name.json" --export-markdown "/tmp/hf-$name.md" \
		"$@" || return 1
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
	-n "coreutils cat" "$B/coreutils-cat $DATA/big" || exit 1
hf cat-small \
	-n "chain-cat (kernel)" "SYSCHAIN_BACKEND=kernel $B/cat $DATA/files/*" \
	-n "chain-cat (user)" "SYSCHAIN_BACKEND=user $B/cat $DATA/files/*" \
	-n "coreutils cat" "$B/coreutils-cat $DATA/files/*" || exit 1
# du: one newfstatat per file, batched into chains, against coreutils du
# (which also sizes directories and reads more per entry: similar work,
# not the same).
if [ -x "$B/du" ]; then
	hf du-small \
		-n "chain-du (kernel)" "SYSCHAIN_BACKEND=kernel $B/du $DATA/files" \
		-n "chain-du (user)" "SYSCHAIN_BACKEND=user $B/du $DATA/files" \
		-n "coreutils du -sb" "$B/coreutils-du -sb $DATA/files" || exit 1
fi
stamp "all done"
