#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/dkms.sh install [-k RELEASE]
# scripts/dkms.sh uninstall
# scripts/dkms.sh status [-k RELEASE]
# scripts/dkms.sh stage DESTDIR
#
# install    install what a user needs (scripts/deps.sh user), copy the
#            module sources to /usr/src/syschain-<ver>, dkms add, build and
#            install for RELEASE; install the udev rule and create the
#            group "syschain" (root)
# uninstall  dkms remove syschain/<ver> --all, remove /usr/src/syschain-<ver>
#            and the udev rule (the group stays, as packages leave it)
# status     dkms status for syschain
# stage      copy just what the DKMS build needs (module/, uapi/, dkms.conf,
#            VERSION; no build products) into DESTDIR. Used by the above,
#            by the Debian package and by the VM harness (tests/vm/run.sh).
#
# RELEASE defaults to the running kernel (uname -r), as dkms's own default.
# Without its headers (/lib/modules/RELEASE/build) install installs them
# when the package linux-headers-RELEASE exists, and otherwise stops with
# the name of what to install.
# SYSCHAIN_SRC=DIR takes module/ and uapi/ from DIR instead of this repo
# (dkms.conf and VERSION too, if DIR has them).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=${SYSCHAIN_SRC:-$REPO_ROOT}
NAME=syschain
VERSION=$(cat "$REPO_ROOT/VERSION")
[[ -f $SRC/VERSION ]] && VERSION=$(cat "$SRC/VERSION")
UDEV_RULE=60-syschain.rules
UDEV_DEST=/etc/udev/rules.d/$UDEV_RULE

die() { echo "dkms.sh: $*" >&2; exit 1; }

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
	[[ $(id -u) = 0 ]] || die "'$1' changes /usr/src, /var/lib/dkms, /lib/modules and /etc/udev: run it as root"
}

# The kernel build tree of $1, installing Debian's headers package for it
# when there is one.
need_headers() {
	local rel=$1 pkg=linux-headers-$1
	[[ -d /lib/modules/$rel/build ]] && return 0
	if apt-cache show "$pkg" >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-cache show "$pkg" >/dev/null 2>&1; }; then
		echo "dkms.sh: installing $pkg (the headers of kernel $rel)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg" ||
			die "apt-get install $pkg failed"
		[[ -d /lib/modules/$rel/build ]] && return 0
	fi
	die "no headers for kernel $rel (/lib/modules/$rel/build is missing): install $pkg," \
		"or your distribution's headers package for $rel, or choose a kernel that has them (make dkms-install KERNELRELEASE=RELEASE, scripts/dkms.sh install -k RELEASE)"
}

install_udev() {
	install -D -m 0644 "$REPO_ROOT/udev/$UDEV_RULE" "$UDEV_DEST"
	if ! getent group syschain >/dev/null; then
		groupadd --system syschain
		echo "dkms.sh: created the group syschain; add users with: usermod -aG syschain USER"
	fi
	if command -v udevadm >/dev/null && [[ -d /run/udev ]]; then
		udevadm control --reload || true
		[[ -e /sys/class/misc/syschain ]] && udevadm trigger --sysname-match=syschain || true
	fi
}

cmd=${1:-}
shift || true
release=
if [[ $cmd != stage ]]; then
	while (($#)); do
		case $1 in
		-k) [[ $# -ge 2 && -n $2 ]] || die "-k needs a kernel release"; release=$2; shift 2 ;;
		*) die "unknown argument '$1' (usage: $0 $cmd [-k RELEASE])" ;;
		esac
	done
fi

case $cmd in
install)
	need_root install
	"$REPO_ROOT/scripts/deps.sh" -q user
	[[ -n $release ]] || release=$(uname -r)
	need_headers "$release"
	srcdir=/usr/src/$NAME-$VERSION
	# Re-installing the same version: drop the old registration first so
	# that dkms picks up the new sources.
	if dkms status -m "$NAME" -v "$VERSION" 2>/dev/null | grep . >/dev/null; then
		dkms remove "$NAME/$VERSION" --all
	fi
	rm -rf "$srcdir"
	stage "$srcdir"
	dkms add "$NAME/$VERSION"
	rc=0
	dkms build "$NAME/$VERSION" -k "$release" || rc=$?
	((rc != 77)) || die "dkms: syschain $VERSION is not built for kernel $release" \
		"(BUILD_EXCLUSIVE in dkms.conf: x86_64, 6.1 or later)"
	((rc == 0)) || die "dkms build failed (exit $rc): see /var/lib/dkms/$NAME/$VERSION/build/make.log"
	dkms install "$NAME/$VERSION" -k "$release"
	install_udev
	echo "dkms.sh: installed for $release; load it with: modprobe syschain" \
		"(opening /dev/syschain also loads it once the node exists)"
	;;
uninstall)
	need_root uninstall
	if command -v dkms >/dev/null && dkms status -m "$NAME" -v "$VERSION" 2>/dev/null | grep . >/dev/null; then
		dkms remove "$NAME/$VERSION" --all
	else
		echo "dkms.sh: $NAME/$VERSION is not registered with dkms"
	fi
	rm -rf "/usr/src/$NAME-$VERSION"
	rm -f "$UDEV_DEST"
	;;
status)
	command -v dkms >/dev/null || die "dkms is not installed (scripts/deps.sh user)"
	dkms status -m "$NAME" ${release:+-k "$release"}
	;;
stage)
	[[ $# -eq 1 && -n $1 ]] || die "usage: $0 stage DESTDIR"
	stage "$1"
	;;
*)
	echo "usage: $0 install|uninstall|status [-k RELEASE] | stage DESTDIR" >&2
	exit 2
	;;
esac
