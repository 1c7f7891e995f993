//! The grid density's Fourier moments at a few modes, read straight from
//! the stepper's spectral state: the state holds `FFT(rho_s)` on the GPU, so
//! the characteristic function of [`crate::particles::init::cell_moments`]
//! at mode k is `state_s[k] / state_s[0]` times the cells' sinc, and only
//! those entries (8 bytes each, copied in coalesced runs) come back, never
//! the whole field. In the perturbation form the state is the deviation,
//! and the stationary state's spectrum (an f64 FFT of the host copy, once)
//! is added.

use num_complex::Complex64;

use crate::dynamics::Stepper;
use crate::fft::cpu::fft;
use crate::fft::spectral::Spectral;
use crate::fft::Direction;
use crate::gpu::field::read_buffer;
use crate::gpu::{GpuContext, Shape};
use crate::{Error, Result};

/// The gather of a few modes of every species from a stepper's state.
#[derive(Debug)]
pub struct GridMoments {
    /// Coalesced runs `(first element, elements)` of the state to copy.
    runs: Vec<(u64, u64)>,
    /// Per species, per mode then mode 0 last: the element's place in the
    /// gathered copy.
    places: Vec<Vec<usize>>,
    /// The cells' sinc per mode.
    sinc: Vec<f64>,
    /// The stationary spectra at the same entries (the perturbation form).
    base: Option<Vec<Vec<Complex64>>>,
    gathered: wgpu::Buffer,
    elements: u64,
}

impl GridMoments {
    /// The gather of `modes` (integer wave vectors) from `stepper`'s state
    /// on `shape`, side `length`; `stars` are the stationary densities (one
    /// grid per species), used in the perturbation form.
    pub fn new(
        ctx: &GpuContext,
        stepper: &Stepper,
        modes: &[[i32; 2]],
        shape: Shape,
        length: f64,
        stars: &[Vec<f32>],
    ) -> Result<Self> {
        let spectral = Spectral::new(shape, length);
        let points = shape.len();
        let species = stepper.species();
        let mut wanted: Vec<usize> = modes
            .iter()
            .map(|k| spectral.index_of(i64::from(k[0]), i64::from(k[1])))
            .collect();
        wanted.push(0);
        let mut elements: Vec<u64> = (0..species)
            .flat_map(|s| wanted.iter().map(move |&p| (s * points + p) as u64))
            .collect();
        elements.sort_unstable();
        elements.dedup();
        let mut runs: Vec<(u64, u64)> = Vec::new();
        for &e in &elements {
            match runs.last_mut() {
                Some((first, len)) if *first + *len == e => *len += 1,
                _ => runs.push((e, 1)),
            }
        }
        let places = (0..species)
            .map(|s| {
                wanted
                    .iter()
                    .map(|&p| {
                        elements
                            .binary_search(&((s * points + p) as u64))
                            .expect("listed above")
                    })
                    .collect()
            })
            .collect();
        let h = length / f64::from(shape.n1);
        let unit = std::f64::consts::TAU / length;
        let sinc = |t: f64| if t == 0.0 { 1.0 } else { t.sin() / t };
        let factors = modes
            .iter()
            .map(|k| {
                let mut f = sinc(unit * f64::from(k[0]) * h / 2.0);
                if shape.dim() == 2 {
                    f *= sinc(unit * f64::from(k[1]) * h / 2.0);
                }
                f
            })
            .collect();
        let base = if stepper.is_perturbation() {
            if stars.len() != species {
                return Err(Error::Usage(format!(
                    "grid moments: {} stationary densities for {species} species",
                    stars.len()
                )));
            }
            Some(
                stars
                    .iter()
                    .map(|r| {
                        let mut z: Vec<Complex64> = r
                            .iter()
                            .map(|&v| Complex64::new(f64::from(v), 0.0))
                            .collect();
                        fft(&mut z, shape, 1, Direction::Forward);
                        wanted.iter().map(|&p| z[p]).collect()
                    })
                    .collect(),
            )
        } else {
            None
        };
        let gathered = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("particles.grid_moments"),
            size: 8 * elements.len() as u64,
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        Ok(GridMoments {
            runs,
            places,
            sinc: factors,
            base,
            gathered,
            elements: elements.len() as u64,
        })
    }

    /// The moments of every species' grid density at the modes (blocking):
    /// `[species][mode]`.
    pub fn measure(&self, ctx: &GpuContext, stepper: &Stepper) -> Result<Vec<Vec<Complex64>>> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        let mut at = 0u64;
        for &(first, len) in &self.runs {
            encoder.copy_buffer_to_buffer(
                &stepper.state.buffer,
                8 * first,
                &self.gathered,
                8 * at,
                8 * len,
            );
            at += len;
        }
        ctx.queue.submit([encoder.finish()]);
        let v = read_buffer(ctx, &self.gathered, 8 * self.elements)?;
        let value = |i: usize| Complex64::new(f64::from(v[2 * i]), f64::from(v[2 * i + 1]));
        Ok(self
            .places
            .iter()
            .enumerate()
            .map(|(s, places)| {
                let mut z: Vec<Complex64> = places.iter().map(|&i| value(i)).collect();
                if let Some(base) = &self.base {
                    z.iter_mut().zip(&base[s]).for_each(|(a, b)| *a += b);
                }
                let mass = z.pop().map_or(f64::NAN, |c| c.re);
                z.iter()
                    .zip(&self.sinc)
                    .map(|(m, f)| m / mass * f)
                    .collect()
            })
            .collect())
    }
}
