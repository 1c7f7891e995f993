"""The game of mflda's embedded default config (assets/default.toml) in numpy,
for timing at sizes where exporting it from mflda would mean gigabytes of files.

The payoff (keep in sync with assets/default.toml, as `mflda bench step` uses it):

    k(z)   = cos(z1) cos(z2) + 0.5 sin(z1 + z2)
    a(x)   = 0.3 cos(x1)
    b(y)   = 0.3 sin(y2)
    K3     = 0.5 cos(x1 - y2), kept up to B = 2 modes per axis
    tau = 0.2, eta = 1, dt = 0.01, L = 2 pi, ETDRK4, no de-aliasing.

In 1D the second coordinates are 0. The step's cost depends on the grid, the
dimension and B, not on these values; the check against mflda (jax_step.py
--check) uses the payoff mflda exports instead.
"""

import numpy as np

from etdrk4_game import Game

TAU, ETA, DT, MODES = 0.2, 1.0, 0.01, 2


def band_coefficients(interaction, dim, modes, length):
    """C[box(m)][box(n)] = p^(-2d) sum K(x_a, y_b) exp(-i (kappa_m x_a + kappa_n y_b))
    over the product grid of p points per axis, p = max(8, 4 (B + 1) rounded up
    to a power of two), as mflda's game/band.rs computes it. interaction(x1, x2,
    y1, y2) -> K, vectorised; returns a (box, box) complex array."""
    p = max(8, 1 << int(np.ceil(np.log2(4 * (modes + 1)))))
    t = np.arange(p) * length / p
    zero = np.zeros(1)
    axes = [t, t, t, t] if dim == 2 else [zero, t, zero, t]
    # Arrays indexed [a2, a1, b2, b1] (a2, b2 of length 1 in 1D).
    x2, x1, y2, y1 = np.meshgrid(*axes, indexing="ij")
    spec = np.fft.fftn(interaction(x1, x2, y1, y2)) / p ** (2 * dim)
    side = 2 * modes + 1
    i = np.arange(side**dim)
    m1 = i % side - modes
    m2 = i // side - modes if dim == 2 else np.zeros_like(i)
    rows = (m2 % spec.shape[0], m1 % p)
    return spec[rows[0][:, None], rows[1][:, None], rows[0][None, :], rows[1][None, :]]


def default_game(n, dim=2):
    """The default game on an n x n grid (1 x n in 1D) and uniform densities."""
    length = 2 * np.pi
    t = np.arange(n) * length / n
    x1, x2 = np.meshgrid(t, t if dim == 2 else np.zeros(1), indexing="xy")
    game = Game(
        kernel=np.cos(x1) * np.cos(x2) + 0.5 * np.sin(x1 + x2),
        potential_mu=0.3 * np.cos(x1),
        potential_nu=0.3 * np.sin(x2),
        band_coeffs=band_coefficients(
            lambda a1, a2, b1, b2: 0.5 * np.cos(a1 - b2), dim, MODES, length
        ),
        band_modes=MODES,
        dim=dim,
        length=length,
        tau=TAU,
        eta=ETA,
        dt=DT,
        dealias=False,
    )
    uniform = np.full(x1.shape, length**-dim)
    return game, uniform, uniform
