#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# checkpatch and sparse over module/ and uapi/: any finding fails. Then
# the project's own consistency checks: check-ops.sh (everything written
# by hand for an op against module/oplist.h) and check-spdx.sh.
# checkpatch.pl comes from Debian's linux-source-6.1 tarball, extracted
# once into .cache/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in perl git sparse gcc g++ make man; do
	command -v "$tool" >/dev/null ||
		{ echo "lint: $tool not found: run scripts/deps.sh build" >&2; exit 1; }
done
krel=${KERNELRELEASE:-$(scripts/krelease.sh)}
[[ -n $krel && -d ${KDIR:-/lib/modules/$krel/build} ]] ||
	{ echo "lint: no kernel build tree for sparse: run scripts/deps.sh build" >&2; exit 1; }
kdir=${KDIR:-/lib/modules/$krel/build}
cache=${SYSCHAIN_CACHE:-$PWD/.cache}
cp_dir=$cache/checkpatch

if [[ ! -x $cp_dir/scripts/checkpatch.pl ]]; then
	# A glob, not ls: under pipefail a failing ls would end the script
	# before the message that says what to install.
	tarballs=(/usr/src/linux-source-*.tar.xz)
	tarball=
	[[ -f ${tarballs[0]} ]] &&
		tarball=$(printf '%s\n' "${tarballs[@]}" | sort -V | tail -n 1)
	[[ -n $tarball ]] || {
		echo "lint: checkpatch.pl comes from /usr/src/linux-source-*.tar.xz, which is missing:" >&2
		echo "lint: run scripts/deps.sh build (or apt-get install linux-source-6.1)" >&2
		exit 1
	}
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
	# ops.h expands oplist.h into the ops' prototypes, as arch/x86/entry/
	# syscall_64.c declares the syscalls: "__s64 sc_op_X(...);"
	[[ $f == module/ops.h ]] && ignore=(--ignore TRAILING_SEMICOLON)
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

# dkms.conf carries the version as a literal (packaging tools read it
# without sourcing); it must be VERSION's.
dkms_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
if [[ $dkms_version != "$(cat VERSION)" ]]; then
	echo "lint: dkms.conf PACKAGE_VERSION '$dkms_version' is not VERSION's '$(cat VERSION)'"
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
scripts/check-ops.sh || status=1
scripts/check-spdx.sh || status=1

[[ $status == 0 ]] && echo "lint: clean"
exit $status
