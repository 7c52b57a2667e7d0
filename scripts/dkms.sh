#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/dkms.sh install|uninstall|status [RELEASE]
# scripts/dkms.sh stage DESTDIR
#
# install    copy the module sources to /usr/src/syschain-<ver>, then
#            dkms add, build and install for RELEASE (system-wide, root)
# uninstall  dkms remove syschain/<ver> --all, remove /usr/src/syschain-<ver>
# status     dkms status for syschain
# stage      copy just what the DKMS build needs (module/, uapi/, dkms.conf,
#            VERSION; no build products) into DESTDIR. Used by the above
#            and by the VM harness (tests/vm/run.sh).
#
# RELEASE defaults to the newest installed linux-headers-<release>-amd64
# (not `uname -r`: the running kernel may have no headers at all).
# SYSCHAIN_SRC=DIR takes module/ and uapi/ from DIR instead of this repo
# (dkms.conf and VERSION too, if DIR has them).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=${SYSCHAIN_SRC:-$REPO_ROOT}
NAME=syschain
VERSION=$(cat "$REPO_ROOT/VERSION")
[[ -f $SRC/VERSION ]] && VERSION=$(cat "$SRC/VERSION")

die() { echo "dkms.sh: $*" >&2; exit 1; }

default_release() {
	dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'linux-headers-*-amd64' 2>/dev/null |
		sed -n 's/^ii *linux-headers-\([0-9][^ ]*-amd64\)$/\1/p' | sort -V | tail -n 1
}

stage() {
	local dest=$1 f
	[[ -d $SRC/module && -d $SRC/uapi ]] || die "$SRC has no module/ or uapi/"
	mkdir -p "$dest"
	tar -C "$SRC" -cf - \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='*.cmd' --exclude='modules.order' \
		--exclude='Module.symvers' --exclude='.tmp_versions' --exclude='*.d' \
		--exclude='*.a' --exclude='.cache.mk' --exclude='*.ko.*' \
		module uapi | tar -C "$dest" -xf -
	for f in dkms.conf VERSION; do
		if [[ -f $SRC/$f ]]; then cp "$SRC/$f" "$dest/"; else cp "$REPO_ROOT/$f" "$dest/"; fi
	done
}

need_root() {
	[[ $(id -u) = 0 ]] || die "'$1' changes /usr/src, /var/lib/dkms and /lib/modules: run it as root"
	command -v dkms >/dev/null || die "dkms is not installed (scripts/deps.sh)"
}

cmd=${1:-}
release=${2:-}
case $cmd in
install)
	need_root install
	[[ -n $release ]] || release=$(default_release)
	[[ -n $release ]] || die "no linux-headers-*-amd64 installed; pass a release"
	srcdir=/usr/src/$NAME-$VERSION
	# Re-installing the same version: drop the old registration first so
	# that dkms picks up the new sources.
	if dkms status -m "$NAME" -v "$VERSION" 2>/dev/null | grep -q .; then
		dkms remove "$NAME/$VERSION" --all
	fi
	rm -rf "$srcdir"
	stage "$srcdir"
	dkms add "$NAME/$VERSION"
	dkms build "$NAME/$VERSION" -k "$release"
	dkms install "$NAME/$VERSION" -k "$release"
	;;
uninstall)
	need_root uninstall
	if dkms status -m "$NAME" -v "$VERSION" 2>/dev/null | grep -q .; then
		dkms remove "$NAME/$VERSION" --all
	else
		echo "dkms.sh: $NAME/$VERSION is not registered with dkms"
	fi
	rm -rf "/usr/src/$NAME-$VERSION"
	;;
status)
	dkms status -m "$NAME" ${release:+-k "$release"}
	;;
stage)
	[[ -n $release ]] || die "usage: $0 stage DESTDIR"
	stage "$release"
	;;
*)
	echo "usage: $0 install|uninstall|status [RELEASE] | stage DESTDIR" >&2
	exit 2
	;;
esac
