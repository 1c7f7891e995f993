//! Benchmarks: the copy-bandwidth floor, and kernels timed against it, with
//! per-kernel breakdowns.

pub mod all;
pub mod breakdown;
pub mod copy;
pub mod equilibrium;
pub mod fft;
pub mod memory;
pub mod particles;
pub mod sizes;
pub mod step;
pub mod timing;
pub mod w2;
