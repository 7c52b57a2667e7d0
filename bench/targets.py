# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""The targets of issue 11, computed from one run for the registered mode
(chain-reg), issue 15's for the registered buffers (chain-fixed, and for
the copy chain-kbuf too, against io_uring's registered buffer), and the
fixed-cost figures (the "fixed" workload: N x getppid for N = 1..8).
report.py prints them; they are reported, not asserted. Each target
carries its issue (11 or 15)."""

# setups without PTI (both CPU models), and with it
NO_PTI = ("default", "noerms", "native")
PTI = ("pti",)
MODE = "chain-reg"
FIXED_MODES = ("chain-reg", "chain")
FIXED_BUF = "chain-fixed"      # issue 15's mode
KBUF = "chain-kbuf"            # and its kernel-buffer mode (copy only)

# workload, minimum b_loop / b_chain-reg, setups
RATIOS = [
    ("null", 3.0, NO_PTI),
    ("null", 25.0, PTI),
    ("readfile", 1.5, NO_PTI),
    ("statwalk", 1.5, NO_PTI),
    ("read-zero", 2.0, NO_PTI),
    ("echo", 1.3, NO_PTI),
]


def mode_of(raw, wname, mode):
    for w in raw["workloads"]:
        if w["name"] == wname:
            for m in w["modes"]:
                if m["mode"] == mode:
                    return m
    return None


def b_of(raw, wname, mode):
    m = mode_of(raw, wname, mode)
    return m["fit"]["b_ns"] if m and m.get("fit") else None


def t_at(raw, wname, mode, n):
    m = mode_of(raw, wname, mode)
    if not m or m["status"] != "ok":
        return None
    for p in m.get("points", []):
        if p["n"] == n:
            return p["min_ns"]
    return None


def fixed_cost(raw, mode):
    """One-op chain against one getppid (t_mode(1) / t_loop(1)), and the
    break-even N: the smallest N at which a batch of the mode takes no
    longer than N getppid calls (None: not within the measured N)."""
    m, loop = mode_of(raw, "fixed", mode), mode_of(raw, "fixed", "loop")
    if not (m and loop and m["status"] == "ok" and loop["status"] == "ok"):
        return None
    tl = {p["n"]: p["min_ns"] for p in loop.get("points", [])}
    tm = {p["n"]: p["min_ns"] for p in m.get("points", [])}
    if 1 not in tl or 1 not in tm:
        return None
    even = next((n for n in sorted(tm) if n in tl and tm[n] <= tl[n]), None)
    return {"t1_ns": tm[1], "t1_loop_ns": tl[1], "ratio1": tm[1] / tl[1],
            "break_even": even, "max_n": max(tm)}


def targets(setups):
    out = []

    def add(setup, name, want, measured, met, detail, issue=11):
        out.append({"setup": setup, "target": name, "want": want,
                    "measured": measured, "met": met, "detail": detail,
                    "issue": issue})

    for s in setups:
        raw, name = s["raw"], s["name"]
        if raw is None:
            continue
        for wname, want, where in RATIOS:
            if name not in where:
                continue
            label = "%s per-op ratio loop/%s" % (wname, MODE)
            bl, bc = b_of(raw, wname, "loop"), b_of(raw, wname, MODE)
            if bl and bc:
                add(name, label, ">= %gx" % want, round(bl / bc, 2), bl / bc >= want,
                    "b_loop %.0f ns, b_%s %.0f ns%s" % (bl, MODE, bc,
                                                       crossing_bound(raw, wname, bl)))
            else:
                add(name, label, ">= %gx" % want, None, None, "%s not measured" % MODE)
        if name in NO_PTI:
            fc = fixed_cost(raw, MODE)
            label = "one-op %s vs one getppid (time)" % MODE
            if fc:
                add(name, label, "<= 2x", round(fc["ratio1"], 2), fc["ratio1"] <= 2,
                    "%s N=1 %.0f ns, getppid %.0f ns" % (MODE, fc["t1_ns"], fc["t1_loop_ns"]))
                be = fc["break_even"]
                add(name, "break-even N for null (%s)" % MODE, "<= 2",
                    be if be else "> %d" % fc["max_n"], bool(be and be <= 2),
                    "smallest N with t_%s(N) <= t_loop(N), N measured 1..%d" % (MODE, fc["max_n"]))
            else:
                add(name, label, "<= 2x", None, None, "fixed workload not measured")
                add(name, "break-even N for null (%s)" % MODE, "<= 2", None, None,
                    "fixed workload not measured")
        bl, bc = b_of(raw, "negative", "loop"), b_of(raw, "negative", MODE)
        if bl and bc:
            d = bc / bl - 1
            add(name, "negative control: %s within 3%% of loop" % MODE,
                "within 3%", "%+.2f%%" % (100 * d), abs(d) <= 0.03,
                "b_loop %.0f ns, b_%s %.0f ns per 1 MiB read" % (bl, MODE, bc))
        else:
            add(name, "negative control: %s within 3%% of loop" % MODE,
                "within 3%", None, None, "not measured")
        for t in issue15(raw):
            add(name, *t, issue=15)
    return out


def issue15(raw):
    """Issue 15's targets for the registered buffers, in every setup:
    pread-cached's per-op time (b) of chain-fixed at or under io_uring's
    with its registered buffer (uring), and copy's throughput of
    chain-fixed, and of chain-kbuf, at or over uring's. (target, want,
    measured, met, detail) tuples; a missed one's detail says what bounds
    it, from this run's figures (see gap_bound())."""
    out = []
    label = "pread-cached per-op time %s/uring" % FIXED_BUF
    bf, bu = b_of(raw, "pread-cached", FIXED_BUF), b_of(raw, "pread-cached", "uring")
    if bf and bu:
        br, bn = b_of(raw, "pread-cached", MODE), b_of(raw, "pread-cached", "uring-nobuf")
        detail = "b_%s %.0f ns, b_uring %.0f ns" % (FIXED_BUF, bf, bu)
        if br and bn:
            detail += ("; what registering the buffer buys: the chain %.0f ns per op "
                       "(b_%s %.0f ns), io_uring %.0f ns (b_uring-nobuf %.0f ns)" % (
                           br - bf, MODE, br, bn - bu, bn))
        if bf > bu:
            detail += gap_bound(raw, bf - bu, 1, "per op")
        out.append((label, "<= 1x", round(bf / bu, 2), bf <= bu, detail))
    else:
        out.append((label, "<= 1x", None, None, "%s or uring not measured" % FIXED_BUF))
    out.append(copy_target(raw, FIXED_BUF))
    out.append(copy_target(raw, KBUF))
    return out


