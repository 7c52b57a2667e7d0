#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# tests/unit/builder-types.sh: libchain's builders are typed like
# prototypes. Each case is one call; the good ones must compile, and each
# bad one must fail on its own line, under -Wall -Werror in C11 and in
# C++11 (what libchain.h promises for CHAIN__I()/CHAIN__P()), and so are
# the op handles builders return (struct chain_handle, CHAIN__IDX()).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# the generated builders
make -s --no-print-directory -C "$top/libchain" include/syschain/builders.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

good=(
	'chain_read(c, fd, buf, sizeof(buf))'
	'chain_write(c, 1, buf, chain_res(r))'
	'chain_read(c, chain_res(r), NULL, 0)'
	'chain_read(c, 0, arr, sizeof(arr))'
	'chain_openat(c, AT_FDCWD, "p", O_RDONLY | O_CLOEXEC, 0644)'
	'chain_lseek(c, fd, (off_t)-1, SEEK_SET)'
	'chain_lseek(c, fd, chain_res_add(r, 4096), SEEK_SET)'
	'chain_recvfrom(c, fd, buf, (size_t)8, 0, NULL, NULL)'
	'chain_clock_gettime(c, CLOCK_MONOTONIC, &ts)'
	'chain_fadvise64(c, (unsigned char)fd, 0L, 0ULL, (enum e)1)'
	'chain_stop_if(c, r, CHAIN_LT, 0)'
	'chain_write(c, 1, buf, r)'
	'chain_read(c, r, buf, 8)'
	'chain_read(c, fd, r, 8)'
	'chain_stop_if(c, r, CHAIN_NE, r)'
	'chain_stop_if(c, 0U, CHAIN_NE, chain_res(1L))'
	'chain_jump_if(c, r, CHAIN_ALWAYS, 0, r)'
	'chain_ret(c, r) + chain_ret(c, 0)'
	'chain_count(c, r) + (uint64_t)chain_result(c, r, NULL)'
	'chain_res_add(r, 1).addend + chain_res_add(0, 1).addend'
	'chain_set_arg(c, r, 0, r)'
	'chain_ignore_error(c, r)'
	'chain_syscall(c, 39, r, chain_res(r), 1, buf).op'
	'chain_handle_of(0).op'
)
# "why it must not compile", then the call
bad=(
	'swapped descriptor and buffer'		'chain_read(c, buf, 0, 8)'
	'a path for a descriptor'		'chain_openat(c, "p", AT_FDCWD, 0, 0)'
	'a double for a count'			'chain_read(c, fd, buf, d)'
	'a pointer for a count'			'chain_write(c, 1, buf, buf)'
	'an integer for a buffer'		'chain_read(c, fd, fd, 8)'
	'an array for a descriptor'		'chain_read(c, arr, arr, 8)'
	'a struct for an integer'		'chain_lseek(c, fd, ts, SEEK_SET)'
	'a double for a flag'			'chain_openat(c, AT_FDCWD, "p", d, 0)'
	'a float for a descriptor'		'chain_close(c, (float)fd)'
	'a handle taken as a number'		'r + 1'
	'a builder result kept as an int'	'fd = chain_getpid(c)'
	'a handle for a label'			'chain_label_here(c, r)'
	'a double for an op'			'chain_ret(c, d)'
	'a pointer for an op'			'chain_stop_if(c, buf, CHAIN_LT, 0)'
	'a struct for an op'			'chain_count(c, ts)'
)

# case_file FILE EXPR: a translation unit that evaluates EXPR
case_file() {
	cat >"$1" <<-HDR
	#include <fcntl.h>
	#include <stddef.h>
	#include <stdint.h>
	#include <time.h>
	#include <unistd.h>
	#include <libchain.h>
	enum e { E0, E1 };
	int f(struct chain *c, char *buf, int fd, double d);
	int f(struct chain *c, char *buf, int fd, double d)
	{
		char arr[8];
		struct timespec ts = { 0, 0 };
		struct chain_handle r = chain_getpid(c);

		(void)buf; (void)fd; (void)d; (void)arr; (void)ts; (void)r;
	HDR
	printf '\t(void)(%s);\n\treturn 0;\n}\n' "$2" >>"$1"
}

fail=0 n=0
compilers=("gcc -x c -std=c11" "g++ -x c++ -std=c++11")
for cc in "${compilers[@]}"; do
	for stmt in "${good[@]}"; do
		case_file "$tmp/t.c" "$stmt"
		n=$((n + 1))
		if ! $cc -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top/libchain/include" \
			-fsyntax-only "$tmp/t.c" 2>"$tmp/err"; then
			echo "builder-types: FAIL ($cc): does not compile: $stmt"
			sed 's/^/    /' "$tmp/err" | head -n 8
			fail=1
		fi
	done
	for ((i = 0; i < ${#bad[@]}; i += 2)); do
		case_file "$tmp/t.c" "${bad[i + 1]}"
		n=$((n + 1))
		if $cc -D_GNU_SOURCE -Wall -Wextra -Werror -I"$top/libchain/include" \
			-fsyntax-only "$tmp/t.c" 2>"$tmp/err"; then
			echo "builder-types: FAIL ($cc): compiles, but ${bad[i]}: ${bad[i + 1]}"
			fail=1
		elif ! grep -q "t.c:$(grep -n '^	(void)(' "$tmp/t.c" | cut -d: -f1):" "$tmp/err"; then
			echo "builder-types: FAIL ($cc): ${bad[i + 1]}: no error on its line:"
			sed 's/^/    /' "$tmp/err" | head -n 8
			fail=1
		fi
	done
done
((fail)) && exit 1
echo "builder-types: $n cases: ${#good[@]} good calls compile and $((${#bad[@]} / 2)) bad ones fail, in C11 and C++11"
