//! The grid density's Fourier moments gathered from the stepper's spectral
//! state (src/particles/grid_moments.rs) against the f64 moments of the
//! densities read back (`cell_moments`), in the absolute and the
//! perturbation form, after some steps of the default game.

mod common;

use mflda::config::Config;
use mflda::particles::grid_moments::GridMoments;
use mflda::particles::init::cell_moments;
use mflda::particles::mmd::half_modes;
use mflda::plan::Plan;

#[test]
fn gathered_grid_moments_match_the_densities_read_back() {
    let ctx = common::ctx();
    for perturbation in [false, true] {
        let sets = vec![
            "grid.n=32".to_string(),
            format!("time.perturbation={perturbation}"),
        ];
        let config =
            Config::from_toml_str_with_sets(mflda::config::DEFAULT_TOML, "default", &sets).unwrap();
        let plan = Plan::new(ctx, &config).unwrap();
        let opts = common::eq_options(&plan.problem, 1e-6);
        let (solver, _report) = plan.problem.equilibrium(ctx, &opts).unwrap();
        let (mu, nu) = solver.densities(ctx).unwrap();
        let stars = vec![mu, nu];
        let refs: Vec<&[f32]> = stars.iter().map(Vec::as_slice).collect();
        let start = plan.initial_species(ctx, &refs).unwrap();
        let stepper = plan.stepper(ctx, &refs).unwrap();
        let starts: Vec<&[f32]> = start.iter().map(Vec::as_slice).collect();
        stepper.set_species_densities(ctx, &starts).unwrap();
        stepper.advance(ctx, 20);
        let params = &plan.problem.params;
        let modes = half_modes(2, 6);
        let gather =
            GridMoments::new(ctx, &stepper, &modes, params.shape, params.length, &stars).unwrap();
        let got = gather.measure(ctx, &stepper).unwrap();
        let rho = stepper.species_densities(ctx).unwrap();
        for s in 0..2 {
            let want = cell_moments(&rho[s], params.shape, params.length, &modes);
            let scale = want.iter().map(|z| z.norm()).fold(0.0, f64::max);
            let worst = got[s]
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).norm())
                .fold(0.0, f64::max);
            assert!(
                worst < 2e-6 * scale.max(1e-3) + 1e-7,
                "perturbation {perturbation}, species {s}: {worst:e} of {scale}"
            );
            assert!(scale > 0.05, "the densities are nearly uniform ({scale})");
        }
    }
}
