#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/deps.sh [-q] [-n] SET...
#
# Install the Debian 12 packages a set of targets needs; does nothing when
# all are present. As root it runs apt-get; otherwise it prints the command
# and exits 1. -q: quiet when nothing is missing. -n: only say what is
# missing (exit 1 if anything is).
#
# The sets (what each target declares in the Makefile):
#   user   build and install the module with DKMS and libchain:
#          make dkms-install, make install. The running kernel's headers
#          are scripts/dkms.sh's business (it names the package).
#   build  the host half of make check: module against Debian 12's
#          headers, libchain, examples, unit tests, lint, install test
#   vm     the QEMU guest harness (tests/vm/run.sh)
#   deb    make deb
#   bench  make bench
#   arm64  the arm64 cross-build (make check-arm64-build): the cross
#          binutils, qemu-user for its smoke run, and what
#          scripts/arm64-root.sh needs to extract the rest. The cross compiler (gcc-12-aarch64-linux-gnu declares
#          Conflicts: gcc-multilib, which build needs), the arm64 kernel
#          headers (their linux-compiler-gcc-12-arm wants gcc-12:arm64)
#          and a static cmocka (libcmocka-dev has none) cannot be installed
#          here beside the build set: scripts/arm64-root.sh extracts them
#          from Debian's packages into .cache/arm64 instead.
#   vm-arm64  the arm64 guest of the harness (tests/vm/run.sh --kernel
#          6.1-arm64, make check-vm KERNELS=6.1-arm64): qemu-system-aarch64
#   all    every set
#
# A minimal root (debootstrap --variant=minbase) has none of these; `make
# check-fresh` proves on such a root that the lists are complete.
set -euo pipefail

declare -A SETS=(
	[user]="gcc make libc6-dev pkg-config dkms kmod"
	[build]="gcc g++ make libc6-dev pkg-config gcc-multilib linux-headers-amd64
		libelf-dev dwarves bc sparse linux-source-6.1 xz-utils perl git
		libcmocka-dev man-db groff-base binutils file valgrind"
	[vm]="qemu-system-x86 busybox-static cpio debootstrap zstd xz-utils kmod
		flex bison libssl-dev bc
		dkms openssl util-linux coreutils udev"
	[deb]="build-essential debhelper dh-dkms dpkg-dev fakeroot lintian"
	[bench]="liburing-dev hyperfine gnuplot-nox python3"
	[arm64]="binutils-aarch64-linux-gnu qemu-user-static xz-utils"
	[vm-arm64]="qemu-system-arm"
)

quiet=0
dry=0
names=()
while (($#)); do
	case $1 in
	-q) quiet=1 ;;
	-n) dry=1 ;;
	all) names+=(user build vm deb bench arm64 vm-arm64) ;;
	-*) echo "deps.sh: unknown option $1" >&2; exit 2 ;;
	*)
		[[ -n ${SETS[$1]:-} ]] || { echo "deps.sh: unknown set '$1' (user build vm deb bench arm64 vm-arm64 all)" >&2; exit 2; }
		names+=("$1")
		;;
	esac
	shift
done
((${#names[@]})) || { echo "usage: scripts/deps.sh [-q] [-n] user|build|vm|deb|bench|arm64|vm-arm64|all..." >&2; exit 2; }

declare -A want=()
for s in "${names[@]}"; do
	for p in ${SETS[$s]}; do want[$p]=1; done
done
mapfile -t packages < <(printf '%s\n' "${!want[@]}" | sort)

# One dpkg-query for all; unknown packages are simply not listed.
declare -A installed=()
while read -r status name; do
	[[ $status == ii ]] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
	[[ -n ${installed[$p]:-} ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	((quiet)) || echo "deps.sh: ${names[*]}: all ${#packages[@]} packages installed"
	exit 0
fi

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if ((dry)) || [[ $(id -u) != 0 ]]; then
	echo "deps.sh: missing packages (${names[*]}): ${missing[*]}" >&2
	echo "deps.sh: as root, run:" >&2
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${cmd[*]}" >&2
	exit 1
fi

echo "deps.sh: installing (${names[*]}): ${missing[*]}"
apt-get update -q || { echo "deps.sh: apt-get update failed: check /etc/apt/sources.list*" >&2; exit 1; }
DEBIAN_FRONTEND=noninteractive "${cmd[@]}" ||
	{ echo "deps.sh: apt-get install ${missing[*]} failed" >&2; exit 1; }
