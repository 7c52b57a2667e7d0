#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# Install libchain into a scratch DESTDIR, then check that the man pages
# are there and warning-free, that pkg-config finds the library through
# the sysroot, and that an example builds out of tree against the
# installed files only (shared and static) and runs on the user backend.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/root

make -s -C "$top/libchain" install DESTDIR="$dest" PREFIX=/usr >/dev/null

for page in syschain.7 chain_new.3 chain_read.3 chain_stop_if.3 \
	chain_run.3 chain_probe.3; do
	f=$dest/usr/share/man/man${page##*.}/$page
	[ -f "$f" ] || { echo "install-test: $page not installed"; exit 1; }
	w=$(man -l --warnings=all "$f" 2>&1 >/dev/null)
	[ -z "$w" ] || { echo "install-test: $page: $w"; exit 1; }
done
[ -f "$dest/usr/share/man/man3/chain_free.3" ] ||
	{ echo "install-test: chain_free.3 link not installed"; exit 1; }

export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$dest/usr/lib/pkgconfig
export PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig
flags=$(pkg-config --cflags --libs libchain)
static=$(pkg-config --static --libs libchain)
case $flags in
*"-I$dest/usr/include"*"-L$dest/usr/lib"*"-lchain"*) ;;
*) echo "install-test: unexpected pkg-config output: $flags"; exit 1 ;;
esac

# Out of tree: only the installed header, library and .pc file.
mkdir "$tmp/src"
cp "$top/examples/readfile.c" "$tmp/src/"
cd "$tmp/src"
# shellcheck disable=SC2086
${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -o readfile readfile.c $flags
# shellcheck disable=SC2086
${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -static-libgcc -o readfile-static \
	readfile.c $(pkg-config --cflags libchain) \
	"$dest/usr/lib/libchain.a" $static
printf 'installed\n' >data
out=$(LD_LIBRARY_PATH=$dest/usr/lib SYSCHAIN_BACKEND=user ./readfile data)
[ "$out" = installed ] || { echo "install-test: readfile printed '$out'"; exit 1; }
out=$(SYSCHAIN_BACKEND=user ./readfile-static data)
[ "$out" = installed ] || { echo "install-test: readfile-static printed '$out'"; exit 1; }
LD_LIBRARY_PATH=$dest/usr/lib ldd ./readfile | grep -q "$dest/usr/lib/libchain.so.0" ||
	{ echo "install-test: readfile not linked to the installed libchain.so.0"; exit 1; }
echo "install-test: ok (man pages, pkg-config, out-of-tree build)"
