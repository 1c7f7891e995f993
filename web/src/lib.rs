//! The mflda explorer's wasm module: the CLI's config, plan, equilibrium,
//! stepper, metrics and pictures, on the browser's WebGPU device, for the
//! page in `web/static/` (built into `web/dist/` by `web/build.sh`).
//!
//! What WebGPU lacks is handled here, not worked around silently:
//!
//! - readbacks are asynchronous: every call that waits on the GPU returns a
//!   `Promise` (the core's `_async` paths); a path that would block says so
//!   in its error ([`mflda::gpu::block`]);
//! - the device takes the adapter's own limits, so the largest grid is the
//!   adapter's, not WebGPU's defaults ([`Explorer::largest_grid`]);
//! - there are no timestamp queries and no `f64` in shaders: no kernel needs
//!   `f64` (the `f64` references are CPU code, in the CLI's tests), and GPU
//!   timings are the CLI's (`mflda bench`); [`Explorer::notes`] says so in
//!   the page;
//! - `output.w2` (the transport solve waits on the GPU at each of its
//!   iterations) is refused by [`check_config`] with the fix.

#![cfg(target_arch = "wasm32")]

mod explorer;

use wasm_bindgen::prelude::*;

use mflda::config::Config;

pub use explorer::Explorer;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Sends Rust panics to the browser console (else they read "unreachable").
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!("mflda panicked: {info}"))
    }));
}

/// The CLI's embedded default config (`assets/default.toml`): a 2D game.
#[wasm_bindgen]
pub fn default_config() -> String {
    mflda::config::DEFAULT_TOML.to_string()
}

/// `[[name, toml], ...]`: the configs the page offers besides the default
/// (the species form), from `assets/examples/`.
#[wasm_bindgen]
pub fn presets() -> Vec<js_sys::Array> {
    [
        ("game (default)", mflda::config::DEFAULT_TOML),
        (
            "species: Keller-Segel aggregation",
            include_str!("../../assets/examples/keller-segel/keller-segel.toml"),
        ),
        (
            "species: three-player cyclic game",
            include_str!("../../assets/examples/three-player-cyclic/cyclic.toml"),
        ),
        (
            "species, 1D: Kuramoto transition",
            include_str!("../../assets/examples/kuramoto-transition/kuramoto.toml"),
        ),
    ]
    .into_iter()
    .map(|(name, text)| js_sys::Array::of2(&name.into(), &text.into()))
    .collect()
}

/// Parses and checks the config `text` (the CLI's TOML) as the explorer
/// would run it: `None` when it runs, else the message, which names the key
/// and the fix (a bad expression: naga's report against the user's text).
#[wasm_bindgen]
pub fn check_config(text: &str) -> Option<String> {
    parse(text).err()
}

/// The config of `text`, or the message of why the explorer cannot run it.
pub(crate) fn parse(text: &str) -> Result<Config, String> {
    let config = Config::from_toml_str(text, "the config").map_err(|e| e.to_string())?;
    if config.output.w2 {
        return Err(
            "output.w2: the Wasserstein distance's transport solve waits on the GPU at \
                    each of its iterations, which a browser does not allow; set output.w2 = \
                    false here (`mflda run` measures it)"
                .into(),
        );
    }
    Ok(config)
}
