//! Benchmarks: the copy-bandwidth floor, and kernels timed against it.

pub mod copy;
pub mod fft;
pub mod step;
pub mod timing;
