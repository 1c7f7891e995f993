"""KeyboardInterrupt stops runs and simulations cleanly; an interrupted run
resumes to the states of an uninterrupted one, bit for bit."""

from __future__ import annotations

import threading
import _thread

import numpy as np
import pytest

import mflda
import mflda._progress as progress_module
from conftest import small_game


def test_an_interrupted_run_resumes_to_the_same_end(tmp_path, monkeypatch):
    config = small_game(n=16, t_end=1.0).set("time.dt", 0.01).set("output.checkpoint_every", 1.0)
    whole = mflda.run(config, out=tmp_path / "whole", progress=False)

    seen = {}
    original = progress_module.Progress.update

    def ctrl_c_once_stepping(self, state):
        original(self, state)
        if state["phase"] == "steps" and state["done"] > 0 and not seen:
            seen["at"] = state["done"]
            raise KeyboardInterrupt

    monkeypatch.setattr(progress_module.Progress, "update", ctrl_c_once_stepping)
    out = tmp_path / "cut"
    with pytest.raises(KeyboardInterrupt) as e:
        mflda.run(config, out=out, progress=True)
    assert "checkpoint written" in str(e.value)
    assert "resume=True" in str(e.value)
    cut = mflda.open_run(out)
    assert not cut.finished
    assert list(out.glob("checkpoint-*.bin"))
    monkeypatch.setattr(progress_module.Progress, "update", original)

    resumed = mflda.run(out=out, resume=True, progress=False)
    assert resumed.finished
    for name in ("mu", "nu"):
        np.testing.assert_array_equal(resumed.final[name], whole.final[name])


def test_an_interrupted_advance_keeps_the_steps_done():
    sim = mflda.Simulation(small_game(n=16, t_end=1000.0).set("time.dt", 0.01))
    sim.dt  # build the stepper first: the interrupt is for the stepping
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sim.advance(10_000_000)
    finally:
        timer.cancel()
    assert 0 < sim.steps < 10_000_000
    assert np.isfinite(sim.metrics()["l2_mu"])
