"""The analysis and the equilibrium on closed-form cases
(docs/MATHEMATICS.md section 6)."""

from __future__ import annotations

import numpy as np
import pytest

import mflda


def decoupled(tau: float) -> mflda.Config:
    """A game with no payoff at all on the circle of length 2 pi: the
    uniform densities are stationary, their Poincare constant is
    (2 pi / L)^2 = 1, and every mode decays at rate tau k^2, the slowest
    at tau."""
    c = mflda.default_config()
    for key, value in [
        ("grid.dim", 1),
        ("grid.n", 64),
        ("game.kernel", "0.0"),
        ("game.interaction", "0.0"),
        ("game.potential_mu", "0.0"),
        ("game.potential_nu", "0.0"),
        ("game.tau", tau),
        ("time.dt", 0.05),
        ("time.t_end", 1.0),
    ]:
        c.set(key, value)
    return c


def test_analyze_finds_minus_tau_times_the_poincare_constant():
    a = mflda.analyze(decoupled(0.3), progress=False)
    assert a.eigenvalues.dtype == np.complex128
    assert a.poincare["mu"] == pytest.approx(1.0, rel=1e-4)
    assert a.poincare["nu"] == pytest.approx(1.0, rel=1e-4)
    assert a.eigenvalues[0].real == pytest.approx(-0.3, rel=1e-3)
    assert abs(a.eigenvalues[0].imag) < 1e-6
    assert a.stable
    assert a.predicted_rate == pytest.approx(0.3, rel=1e-3)
    assert a.bound == pytest.approx(0.3, rel=1e-3)


def test_the_equilibrium_of_no_payoff_is_uniform():
    eq = mflda.equilibrium(decoupled(0.5), progress=False)
    uniform = 1.0 / (2 * np.pi)
    for name in ("mu", "nu"):
        np.testing.assert_allclose(eq[name], uniform, rtol=1e-6)
    assert eq.summary["iterations"] >= 0
