#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/check-symbols.sh KO [SYMVERS]
#
# What the module KO imports (make check-symbols, make check-symbols-arm64):
#
#   - never a syscall entry point or a lookup trick: the syscall table, the
#     syscall wrappers of x86 (__x64_sys_*, __ia32_sys_*) and arm64
#     (__arm64_sys_*, __arm64_compat_sys_*), their bodies (__do_sys_*,
#     __se_sys_*), ksys_*, kallsyms_lookup_name, kprobes;
#   - with SYMVERS, the Module.symvers of the kernel it is for: only what
#     that kernel exports. modpost checks this when it links the module;
#     this checks the .ko as it is, for any kernel's list (the arm64 one).
#
# NM: the nm that reads KO (the cross one for another architecture).
set -euo pipefail

(($# == 1 || $# == 2)) || { echo "usage: $0 KO [SYMVERS]" >&2; exit 2; }
ko=$1
symvers=${2:-}
nm=${NM:-nm}
forbidden='^(sys_call_table|__x64_sys_|__ia32_sys_|__arm64_sys_|__arm64_compat_sys_|__do_sys_|__se_sys_|ksys_|kallsyms_lookup_name$|register_kprobe$|register_kretprobe$)'

imports=$("$nm" -u "$ko" | awk '{print $2}')
name=${ko##*/}
bad=$(grep -E "$forbidden" <<<"$imports" || true)
if [[ -n $bad ]]; then
	echo "check-symbols: $name imports forbidden symbols:"
	echo "$bad"
	exit 1
fi
echo "check-symbols: $name imports no syscall entry point ($(grep -c . <<<"$imports") symbols checked)"

[[ -n $symvers ]] || exit 0
[[ -f $symvers ]] || { echo "check-symbols: no $symvers"; exit 1; }
missing=$(comm -23 <(sort -u <<<"$imports") <(awk '{print $2}' "$symvers" | sort -u))
if [[ -n $missing ]]; then
	echo "check-symbols: $name imports what $symvers does not export:"
	echo "$missing"
	exit 1
fi
echo "check-symbols: $symvers exports every one"
