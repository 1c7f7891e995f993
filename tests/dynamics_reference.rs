//! The GPU right-hand side and ETD steps against the CPU f64 reference, on a
//! nonlinear coupled game with all three payoff terms.

mod common;

use common::{ctx, hermitian_band, rng, smooth_field};
use mflda::dynamics::cpu::CpuModel;
use mflda::dynamics::{Params, PayoffGrids, Scheme, Stepper};
use mflda::gpu::Shape;
use mflda::system::{System, SystemOperators};
use num_complex::Complex64 as C64;
use rand_chacha::ChaCha8Rng;

const TWO_PI: f64 = std::f64::consts::TAU;

/// A smooth random periodic field: `offset` plus a few low Fourier modes.
fn smooth(rng: &mut ChaCha8Rng, shape: Shape, amp: f64, offset: f64) -> Vec<f64> {
    smooth_field(rng, shape, 3, amp)
        .into_iter()
        .map(|v| offset + v)
        .collect()
}

struct Case {
    gpu: Stepper,
    cpu: CpuModel,
    mu: Vec<C64>,
    nu: Vec<C64>,
}

fn case(name: &str, shape: Shape, scheme: Scheme, dealias: bool, eta: f64) -> Case {
    let ctx = ctx();
    let mut rng = rng(name);
    let params = Params {
        shape,
        length: TWO_PI,
        tau: 0.3,
        eta,
        dt: 0.05,
        dealias,
        scheme,
        fisher_rao: 0.0,
    };
    let f32s = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
    let k = f32s(smooth(&mut rng, shape, 0.8, 0.0));
    let a = f32s(smooth(&mut rng, shape, 0.5, 0.0));
    let b = f32s(smooth(&mut rng, shape, 0.5, 0.0));
    let c = hermitian_band(&mut rng, 2, shape.dim());
    let payoff = PayoffGrids {
        kernel: &k,
        potential_mu: &a,
        potential_nu: &b,
        band: Some((2, &c)),
        kernel_spectrum: None,
    };
    let system = System::game(params.tau, params.eta, &payoff);
    let ops = SystemOperators::new(ctx, system, shape, params.cell()).unwrap();
    let gpu = Stepper::new(ctx, &params, std::sync::Arc::new(ops)).unwrap();
    let cpu = CpuModel::new(&params, &payoff);
    let area = TWO_PI.powi(shape.dim() as i32);
    let mu_x = f32s(smooth(&mut rng, shape, 0.3 / area, 1.0 / area));
    let nu_x = f32s(smooth(&mut rng, shape, 0.3 / area, 1.0 / area));
    gpu.set_densities(ctx, &mu_x, &nu_x).unwrap();
    let f64s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
    let mu = cpu.spectrum(&f64s(&mu_x));
    let nu = cpu.spectrum(&f64s(&nu_x));
    Case { gpu, cpu, mu, nu }
}

fn rel(got: &[f32], want: &[C64]) -> f64 {
    mflda::fft::cpu::relative_l2(got, want)
}

fn both(mu: &[C64], nu: &[C64]) -> Vec<C64> {
    mu.iter().chain(nu).copied().collect()
}

#[test]
fn rhs_matches_reference_1d_and_2d() {
    for (shape, dealias, eta) in [
        (Shape::square(32), false, 1.0),
        (Shape::square(16), true, 0.7),
        (Shape::line(64), false, 1.3),
        (Shape::line(64), true, 1.0),
    ] {
        let c = case(
            &format!("rhs-{shape}-{dealias}"),
            shape,
            Scheme::Etdrk4,
            dealias,
            eta,
        );
        let ctx = ctx();
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        c.gpu
            .record_rhs(&mut encoder.begin_compute_pass(&Default::default()));
        ctx.queue.submit([encoder.finish()]);
        let got = c.gpu.read_rhs(ctx).unwrap();
        let (nm, nn) = c.cpu.rhs(&c.mu, &c.nu);
        let err = rel(&got, &both(&nm, &nn));
        assert!(
            err < 2e-5,
            "{shape} dealias {dealias}: rhs relative L2 error {err:e}"
        );
        ctx.take_errors().unwrap();
    }
}

#[test]
fn one_step_matches_reference_for_both_schemes() {
    for scheme in [Scheme::Etdrk2, Scheme::Etdrk4] {
        for shape in [Shape::square(32), Shape::line(128)] {
            let c = case(
                &format!("step-{scheme:?}-{shape}"),
                shape,
                scheme,
                false,
                0.8,
            );
            let ctx = ctx();
            let before = c.gpu.read_state(ctx).unwrap();
            c.gpu.advance(ctx, 1);
            let after = c.gpu.read_state(ctx).unwrap();
            let (m1, n1) = c.cpu.step(&c.mu, &c.nu);
            let want_after = both(&m1, &n1);
            assert!(rel(&after, &want_after) < 1e-6, "{scheme:?} {shape} state");
            // The increment alone, which the unchanged part of the state cannot hide.
            let want_before = both(&c.mu, &c.nu);
            let inc_got: Vec<f32> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
            let inc_want: Vec<C64> = want_after
                .iter()
                .zip(&want_before)
                .map(|(a, b)| a - b)
                .collect();
            let err = rel(&inc_got, &inc_want);
            assert!(
                err < 1e-4,
                "{scheme:?} {shape}: step increment relative L2 error {err:e}"
            );
            ctx.take_errors().unwrap();
        }
    }
}
