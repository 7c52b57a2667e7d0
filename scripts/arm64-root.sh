#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/arm64-root.sh [-q]
# scripts/arm64-root.sh --download DIR PKG[=VERSION]...
#
# The arm64 cross-build tree (issue 17) in .cache/arm64/ (SYSCHAIN_CACHE),
# for make module-arm64 and make arm64 (scripts/arm64.mk): Debian 12's
# packages, extracted with dpkg-deb -x into one root, root/, rather than
# installed, because apt cannot install them on the amd64 machine beside
# scripts/deps.sh's build set:
#
#   the cross compiler   gcc-12-aarch64-linux-gnu declares Conflicts:
#                        gcc-multilib, which the build set needs (the
#                        32-bit caller of tests/compat). So the compiler
#                        is extracted with what it finds relative to
#                        itself: cpp, the arm64 C library and libgcc (the
#                        *-arm64-cross packages). binutils-aarch64-linux-gnu
#                        installs (deps.sh arm64): the root links to it.
#   the kernel headers   linux-headers-<abi>-arm64 is an arm64 package;
#                        its linux-compiler-gcc-12-arm wants gcc-12:arm64,
#                        which cannot sit beside gcc-12:amd64. Extracted
#                        with linux-headers-<abi>-common and the amd64
#                        linux-kbuild-6.1 (fixdep, modpost) it points to.
#   cmocka, static       libcmocka-dev has no libcmocka.a (shared only), and
#                        the guest tests are linked statically (the guest
#                        has no arm64 libraries): cmocka.c from Debian's
#                        source package, built with the cross compiler.
#
# The packages come from the machine's own apt sources through a private
# apt state in .cache/arm64/apt (lists with arm64 added, downloads): the
# machine's apt lists, dpkg database and architectures are not changed.
# The headers are those of Debian 12's current ABI, the one that
# linux-headers-arm64 depends on; ARM64_ABI=6.1.0-N picks another.
#
# Writes .cache/arm64/env (make syntax, read by scripts/arm64.mk):
# ARM64_KREL (6.1.0-N-arm64), ARM64_KVER (the Debian version of its
# packages), ARM64_KDIR (its build tree), ARM64_CROSS (the CROSS_COMPILE
# prefix, absolute). Does nothing when env is there and names the same ABI.
# -q: quiet then.
#
# --download DIR PKG[=VERSION]...: apt-get download the packages (arm64
# ones as PKG:arm64) into DIR through the same private apt state, as it was
# last updated: what the arm64 guest of tests/vm/run.sh boots (the kernel
# image, busybox-static) comes from the same index as the headers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quiet=0
download=
case ${1:-} in
-q) quiet=1 ;;
--download)
	[[ $# -ge 3 ]] || { echo "usage: $0 --download DIR PKG[=VERSION]..." >&2; exit 2; }
	download=$(realpath "$2")
	shift 2
	;;
esac
cache=${SYSCHAIN_CACHE:-$PWD/.cache}/arm64
apt_dir=$cache/apt
root=$cache/root
env_file=$cache/env
target=aarch64-linux-gnu

say() { echo "arm64-root: $*"; }
die() { echo "arm64-root: $*" >&2; exit 1; }

for tool in apt-get apt-cache dpkg dpkg-deb tar xz; do
	command -v "$tool" >/dev/null ||
		die "$tool not found: run scripts/deps.sh arm64"
done

# A private apt state: the machine's sources (deb and, for cmocka,
# deb-src), the machine's native architecture and arm64.
native=$(dpkg --print-architecture)
mkdir -p "$apt_dir/etc/sources.list.d" "$apt_dir/lists/partial" \
	"$apt_dir/cache/archives/partial" "$apt_dir/debs" "$apt_dir/src"
write_sources() {
	local f
	: >"$apt_dir/etc/sources.list"
	if [[ -f /etc/apt/sources.list ]]; then
		awk '$1 == "deb" { print; $1 = "deb-src"; print }' \
			/etc/apt/sources.list >"$apt_dir/etc/sources.list"
	fi
	rm -f "$apt_dir/etc/sources.list.d/"*
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		case $f in
		*.list) awk '$1 == "deb" { print; $1 = "deb-src"; print }' "$f" ;;
		*.sources) sed -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb deb-src/' "$f" ;;
		esac >"$apt_dir/etc/sources.list.d/${f##*/}"
	done
}
apt_opts=(
	-o Dir::Etc::SourceList="$apt_dir/etc/sources.list"
	-o Dir::Etc::SourceParts="$apt_dir/etc/sources.list.d"
	-o Dir::State::Lists="$apt_dir/lists"
	-o Dir::Cache="$apt_dir/cache"
	-o APT::Architecture="$native"
	-o APT::Architectures::="$native"
	-o APT::Architectures::=arm64
	-o Acquire::Languages=none
	-o APT::Sandbox::User=root
	-q
)
papt_get() { apt-get "${apt_opts[@]}" "$@"; }
papt_cache() { apt-cache "${apt_opts[@]}" "$@"; }

