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
    # 500 steps: the stepping outlasts several polls of 0.1 s, so the
    # interrupt comes in the middle of it.
    config = small_game(n=16, t_end=5.0).set("time.dt", 0.01).set("output.checkpoint_every", 5.0)
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


def test_an_interrupted_equilibrium_raises_keyboard_interrupt():
    sim = mflda.Simulation(small_game(n=128, t_end=1.0))
    timer = threading.Timer(0.2, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            sim.equilibrium()
    finally:
        timer.cancel()


def test_the_gil_is_released_while_the_gpu_works():
    sim = mflda.Simulation(small_game(n=32, t_end=1000.0).set("time.dt", 0.01))
    sim.dt  # the stepper first
    count = [0]
    running = threading.Event()
    done = threading.Event()

    def spin():
        running.set()
        while not done.is_set():
            count[0] += 1

    worker = threading.Thread(target=spin)
    worker.start()
    running.wait()
    before = count[0]
    sim.advance(200)
    during = count[0] - before
    done.set()
    worker.join()
    # Holding the GIL through the GPU work would leave the other thread a
    # few switch intervals (5 ms each) at most; released, it spins all along.
    assert during > 100_000, during