def copy_target(raw, mode):
    """Copy throughput of mode (chain-fixed or chain-kbuf) at or over
    uring's: a (target, want, measured, met, detail) tuple."""
    label = "copy throughput %s/uring" % mode
    cf, cu = mode_of(raw, "copy", mode), mode_of(raw, "copy", "uring")
    if not (cf and cu and cf["status"] == "ok" and cu["status"] == "ok" and
            cf.get("throughput_mib_s") and cu.get("throughput_mib_s")):
        return (label, ">= 1x", None, None, "%s or uring not measured" % mode)
    tf, tu = cf["throughput_mib_s"], cu["throughput_mib_s"]
    detail = "%s %.0f MiB/s (%.0f ms), uring %.0f MiB/s (%.0f ms)" % (
        mode, tf, cf["min_ns"] / 1e6, tu, cu["min_ns"] / 1e6)
    others = [(MODE, "buffer not registered")]
    if mode == KBUF:
        others.append((FIXED_BUF, "buffer pinned"))
    for other, what in others:
        cr = mode_of(raw, "copy", other)
        if cr and cr["status"] == "ok" and cr.get("min_ns"):
            detail += "; %s (%s) %.0f ms" % (other, what, cr["min_ns"] / 1e6)
    if tf < tu:
        blocks = raw["copy_bytes"] // (64 * 1024)
        detail += gap_bound(raw, (cf["min_ns"] - cu["min_ns"]) / (2 * blocks), 2,
                            "per op (%d blocks, a read and a write each)" % blocks,
                            "its kernel-buffer copy" if mode == KBUF else
                            "its pinned-page copy")
    return (label, ">= 1x", round(tf / tu, 2), tf >= tu, detail)


