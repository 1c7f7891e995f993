"""Whole runs: the arrays the API returns are those the CLI writes for the
same config; the step-by-step simulation reproduces a run."""

from __future__ import annotations

import numpy as np
import pytest

import mflda
from conftest import cli, small_game


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same small game run by the API and by the CLI."""
    base = tmp_path_factory.mktemp("runs")
    config = small_game(n=16, t_end=0.1)
    api = mflda.run(config, out=base / "api", progress=False)
    (base / "c.toml").write_text(config.to_toml())
    cli("run", str(base / "c.toml"), "--out", str(base / "cli"), "-q")
    return config, api, mflda.open_run(base / "cli")


def test_the_api_writes_what_the_cli_writes(pair):
    _, api, by_cli = pair
    assert api.finished and by_cli.finished
    for name in ("mu", "nu"):
        assert api.final[name].dtype == np.float32
        assert api.final[name].shape == (16, 16)
        np.testing.assert_array_equal(api.final[name], by_cli.final[name])
        np.testing.assert_array_equal(api.equilibrium[name], by_cli.equilibrium[name])
    assert list(api.metrics.columns) == list(by_cli.metrics.columns)
    np.testing.assert_array_equal(api.metrics.to_numpy(), by_cli.metrics.to_numpy())
    assert api.summary["steps"] == by_cli.summary["steps"]
    assert api.config == by_cli.config


def test_snapshots_are_read_lazily_by_time(pair):
    _, api, _ = pair
    snaps = api.snapshots
    assert snaps.times == [0.0, 0.1]
    np.testing.assert_array_equal(snaps[0.1]["mu"], api.final["mu"])
    assert set(snaps[0.0]) == {"mu", "nu"}
    with pytest.raises(KeyError, match="no snapshot"):
        snaps[0.05]


def test_the_simulation_reproduces_the_run(pair):
    config, api, _ = pair
    sim = mflda.Simulation(config)
    eq = sim.equilibrium()
    for name in ("mu", "nu"):
        np.testing.assert_array_equal(eq[name], api.equilibrium[name])
    steps = api.summary["steps"]
    sim.advance(steps)
    assert sim.steps == steps
    assert sim.t == pytest.approx(0.1, rel=1e-12)
    now = sim.densities()
    for name in ("mu", "nu"):
        np.testing.assert_array_equal(now[name], api.final[name])
    last = api.metrics.iloc[-1]
    metrics = sim.metrics()
    assert list(metrics) == list(api.metrics.columns)
    for column, value in metrics.items():
        assert value == pytest.approx(last[column], rel=1e-9, abs=1e-15), column


def test_densities_are_the_readback_buffers_not_copies(game):
    sim = mflda.Simulation(game)
    d = sim.densities()["mu"]
    # Owned by the Rust buffer of the readback: no numpy-allocated copy
    # anywhere in the chain of views.
    base = d
    while isinstance(base, np.ndarray):
        assert not base.flags.owndata
        base = base.base
    assert base is not None and type(base).__name__ == "PySliceContainer"


def test_set_densities_round_trips_and_checks_shapes(game):
    sim = mflda.Simulation(game)
    eq = sim.equilibrium()
    sim.set_densities(eq)
    back = sim.densities()
    for name in ("mu", "nu"):
        np.testing.assert_allclose(back[name], eq[name], rtol=1e-5, atol=1e-7)
    sim.set_densities(mu=eq["mu"].astype(np.float64), nu=eq["nu"])
    with pytest.raises(mflda.DataError, match="shape"):
        sim.set_densities(mu=eq["mu"][:8], nu=eq["nu"])
    with pytest.raises(mflda.DataError, match="missing"):
        sim.set_densities(mu=eq["mu"])
    bad = eq["nu"].copy()
    bad[3, 4] = np.nan
    with pytest.raises(mflda.DataError, match="finite"):
        sim.set_densities(mu=eq["mu"], nu=bad)


def unstable(dt: float) -> mflda.Config:
    """A strongly coupled 1D game (tests/time_step.rs's band game) on ETDRK2
    at a step far above its stable one: it blows up within 20 steps."""
    c = mflda.default_config()
    for key, value in [
        ("grid.dim", 1),
        ("grid.n", 64),
        ("game.tau", 0.3),
        ("game.kernel", "0.0"),
        ("game.potential_mu", "0.0"),
        ("game.potential_nu", "0.0"),
        ("game.interaction", "4.0 * cos(x.x + 2.0 * y.x)"),
        ("game.interaction_modes", 3),
        ("init.mu", "eq * (1.0 + 0.5 * cos(x.x))"),
        ("init.nu", "eq * (1.0 + 0.5 * sin(2.0 * x.x))"),
        ("time.scheme", "etdrk2"),
        ("time.t_end", 20 * dt),
        ("output.metrics_every", dt),
        ("output.snapshots_every", 0),
        ("output.frames_every", 0),
        ("output.checkpoint_every", 0),
        ("time.dt", dt),
    ]:
        c.set(key, value)
    return c


def test_a_blow_up_is_a_blow_up_error(tmp_path):
    sim = mflda.Simulation(unstable(1.0))
    with pytest.raises(mflda.BlowUpError, match="time.dt"):
        sim.advance(20)
    with pytest.raises(mflda.BlowUpError, match="blew up") as e:
        mflda.run(unstable(1.0), out=tmp_path / "blown", progress=False)
    assert "last good state" in str(e.value)


def test_one_dimensional_grids_are_one_dimensional_arrays():
    config = mflda.default_config().set("grid.dim", 1).set("grid.n", 64).set("time.t_end", 0.05)
    sim = mflda.Simulation(config)
    assert sim.shape == (64,)
    assert sim.densities()["nu"].shape == (64,)
    run = mflda.run(config, progress=False)
    assert run.final["mu"].shape == (64,)
