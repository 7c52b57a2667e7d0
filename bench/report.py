#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""Turn syschain-bench output into the run's JSON, a table and plots.

usage: report.py --out DIR --json FILE --latest FILE [--quick 0|1]
                 SETUP:LOG:EXIT...

Each LOG is a serial log (or native stdout) holding one
@@BENCH-JSON-BEGIN@@ ... @@BENCH-JSON-END@@ document and hyperfine exports
between @@HF-BEGIN <name> json|md@@ ... @@HF-END@@. For every sweep
workload and mode, time(N) = a + b*N is fitted by least squares on the
per-N minimum (and, for reference, on the per-N median). The schema of the
output is documented in bench/README.md.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mdtables  # noqa: E402
import perop  # noqa: E402
from targets import (breakdown_lines, fixed_lines, syscall_lines,  # noqa: E402
                     syscall_problems, table_lines, targets)

SCHEMA = "syschain-bench/1"
SPEEDUP_NS = [1, 8, 64]
KMSG = re.compile(r"^\[\s*\d+\.\d+\]")
# a kernel message the serial console appended to a line of ours
KMSG_TAIL = re.compile(r"\[\s*\d+\.\d{6}\] [^\[\]]*$")


def extract(path):
    """The bench JSON, the hyperfine exports in a log, and why the log is
    partial (a block begun and never ended: the program died in the middle)
    or None."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    lines = text.split("\n")
    bench, hf, cur, buf = None, {}, None, []
    for line in lines:
        if cur is None:
            if line == "@@BENCH-JSON-BEGIN@@":
                cur, buf = ("bench",), []
            elif line.startswith("@@HF-BEGIN ") and line.endswith("@@"):
                name, kind = line[len("@@HF-BEGIN "):-2].split()
                cur, buf = ("hf", name, kind), []
            continue
        if line in ("@@BENCH-JSON-END@@", "@@HF-END@@"):
            body = "\n".join(buf)
            if cur[0] == "bench":
                bench = json.loads(body)
            else:
                hf.setdefault(cur[1], {})[cur[2]] = (
                    json.loads(body) if cur[2] == "json" else body)
            cur = None
            continue
        if KMSG.match(line) or line.startswith("syschain-bench: "):
            continue            # a kernel message or a progress note
        buf.append(KMSG_TAIL.sub("", line))
    partial = None
    if cur is not None:
        partial = "partial output: a %s block without its end line" % (
            "@@BENCH-JSON@@" if cur[0] == "bench" else "hyperfine %s" % cur[1])
    return bench, hf, partial


def fit(points, key):
    """Least squares time = a + b*n; returns a, b (ns) and r^2."""
    xs = [p["n"] for p in points]
    ys = [p[key] for p in points]
    k = len(xs)
    if k < 2:
        return None
    mx, my = sum(xs) / k, sum(ys) / k
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
    return {"a_ns": a, "b_ns": b, "r2": r2}


def at(points, n, key="min_ns"):
    for p in points:
        if p["n"] == n:
            return p[key]
    return None


def analyse(raw):
    """Add fits, ratios and speedups to one setup's raw document."""
    for w in raw["workloads"]:
        modes = {m["mode"]: m for m in w["modes"]}
        if w["kind"] == "single":
            loop = modes.get("loop")
            for m in w["modes"]:
                if m["status"] == "ok" and m["min_ns"]:
                    m["throughput_mib_s"] = raw["copy_bytes"] / 2**20 / (m["min_ns"] / 1e9)
                    m["throughput_mib_s_median"] = raw["copy_bytes"] / 2**20 / (m["median_ns"] / 1e9)
                    if loop and loop["status"] == "ok" and loop["min_ns"]:
                        m["speedup"] = loop["min_ns"] / m["min_ns"]
            continue
        for m in w["modes"]:
            pts = m.get("points", [])
            if m["status"] == "ok" and len(pts) >= 2:
                m["fit"] = fit(pts, "min_ns")
                m["fit_median"] = fit(pts, "median_ns")
            else:
                m["fit"] = m["fit_median"] = None
        loop = modes.get("loop")
        for m in w["modes"]:
            m["per_op_ratio"] = None
            m["speedup"] = {}
            if not (loop and loop.get("fit") and m.get("fit")):
                continue
            if m["fit"]["b_ns"] > 0:
                m["per_op_ratio"] = loop["fit"]["b_ns"] / m["fit"]["b_ns"]
            for n in SPEEDUP_NS:
                tl, tm = at(loop["points"], n), at(m["points"], n)
                if tl and tm:
                    m["speedup"][str(n)] = tl / tm
    env = raw["env"]
    melt = env.get("vulnerabilities", {}).get("meltdown", "")
    # the meltdown file says "Not affected" on a CPU the kernel does not
    # consider vulnerable even when pti=on forces isolation; the cpuinfo
    # flag "pti" (X86_FEATURE_PTI) is what says it is in use
    env["meltdown_says_pti"] = "PTI" in melt
    env["pti_active"] = env["meltdown_says_pti"] or bool(env.get("cpu_flag_pti"))
    return raw


