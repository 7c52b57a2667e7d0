#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# module/oplist.h is the one list of the ops syschain supports (the kernel
# op table, the dispatch switch and libchain's user backend are generated
# from it). This check holds what is written by hand against it; for every
# SC_OP(name, nargs, check) line:
#
#   builder   libchain/include/libchain.h declares the builder chain_<name>
#             (or the name BUILDER below gives), taking the chain and then
#             nargs op arguments (or the count ARITY below gives); a builder
#             that is a macro expands to CHAIN__OP<nargs>(c, __NR_<name>, ...)
#   man page  libchain/man/chain_<name>.3 exists (a ".so" link to a page that
#             exists, or a page), names the builder in NAME and shows its
#             prototype in SYNOPSIS as libchain.h declares it
#   install   libchain/Makefile's install-man (part of install) installs
#             every page of libchain/man, these included
#   README    the table of README.md's "Supported ops" section lists the op,
#             and the section says "supports <N> ops"
#   syschain(7)  lists the op and says "supports <N> system calls as ops"
#   fidelity  a tests/guest/test_ops_*.c file names __NR_<name> (the op's
#             table against its syscall)
#
# and the other way round: the README table and the builders of
# libchain.h (the CHAIN__OP<n>(c, __NR_<x>, ...) macros) name no op that
# oplist.h lacks. Every page of libchain/man also renders without a groff
# warning (man --warnings).
#
# Each failure prints what is missing; any failure exits 1.
#
# scripts/check-ops.sh [OPLIST]   (default module/oplist.h; another list,
#                                  e.g. a scratch copy with one more op,
#                                  shows what adding that op needs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The exceptions, each with its reason. Empty today: every op's builder is
# chain_<name>, with the syscall's arguments in the syscall's order.
#   BUILDER[op]=builder   the op's builder has another name than chain_<op>
#                         (and its man page is <builder>.3)
#   ARITY[op]=n           the builder takes n op arguments, not nargs: it
#                         fills in the others itself (its macro still
#                         expands to CHAIN__OP<nargs>)
declare -A BUILDER=()
declare -A ARITY=()

oplist=${1:-module/oplist.h}
header=libchain/include/libchain.h
mandir=libchain/man
readme=README.md

for tool in perl man make cmp; do
	command -v "$tool" >/dev/null ||
		{ echo "check-ops: $tool not found: run scripts/deps.sh build" >&2; exit 1; }
done

status=0
fail() {
	echo "check-ops: $*"
	status=1
}

