#!/usr/bin/env python3
"""mflda's ETDRK4 step of the coupled game, written with JAX: check and benchmark.

    python3 jax_step.py --check DIR [DIR ...] [--x64] [--tol 1e-5]
        DIR from `mflda peer-export --out DIR`: loads the payoff samples, the
        initial densities and mflda's densities after one ETDRK4 step, takes the
        same step in JAX and prints, for mu and nu, the relative L2 difference
        ||jax - mflda|| / ||mflda|| of the stepped densities (asserted below
        --tol) and of the increments (stepped - initial, printed only: the
        stricter number). Exit status 1 when a difference is not below --tol.
        --default-game: also check that default_game.py, the game --bench
        times, has the export's payoff and parameters (an export of the
        embedded default config, any size and dimension).

    python3 jax_step.py --bench [--sizes 512,1024,2048,4096,8192] [--dim 2]
                        [--steps 10] [--reps 20] [--json FILE] [--x64]
        Times the jitted step on mflda's default game (default_game.py) at each
        size: --steps steps per call in one lax.fori_loop, after a compiled
        warm-up call, --reps timed calls (block_until_ready); prints steps/s
        and ms/step from the median call and writes the results as JSON.

float32 by default, as mflda computes; --x64 takes the step in float64.
"""

import argparse
import json
import os
import sys
import time

import numpy as np


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", nargs="+", metavar="DIR", help="mflda peer-export directories")
    mode.add_argument("--bench", action="store_true", help="time steps of the default game")
    p.add_argument("--x64", action="store_true", help="float64 instead of float32")
    p.add_argument("--tol", type=float, default=1e-5, help="largest relative L2 difference allowed")
    p.add_argument(
        "--default-game", action="store_true", help="--check: the export is of default_game.py's game"
    )
    p.add_argument("--sizes", default="512,1024,2048,4096,8192", help="grid sides for --bench")
    p.add_argument("--dim", type=int, choices=(1, 2), default=2, help="dimension for --bench")
    p.add_argument("--steps", type=int, default=10, help="steps per timed call")
    p.add_argument("--reps", type=int, default=20, help="timed calls per size")
    p.add_argument("--json", metavar="FILE", help="write the --bench results here")
    return p.parse_args()


def load_game(path):
    """The Game, initial densities and mflda's stepped densities of an export."""
    from etdrk4_game import Game

    with open(os.path.join(path, "params.json")) as f:
        params = json.load(f)
    load = lambda name: np.load(os.path.join(path, name))
    band = load("band_coeffs.npy").astype(np.float64)
    game = Game(
        kernel=load("kernel.npy"),
        potential_mu=load("potential_mu.npy"),
        potential_nu=load("potential_nu.npy"),
        band_coeffs=band[..., 0] + 1j * band[..., 1],
        band_modes=params["band_modes"],
        dim=params["dim"],
        length=params["length"],
        tau=params["tau"],
        eta=params["eta"],
        dt=params["dt"],
        dealias=params["dealias"],
    )
    if params["scheme"] != "etdrk4" or list(game.kernel.shape) != params["shape"]:
        raise SystemExit(f"{path}: not an ETDRK4 export of shape {params['shape']}")
    start = [load("mu0.npy"), load("nu0.npy")]
    mflda = [load("mu1.npy"), load("nu1.npy")]
    return game, params, start, mflda


def rel_l2(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def same_as_default(game, tol=1e-5):
    """Largest difference between the payoff of an export and default_game.py's
    at the same size; raises SystemExit when the parameters or payoff differ."""
    from default_game import default_game

    ref, _, _ = default_game(game.kernel.shape[1], game.dim)
    for key in ("band_modes", "length", "tau", "eta", "dt", "dealias"):
        if not np.isclose(getattr(game, key), getattr(ref, key), rtol=1e-12):
            raise SystemExit(f"default_game.py differs from the export in {key}")
    diff = max(
        float(np.abs(np.asarray(getattr(game, key)) - getattr(ref, key)).max())
        for key in ("kernel", "potential_mu", "potential_nu", "band_coeffs")
    )
    if diff > tol:
        raise SystemExit(f"default_game.py's payoff differs from the export's by {diff:.3e}")
    return diff


def check(args, dtype):
    import jax
    from etdrk4_game import make_step

    ok = True
    for path in args.check:
        game, params, start, mflda = load_game(path)
        step, ops, to_spectral, to_grid = make_step(game, dtype)
        out = np.asarray(to_grid(jax.jit(step)(ops, to_spectral(*start))))
        n2, n1 = params["shape"]
        print(f"{path}: {params['dim']}D {n2} x {n1}, {np.dtype(dtype).name}, mflda on {params['adapter']}")
        if args.default_game:
            print(f"  default_game.py: the same game (payoff differs by {same_as_default(game):.1e})")
        for i, name in enumerate(("mu", "nu")):
            err = rel_l2(out[i], mflda[i])
            inc = rel_l2(out[i] - start[i].astype(np.float64), mflda[i].astype(np.float64) - start[i])
            good = err < args.tol
            ok &= good
            verdict = "ok" if good else "FAIL"
            print(f"  {name}: output rel_l2 {err:.3e}  increment rel_l2 {inc:.3e}  {verdict}")
    print("PASS" if ok else f"FAIL: a relative L2 difference is not below {args.tol:g}")
    return 0 if ok else 1


def bench(args, dtype):
    import jax
    from jax import lax
    from default_game import default_game
    from etdrk4_game import make_step

    device = jax.devices()[0]
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        game, mu, nu = default_game(n, args.dim)
        step, ops, to_spectral, _ = make_step(game, dtype)
        steps = args.steps
        donate = (1,) if device.platform != "cpu" else ()  # CPUs cannot donate
        run = jax.jit(
            lambda o, u: lax.fori_loop(0, steps, lambda _, v: step(o, v), u), donate_argnums=donate
        )
        u = to_spectral(mu, nu).block_until_ready()
        u = run(ops, u).block_until_ready()  # compile and warm up
        times = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            u = run(ops, u).block_until_ready()
            times.append(time.perf_counter() - t0)
        if not bool(np.isfinite(np.asarray(u)).all()):
            raise SystemExit(f"n = {n}: the state is not finite after {steps * (args.reps + 1)} steps")
        med = float(np.median(times))
        r = {
            "n": n,
            "dim": args.dim,
            "steps_per_call": steps,
            "reps": args.reps,
            "median_s": med,
            "min_s": float(min(times)),
            "max_s": float(max(times)),
            "steps_per_s": steps / med,
            "ms_per_step": 1e3 * med / steps,
        }
        results.append(r)
        print(f"{n:>6} {r['steps_per_s']:>12.2f} {r['ms_per_step']:>10.3f}", flush=True)
    report = {
        "what": "one ETDRK4 step of mflda's default game in JAX (benches/peer/jax_step.py)",
        "jax": jax.__version__,
        "device": str(device),
        "platform": device.platform,
        "dtype": np.dtype(dtype).name,
        "results": results,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    return 0


def main():
    args = parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import jax

    if args.x64:
        jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    dtype = jnp.float64 if args.x64 else jnp.float32
    if args.bench:
        print(f"JAX {jax.__version__} on {jax.devices()[0]}, {np.dtype(dtype).name}")
        print(f"{'N':>6} {'steps/s':>12} {'ms/step':>10}")
    return check(args, dtype) if args.check else bench(args, dtype)


if __name__ == "__main__":
    sys.exit(main())
