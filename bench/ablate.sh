#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
#
# Where a registered chain's time per op goes, by ablation: build the
# module as it is and with one part of the per-op path taken out at a
# time, boot the 6.1 guest with each (bench/run.sh MODULE=..., setup
# "default" unless SETUPS says otherwise), and print perop.c's figures for
# each as a Markdown table (also written to bench/results/ablate-<time>.md):
# a registered chain's time per op, and a one-op run (SYSCHAIN_EXEC, floor.c).
# A second table runs the readfile workload (loop and chain-reg) on "full"
# and "no-boundary": on 6.1 the final fput of a closed file is task work,
# so the chain leaves the kernel after every close, and "no-boundary"
# measures what that exit costs (its chain defers the fputs to the end of
# the run, which the module must not do: a measurement, not a design).
# The builds are for measuring only: "trivial-op" returns a wrong pid in a
# pid namespace. Each edit is checked to apply; one that no longer does
# fails the script (the module changed: update the edit).
#
#   full          the module as it is
#   no-boundary   no check between ops (signals, task work, resched, the
#                 switches, seccomp): sc_kernel_boundary() returns at once
#   no-switch     getppid called ahead of the dispatch switch
#   trivial-op    getppid's body a single load (no RCU, no pid namespace)
#
# Environment: ROUNDS (default 2: every variant is booted ROUNDS times,
# the variants in turn, and the lowest figure kept), SETUPS (default
# "default"), SYSCHAIN_CACHE as for tests/vm/run.sh.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-2}
SETUPS=${SETUPS:-default}
VARIANTS=(full no-boundary no-switch trivial-op)

# shellcheck source=tests/vm/lib.sh
source "$TOP/tests/vm/lib.sh"
msg() { echo "ablate: $*" >&2; }
die() { msg "error: $*"; exit 1; }
release=$(headers_release)
[[ -n $release ]] || die "no linux-headers-*-amd64 installed (run scripts/deps.sh)"
work=$(mktemp -d /tmp/syschain-ablate.XXXXXX)
trap 'rm -rf "$work"' EXIT

# edit FILE OLD NEW: replace the one occurrence of OLD in FILE
edit() {
	python3 - "$@" <<'EOF' || die "edit of $1 does not apply: update bench/ablate.sh"
import sys
path, old, new = sys.argv[1:]
s = open(path).read()
if s.count(old) != 1:
    sys.exit(1)
open(path, "w").write(s.replace(old, new))
EOF
}

build() { # VARIANT
	local d=$work/$1
	mkdir -p "$d"
	cp -r "$TOP/module" "$TOP/uapi" "$TOP/VERSION" "$d/"
	make -C "$d/module" clean >/dev/null 2>&1 || true
	case $1 in
	full) ;;
	no-boundary)
		edit "$d/module/engine_kernel.h" $'\tconst struct sc_exec *x = c->exec;\n' \
			$'\tconst struct sc_exec *x = c->exec;\n\n\tif (x)\n\t\treturn SC_BOUNDARY_NONE;\n' ;;
	no-switch)
		edit "$d/module/engine_kernel.h" $'\tswitch (def->nr) {\n' \
			$'\tif (def->nr == __NR_getppid)\n\t\treturn sc_op_getppid(args, c->exec);\n\tswitch (def->nr) {\n' ;;
	trivial-op)
		edit "$d/module/ops_process.c" $'\t__s64 pid;\n\n\trcu_read_lock();\n\tpid = task_tgid_vnr' \
			$'\t__s64 pid;\n\n\treturn READ_ONCE(current->real_parent)->tgid;\n\trcu_read_lock();\n\tpid = task_tgid_vnr' ;;
	*) die "unknown variant $1" ;;
	esac
	make -C "/usr/src/linux-headers-$release" M="$d/module" modules >"$d/build.log" 2>&1 ||
		{ tail -n 20 "$d/build.log" >&2; die "build of $1 failed"; }
	echo "$d/module/syschain.ko"
}

declare -A ko
for v in "${VARIANTS[@]}"; do
	ko[$v]=$(build "$v")
	msg "built $v for $release"
done