mapfile -t oplines < <(sed -n 's/^SC_OP(\([a-z0-9_]*\), *\([0-9]*\), *[01])$/\1 \2/p' "$oplist")
if ((${#oplines[@]} == 0)); then
	echo "check-ops: no SC_OP(name, nargs, check) line in $oplist"
	exit 1
fi
if [[ $(grep -c '^SC_OP(' "$oplist") != "${#oplines[@]}" ]]; then
	fail "$oplist has SC_OP lines not of the form SC_OP(name, nargs, 0|1):"
	grep '^SC_OP(' "$oplist" | grep -v '^SC_OP([a-z0-9_]*, *[0-9]*, *[01])$' || true
fi
declare -A NARGS=()
for l in "${oplines[@]}"; do
	NARGS[${l% *}]=${l#* }
done
n=${#oplines[@]}

# libchain.h's function-like macros and function prototypes named chain_*,
# one a line: name, "macro" or "function", the parameters (comma-separated,
# whitespace normalized), the macro's body.
declarations() {
	perl -e '
		local $/; $_ = <STDIN>;
		s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s{\\\n}{ }g;
		sub norm { my $s = shift; $s =~ s/\s+/ /g; $s =~ s/^ | $//g;
			   $s =~ s/ ?, ?/, /g; $s =~ s/\* /*/g; return $s; }
		while (/^[ \t]*#[ \t]*define[ \t]+(chain_\w+)\(([^)]*)\)(.*)$/mg) {
			print "$1\tmacro\t", norm($2), "\t", norm($3), "\n";
		}
		s/^[ \t]*#[^\n]*//mg;
		while (/(?:^|(?<=[;{}]))\s*(([\w\s]+?)\s*\**\s*(chain_\w+)\s*\(([^;{}()]*)\))\s*;/sg) {
			next if $2 =~ /\breturn\b/;
			print "$3\tfunction\t", norm($4), "\t", norm($1), "\n";
		}
	' <"$header"
}
declare -A KIND=() PARAMS=() BODY=()
while IFS=$'\t' read -r name kind params body; do
	KIND[$name]=$kind
	PARAMS[$name]=$params
	BODY[$name]=$body
done < <(declarations)

# The prototype as a man page's SYNOPSIS shows it: "int chain_x(struct
# chain *c, a, b);" for a macro builder, the declaration for a function.
prototype() {
	local b=$1 rest
	if [[ ${KIND[$b]} == macro ]]; then
		rest=${PARAMS[$b]#*,}
		[[ ${PARAMS[$b]} == *,* ]] || rest=
		echo "int $b(struct chain *${PARAMS[$b]%%,*}${rest:+,$rest});"
	else
		echo "${BODY[$b]};"
	fi
}

# the page, following a one-line ".so manN/page.N" link inside libchain/man
page_source() {
	local f=$1 target
	if [[ $(head -c 4 -- "$f") == '.so ' ]]; then
		target=$mandir/$(basename "$(sed -n '1s/^\.so *//p' "$f")")
		[[ -f $target ]] || { echo "$f links to a missing page: $target" >&2; return 1; }
		f=$target
	fi
	echo "$f"
}

# The rendered text of one section of a page, its lines joined by spaces.
# render first (not in a subshell, so that each page renders once).
declare -A RENDERED=()
render() {
	[[ -n ${RENDERED[$1]+x} ]] ||
		RENDERED[$1]=$(MANWIDTH=1000 man --nh --nj -l "$1" 2>/dev/null)
}
section() {
	local src=$1 sec=$2
	printf '%s\n' "${RENDERED[$src]}" |
		awk -v s="$sec" '/^[A-Z]/ { on = ($0 == s); next } on' | tr -s ' \n' '  '
}

# The pages libchain/Makefile installs: install-man into a scratch tree.
inst=$(mktemp -d)
trap 'rm -rf "$inst"' EXIT
if ! out=$(make -s --no-print-directory -C libchain install-man DESTDIR="$inst" MANDIR=/man 2>&1); then
	fail "make -C libchain install-man failed:"
	echo "$out"
fi
for f in "$mandir"/*.[1-9]; do
	p=${f##*/}
	cmp -s "$f" "$inst/man/man${p##*.}/$p" ||
		fail "libchain/Makefile's install rule does not install $f (as man${p##*.}/$p)"
	[[ $(head -c 4 -- "$f") == '.so ' ]] && continue
	warn=$(man --warnings -l "$f" 2>&1 >/dev/null) ||
		fail "man cannot render $f"
	[[ -z $warn ]] || fail "$f renders with warnings:"$'\n'"$warn"
done

# a macro builder's body: CHAIN__OP<n>(c, __NR_<op>, args...)
op_macro='^CHAIN__OP([0-9])\(c, __NR_([a-z0-9_]+)[,)]'
for l in "${oplines[@]}"; do
	op=${l% *} nargs=${l#* }
	b=${BUILDER[$op]:-chain_$op}
	want=${ARITY[$op]:-$nargs}

	# the builder
	if [[ -z ${KIND[$b]:-} ]]; then
		fail "$op: no builder $b() in $header (op $op takes $nargs arguments)"
	else
		IFS=, read -ra ps <<<"${PARAMS[$b]}"
		if [[ ${KIND[$b]} == macro && ${ps[0]:-} != c ]] ||
			[[ ${KIND[$b]} == function && ${ps[0]:-} != "struct chain *"* ]]; then
			fail "$op: $b()'s first parameter is not the chain: $(prototype "$b")"
		fi
		if ((${#ps[@]} - 1 != want)); then
			fail "$op: $b() takes $((${#ps[@]} - 1)) op arguments, $oplist says $want: $(prototype "$b")"
		fi
		if [[ ${KIND[$b]} == macro ]]; then
			[[ ${BODY[$b]} =~ $op_macro ]] ||
				fail "$op: $b is not a CHAIN__OP<n>(c, __NR_$op, ...) macro: ${BODY[$b]}"
			[[ ${BASH_REMATCH[1]:-} == "$nargs" && ${BASH_REMATCH[2]:-} == "$op" ]] ||
				fail "$op: $b expands to ${BODY[$b]%%(*}(c, __NR_${BASH_REMATCH[2]:-?}, ...), not CHAIN__OP$nargs(c, __NR_$op, ...)"
		fi
	fi

	# the man page
	page=$mandir/$b.3
	if [[ ! -f $page ]]; then
		fail "$op: no man page $page"
	elif src=$(page_source "$page" 2>&1); then
		render "$src"
		name_re="[ ,]${b}[ ,]"
		[[ " $(section "$src" NAME) " =~ $name_re ]] ||
			fail "$op: $page ($src) does not name $b in NAME"
		if [[ -n ${KIND[$b]:-} ]]; then
			proto=$(prototype "$b")
			[[ $(section "$src" SYNOPSIS) == *"$proto"* ]] ||
				fail "$op: $page ($src) does not show '$proto' in SYNOPSIS"
		fi
	else
		fail "$op: $src"
	fi
done

# a fidelity table: some tests/guest/test_ops_*.c runs the op against its
# syscall (test_diff and test_fuzz check their own tables when they run)
for op in "${!NARGS[@]}"; do
	grep -qw "__NR_$op" tests/guest/test_ops_*.c ||
		fail "$op: no fidelity test (no __NR_$op in tests/guest/test_ops_*.c)"
done

# no builder for an op oplist.h lacks
for b in "${!KIND[@]}"; do
	[[ ${KIND[$b]} == macro && ${BODY[$b]} =~ $op_macro ]] || continue
	[[ -n ${NARGS[${BASH_REMATCH[2]}]:-} ]] ||
		fail "$header: builder $b for __NR_${BASH_REMATCH[2]}, which is not in $oplist"
done

# README.md: the first table of "## Supported ops", its ops column.
table=$(awk '/^## /{ on = ($0 == "## Supported ops") } on && /^\|/ { t = 1; print; next } t { exit }' "$readme" |
	tail -n +3 | cut -d'|' -f3 | grep -o '`[a-z0-9_]*`' | tr -d '`' | sort || true)
ops=$(printf '%s\n' "${!NARGS[@]}" | sort)
for op in $(comm -23 <(echo "$ops") <(echo "$table")); do
	fail "$op: not in $readme's Supported ops table"
done
for op in $(comm -13 <(echo "$ops") <(echo "$table")); do
	fail "$readme's Supported ops table lists $op, which is not in $oplist"
done
sed -n '/^## Supported ops/,/^## /p' "$readme" | tr -s ' \n' '  ' | grep -q "supports $n ops" ||
	fail "$readme's Supported ops section does not say 'supports $n ops'"

# syschain(7): its list of the ops (".B op" or ".BR op ," lines, from "The
# module supports" to "Some uses of these") and their count
sc7=$mandir/syschain.7
sc7_list=$(sed -n '/^The module supports/,/^Some uses of these/p' "$sc7")
for op in "${!NARGS[@]}"; do
	grep -Eq "^\.BR? $op( [,;.])?\$" <<<"$sc7_list" || fail "$op: not in $sc7's list of ops"
done
for op in $(sed -n 's/^\.BR\{0,1\} \([a-z0-9_]*\)\( [,;.]\)\{0,1\}$/\1/p' <<<"$sc7_list"); do
	[[ -n ${NARGS[$op]:-} ]] || fail "$sc7's list of ops names $op, which is not in $oplist"
done
tr -s ' \n' '  ' <"$sc7" | grep -q "supports $n system calls as ops" ||
	fail "$sc7 does not say 'supports $n system calls as ops'"

if ((status == 0)); then
	echo "check-ops: the $n ops of $oplist: builders, man pages (installed), fidelity tests, README table, syschain(7)"
fi
exit $status
