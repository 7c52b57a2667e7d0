#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# scripts/gen-builders.sh OPLIST > builders.h
#
# libchain's builders, one chain_<name>() a line of module/oplist.h, each
# argument typed as the list says: SC_I (an integer or an op's result),
# SC_P (a pointer or an op's result). libchain.h includes the result as
# <syschain/builders.h>; libchain/Makefile writes it, as liburing's
# configure writes its compat.h.
#
# An entry alone between "#ifdef __NR_<name>" and "#endif" (a syscall some
# architecture lacks) keeps its guard: the builder exists where the
# syscall does. Any other form of guard fails.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OPLIST" >&2; exit 2; }
# one SC_OP(...) a line, comments dropped; preprocessor lines as they are
sed -e 's,/\*.*\*/,,g' -e '/\/\*/,/\*\//d' "$1" |
	awk '
	/^#/ { if (cur != "") { print "#inside-entry"; cur = "" } print; next }
	/^SC_OP\(/ { cur = $0 }
	cur != "" && !/^SC_OP\(/ { cur = cur " " $0 }
	cur != "" && /\)[[:space:]]*$/ { gsub(/[[:space:]]+/, " ", cur); print cur; cur = "" }
	' |
	awk -v src="$1" '
	function fail(msg) { print "gen-builders: " src ": " msg > "/dev/stderr"; bad = 1; exit 1 }
	BEGIN {
		print "/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */"
		print "/*"
		print " * Generated from module/oplist.h by scripts/gen-builders.sh: do not edit."
		print " * Included by <libchain.h>; see syschain(7) and chain_<name>(3)."
		print " */"
		print "#ifndef LIBCHAIN_BUILDERS_H"
		print "#define LIBCHAIN_BUILDERS_H"
		print ""
	}
	/^#inside-entry$/ { fail("a preprocessor line inside an entry") }
	/^#[[:space:]]*ifdef[[:space:]]+__NR_/ {
		if (guard != "") fail("#ifdef " $2 " inside the guard of " guard)
		guard = $2; sub(/^__NR_/, "", guard); guarded = 0
		if (guard !~ /^[a-z0-9_]+$/) fail("bad guard: " $0)
		next
	}
	/^#[[:space:]]*endif/ {
		if (guard == "") next	# of a test that guards no entry
		if (!guarded) fail("no entry inside #ifdef __NR_" guard)
		print "#endif"
		guard = ""
		next
	}
	/^#/ {
		if (guard != "") fail("\"" $0 "\" inside the guard of " guard)
		next
	}
	{
		line = $0
		sub(/^SC_OP\( */, "", line)
		sub(/ *\) *$/, "", line)
		n = split(line, f, / *, */)
		# name, nargs, check, then "SC_I(KIND" "name)" pairs
		name = f[1]; nargs = f[2]
		if (name !~ /^[a-z0-9_]+$/ || nargs !~ /^[0-6]$/ || f[3] !~ /^[01]$/)
			fail("bad entry: SC_OP(" line ")")
		if (n - 3 != 2 * nargs)
			fail(name ": " nargs " arguments declared, " (n - 3) / 2 " given")
		if (guard != "") {
			if (guarded || name != guard)
				fail("#ifdef __NR_" guard " guards " name ": one entry, its own syscall")
			guarded = 1
			print "#ifdef __NR_" name
		}
		params = "c"; body = ""
		for (i = 0; i < 6; i++) {
			if (i < nargs) {
				k = f[4 + 2 * i]; a = f[5 + 2 * i]
				sub(/\)$/, "", a)
				if (k ~ /^SC_I\(/) gate = "CHAIN__I"
				else if (k ~ /^SC_P\(/) gate = "CHAIN__P"
				else fail(name ": argument " i + 1 " is not SC_I() or SC_P()")
				if (a !~ /^[a-z_][a-z0-9_]*$/ || a == "c")
					fail(name ": bad argument name \"" a "\"")
				params = params ", " a
				body = body ", " gate "(" a ")"
			} else {
				body = body ", CHAIN__NOARG"
			}
		}
		printf "#define chain_%s(%s) \\\n\tchain_handle_of(chain__op6((c), __NR_%s, %d%s))\n", name, params, name, nargs, body
		count++
	}
	END {
		if (bad) exit 1
		if (guard != "") fail("#ifdef __NR_" guard " without #endif")
		if (!count) { print "gen-builders: " src ": no SC_OP entry" > "/dev/stderr"; exit 1 }
		print ""
		print "#endif /* LIBCHAIN_BUILDERS_H */"
	}
	'
