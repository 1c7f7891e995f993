//! The non-uniform FFTs of the spread drift. Type-1 spreading
//! (src/particles/spread.rs): the moments at every mode of the grid
//! against the direct f64 sums (measured worst errors 1e-7 on a 32^2 grid and 8e-7 on a 256-point
//! line, at half-widths 6 and 8: the f32 floor; the test allows 2e-6), the
//! spread grid's spectrum against the f64 reference grid, and the same bits
//! on a repeat (fixed-point sums, no float atomics). Type-2 evaluation
//! (src/particles/interpolate.rs) against the direct sums at the particles.

mod common;
#[path = "common/particles.rs"]
mod particles;

use mflda::fft::cpu::fft;
use mflda::fft::Direction;
use mflda::gpu::Shape;
use mflda::particles::moments::moments_cpu;
use mflda::particles::spread::{spread_cpu, NufftGrid, Spreader, OVERSAMPLING};
use num_complex::Complex64;
use particles::{f32_positions, storage};
use rand::Rng;

#[test]
fn spread_moments_match_the_direct_sums_at_every_mode() {
    let ctx = common::ctx();
    let l = std::f64::consts::TAU;
    for (dim, n, count) in [(2u32, 32u32, 4000usize), (1, 256, 3000)] {
        let mut rng = common::rng(&format!("spread-{dim}"));
        let mut x = f32_positions(&mut rng, &[count], l).remove(0);
        if dim == 1 {
            x.iter_mut().for_each(|p| p[1] = 0.0);
        }
        let w: Vec<f64> = (0..count)
            .map(|_| f64::from(rng.random_range(0.5f32..1.5) / count as f32))
            .collect();
        let xf: Vec<[f32; 2]> = x.iter().map(|p| [p[0] as f32, p[1] as f32]).collect();
        let wf: Vec<f32> = w.iter().map(|&v| v as f32).collect();
        let (xb, wb) = (
            storage(ctx, bytemuck::cast_slice(&xf)),
            storage(ctx, bytemuck::cast_slice(&wf)),
        );
        let half = (n / 2) as i32;
        let modes: Vec<[i32; 2]> = (-half + 1..half)
            .flat_map(|a| {
                let range = if dim == 2 { -half + 1..half } else { 0..1 };
                range.map(move |b| [a, b])
            })
            .collect();
        let want = moments_cpu(&x, &w, l, &modes);
        for (span, tol) in [(6u32, 2e-6), (8, 2e-6)] {
            let grid = NufftGrid {
                length: l,
                n,
                dim,
                span,
            };
            let s = Spreader::new(ctx, &xb, &wb, count as u32, &grid).unwrap();
            let got = s.moments(ctx, &modes).unwrap();
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).norm())
                .fold(0.0, f64::max);
            assert!(
                worst < tol,
                "dim {dim}, n {n}, span {span}: worst error {worst:e}"
            );
            // The same bits again: the fixed-point sums do not depend on
            // the order the atomics run in.
            let again = s.moments(ctx, &modes).unwrap();
            assert!(
                got == again,
                "dim {dim}, span {span}: a repeat changed the moments"
            );
            // The spread grid itself against its f64 reference, through
            // its spectrum (f32 kernel values and transform: 1e-5).
            let m = OVERSAMPLING * n;
            let shape = if dim == 2 {
                Shape::square(m)
            } else {
                Shape::line(m)
            };
            let mut reference: Vec<Complex64> = spread_cpu(&x, &w, l, n, dim, span)
                .into_iter()
                .map(|v| Complex64::new(v, 0.0))
                .collect();
            fft(&mut reference, shape, 1, Direction::Forward);
            let spectrum = s.spectrum().read(ctx).unwrap();
            let err = mflda::fft::cpu::relative_l2(&spectrum, &reference);
            assert!(
                err < 1e-5,
                "dim {dim}, span {span}: spread grid error {err:e}"
            );
        }
        ctx.take_errors().unwrap();
    }
}

/// Type-2 evaluation (src/particles/interpolate.rs): a random spectrum's
/// trigonometric sum at random particles against the direct f64 sum, to
/// 2e-6 of its largest value (measured 5e-7 on a 32^2 grid, 3e-7 on a
/// 128-point line: the f32 floor), and the same bits on a repeat.
#[test]
fn interpolated_sums_match_the_direct_sums_at_the_particles() {
    use mflda::particles::interpolate::{interpolate_cpu, Evaluate, Interpolator};
    let ctx = common::ctx();
    let l = 4.0;
    for (dim, n) in [(2u32, 32u32), (1, 128)] {
        let mut rng = common::rng(&format!("interp-{dim}"));
        let points = if dim == 2 { n * n } else { n } as usize;
        let c: Vec<Complex64> = (0..points)
            .map(|_| Complex64::new(rng.random_range(-1.0..1.0), rng.random_range(-1.0..1.0)))
            .map(|z| z * f64::from(n))
            .collect();
        let mut x = f32_positions(&mut rng, &[3000], l).remove(0);
        if dim == 1 {
            x.iter_mut().for_each(|p| p[1] = 0.0);
        }
        let xf: Vec<[f32; 2]> = x.iter().map(|p| [p[0] as f32, p[1] as f32]).collect();
        let cf: Vec<[f32; 2]> = c.iter().map(|z| [z.re as f32, z.im as f32]).collect();
        let c32: Vec<Complex64> = cf
            .iter()
            .map(|z| Complex64::new(f64::from(z[0]), f64::from(z[1])))
            .collect();
        let xb = storage(ctx, bytemuck::cast_slice(&xf));
        let grid = NufftGrid {
            length: l,
            n,
            dim,
            span: 8,
        };
        // Field 1 of a two-field buffer (field 0 random too), as values and
        // as the potential of a packed gradient: c / (i kx - ky), mode 0 out.
        let unit = std::f64::consts::TAU / l;
        let potential: Vec<Complex64> = c32
            .iter()
            .enumerate()
            .map(|(p, z)| {
                let (j1, j2) = ((p % n as usize) as i64, (p / n as usize) as i64);
                let signed = |j: i64| {
                    if j >= (i64::from(n) + 1) / 2 {
                        j - i64::from(n)
                    } else {
                        j
                    }
                };
                let (k1, k2) = (
                    signed(j1) as f64,
                    if dim == 2 { signed(j2) as f64 } else { 0.0 },
                );
                let d = Complex64::new(-unit * k2, unit * k1);
                if d.norm() == 0.0 {
                    Complex64::default()
                } else {
                    z / d
                }
            })
            .collect();
        let mut two = vec![[0.5f32, -0.25]; points];
        two.extend_from_slice(&cf);
        let cb = storage(ctx, bytemuck::cast_slice(&two));
        for (what, spectrum) in [(Evaluate::Values, &c32), (Evaluate::Potential, &potential)] {
            let want = interpolate_cpu(spectrum, n, dim, &x, l);
            let scale = want.iter().map(|z| z.norm()).fold(0.0, f64::max);
            let s = Interpolator::new(ctx, &cb, 1, what, &xb, 3000, &grid).unwrap();
            let got = s.values(ctx).unwrap();
            let worst = got
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).norm())
                .fold(0.0, f64::max);
            assert!(
                worst < 2e-6 * scale,
                "dim {dim}, {what:?}: worst error {worst:e} of {scale}"
            );
            assert!(
                got == s.values(ctx).unwrap(),
                "dim {dim}: a repeat changed the values"
            );
        }
        ctx.take_errors().unwrap();
    }
}
