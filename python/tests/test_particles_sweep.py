"""Particle runs and sweeps through the package: the directories and
tables the CLI writes for the same configs."""

from __future__ import annotations

import numpy as np

import mflda
from conftest import cli


def one_d(n: int = 32, t_end: float = 0.2) -> mflda.Config:
    return (
        mflda.default_config()
        .set("grid.dim", 1)
        .set("grid.n", n)
        .set("time.t_end", t_end)
        .set("output.metrics_every", t_end / 4)
        .set("output.snapshots_every", t_end)
        .set("output.frames_every", 0)
    )


def test_a_sweep_tabulates_every_point_as_the_cli_does(tmp_path):
    config = one_d()
    table = mflda.sweep(config, {"game.tau": [0.2, 0.4]}, out=tmp_path / "api", progress=False)
    assert len(table) == 2
    assert sorted(table["game.tau"]) == [0.2, 0.4]
    path = tmp_path / "c.toml"
    path.write_text(config.to_toml())
    cli("sweep", str(path), "--param", "game.tau=0.2,0.4", "--out", str(tmp_path / "cli"), "-q")
    import pandas as pd

    by_cli = pd.read_csv(tmp_path / "cli" / "sweep.csv")
    assert list(by_cli.columns) == list(table.columns)
    for column in ("measured_rate", "predicted_rate"):
        assert column in table.columns, list(table.columns)
        np.testing.assert_array_equal(table[column].to_numpy(), by_cli[column].to_numpy())


def test_a_particle_run_writes_its_directory(tmp_path):
    config = one_d(t_end=0.2).set("particles.n", 256)
    run = mflda.particles(config, out=tmp_path / "p", progress=False)
    assert run.summary["t"] == 0.2
    assert run.summary["steps"] == 20
    assert "t" in run.metrics.columns and len(run.metrics) >= 2
    assert (run.path / "particles").is_dir()
    assert set(run.equilibrium) == {"mu", "nu"}
