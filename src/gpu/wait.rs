//! Waiting on the GPU from synchronous code: the one place that decides what
//! a blocking wait means on each platform.
//!
//! Every readback is an `async fn` (the map of a staging buffer completes
//! through a callback). On native backends the device is polled until the
//! callback has run, so the future is ready by the time it is polled and
//! [`block`] simply drives it. In a browser (WebGPU) the callback runs only
//! once control has returned to the page's event loop, which a blocking wait
//! would hold forever; there [`block`] refuses with an error that names the
//! asynchronous form to call instead, and error scopes are not pushed (their
//! result, too, arrives only later), so validation and memory errors reach
//! the device's uncaptured-error log that
//! [`GpuContext::take_errors`](crate::gpu::GpuContext::take_errors) reads.

use std::future::Future;

#[cfg(target_arch = "wasm32")]
use crate::Error;
use crate::Result;

/// Runs `future` to completion on this thread.
///
/// Native: drives it with `pollster`. WebGPU: polls it once; a future that is
/// not ready then (it waits on the GPU) is an [`Error::Device`] saying that
/// this path needs its `_async` form in a browser.
pub fn block<T>(future: impl Future<Output = Result<T>>) -> Result<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        pollster::block_on(future)
    }
    #[cfg(target_arch = "wasm32")]
    {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => Err(Error::Device(
                "this step waits on the GPU, which a browser only allows asynchronously: \
                 call its `_async` form (the explorer does), or run it with the mflda CLI"
                    .into(),
            )),
        }
    }
}

/// An error scope around the creation of a resource or a pipeline.
///
/// Native: a pushed scope, popped (and waited on) by [`Self::pop`]. WebGPU:
/// nothing is pushed (see the module docs) and [`Self::pop`] returns `None`.
pub struct ErrorScope(Option<wgpu::ErrorScopeGuard>);

impl ErrorScope {
    /// Opens a scope catching errors of `filter` on `device`.
    pub fn push(device: &wgpu::Device, filter: wgpu::ErrorFilter) -> Self {
        if cfg!(target_arch = "wasm32") {
            ErrorScope(None)
        } else {
            ErrorScope(Some(device.push_error_scope(filter)))
        }
    }

    /// Closes the scope: the error it caught, if any.
    pub fn pop(self) -> Option<wgpu::Error> {
        let guard = self.0?;
        block(async { Ok(guard.pop().await) }).ok().flatten()
    }
}
