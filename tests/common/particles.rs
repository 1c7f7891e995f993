//! Particle helpers shared by the particle tests: the default game's
//! system, random starts, distances on the torus and read-backs.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use mflda::config::Config;
use mflda::dynamics::Params;
use mflda::particles::langevin::{LangevinStepper, SpeciesRates};
use mflda::plan::Plan;
use mflda::system::System;
use rand::Rng;
use wgpu::util::DeviceExt;

/// The plan of the config `text` with `sets` applied (`key=value` each).
pub fn plan_of(text: &str, sets: &[&str]) -> Plan {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let config = Config::from_toml_str_with_sets(text, "test", &sets).unwrap();
    Plan::new(crate::common::ctx(), &config).unwrap()
}

/// The default game's sampled system on an `n`-point square grid.
pub fn default_game(n: u32) -> (Params, System) {
    let ctx = crate::common::ctx();
    let text = mflda::config::DEFAULT_TOML;
    let config =
        Config::from_toml_str_with_sets(text, "default", &[format!("grid.n={n}")]).unwrap();
    let plan = Plan::new(ctx, &config).unwrap();
    (plan.problem.params.clone(), plan.problem.system().clone())
}

pub fn rates(system: &System) -> Vec<SpeciesRates> {
    SpeciesRates::of(system)
}

pub fn random_positions(rng: &mut impl Rng, count: usize, dim: u32, length: f64) -> Vec<[f64; 2]> {
    (0..count)
        .map(|_| {
            let y = if dim == 2 {
                rng.random_range(0.0..length)
            } else {
                0.0
            };
            [rng.random_range(0.0..length), y]
        })
        .collect()
}

/// Uniform random 2D positions, `counts[s]` for species s, rounded to f32
/// (the GPU starts from the f32 positions; the f64 reference from the same).
pub fn f32_positions(rng: &mut impl Rng, counts: &[usize], l: f64) -> Vec<Vec<[f64; 2]>> {
    counts
        .iter()
        .map(|&n| {
            random_positions(rng, n, 2, l)
                .iter()
                .map(|p| [p[0] as f32 as f64, p[1] as f32 as f64])
                .collect()
        })
        .collect()
}

/// Distance on the circle of side `l`.
pub fn wrap(d: f64, l: f64) -> f64 {
    let d = d.rem_euclid(l);
    d.min(l - d)
}

/// Every species' positions read back, in f64.
pub fn positions_f64(gpu: &LangevinStepper, species: usize) -> Vec<Vec<[f64; 2]>> {
    let ctx = crate::common::ctx();
    (0..species)
        .map(|s| {
            gpu.positions(ctx, s)
                .unwrap()
                .iter()
                .map(|p| [f64::from(p[0]), f64::from(p[1])])
                .collect()
        })
        .collect()
}

/// The largest distance on the torus of side `l` between matching particles.
pub fn torus_worst(got: &[Vec<[f64; 2]>], want: &[Vec<[f64; 2]>], l: f64) -> f64 {
    let mut worst = 0.0f64;
    for (g, w) in got.iter().zip(want) {
        for (a, b) in g.iter().zip(w) {
            worst = worst.max(wrap(a[0] - b[0], l)).max(wrap(a[1] - b[1], l));
        }
    }
    worst
}

/// A storage buffer holding `bytes` (the tests' particle and spectrum inputs).
pub fn storage(ctx: &mflda::gpu::GpuContext, bytes: &[u8]) -> wgpu::Buffer {
    ctx.device
        .create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("test"),
            contents: bytes,
            usage: wgpu::BufferUsages::STORAGE,
        })
}
