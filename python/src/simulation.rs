//! The step-by-step simulation: the library's [`mflda::run::Simulation`]
//! with the GIL released while the GPU works, densities in and out as
//! numpy arrays (out: the readback's own buffers, no copy).

use std::sync::{Arc, Mutex, MutexGuard};

use mflda::config::Config;
use mflda::gpu::{block, GpuContext};
use mflda::interrupt::Interrupt;
use mflda::run::Simulation as Core;
use numpy::{IntoPyArray, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::device::context;
use crate::errors::{to_py, DataError, IntoPy};

/// A run of one config advanced on request.
#[pyclass(module = "mflda._native")]
pub struct Simulation {
    ctx: Arc<GpuContext>,
    /// The species' names and the grid's shape, fixed at construction (so
    /// that reading them never waits for the lock a running call holds).
    names: Vec<String>,
    shape: (usize, usize),
    /// Behind a lock: the library's simulation is not `Sync` (its host
    /// W2 metric keeps timings in cells); calls are serial anyway.
    core: Mutex<Core>,
}

impl Simulation {
    /// Builds the stepper if it is not yet (the equilibrium first), a
    /// KeyboardInterrupt stopping it.
    fn prepare(&self, py: Python<'_>) -> PyResult<()> {
        let ctx = &self.ctx;
        interruptible(py, |i| block(self.core().prepare(ctx, i)))
    }

    /// The library's simulation. Only ever taken with the GIL released
    /// (inside `py.detach`): a call holding it may take the GIL to check
    /// signals, and a caller holding the GIL while waiting here would
    /// deadlock with it.
    fn core(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs `f` on a scoped worker thread with the GIL released, while this
/// (the calling Python) thread checks Python's signals every 20 ms: an
/// exception from a handler (KeyboardInterrupt) requests the interrupt `f`
/// is given and is raised once `f` has stopped.
fn interruptible<T: Send>(
    py: Python<'_>,
    f: impl FnOnce(&Interrupt) -> mflda::Result<T> + Send,
) -> PyResult<T> {
    let interrupt = Interrupt::new();
    let mut raised: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| f(&interrupt));
            while !worker.is_finished() {
                std::thread::sleep(std::time::Duration::from_millis(20));
                if raised.is_none() {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        raised = Some(e);
                        interrupt.request();
                    }
                }
            }
            worker.join().unwrap_or_else(|_| {
                Err(mflda::Error::Internal(
                    "the simulation's thread panicked".into(),
                ))
            })
        })
    });
    match (result, raised) {
        (Err(mflda::Error::Interrupted(_)), Some(e)) => Err(e),
        (result, _) => result.map_err(to_py),
    }
}

/// `{name: array}` of one grid per species, each array owning the buffer
/// the readback made (no copy), reshaped to `(n2, n1)` (a view).
fn arrays<'py>(
    py: Python<'py>,
    names: &[String],
    fields: Vec<Vec<f32>>,
    shape: (usize, usize),
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, f) in names.iter().zip(fields) {
        let a = f.into_pyarray(py).reshape([shape.0, shape.1])?;
        d.set_item(name, a)?;
    }
    Ok(d)
}

#[pymethods]
impl Simulation {
    /// The simulation of `config` (TOML text); nothing is solved yet.
    #[new]
    fn new(py: Python<'_>, config: &str) -> PyResult<Self> {
        let config = Config::from_toml_str(config, "the config").py_err()?;
        let ctx = context(py)?;
        let core = py.detach(|| block(Core::new(&ctx, &config))).py_err()?;
        Ok(Simulation {
            ctx,
            names: core.names(),
            shape: core.shape(),
            core: Mutex::new(core),
        })
    }

    /// The species' names, in state order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// The grid's shape `(n2, n1)`.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        self.shape
    }

    /// Steps done.
    #[getter]
    fn steps(&self, py: Python<'_>) -> u64 {
        py.detach(|| self.core().steps())
    }

    /// Simulated time.
    #[getter]
    fn t(&self, py: Python<'_>) -> f64 {
        py.detach(|| self.core().t())
    }

    /// The time step (fixed on first use: solving the equilibrium first).
    fn dt(&self, py: Python<'_>) -> PyResult<f64> {
        self.prepare(py)?;
        let ctx = &self.ctx;
        py.detach(|| block(self.core().dt(ctx))).py_err()
    }

    /// `({name: rho*}, summary_json)`: the stationary state, solved once.
    fn equilibrium<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyDict>, String)> {
        let names = self.names.clone();
        let shape = self.shape;
        let ctx = &self.ctx;
        let (fields, summary) = interruptible(py, |i| block(self.core().equilibrium(ctx, i)))?;
        let json = serde_json::to_string(&summary).unwrap_or_default();
        Ok((arrays(py, &names, fields, shape)?, json))
    }

    /// Sets the densities, one float32 C-contiguous `(n2, n1)` array per
    /// species in state order (read in place, no copy).
    fn set_densities(&self, py: Python<'_>, rho: Vec<PyReadonlyArray2<'_, f32>>) -> PyResult<()> {
        let names = self.names.clone();
        let (n2, n1) = self.shape;
        let mut slices = Vec::with_capacity(rho.len());
        for (i, a) in rho.iter().enumerate() {
            let name = names.get(i).cloned().unwrap_or_else(|| format!("#{i}"));
            if a.shape() != [n2, n1] {
                return Err(DataError::new_err(format!(
                    "the density of {name} has shape {:?}, the grid is ({n2}, {n1})",
                    a.shape()
                )));
            }
            let s = a.as_slice().map_err(|_| {
                DataError::new_err(format!("the density of {name} is not C-contiguous"))
            })?;
            if let Some(j) = s.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(DataError::new_err(format!(
                    "the density of {name} has the value {} at flat index {j}: densities are \
                     finite and non-negative",
                    s[j]
                )));
            }
            slices.push(s);
        }
        self.prepare(py)?;
        let ctx = &self.ctx;
        py.detach(|| block(self.core().set_densities(ctx, &slices)))
            .py_err()
    }

    /// Advances `steps` steps with the GIL released; between two
    /// submissions (about a quarter of a second) it takes the GIL back
    /// briefly to run Python's signal handlers, and a KeyboardInterrupt
    /// (or any handler's exception) stops it and is raised, the steps done
    /// kept.
    fn advance(&self, py: Python<'_>, steps: u64) -> PyResult<()> {
        self.prepare(py)?;
        let ctx = &self.ctx;
        let mut raised: Option<PyErr> = None;
        let result = py.detach(|| {
            block(self.core().advance_with(ctx, steps, &mut || {
                Python::attach(|py| match py.check_signals() {
                    Ok(()) => false,
                    Err(e) => {
                        raised = Some(e);
                        true
                    }
                })
            }))
        });
        match (result, raised) {
            (Err(mflda::Error::Interrupted(_)), Some(e)) => Err(e),
            (result, _) => result.map_err(to_py),
        }
    }

    /// `{name: density}` now, float32 `(n2, n1)` arrays over the one
    /// readback's buffers.
    fn densities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let names = self.names.clone();
        let shape = self.shape;
        let ctx = &self.ctx;
        self.prepare(py)?;
        let fields = py.detach(|| block(self.core().densities(ctx))).py_err()?;
        arrays(py, &names, fields, shape)
    }

    /// `[(column, value)]` of the metrics now, as a run's metrics.csv.
    fn metrics(&self, py: Python<'_>) -> PyResult<Vec<(String, f64)>> {
        let ctx = &self.ctx;
        self.prepare(py)?;
        py.detach(|| block(self.core().metrics(ctx))).py_err()
    }
}