if [[ -n $download ]]; then
	if [[ ! -f $env_file ]] || ! compgen -G "$apt_dir/lists/*_Packages*" >/dev/null; then
		die "no private apt state in $apt_dir: run scripts/arm64-root.sh first"
	fi
	(cd "$download" && papt_get download "$@") ||
		die "apt-get download $* failed"
	exit 0
fi

# Up to date? Made by this script as it is now, for the ABI asked for (or
# the one of the last run).
self=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
if [[ -f $env_file && -f $cache/stamp ]]; then
	have=$(sed -n 's/^ARM64_KREL := \(.*\)-arm64$/\1/p' "$env_file")
	if [[ -z ${ARM64_ABI:-} || ${ARM64_ABI} == "$have" ]] &&
		[[ -d $root/usr/src/linux-headers-$have-arm64 ]] &&
		[[ $(sed -n 's/.*, script \([0-9a-f]*\)$/\1/p' "$cache/stamp") == "$self" ]]; then
		((quiet)) || say "up to date: $(cat "$cache/stamp")"
		exit 0
	fi
fi

write_sources
say "apt-get update (private state in $apt_dir: the machine's sources, $native and arm64)"
papt_get update >"$apt_dir/update.log" 2>&1 || {
	tail -n 20 "$apt_dir/update.log" >&2
	die "apt-get update failed: do the machine's apt sources serve arm64 (and deb-src)?"
}

# The ABI: linux-headers-arm64's dependency, unless ARM64_ABI says.
abi=${ARM64_ABI:-}
if [[ -z $abi ]]; then
	abi=$(papt_cache depends linux-headers-arm64:arm64 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\([0-9.]*-[0-9]*\)-arm64.*/\1/p' | head -n 1)
	[[ -n $abi ]] || die "no linux-headers-arm64 in the arm64 index"
fi
krel=$abi-arm64
candidate() {
	papt_cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n 1
}
kver=$(candidate "linux-headers-$krel:arm64")
[[ -n $kver && $kver != "(none)" ]] || die "no linux-headers-$krel in the arm64 index"
# linux-kbuild-6.1 for 6.1.0-N: the series, major.minor
kbuild=linux-kbuild-$(echo "$abi" | cut -d. -f1,2)

# The packages, each at its candidate version (the kernel's at the
# headers' version: kbuild's tools must be that build's).
pkgs=(
	"linux-headers-$krel:arm64=$kver"
	"linux-headers-$abi-common=$kver"
	"$kbuild:$native=$kver"
)
for p in gcc-12-$target cpp-12-$target gcc-12-$target-base \
	libc6-dev-arm64-cross libc6-arm64-cross libgcc-12-dev-arm64-cross \
	libgcc-s1-arm64-cross linux-libc-dev:arm64; do
	v=$(candidate "$p")
	[[ -n $v && $v != "(none)" ]] || die "no $p in the machine's apt sources"
	pkgs+=("$p=$v")
done

say "downloading ${#pkgs[@]} packages into $apt_dir/debs"
rm -f "$apt_dir/debs/"*.deb
(cd "$apt_dir/debs" && papt_get download "${pkgs[@]}" >"$apt_dir/download.log" 2>&1) || {
	tail -n 20 "$apt_dir/download.log" >&2
	die "apt-get download failed"
}

# One root, made aside and moved in place when complete.
tmp=$cache/root.tmp
rm -rf "$tmp" && mkdir -p "$tmp"
for deb in "$apt_dir/debs/"*.deb; do
	case ${deb##*/} in
	linux-libc-dev_*) ;;	# below
	*) dpkg-deb -x "$deb" "$tmp" ;;
	esac
done
# The kernel's uapi headers: linux-libc-dev:arm64, the kernel's own
# version, as the amd64 build has them (linux-libc-dev-arm64-cross, which
# the cross C library was built with, is bookworm's first 6.1 and lacks
# what later ones added, __aligned_s64 among them), into the cross
# include directory.
lx=$cache/libc-dev.tmp
rm -rf "$lx" && mkdir -p "$lx"
dpkg-deb -x "$apt_dir/debs/"linux-libc-dev_*_arm64.deb "$lx"
inc=$tmp/usr/$target/include
mkdir -p "$inc"
cp -a "$lx/usr/include/$target/." "$inc/"
rm -rf "${lx:?}/usr/include/$target"
cp -a "$lx/usr/include/." "$inc/"
rm -rf "$lx"
# Absolute symlinks point into the machine: make them relative, into the
# root, so that they survive its move into place.
while IFS= read -r -d '' l; do
	t=$(readlink "$l")
	[[ $t == /* ]] || continue
	ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$tmp$t")" "$l"
done < <(find "$tmp" -type l -print0)
# The installed cross binutils: gcc looks for as and ld in
# usr/aarch64-linux-gnu/bin beside it, the kernel's build for
# $(CROSS_COMPILE)ld, nm, objcopy and the others.
for t in /usr/bin/$target-*; do
	[[ -e $tmp/usr/bin/${t##*/} ]] || ln -s "$t" "$tmp/usr/bin/"
