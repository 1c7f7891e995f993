//! Parameters of the discretised MFL-DA dynamics and the WGSL constants they set.

pub use crate::config::Scheme;
use crate::gpu::Shape;

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
    /// Fisher-Rao rate alpha >= 0 (`time.fisher_rao`): the right-hand side
    /// gains `-alpha eta_s (Phi_s - <Phi_s>_rho_s) rho_s`; 0 leaves it out.
    pub fisher_rao: f64,
}

impl Params {
    /// Cell measure h^d: the product of the spacings `L / n` of the grid's axes.
    pub fn cell(&self) -> f64 {
        let h1 = self.length / self.shape.n1 as f64;
        if self.shape.n2 > 1 {
            h1 * self.length / self.shape.n2 as f64
        } else {
            h1
        }
    }

    /// `N1`, `N2`, `LENGTH` of `shaders/shared/spectral.wgsl`.
    pub fn spectral_constants(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("N1", self.shape.n1 as f64),
            ("N2", self.shape.n2 as f64),
            ("LENGTH", self.length),
        ]
    }

    /// The spectral constants plus `DT` of `etd_coeffs.wgsl` (the species'
    /// temperatures and rates come from the system's generated code).
    pub fn etd_constants(&self) -> Vec<(&'static str, f64)> {
        let mut c = self.spectral_constants();
        c.push(("DT", self.dt));
        c
    }
}
