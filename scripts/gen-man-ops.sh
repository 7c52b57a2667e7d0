#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# scripts/gen-man-ops.sh OPLIST TEMPLATE > PAGE
#
# A man page from TEMPLATE with its op list written from module/oplist.h:
# @NR_OPS@ becomes the number of ops, and the line @OPS@ one ".TP"
# paragraph a family ("/* <what>: ops_<family>.c */" in the list), its
# ops in the list's order. libchain/Makefile makes syschain.7 so.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 OPLIST TEMPLATE" >&2; exit 2; }
list=$(awk '
	/^\/\* [^*]*: ops_[a-z_]*\.c \*\/$/ {
		sub(/^\/\* /, ""); sub(/: ops_[a-z_]*\.c \*\/$/, "")
		fam = $0; next
	}
	/^SC_OP\(/ {
		name = $0; sub(/^SC_OP\( */, "", name); sub(/ *,.*/, "", name)
		if (fam == "") { print "gen-man-ops: " name " has no family" > "/dev/stderr"; exit 1 }
		print fam "\t" name
	}' "$1")
[ -n "$list" ] || { echo "gen-man-ops: no op in $1" >&2; exit 1; }
n=$(printf '%s\n' "$list" | wc -l)
ops=$(printf '%s\n' "$list" | awk -F '\t' '
	function flush() { if (last != "") print ".B " last; last = "" }
	$1 != fam { flush(); print ".TP"; print $1; fam = $1 }
	{ if (last != "") print ".BR " last " ,"; last = $2 }
	END { flush() }')
awk -v n="$n" -v ops="$ops" '
	{ gsub(/@NR_OPS@/, n) }
	$0 == "@OPS@" { print ops; next }
	{ print }' "$2"
