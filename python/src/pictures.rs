//! Pictures of host arrays (PNG bytes) and the W2 distance between two
//! densities on the host (f64).

use mflda::gpu::Shape;
use mflda::render::{picture_png, Colormap, PictureOptions, Scale};
use mflda::w2::bfm_cpu::{w2_bfm, BfmOptions};
use mflda::w2::circle::w2_circle;
use numpy::{PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::{DataError, IntoPy};

/// The PNG of `fields` (`[(name, float32 (n2, n1) array)]`, one shape;
/// `n2 = 1` draws curves) with colour map `colormap`, scale `scale`
/// (`linear`, `log`), optional limits and a label.
#[pyfunction]
#[pyo3(signature = (fields, colormap="viridis", scale="linear", limits=None, label="", length=1.0))]
pub fn picture<'py>(
    py: Python<'py>,
    fields: Vec<(String, PyReadonlyArray2<'py, f32>)>,
    colormap: &str,
    scale: &str,
    limits: Option<(f32, f32)>,
    label: &str,
    length: f64,
) -> PyResult<Bound<'py, PyBytes>> {
    let opts = PictureOptions {
        map: Colormap::parse("colormap", colormap).py_err()?,
        scale: Scale::parse("scale", scale).py_err()?,
        limits,
        label: label.to_string(),
        length,
    };
    let shape = match fields.first() {
        Some((_, a)) => (a.shape()[0], a.shape()[1]),
        None => return Err(DataError::new_err("render: nothing to draw")),
    };
    let mut views = Vec::with_capacity(fields.len());
    for (name, a) in &fields {
        let s = a
            .as_slice()
            .map_err(|_| DataError::new_err(format!("{name}: the array is not C-contiguous")))?;
        if a.shape() != [shape.0, shape.1] {
            return Err(DataError::new_err(format!(
                "{name}: shape {:?}, where the first array has ({}, {})",
                a.shape(),
                shape.0,
                shape.1
            )));
        }
        views.push((name.clone(), s));
    }
    let png = py
        .detach(|| picture_png(&views, shape.0, shape.1, &opts))
        .py_err()?;
    Ok(PyBytes::new(py, &png))
}

/// `(w2, gap, iterations)`: the 2-Wasserstein distance between densities
/// `a` and `b` (float64, the same shape `(n,)`-like `(1, n)` or `(n, n)`)
/// on the torus of side `length`: exact on the circle, by the
/// back-and-forth method in 2D (`gap` its relative duality gap).
#[pyfunction]
#[pyo3(signature = (a, b, length=1.0, tol=None, max_iter=None))]
pub fn w2(
    py: Python<'_>,
    a: PyReadonlyArray2<'_, f64>,
    b: PyReadonlyArray2<'_, f64>,
    length: f64,
    tol: Option<f64>,
    max_iter: Option<u32>,
) -> PyResult<(f64, f64, u32)> {
    if a.shape() != b.shape() {
        return Err(DataError::new_err(format!(
            "w2: the densities have shapes {:?} and {:?}; they must share one grid",
            a.shape(),
            b.shape()
        )));
    }
    if !(length.is_finite() && length > 0.0) {
        return Err(DataError::new_err(format!(
            "w2: length = {length} must be a positive number (the side of the torus)"
        )));
    }
    let (n2, n1) = (a.shape()[0], a.shape()[1]);
    let (sa, sb) = (
        a.as_slice()
            .map_err(|_| DataError::new_err("w2: a is not C-contiguous"))?,
        b.as_slice()
            .map_err(|_| DataError::new_err("w2: b is not C-contiguous"))?,
    );
    if n2 == 1 {
        let r = py.detach(|| w2_circle(sa, sb, length)).py_err()?;
        return Ok((r.w2, 0.0, r.evaluations));
    }
    if n1 != n2 {
        return Err(DataError::new_err(format!(
            "w2: the densities are {n2} x {n1}: 2D densities are square grids (N, N)"
        )));
    }
    let mut options = BfmOptions::default();
    if let Some(t) = tol {
        options.tol = t;
    }
    if let Some(m) = max_iter {
        options.max_iter = m;
    }
    let shape = Shape::square(n1 as u32);
    let r = py
        .detach(|| w2_bfm(sa, sb, shape, length, options))
        .py_err()?;
    Ok((r.w2(), r.gap, r.iterations))
}
