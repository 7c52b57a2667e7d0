# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared helpers of the VM harness: kernel provisioning (cached under
# $SYSCHAIN_CACHE, default <repo>/.cache) and the private DKMS build.
# Sourced by tests/vm/run.sh; expects `set -euo pipefail`.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$VM_DIR/../.." && pwd)
CACHE=${SYSCHAIN_CACHE:-$REPO_ROOT/.cache}
VM_CACHE=$CACHE/vm
# Packages for building the module inside the Debian 13 chroot.
TRIXIE_PACKAGES=(gcc-14 make libelf-dev dwarves dkms linux-headers-amd64)

msg() { printf 'syschain-vm[host]: %s\n' "$*" >&2; }
die() { msg "ERROR: $*"; exit 1; }

# Hold an exclusive lock on $VM_CACHE/$1.lock while running "${@:2}", so
# that parallel runs do not provision the same thing twice.
with_lock() {
	local name=$1; shift
	mkdir -p "$VM_CACHE"
	(
		flock 9
		"$@"
	) 9>"$VM_CACHE/$name.lock"
}

# debootstrap --variant=minbase CODENAME into DIR, from the Debian archive
# and through the proxy of this machine's apt configuration, then give DIR
# the same suites (updates, security) with CODENAME's names.
debian_bootstrap() {
	local codename=$1 dir=$2 logf=$3 mirror proxy
	mirror=$("$REPO_ROOT/scripts/apt-mirror.sh" mirror) || die "no Debian mirror in apt's configuration"
	proxy=$("$REPO_ROOT/scripts/apt-mirror.sh" proxy)
	# debootstrap mounts /proc etc. in the target itself; a private mount
	# namespace guarantees nothing leaks if it is interrupted.
	http_proxy=${proxy:-${http_proxy:-}} unshare --mount --propagation private -- \
		debootstrap --variant=minbase "$codename" "$dir" "$mirror" >"$logf" 2>&1 ||
		{ tail -n 30 "$logf" >&2; die "debootstrap $codename failed (log: $logf)"; }
	"$REPO_ROOT/scripts/apt-mirror.sh" sources "$codename" >"$dir/etc/apt/sources.list"
	[[ -z $proxy ]] || printf 'Acquire::http::Proxy "%s";\n' "$proxy" >"$dir/etc/apt/apt.conf.d/01proxy"
	"$VM_DIR/chroot-run.sh" "$dir" -- apt-get update -q >>"$logf" 2>&1 ||
		{ tail -n 30 "$logf" >&2; die "apt-get update in the $codename root failed (log: $logf)"; }
}

# Newest installed linux-headers-<release>-amd64 package, as <release>.
# $1: optional chroot directory to look into instead of the host.
headers_release() {
	local admindir=()
	[[ -n ${1:-} ]] && admindir=(--admindir="$1/var/lib/dpkg")
	dpkg-query "${admindir[@]}" -W -f '${db:Status-Abbrev} ${Package}\n' 'linux-headers-*-amd64' 2>/dev/null |
		sed -n 's/^ii *linux-headers-\([0-9][^ ]*-amd64\)$/\1/p' | sort -V | tail -n 1
}

