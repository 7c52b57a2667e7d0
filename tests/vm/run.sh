#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build syschain.ko with DKMS for a Debian kernel, boot that kernel in QEMU
# with a busybox initramfs, load the module and run tests in the guest.
# See tests/vm/README.md.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: tests/vm/run.sh [options]
  --kernel SERIES     kernel series to boot (default 6.1): 6.1 and 6.12,
                      Debian 12's and 13's stock kernels; 6.1-san, Debian's
                      6.1 source built with KASAN, UBSAN and lockdep;
                      6.1-arm64, Debian 12's arm64 kernel under
                      qemu-system-aarch64 with the cross-built module
  --test FILE         executable to copy into the guest and run as a test
                      (repeatable; run in order, cwd /tmp, as root)
  --file SRC:DST      extra file or directory to copy to DST in the guest
                      (repeatable; shared libraries of ELF files come along)
  --script FILE       guest shell script to run after the tests
  --append "ARGS"     extra kernel command line arguments (e.g. pti=on)
  --env NAME=VALUE    environment of the tests in the guest (repeatable;
                      VALUE of letters, digits and . , : / _ -)
  --timeout SECONDS   limit for the VM run, boot to poweroff (default 600)
  --shell             interactive: load the module, run the tests if any,
                      then give a busybox shell on the console
  --log FILE          where to save the serial log
                      (default .cache/vm/logs/vm-<series>.log)
  --prepare-only      provision the kernel (and chroot) and exit
  --module KO         boot with this prebuilt syschain.ko (for example one
                      that the syschain-dkms package built) instead of
                      building one with DKMS; its vermagic must match
                      (6.1-arm64: by default make module-arm64 builds it
                      in the run's work directory)
  --on-demand         do not insmod: create the device nodes of
                      modules.devname as boot does (kmod static-nodes), start
                      udevd when its rules include syschain's, and load the
                      module by opening /dev/syschain (devname alias); the
                      node must then have the udev rule's group and mode
  --memdebug          boot with the memory-error detection the kernel's own
                      config carries, switched on (slub_debug=FZPU, page
                      poisoning, init_on_free, KFENCE every ms where built
                      in); make check's guests use it, the bench does not
  --check-tools       check that every tool the harness runs is installed,
                      then exit (make check-fresh runs it on a fresh root)
  -h, --help          this text
environment:
  SYSCHAIN_SRC=DIR    build the module from DIR/module and DIR/uapi
  SYSCHAIN_CACHE=DIR  cache directory (default <repo>/.cache)
  SYSCHAIN_KEEP=1     keep the per-run work directory (initramfs, DKMS trees)
  SYSCHAIN_QEMU_CPU   QEMU -cpu model (default max: SMEP/SMAP/PCID... on TCG;
                      arm64: max,pauth-impdef=on, PAN, BTI, pointer
                      authentication with QEMU's cheaper algorithm)
  SYSCHAIN_QEMU_BIOS  firmware (default qboot.rom if present; empty = SeaBIOS;
                      x86_64 only)
  SYSCHAIN_QEMU_ARGS  extra QEMU arguments (word-split)
EOF
}

# shellcheck source=tests/vm/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

series=6.1
tests=()
files=()
script=
append=
envs=()
timeout_s=600
shell_mode=0
log=
prepare_only=0
module_ko=
on_demand=0
check_tools=0
memdebug=0

need_arg() { [[ $# -ge 2 && -n $2 ]] || die "option $1 needs an argument"; }
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) need_arg "$@"; series=$2; shift 2 ;;
	--test) need_arg "$@"; tests+=("$2"); shift 2 ;;
	--file) need_arg "$@"; files+=("$2"); shift 2 ;;
	--script) need_arg "$@"; script=$2; shift 2 ;;
	--append) need_arg "$@"; append=$2; shift 2 ;;
	--env) need_arg "$@"; envs+=("$2"); shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--shell) shell_mode=1; shift ;;
	--log) need_arg "$@"; log=$2; shift 2 ;;
	--prepare-only) prepare_only=1; shift ;;
	--module) need_arg "$@"; module_ko=$2; shift 2 ;;
	--on-demand) on_demand=1; shift ;;
	--check-tools) check_tools=1; shift ;;
	--memdebug) memdebug=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

