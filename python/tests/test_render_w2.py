"""Pictures and the W2 distance."""

from __future__ import annotations

import numpy as np
import pytest

import mflda
from conftest import small_game

PNG = b"\x89PNG\r\n\x1a\n"


def test_render_draws_arrays_dicts_runs_and_simulations(tmp_path):
    x = np.linspace(0, 2 * np.pi, 32, endpoint=False)
    field = np.exp(np.cos(x)[None, :] + np.sin(x)[:, None]).astype(np.float32)
    for obj in (field, {"a": field, "b": 2 * field}, np.cos(x), {"f": np.cos(x), "g": np.sin(x)}):
        p = mflda.render(obj)
        assert p.png.startswith(PNG)
        assert p._repr_png_() == p.png
    sim = mflda.Simulation(small_game(n=16))
    assert mflda.render(sim, colormap="magma", scale="log").png.startswith(PNG)
    path = mflda.render(field, limits=(0.0, 10.0), label="t = 0").save(tmp_path / "f.png")
    assert path.read_bytes().startswith(PNG)


def test_render_rejects_bad_input_with_the_cli_messages():
    with pytest.raises(mflda.ConfigError, match="unknown colour map"):
        mflda.render(np.ones((4, 4)), colormap="jet")
    with pytest.raises(mflda.ConfigError, match="unknown scale"):
        mflda.render(np.ones((4, 4)), scale="sqrt")
    with pytest.raises(mflda.DataError, match="shape"):
        mflda.render(np.ones((2, 2, 2)))
    with pytest.raises(mflda.DataError):
        mflda.render({"a": np.ones((4, 4)), "b": np.ones((8, 8))})


def test_w2_of_a_shift_on_the_circle_is_the_shift():
    n, length = 128, 2 * np.pi
    x = np.arange(n) * length / n
    # A compact bump (support of width 2 < L / 2): its translates are
    # optimal, W2 is the shift (docs/MATHEMATICS.md section 10).
    f = np.maximum(0.0, 1.0 - (x - np.pi) ** 2) ** 2
    for cells in (1, 5, 17):
        g = np.roll(f, cells)
        assert mflda.w2(f, g, length) == pytest.approx(cells * length / n, rel=1e-6)
    assert mflda.w2(f, f, length) == pytest.approx(0.0, abs=1e-6)


def test_w2_in_2d_of_a_shift_is_the_shift():
    n, length = 32, 2 * np.pi
    x = np.arange(n) * length / n
    r2 = (x[None, :] - np.pi) ** 2 + (x[:, None] - np.pi) ** 2
    f = np.maximum(0.0, 1.0 - r2) ** 2
    g = np.roll(f, 2, axis=1)
    assert mflda.w2(f, g, length, tol=1e-6) == pytest.approx(2 * length / n, rel=1e-2)
    with pytest.raises(mflda.DataError, match="shapes"):
        mflda.w2(f, f[:16], length)
