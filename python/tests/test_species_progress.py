"""A species system through the package (names other than mu and nu, a
closed-form spectrum), and the progress reports."""

from __future__ import annotations

import numpy as np
import pytest

import mflda
import mflda._progress as progress_module
from conftest import ROOT, small_game


def kuramoto(tau: float) -> mflda.Config:
    """The noisy Kuramoto model of assets/examples/kuramoto-transition,
    W(z) = -K cos z with K = 1, above its critical temperature K / 2: the
    uniform density is stationary and the mode cos x decays at exactly
    tau - K / 2 (docs/MATHEMATICS.md section 8)."""
    c = mflda.Config.from_toml(ROOT / "assets" / "examples" / "kuramoto-transition" / "kuramoto.toml")
    for key, value in [
        ("grid.n", 64),
        ("species.rho.tau", tau),
        ("time.t_end", 0.5),
        ("output.frames_every", 0),
        ("output.snapshots_every", 0.5),
        ("output.metrics_every", 0.1),
    ]:
        c.set(key, value)
    return c


def test_a_one_species_system_is_named_by_its_config():
    c = kuramoto(0.8)
    assert c["species.rho.tau"] == 0.8
    sim = mflda.Simulation(c)
    assert sim.names == ["rho"]
    eq = sim.equilibrium()
    np.testing.assert_allclose(eq["rho"], 1 / (2 * np.pi), rtol=1e-5)
    sim.advance(10)
    assert sim.densities()["rho"].shape == (64,)
    assert "l2_rho" in sim.metrics()
    run = mflda.run(c, progress=False)
    assert set(run.final) == {"rho"}
    assert run.snapshots.times == [0.0, 0.5]
    a = mflda.analyze(c, progress=False)
    assert a.eigenvalues[0].real == pytest.approx(-(0.8 - 0.5), rel=1e-3)
    assert set(a.poincare) == {"rho"}


def test_progress_false_is_silent_and_true_prints_lines_without_tqdm(capsys, monkeypatch):
    config = small_game(n=16, t_end=0.05)
    mflda.run(config, progress=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress_module, "_tqdm", None)
    mflda.run(config, progress=True)
    err = capsys.readouterr().err
    assert "equilibrium:" in err
    assert "steps: 5/5" in err
