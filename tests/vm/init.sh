#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the syschain test VM (busybox sh, PID 1). Installed into the
# initramfs by tests/vm/run.sh together with /etc/syschain-vm.conf, which
# sets RELEASE, SHELL_MODE and HAVE_SCRIPT; /syschain/tests/list names the
# test binaries in order ("PATH NAME" per line).
#
# Every line meant for the host starts with "syschain-vm: ".

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

say() { echo "syschain-vm: $*"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
chmod 1777 /tmp /dev/shm
hostname syschain-vm

# shellcheck source=/dev/null
. /etc/syschain-vm.conf

say "kernel $(uname -r) cmdline: $(cat /proc/cmdline)"

ko=/lib/modules/$RELEASE/updates/dkms/syschain.ko
loaded=0
odd=/usr/lib/syschain-vm

# What boot does for modules with a devname alias (systemd-tmpfiles with
# `kmod static-nodes`): create their nodes. Opening one makes the kernel
# run its modprobe for char-major-MAJOR-MINOR, and udev gives the node its
# rule's group and mode when the device appears.
load_on_demand() {
	local type path mode uid gid age arg got
	"$odd/kmod" static-nodes --format=tmpfiles --output=/tmp/static-nodes || return 1
	while read -r type path mode uid gid age arg; do
		case $type in
		c*) mknod -m "$mode" "$path" c "${arg%%:*}" "${arg#*:}" ;;
		esac
	done </tmp/static-nodes
	if ! grep -q ' /dev/syschain ' /tmp/static-nodes; then
		say "ERROR: kmod static-nodes lists no /dev/syschain (no devname alias?):"
		sed 's/^/syschain-vm:   /' /tmp/static-nodes "/lib/modules/$RELEASE/modules.devname"
		return 1
	fi
	say "static node: $(grep ' /dev/syschain ' /tmp/static-nodes)"
	echo "$odd/modprobe" >/proc/sys/kernel/modprobe
	if [ -n "$UDEV_GROUP" ]; then
		mkdir -p /run/udev
		"$odd/systemd-udevd" --daemon --resolve-names=early || return 1
		"$odd/udevadm" settle --timeout=30
	fi
	# udevd gives the static node the rule's group and mode at start
	# (static_node=): a member's first open must not need root.
	if [ -n "$UDEV_GROUP" ]; then
		got=$(stat -c '%G %a' /dev/syschain)
		say "udev: static /dev/syschain is $got"
		if [ "$got" != "$UDEV_GROUP ${UDEV_MODE#0}" ]; then
			say "ERROR: static /dev/syschain is '$got', the udev rule says '$UDEV_GROUP $UDEV_MODE'"
			return 1
		fi
	fi
	if [ -d /sys/module/syschain ]; then
		say "ERROR: syschain loaded before the device was opened"
		return 1
	fi
	# The first open: by a member of the rule's group, not by root; a
	# user outside it is refused before anything loads.
	opener=root
	if [ -n "$UDEV_GROUP" ]; then
		opener=chainer
		if su -s /bin/sh nobody -c ': </dev/syschain' 2>/dev/null; then
			say "ERROR: nobody (not in $UDEV_GROUP) opened /dev/syschain"
			return 1
		fi
		if [ -d /sys/module/syschain ]; then
			say "ERROR: a refused open loaded syschain"
			return 1
		fi
	fi
	if ! su -s /bin/sh "$opener" -c ': </dev/syschain'; then
		say "ERROR: opening /dev/syschain as $opener did not load the module"
		return 1
	fi
	say "first open by $opener loaded the module"
	[ -d /sys/module/syschain ] || { say "ERROR: /dev/syschain opened, no module"; return 1; }
	if [ -n "$UDEV_GROUP" ]; then
		"$odd/udevadm" settle --timeout=30
		got=$(stat -c '%G %a' /dev/syschain)
		say "udev: /dev/syschain is $got"
		if [ "$got" != "$UDEV_GROUP ${UDEV_MODE#0}" ]; then
			say "ERROR: /dev/syschain is '$got', the udev rule says '$UDEV_GROUP $UDEV_MODE'"
			return 1
		fi
	fi
}

if [ "$ON_DEMAND" = 1 ]; then
	if load_on_demand; then
		loaded=1
		say "on-demand load ok"
		say "loaded $ko"
	fi
elif insmod "$ko"; then
	say "loaded $ko"
	# misc_register() creates the node synchronously via devtmpfs; poll
	# a little anyway in case a future version registers it lazily.
	i=0
	while [ ! -c /dev/syschain ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -c /dev/syschain ]; then
		loaded=1
		modinfo "$ko" 2>/dev/null | grep -E '^(version|srcversion|vermagic|license|filename)' |
			sed 's/^/syschain-vm: modinfo /'
		for f in version srcversion taint; do
			[ -r /sys/module/syschain/$f ] && say "sysfs $f=$(cat /sys/module/syschain/$f)"
		done
	else
		say "ERROR: /dev/syschain did not appear after insmod"
	fi
else
	say "ERROR: insmod $ko failed (exit=$?)"
fi

export SYSCHAIN_VM=1 SYSCHAIN_KERNEL="$RELEASE"
passed=0
failed=0
if [ -f /syschain/tests/list ]; then
	while read -r path name; do
		if [ $loaded != 1 ]; then
			say "test $name exit=not-run (module not loaded)"
			failed=$((failed + 1))
			continue
		fi
		say "test $name start"
		(cd /tmp && exec "$path") </dev/null
		rc=$?
		say "test $name exit=$rc"
		if [ $rc = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	done </syschain/tests/list
fi

if [ "$HAVE_SCRIPT" = 1 ]; then
	say "script start"
	(cd /tmp && exec sh /syschain/script.sh) </dev/null
	say "script exit=$?"
fi

say "done passed=$passed failed=$failed"

if [ "$SHELL_MODE" = 1 ]; then
	# Interactive: no kernel log dump, `dmesg` is one command away.
	say "interactive shell; 'exit' or Ctrl-D powers the VM off (Ctrl-A X kills it)"
	setsid cttyhack sh -l
else
	say "dmesg begin"
	dmesg
	say "dmesg end"
fi

sync
poweroff -f
