//! The real-pair helpers: two real fields through one complex transform, checked
//! against the CPU f64 reference on fresh random data.

mod common;

use common::{ctx, random, rng};
use mflda::fft::cpu::{self, relative_l2};
use mflda::fft::{Direction, FftBinding, FftPlan, PairOp, RealPair};
use mflda::gpu::{Elem, GpuContext, GpuField, Shape};
use num_complex::Complex64;

const TOL: f64 = 1e-5;

/// One recorded step of a test: a pair operation or a transform.
enum Step<'a> {
    Pair(&'a mflda::fft::real::PairBinding),
    Fft(&'a FftBinding, Direction),
}

/// Records `steps` into one compute pass and submits them.
fn submit(ctx: &GpuContext, pair: &RealPair, plan: &FftPlan, steps: &[Step]) {
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("test.real"),
        });
    {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("test.real"),
            timestamp_writes: None,
        });
        for step in steps {
            match step {
                Step::Pair(b) => pair.record(&mut pass, b),
                Step::Fft(b, dir) => plan.record(&mut pass, b, *dir),
            }
        }
    }
    ctx.queue.submit([encoder.finish()]);
}

/// A field filled with NaN, so that any element a kernel fails to write shows.
fn poisoned(ctx: &GpuContext, shape: Shape, batch: u32, elem: Elem) -> GpuField {
    let len = shape.len() * batch as usize * (elem.bytes() as usize / 4);
    GpuField::from_data(ctx, "test.out", shape, batch, elem, &vec![f32::NAN; len]).unwrap()
}

/// The CPU f64 spectrum of real fields `x`, as interleaved-free complex values.
fn cpu_spectrum(x: &[f32], shape: Shape, batch: u32) -> Vec<Complex64> {
    let mut v: Vec<Complex64> = x.iter().map(|&r| Complex64::new(r as f64, 0.0)).collect();
    cpu::fft(&mut v, shape, batch as usize, Direction::Forward);
    v
}

/// `||a - b|| / ||b||` for real data, in f64.
fn rel_l2_real(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let num: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
        .sum();
    let den: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
    (num / den).sqrt()
}

const CASES: [(Shape, u32); 2] = [(Shape { n1: 32, n2: 32 }, 2), (Shape { n1: 128, n2: 1 }, 2)];

/// The fields and bindings of a full round trip for `batch` pairs of `shape`.
struct Pipeline {
    pair: RealPair,
    plan: FftPlan,
    fields: [GpuField; 8],
}

impl Pipeline {
    /// Real inputs `a`, `b`; then z, A, B, z2 (complex) and a2, b2 (real) outputs.
    fn new(ctx: &GpuContext, shape: Shape, batch: u32, a: &[f32], b: &[f32]) -> Self {
        let real = |d: &[f32]| GpuField::from_data(ctx, "in", shape, batch, Elem::Real, d);
        let c = || poisoned(ctx, shape, batch, Elem::Complex);
        let r = || poisoned(ctx, shape, batch, Elem::Real);
        Pipeline {
            pair: RealPair::new(ctx, shape, batch).unwrap(),
            plan: FftPlan::new(ctx, shape, batch).unwrap(),
            fields: [
                real(a).unwrap(),
                real(b).unwrap(),
                c(),
                c(),
                c(),
                c(),
                r(),
                r(),
            ],
        }
    }

    /// Runs pack, forward, split and, when `back`, merge, inverse, unpack.
    fn run(&self, ctx: &GpuContext, back: bool) {
        let [a, b, z, sa, sb, z2, a2, b2] = &self.fields;
        let pair = |op, f| self.pair.bind(ctx, op, f).unwrap();
        let pack = pair(PairOp::Pack, [a, b, z]);
        let split = pair(PairOp::Split, [z, sa, sb]);
        let fz = self.plan.bind(ctx, z).unwrap();
        let mut steps = vec![
            Step::Pair(&pack),
            Step::Fft(&fz, Direction::Forward),
            Step::Pair(&split),
        ];
        let merge = pair(PairOp::Merge, [sa, sb, z2]);
        let unpack = pair(PairOp::Unpack, [z2, a2, b2]);
        let fz2 = self.plan.bind(ctx, z2).unwrap();
        if back {
            steps.extend([
                Step::Pair(&merge),
                Step::Fft(&fz2, Direction::Inverse),
                Step::Pair(&unpack),
            ]);
        }
        submit(ctx, &self.pair, &self.plan, &steps);
    }

