#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# chroot-run.sh ROOT [--bind HOSTDIR:CHROOTDIR]... -- COMMAND [ARG]...
#
# Run COMMAND inside the chroot ROOT with /proc, /sys and /dev mounted and
# the given host directories bind-mounted. Everything is unmounted again
# when the command ends, also on failure or signal: the mounts live in a
# private mount namespace (unshare -m) that disappears with this process,
# and a trap unmounts them explicitly as well (which also covers the case
# where unshare is not permitted and we fall back to the host namespace).
set -euo pipefail

usage() { echo "usage: $0 ROOT [--bind SRC:DST]... -- COMMAND..." >&2; exit 2; }

[[ $# -ge 1 ]] || usage
root=$(realpath "$1"); shift
binds=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--bind) binds+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[[ $# -ge 1 ]] || usage
[[ -d $root ]] || { echo "$0: no such chroot: $root" >&2; exit 2; }

# Re-exec in a private mount namespace once, if the kernel lets us.
if [[ -z ${SYSCHAIN_CHROOT_NS:-} ]] && unshare --mount --propagation private true 2>/dev/null; then
	args=("$root")
	for b in "${binds[@]}"; do args+=(--bind "$b"); done
	SYSCHAIN_CHROOT_NS=1 exec unshare --mount --propagation private -- "$0" "${args[@]}" -- "$@"
fi

mounted=()
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mnt() { # mount ARGS... TARGET (target last)
	mount "$@"
	mounted+=("${!#}")
}

mnt -t proc proc "$root/proc"
mnt -t sysfs sysfs "$root/sys"
mnt --rbind /dev "$root/dev"
for b in "${binds[@]}"; do
	src=${b%%:*} dst=${b#*:}
	mkdir -p "$root/$dst"
	mnt --bind "$src" "$root/$dst"
done
if [[ -r /etc/resolv.conf ]]; then
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
fi

# No exec: the trap must run after the command.
rc=0
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
exit "$rc"
