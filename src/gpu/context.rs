//! Adapter selection and the device: the one place that talks to wgpu's instance.
//!
//! Selection honours `--backend` / `WGPU_BACKEND` and `--adapter` / `WGPU_ADAPTER_NAME`,
//! prefers a discrete GPU, and falls back to a software adapter (lavapipe, llvmpipe)
//! with a warning. The device is requested with the adapter's own limits, not wgpu's
//! defaults, so large workgroup arrays and large storage bindings are available.

use std::sync::{Arc, Mutex};

use crate::{Error, Result};

/// What the user asked for: backend list and adapter-name substring.
///
/// `None` means "not given on the command line": the environment variables
/// `WGPU_BACKEND` and `WGPU_ADAPTER_NAME` are consulted, then all backends and
/// any adapter are accepted.
#[derive(Debug, Clone, Default)]
pub struct AdapterRequest {
    /// Comma-separated backend names (`vulkan`, `gl`, `metal`, `dx12`).
    pub backend: Option<String>,
    /// Case-insensitive substring of the adapter name.
    pub adapter: Option<String>,
}

/// Name, backend, type and driver of an adapter, as written to reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdapterReport {
    /// Adapter name, e.g. "NVIDIA H100 80GB HBM3" or "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// Backend (Vulkan, Gl, Metal, Dx12).
    pub backend: String,
    /// DiscreteGpu, IntegratedGpu, VirtualGpu, Cpu or Other.
    pub device_type: String,
    /// Driver name.
    pub driver: String,
    /// Driver version details.
    pub driver_info: String,
}

/// Reads one limit as a number.
type LimitOf = fn(&wgpu::Limits) -> u64;

/// Minimum limits every mflda kernel needs; anything below is refused with a message.
const NEEDED: &[(&str, LimitOf, u64)] = &[
    (
        "max_compute_workgroup_storage_size",
        |l| l.max_compute_workgroup_storage_size as u64,
        16 * 1024,
    ),
    (
        "max_compute_invocations_per_workgroup",
        |l| l.max_compute_invocations_per_workgroup as u64,
        256,
    ),
    (
        "max_storage_buffers_per_shader_stage",
        |l| l.max_storage_buffers_per_shader_stage as u64,
        6,
    ),
    (
        "max_storage_buffer_binding_size",
        |l| l.max_storage_buffer_binding_size,
        64 << 20,
    ),
];

/// The chosen adapter and its device, with the limits the device was created with.
pub struct GpuContext {
    /// The adapter the device was created from.
    pub adapter: wgpu::Adapter,
    /// The logical device.
    pub device: wgpu::Device,
    /// Its queue.
    pub queue: wgpu::Queue,
    /// Name, backend, driver and type of the adapter.
    pub info: wgpu::AdapterInfo,
    /// The limits the device was created with (the adapter's own).
    pub limits: wgpu::Limits,
    /// Whether GPU timestamp queries are available on compute passes.
    pub timestamps: bool,
    errors: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.info.name)
            .field("backend", &self.info.backend)
            .finish()
    }
}

fn describe(info: &wgpu::AdapterInfo) -> String {
    format!(
        "{} ({:?}, {:?}, driver {} {})",
        info.name, info.backend, info.device_type, info.driver, info.driver_info
    )
}

/// Preference order: discrete > integrated > virtual > other > software (CPU);
/// within a type, Vulkan/Metal/DX12 before GL.
fn rank(info: &wgpu::AdapterInfo) -> (u8, u8) {
    let ty = match info.device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    };
    let backend = u8::from(info.backend == wgpu::Backend::Gl);
    (ty, backend)
}

/// The advice for a software adapter reached through OpenGL (llvmpipe over
/// EGL, chosen only when no Vulkan adapter exists): there, building the
/// pipelines takes minutes (`mflda bench fft --sizes 64,256` ran over 10
/// minutes), while the Vulkan software driver (lavapipe) builds them in
/// seconds and is preferred whenever it is installed. `None` for any other
/// adapter.
pub fn software_advice(info: &wgpu::AdapterInfo) -> Option<String> {
    if info.backend != wgpu::Backend::Gl || info.device_type != wgpu::DeviceType::Cpu {
        return None;
    }
    Some(format!(
        "warning: `{}` is OpenGL's software adapter, where building mflda's kernels \
         takes minutes. The Vulkan software driver (lavapipe) is much faster and is \
         preferred whenever it is installed (and --backend/WGPU_BACKEND do not ask for gl): \
         `sudo apt-get install mesa-vulkan-drivers` (Debian, Ubuntu), \
         `sudo dnf install mesa-vulkan-drivers` (Fedora), `sudo pacman -S vulkan-swrast` \
         (Arch); `mflda info` then names it.",
        info.name
    ))
}

fn instance(backends: wgpu::Backends) -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = backends;
    wgpu::Instance::new(desc)
}

