//! `mflda._native`: the Rust side of the Python package. It holds what
//! needs the library (configs parsed and validated by the same code as the
//! CLI, jobs on a worker thread, the step-by-step simulation, pictures,
//! W2); the pure-Python package `mflda` wraps it in the public API.

mod config;
mod device;
mod errors;
mod job;
mod pictures;
mod simulation;

use pyo3::prelude::*;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(config::default_toml, m)?)?;
    m.add_function(wrap_pyfunction!(config::parse, m)?)?;
    m.add_function(wrap_pyfunction!(config::from_json, m)?)?;
    m.add_function(wrap_pyfunction!(config::with_sets, m)?)?;
    m.add_function(wrap_pyfunction!(config::to_json, m)?)?;
    m.add_function(wrap_pyfunction!(config::resolved, m)?)?;
    m.add_function(wrap_pyfunction!(device::select, m)?)?;
    m.add_function(wrap_pyfunction!(device::info, m)?)?;
    m.add_function(wrap_pyfunction!(job::start, m)?)?;
    m.add_function(wrap_pyfunction!(pictures::picture, m)?)?;
    m.add_function(wrap_pyfunction!(pictures::w2, m)?)?;
    m.add_class::<job::Job>()?;
    m.add_class::<simulation::Simulation>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