def fmt_ns(v):
    if v is None:
        return "-"
    if abs(v) >= 1e6:
        return "%.2fms" % (v / 1e6)
    if abs(v) >= 1e4:
        return "%.1fus" % (v / 1e3)
    return "%.0fns" % v


def fmt_x(v):
    return "-" if v is None else "%.2fx" % v


def table(setups):
    lines = []
    for s in setups:
        raw = s["raw"]
        if raw is None:
            lines.append("== setup %s: no results (%s)" % (s["name"], "; ".join(problems(s))))
            continue
        env = raw["env"]
        lines.append("")
        lines.append("== setup %s: kernel %s, cpu \"%s\", %s CPUs, clocksource %s" % (
            s["name"], env["kernel_release"], env["cpu_model"], env["online_cpus"],
            env["clocksource"]))
        lines.append("   cmdline: %s" % env["cmdline"])
        for p in problems(s):
            lines.append("   FAILED: %s" % p)
        la = s.get("host_loadavg", {})
        if la:
            lines.append("   host load average (1/5/15 min) before: %s, after: %s" % (
                "/".join(la.get("before", ["?"])), "/".join(la.get("after", ["?"]))))
        lines.append("   meltdown: \"%s\", cpuinfo flag pti: %s -> PTI %s; fast strings: erms %s, fsrm %s" % (
            env["vulnerabilities"].get("meltdown", "?"),
            "yes" if env.get("cpu_flag_pti") else "no",
            "ON" if env["pti_active"] else "off",
            "yes" if env.get("cpu_flag_erms") else "no",
            "yes" if env.get("cpu_flag_fsrm") else "no"))
        if s["name"] == "pti" and not env["pti_active"]:
            lines.append("   WARNING-PTI: pti=on was requested but the kernel does not report PTI")
        lines.append("   io_uring: %s %s" % ("ok" if env["io_uring"]["ok"] else "NOT usable",
                                              env["io_uring"]["setup_flags"] or env["io_uring"]["error"]))
        for w in raw["workloads"]:
            lines.append("")
            lines.append("-- %s: %s" % (w["name"], w["what"]))
            lines.append("   checked against the plain-syscall reference: " + ", ".join(
                "%s %d of %d runs" % (m["mode"], m.get("checked_runs", 0), m.get("runs", 0))
                for m in w["modes"] if m.get("runs")))
            lines.extend(syscall_lines(w))
            if w["kind"] == "single":
                lines.append("   %-11s %10s %10s %10s %9s" % ("mode", "min", "median", "MiB/s", "speedup"))
                for m in w["modes"]:
                    if m["status"] != "ok":
                        lines.append("   %-11s %s: %s" % (m["mode"], m["status"], m["reason"]))
                        continue
                    lines.append("   %-11s %10s %10s %10.0f %9s" % (
                        m["mode"], fmt_ns(m["min_ns"]), fmt_ns(m["median_ns"]),
                        m["throughput_mib_s"], fmt_x(m.get("speedup"))))
                continue
            lines.append("   %-11s %9s %9s %7s %9s %8s %8s %8s" % (
                "mode", "a", "b/op", "r2", "b ratio", "x@N=1", "x@N=8", "x@N=64"))
            for m in w["modes"]:
                if m["status"] != "ok" or not m.get("fit"):
                    why = m["reason"] or "no fit"
                    lines.append("   %-11s %s: %s" % (m["mode"], m["status"], why))
                    continue
                f, sp = m["fit"], m["speedup"]
                lines.append("   %-11s %9s %9s %7.4f %9s %8s %8s %8s" % (
                    m["mode"], fmt_ns(f["a_ns"]), fmt_ns(f["b_ns"]), f["r2"],
                    fmt_x(m["per_op_ratio"]), fmt_x(sp.get("1")), fmt_x(sp.get("8")),
                    fmt_x(sp.get("64"))))
                if m["reason"]:
                    lines.append("   %-11s (%s)" % ("", m["reason"]))
            if w["name"] == "fixed":
                lines.extend(fixed_lines(raw))
                lines.extend(breakdown_lines(raw))
        for name, hf in sorted(s.get("hyperfine", {}).items()):
            if "json" not in hf:
                continue
            lines.append("")
            lines.append("-- hyperfine %s (whole program, in this setup)" % name)
            for r in hf["json"]["results"]:
                lines.append("   %-22s mean %9s +- %8s  min %9s" % (
                    r["command"], fmt_ns(r["mean"] * 1e9), fmt_ns(r["stddev"] * 1e9 if r.get("stddev") is not None else None),
                    fmt_ns(r["min"] * 1e9)))
    return lines