make -C "$TOP/bench" >/dev/null
jsons=$work/jsons
: >"$jsons"
jsons_rf=$work/jsons-readfile
: >"$jsons_rf"
# bench VARIANT LIST BENCH_EXTRA: one QUICK run of VARIANT's module; its
# results file is added to LIST
bench() {
	local out json
	out=$(QUICK=1 SETUPS=$SETUPS MODULE=${ko[$1]} BENCH_EXTRA=$3 \
		"$TOP/bench/run.sh" 2>"$work/run.err") ||
		{ tail -n 20 "$work/run.err" >&2; die "bench/run.sh failed for $1 ($3)"; }
	json=$(sed -n 's/^results: //p' <<<"$out")
	[[ -f $json ]] || die "no results file for $1 ($3)"
	echo "$1 $json" >>"$2"
}
for ((r = 1; r <= ROUNDS; r++)); do
	for v in "${VARIANTS[@]}"; do
		msg "round $r: $v"
		bench "$v" "$jsons" "--workloads null --modes loop --n 1,8"
	done
	for v in full no-boundary; do
		msg "round $r: $v, readfile"
		bench "$v" "$jsons_rf" "--workloads readfile --modes loop,chain-reg"
	done
done

md=$TOP/bench/results/ablate-$(date -u +%Y%m%dT%H%M%SZ).md
python3 - "$jsons" "$release" "$jsons_rf" >"$md" <<'EOF'
import json, sys
runs, release, runs_rf = sys.argv[1], sys.argv[2], sys.argv[3]
best = {}
order = []
for line in open(runs):
    v, path = line.split()
    if v not in order:
        order.append(v)
    for s in json.load(open(path))["setups"]:
        po = (s["env"] or {}).get("perop")
        if not po:
            sys.exit("no perop figures for %s in %s" % (v, path))
        key = (v, s["name"])
        b = best.setdefault(key, dict(po))
        fl = (s["env"] or {}).get("floor") or {}
        b.setdefault("run_ns", fl.get("exec_raw_ns"))
        for k in ("exec_ns", "getppid_ns"):
            b[k] = min(b[k], po[k])
        if fl.get("exec_raw_ns"):
            b["run_ns"] = min(b["run_ns"], fl["exec_raw_ns"])
setups = sorted({s for _, s in best})
print("Ablation (bench/ablate.sh), guest kernel %s: a registered chain of "
      "%d getppid ops, per op, lowest of the rounds" % (release, best[(order[0], setups[0])]["n"]))
print("")
print("| variant | " + " | ".join("%s: per op | less than full | one-op run" % s
                                 for s in setups) + " |")
print("|---|" + "---|---|---|" * len(setups))
for v in order:
    cells = []
    for s in setups:
        e, full = best[(v, s)]["exec_ns"], best[(order[0], s)]["exec_ns"]
        cells.append("%.0f ns | %s | %.0f ns" % (e, "-" if v == order[0] else "%.0f ns" % (full - e),
                                               best[(v, s)]["run_ns"]))
    print("| %s | %s |" % (v, " | ".join(cells)))
print("| plain `getppid` syscall | " + " | ".join(
    "%.0f ns | - | -" % min(best[(v, s)]["getppid_ns"] for v in order) for s in setups) + " |")

# readfile: the per-op cost (fit) of each mode, lowest of the rounds
rf = {}
rf_order = []
for line in open(runs_rf):
    v, path = line.split()
    if v not in rf_order:
        rf_order.append(v)
    for s in json.load(open(path))["setups"]:
        for w in s["workloads"]:
            if w["name"] != "readfile":
                continue
            for m in w["modes"]:
                if m["status"] == "ok" and m["fit"]:
                    k = (v, s["name"], m["mode"])
                    rf[k] = min(rf.get(k, float("inf")), m["fit"]["b_ns"])
print("")
print("readfile (openat + fstat + read + close per file), per-op cost b of "
      "each mode, lowest of the rounds; \"no-boundary\" does not leave the "
      "kernel after each close:")
print("")
print("| variant | " + " | ".join("%s: loop | chain-reg | ratio" % s for s in setups) + " |")
print("|---|" + "---|---|---|" * len(setups))
for v in rf_order:
    cells = []
    for s in setups:
        lo, ch = rf.get((v, s, "loop")), rf.get((v, s, "chain-reg"))
        if lo is None or ch is None:
            sys.exit("no readfile figures for %s (%s)" % (v, s))
        cells.append("%.2f us | %.2f us | %.2fx" % (lo / 1e3, ch / 1e3, lo / ch))
    print("| %s | %s |" % (v, " | ".join(cells)))
EOF
cat "$md"
msg "written to $md"
