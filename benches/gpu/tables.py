#!/usr/bin/env python3
"""The markdown tables for docs/PERFORMANCE.md from a benches/gpu/measure.sh folder.

    python3 benches/gpu/tables.py OUTDIR

Reads OUTDIR/all.json (`mflda bench all`), and where present jax-step.json
(the JAX peer's timings), peer.txt (its checks against mflda),
particles.json (`mflda bench particles`), env.txt (the date, build and
settings) and steps.tsv (steps that failed), and prints: a header naming
the adapter and driver, the FFT per size, the step per size and scheme
(with JAX's steps/s beside ETDRK4), the equilibrium iteration per size, the
per-kernel breakdown of the ETDRK4 step and of the equilibrium iteration at
the largest size, the W2 solve per size (all.json's "w2"), the particle
steps per count, dynamics and scheme, and the peer checks. Standard
library only.
"""

import json
import os
import re
import sys


def num(x, digits=None):
    """A number with as many decimals as its size deserves (3 significant
    digits below 100, none above), or a fixed number of decimals."""
    if x is None:
        return "-"
    if digits is not None:
        return f"{x:.{digits}f}"
    a = abs(x)
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def table(headers, rows):
    """A markdown table; a header starting with '<' is left-aligned (text)."""
    names = [h.lstrip("<") for h in headers]
    align = ["---" if h.startswith("<") else "---:" for h in headers]
    lines = ["| " + " | ".join(names) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def load_json(path):
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def settings(outdir):
    """The leading `key: value` lines of env.txt (measure.sh's settings and
    prepare.sh's BUILD.txt)."""
    found = {}
    path = os.path.join(outdir, "env.txt")
    if not os.path.isfile(path):
        return found
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("###"):
                break
            key, sep, value = line.partition(": ")
            if sep:
                found[key.strip()] = value.strip()
    return found


def nvidia_driver(outdir):
    """name, driver_version of the nvidia-smi --query-gpu line, if any."""
    path = os.path.join(outdir, "env.txt")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("name, driver_version") and i + 1 < len(lines):
            return lines[i + 1]
    return None


def adapter_line(section):
    a = section.get("adapter", {})
    return (
        f"{a.get('name', '?')} ({a.get('backend', '?')}, {a.get('device_type', '?')}), "
        f"driver {a.get('driver', '?')} {a.get('driver_info', '')}".rstrip()
        + f"; clock {section.get('clock', '?')}"
    )


def skipped_lines(name, section):
    return [f"- {name} {k['n']}: skipped: {k['reason']}" for k in section.get("skipped", [])]


def fft_table(section):
    rows = []
    for r in section["results"]:
        passes = " / ".join(num(p["ratio_to_floor"], 2) for p in r.get("passes", []))
        rows.append(
            [
                r["n"],
                num(r["us_per_transform"]),
                num(r["bytes_per_transform"] / 1e6, 2),
                num(r["achieved_gbps"]),
                num(r["copy"]["gbps"]),
                num(r["ratio_to_floor"], 2),
                passes,
            ]
        )
    headers = ["N", "us/transform", "MB/transform", "GB/s", "copy GB/s", "x floor", "<rows / columns x floor"]
    return table(headers, rows)


def step_table(section, jax):
    jax_sps = {r["n"]: r["steps_per_s"] for r in (jax or {}).get("results", []) if r.get("dim", 2) == 2}
    rows = []
    for r in section["results"]:
        us = r["time"]["median_us"]
        sps = 1e6 / us
        row = [
            r["n"],
            r["scheme"].upper(),
            num(us / 1e3, 3),
            num(r["bytes_per_step"] / 1e6, 1),
            r.get("dispatches_per_step", "-"),
            num(r["achieved_gbps"]),
            num(r["copy"]["gbps"]),
            num(r["ratio_to_floor"], 2),
            num(sps),
        ]
        if jax is not None:
            j = jax_sps.get(r["n"]) if r["scheme"] == "etdrk4" else None
            row += [num(j), num(sps / j, 2) if j else "-"]
        rows.append(row)
    headers = ["N", "<scheme", "ms/step", "MB/step", "dispatches", "GB/s", "copy GB/s", "x floor", "steps/s"]
    if jax is not None:
        headers += ["JAX steps/s", "mflda / JAX"]
    return table(headers, rows)


def equilibrium_table(section):
    rows = [
        [
            r["n"],
            num(r["time"]["median_us"]),
            num(r["bytes_per_iteration"] / 1e6, 2),
            num(r["achieved_gbps"]),
            num(r["copy"]["gbps"]),
            num(r["ratio_to_floor"], 2),
        ]
        for r in section["results"]
    ]
    return table(["N", "us/iteration", "MB/iteration", "GB/s", "copy GB/s", "x floor"], rows)


def particle_table(section):
    rows = [
        [
            r["n"],
            r.get("dynamics", "langevin"),
            r["scheme"],
            r["drift"],
            num(r["time"]["median_us"] / 1e3, 3),
            num(r["particle_steps_per_s"]),
            num(r["bytes_per_step"] / 1e6, 2),
            r["dispatches_per_step"],
            num(r["copy"]["gbps"]),
            num(r["ratio_to_floor"], 2),
        ]
        for r in section["results"]
    ]
    headers = ["n per species", "<dynamics", "<scheme", "<drift", "ms/step", "particle steps/s", "MB/step", "dispatches", "copy GB/s", "x floor"]
    return table(headers, rows)


def w2_table(section):
    rows = [
        [
            r["n"],
            num(r["seconds"], 3),
            r["iterations"],
            r["stop"],
            f"{r['gap']:.1e}",
            f"{r['error']:.1e}",
            num(r["ms_per_iteration"], 3),
            num(r["bytes_per_iteration"] / 1e6, 1),
            r.get("dispatches_per_iteration", "-"),
            num(r["copy_gbps"]),
            num(r["ratio_to_floor"], 2),
        ]
        for r in section["results"]
    ]
    headers = ["N", "s/solve", "iterations", "<stop", "gap", "error", "ms/iter", "MB/iter", "dispatches", "copy GB/s", "x floor"]
    return f"solver: {section.get('solver', '?')}, clock {section.get('clock', '?')}\n\n" + table(headers, rows)


def breakdown_table(result, what):
    b = result["breakdown"]
    kernels = sorted(b["kernels"], key=lambda k: -k["share"])
    rows = [
        [
            k["label"],
            k["groups"],
            num(k["time"]["median_us"]),
            f"{100 * k['share']:.1f}%",
            num(k["bytes"] / 1e6, 2),
            num(k["ratio_to_floor"], 2),
        ]
        for k in kernels
    ]
    n = result["n"]
    title = (
        f"{what} at {n}^2: {b['groups_per_call']} groups per call, clock {b['clock']}, "
        f"sum {num(b['total_us'])} us (each group in its own pass: compare shares, not the sum)"
    )
    headers = [f"<kernel ({what}, {n}^2)", "groups", "us/call", "share", "MB/call", "x floor"]
    return title + "\n\n" + table(headers, rows)


def peer_checks(outdir):
    """(N, player, output rel L2, increment rel L2, verdict) from peer.txt."""
    path = os.path.join(outdir, "peer.txt")
    if not os.path.isfile(path):
        return []
    rows, n = [], None
    head = re.compile(r": \dD (\d+) x (\d+),")
    diff = re.compile(r"^\s+(\w+): output rel_l2 (\S+)\s+increment rel_l2 (\S+)\s+(\w+)")
    with open(path) as f:
        for line in f:
            m = head.search(line)
            if m:
                n = f"{m.group(1)} x {m.group(2)}"
                continue
            m = diff.match(line)
            if m and n:
                rows.append([n, m.group(1), m.group(2), m.group(3), m.group(4)])
    return rows


def problems(outdir):
    path = os.path.join(outdir, "steps.tsv")
    if not os.path.isfile(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            name, status, secs, note = (line.rstrip("\n").split("\t") + ["", "", ""])[:4]
            # Skipped on purpose (PEER=0) or where it cannot apply: no note.
            if status == "ok" or (status == "skipped" and (name == "nvidia-smi" or note == "PEER=0")):
                continue
            out.append(f"- step {name}: {status}{' (' + note + ')' if note else ''} after {secs} s")
    return out


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    outdir = argv[1]
    report = load_json(os.path.join(outdir, "all.json"))
    jax = load_json(os.path.join(outdir, "jax-step.json"))
    particles = load_json(os.path.join(outdir, "particles.json"))
    env = settings(outdir)
    if report is None:
        print(f"{outdir}/all.json: missing (see measure.log and bench-all.txt there)", file=sys.stderr)
        notes = problems(outdir)
        if notes:
            print("\n".join(notes), file=sys.stderr)
        return 1
    sections = {k: v for k, v in report.items() if isinstance(v, dict)}
    first = next((v for k, v in sections.items() if k != "w2"), next(iter(sections.values())))

    out = [f"Adapter: {adapter_line(first)}"]
    nv = nvidia_driver(outdir)
    if nv:
        out.append(f"nvidia-smi: {nv}")
    build = ", ".join(f"{k} {env[k]}" for k in ("date", "commit", "worktree") if k in env)
    if build:
        out.append(f"Measured: {build}")
    if "sizes" in env:
        out.append(
            f"Command: `benches/gpu/measure.sh {env['sizes']}` "
            f"(`mflda bench all --sizes {env['sizes']} --reps {env.get('reps', '?')}`)"
        )
    if jax is not None:
        out.append(f"JAX: {jax.get('jax', '?')} on {jax.get('device', '?')} ({jax.get('platform', '?')}), {jax.get('dtype', '?')}")
    if "merged_from" in report:
        out.append(f"Note: {report['merged_from']}")
    out.append("")

    notes = []
    if "fft" in sections:
        out += ["### FFT (2D complex, forward and inverse)", "", fft_table(sections["fft"]), ""]
        notes += skipped_lines("fft", sections["fft"])
    if "step" in sections:
        out += ["### Time step (default game)", "", step_table(sections["step"], jax), ""]
        notes += skipped_lines("step", sections["step"])
    if "step_unfused" in sections:
        title = "### Unfused time step (the fused path's reference, `mflda bench step --unfused`)"
        out += [title, "", step_table(sections["step_unfused"], None), ""]
        notes += skipped_lines("step_unfused", sections["step_unfused"])
    if "equilibrium" in sections:
        out += ["### Equilibrium (one extragradient iteration)", "", equilibrium_table(sections["equilibrium"]), ""]
        notes += skipped_lines("equilibrium", sections["equilibrium"])
    rk4 = [r for r in sections.get("step", {}).get("results", []) if r["scheme"] == "etdrk4" and "breakdown" in r]
    if rk4:
        largest = max(rk4, key=lambda r: r["n"])
        out += ["### ETDRK4 step by kernel", "", breakdown_table(largest, "ETDRK4"), ""]
    eq = [r for r in sections.get("equilibrium", {}).get("results", []) if "breakdown" in r]
    if eq:
        largest = max(eq, key=lambda r: r["n"])
        out += ["### Equilibrium iteration by kernel", "", breakdown_table(largest, "equilibrium"), ""]
    if "w2" in sections:
        out += ["### W2 by the back-and-forth method (product pair, `mflda bench w2`)", "", w2_table(sections["w2"]), ""]
        notes += skipped_lines("w2", sections["w2"])
    if particles is not None:
        out += ["### Particle steps (default game, drift by direct Fourier sums)", "", particle_table(particles), ""]
        notes += skipped_lines("particles", particles)
    checks = peer_checks(outdir)
    if checks:
        headers = ["<grid", "<player", "output rel L2", "increment rel L2", "<verdict"]
        out += ["### JAX peer against mflda (one ETDRK4 step, `jax_step.py --check`)", "", table(headers, checks), ""]
    notes += problems(outdir)
    if notes:
        out += ["### Not measured", ""] + notes + [""]
    print("\n".join(out).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
