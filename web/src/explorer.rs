//! The page's solver: one GPU context and the [`Simulation`] of the config
//! loaded last, driven by the page through promises.
//!
//! Each request holds the run's `RefCell` borrowed across its awaits: that
//! borrow is what refuses a second request while one is pending (its
//! `try_borrow_mut` fails, and the page is told it is busy), so two never
//! interleave on the GPU.

#![allow(
    clippy::await_holding_refcell_ref,
    reason = "the borrow held across awaits is the one-request-at-a-time guard"
)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Float32Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use mflda::gpu::{AdapterRequest, GpuContext};
use mflda::interrupt::Interrupt;
use mflda::render::{colorize, picture_png, Colormap, Limits, PictureOptions, Scale};
use mflda::run::Simulation;
use mflda::watch::Watch;
use mflda::Problem;

/// The run of the config loaded last.
struct Run {
    sim: Simulation,
    names: Vec<String>,
    /// `(n2, n1)`.
    shape: (usize, usize),
    length: f64,
    map: Colormap,
    scale: Scale,
    /// The panels' colour limits: the config's, else the range of the
    /// stationary and the initial densities (as a run's frames).
    limits: Limits,
}

/// One GPU context and the run loaded on it. Calls that wait on the GPU
/// return promises; one runs at a time (a second call while one is pending
/// is refused with a message, never interleaved).
#[wasm_bindgen]
pub struct Explorer {
    ctx: Rc<GpuContext>,
    run: Rc<RefCell<Option<Run>>>,
    watch: Watch,
    interrupt: Rc<RefCell<Interrupt>>,
}

fn js_error(e: impl std::fmt::Display) -> JsValue {
    JsError::new(&e.to_string()).into()
}

fn busy() -> JsValue {
    js_error("the explorer is busy with the previous request; wait for it (or stop it)")
}

fn not_loaded() -> JsValue {
    js_error("no config is loaded: load one first")
}

fn json(value: serde_json::Value) -> JsValue {
    JsValue::from_str(&value.to_string())
}