done
[[ -x /usr/$target/bin/as ]] ||
	die "/usr/$target/bin/as missing: run scripts/deps.sh arm64"
mkdir -p "$tmp/usr/$target"
ln -sfn "/usr/$target/bin" "$tmp/usr/$target/bin"
# The flavour's Makefile includes the common tree by absolute path.
kdir=$tmp/usr/src/linux-headers-$krel
[[ -f $kdir/Makefile && -f $kdir/Module.symvers ]] ||
	die "linux-headers-$krel has no Makefile or Module.symvers"
sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"

cross=$tmp/usr/bin/$target-
[[ -x ${cross}gcc-12 ]] || die "no ${cross}gcc-12 in the packages"
ln -sfn "$target-gcc-12" "$tmp/usr/bin/$target-gcc"
ln -sfn "$target-cpp-12" "$tmp/usr/bin/$target-cpp"

# The toolchain works from where it is: a static program links.
printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' >"$tmp/t.c"
"${cross}gcc" -static -o "$tmp/t" "$tmp/t.c" ||
	die "the extracted cross compiler cannot link a static program"
file_out=$(od -An -tx1 -j18 -N2 "$tmp/t" | tr -d ' ')
[[ $file_out == b700 ]] || die "the test program is not an aarch64 ELF (e_machine $file_out)"
rm -f "$tmp/t" "$tmp/t.c"

# cmocka, static: Debian's source package, the version the build set
# installs for amd64 (libcmocka-dev), built with the cross compiler.
cm_ver=$(candidate libcmocka-dev)
say "cmocka $cm_ver from Debian's source package"
rm -rf "$apt_dir/src" && mkdir -p "$apt_dir/src"
(cd "$apt_dir/src" && papt_get source --download-only "cmocka=$cm_ver" >"$apt_dir/source.log" 2>&1) || {
	tail -n 20 "$apt_dir/source.log" >&2
	die "apt-get source cmocka failed (do the machine's sources serve deb-src?)"
}
orig=$(ls "$apt_dir/src/"cmocka_*.orig.tar.* | head -n 1)
mkdir -p "$apt_dir/src/cmocka"
tar -xf "$orig" -C "$apt_dir/src/cmocka" --strip-components=1
cm=$apt_dir/src/cmocka
sysroot=$tmp/usr/$target
"${cross}gcc" -O2 -g -std=gnu99 -D_GNU_SOURCE \
	-DHAVE_SIGNAL_H -DHAVE_STRINGS_H -DHAVE_INTTYPES_H -DHAVE_MALLOC_H \
	-DHAVE_SETJMP_H -DHAVE_STDARG_H -DHAVE_STDDEF_H -DHAVE_STDINT_H \
	-DHAVE_GCC_THREAD_LOCAL_STORAGE -DHAVE_CLOCK_GETTIME \
	-DHAVE_CLOCK_REALTIME -DHAVE_STRUCT_TIMESPEC -DHAVE_SIGLONGJMP \
	-DHAVE_SNPRINTF -DHAVE_VSNPRINTF \
	-I"$cm/include" -I"$cm/src" -c -o "$tmp/cmocka.o" "$cm/src/cmocka.c"
"${cross}ar" rcs "$sysroot/lib/libcmocka.a" "$tmp/cmocka.o"
rm -f "$tmp/cmocka.o"
install -m 0644 "$cm/include/cmocka.h" "$cm/include/cmocka_pbc.h" "$sysroot/include/"

rm -rf "$root" && mv "$tmp" "$root"

cat >"$env_file" <<EOF
# written by scripts/arm64-root.sh
ARM64_KREL := $krel
ARM64_KVER := $kver
ARM64_KDIR := $root/usr/src/linux-headers-$krel
ARM64_CROSS := $root/usr/bin/$target-
EOF
echo "linux-headers-$krel $kver, gcc-12-$target $(candidate gcc-12-$target), cmocka $cm_ver, script $self" >"$cache/stamp"
say "ready: $(cat "$cache/stamp")"
