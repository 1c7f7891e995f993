//! The one GPU context of the process, made on first use from the adapter
//! chosen with `select` (default: the library's choice).

use std::sync::{Arc, Mutex, OnceLock};

use mflda::gpu::{AdapterRequest, GpuContext};
use pyo3::prelude::*;

use crate::errors::{DeviceError, IntoPy};

static REQUEST: Mutex<Option<AdapterRequest>> = Mutex::new(None);
static CONTEXT: OnceLock<Arc<GpuContext>> = OnceLock::new();

/// Chooses the adapter (`backend`: comma-separated backend names;
/// `adapter`: a case-insensitive substring of its name), before first use.
#[pyfunction]
#[pyo3(signature = (backend=None, adapter=None))]
pub fn select(backend: Option<String>, adapter: Option<String>) -> PyResult<()> {
    if CONTEXT.get().is_some() {
        return Err(DeviceError::new_err(
            "the device is already in use in this process: call mflda.use_device(...) before \
             anything else (or restart the kernel)",
        ));
    }
    *REQUEST.lock().unwrap_or_else(|e| e.into_inner()) = Some(AdapterRequest { backend, adapter });
    Ok(())
}

/// The context, made on the first call.
pub fn context(py: Python<'_>) -> PyResult<Arc<GpuContext>> {
    if let Some(ctx) = CONTEXT.get() {
        return Ok(ctx.clone());
    }
    let request = REQUEST
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_default();
    let ctx = py.detach(|| GpuContext::new(&request)).py_err()?;
    if let Some(advice) = ctx.advice() {
        eprintln!("{advice}");
    }
    Ok(CONTEXT.get_or_init(|| Arc::new(ctx)).clone())
}

/// The adapter in use as JSON (name, backend, device type, driver).
#[pyfunction]
pub fn info(py: Python<'_>) -> PyResult<String> {
    let ctx = context(py)?;
    serde_json::to_string(&ctx.report())
        .map_err(|e| DeviceError::new_err(format!("adapter report: {e}")))
}
