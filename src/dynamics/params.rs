//! Parameters of the discretised MFL-DA dynamics and the WGSL constants they set.

use crate::gpu::Shape;

/// Time-stepping scheme (MFLDA.md section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Cox-Matthews ETDRK2: two right-hand sides per step, second order.
    Etdrk2,
    /// Cox-Matthews ETDRK4 (Kassam-Trefethen coefficients): four, fourth order.
    Etdrk4,
}

/// Everything that fixes the discrete operators of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Grid shape (n2, n1); n2 = 1 in 1D.
    pub shape: Shape,
    /// Side length L of the torus.
    pub length: f64,
    /// Temperature tau > 0.
    pub tau: f64,
    /// Timescale ratio eta > 0 of the max player.
    pub eta: f64,
    /// Time step.
    pub dt: f64,
    /// Apply the 2/3 rule to the nonlinear terms.
    pub dealias: bool,
    /// Time-stepping scheme.
    pub scheme: Scheme,
}

impl Params {
    /// Grid spacing h = L / n.
    pub fn h(&self) -> f64 {
        self.length / self.shape.n1 as f64
    }

    /// Cell measure h^d.
    pub fn cell(&self) -> f64 {
        self.h().powi(self.shape.dim() as i32)
    }

    /// `N1`, `N2`, `LENGTH` of `shaders/shared/spectral.wgsl`.
    pub fn spectral_constants(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("N1", self.shape.n1 as f64),
            ("N2", self.shape.n2 as f64),
            ("LENGTH", self.length),
        ]
    }

    /// The spectral constants plus `TAU`, `ETA`, `DT` of `etd_coeffs.wgsl`.
    pub fn etd_constants(&self) -> Vec<(&'static str, f64)> {
        let mut c = self.spectral_constants();
        c.extend([("TAU", self.tau), ("ETA", self.eta), ("DT", self.dt)]);
        c
    }
}