def gap_bound(raw, gap, conds, what, copy="its pinned-page copy"):
    """What bounds a missed issue 15 target: the gap over io_uring, per op,
    against the whole of a registered getppid op in the same run
    (perop.c's SYSCHAIN_EXEC per op, with a condition per op when the
    chain has conditions: the copy's three per two ops), which holds the
    engine's per-op cost and getppid's own work: if the gap is larger, the
    engine's per-op cost (as a getppid op pays it) cannot account for all
    of it, and at least the rest is in the data op itself (its call path,
    its copy: through pinned pages, or chain-kbuf's kernel buffer). Without
    perop.c's figures, the gap alone."""
    po = (raw.get("env") or {}).get("perop")
    if not po or not po.get("exec_ns"):
        return "; gap %.0f ns %s (no perop.c figures to bound it)" % (gap, what)
    op = po["exec_ns"] if conds < 2 else po["exec_cond_ns"]
    kind = "a registered getppid op%s" % (" with a condition" if conds >= 2 else "")
    if gap <= op:
        return ("; gap %.0f ns %s, within what %s costs whole (%.0f ns, perop.c, engine "
                "and getppid's work): the engine's per-op cost can account for it" % (
                    gap, what, kind, op))
    return ("; gap %.0f ns %s, more than %s costs whole (%.0f ns, perop.c, engine and "
            "getppid's work): at least %.0f ns of the gap is not the engine's per-op "
            "cost (if a data op costs the engine what a getppid op does) but the chain's "
            "data op itself (its call path, %s) costing more than "
            "io_uring's whole op" % (gap, what, kind, op, gap - op, copy))


def crossing_bound(raw, wname, bl):
    """What the crossings a chain saves can buy at most: per unit of the
    workload the loop makes k syscalls (syscount.c) and the chain c
    crossings (0 when it makes one per batch); each saved crossing costs
    at most a plain getppid (null's b_loop in the same run, which adds
    getppid's own work), so even a chain whose engine cost nothing stays
    at or under b_loop / (b_loop - (k - c) * b_loop(null)). A measured
    ratio above that is noise. With the engine's measured cost, a saved
    crossing is worth what null's chain saves per op, b_loop(null) -
    b_chain(null) (a getppid syscall less a getppid op of the chain), and
    the bound is b_loop / (b_loop - (k - c) * that): what this workload's
    chain reaches if its ops cost in the chain what they cost as syscalls,
    less the crossing. "" without the figures."""
    w = next((w for w in raw["workloads"] if w["name"] == wname), None)
    sc = (w or {}).get("syscalls")
    g = b_of(raw, "null", "loop")
    if not (sc and g and MODE in sc["modes"] and "loop" in sc["modes"]):
        return ""
    n = sc["n"]
    k = sc["modes"]["loop"]["count"] / n
    cnt = sc["modes"][MODE]["count"]
    c = 0 if cnt <= 1 else cnt / n
    rest = bl - (k - c) * g
    if rest <= 0:
        return ("; the crossings saved bound nothing here (%g of %g per unit): the work "
                "per op does (the per-op breakdown, perop.c)" % (k - c, k))
    bound = bl / rest
    gm = b_of(raw, "null", MODE)
    engine = ""
    if gm and g > gm and bl > (k - c) * (g - gm):
        engine = "; with the engine's cost (null's %s saves %.0f ns per op): %.2fx" % (
            MODE, g - gm, bl / (bl - (k - c) * (g - gm)))
    return "; bound from the crossings saved: <= %.2fx (%g of %g per unit, each <= %.0f ns)%s%s" % (
        bound, k - c, k, g, engine, "" if bl / b_of(raw, wname, MODE) <= bound * 1.03 else
        "; MEASURED ABOVE THE BOUND: noise in this run")


def fixed_lines(raw):
    """The fixed-cost lines of a setup's table."""
    lines = []
    for mode in FIXED_MODES:
        fc = fixed_cost(raw, mode)
        if not fc:
            continue
        lines.append("   fixed cost, %-9s one-op chain %s ns vs one getppid %s ns: %.2fx; "
                     "break-even N %s" % (
                         mode + ":", "%.0f" % fc["t1_ns"], "%.0f" % fc["t1_loop_ns"],
                         fc["ratio1"], fc["break_even"] or "> %d" % fc["max_n"]))
    return lines


def syscall_lines(w):
    """What each mode made per batch, as syscount.c counted it."""
    sc = w.get("syscalls")
    if not sc:
        return []
    parts = []
    for mode, r in sc["modes"].items():
        calls = r["calls"]
        uniq = []
        for c in calls:
            if c not in uniq:
                uniq.append(c)
        parts.append("%s %d%s%s" % (mode, r["count"],
                                    " (%s)" % "+".join(uniq) if len(uniq) <= 4 else "",
                                    "" if r["ok"] else " MISMATCH: " + r["why"]))
    return ["   syscalls per batch of N=%d (tracefs): %s" % (sc["n"], ", ".join(parts))]