#[wasm_bindgen]
impl Explorer {
    /// Requests the browser's WebGPU adapter and a device with the
    /// adapter's own limits. Rejects with the reason when there is none
    /// (no WebGPU in this browser, or it is disabled).
    pub async fn create() -> Result<Explorer, JsError> {
        let ctx = GpuContext::new_async(&AdapterRequest::default())
            .await
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Explorer {
            ctx: Rc::new(ctx),
            run: Rc::new(RefCell::new(None)),
            watch: Watch::new(),
            interrupt: Rc::new(RefCell::new(Interrupt::never())),
        })
    }

    /// One line naming the adapter: name, backend, type and driver.
    pub fn adapter(&self) -> String {
        self.ctx.describe()
    }

    /// The largest grid side (a power of two) this adapter holds in `dim`
    /// dimensions, for a system of `species` species.
    pub fn largest_grid(&self, dim: u32, species: usize) -> u32 {
        Problem::largest_grid_for(&self.ctx, dim, species)
    }

    /// What this page does differently from the CLI on WebGPU, one note a
    /// line, with this adapter's numbers.
    pub fn notes(&self) -> Vec<String> {
        let l = &self.ctx.limits;
        let side = Problem::largest_grid_for(&self.ctx, 2, 2);
        vec![
            format!(
                "Limits are the adapter's own: one storage binding holds {} MiB (WebGPU's \
                 default is 128 MiB), so the largest 2D game grid here is {side}^2.",
                self.ctx.max_binding_bytes() >> 20,
            ),
            format!(
                "Workgroups: up to {} invocations and {} KiB of shared memory.",
                l.max_compute_invocations_per_workgroup,
                l.max_compute_workgroup_storage_size >> 10
            ),
            "Readbacks are asynchronous: the page awaits each one, and the solver never \
             blocks the tab."
                .into(),
            "No timestamp queries: the rate shown is steps per second of wall-clock time; \
             GPU kernel timings are `mflda bench`'s."
                .into(),
            "No f64 on the GPU: no kernel needs it (every kernel is f32; the f64 \
             references are the CLI's tests)."
                .into(),
            "Not here: output.w2 (its transport solve waits on the GPU at every iteration), \
             particles, sweeps, analysis and frames on disk: the CLI runs them."
                .into(),
        ]
    }

    /// Stops the request in flight (the equilibrium solve) at its next
    /// check; the promise then rejects with "interrupted".
    pub fn stop(&self) {
        self.interrupt.borrow().request();
    }

    /// `{"phase", "done", "total", "note"}` (JSON) of the request in flight:
    /// the equilibrium solve publishes its progress here.
    pub fn progress(&self) -> String {
        let s = self.watch.take();
        serde_json::json!({
            "phase": s.phase,
            "done": s.done,
            "total": s.total,
            "note": s.note,
        })
        .to_string()
    }

    /// Loads the config `text` (the CLI's TOML): plans it, solves its
    /// equilibrium, builds the stepper and sets the initial densities; with
    /// `keep`, the densities of the run loaded before carry over when the
    /// grid and the species are the same (a parameter changed mid-run).
    /// Resolves to JSON: `names`, `n1`, `n2`, `length`, `dt`, the
    /// equilibrium's summary and the first metrics.
    pub fn load(&self, text: String, keep: bool) -> Promise {
        let ctx = self.ctx.clone();
        let slot = self.run.clone();
        let watch = self.watch.clone();
        let interrupt = Interrupt::new().watched(watch);
        *self.interrupt.borrow_mut() = interrupt.clone();
        future_to_promise(async move {
            let mut slot = slot.try_borrow_mut().map_err(|_| busy())?;
            let config = crate::parse(&text).map_err(js_error)?;
            let previous = match (keep, slot.as_mut()) {
                (true, Some(run)) => Some((
                    run.names.clone(),
                    run.shape,
                    run.sim.densities(&ctx).await.map_err(js_error)?,
                )),
                _ => None,
            };
            *slot = None;
            let mut sim = Simulation::new(&ctx, &config).await.map_err(js_error)?;
            let (eq, summary) = sim.equilibrium(&ctx, &interrupt).await.map_err(js_error)?;
            sim.prepare(&ctx, &interrupt).await.map_err(js_error)?;
            let names = sim.names();
            let shape = sim.shape();
            if let Some((n, s, rho)) = previous {
                if n == names && s == shape {
                    let refs: Vec<&[f32]> = rho.iter().map(|v| v.as_slice()).collect();
                    sim.set_densities(&ctx, &refs).await.map_err(js_error)?;
                }
            }
            let start = sim.densities(&ctx).await.map_err(js_error)?;
            let output = &config.output;
            let scale = Scale::parse("output.scale", &output.scale).map_err(js_error)?;
            let map = Colormap::parse("output.colormap", &output.colormap).map_err(js_error)?;
            let limits = match (output.color_min, output.color_max) {
                (Some(lo), Some(hi)) => Limits::new(lo as f32, hi as f32, scale),
                _ => {
                    let all: Vec<&[f32]> = eq.iter().chain(&start).map(|v| v.as_slice()).collect();
                    Limits::from_fields(&all, scale)
                }
            }
            .map_err(js_error)?;
            let dt = sim.dt(&ctx).await.map_err(js_error)?;
            let metrics = sim.metrics(&ctx).await.map_err(js_error)?;
            let reply = serde_json::json!({
                "names": names,
                "n1": shape.1,
                "n2": shape.0,
                "length": config.grid.length,
                "dt": dt,
                "equilibrium": summary,
                "metrics": metrics_json(sim.steps(), sim.t(), &metrics),
                "limits": [limits.lo, limits.hi],
            });
            *slot = Some(Run {
                sim,
                names,
                shape,
                length: config.grid.length,
                map,
                scale,
                limits,
            });
            Ok(json(reply))
        })
    }

    /// Advances `steps` steps and measures once; resolves to the metrics as
    /// JSON `{"steps", "t", "columns", "values"}`. A blow-up rejects with
    /// the advice the CLI gives.
    pub fn advance(&self, steps: u32) -> Promise {
        self.with_run(async move |ctx, run| {
            run.sim
                .advance(ctx, u64::from(steps), &Interrupt::never())
                .await
                .map_err(js_error)?;
            let metrics = run.sim.metrics(ctx).await.map_err(js_error)?;
            Ok(json(metrics_json(run.sim.steps(), run.sim.t(), &metrics)))
        })
    }

    /// Resolves to the densities now: one `Float32Array` of every species'
    /// grid after another (row-major `(n2, n1)` each, in state order).
    pub fn densities(&self) -> Promise {
        self.with_run(async |ctx, run| {
            let fields = run.sim.densities(ctx).await.map_err(js_error)?;
            let flat: Vec<f32> = fields.concat();
            Ok(Float32Array::from(flat.as_slice()).into())
        })
    }

    /// RGBA pixels (`n1` wide, `n2` high, the second axis pointing up) of
    /// one density `field` (row-major `(n2, n1)`) in the config's colour map,
    /// scale and limits: the colours of a run's frames.
    pub fn colorize(&self, field: &[f32]) -> Result<Vec<u8>, JsError> {
        let slot = self
            .run
            .try_borrow()
            .map_err(|_| JsError::new("the explorer is busy"))?;
        let run = slot
            .as_ref()
            .ok_or_else(|| JsError::new("no config is loaded"))?;
        let (n2, n1) = run.shape;
        colorize(field, n1, n2, 1, run.limits, run.scale, run.map)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Resolves to the PNG of the densities now, as `mflda` draws a
    /// picture of them (panels under one colour bar in 2D, curves in 1D),
    /// titled `label`.
    pub fn png(&self, label: String) -> Promise {
        self.with_run(async move |ctx, run| {
            let fields = run.sim.densities(ctx).await.map_err(js_error)?;
            let named: Vec<(String, &[f32])> = run
                .names
                .iter()
                .cloned()
                .zip(fields.iter().map(|v| v.as_slice()))
                .collect();
            let opts = PictureOptions {
                map: run.map,
                scale: run.scale,
                limits: (run.shape.0 > 1).then_some((run.limits.lo, run.limits.hi)),
                label,
                length: run.length,
            };
            let (n2, n1) = run.shape;
            let png = picture_png(&named, n2, n1, &opts).map_err(js_error)?;
            Ok(Uint8Array::from(png.as_slice()).into())
        })
    }
}

impl Explorer {
    /// The promise of `request` on the loaded run: refused while another
    /// request holds the run (busy) or when none is loaded.
    fn with_run<F>(&self, request: F) -> Promise
    where
        F: AsyncFnOnce(&GpuContext, &mut Run) -> Result<JsValue, JsValue> + 'static,
    {
        let ctx = self.ctx.clone();
        let slot = self.run.clone();
        future_to_promise(async move {
            let mut slot = slot.try_borrow_mut().map_err(|_| busy())?;
            let run = slot.as_mut().ok_or_else(not_loaded)?;
            request(&ctx, run).await
        })
    }
}

fn metrics_json(steps: u64, t: f64, metrics: &[(String, f64)]) -> serde_json::Value {
    let (columns, values): (Vec<&str>, Vec<Option<f64>>) = metrics
        .iter()
        .map(|(c, v)| (c.as_str(), v.is_finite().then_some(*v)))
        .unzip();
    serde_json::json!({ "steps": steps, "t": t, "columns": columns, "values": values })
}
