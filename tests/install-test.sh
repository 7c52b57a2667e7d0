#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# Install libchain into a scratch DESTDIR, then check the header layout
# (libchain.h and syschain/syschain.h, nothing under linux/), that the
# static library exports only the public chain_* API, that the man pages
# are there and warning-free, that the syschain command runs, that
# pkg-config finds the library through the sysroot, that an example builds
# out of tree against the installed files only (shared and static) and
# runs on the user backend, and that `make uninstall` removes every
# installed file.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/root

fail() { echo "install-test: $*"; exit 1; }

make -s -C "$top/libchain" install DESTDIR="$dest" PREFIX=/usr >/dev/null

[ -f "$dest/usr/include/libchain.h" ] || fail "usr/include/libchain.h not installed"
if [ ! -f "$dest/usr/include/syschain/syschain.h" ] ||
	[ -L "$dest/usr/include/syschain/syschain.h" ]; then
	fail "usr/include/syschain/syschain.h not installed as a file"
fi
cmp -s "$top/uapi/linux/syschain.h" "$dest/usr/include/syschain/syschain.h" ||
	fail "usr/include/syschain/syschain.h differs from uapi/linux/syschain.h"
[ ! -e "$dest/usr/include/linux" ] || fail "something installed under usr/include/linux"

# The static library: the public API only (libchain.map's global: list).
syms=$(nm -g --defined-only "$dest/usr/lib/libchain.a" | awk 'NF == 3 { print $3 }')
[ -n "$syms" ] || fail "libchain.a defines no global symbol"
bad=$(printf '%s\n' "$syms" | grep -v '^chain_' || true)
[ -z "$bad" ] || fail "libchain.a exports non-public symbols:" "$bad"

for page in syschain.7 syschain.1 chain_new.3 chain_read.3 chain_stop_if.3 \
	chain_run.3 chain_probe.3; do
	f=$dest/usr/share/man/man${page##*.}/$page
	[ -f "$f" ] || { echo "install-test: $page not installed"; exit 1; }
	w=$(man -l --warnings=all "$f" 2>&1 >/dev/null)
	[ -z "$w" ] || { echo "install-test: $page: $w"; exit 1; }
done
[ -f "$dest/usr/share/man/man3/chain_free.3" ] ||
	{ echo "install-test: chain_free.3 link not installed"; exit 1; }

export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_PATH="$dest/usr/lib/pkgconfig"
export PKG_CONFIG_LIBDIR="$dest/usr/lib/pkgconfig"
flags=$(pkg-config --cflags --libs libchain)
static=$(pkg-config --static --libs libchain)
case $flags in
*"-I$dest/usr/include"*"-L$dest/usr/lib"*"-lchain"*) ;;
*) echo "install-test: unexpected pkg-config output: $flags"; exit 1 ;;
esac

# The syschain command runs from where it was installed.
[ -x "$dest/usr/bin/syschain" ] || fail "usr/bin/syschain not installed"
out=$("$dest/usr/bin/syschain" --version)
[ "$out" = "syschain $(cat "$top/VERSION")" ] || fail "syschain --version printed '$out'"

# Out of tree: only the installed header, library and .pc file.
mkdir "$tmp/src"
cp "$top/examples/readfile.c" "$tmp/src/"
cd "$tmp/src"
# shellcheck disable=SC2086
${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -o readfile readfile.c $flags
# shellcheck disable=SC2086,SC2046
${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -static-libgcc -o readfile-static \
	readfile.c $(pkg-config --cflags libchain) \
	"$dest/usr/lib/libchain.a" $static
printf 'installed\n' >data
out=$(LD_LIBRARY_PATH=$dest/usr/lib SYSCHAIN_BACKEND=user ./readfile data)
[ "$out" = installed ] || fail "readfile printed '$out'"
out=$(SYSCHAIN_BACKEND=user ./readfile-static data)
[ "$out" = installed ] || { echo "install-test: readfile-static printed '$out'"; exit 1; }
LD_LIBRARY_PATH=$dest/usr/lib ldd ./readfile | grep -q "$dest/usr/lib/libchain.so.0" ||
	{ echo "install-test: readfile not linked to the installed libchain.so.0"; exit 1; }
# Without pkg-config, as with PREFIX=/usr: `cc prog.c -lchain` (the sysroot
# stands for /usr: one -I and one -L, nothing from the source tree).
${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -o readfile-plain readfile.c \
	-I"$dest/usr/include" -L"$dest/usr/lib" -lchain
out=$(LD_LIBRARY_PATH=$dest/usr/lib SYSCHAIN_BACKEND=user ./readfile-plain data)
[ "$out" = installed ] || fail "readfile-plain printed '$out'"

make -s -C "$top/libchain" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null
left=$(find "$dest" ! -type d)
[ -z "$left" ] || fail "left behind by make uninstall:" "$left"
[ ! -e "$dest/usr/include/syschain" ] || fail "usr/include/syschain left behind by make uninstall"

echo "install-test: ok (headers, public symbols, man pages, the syschain command, pkg-config, out-of-tree build, uninstall)"
