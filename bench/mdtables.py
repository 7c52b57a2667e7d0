# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""The run's figures as the Markdown tables of bench/README.md's "Latest
figures" (results/<run>/figures.md), so that README's tables are copied
from a run, not typed: the per-op fits and ratios, the copy workload, the
fixed cost, the targets."""

from targets import FIXED_MODES, fixed_cost

MODES = ["loop", "chain", "chain-reg", "chain-user", "uring"]
RATIO_MODES = ["chain", "chain-reg", "uring"]
URING = ["uring", "uring-nobuf", "uring-plain"]
# the registration table's columns: the chain without and with the buffer
# (pinned: chain-fixed; a kernel buffer: chain-kbuf, copy only)
REG = ["loop", "chain-reg", "chain-fixed", "chain-kbuf"] + URING


def ns(v):
    if v is None:
        return "–"
    if v >= 1e6:
        return "%.2f ms" % (v / 1e6)
    if v >= 1e4:
        return "%.1f µs" % (v / 1e3)
    if v >= 1e3:
        return "%.2f µs" % (v / 1e3)
    return "%.0f ns" % v


def x(v):
    return "–" if v is None else "%.2fx" % v


def per_op(setups):
    out = ["| workload | setup | " + " | ".join(MODES) + " | " +
           " | ".join("%s ratio" % m for m in RATIO_MODES) + " |",
           "|---|---|" + "---|" * (len(MODES) + len(RATIO_MODES))]
    names = []
    for s in setups:
        for w in (s["raw"] or {}).get("workloads", []):
            if w["kind"] == "sweep" and w["name"] not in names and w["name"] != "fixed":
                names.append(w["name"])
    for name in names:
        for s in setups:
            w = next((w for w in (s["raw"] or {}).get("workloads", []) if w["name"] == name), None)
            if not w:
                continue
            ms = {m["mode"]: m for m in w["modes"]}
            b = [ns(ms[m]["fit"]["b_ns"]) if m in ms and ms[m].get("fit") else "–" for m in MODES]
            r = [x(ms[m].get("per_op_ratio")) if m in ms else "–" for m in RATIO_MODES]
            out.append("| %s | %s | %s | %s |" % (name, s["name"], " | ".join(b), " | ".join(r)))
    return out


def uring_variants(setups):
    """What registration buys io_uring, and the chain (chain-fixed: its
    buffer registered; chain-kbuf: a kernel buffer, copy only):
    pread-cached per op, copy in ms."""
    out = ["| workload | setup | " + " | ".join(REG) + " |",
           "|---|---|" + "---|" * len(REG)]
    for s in setups:
        for w in (s["raw"] or {}).get("workloads", []):
            ms = {m["mode"]: m for m in w["modes"] if m["status"] == "ok"}
            if not any(u in ms for u in URING[1:]):
                continue
            if w["kind"] == "single":
                cells = ["%.0f ms" % (ms[m]["min_ns"] / 1e6) if m in ms else "–"
                         for m in REG]
            else:
                cells = [ns(ms[m]["fit"]["b_ns"]) if m in ms and ms[m].get("fit") else "–"
                         for m in REG]
            out.append("| %s | %s | %s |" % (w["name"], s["name"], " | ".join(cells)))
    return out if len(out) > 2 else []


def copy(setups):
    out = []
    for s in setups:
        w = next((w for w in (s["raw"] or {}).get("workloads", []) if w["name"] == "copy"), None)
        if not w:
            continue
        ms = {m["mode"]: m for m in w["modes"] if m["status"] == "ok"}
        out.append("* %s: %s" % (s["name"], ", ".join(
            "%s %.0f ms (%.0f MiB/s)" % (m, ms[m]["min_ns"] / 1e6, ms[m]["throughput_mib_s"])
            for m in MODES + ["chain-fixed", "chain-kbuf"] if m in ms)))
    return out


def fixed(setups):
    out = ["| setup | one getppid | " + " | ".join(
        "one-op %s | ratio | break-even N" % m for m in FIXED_MODES) + " |",
        "|---|---|" + "---|---|---|" * len(FIXED_MODES)]
    for s in setups:
        if not s["raw"]:
            continue
        fcs = [fixed_cost(s["raw"], m) for m in FIXED_MODES]
        if not any(fcs):
            continue
        loop = next(fc["t1_loop_ns"] for fc in fcs if fc)
        cells = []
        for fc in fcs:
            if not fc:
                cells.append("– | – | –")
                continue
            cells.append("%s | %.2fx | %s" % (ns(fc["t1_ns"]), fc["ratio1"],
                                             fc["break_even"] or "> %d" % fc["max_n"]))
        out.append("| %s | %s | %s |" % (s["name"], ns(loop), " | ".join(cells)))
    return out


def targets_md(tg, issue=11):
    """An issue's targets table (targets.table_lines()'s) as Markdown."""
    tg = [t for t in tg if t.get("issue", 11) == issue]
    setups, rows = [], []
    for t in tg:
        if t["setup"] not in setups:
            setups.append(t["setup"])
        if (t["target"], t["want"]) not in rows:
            rows.append((t["target"], t["want"]))
    if not rows:
        return []
    cell = {(t["target"], t["want"], t["setup"]): t for t in tg}
    out = ["| target | want | " + " | ".join(setups) + " |",
           "|---|---|" + "---|" * len(setups)]
    for target, want in rows:
        cells = []
        for setup in setups:
            m = cell.get((target, want, setup))
            if not m:
                cells.append("–")
            elif m["measured"] is None:
                cells.append("n/a")
            else:
                v = m["measured"]
                v = "%.2fx" % v if isinstance(v, float) else str(v)
                cells.append(v + ("" if m["met"] else " **missed**"))
        out.append("| %s | %s | %s |" % (target, want, " | ".join(cells)))
    return out


def details(tg, issue):
    """The figures behind an issue's targets (and what bounds a missed one)."""
    return ["* %s, %s: %s%s" % (t["setup"], t["target"], t["detail"],
                                " (**missed**)" if t["met"] is False else "")
            for t in tg if t.get("issue", 11) == issue]


def figures(setups, tg):
    return (["Per-op cost b (fit of the per-N minima) and ratio b_loop / b_mode:", ""] +
            per_op(setups) + ["", "copy, 64 MiB (minimum of the trials):", ""] + copy(setups) +
            ["", "Fixed cost (`fixed`, per-N minima):", ""] + fixed(setups) +
            ["", "io_uring with and without registration (pread-cached: b per op; "
             "copy: minimum time):", ""] + uring_variants(setups) +
            ["", "Targets (issue 11, for chain-reg):", ""] + targets_md(tg, 11) +
            ["", "Targets (issue 15, registered buffers: chain-fixed and chain-kbuf "
             "against io_uring's):",
             ""] + targets_md(tg, 15) + [""] + details(tg, 15))
