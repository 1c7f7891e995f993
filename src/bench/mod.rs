//! Benchmarks: the copy-bandwidth floor and FFT timings against it.

pub mod copy;
pub mod fft;