def problems(s):
    """Why a setup's results cannot be trusted (empty: they can)."""
    out = []
    if s["exit_status"] != 0:
        out.append("the guest run exited %d (a check, the script, the kernel log "
                   "or the guest failed: see %s)" % (s["exit_status"], s["log"]))
    if s["error"]:
        out.append(s["error"])
    env = (s["raw"] or {}).get("env") or {}
    if s["name"] == "noerms" and (env.get("cpu_flag_erms") or env.get("cpu_flag_fsrm")):
        out.append("setup noerms: the guest's cpuinfo still has erms or fsrm "
                   "(-cpu max,-erms,-fsrm not in effect)")
    out.extend(syscall_problems(s["raw"] or {}))
    for w in (s["raw"] or {}).get("workloads", []):
        for m in w["modes"]:
            if m["status"] == "failed":
                out.append("%s %s failed: %s" % (w["name"], m["mode"], m["reason"]))
            elif m["status"] == "ok" and not m.get("checked_runs"):
                out.append("%s %s: no run checked against the reference" % (
                    w["name"], m["mode"]))
    return out


def gnuplot_terminal():
    for term in ("pngcairo", "png"):
        try:
            r = subprocess.run(["gnuplot", "-e", "set terminal %s; set output '/dev/null'; plot x" % term],
                               capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if r.returncode == 0 and not r.stderr.strip():
            return term
    return None


def plots(setups, outdir):
    term = gnuplot_terminal()
    if not term:
        return [], "gnuplot with a png terminal not found"
    pdir = os.path.join(outdir, "plots")
    os.makedirs(pdir, exist_ok=True)
    names = []
    for s in setups:
        if s["raw"]:
            for w in s["raw"]["workloads"]:
                if w["kind"] == "sweep" and w["name"] not in names:
                    names.append(w["name"])
    made = []
    live = [s for s in setups if s["raw"]]
    for wname in names:
        cmds = []
        size = "%d,%d" % (640 * len(live), 480)
        cmds.append("set terminal %s size %s%s" % (term, size, " font 'sans,10'" if term == "pngcairo" else ""))
        png = os.path.join(pdir, "%s.png" % wname)
        cmds.append("set output '%s'" % png)
        cmds.append("set multiplot layout 1,%d title 'syschain bench: %s (time per op vs N, per-N minimum)'" % (len(live), wname))
        cmds.append("set logscale xy 2")
        cmds.append("set format y '%g'")
        cmds.append("set xlabel 'N (ops per batch)'")
        cmds.append("set ylabel 'ns per op'")
        cmds.append("set grid")
        cmds.append("set key top left opaque box")
        for s in live:
            w = next((x for x in s["raw"]["workloads"] if x["name"] == wname), None)
            series = []
            if w:
                for m in w["modes"]:
                    if m["status"] == "ok" and m.get("points"):
                        dat = os.path.join(pdir, "%s-%s-%s.dat" % (wname, s["name"], m["mode"]))
                        with open(dat, "w") as f:
                            for p in m["points"]:
                                f.write("%d %f %f\n" % (p["n"], p["min_ns"] / p["n"], p["median_ns"] / p["n"]))
                        series.append("'%s' using 1:2 with linespoints lw 2 title '%s'" % (dat, m["mode"]))
            env = s["raw"]["env"]
            cmds.append("set title '%s: %s, PTI %s'" % (s["name"], env["kernel_release"],
                                                       "on" if env["pti_active"] else "off"))
            if series:
                cmds.append("plot " + ", ".join(series))
            else:
                cmds.append("unset logscale; plot [0:1][0:1] 2 notitle; set logscale xy 2")
        cmds.append("unset multiplot")
        r = subprocess.run(["gnuplot"], input="\n".join(cmds) + "\n", capture_output=True, text=True)
        if r.returncode == 0 and os.path.exists(png):
            made.append(png)
        else:
            sys.stderr.write("report: gnuplot failed for %s: %s\n" % (wname, r.stderr.strip()))
    return made, term


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--latest")
    ap.add_argument("--quick", default="0")
    ap.add_argument("inputs", nargs="+", help="SETUP:LOG:EXIT")
    args = ap.parse_args()

    setups = []
    for spec in args.inputs:
        name, rest = spec.split(":", 1)
        path, rc = rest.rsplit(":", 1)
        s = {"name": name, "log": os.path.relpath(path, os.path.dirname(args.json)),
             "exit_status": int(rc), "raw": None, "error": None, "hyperfine": {}}
        try:
            raw, hf, partial = extract(path)
            s["hyperfine"] = hf
            if partial:
                s["error"] = "%s: %s" % (path, partial)
            elif raw is None:
                s["error"] = "no @@BENCH-JSON@@ block in %s" % path
            if raw is not None:
                s["raw"] = analyse(raw)
        except (OSError, ValueError) as e:
            s["error"] = "%s: %s" % (path, e)
        s["host_loadavg"] = {}
        for when in ("before", "after"):
            try:
                with open(os.path.join(args.out, "loadavg-%s.%s" % (name, when))) as f:
                    s["host_loadavg"][when] = f.read().split()[:3]
            except OSError:
                pass
        setups.append(s)

    # the hyperfine exports as files too, next to the logs
    for s in setups:
        for hname, hf in s["hyperfine"].items():
            for kind, body in hf.items():
                ext = "json" if kind == "json" else "md"
                with open(os.path.join(args.out, "hyperfine-%s-%s.%s" % (s["name"], hname, ext)), "w") as f:
                    f.write(json.dumps(body, indent=1) if kind == "json" else body + "\n")
    tg = targets(setups)
    made, term = plots(setups, args.out)
    doc = {
        "schema": SCHEMA,
        "run_id": os.path.basename(args.out.rstrip("/")),
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "quick": args.quick == "1",
        "host": {"hostname": platform.node(), "kernel": platform.release(),
                 "cpu_model": cpu_model()},
        "setups": [{
            "name": s["name"], "log": s["log"], "exit_status": s["exit_status"],
            "error": s["error"],
            "host_loadavg": s["host_loadavg"],
            "env": s["raw"]["env"] if s["raw"] else None,
            "params": {k: s["raw"].get(k) for k in ("trials", "min_ops", "copy_trials", "copy_bytes", "started", "check")} if s["raw"] else None,
            "workloads": s["raw"]["workloads"] if s["raw"] else [],
            "hyperfine": s["hyperfine"],
        } for s in setups],
        "targets": tg,
        "plots": [os.path.relpath(p, os.path.dirname(args.json)) for p in made],
        "plot_terminal": term,
    }
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=1)
    if args.latest:
        shutil.copyfile(args.json, args.latest)

    for line in table(setups):
        print(line)
    print("")
    print("== targets of issue 11 (measured, not asserted)")
    for line in table_lines(tg, 11):
        print(line)
    print("")
    print("== targets of issue 15, registered buffers (measured, not asserted)")
    for line in table_lines(tg, 15):
        print(line)
    print("")
    print("   the figures behind them:")
    for t in tg:
        print("   [%s] %-8s %-44s %-7s measured %-7s (%s)" % (
            "n/a " if t["met"] is None else "met " if t["met"] else "MISS", t["setup"], t["target"],
            t["want"], t["measured"], t["detail"]))
    with open(os.path.join(args.out, "figures.md"), "w") as f:
        f.write("\n".join(mdtables.figures(setups, tg)) + "\n")
    md = perop.markdown(setups)
    if md:
        print("")
        print("== where a chain's time per op goes (perop.c; %s)" % os.path.join(
            args.out, "perop.md"))
        for line in perop.text(setups):
            print(line)
        with open(os.path.join(args.out, "perop.md"), "w") as f:
            f.write("\n".join(md) + "\n")
    print("")
    print("results: %s" % args.json)
    if args.latest:
        print("latest:  %s" % args.latest)
    for p in made:
        print("plot:    %s" % p)
    # a setup whose script failed, whose output is missing or cut short,
    # or where a mode failed fails the run, whatever it printed
    bad = 0
    for s in setups:
        for p in problems(s):
            print("FAILED: setup %s: %s" % (s["name"], p))
            bad += 1
    return 1 if bad else 0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


if __name__ == "__main__":
    sys.exit(main())
