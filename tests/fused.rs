//! The fused right-hand side (src/dynamics/fused.rs: the spectral products
//! in the inverse column pass, the fluxes between the row passes) and the
//! fused divergence passes (src/dynamics/fused_etd.rs: the fluxes' column
//! pass, the divergence and each ETD combination) against the unfused path
//! they replace, on random states: the default game (2D,
//! band-limited terms), the same game in 1D, random systems of one to four
//! species in 1D and 2D, and the perturbation form; the right-hand side
//! itself and three ETDRK4 steps. Both paths against the f64 reference:
//! tests/dynamics_reference.rs and tests/species.rs (which run the default,
//! fused path). And the bytes and dispatches the fusion removes.

mod common;
#[path = "common/systems.rs"]
mod systems;

use std::sync::Arc;

use common::{ctx, random, rng};
use mflda::config::{Config, Scheme};
use mflda::dynamics::rhs::RhsPath;
use mflda::dynamics::{Params, Stepper};
use mflda::gpu::Shape;
use mflda::system::SystemOperators;
use mflda::Problem;
use rand_chacha::ChaCha8Rng;
use systems::{random_system, TWO_PI};

/// Positive random densities of unit mass (white noise about the uniform
/// density, every mode excited).
fn densities(rng: &mut ChaCha8Rng, shape: Shape, species: usize) -> Vec<Vec<f32>> {
    let area = TWO_PI.powi(shape.dim() as i32) as f32;
    (0..species)
        .map(|_| {
            random(rng, shape.len())
                .iter()
                .map(|x| (1.0 + 0.5 * x) / area)
                .collect()
        })
        .collect()
}

/// `|a - b|_2 / |b|_2`.
fn rel(a: &[f32], b: &[f32]) -> f64 {
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        num += (f64::from(*x) - f64::from(*y)).powi(2);
        den += f64::from(*y).powi(2);
    }
    (num / den).sqrt()
}

/// Builds both paths for `ops`, sets the same random state, and compares
/// the right-hand side and the state after three steps.
fn compare(
    params: &Params,
    ops: Arc<SystemOperators>,
    perturbation: bool,
    rng: &mut ChaCha8Rng,
    what: &str,
) {
    let ctx = ctx();
    let s = ops.species();
    let stars = densities(rng, params.shape, s);
    let star_refs: Vec<&[f32]> = stars.iter().map(|v| v.as_slice()).collect();
    let eq = perturbation.then_some(star_refs.as_slice());
    let build = |path| Stepper::with_path(ctx, params, ops.clone(), eq, path).unwrap();
    let (fused, plain) = (build(RhsPath::Fused), build(RhsPath::Unfused));
    assert!(fused.is_fused(), "{what}: the fused path applies");
    assert!(!plain.is_fused(), "{what}");
    let rho = densities(rng, params.shape, s);
    let refs: Vec<&[f32]> = rho.iter().map(|v| v.as_slice()).collect();
    let rhs = |st: &Stepper| {
        st.set_species_densities(ctx, &refs).unwrap();
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        st.record_rhs(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        st.read_rhs(ctx).unwrap()
    };
    let (got, want) = (rhs(&fused), rhs(&plain));
    let err = rel(&got, &want);
    assert!(
        err < 2e-6,
        "{what}: right-hand side, fused vs unfused, relative L2 {err:e}"
    );
    assert!(
        want.iter().any(|&x| x != 0.0),
        "{what}: the right-hand side is not zero"
    );
    for st in [&fused, &plain] {
        st.advance(ctx, 3);
    }
    let (got, want) = (
        fused.read_state(ctx).unwrap(),
        plain.read_state(ctx).unwrap(),
    );
    let err = rel(&got, &want);
    assert!(
        err < 1e-6,
        "{what}: state after 3 steps, relative L2 {err:e}"
    );
    ctx.take_errors().unwrap();
}

fn game(n: u32, dim: u32) -> Problem {
    let mut c = Config::embedded_default();
    c.grid.n = n;
    c.grid.dim = dim;
    c.time.scheme = Scheme::Etdrk4;
    Problem::from_config(ctx(), &c).unwrap()
}

#[test]
fn the_default_game_in_2d_and_1d_and_its_perturbation_form() {
    let mut rng = rng("fused-game");
    for (n, dim) in [(32, 2), (128, 1)] {
        let p = game(n, dim);
        for perturbation in [false, true] {
            let what = format!("default game, n = {n}, {dim}D, perturbation {perturbation}");
            compare(&p.params, p.ops.clone(), perturbation, &mut rng, &what);
        }
    }
}

#[test]
fn random_systems_of_one_to_four_species() {
    let ctx = ctx();
    for s in 1..=4 {
        for (shape, dealias) in [
            (Shape { n1: 32, n2: 16 }, s % 2 == 0),
            (Shape::line(64), s % 2 == 1),
        ] {
            let mut rng = rng(&format!("fused-species-{s}-{shape}"));
            let system = random_system(&mut rng, s, shape);
            let par = systems::params(shape, 0.02, dealias, Scheme::Etdrk4, 0.0);
            let ops = SystemOperators::new(ctx, system, shape, par.cell()).unwrap();
            let what = format!("{s} species on {shape}");
            compare(&par, Arc::new(ops), s % 2 == 0, &mut rng, &what);
        }
    }
}

/// The fusion removes, per right-hand side of the default game (two
/// species, one pair, in 2D): the spectral products' 64 B and the inverse
/// passes' 96 B, folded into the potentials pass (64 B); the flux kernel's
/// 40 B and the fluxes' row pass (32 B), folded into the flux pass (40 B);
/// and the fluxes' column pass (32 B), the divergence (32 B) and reading
/// the new N again in the ETD combination (16 B), folded into the
/// divergence pass, which also writes no N that only its own combination
/// needs (N(b) and N(c) of ETDRK4: 16 B each). 1456 - 720 = 736 B per point
/// of an ETDRK4 step, and 28 of its 44 dispatches. In 1D, the potentials
/// pass and the divergence pass do not apply.
#[test]
fn fusion_removes_bytes_and_dispatches() {
    let ctx = ctx();
    for (n, dim, saved, unfused, dispatches) in [(32, 2, 736, 44, 16), (64, 1, 80, 32, 20)] {
        let p = game(n, dim);
        let points = p.params.shape.len() as u64;
        let build = |path| Stepper::with_path(ctx, &p.params, p.ops.clone(), None, path).unwrap();
        let (fused, plain) = (build(RhsPath::Fused), build(RhsPath::Unfused));
        assert_eq!(plain.dispatches_per_step(), unfused, "{dim}D");
        assert_eq!(fused.dispatches_per_step(), dispatches, "{dim}D");
        // In 1D, the flux pass alone: the two row passes and the flux
        // kernel (48 + 40 + 32 B) in 40 B, per right-hand side.
        let saved = if dim == 2 { saved } else { 4 * saved };
        assert_eq!(plain.bytes_moved() - fused.bytes_moved(), saved * points);
    }
    // The Fisher-Rao term reads the densities on the grid: unfused.
    let p = game(32, 2);
    let mut par = p.params.clone();
    par.fisher_rao = 0.5;
    let build = |path| Stepper::with_path(ctx, &par, p.ops.clone(), None, path).unwrap();
    let (fr, fr_plain) = (build(RhsPath::Fused), build(RhsPath::Unfused));
    assert!(!fr.is_fused());
    assert_eq!(fr.dispatches_per_step(), fr_plain.dispatches_per_step());
    assert_eq!(fr.bytes_moved(), fr_plain.bytes_moved());
}