def syscall_problems(raw):
    out = []
    for w in raw.get("workloads", []):
        for mode, r in (w.get("syscalls") or {}).get("modes", {}).items():
            if not r["ok"]:
                out.append("%s %s: syscalls per batch do not match the chain's ops: %s" % (
                    w["name"], mode, r["why"]))
    return out


def fmt_measured(t):
    v = t["measured"]
    if v is None:
        return "n/a"
    if isinstance(v, float):
        v = "%.2fx" % v
    return "%s %s" % (v, "met" if t["met"] else "MISSED")


def table_lines(tg, issue=11):
    """An issue's targets table: one row per target, one column per setup."""
    tg = [t for t in tg if t.get("issue", 11) == issue]
    setups, rows = [], []
    for t in tg:
        if t["setup"] not in setups:
            setups.append(t["setup"])
        key = (t["target"], t["want"])
        if key not in rows:
            rows.append(key)
    order = {}
    for t in tg:
        order.setdefault(t["target"], len(order))
    rows.sort(key=lambda r: order[r[0]])      # null's two rows together
    cell = {(t["target"], t["want"], t["setup"]): fmt_measured(t) for t in tg}
    lines = ["   %-46s %-9s" % ("target (for %s)" % (MODE if issue == 11 else
                                                   "%s, %s" % (FIXED_BUF, KBUF)),
                                     "want") +
             "".join(" %-16s" % s for s in setups)]
    for target, want in rows:
        lines.append("   %-46s %-9s" % (target, want) + "".join(
            " %-16s" % cell.get((target, want, s), "-") for s in setups))
    return lines


def breakdown_lines(raw):
    """Where a null op's time goes, from this run's fits (per op, ns):
    the plain syscall (b_loop), a registered chain's op (b_chain-reg:
    engine, dispatch, getppid itself), what a one-shot run adds per op
    (b_chain - b_chain-reg: copying the op in and validating it), and the
    fixed cost of one run of a registered and a one-shot chain (t(1) of the
    fixed workload less one op); then the floor (floor.c) under the
    registered run's fixed cost: an ioctl that does nothing, the module's
    work, libchain's."""
    bl, br, bc = (b_of(raw, "null", m) for m in ("loop", "chain-reg", "chain"))
    if not (bl and br):
        return []
    rows = [("plain getppid syscall (b_loop)", bl),
            ("registered chain, per op (b_chain-reg)", br)]
    if bc:
        rows.append(("one-shot chain, per op (b_chain)", bc))
        rows.append(("  of which copy-in + validation (b_chain - b_chain-reg)", bc - br))
    for mode in FIXED_MODES:
        fc = fixed_cost(raw, mode)
        if fc:
            per = br if mode == "chain-reg" else bc
            if per:
                rows.append(("one run of a %s chain, less its op (t(1) - b)" % (
                    "registered" if mode == "chain-reg" else "one-shot"), fc["t1_ns"] - per))
    fl = (raw.get("env") or {}).get("floor")
    if fl:
        rows.append(("an ioctl the module refuses at once (ENOTTY): the floor",
                     fl["enotty_ioctl_ns"]))
        rows.append(("SYSCHAIN_EXEC of a registered one-op chain, no libchain",
                     fl["exec_raw_ns"]))
        rows.append(("  of which the module's work (exec - floor - b_chain-reg)",
                     fl["exec_raw_ns"] - fl["enotty_ioctl_ns"] - br))
        if fl.get("chain_run_ns"):
            rows.append(("libchain's chain_run() of that chain",
                         fl["chain_run_ns"]))
            rows.append(("  of which libchain's own work (chain_run - exec)",
                         fl["chain_run_ns"] - fl["exec_raw_ns"]))
    return ["   breakdown (null, from this run's fits):"] + [
        "     %-58s %8.0f ns" % r for r in rows] + floor_bound_lines(fl)


def floor_bound_lines(fl):
    """What bounds a one-op chain against one getppid: the ioctl alone."""
    if not fl or not fl.get("getppid_ns"):
        return []
    return ["     bound: the floor alone is %.2fx a getppid (%.0f ns, measured in turn "
            "with it), so a one-op chain, an ioctl, costs at least that" % (
                fl["enotty_ioctl_ns"] / fl["getppid_ns"], fl["getppid_ns"])]
