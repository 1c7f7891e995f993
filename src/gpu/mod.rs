//! The GPU layer: adapter and device, typed fields, shader modules and pipelines (layouts
//! reflected from the WGSL),
//! labelled groups of recorded work, GPU timers, and waiting on the GPU from
//! synchronous code.

pub mod context;
pub mod field;
pub mod groups;
pub mod pipeline;
pub mod reflect;
pub mod shaders;
pub mod timer;
pub mod wait;

pub use context::{AdapterRequest, GpuContext};
pub use field::{Elem, GpuField, Shape};
pub use pipeline::Kernel;
pub use wait::{block, ErrorScope};
