//! The `mflda` command line tool: parses arguments and calls the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_device_select();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            // 130: stopped by a signal, as shells report it.
            match e.downcast_ref::<mflda::Error>() {
                Some(mflda::Error::Interrupted(_)) => ExitCode::from(130),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

/// Mesa's Vulkan device-select layer (installed with lavapipe) connects to a
/// Wayland display to rank GPUs, and where there is none (a headless machine,
/// no `XDG_RUNTIME_DIR`) libwayland prints "error: XDG_RUNTIME_DIR is invalid"
/// twice on every start. mflda ranks adapters itself (`--adapter`, `--backend`),
/// so the layer is turned off there, unless the user configures it. Done first
/// in `main`, before any thread exists that could read the environment.
fn quiet_device_select() {
    let unset = |name: &str| std::env::var_os(name).is_none();
    if unset("XDG_RUNTIME_DIR")
        && unset("WAYLAND_DISPLAY")
        && unset("NODEVICE_SELECT")
        && unset("MESA_VK_DEVICE_SELECT")
    {
        std::env::set_var("NODEVICE_SELECT", "1");
    }
}