/// Every adapter on every backend, one per line, for error messages.
async fn listing() -> String {
    let all = instance(wgpu::Backends::all())
        .enumerate_adapters(wgpu::Backends::all())
        .await;
    if all.is_empty() {
        return "  (none: install a Vulkan driver, e.g. `apt-get install mesa-vulkan-drivers`)"
            .to_string();
    }
    all.iter()
        .map(|a| format!("  - {}", describe(&a.get_info())))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_backends(list: &str) -> Result<wgpu::Backends> {
    let mut out = wgpu::Backends::empty();
    for name in list.split(',').map(|s| s.trim().to_lowercase()) {
        out |= match name.as_str() {
            "vulkan" | "vk" => wgpu::Backends::VULKAN,
            "gl" | "gles" | "opengl" => wgpu::Backends::GL,
            "metal" | "mtl" => wgpu::Backends::METAL,
            "dx12" | "d3d12" => wgpu::Backends::DX12,
            other => {
                return Err(Error::Adapter(format!(
                    "unknown backend `{other}` in `{list}`: use vulkan, gl, metal or dx12 \
                     (comma-separated)"
                )))
            }
        };
    }
    Ok(out)
}

impl GpuContext {
    /// Chooses an adapter as described in the module docs and creates its device.
    ///
    /// Errors list every adapter found and say which request or limit ruled each out.
    pub fn new(request: &AdapterRequest) -> Result<Self> {
        crate::gpu::block(Self::new_async(request))
    }

    /// [`Self::new`] as a future: what a browser awaits (its WebGPU adapter
    /// is the one candidate there).
    pub async fn new_async(request: &AdapterRequest) -> Result<Self> {
        let backend_text = request
            .backend
            .clone()
            .or_else(|| std::env::var("WGPU_BACKEND").ok())
            .filter(|s| !s.trim().is_empty());
        let backends = match &backend_text {
            Some(text) => parse_backends(text)?,
            None => wgpu::Backends::all(),
        };
        let name_filter = request
            .adapter
            .clone()
            .or_else(|| std::env::var("WGPU_ADAPTER_NAME").ok())
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.to_lowercase());

        // GL (EGL) is brought up only when asked for or when nothing else exists:
        // its start-up prints platform noise on headless machines, and Vulkan is
        // preferred anyway.
        let mut all = instance(backends - wgpu::Backends::GL)
            .enumerate_adapters(backends - wgpu::Backends::GL)
            .await;
        if backends.contains(wgpu::Backends::GL) && (all.is_empty() || backend_text.is_some()) {
            all.extend(
                instance(wgpu::Backends::GL)
                    .enumerate_adapters(wgpu::Backends::GL)
                    .await,
            );
        }
        let mut candidates: Vec<wgpu::Adapter> = all
            .into_iter()
            .filter(|a| {
                let info = a.get_info();
                backends.contains(info.backend.into())
                    && name_filter
                        .as_ref()
                        .is_none_or(|f| info.name.to_lowercase().contains(f))
            })
            .collect();
        candidates.sort_by_key(|a| rank(&a.get_info()));

        if candidates.is_empty() {
            let mut asked = Vec::new();
            if let Some(b) = &backend_text {
                asked.push(format!("backend `{b}`"));
            }
            if let Some(n) = &name_filter {
                asked.push(format!("adapter name containing `{n}`"));
            }
            let asked = if asked.is_empty() {
                "any adapter".to_string()
            } else {
                asked.join(" and ")
            };
            let listing = listing().await;
            return Err(Error::Adapter(format!(
                "no GPU adapter matches {asked}. Adapters found:\n{listing}\n\
                 Fix: change --backend/--adapter (or WGPU_BACKEND/WGPU_ADAPTER_NAME)."
            )));
        }

        let mut refusals = Vec::new();
        for adapter in candidates {
            let info = adapter.get_info();
            let limits = adapter.limits();
            let missing: Vec<String> = NEEDED
                .iter()
                .filter(|(_, get, need)| get(&limits) < *need)
                .map(|(name, get, need)| format!("{name} = {} (needs {need})", get(&limits)))
                .collect();
            if !missing.is_empty() {
                refusals.push(format!("  - {}: {}", info.name, missing.join(", ")));
                continue;
            }
            // Browsers expose timestamp queries behind a flag, if at all, and
            // quantise them: GPU timings are the CLI's (`mflda bench`).
            let timestamps = !cfg!(target_arch = "wasm32")
                && adapter.features().contains(wgpu::Features::TIMESTAMP_QUERY);
            let required_features = if timestamps {
                wgpu::Features::TIMESTAMP_QUERY
            } else {
                wgpu::Features::empty()
            };
            let device_desc = wgpu::DeviceDescriptor {
                label: Some("mflda.device"),
                required_features,
                required_limits: limits.clone(),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            };
            match adapter.request_device(&device_desc).await {
                Ok((device, queue)) => {
                    let errors = Arc::new(Mutex::new(Vec::new()));
                    let sink = errors.clone();
                    device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
                        if let Ok(mut v) = sink.lock() {
                            v.push(e.to_string());
                        }
                    }));
                    let sink = errors.clone();
                    device.set_device_lost_callback(move |reason, message| {
                        if let Ok(mut v) = sink.lock() {
                            v.insert(
                                0,
                                format!(
                                    "the GPU device was lost ({reason:?}{}{message}); work \
                                     after the last checkpoint is gone: resume with `mflda run \
                                     --resume DIR`",
                                    if message.is_empty() { "" } else { ": " }
                                ),
                            );
                        }
                    });
                    return Ok(GpuContext {
                        adapter,
                        device,
                        queue,
                        info,
                        limits,
                        timestamps,
                        errors,
                    });
                }
                Err(e) => refusals.push(format!("  - {}: device request failed: {e}", info.name)),
            }
        }
        let listing = listing().await;
        Err(Error::Adapter(format!(
            "no usable GPU adapter: every matching adapter lacks something mflda needs:\n{}\n\
             Adapters found:\n{listing}",
            refusals.join("\n")
        )))
    }

    /// What to say at start-up about this adapter before any work: see
    /// [`software_advice`].
    pub fn advice(&self) -> Option<String> {
        software_advice(&self.info)
    }

    /// True when the adapter is a CPU (software) implementation such as lavapipe.
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// The adapter's identity, for reports and JSON output.
    pub fn report(&self) -> AdapterReport {
        AdapterReport {
            name: self.info.name.clone(),
            backend: format!("{:?}", self.info.backend),
            device_type: format!("{:?}", self.info.device_type),
            driver: self.info.driver.clone(),
            driver_info: self.info.driver_info.clone(),
        }
    }

    /// One line naming the adapter: name, backend, type and driver.
    pub fn describe(&self) -> String {
        describe(&self.info)
    }

    /// Largest number of bytes one storage binding (one batch of fields) may span.
    pub fn max_binding_bytes(&self) -> u64 {
        self.limits
            .max_storage_buffer_binding_size
            .min(self.limits.max_buffer_size)
    }

    /// Returns and clears errors the device reported outside error scopes
    /// (validation, out of memory); `Ok` when there were none.
    pub fn take_errors(&self) -> Result<()> {
        let mut v = self.errors.lock().map_err(|_| {
            Error::Internal("the error log was poisoned by a panicking thread".into())
        })?;
        if v.is_empty() {
            Ok(())
        } else {
            let msg = v.join("\n");
            v.clear();
            Err(Error::Device(msg))
        }
    }

    /// Blocks until all submitted work has finished, then reports device errors.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| Error::Device(format!("waiting for the GPU failed: {e}")))?;
        self.take_errors()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(
        name: &str,
        backend: wgpu::Backend,
        device_type: wgpu::DeviceType,
    ) -> wgpu::AdapterInfo {
        wgpu::AdapterInfo {
            name: name.into(),
            vendor: 0,
            device: 0,
            device_type,
            device_pci_bus_id: String::new(),
            driver: String::new(),
            driver_info: String::new(),
            backend,
            subgroup_min_size: 8,
            subgroup_max_size: 8,
            transient_saves_memory: None,
            limit_bucket: None,
        }
    }

    /// Vulkan's lavapipe ranks before GL's llvmpipe, and any GPU before both;
    /// only the GL software adapter gets the install advice.
    #[test]
    fn vulkan_software_is_preferred_and_gl_software_is_told_how_to_get_it() {
        use wgpu::{Backend, DeviceType};
        let gl = info(
            "llvmpipe (LLVM 15.0.6, 256 bits)",
            Backend::Gl,
            DeviceType::Cpu,
        );
        let vk = info(
            "llvmpipe (LLVM 15.0.6, 256 bits)",
            Backend::Vulkan,
            DeviceType::Cpu,
        );
        let gpu = info("NVIDIA H200", Backend::Vulkan, DeviceType::DiscreteGpu);
        let mut all = [&gl, &vk, &gpu];
        all.sort_by_key(|a| rank(a));
        assert_eq!(
            all.map(|a| a.backend == Backend::Gl),
            [false, false, true],
            "{all:?}"
        );
        assert_eq!(all[0].device_type, DeviceType::DiscreteGpu);
        let advice = software_advice(&gl).expect("GL llvmpipe is advised");
        assert!(advice.contains("mesa-vulkan-drivers"), "{advice}");
        assert!(advice.contains("llvmpipe"), "{advice}");
        assert_eq!(software_advice(&vk), None);
        assert_eq!(software_advice(&gpu), None);
    }
}
