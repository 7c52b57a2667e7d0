#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Every git-tracked text file has an "SPDX-License-Identifier:" line in its
# first 5 lines, and every licence its expression names has its text under
# LICENSES/, as in the kernel: a licence L in LICENSES/preferred/<L without
# -only, -or-later or +> whose Valid-License-Identifier lines list L; an
# exception E (after WITH) in LICENSES/exceptions/E, whose SPDX-Licenses
# line lists the licence it modifies.
#
# Exempt, because they cannot carry a comment or are licence statements
# themselves:
#   LICENSE, LICENSES/*     the licence texts and what covers what
#   *.md, NEWS              documents (LICENSE says what covers them)
#   VERSION                 one line, read whole by make and the scripts
#   debian/changelog, debian/copyright, debian/source/format
#   man-page links          a single ".so" line (dh_installman and man-db
#                           only recognise the link on the first line)
# and files that are not text (binary, empty) or not files (symlinks: their
# target is checked).
#
# scripts/check-spdx.sh [FILE...]   (default: every tracked file)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

exempt() {
	case $1 in
	LICENSE | LICENSES/*) return 0 ;;
	*.md | NEWS) return 0 ;;
	VERSION) return 0 ;;
	debian/changelog | debian/copyright | debian/source/format) return 0 ;;
	esac
	if [[ $1 == *.[1-9] && $(head -c 4 -- "$1") == '.so ' ]] &&
		(($(wc -l <"$1") <= 1)); then
		return 0
	fi
	return 1
}

# The value of a "Key: a, b" header line of a licence file, one item a line.
header() {
	sed -n "/^License-Text:/q; s/^$2: *//p" "$1" | tr ',' '\n' | sed 's/^ *//; s/ *$//'
}

# has_line FILE KEY ID: the header KEY of FILE lists ID
has_line() {
	header "$1" "$2" | grep -xF -- "$3" >/dev/null
}

# check_expr FILE EXPR: prints one line per problem
check_expr() {
	local f=$1 expr=$2 tok prev='' lic='' base
	local -a toks
	# tokens: parentheses and words
	read -r -a toks <<<"${expr//[()]/ }"
	((${#toks[@]})) || { echo "$f: empty SPDX-License-Identifier"; return; }
	for tok in "${toks[@]}"; do
		case $tok in
		AND | OR | WITH)
			[[ -n $prev && $prev != AND && $prev != OR && $prev != WITH ]] ||
				echo "$f: '$tok' without a licence before it in '$expr'"
			;;
		*)
			if [[ $prev == WITH ]]; then
				if [[ ! -f LICENSES/exceptions/$tok ]]; then
					echo "$f: exception '$tok' has no LICENSES/exceptions/$tok"
				elif ! has_line "LICENSES/exceptions/$tok" SPDX-Exception-Identifier "$tok"; then
					echo "$f: LICENSES/exceptions/$tok does not declare '$tok'"
				elif ! has_line "LICENSES/exceptions/$tok" SPDX-Licenses "$lic"; then
					echo "$f: exception '$tok' does not apply to '$lic' (LICENSES/exceptions/$tok)"
				fi
			else
				[[ -z $prev || $prev == AND || $prev == OR ]] ||
					echo "$f: '$prev $tok': two licences without an operator in '$expr'"
				lic=$tok
				base=${tok%+}
				base=${base%-only}
				base=${base%-or-later}
				if [[ ! -f LICENSES/preferred/$base ]]; then
					echo "$f: licence '$tok' has no LICENSES/preferred/$base"
				elif ! has_line "LICENSES/preferred/$base" Valid-License-Identifier "$tok"; then
					echo "$f: '$tok' is not a Valid-License-Identifier of LICENSES/preferred/$base"
				fi
			fi
			;;
		esac
		prev=$tok
	done
	case $prev in AND | OR | WITH) echo "$f: '$expr' ends with '$prev'" ;; esac
	local open=${expr//[^(]/} close=${expr//[^)]/}
	[[ ${#open} == "${#close}" ]] || echo "$f: unbalanced parentheses in '$expr'"
}

if (($#)); then
	files=("$@")
else
	mapfile -t files < <(git ls-files)
fi

problems=()
checked=0
for f in "${files[@]}"; do
	[[ -f $f && ! -L $f ]] || continue
	grep -qI '' -- "$f" || continue	# binary or empty
	exempt "$f" && continue
	checked=$((checked + 1))
	line=$(head -n 5 -- "$f" | grep -m 1 'SPDX-License-Identifier:' || true)
	if [[ -z $line ]]; then
		problems+=("$f: no SPDX-License-Identifier: line in its first 5 lines")
		continue
	fi
	expr=${line#*SPDX-License-Identifier:}
	# drop the comment's closing delimiter, if any
	expr=${expr%%\*/*}
	expr=${expr%%-->*}
	read -r expr <<<"$expr" || true	# trim
	while IFS= read -r p; do
		[[ -n $p ]] && problems+=("$p")
	done < <(check_expr "$f" "$expr")
done

if ((${#problems[@]})); then
	printf 'check-spdx: %s\n' "${problems[@]}"
	echo "check-spdx: ${#problems[@]} problem(s) in $checked files checked"
	exit 1
fi
echo "check-spdx: $checked files name their licence, and LICENSES/ has every text"
