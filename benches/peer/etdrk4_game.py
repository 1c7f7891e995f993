"""One ETDRK4 step of the MFL-DA game in JAX, pseudo-spectrally on real fields.

This is the step of mflda (../../docs/MATHEMATICS.md sections 1-3) written the
way a JAX user would write it: operators and ETD coefficients precomputed once in
float64 with numpy, the state held as the half spectra of rfft2, the whole step
one jitted function.

State u: complex array of shape (2, n2, n1 // 2 + 1), the rfft2 of (mu, nu) on
the (n2, n1) grid (n2 = 1 in 1D). The step advances

    d/dt mu^ = -tau |kappa|^2 mu^ + N_mu^,             N_mu = div(mu grad V)
    d/dt nu^ = eta (-tau |kappa|^2 nu^ + N_nu^),       N_nu = -div(nu grad U)

    V^ = kconv^ nu^ + a^ + V3^,   U^ = conj(kconv^) mu^ + b^ + U3^,
    kconv^ = h^d FFT(k on the grid),
    V3^[m] = L^d sum_n C[m][n] nu^[-n],   U3^[n] = L^d sum_m C[m][n] mu^[-m]

by ETDRK4 (Cox-Matthews; coefficients as in Kassam and Trefethen, SIAM J. Sci.
Comput. 26 (2005) 1214). Odd derivatives zero the Nyquist modes; the optional
2/3 rule keeps the modes with every |m_i| <= n_i // 3 in the nonlinear terms.
"""

from dataclasses import dataclass

import numpy as np
import jax
import jax.numpy as jnp


@dataclass
class Game:
    """A discretised game, host arrays (numpy), grid arrays of shape (n2, n1).

    kernel: k(z) at z = (j1 h, j2 h); potential_mu: a(x); potential_nu: b(y);
    band_coeffs: (box, box) complex C[box(m)][box(n)] with box(m) =
    (m2 + B)(2B + 1) + (m1 + B) in 2D, m1 + B in 1D (a (0, 0) array without the
    term); band_modes: B.
    """

    kernel: np.ndarray
    potential_mu: np.ndarray
    potential_nu: np.ndarray
    band_coeffs: np.ndarray
    band_modes: int
    dim: int
    length: float
    tau: float
    eta: float
    dt: float
    dealias: bool


def etdrk4_coefficients(z, dt, contour_points=32):
    """The ETDRK4 coefficients of real z = c dt <= 0 (any shape), float64:

    E = e^z, E2 = e^(z/2), Q = dt/2 phi1(z/2),
    f1 = dt (phi1 - 3 phi2 + 4 phi3), f2 = dt (phi2 - 2 phi3),
    f3 = dt (-phi2 + 4 phi3), all phi_k at z.

    Closed forms where |z| >= 1; below, where they cancel, the mean over
    contour_points points of the upper half of the unit circle about z
    (Kassam-Trefethen's contour integral; real z makes the lower half the
    conjugate). Returns (E, E2, Q, f1, f2, f3).
    """
    z = np.asarray(z, dtype=np.float64)

    def closed(w):
        e, e2, w3 = np.exp(w), np.exp(w / 2), w**3
        return (
            e,
            e2,
            dt * (e2 - 1) / w,
            dt * (-4 - w + e * (4 - 3 * w + w * w)) / w3,
            dt * (2 + w + e * (w - 2)) / w3,
            dt * (-4 - 3 * w - w * w + e * (4 - w)) / w3,
        )

    small = np.abs(z) < 1
    big = np.where(small, -1.0, z)  # placeholder keeps the closed forms finite
    out = [np.asarray(c, dtype=np.float64) for c in closed(big)]
    if small.any():
        roots = np.exp(1j * np.pi * (np.arange(1, contour_points + 1) - 0.5) / contour_points)
        w = z[small][:, None] + roots[None, :]
        for o, c in zip(out, closed(w)):
            o[small] = c.mean(axis=1).real
        out[0][small] = np.exp(z[small])
        out[1][small] = np.exp(z[small] / 2)
    return tuple(out)


def _wave_numbers(n):
    """Integer wave numbers of an axis of n points, numpy's order: [-n/2, n/2)."""
    return np.rint(np.fft.fftfreq(n, 1.0 / n)).astype(np.int64)


def _band_maps(modes, dim, n2, n1):
    """Index maps of the band-limited term on the half spectrum.

    Returns (rows_neg, cols_neg, conj_neg) that gather f^[-n] for every box mode
    n (from the conjugate f^[n] where -n lies in the missing half), and
    (keep, rows, cols): the box modes m with m1 >= 0 and where they sit.
    """
    side = 2 * modes + 1
    box = side**dim
    i = np.arange(box)
    m1 = i % side - modes
    m2 = i // side - modes if dim == 2 else np.zeros_like(i)
    conj = -m1 < 0
    g1 = np.where(conj, m1, -m1)
    g2 = np.where(conj, m2, -m2)
    keep = np.nonzero(m1 >= 0)[0]
    return (g2 % n2, g1, conj), (keep, m2[keep] % n2, m1[keep])


