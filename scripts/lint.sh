#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# checkpatch and sparse over module/ and uapi/: any finding fails.
# checkpatch.pl comes from Debian's linux-source-6.1 tarball, extracted
# once into .cache/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

krel=${KERNELRELEASE:-$(scripts/krelease.sh)}
kdir=${KDIR:-/lib/modules/$krel/build}
cache=${SYSCHAIN_CACHE:-$PWD/.cache}
cp_dir=$cache/checkpatch

if [[ ! -x $cp_dir/scripts/checkpatch.pl ]]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[[ -n $tarball ]] || { echo "lint: no /usr/src/linux-source-*.tar.xz (apt-get install linux-source-6.1)" >&2; exit 1; }
	top=$(basename "$tarball" .tar.xz)
	rm -rf "$cp_dir.tmp" && mkdir -p "$cp_dir.tmp"
	tar -xJf "$tarball" -C "$cp_dir.tmp" --strip-components=1 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
	rm -rf "$cp_dir" && mv "$cp_dir.tmp" "$cp_dir"
fi

status=0
mapfile -t files < <(git ls-files 'module/*.c' 'module/*.h' 'uapi/*.h')
echo "lint: checkpatch on ${#files[@]} files"
checkpatch() {
	"$cp_dir/scripts/checkpatch.pl" --no-tree --quiet --no-summary --terse "$@" 2>&1
}
for f in "${files[@]}"; do
	# compat.h is the one place allowed to test kernel versions.
	ignore=()
	[[ $f == module/compat.h ]] && ignore=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON)
	# engine_kernel.h expands oplist.h into switch cases: "case X: return f(a);"
	[[ $f == module/engine_kernel.h ]] &&
		ignore=(--ignore MULTISTATEMENT_MACRO_USE_DO_WHILE,TRAILING_SEMICOLON)
	# sched_yield(2) is yield(): the one call checkpatch's YIELD check is wrong about.
	[[ $f == module/ops_process.c ]] && ignore=(--ignore YIELD)
	if ! out=$(checkpatch "${ignore[@]}" -f "$f") || [[ -n $out ]]; then
		echo "lint: checkpatch: $f"
		echo "$out"
		status=1
	fi
done

echo "lint: sparse (C=2) on module/ for $krel"
sparse_out=$(make -s --no-print-directory -C "$kdir" M="$PWD/module" C=2 CHECK=sparse modules 2>&1 |
	grep -Ev '^(Skipping BTF|  (CC|LD|CHECK|MODPOST|BTF))' || true)
if [[ -n $sparse_out ]]; then
	echo "$sparse_out"
	status=1
fi

# The uapi header stands alone, as C90 and as C++.
echo "lint: uapi header standalone (C90, C++)"
for std in "gcc -x c -std=c90 -pedantic" "g++ -x c++ -std=c++11"; do
	if ! printf '#include <linux/syschain.h>\nint main(void) { return sizeof(struct syschain_run) != 80; }\n' |
		$std -Wall -Werror -Iuapi -fsyntax-only - ; then
		echo "lint: uapi/linux/syschain.h does not compile with: $std"
		status=1
	fi
done
scripts/check-readme-ops.sh || status=1
scripts/check-spdx.sh || status=1

[[ $status == 0 ]] && echo "lint: clean"
exit $status
