#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install the Debian 12 packages this project needs (build, DKMS, VM
# harness, tests, benchmarks, docs). Does nothing when all are present.
# As root it runs apt-get; otherwise it prints the command and exits 1.
set -euo pipefail

PACKAGES=(
	build-essential gcc-multilib linux-headers-amd64 dkms kmod pkg-config libelf-dev
	dwarves bc sparse
	qemu-system-x86 busybox-static cpio debootstrap zstd xz-utils
	libcmocka-dev liburing-dev
	hyperfine gnuplot-nox
	man-db groff-base
)

# One dpkg-query for all; unknown packages are simply not listed.
declare -A installed=()
while read -r status name; do
	[[ $status == ii ]] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' "${PACKAGES[@]}" 2>/dev/null || true)
missing=()
for p in "${PACKAGES[@]}"; do
	[[ -n ${installed[$p]:-} ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	[[ ${1:-} == -q ]] || echo "deps.sh: all ${#PACKAGES[@]} packages installed"
	exit 0
fi

cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [[ $(id -u) != 0 ]]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root:" >&2
	echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${cmd[*]}" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive "${cmd[@]}"