def make_step(game, dtype=jnp.float32):
    """Precomputes the operators of `game`; returns (step, ops, to_spectral, to_grid).

    step(ops, u) -> u': one ETDRK4 step of the state u (see the module docs),
    pure and jit-able; ops: a dict of the operator arrays (an argument rather
    than closed over, so that jit does not bake gigabytes of constants into
    the program at large grids); to_spectral(mu, nu) -> u from grid arrays of
    shape (n2, n1); to_grid(u) -> (2, n2, n1) real array [mu, nu].
    """
    cdtype = jnp.complex128 if dtype == jnp.float64 else jnp.complex64
    n2, n1 = game.kernel.shape
    nh = n1 // 2 + 1
    scale = 2 * np.pi / game.length
    cell = (game.length / n1) * (game.length / n2 if n2 > 1 else 1.0)
    m1 = np.arange(nh)
    m2 = _wave_numbers(n2)[:, None]
    kx = scale * np.where(m1 == n1 // 2, 0, m1)[None, :]  # Nyquist zeroed
    ky = scale * np.where((n2 > 1) & (m2 == -(n2 // 2)), 0, m2)
    ksq = scale**2 * (m1[None, :] ** 2 + m2**2)
    mask = (m1[None, :] <= n1 // 3) & ((n2 == 1) | (np.abs(m2) <= n2 // 3))
    mask = mask.astype(np.float64) if game.dealias else np.ones((n2, nh))
    # Per-player weights of the nonlinear terms: 1 for mu, eta for nu.
    weight = np.stack([mask, game.eta * mask])
    # One set of ETD coefficients when both players diffuse alike.
    rates = [1.0] if game.eta == 1.0 else [1.0, game.eta]
    coeffs = [etdrk4_coefficients(-game.tau * r * ksq * game.dt, game.dt) for r in rates]
    names = ("E", "E2", "Q", "f1", "f2", "f3")
    ops = {k: jnp.asarray(np.stack(c), dtype) for k, c in zip(names, zip(*coeffs))}
    ops["kconv"] = jnp.asarray(cell * np.fft.rfft2(game.kernel.astype(np.float64)), cdtype)
    ops["a_hat"] = jnp.asarray(np.fft.rfft2(game.potential_mu.astype(np.float64)), cdtype)
    ops["b_hat"] = jnp.asarray(np.fft.rfft2(game.potential_nu.astype(np.float64)), cdtype)
    ops["ikx"] = jnp.asarray(1j * kx, cdtype)
    ops["iky"] = jnp.asarray(1j * ky, cdtype)
    ops["weight"] = jnp.asarray(weight, dtype)
    sign = np.array([1.0, -1.0])[:, None, None]
    two_d = n2 > 1
    has_band = game.band_modes > 0
    if has_band:
        (gr, gc, gconj), (keep, sr, sc) = _band_maps(game.band_modes, game.dim, n2, n1)
        ops["band"] = jnp.asarray(game.length**game.dim * game.band_coeffs, cdtype)

    def rfft2(f):
        return jnp.fft.rfft2(f)

    def irfft2(f):
        return jnp.fft.irfft2(f, s=(n2, n1))

    def potentials(o, u):
        kconv = o["kconv"]
        v = kconv * u[1] + o["a_hat"]
        w = jnp.conj(kconv) * u[0] + o["b_hat"]
        if has_band:
            neg = jnp.where(gconj, jnp.conj(u[:, gr, gc]), u[:, gr, gc])  # [mu^[-n], nu^[-n]]
            # HIGHEST: no TF32 on GPUs for this tiny product.
            dot = lambda m, x: jnp.matmul(m, x, precision=jax.lax.Precision.HIGHEST)
            v = v.at[sr, sc].add(dot(o["band"], neg[1])[keep])
            w = w.at[sr, sc].add(dot(o["band"].T, neg[0])[keep])
        return jnp.stack([v, w])

    def nonlinear(o, u):
        ikx, iky = o["ikx"], o["iky"]
        pot = potentials(o, u)
        rho = sign * irfft2(u)
        if two_d:
            flux = rfft2(rho * irfft2(jnp.stack([ikx * pot, iky * pot])))
            div = ikx * flux[0] + iky * flux[1]
        else:
            div = ikx * rfft2(rho * irfft2(ikx * pot))
        return o["weight"] * div

    def step(o, u):
        E, E2, Q = o["E"], o["E2"], o["Q"]
        nu0 = nonlinear(o, u)
        a = E2 * u + Q * nu0
        na = nonlinear(o, a)
        b = E2 * u + Q * na
        nb = nonlinear(o, b)
        c = E2 * a + Q * (2 * nb - nu0)
        nc = nonlinear(o, c)
        return E * u + o["f1"] * nu0 + 2 * o["f2"] * (na + nb) + o["f3"] * nc

    def to_spectral(mu, nu):
        return rfft2(jnp.stack([jnp.asarray(mu, dtype), jnp.asarray(nu, dtype)]))

    return step, ops, to_spectral, irfft2
