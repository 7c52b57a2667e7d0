#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The README's table of supported ops must list exactly the ops of
# module/oplist.h (from which the module's op table, and so the probe
# ioctl's list, is generated), and say how many there are.
set -eu
cd "$(dirname "$0")/.."
ops=$(sed -n 's/^SC_OP(\([a-z0-9_]*\),.*/\1/p' module/oplist.h | sort)
table=$(sed -n '/^## Supported ops/,/^Blocking ops/p' README.md |
	grep '^| [a-z]' | cut -d'|' -f3 | grep -o '`[a-z0-9_]*`' | tr -d '`' | sort)
n=$(printf '%s\n' "$ops" | wc -l)
if [ "$ops" != "$table" ]; then
	echo "check-readme-ops: README.md's supported-ops table differs from module/oplist.h:"
	diff <(echo "$ops") <(echo "$table") || true
	exit 1
fi
grep -q "supports $n ops" README.md || { echo "check-readme-ops: README.md does not say 'supports $n ops'"; exit 1; }
echo "check-readme-ops: README.md lists the $n ops of module/oplist.h"
