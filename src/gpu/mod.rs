//! The GPU layer: adapter and device, typed fields, shader modules and pipelines (layouts
//! reflected from the WGSL),
//! labelled groups of recorded work, and GPU timers.

pub mod context;
pub mod field;
pub mod groups;
pub mod pipeline;
pub mod reflect;
pub mod shaders;
pub mod timer;

pub use context::{AdapterRequest, GpuContext};
pub use field::{Elem, GpuField, Shape};
pub use pipeline::Kernel;
