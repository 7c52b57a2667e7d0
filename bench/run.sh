#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# Run the syschain benchmark suite and report it.
#
# With /dev/syschain loaded on this host: runs natively (one setup,
# "native"). Otherwise boots the QEMU guest of tests/vm/run.sh three times:
# "default" (-cpu max, the stock command line), "pti" (pti=on) and "noerms"
# (-cpu max,-erms,-fsrm: no fast-string features, so the kernel copies and
# zeroes without rep movsb/stosb, which TCG runs a byte at a time), runs
# bench/guest.sh in
# each, cuts the JSON out of the serial logs, and hands everything to
# bench/report.py (least-squares fits, table, JSON, plots). Exits non-zero
# when any setup failed (its guest run exited non-zero: a check or the
# script failed, or the guest did), even if it printed results.
#
# Environment: QUICK=1 (fewer N values and trials), KERNEL=6.1|6.12 (guest
# kernel series), SETUPS="default pti noerms" (which guest setups to run),
# BENCH_EXTRA="..." (more syschain-bench arguments), NATIVE=0 (use the guest
# even when /dev/syschain is loaded), MODULE=KO (boot the guests with this
# prebuilt syschain.ko instead of the tree's DKMS build: an ablation, say).
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$TOP/bench
BUILD=$TOP/build/bench
QUICK=${QUICK:-}
KERNEL=${KERNEL:-6.1}
SETUPS=${SETUPS:-default pti noerms}

msg() { echo "bench: $*" >&2; }
die() { msg "error: $*"; exit 1; }

if [[ -n $QUICK && $QUICK != 0 ]]; then
	QUICK=1
	BENCH_ARGS="--n 1,8,64,256,1024 --trials 3 --min-ops 64 --copy-trials 1"
	HF_ARGS="--warmup 1 --runs 3"
	vm_timeout=420
else
	QUICK=0
	BENCH_ARGS="--n 1,2,4,8,16,32,64,128,256,512,1024 --trials 9 --min-ops 256 --copy-trials 5"
	HF_ARGS="--warmup 3 --min-runs 10"
	vm_timeout=900
fi
BENCH_ARGS+=" ${BENCH_EXTRA:-}"

[[ -x $BUILD/syschain-bench && -x $BUILD/cat && -x $BUILD/du && -x $BUILD/walk ]] ||
	make -C "$BENCH" >&2
command -v python3 >/dev/null || die "python3 is needed for the report"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=$BENCH/results
out=$results/$stamp
mkdir -p "$out"
msg "results go to $out (QUICK=$QUICK)"
t0=$SECONDS

# The script the guest (or this host) runs: settings, then bench/guest.sh.
make_script() { # SETUP DIR-OF-BINARIES
	{
		echo "SETUP='$1'"
		echo "B='$2'"
		echo "BENCH_ARGS='$BENCH_ARGS'"
		echo "HF_ARGS='$HF_ARGS'"
		cat "$BENCH/guest.sh"
	} >"$out/script-$1.sh"
	echo "$out/script-$1.sh"
}

inputs=()
failed=() # setups whose guest script (or guest run) failed
if [[ -c /dev/syschain && ${NATIVE:-1} != 0 ]]; then
	msg "/dev/syschain is loaded: running natively"
	cp -f /usr/bin/cat "$BUILD/coreutils-cat"
	cp -f /usr/bin/du "$BUILD/coreutils-du"
	cp -f /usr/bin/cmp "$BUILD/cmp"
	script=$(make_script native "$BUILD")
	rc=0
	cat /proc/loadavg >"$out/loadavg-native.before"
	(cd /tmp && sh "$script") >"$out/native.out" 2> >(tee "$out/native.err" >&2) || rc=$?
	echo "$rc" >"$out/native.rc"
	cat /proc/loadavg >"$out/loadavg-native.after"
	inputs+=("native:$out/native.out:$rc")
	[[ $rc == 0 ]] || failed+=("native (exit $rc)")
else
	msg "no /dev/syschain here: running in the QEMU guest (kernel $KERNEL), setups: $SETUPS"
	stage=$out/guest-files
	mkdir -p "$stage"
	cp "$BUILD/syschain-bench" "$BUILD/cat" "$BUILD/du" "$BUILD/walk" "$stage/"
	cp /usr/bin/cat "$stage/coreutils-cat"
	cp /usr/bin/du "$stage/coreutils-du"
	cp /usr/bin/cmp "$stage/cmp"
	hf_file=()
	if command -v hyperfine >/dev/null; then
		hf_file=(--file "$(command -v hyperfine):/usr/bin/hyperfine")
	else
		msg "hyperfine not installed: whole-program comparison skipped"
	fi
	for setup in $SETUPS; do
		cpu=max
		case $setup in
		default) append=() ;;
		pti) append=(--append "pti=on") ;;
		noerms) append=() cpu=max,-erms,-fsrm ;;
		*) die "unknown setup '$setup' (default, pti, noerms)" ;;
		esac
		script=$(make_script "$setup" /syschain/bench)
		msg "booting the guest for setup '$setup' (-cpu $cpu) ${append[*]:-}"
		# other work on this host disturbs a TCG guest: keep the load
		cat /proc/loadavg >"$out/loadavg-$setup.before"
		rc=0
		SYSCHAIN_QEMU_CPU=$cpu "$TOP/tests/vm/run.sh" --kernel "$KERNEL" --timeout "$vm_timeout" \
			${MODULE:+--module "$MODULE"} --file "$stage:/syschain/bench" "${hf_file[@]}" \
			--script "$script" "${append[@]}" --log "$out/serial-$setup.log" \
			>"$out/vm-$setup.out" 2>&1 &
		vm_pid=$!
		# progress: our own lines, not the JSON
		tail -n +1 -f --pid=$vm_pid "$out/vm-$setup.out" 2>/dev/null |
			grep --line-buffered -E '^(syschain-bench: |bench: |syschain-vm\[host\]: |syschain-vm: (kernel|script|ERROR))|Benchmark [0-9]' >&2 || true
		wait "$vm_pid" || rc=$?
		cat /proc/loadavg >"$out/loadavg-$setup.after"
		tail -n 3 "$out/vm-$setup.out" | sed 's/^/  /' >&2
		if [[ $rc != 0 ]]; then
			msg "the guest run for '$setup' failed (exit $rc); see $out/vm-$setup.out"
			failed+=("$setup (exit $rc)")
		fi
		inputs+=("$setup:$out/serial-$setup.log:$rc")
	done
fi

msg "measurements took $((SECONDS - t0)) s"
# report.py exits non-zero too when a setup failed; either way, a failed
# setup fails the run, whatever results it printed
report_rc=0
python3 "$BENCH/report.py" --out "$out" --json "$results/$stamp.json" \
	--latest "$results/latest.json" --quick "$QUICK" "${inputs[@]}" || report_rc=$?
if ((${#failed[@]})); then
	die "FAILED: ${failed[*]}: the results above are not to be trusted"
fi
((report_rc == 0)) || die "FAILED: report.py exited $report_rc"
