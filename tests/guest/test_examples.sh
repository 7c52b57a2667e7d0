#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# In the guest: run every example with SYSCHAIN_BACKEND=user and =kernel
# and compare their stdout, stderr and exit status; check them against the
# expected output too. Busybox sh. The examples are expected in
# $EXAMPLES (default /syschain/examples), e.g.
#
#   tests/vm/run.sh --file build/examples:/syschain/examples \
#       --script tests/guest/test_examples.sh
#
# Fails (never skips) when /dev/syschain is missing.
set -u

EX=${EXAMPLES:-/syschain/examples}
W=/tmp/test-examples
failed=0
passed=0

say() { echo "test_examples: $*"; }

if [ ! -c /dev/syschain ]; then
	say "FAIL: /dev/syschain is missing"
	exit 1
fi
for e in cat readfile du echo walk; do
	if [ ! -x "$EX/$e" ]; then
		say "FAIL: $EX/$e missing"
		exit 1
	fi
done

rm -rf "$W"
mkdir -p "$W/tree/a/b" "$W/tree/c"
printf 'hello\n' >"$W/tree/f1"				# 6
i=0
while [ $i -lt 300 ]; do
	echo "line $i of a longer file for the examples"	# 300 lines
	i=$((i + 1))
done >"$W/tree/a/f2"
printf 'x' >"$W/tree/a/b/f3"				# 1
: >"$W/tree/c/empty"					# 0
ln -s f1 "$W/tree/link"
mkfifo "$W/tree/fifo"
f2size=$(wc -c <"$W/tree/a/f2")
printf 'one\ntwo two\n\nthree' >"$W/lines"

# check NAME EXPECTED_RC EXPECTED_STDOUT_FILE|- [STDIN] -- CMD...
check() {
	name=$1 want_rc=$2 want=$3 in=$4
	shift 5
	for b in user kernel; do
		SYSCHAIN_BACKEND=$b "$@" <"$in" >"$W/out.$b" 2>"$W/err.$b"
		echo $? >"$W/rc.$b"
	done
	ok=1
	for f in out err rc; do
		if ! cmp -s "$W/$f.user" "$W/$f.kernel"; then
			say "$name: $f differs between user and kernel:"
			for b in user kernel; do
				echo "--- $b"
				head -c 2000 "$W/$f.$b"
			done
			ok=0
		fi
	done
	if [ "$(cat "$W/rc.kernel")" != "$want_rc" ]; then
		say "$name: exit $(cat "$W/rc.kernel"), expected $want_rc"
		cat "$W/err.kernel"
		ok=0
	fi
	if [ "$want" != - ] && ! cmp -s "$W/out.kernel" "$want"; then
		say "$name: unexpected output"
		head -c 2000 "$W/out.kernel"
		ok=0
	fi
	if [ $ok = 1 ]; then
		passed=$((passed + 1))
		say "ok $name"
	else
		failed=$((failed + 1))
		say "FAILED $name"
	fi
}

cat "$W/tree/f1" "$W/tree/a/f2" >"$W/want.cat"
check cat 0 "$W/want.cat" /dev/null -- "$EX/cat" "$W/tree/f1" "$W/tree/a/f2"
check cat-missing 1 /dev/null /dev/null -- "$EX/cat" "$W/nothere"
check readfile 0 "$W/want.cat" /dev/null -- "$EX/readfile" "$W/tree/f1" "$W/tree/a/f2"
check readfile-empty 0 /dev/null /dev/null -- "$EX/readfile" "$W/tree/c/empty"
check readfile-missing 1 /dev/null /dev/null -- "$EX/readfile" "$W/nothere"
check readfile-dir 1 /dev/null /dev/null -- "$EX/readfile" "$W/tree"

# du: deepest first, in readdir order; compare sorted with the sizes
check du 0 - /dev/null -- "$EX/du" "$W/tree"
{
	echo "1	$W/tree/a/b"
	echo "$((f2size + 1))	$W/tree/a"
	echo "0	$W/tree/c"
	echo "$((f2size + 7))	$W/tree"
	echo "$((f2size + 7))	total"
} | sort >"$W/want.du"
sort "$W/out.kernel" >"$W/got.du"
if cmp -s "$W/want.du" "$W/got.du"; then
	passed=$((passed + 1))
	say "ok du-sizes"
else
	failed=$((failed + 1))
	say "FAILED du-sizes:"
	cat "$W/got.du"
fi
check du-missing 1 - /dev/null -- "$EX/du" "$W/nothere"

# walk: as du -sb, every entry's apparent size once (busybox find and
# stat, which does not follow links), and a tree inside one already
# walked not printed again
want=$(find "$W/tree" | while read -r p; do stat -c %s "$p"; done |
	awk '{ s += $1 } END { print s }')
printf '%s\t%s\n' "$want" "$W/tree" >"$W/want.walk"
check walk 0 "$W/want.walk" /dev/null -- "$EX/walk" "$W/tree" "$W/tree/a"
check walk-missing 1 - /dev/null -- "$EX/walk" "$W/nothere"

printf 'hello chained world\n' >"$W/want.echo"
check echo-args 0 "$W/want.echo" /dev/null -- "$EX/echo" hello chained world
check echo-stdin 0 "$W/lines" "$W/lines" -- "$EX/echo"

say "$passed passed, $failed failed"
rm -rf "$W"
[ $failed = 0 ]