[[ $series == 6.1 || $series == 6.12 || $series == 6.1-san || $series == 6.1-arm64 ]] ||
	die "--kernel must be 6.1, 6.12, 6.1-san or 6.1-arm64, not '$series'"
arch=$(series_arch "$series")
[[ $timeout_s =~ ^[0-9]+$ && $timeout_s -gt 0 ]] || die "--timeout needs a positive number of seconds"
for t in "${tests[@]}"; do
	[[ -f $t && -x $t ]] || die "test $t is not an executable file"
	[[ $(basename "$t") =~ ^[A-Za-z0-9._+-]+$ ]] || die "test name $(basename "$t") has odd characters"
done
for e in "${envs[@]}"; do
	[[ $e =~ ^[A-Z_][A-Z0-9_]*=[A-Za-z0-9.,:/_-]*$ ]] || die "--env wants NAME=VALUE of plain characters, got '$e'"
done
for f in "${files[@]}"; do
	[[ $f == *:/* ]] || die "--file wants SRC:/absolute/DST, got '$f'"
	[[ -e ${f%%:*} ]] || die "--file source ${f%%:*} does not exist"
done
[[ -z $script || -f $script ]] || die "script $script does not exist"

[[ -z $module_ko || -f $module_ko ]] || die "--module $module_ko does not exist"

# Every tool this script and lib.sh run, so that a missing package is named
# before anything starts (and make check-fresh can check the list).
for tool in qemu-system-x86_64 dkms depmod modinfo kmod cpio ldd timeout flock \
	unshare debootstrap dpkg-deb apt-get openssl md5sum find sort tar; do
	[[ $arch == arm64 && $tool == qemu-system-x86_64 ]] && continue
	command -v "$tool" >/dev/null || die "$tool not found (run scripts/deps.sh vm)"
done
# The arm64 guest: its QEMU, qemu-user to list the arm64 busybox's applets,
# readelf to check that every program copied in is static.
if [[ $arch == arm64 ]]; then
	for tool in qemu-system-aarch64 qemu-aarch64-static readelf; do
		command -v "$tool" >/dev/null ||
			die "$tool not found (run scripts/deps.sh vm-arm64 arm64)"
	done
fi
if [[ $arch == x86_64 ]]; then
	BUSYBOX=${SYSCHAIN_BUSYBOX:-/bin/busybox}
	if [[ ! -x $BUSYBOX ]] || ldd "$BUSYBOX" >/dev/null 2>&1; then
		die "$BUSYBOX is missing or not static (run scripts/deps.sh vm)"
	fi
fi
((on_demand == 0)) || [[ $arch == x86_64 ]] ||
	die "--on-demand copies this machine's kmod and udevd into the guest: x86_64 only"
UDEVD=
for f in /usr/lib/systemd/systemd-udevd /lib/systemd/systemd-udevd; do
	[[ -x $f ]] && { UDEVD=$f; break; }
done
[[ -n $UDEVD ]] && command -v udevadm >/dev/null || die "systemd-udevd/udevadm not found (run scripts/deps.sh vm)"
if ((check_tools)); then
	msg "every tool the harness needs is installed"
	exit 0
fi
[[ $(id -u) == 0 ]] || die "run me as root: dkms install and the trixie chroot need it"

t0=$SECONDS
qemu_pid=
work=
summary_done=0
# shellcheck disable=SC2317  # invoked by the trap
on_exit() {
	local rc=$?
	if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
	fi
	if [[ -n $work ]]; then
		if [[ ${SYSCHAIN_KEEP:-0} == 1 ]]; then
			msg "kept work directory $work"
		else
			rm -rf "$work"
		fi
	fi
	# Failed before the verdict (provisioning, dkms, ...): CI still gets
	# its summary line, as the last line.
	if ((!summary_done && !shell_mode && !prepare_only && rc != 0)); then
		echo "vm-$series: 0 passed, ${#tests[@]} failed"
	fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

provision_kernel "$series"
[[ $arch == x86_64 ]] || BUSYBOX=$VM_BUSYBOX
t_prov=$((SECONDS - t0))
msg "kernel $series: release $VM_RELEASE, $VM_VMLINUZ"
if ((prepare_only)); then
	exit 0
fi

# shellcheck disable=SC2317  # called via with_lock
make_mok_key() {
	[[ -f $mok_certificate ]] && return 0
	mkdir -p "$VM_CACHE/mok"
	openssl req -new -x509 -nodes -days 36500 -subj "/CN=syschain VM test module key" \
		-newkey rsa:2048 -keyout "$mok_signing_key.tmp" -outform DER \
		-out "$mok_certificate.tmp" >/dev/null 2>&1 || return 0
	mv "$mok_signing_key.tmp" "$mok_signing_key"
	mv "$mok_certificate.tmp" "$mok_certificate"
}

# ---------------------------------------------------------------------------
# Per-run work directory: staged DKMS source, private DKMS tree, guest root.
mkdir -p "$VM_CACHE/runs" "$VM_CACHE/logs"
# Leftovers of runs killed with SIGKILL (nothing is mounted in them).
find "$VM_CACHE/runs" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
work=$(mktemp -d "$VM_CACHE/runs/$series.XXXXXX")

[[ -n $log ]] || log=$VM_CACHE/logs/vm-$series.log
mkdir -p "$(dirname "$log")"
: >"$log"

# ---------------------------------------------------------------------------
# DKMS build into the guest's module tree.
#
# dkms 3.0.10 honours --dkmstree (its state: /var/lib/dkms), --sourcetree
# (/usr/src) and --installtree (/lib/modules): with all three pointing into
# $work nothing of the host's DKMS state is read or written, and
# `dkms install` copies the module to
# <installtree>/<release>/updates/dkms/syschain.ko, i.e. into the guest root.
# Two things would still touch the host and are switched off:
#  - depmod: dkms runs `depmod -a <release>` on the real /lib/modules, not
#    on --installtree -> --no-depmod (the guest uses insmod anyway);
#  - module signing: dkms signs with /var/lib/dkms/mok.key and creates it if
#    missing. It takes mok_signing_key/mok_certificate from the environment
#    (via framework.conf sourcing), so we point them into the cache.
# For 6.12 the same commands run inside the trixie chroot (its gcc-14 and
# headers) with $work bind-mounted at /syschain-work; whatever the chroot's
# dkms (3.2.x) touches outside the private trees is the chroot's own. It
# looks for sign-file under /usr/lib/linux-kbuild-6.12, which trixie names
# linux-kbuild-6.12.<n>+deb13, so that module stays unsigned (as the guest
# kernel does not enforce signatures, it just gets the E taint either way).
build_module_dkms() {
	local version w action k mlog in_env dkms_opts
	"$REPO_ROOT/scripts/dkms.sh" stage "$work/stage"
	version=$(cat "$work/stage/VERSION")
	mkdir -p "$work/src" "$work/dkms" "$work/root/lib/modules/$VM_RELEASE"
	mv "$work/stage" "$work/src/syschain-$version"
	if [[ -z $VM_CHROOT ]]; then
		w=$work
		in_env=()
		export mok_signing_key=$VM_CACHE/mok/mok.key mok_certificate=$VM_CACHE/mok/mok.pub
		# Create the key once under a lock, the way dkms would, so that
		# parallel runs do not race to generate it.
		if [[ ! -f $mok_certificate ]] && command -v openssl >/dev/null; then
			with_lock mok make_mok_key
		fi
	else
		w=/syschain-work
		in_env=("$VM_DIR/chroot-run.sh" "$VM_CHROOT" --bind "$work:$w" --)
	fi
	dkms_opts=(--dkmstree "$w/dkms" --sourcetree "$w/src" --installtree "$w/root/lib/modules"
		--kernelsourcedir "$VM_HEADERS" --no-depmod -m syschain -v "$version")
	msg "dkms add/build/install syschain/$version for $VM_RELEASE${VM_CHROOT:+ (in trixie chroot)}"
	for action in add build install; do
		k=()
		[[ $action == add ]] || k=(-k "$VM_RELEASE")
		if ! "${in_env[@]}" dkms "$action" "${dkms_opts[@]}" "${k[@]}" >"$work/dkms-$action.log" 2>&1; then
			cat "$work/dkms-$action.log" >&2
			mlog=$work/dkms/syschain/$version/build/make.log
			[[ -f $mlog ]] && { msg "---- $mlog"; cat "$mlog" >&2; }
			die "dkms $action failed"
		fi
		sed 's/^/  dkms: /' "$work/dkms-$action.log" | grep -v '^  dkms: *$' >&2 || true
	done
	# A warning of the kernel's build (the compiler's, objtool's, modpost's)
	# fails the run: the module must build clean against every kernel.
	mlog=$work/dkms/syschain/$version/build/make.log
	if [[ -f $mlog ]] && grep -q 'warning:' "$mlog"; then
		grep 'warning:' "$mlog" >&2
		die "the module's build for $VM_RELEASE warns (log: $mlog)"
	fi
}

guest_ko=/lib/modules/$VM_RELEASE/updates/dkms/syschain.ko
t0=$SECONDS
# arm64: the module is cross-built (scripts/arm64.mk; DKMS builds for
# x86_64 only, dkms.conf's BUILD_EXCLUSIVE_ARCH), against the headers of
# the kernel that boots: make module-arm64, from scratch in the work
# directory as DKMS builds, and judged as DKMS's build is.
if [[ $arch == arm64 && -z $module_ko ]]; then
	[[ -z ${SYSCHAIN_SRC:-} ]] || die "SYSCHAIN_SRC: the arm64 module builds from this checkout only (make module-arm64)"
	msg "make module-arm64 for $VM_RELEASE"
	mlog=$work/module-arm64.log
	# (a make of its own: a parent make's jobserver is not passed on)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$REPO_ROOT" --no-print-directory \
		module-arm64 ARM64_BUILD="$work/arm64" >"$mlog" 2>&1 ||
		{ cat "$mlog" >&2; die "make module-arm64 failed"; }
	if grep 'warning:' "$mlog" | grep -qv '^make'; then
		grep 'warning:' "$mlog" >&2
		die "the module's build for $VM_RELEASE warns (log: $mlog)"
	fi
	module_ko=$work/arm64/module/syschain.ko
fi
if [[ -n $module_ko ]]; then
	ko_release=$(modinfo -F vermagic "$module_ko" | awk '{ print $1 }')
	[[ $ko_release == "$VM_RELEASE" ]] ||
		die "--module $module_ko is built for '$ko_release', the $series guest boots $VM_RELEASE"
	install -D -m 0644 "$module_ko" "$work/root$guest_ko"
	msg "prebuilt module $module_ko"
else
	build_module_dkms
fi
[[ -f $work/root$guest_ko ]] || die "no $guest_ko in the guest tree"
# modules.dep for the guest tree only (busybox modinfo/modprobe want it);
# the empty lists just keep depmod from warning about them.
if command -v depmod >/dev/null; then
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		: >"$work/root/lib/modules/$VM_RELEASE/$f"
	done
	depmod -b "$work/root" "$VM_RELEASE" || die "depmod -b on the guest tree failed"
fi

t_dkms=$((SECONDS - t0))

# ---------------------------------------------------------------------------
# Initramfs.
root=$work/root

# Copy the shared libraries (and the dynamic loader) an ELF file needs.
# The arm64 guest has none: its programs must be static (make arm64).
add_libs() {
	local f=$1 out lib
	if [[ $arch == arm64 ]]; then
		if readelf -lW "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then
			die "$f is dynamically linked: the arm64 guest has no libraries (make arm64 links statically)"
		fi
		return 0
	fi
	out=$(ldd "$f" 2>&1) || return 0 # static or not ELF
	if grep -q 'not found' <<<"$out"; then
		die "$f: missing shared libraries: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
	fi
	while read -r lib; do
		[[ -e $root$lib ]] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out")
}

# Copy SRC to the guest path DST, with the libraries of any ELF in it.
add_file() {
	local src=$1 dst=$2 f
	mkdir -p "$root$(dirname "$dst")"
	cp -a "$src" "$root$dst"
	while IFS= read -r -d '' f; do
		add_libs "$f"
	done < <(find "$root$dst" -type f -perm -u+x -print0)
}

# busybox with one symlink per applet; making ~400 links takes seconds, so
# the skeleton is cached per busybox binary.
# shellcheck disable=SC2317  # called via with_lock
make_busybox_skel() {
	local skel=$1 tmp applet
	[[ -d $skel ]] && return 0
	tmp=$(mktemp -d "$skel.XXXXXX")
	mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin}
	cp "$BUSYBOX" "$tmp/bin/busybox"
	while read -r applet; do
		[[ -e $tmp/$applet || -L $tmp/$applet ]] || ln -s /bin/busybox "$tmp/$applet"
	done < <("${bb_run[@]}" "$BUSYBOX" --list-full)
	mv "$tmp" "$skel"
}
bb_run=()
[[ $arch == x86_64 ]] || bb_run=(qemu-aarch64-static)
skel=$VM_CACHE/busybox-$(md5sum <"$BUSYBOX" | cut -c1-16)
[[ -d $skel ]] || with_lock busybox make_busybox_skel "$skel"
mkdir -p "$root"
cp -a "$skel/." "$root/"
mkdir -p "$root"/{etc,proc,sys,dev,tmp,root,run,syschain/tests}
install -m 0755 "$VM_DIR/init.sh" "$root/init"
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nogroup:x:65534:
EOF
# On demand: kmod as the kernel's modprobe and for static-nodes; udevd with
# this machine's syschain rule (the package's, or make dkms-install's).
udev_group=
udev_mode=
if ((on_demand)); then
	add_file "$(readlink -f "$(command -v kmod)")" /usr/lib/syschain-vm/kmod
	ln -s kmod "$root/usr/lib/syschain-vm/modprobe"
	rules=()
	for f in /usr/lib/udev/rules.d/*syschain*.rules /etc/udev/rules.d/*syschain*.rules; do
		[[ -f $f ]] && rules+=("$f")
	done
	if ((${#rules[@]})); then
		add_file "$(readlink -f "$UDEVD")" /usr/lib/syschain-vm/systemd-udevd
		add_file "$(readlink -f "$(command -v udevadm)")" /usr/lib/syschain-vm/udevadm
		mkdir -p "$root/usr/lib/udev/rules.d"
		cp "${rules[@]}" "$root/usr/lib/udev/rules.d/"
		udev_group=$(sed -n 's/^KERNEL=="syschain".*GROUP="\([^"]*\)".*/\1/p' "${rules[@]}" | tail -n 1)
		udev_mode=$(sed -n 's/^KERNEL=="syschain".*MODE="\([^"]*\)".*/\1/p' "${rules[@]}" | tail -n 1)
		[[ -n $udev_group && -n $udev_mode ]] || die "${rules[*]}: no GROUP and MODE for syschain"
		# chainer: a member of the group, for the first open
		echo "$udev_group:x:990:chainer" >>"$root/etc/group"
		echo "chainer:x:1000:1000:syschain group member:/tmp:/bin/sh" >>"$root/etc/passwd"
		echo "chainer:x:1000:" >>"$root/etc/group"
		msg "on demand, udev rules: ${rules[*]} (group $udev_group, mode $udev_mode)"
	else
		msg "on demand, no udev rule for syschain on this machine"
	fi
fi
{
	printf 'RELEASE=%s\n' "$VM_RELEASE"
	printf 'SHELL_MODE=%s\n' "$shell_mode"
	printf 'ON_DEMAND=%s\n' "$on_demand"
	printf 'UDEV_GROUP=%s\nUDEV_MODE=%s\n' "$udev_group" "$udev_mode"
	printf 'HAVE_SCRIPT=%s\n' "$([[ -n $script ]] && echo 1 || echo 0)"
	for e in "${envs[@]}"; do
		printf 'export %s\n' "$e"
	done
} >"$root/etc/syschain-vm.conf"
[[ ${#envs[@]} -eq 0 ]] || msg "test environment: ${envs[*]}"

test_names=()
i=0
for t in "${tests[@]}"; do
	i=$((i + 1))
	name=$(basename "$t")
	dst=/syschain/tests/$(printf '%02d' "$i")-$name
	add_file "$t" "$dst"
	echo "$dst $name" >>"$root/syschain/tests/list"
	test_names+=("$name")
done
for f in "${files[@]}"; do
	add_file "${f%%:*}" "${f#*:}"
done
[[ -z $script ]] || install -m 0755 "$script" "$root/syschain/script.sh"

initrd=$work/initrd.cpio
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) >"$initrd"
msg "initramfs $(du -h "$initrd" | cut -f1), tests: ${test_names[*]:-none}"

# ---------------------------------------------------------------------------
# Boot. Warnings must not panic (we find them in the log and want the run to
# go on); an oops does panic, and panic=-1 with -no-reboot ends QEMU at once
# instead of leaving a wedged guest to the timeout. loglevel=5 puts kernel
# warnings and worse on the console without the boot chatter.
if [[ $arch == arm64 ]]; then
	cmdline="console=ttyAMA0 loglevel=5 panic=-1 oops=panic"
else
	cmdline="console=ttyS0 loglevel=5 panic=-1 oops=panic edd=off"
fi
# Memory-error detection that Debian's kernels carry but leave off: each
# option only where the booted kernel's config has the code behind it.
if ((memdebug)); then
	kconfig=$(dirname "$VM_VMLINUZ")/config-$VM_RELEASE
	[[ -f $kconfig ]] || die "--memdebug: no $kconfig to read the kernel's options from"
	has() { grep -qx "CONFIG_$1=y" "$kconfig"; }
	has SLUB_DEBUG && cmdline+=" slub_debug=FZPU"
	has PAGE_POISONING && cmdline+=" page_poison=1"
	cmdline+=" init_on_free=1"
	has KFENCE && cmdline+=" kfence.sample_interval=1"
	has DEBUG_PAGEALLOC && cmdline+=" debug_pagealloc=on"
fi
cmdline+="${append:+ $append}"
if [[ $arch == arm64 ]]; then
	# QEMU's virt board boots the kernel's Image itself (no firmware); its
	# PL011 is the serial port. -cpu max on TCG: PAN, BTI, pointer
	# authentication, which Debian's kernel uses; pauth-impdef=on computes
	# the authentication codes with QEMU's own cheap function instead of
	# QARMA, several times faster for the same guest-visible feature.
	qemu=(qemu-system-aarch64 -M virt -m 1024 -smp 2
		-cpu "${SYSCHAIN_QEMU_CPU:-max,pauth-impdef=on}")
else
	qemu=(qemu-system-x86_64 -m 1024 -smp 2 -cpu "${SYSCHAIN_QEMU_CPU:-max}")
fi
qemu+=(-nodefaults -nographic -no-reboot -kernel "$VM_VMLINUZ" -initrd "$initrd" -append "$cmdline")
# qboot (from qemu-system-data) boots the kernel directly, a bit faster than
# SeaBIOS and without SeaBIOS's terminal-resetting escape sequences on the
# serial line. SYSCHAIN_QEMU_BIOS= (empty) selects QEMU's default firmware.
bios=${SYSCHAIN_QEMU_BIOS-/usr/share/qemu/qboot.rom}
[[ $arch == x86_64 && -n $bios && -f $bios ]] && qemu+=(-bios "$bios")
# shellcheck disable=SC2206  # word splitting intended
[[ -z ${SYSCHAIN_QEMU_ARGS:-} ]] || qemu+=($SYSCHAIN_QEMU_ARGS)

if ((shell_mode)); then
	msg "interactive VM; Ctrl-A X quits QEMU, 'exit' powers off"
	"${qemu[@]}" -chardev "stdio,id=con,mux=on,signal=off,logfile=$log" \
		-serial chardev:con -mon chardev=con
	exit $?
fi

# A kernel that dies while it boots, before anything of syschain is in it
# (no module loaded, nothing tainted), failed for reasons of its own: TCG
# has been seen to trip an int3 of the kernel's own text patching this way
# now and then. Such a boot is tried once more, its log kept and said;
# anything after the module's load is judged as it is.
boot_vm() {
	local start=$SECONDS
	timeout --kill-after=10 "$timeout_s" "${qemu[@]}" \
		-chardev "stdio,id=con,logfile=$log" -serial chardev:con -monitor none </dev/null &
	qemu_pid=$!
	qemu_rc=0
	wait "$qemu_pid" || qemu_rc=$?
	qemu_pid=
	t_vm=$((SECONDS - start))
	msg "VM finished after ${t_vm}s (qemu exit $qemu_rc)"
}

died_before_module() {
	! grep -q 'syschain' "$log" &&
		grep -qE 'Kernel panic - not syncing|Oops: ' "$log" &&
		grep -q 'Not tainted' "$log"
}

msg "booting $VM_RELEASE (timeout ${timeout_s}s), log: $log"
boot_vm
if died_before_module; then
	cp "$log" "$log.boot-crash"
	msg "the kernel died while booting, before the module was loaded: $(grep -m1 -E 'Oops: |Kernel panic' "$log" | tr -d '\r'); log kept as $log.boot-crash; booting once more"
	boot_vm
fi

# ---------------------------------------------------------------------------
# Verdict.
clean=$work/serial.txt
tr -d '\r' <"$log" >"$clean"
reasons=()
case $qemu_rc in
0) ;;
124 | 137) reasons+=("timeout: the VM did not power off within ${timeout_s}s (killed)") ;;
*) reasons+=("qemu exited with status $qemu_rc") ;;
esac

if ! grep -qxF "syschain-vm: loaded $guest_ko" "$clean"; then
	why=$(grep -m1 '^syschain-vm: ERROR' "$clean" || true)
	reasons+=("module not loaded${why:+: ${why#syschain-vm: }}")
elif ((on_demand)) && ! grep -qxF "syschain-vm: on-demand load ok" "$clean"; then
	reasons+=("the module was not loaded on demand")
elif grep -q '^syschain-vm: ERROR' "$clean"; then
	reasons+=("$(grep -m1 '^syschain-vm: ERROR' "$clean" | sed 's/^syschain-vm: //')")
fi

# The rest of the first line of FILE that starts with the string PREFIX.
after_prefix() {
	awk -v p="$1" 'index($0, p) == 1 { print substr($0, length(p) + 1); exit }' "$2"
}

# Honest counts, per program, from what it printed between its start and
# exit lines: "OK PASSED FAILED", or "BAD why". A cmocka program declares
# its count first (tests/guest/counted.h) and must run exactly that many
# tests, print one summary (a forked child's second summary is an error),
# and skip nothing unless it declared why; a program without cmocka ends
# with one plain "NAME: N passed, M failed" line. A program that printed
# neither ran no test, whatever its exit status.
# $1: the section's start line, $2: the prefix of its exit line.
count_section() {
	awk -v start="$1" -v stop="$2" '
	!done && $0 == start { inside = 1; next }
	inside && index($0, stop) == 1 { inside = 0; done = 1; next }
	!inside { next }
	/^syschain-test: declares [0-9]+$/ { nd++; decl = $3 + 0; next }
	/^syschain-test: may skip: / { mayskip = 1; next }
	/^\[==========\] Running [0-9]+ test\(s\)\.$/ { nr++; run = $3 + 0; next }
	/^\[  PASSED  \] [0-9]+ test\(s\)\.$/ { np++; pass = $4 + 0; next }
	/^\[  FAILED  \] [0-9]+ test\(s\), listed below:$/ { fail = $4 + 0; next }
	/^\[  SKIPPED \] [0-9]+ test\(s\), listed below:$/ { skip = $4 + 0; next }
	/^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed$/ { npl++; ppass = $2 + 0; pfail = $4 + 0; next }
	function bad(why) { print "BAD " why; exit }
	END {
		if (!done) bad("no result (the VM crashed or timed out)")
		if (nr == 0 && npl == 0) bad("ran no test: no cmocka summary and no \"N passed, M failed\" line")
		if (nr == 0) {
			if (npl > 1) bad("more than one \"N passed, M failed\" line")
			if (ppass + pfail == 0) bad("ran no test: 0 passed, 0 failed")
			print "OK", ppass, pfail
			exit
		}
		if (nd != 1) bad("no \"syschain-test: declares N\" line (tests/guest/counted.h)")
		if (decl == 0) bad("declares 0 tests")
		if (nr > 1 || np > 1) bad("more than one cmocka summary (a forked child printed its own)")
		if (run != decl) bad("ran " run " tests, declared " decl)
		if (skip && !mayskip) bad("skipped " skip " without declaring why (guest_may_skip())")
		missing = decl - pass - fail - skip
		print "OK", pass, fail + (missing > 0 ? missing : 0)
	}' "$clean"
}

passed=0
failed=0
cases_passed=0
cases_failed=0
# check_program LABEL START EXIT-PREFIX
check_program() {
	local label=$1 rc verdict
	rc=$(after_prefix "$3" "$clean")
	verdict=$(count_section "$2" "$3")
	if [[ $verdict == OK* ]]; then
		read -r _ p f <<<"$verdict"
		cases_passed=$((cases_passed + p))
		cases_failed=$((cases_failed + f))
	fi
	if [[ $rc == 0 && $verdict == "OK "*" 0" ]]; then
		passed=$((passed + 1))
		return
	fi
	failed=$((failed + 1))
	# a failed program counts at least one failed case
	[[ $verdict == "OK "*" 0" || $verdict != OK* ]] && cases_failed=$((cases_failed + 1))
	if [[ $verdict == BAD* ]]; then
		reasons+=("$label: ${verdict#BAD }${rc:+ (exit=$rc)}")
	else
		reasons+=("$label: ${rc:+exit=}${rc:-no result (VM crashed or timed out)}")
	fi
}
for name in "${test_names[@]}"; do
	check_program "test $name" "syschain-vm: test $name start" "syschain-vm: test $name exit="
done
if [[ -n $script ]]; then
	check_program "script $(basename "$script")" "syschain-vm: script start" "syschain-vm: script exit="
fi

if ! grep -qE '^syschain-vm: done passed=[0-9]+ failed=[0-9]+$' "$clean"; then
	reasons+=("no 'syschain-vm: done' line: the guest crashed, hung or was killed")
fi
if ! grep -q '^syschain-vm: dmesg end$' "$clean"; then
	[[ ${reasons[*]:-} == *"no 'syschain-vm: done'"* ]] ||
		reasons+=("the guest's dmesg dump is incomplete")
fi

kpat='BUG:|BUG [^ ]+ \((Not tainted|Tainted)|WARNING:|Oops|general protection|Call Trace:|UBSAN:|KASAN:|KFENCE:|kernel BUG|Kernel panic|Redzone overwritten|Poison overwritten|Object padding overwritten|pagealloc: memory corruption'
if grep -qE "$kpat" "$clean"; then
	reasons+=("kernel log reports problems:")
	while IFS= read -r line; do
		reasons+=("    $line")
	done < <(grep -E "$kpat" "$clean" | awk '!seen[$0]++' | head -n 20)
fi

msg "time: provision ${t_prov}s, dkms ${t_dkms}s, vm ${t_vm}s, total ${SECONDS}s"
if ((${#reasons[@]})); then
	msg "FAILED (serial log: $log):"
	for r in "${reasons[@]}"; do
		msg "  $r"
	done
	status=1
else
	msg "OK"
	status=0
fi
# The summary counts test cases, per program as checked above; a run that
# failed for a reason no test reported (a kernel warning, a crash) counts
# one failure more, so the line never says "0 failed" for a failed run.
if ((status != 0 && cases_failed == 0)); then
	cases_failed=1
fi
msg "programs: $passed passed, $failed failed"
echo "vm-$series: $cases_passed passed, $cases_failed failed"
summary_done=1
exit "$status"
