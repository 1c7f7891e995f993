//! The one error type of the library.
//!
//! Every variant carries enough context for the CLI to print a message that names
//! what was wrong and how to fix it; nothing in the library panics on bad input.

use std::fmt;

/// Errors reported by mflda.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No adapter matched the request, or the chosen one lacks a needed limit.
    #[error("{0}")]
    Adapter(String),
    /// The device refused a request (out of memory, device lost, validation).
    #[error("GPU device error: {0}")]
    Device(String),
    /// A grid that the device cannot hold or that the code does not support.
    #[error("{0}")]
    Grid(String),
    /// A WGSL module failed to parse or validate; `source` names the module.
    #[error("shader `{module}` does not compile:\n{message}")]
    Shader {
        /// Name of the module (file stem or user expression label).
        module: String,
        /// naga's message rendered against the offending source.
        message: String,
    },
    /// A configuration value is missing, malformed, of the wrong type or out of
    /// range. `field` is the dotted key (`game.tau`); `message` says what is wrong
    /// and how to fix it.
    #[error("config `{field}`: {message}")]
    Config {
        /// Dotted key, e.g. `time.dt`.
        field: String,
        /// What is wrong and the fix.
        message: String,
    },
    /// A user-written WGSL expression does not compile; `message` is naga's
    /// diagnostic rendered against the user's own text.
    #[error("config `{field}`: the expression does not compile:\n{message}")]
    Expression {
        /// Dotted key of the expression, e.g. `game.kernel`.
        field: String,
        /// naga's message, pointing into the user's text.
        message: String,
    },
    /// Invalid data: a density that is negative, not finite or zero everywhere.
    #[error("{field}: {message}")]
    Data {
        /// What the data is (e.g. `init.mu`).
        field: String,
        /// What is wrong and the fix.
        message: String,
    },
    /// The time stepping blew up (a metric not finite, a mass drifting,
    /// densities growing without bound); the message says where the last
    /// good state and the metrics are and which step to try. Shown as a
    /// problem with `time.dt`.
    #[error("time.dt: {0}")]
    BlowUp(String),
    /// The run was stopped by a signal after writing a checkpoint.
    #[error("{0}")]
    Interrupted(String),
    /// Writing or reading files.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. "writing out/bench.json".
        context: String,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The library was called in a way its documentation rules out
    /// (arrays of the wrong length, a method of the other form): a bug in
    /// the caller, not bad input.
    #[error("invalid use of the library: {0}")]
    Usage(String),
    /// A broken invariant inside the library: a bug in mflda; the message
    /// says which.
    #[error("internal error (a bug in mflda, please report it): {0}")]
    Internal(String),
}

impl Error {
    /// Wraps an I/O error with a description of what was being done.
    pub fn io(context: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            context: context.to_string(),
            source,
        }
    }
}

impl Error {
    /// A configuration error for the dotted key `field`.
    pub fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Config {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