    fn read(&self, ctx: &GpuContext, i: usize) -> Vec<f32> {
        let out = self.fields[i].read(ctx).unwrap();
        if let Some(k) = out.iter().position(|v| !v.is_finite()) {
            panic!("field {i}: float {k} is {} (never written?)", out[k]);
        }
        out
    }
}

#[test]
fn pack_forward_split_gives_both_spectra() {
    let ctx = ctx();
    for (shape, batch) in CASES {
        let mut rng = rng(&format!("split-{shape}-{batch}"));
        let n = shape.len() * batch as usize;
        let (a, b) = (random(&mut rng, n), random(&mut rng, n));
        let p = Pipeline::new(ctx, shape, batch, &a, &b);
        p.run(ctx, false);
        let (sa, sb) = (p.read(ctx, 3), p.read(ctx, 4));
        ctx.take_errors().unwrap();
        let ea = relative_l2(&sa, &cpu_spectrum(&a, shape, batch));
        let eb = relative_l2(&sb, &cpu_spectrum(&b, shape, batch));
        assert!(ea < TOL, "{shape} x{batch}: spectrum of a off by {ea:e}");
        assert!(eb < TOL, "{shape} x{batch}: spectrum of b off by {eb:e}");
    }
}

#[test]
fn merge_inverse_unpack_recovers_both_fields() {
    let ctx = ctx();
    for (shape, batch) in CASES {
        let mut rng = rng(&format!("merge-{shape}-{batch}"));
        let n = shape.len() * batch as usize;
        let (a, b) = (random(&mut rng, n), random(&mut rng, n));
        let p = Pipeline::new(ctx, shape, batch, &a, &b);
        p.run(ctx, true);
        let (a2, b2) = (p.read(ctx, 6), p.read(ctx, 7));
        ctx.take_errors().unwrap();
        let ea = rel_l2_real(&a2, &a);
        let eb = rel_l2_real(&b2, &b);
        assert!(ea < TOL, "{shape} x{batch}: a recovered to {ea:e}");
        assert!(eb < TOL, "{shape} x{batch}: b recovered to {eb:e}");
    }
}

#[test]
fn binding_wrong_element_type_is_refused() {
    let ctx = ctx();
    let (shape, batch) = (Shape::square(16), 2);
    let pair = RealPair::new(ctx, shape, batch).unwrap();
    let mut rng = rng("wrong_elem");
    let mut field = |elem: Elem, shape: Shape| {
        let len = shape.len() * batch as usize * (elem.bytes() as usize / 4);
        GpuField::from_data(ctx, "f", shape, batch, elem, &random(&mut rng, len)).unwrap()
    };
    let (r0, r1, r2) = (
        field(Elem::Real, shape),
        field(Elem::Real, shape),
        field(Elem::Real, shape),
    );
    let (c0, c1, c2) = (
        field(Elem::Complex, shape),
        field(Elem::Complex, shape),
        field(Elem::Complex, shape),
    );
    let other = field(Elem::Complex, Shape::square(32));
    // The documented operand types are accepted...
    for (op, f) in [
        (PairOp::Pack, [&r0, &r1, &c0]),
        (PairOp::Unpack, [&c0, &r0, &r1]),
        (PairOp::Split, [&c0, &c1, &c2]),
        (PairOp::Merge, [&c0, &c1, &c2]),
    ] {
        assert!(
            pair.bind(ctx, op, f).is_ok(),
            "{op:?} refuses {:?}",
            op.elems()
        );
    }
    // ...and each operand of the wrong type (or shape) is refused.
    let refused = [
        (PairOp::Pack, [&c0, &r1, &c1]),
        (PairOp::Pack, [&r0, &c0, &c1]),
        (PairOp::Pack, [&r0, &r1, &r2]),
        (PairOp::Unpack, [&r0, &r1, &r2]),
        (PairOp::Unpack, [&c0, &c1, &r1]),
        (PairOp::Unpack, [&c0, &r0, &c1]),
        (PairOp::Split, [&r0, &c1, &c2]),
        (PairOp::Split, [&c0, &r1, &c2]),
        (PairOp::Split, [&c0, &c1, &r2]),
        (PairOp::Merge, [&c0, &r1, &c2]),
        (PairOp::Merge, [&c0, &c1, &other]),
    ];
    for (op, f) in refused {
        let elems: Vec<_> = f.iter().map(|g| (g.elem, g.shape.to_string())).collect();
        assert!(pair.bind(ctx, op, f).is_err(), "{op:?} accepts {elems:?}");
    }
}
