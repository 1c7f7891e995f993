//! The CPU f64 reference for the Poincare constant: the dense matrix of the
//! discretised `H = -Lap + q` (`super::schrodinger`), compressed to the
//! orthogonal complement of `psi_0 = sqrt(rho*)`, and its smallest eigenvalue
//! by a full symmetric eigendecomposition (nalgebra). For small grids only.

use nalgebra::{DMatrix, DVector, SymmetricEigen};

use crate::analysis::schrodinger::Schrodinger;
use crate::dynamics::Params;
use crate::{Error, Result};

/// Largest number of grid points [`poincare_dense`] accepts (a 2048 x 2048
/// matrix: 32 MiB and a few seconds).
pub const DENSE_MAX_POINTS: usize = 2048;

/// The `N x N` matrix (`N = n2 n1`) of `H = -Lap + q` in grid values: column
/// `j` is `H e_j`, the spectral operator applied to the unit vector `e_j`.
pub fn dense_operator(op: &Schrodinger) -> Result<DMatrix<f64>> {
    let n = op.shape.len();
    if n > DENSE_MAX_POINTS {
        return Err(Error::Grid(format!(
            "the dense Poincare reference is for grids of at most {DENSE_MAX_POINTS} points; \
             a {} grid has {n}",
            op.shape
        )));
    }
    let mut h = DMatrix::zeros(n, n);
    let mut e = vec![0.0; n];
    for j in 0..n {
        e[j] = 1.0;
        let column = op.apply(&e)?;
        e[j] = 0.0;
        h.set_column(j, &DVector::from_vec(column));
    }
    // Symmetric up to round-off; make it exactly so for the eigensolver.
    Ok((&h + h.transpose()) * 0.5)
}

/// `lambda_1`: the smallest eigenvalue of `P H P` on the complement of
/// `psi_0`, `P = I - psi_0 psi_0^T`, i.e. the second smallest eigenvalue of
/// `P H P` (whose smallest, 0, belongs to `psi_0`), computed as the smallest
/// of `P H P + c psi_0 psi_0^T` with `c` above the spectrum of `H`.
///
/// `log_density` is `log rho*` on the grid of `params`, row-major `(n2, n1)`.
/// Errors: a wrong length, a non-finite value, or more than
/// [`DENSE_MAX_POINTS`] points.
pub fn poincare_dense(params: &Params, log_density: &[f64]) -> Result<f64> {
    let op = Schrodinger::new(params, log_density)?;
    let h = dense_operator(&op)?;
    let psi = DVector::from_column_slice(&op.psi);
    // Gershgorin: every eigenvalue of H, and so of P H P, is at most this.
    let bound = h
        .row_iter()
        .map(|r| r.iter().map(|v| v.abs()).sum::<f64>())
        .fold(0.0, f64::max);
    let h_psi = &h * &psi;
    let e0 = psi.dot(&h_psi);
    // P H P = H - psi (H psi)^T - (H psi) psi^T + e0 psi psi^T, plus the shift.
    let m = h - &psi * h_psi.transpose() - &h_psi * psi.transpose()
        + &psi * psi.transpose() * (e0 + bound + 1.0);
    let eig = SymmetricEigen::new(m);
    Ok(eig
        .eigenvalues
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min))
}

/// The `count` smallest eigenvalues of the uncompressed `H`, ascending (the
/// first is the discrete ground energy, near 0).
pub fn lowest_eigenvalues(params: &Params, log_density: &[f64], count: usize) -> Result<Vec<f64>> {
    let op = Schrodinger::new(params, log_density)?;
    let eig = SymmetricEigen::new(dense_operator(&op)?);
    let mut v: Vec<f64> = eig.eigenvalues.iter().copied().collect();
    v.sort_by(f64::total_cmp);
    v.truncate(count);
    Ok(v)
}
