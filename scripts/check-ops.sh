#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# module/oplist.h is the one list of the ops syschain supports (the kernel
# op table, the dispatch switch, libchain's user backend and its builders
# are generated from it). This check holds what is written by hand against
# it; for every SC_OP(name, nargs, check, args...) entry:
#
#   builder   scripts/gen-builders.sh writes chain_<name>(c, args...) from
#             it, with nargs arguments, expanding to
#             chain__op6((c), __NR_<name>, nargs, ...); libchain.h defines
#             no builder of its own for it
#   man page  libchain/man/chain_<name>.3 exists (a ".so" link to a page that
#             exists, or a page), names the builder in NAME and shows its
#             prototype in SYNOPSIS, parameters named as in oplist.h
#   install   libchain/Makefile's install-man (part of install) installs
#             every page of libchain/man, these included
#   README    the table of README.md's "Supported ops" section lists the op,
#             and the section says "supports <N> ops"
#   syschain(7)  scripts/gen-man-ops.sh writes it from syschain.7.in with
#             the op list and the count (checked: it renders, lists them)
#   fidelity  a tests/guest/test_ops_*.c file names __NR_<name> (the op's
#             table against its syscall)
#
# and the other way round: the README table names no op that oplist.h
# lacks. Every public function and macro of libchain has a man page. Every page of libchain/man also renders without a groff warning
# (man --warnings).
#
# Each failure prints what is missing; any failure exits 1.
#
# scripts/check-ops.sh [OPLIST]   (default module/oplist.h; another list,
#                                  e.g. a scratch copy with one more op,
#                                  shows what adding that op needs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

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

tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
builders=$tmpd/builders.h
if ! scripts/gen-builders.sh "$oplist" >"$builders"; then
	echo "check-ops: scripts/gen-builders.sh cannot read $oplist"
	exit 1
fi
# "name nargs", from the generated builders
mapfile -t oplines < <(sed -n 's/^\tchain_handle_of(chain__op6((c), __NR_\([a-z0-9_]*\), \([0-6]\),.*/\1 \2/p' "$builders")
if ((${#oplines[@]} == 0)) ||
	[[ $(sed -e 's,/\*.*\*/,,' "$oplist" | grep -c '^SC_OP(') != "${#oplines[@]}" ]]; then
	echo "check-ops: $oplist: $(grep -c '^SC_OP(' "$oplist") SC_OP entries, ${#oplines[@]} builders written"
	exit 1
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
	' < <(cat "$header" "$builders")
}
declare -A KIND=() PARAMS=() BODY=()
while IFS=$'\t' read -r name kind params body; do
	KIND[$name]=$kind
	PARAMS[$name]=$params
	BODY[$name]=$body
done < <(declarations)

# The prototype as a man page's SYNOPSIS shows it: "struct chain_handle chain_x(struct
# chain *c, a, b);" for a macro builder, the declaration for a function.
prototype() {
	local b=$1 rest
	if [[ ${KIND[$b]} == macro ]]; then
		rest=${PARAMS[$b]#*,}
		[[ ${PARAMS[$b]} == *,* ]] || rest=
		echo "struct chain_handle $b(struct chain *${PARAMS[$b]%%,*}${rest:+,$rest});"
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
inst=$tmpd/inst
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

[[ -f $inst/man/man7/syschain.7 ]] ||
	fail "libchain/Makefile's install rule does not install syschain.7 (written from syschain.7.in)"

# a builder's body: chain_handle_of(chain__op6((c), __NR_<op>, <nargs>, ...))
op_macro='^chain_handle_of\(chain__op6\(\(c\), __NR_([a-z0-9_]+), ([0-6]),'
for l in "${oplines[@]}"; do
	op=${l% *} nargs=${l#* }
	b=chain_$op

	# the builder: one, the generated one
	if [[ $(grep -c "^[[:space:]]*#[[:space:]]*define[[:space:]]*$b(" "$header" "$builders" |
		awk -F: '{ n += $2 } END { print n }') != 1 ]]; then
		fail "$op: $header defines a builder $b of its own; the generated one is the only one"
	elif [[ ! ${BODY[$b]:-} =~ $op_macro || ${BASH_REMATCH[1]} != "$op" ||
		${BASH_REMATCH[2]} != "$nargs" ]]; then
		fail "$op: the generated $b is not chain__op6((c), __NR_$op, $nargs, ...): ${BODY[$b]:-none}"
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

# every public function (libchain.map's global: names but the chain__
# helpers of the macros) and every macro of libchain.h has its page
for f in $(sed -n '/global:/,/local:/s/^[[:space:]]*\(chain_[a-z0-9_]*\);.*/\1/p' libchain/libchain.map) \
	"${!KIND[@]}"; do
	[[ $f == chain__* || -f $mandir/$f.3 ]] || fail "$f: no man page $mandir/$f.3"
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

# syschain(7): written from its template and the list; check what it says
sc7=$tmpd/syschain.7
if ! scripts/gen-man-ops.sh "$oplist" "$mandir/syschain.7.in" >"$sc7"; then
	fail "scripts/gen-man-ops.sh cannot write syschain(7)"
fi
warn=$(man --warnings -l "$sc7" 2>&1 >/dev/null) || fail "man cannot render syschain(7)"
[[ -z $warn ]] || fail "syschain(7) renders with warnings:"$'\n'"$warn"
sc7_list=$(sed -n '/^The module supports/,/^Some uses of these/p' "$sc7")
for op in "${!NARGS[@]}"; do
	grep -Eq "^\.BR? $op( [,;.])?\$" <<<"$sc7_list" || fail "$op: not in syschain(7)'s list of ops"
done
tr -s ' \n' '  ' <"$sc7" | grep -q "supports $n system calls as ops" ||
	fail "syschain(7) does not say 'supports $n system calls as ops'"

if ((status == 0)); then
	echo "check-ops: the $n ops of $oplist: builders, man pages (installed), fidelity tests, README table, syschain(7)"
fi
exit $status
