//! mflda's errors as Python exceptions, one class per kind, all under
//! `MfldaError`; the message is the CLI's.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    mflda,
    MfldaError,
    PyException,
    "Any error reported by mflda."
);
create_exception!(
    mflda,
    ConfigError,
    MfldaError,
    "A config key is missing, malformed or out of range (the message names it and the fix)."
);
create_exception!(
    mflda,
    DeviceError,
    MfldaError,
    "No usable GPU adapter, or the device refused the work."
);
create_exception!(
    mflda,
    BlowUpError,
    MfldaError,
    "The time stepping blew up; the message says which step to try."
);
create_exception!(
    mflda,
    DataError,
    MfldaError,
    "Invalid data: a density negative, not finite, of the wrong shape."
);
create_exception!(
    mflda,
    MfldaIOError,
    MfldaError,
    "Reading or writing files failed."
);
create_exception!(
    mflda,
    UsageError,
    MfldaError,
    "A call the documentation rules out."
);
create_exception!(
    mflda,
    Interrupted,
    MfldaError,
    "A job stopped on request (the Python layer raises KeyboardInterrupt)."
);

/// Adds the classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("MfldaError", py.get_type::<MfldaError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("DeviceError", py.get_type::<DeviceError>())?;
    m.add("BlowUpError", py.get_type::<BlowUpError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("MfldaIOError", py.get_type::<MfldaIOError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("Interrupted", py.get_type::<Interrupted>())?;
    Ok(())
}

/// The exception of `e`, with the message the CLI prints.
pub fn to_py(e: mflda::Error) -> PyErr {
    use mflda::Error as E;
    let msg = e.to_string();
    match e {
        E::Config { .. } | E::Expression { .. } | E::Grid(_) => ConfigError::new_err(msg),
        E::Adapter(_) | E::Device(_) => DeviceError::new_err(msg),
        E::BlowUp(_) => BlowUpError::new_err(msg),
        E::Data { .. } => DataError::new_err(msg),
        E::Io { .. } => MfldaIOError::new_err(msg),
        E::Usage(_) => UsageError::new_err(msg),
        E::Interrupted(_) => Interrupted::new_err(msg),
        E::Shader { .. } | E::Internal(_) => MfldaError::new_err(msg),
    }
}

/// `Result` of the library to `PyResult`.
pub trait IntoPy<T> {
    /// The exception of an error.
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for mflda::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
