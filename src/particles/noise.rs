//! The particles' noise on the GPU: `draws` standard normals per particle and
//! step of one species, from the counter-based generator ([`super::rng`]),
//! the same on every device and for every workgroup size.

use crate::gpu::field::read_buffer;
use crate::gpu::pipeline::Kernel;
use crate::gpu::shaders::PARTICLES_NOISE;
use crate::gpu::GpuContext;
use crate::particles::rng::species_key;
use crate::{Error, Result};

/// The noise kernels of one species, bound to their output.
#[derive(Debug)]
pub struct StepNoise {
    normals: Kernel,
    words: Kernel,
    bind: wgpu::BindGroup,
    /// `count * draws` normals (f32 bits) or `4 count ceil(draws / 4)` words.
    out: wgpu::Buffer,
    /// `[step lo, step hi]`.
    step: wgpu::Buffer,
    count: u32,
    draws: u32,
    wg_size: u32,
}

impl StepNoise {
    /// The noise of `count` particles of species `species` (its index in the
    /// system) under `seed`, `draws` normals each (the dimension for
    /// Euler-Maruyama), computed in workgroups of `wg_size` threads (a power
    /// of two, 1 to 256; the values do not depend on it).
    pub fn new(
        ctx: &GpuContext,
        seed: u64,
        species: u32,
        count: u32,
        draws: u32,
        wg_size: u32,
    ) -> Result<Self> {
        if count == 0 || draws == 0 {
            return Err(Error::Usage(format!(
                "noise of {count} particles with {draws} draws each: both must be positive"
            )));
        }
        if !wg_size.is_power_of_two() || wg_size > 256 {
            return Err(Error::Usage(format!(
                "workgroup size {wg_size}: a power of two up to 256"
            )));
        }
        let blocks = u64::from(draws.div_ceil(4));
        let words = 4 * u64::from(count) * blocks;
        let bytes = 4 * words.max(u64::from(count) * u64::from(draws));
        let limit = ctx.max_binding_bytes();
        if bytes > limit {
            return Err(Error::Usage(format!(
                "noise of {count} particles x {draws} draws needs {bytes} bytes in one \
                 binding; this device binds at most {limit}"
            )));
        }
        // The kernel indexes the words in u32.
        if words > u64::from(u32::MAX) {
            return Err(Error::Usage(format!(
                "noise of {count} particles x {draws} draws is {words} words, more than one \
                 dispatch indexes (2^32 - 1); draw fewer particles at a time"
            )));
        }
        let key = species_key(seed, species);
        let constants = [
            ("COUNT", f64::from(count)),
            ("DRAWS", f64::from(draws)),
            ("KEY_LO", f64::from(key[0])),
            ("KEY_HI", f64::from(key[1])),
            ("WG_SIZE", f64::from(wg_size)),
        ];
        let device = &ctx.device;
        let normals = Kernel::new(device, &PARTICLES_NOISE, "main", &constants)?;
        let words = Kernel::with_layout(
            device,
            &PARTICLES_NOISE,
            "main_words",
            &normals.layout,
            &constants,
        )?;
        let out = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("particles.noise"),
            size: bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let step = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("particles.noise_step"),
            size: 8,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind = normals.bind(device, &[&out, &step]);
        Ok(StepNoise {
            normals,
            words,
            bind,
            out,
            step,
            count,
            draws,
            wg_size,
        })
    }

    /// The output buffer: after [`Self::generate`], `count * draws` normals
    /// as f32, particle i's at `[i * draws ..]`.
    pub fn output(&self) -> &wgpu::Buffer {
        &self.out
    }

    /// Workgroups covering one thread per particle and block, folded into y
    /// above the 65535 groups every device allows along x.
    fn groups(&self) -> [u32; 3] {
        let threads = u64::from(self.count) * u64::from(self.draws.div_ceil(4));
        let groups = threads.div_ceil(u64::from(self.wg_size)).max(1);
        if groups <= 65535 {
            return [groups as u32, 1, 1];
        }
        let y = groups.div_ceil(65535);
        [groups.div_ceil(y) as u32, y as u32, 1]
    }

    fn run(&self, ctx: &GpuContext, kernel: &Kernel, step: u64) {
        let words = [step as u32, (step >> 32) as u32];
        ctx.queue
            .write_buffer(&self.step, 0, bytemuck::cast_slice(&words));
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            kernel.dispatch(&mut pass, &self.bind, self.groups());
        }
        ctx.queue.submit([encoder.finish()]);
    }

    /// Computes the normals of step `step` into [`Self::output`].
    pub fn generate(&self, ctx: &GpuContext, step: u64) {
        self.run(ctx, &self.normals, step);
    }

    /// The normals of step `step`, read back (`count * draws`).
    pub fn normals(&self, ctx: &GpuContext, step: u64) -> Result<Vec<f32>> {
        self.generate(ctx, step);
        let n = u64::from(self.count) * u64::from(self.draws);
        read_buffer(ctx, &self.out, 4 * n)
    }

    /// The generator's raw words of step `step`, read back: four per
    /// particle and block, block b of particle i at `[4 (i blocks + b) ..]`.
    pub fn words(&self, ctx: &GpuContext, step: u64) -> Result<Vec<u32>> {
        self.run(ctx, &self.words, step);
        let n = 4 * u64::from(self.count) * u64::from(self.draws.div_ceil(4));
        let v = read_buffer(ctx, &self.out, 4 * n)?;
        Ok(v.into_iter().map(f32::to_bits).collect())
    }
}