# Extract /boot of a linux-image .deb into $2 and check for vmlinuz.
# Only ./boot is unpacked (what `dpkg -x` would give minus ~400 MB of
# modules the guest never needs).
unpack_kernel_deb() {
	local deb=$1 dest=$2 release=$3 tmp
	tmp=$(mktemp -d "$dest.tmp.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./boot
	[[ -f $tmp/boot/vmlinuz-$release ]] || die "$deb has no /boot/vmlinuz-$release"
	rm -rf "$dest"
	mv "$tmp" "$dest"
}

# --- series 6.1: the host's own Debian 12 headers -------------------------
provision_6_1() {
	VM_RELEASE=$(headers_release)
	[[ -n $VM_RELEASE ]] || die "no linux-headers-*-amd64 installed (run scripts/deps.sh)"
	VM_HEADERS=/usr/src/linux-headers-$VM_RELEASE
	[[ -d $VM_HEADERS ]] || die "missing $VM_HEADERS"
	VM_CHROOT=
	local kdir=$VM_CACHE/kernels/$VM_RELEASE
	VM_VMLINUZ=$kdir/boot/vmlinuz-$VM_RELEASE
	[[ -f $VM_VMLINUZ ]] && return 0
	with_lock kernels _fetch_6_1 "$kdir"
}

_fetch_6_1() {
	local kdir=$1 dl
	[[ -f $VM_VMLINUZ ]] && return 0
	msg "downloading linux-image-$VM_RELEASE-unsigned"
	mkdir -p "$VM_CACHE/kernels"
	dl=$(mktemp -d "$VM_CACHE/kernels/dl.XXXXXX")
	(cd "$dl" && apt-get download -q -o APT::Sandbox::User=root \
		"linux-image-$VM_RELEASE-unsigned") ||
		{ rm -rf "$dl"; die "apt-get download linux-image-$VM_RELEASE-unsigned failed"; }
	unpack_kernel_deb "$dl"/linux-image-*.deb "$kdir" "$VM_RELEASE"
	rm -rf "$dl"
}

# --- series 6.12: Debian 13 (trixie) in a cached chroot -------------------
provision_6_12() {
	VM_CHROOT=$VM_CACHE/trixie
	[[ -f $VM_CHROOT/.syschain-ready ]] || with_lock trixie _make_trixie_chroot
	VM_RELEASE=$(headers_release "$VM_CHROOT")
	[[ -n $VM_RELEASE ]] || die "no linux-headers-*-amd64 in $VM_CHROOT"
	VM_HEADERS=/usr/src/linux-headers-$VM_RELEASE # inside the chroot
	local kdir=$VM_CACHE/kernels/$VM_RELEASE
	VM_VMLINUZ=$kdir/boot/vmlinuz-$VM_RELEASE
	[[ -f $VM_VMLINUZ ]] && return 0
	with_lock kernels _fetch_6_12 "$kdir"
}

_make_trixie_chroot() {
	[[ -f $VM_CHROOT/.syschain-ready ]] && return 0
	[[ $(id -u) = 0 ]] || die "creating the trixie chroot needs root"
	command -v debootstrap >/dev/null || die "debootstrap missing (run scripts/deps.sh)"
	local tmp=$VM_CHROOT.tmp
	rm -rf "$tmp"
	msg "creating Debian 13 chroot in $VM_CHROOT (once; takes a few minutes)"
	debian_bootstrap trixie "$tmp" "$VM_CACHE/debootstrap.log"
	# In trixie linux-headers-<rel>-amd64 depends on linux-image-<rel>-amd64
	# OR its -unsigned twin. Name the unsigned one so that apt does not pull
	# in the signed image as well; its vmlinuz is the one we boot.
	local rel
	rel=$("$VM_DIR/chroot-run.sh" "$tmp" -- apt-cache depends linux-headers-amd64 |
		sed -n 's/^ *Depends: linux-headers-\([0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
	[[ -n $rel ]] || die "cannot resolve linux-headers-amd64 in trixie"
	msg "installing ${TRIXIE_PACKAGES[*]} linux-image-$rel-unsigned into the chroot"
	"$VM_DIR/chroot-run.sh" "$tmp" -- apt-get install -q -y --no-install-recommends \
		"${TRIXIE_PACKAGES[@]}" "linux-image-$rel-unsigned" >"$VM_CACHE/trixie-apt.log" 2>&1 ||
		{ tail -n 30 "$VM_CACHE/trixie-apt.log" >&2; die "apt-get install in chroot failed"; }
	"$VM_DIR/chroot-run.sh" "$tmp" -- apt-get clean
	touch "$tmp/.syschain-ready"
	mv "$tmp" "$VM_CHROOT"
}

_fetch_6_12() {
	local kdir=$1
	[[ -f $VM_VMLINUZ ]] && return 0
	# Normally the chroot has the -unsigned image installed (see above).
	if [[ -f $VM_CHROOT/boot/vmlinuz-$VM_RELEASE ]] &&
		dpkg-query --admindir="$VM_CHROOT/var/lib/dpkg" -W -f '${db:Status-Abbrev}' \
			"linux-image-$VM_RELEASE-unsigned" 2>/dev/null | grep '^ii' >/dev/null; then
		mkdir -p "$kdir.tmp/boot"
		cp "$VM_CHROOT/boot/vmlinuz-$VM_RELEASE" "$VM_CHROOT/boot/config-$VM_RELEASE" "$kdir.tmp/boot/"
		rm -rf "$kdir"
		mv "$kdir.tmp" "$kdir"
		return 0
	fi
	msg "downloading linux-image-$VM_RELEASE-unsigned (trixie)"
	rm -rf "$VM_CHROOT/var/tmp/kimage"
	mkdir -p "$VM_CHROOT/var/tmp/kimage"
	"$VM_DIR/chroot-run.sh" "$VM_CHROOT" -- sh -c \
		"cd /var/tmp/kimage && apt-get download -q -o APT::Sandbox::User=root linux-image-$VM_RELEASE-unsigned" ||
		die "apt-get download linux-image-$VM_RELEASE-unsigned failed in chroot"
	mkdir -p "$VM_CACHE/kernels"
	unpack_kernel_deb "$VM_CHROOT"/var/tmp/kimage/linux-image-*.deb "$kdir" "$VM_RELEASE"
	rm -rf "$VM_CHROOT/var/tmp/kimage"
}

# --- series 6.1-san: Debian's 6.1 source with KASAN, UBSAN, lockdep -------
# Built once per source version and san.config (a few tens of minutes on two
# cores), cached in $VM_CACHE/san/<key>; the module builds against that tree.
provision_6_1_san() {
	local tarball key
	tarball=/usr/src/linux-source-6.1.tar.xz
	[[ -f $tarball ]] || die "no $tarball (run scripts/deps.sh build)"
	key=$( { dpkg-query -W -f '${Version}' linux-source-6.1; cat "$VM_DIR/san.config"; } |
		md5sum | cut -c1-12)
	VM_SAN=$VM_CACHE/san/$key
	[[ -f $VM_SAN/.syschain-ready ]] || with_lock san _build_san_kernel "$tarball"
	VM_RELEASE=$(cat "$VM_SAN/release")
	VM_HEADERS=$VM_SAN/obj
	VM_CHROOT=
	VM_VMLINUZ=$VM_SAN/boot/vmlinuz-$VM_RELEASE
}

_build_san_kernel() {
	local tarball=$1 src obj t0=$SECONDS rel
	[[ -f $VM_SAN/.syschain-ready ]] && return 0
	for tool in flex bison bc make gcc; do
		command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh vm)"
	done
	rm -rf "$VM_SAN"
	mkdir -p "$VM_SAN"
	src=$VM_SAN/src
	obj=$VM_SAN/obj
	msg "building the sanitizer kernel (KASAN, UBSAN, lockdep) in $VM_SAN, once"
	mkdir -p "$src" "$obj"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	{
		make -C "$src" O="$obj" tinyconfig &&
			"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$VM_DIR/san.config" &&
			make -C "$src" O="$obj" olddefconfig &&
			make -C "$src" O="$obj" -j"$(nproc)" all
	} >"$VM_SAN/build.log" 2>&1 ||
		{ tail -n 40 "$VM_SAN/build.log" >&2; die "sanitizer kernel build failed (log: $VM_SAN/build.log)"; }
	for o in KASAN UBSAN PROVE_LOCKING DEBUG_ATOMIC_SLEEP KFENCE MODULES; do
		grep -qx "CONFIG_$o=y" "$obj/.config" || die "sanitizer kernel: CONFIG_$o is not set (san.config)"
	done
	# (--no-print-directory: under a parent make, MAKELEVEL turns -w on)
	rel=$(make -s --no-print-directory -C "$src" O="$obj" kernelrelease)
	[[ $rel =~ ^[0-9][A-Za-z0-9.+_-]*$ ]] || die "sanitizer kernel: bad release '$rel'"
	mkdir -p "$VM_SAN/boot"
	cp "$obj/arch/x86/boot/bzImage" "$VM_SAN/boot/vmlinuz-$rel"
	cp "$obj/.config" "$VM_SAN/boot/config-$rel"
	echo "$rel" >"$VM_SAN/release"
	rm -rf "$src/Documentation"
	msg "sanitizer kernel $rel built in $((SECONDS - t0))s"
	touch "$VM_SAN/.syschain-ready"
}

# --- series 6.1-arm64: Debian 12's arm64 kernel, under qemu-system-aarch64 -
# The ABI of the arm64 cross-build (scripts/arm64-root.sh, .cache/arm64/env:
# the module is built against its headers by make module-arm64). The kernel
# image and busybox-static:arm64 come through that script's private apt
# state at the headers' version; as for 6.1, only the image's /boot is
# unpacked, to .cache/vm/kernels/<release>/, and busybox to
# .cache/vm/kernels/<release>/busybox. No modules: what an initramfs guest
# on QEMU's virt machine needs (the PL011 serial console, PSCI power-off,
# tmpfs, devtmpfs) is built into Debian's arm64 kernel.
provision_6_1_arm64() {
	local env=$CACHE/arm64/env kver
	"$REPO_ROOT/scripts/arm64-root.sh" -q >&2 || die "scripts/arm64-root.sh failed"
	VM_RELEASE=$(sed -n 's/^ARM64_KREL := //p' "$env")
	kver=$(sed -n 's/^ARM64_KVER := //p' "$env")
	[[ -n $VM_RELEASE && -n $kver ]] || die "$env names no ARM64_KREL and ARM64_KVER"
	VM_HEADERS=$(sed -n 's/^ARM64_KDIR := //p' "$env")
	VM_CHROOT=
	local kdir=$VM_CACHE/kernels/$VM_RELEASE
	VM_VMLINUZ=$kdir/boot/vmlinuz-$VM_RELEASE
	VM_BUSYBOX=$kdir/busybox
	[[ -f $VM_VMLINUZ && -x $VM_BUSYBOX ]] && return 0
	with_lock kernels _fetch_6_1_arm64 "$kdir" "$kver"
}

_fetch_6_1_arm64() {
	local kdir=$1 kver=$2 dl bb
	[[ -f $VM_VMLINUZ && -x $VM_BUSYBOX ]] && return 0
	msg "downloading linux-image-$VM_RELEASE-unsigned $kver and busybox-static (arm64)"
	mkdir -p "$VM_CACHE/kernels"
	dl=$(mktemp -d "$VM_CACHE/kernels/dl.XXXXXX")
	"$REPO_ROOT/scripts/arm64-root.sh" --download "$dl" \
		"linux-image-$VM_RELEASE-unsigned:arm64=$kver" busybox-static:arm64 >&2 ||
		{ rm -rf "$dl"; die "downloading the arm64 kernel and busybox failed"; }
	unpack_kernel_deb "$dl"/linux-image-*.deb "$kdir" "$VM_RELEASE"
	bb=$dl/busybox
	mkdir -p "$bb"
	dpkg-deb -x "$dl"/busybox-static_*.deb "$bb"
	[[ -f $bb/bin/busybox ]] || die "busybox-static:arm64 has no /bin/busybox"
	install -m 0755 "$bb/bin/busybox" "$kdir/busybox"
	rm -rf "$dl"
}

# The architecture a series boots: x86_64 or arm64.
series_arch() {
	case $1 in
	*-arm64) echo arm64 ;;
	*) echo x86_64 ;;
	esac
}

# provision_kernel SERIES: sets VM_RELEASE, VM_VMLINUZ, VM_HEADERS (as seen
# by the build environment), VM_CHROOT (empty = build on the host) and
# for arm64 VM_BUSYBOX, the guest's busybox.
provision_kernel() {
	case $1 in
	6.1) provision_6_1 ;;
	6.12) provision_6_12 ;;
	6.1-san) provision_6_1_san ;;
	6.1-arm64) provision_6_1_arm64 ;;
	*) die "unknown kernel series '$1' (expected 6.1, 6.12, 6.1-san or 6.1-arm64)" ;;
	esac
}
