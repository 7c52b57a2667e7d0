#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Print the kernel release to build the host module for: the running
# kernel if its build tree exists, else the newest installed Debian
# linux-headers-*-amd64 (a VM or container host often runs a kernel whose
# headers are not installed).
r=$(uname -r)
if [ -d "/lib/modules/$r/build" ]; then
	echo "$r"
	exit 0
fi
ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	sed 's|/usr/src/linux-headers-||' | sort -V | tail -n 1
