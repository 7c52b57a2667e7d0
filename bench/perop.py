# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""Where a chain's time per op goes: the per-op breakdown of
bench/README.md, computed from perop.c's measurements ("perop" in each
setup's env). report.py prints it as text and writes it as a Markdown
table (results/<run>/perop.md), which is what README's table is."""


def rows(po, fl=None):
    """(what, ns per op) from one setup's perop object (and floor.c's
    figures, for the one-op runs); [] without one."""
    if not po:
        return []
    g = po["getppid_ns"]
    c, v, o = po["copy_ns"], po["validate_ns"], po["oneshot_ns"]
    x, xc, lp = po["exec_ns"], po["exec_cond_ns"], po["loop_ns"]
    return [
        ("plain `getppid` syscall", g),
        ("one-shot chain (`SYSCHAIN_RUN`), per op", o),
        ("&nbsp;&nbsp;copying the op in (first op refused)", c),
        ("&nbsp;&nbsp;validating it (last op refused, less the copy)", v - c),
        ("&nbsp;&nbsp;executing it (the run, less copy and validation)", o - v),
        ("registered chain (`SYSCHAIN_EXEC`), per op", x),
        ("&nbsp;&nbsp;a condition that does not hold (one per op, less none)", xc - x),
        ("&nbsp;&nbsp;%d distinct ops rather than 2 (a 2-op loop, same conditions)" % po["n"],
         xc - lp),
        ("ratio plain / registered (the null per-op ratio's bound)", g / x if x else None),
        ("a registered op for 3x would have to cost", g / 3),
    ] + heavy_rows(po.get("openat_enoent"), fl, "`openat` of a missing name") + \
        heavy_rows(po.get("open_close"), fl, "`openat` of /dev/null, `close`", False)


def heavy_rows(h, fl, what, with_getppid=True):
    """A heavier unit alone in a run and among many, against its
    syscalls; with floor.c's one-op getppid run, what a one-unit run costs
    beyond the syscalls, for the light and the heavy unit."""
    if not h:
        return []
    out = [("%s: the syscalls" % what, h["sys_ns"]),
           ("&nbsp;&nbsp;as the one unit of a registered run, per run", h["one_ns"]),
           ("&nbsp;&nbsp;as one of %d units of a registered run, per unit" % h["many"],
            h["many_ns"])]
    if fl and with_getppid:
        out.append(("one-op run less its syscall: `getppid` (floor.c)",
                    fl["exec_raw_ns"] - fl["getppid_ns"]))
    out.append(("one-unit run less its syscalls: %s" % what, h["one_ns"] - h["sys_ns"]))
    return out


def fmt(what, v):
    if v is None:
        return "-"
    if what.startswith("ratio"):
        return "%.2fx" % v
    return "%.0f ns" % v


def markdown(setups):
    """One column per setup that measured it; [] if none did."""
    have = [(s["name"], (s["raw"]["env"] or {}).get("perop"),
             (s["raw"]["env"] or {}).get("floor")) for s in setups if s["raw"]]
    have = [(n, po, fl) for n, po, fl in have if po]
    if not have:
        return []
    table = [rows(po, fl) for _, po, fl in have]
    out = ["| part, per op (N = %d) | %s |" % (have[0][1]["n"], " | ".join(h[0] for h in have)),
           "|---|" + "---|" * len(have)]
    for i, (what, _) in enumerate(max(table, key=len)):
        out.append("| %s | %s |" % (what, " | ".join(
            fmt(what, t[i][1]) if i < len(t) else "-" for t in table)))
    return out


def text(setups):
    """The same as plain lines for the report."""
    out = []
    for line in markdown(setups):
        if line.startswith("|---"):
            continue
        out.append("   " + line.replace("&nbsp;", " ").replace("`", ""))
    return out
