#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# scripts/deb.sh: build the Debian packages (make deb).
#
# Copies the tracked files (git ls-files: what a release would contain,
# symlinks kept as symlinks) to build/deb/src, runs dpkg-buildpackage -b
# there, so that syschain-dkms, libchain0 and libchain-dev land in
# build/deb/ (dpkg-buildpackage writes to the parent of the source dir),
# then lintian on the .changes: errors and warnings fail the build,
# informational tags are printed only. Tags the packages cannot avoid are
# overridden, with the reason, in debian/<package>.lintian-overrides.
#
# Build dependencies: debhelper, dh-dkms, dpkg-dev, build-essential and
# lintian. No fakeroot: debian/control says Rules-Requires-Root: no.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$top/build/deb
src=$out/src

die() { echo "deb.sh: $*" >&2; exit 1; }

missing=()
for pkg in debhelper dh-dkms dpkg-dev build-essential lintian; do
	status=$(dpkg-query -W -f '${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	[[ $status == ii* ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
	echo "deb.sh: missing build dependencies: ${missing[*]}" >&2
	echo "deb.sh: install them with: apt-get install ${missing[*]}" >&2
	echo "deb.sh: (or: scripts/deps.sh deb)" >&2
	exit 1
fi
command -v git >/dev/null || die "git is needed to list the tracked files (apt-get install git)"

# The same package whether run from make (make deb, make check) or not.
unset MAKEFLAGS MFLAGS MAKELEVEL

rm -rf "$out"
mkdir -p "$src"
cd "$top"
# Tracked files still present in the work tree (with their uncommitted
# changes, as make does).
git ls-files -z | while IFS= read -r -d '' f; do
	if [[ -e $f || -L $f ]]; then printf '%s\0' "$f"; fi
done | tar --null --no-recursion -T - -cf - | tar -C "$src" -xf -
[[ -f $src/debian/control ]] || die "debian/control is not tracked (git add debian/)"

version=$(cat "$src/VERSION")
echo "deb.sh: building syschain $version in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b) || die "dpkg-buildpackage failed"

changes=("$out"/syschain_"$version"_*.changes)
[[ -f ${changes[0]} ]] || die "no .changes file in $out"
echo "deb.sh: lintian ${changes[0]##*/}"
lintian -I --fail-on error,warning "${changes[0]}" || die "lintian: errors or warnings (above)"
echo "deb.sh: lintian: no error or warning (info tags, if any, above)"

echo "deb.sh: built:"
for deb in "$out"/*.deb; do echo "  ${deb#"$top"/}"; done
