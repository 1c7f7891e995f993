//! The metrics of docs/MATHEMATICS.md sections 5 and 8 on the GPU: mass, min,
//! max, entropy, and the L2, L_inf, KL and chi2 distances of each species to
//! the stationary state, the equilibrium gap (the Nikaido-Isoda error for the
//! game) and, for a gradient system, the free energy. Everything is reduced on
//! the GPU (pairwise trees); one measurement reads back `10 S` pairs of
//! floats. The linearised W2 distances (`super::w2lin`) are added on request.

use crate::dynamics::potential_eval::PotentialEval;
use crate::dynamics::{Params, Stepper};
use crate::equilibrium::gibbs::GibbsEval;
use crate::gpu::pipeline::{elementwise_groups, Kernel};
use crate::gpu::{shaders, Elem, GpuContext, GpuField, Shape};
use crate::metrics::reduce::{finish, Op, Reducer};
use crate::metrics::w2_metric::W2Metric;
use crate::metrics::w2lin::{W2lin, W2linOptions};
use crate::system::SystemOperators;
use crate::{Error, Result};

/// Column names of the game's `metrics.csv`, in order.
pub const COLUMNS: &[&str] = &[
    "t",
    "mass_mu",
    "mass_nu",
    "min_mu",
    "min_nu",
    "max_mu",
    "max_nu",
    "l2_mu",
    "l2_nu",
    "linf_mu",
    "linf_nu",
    "kl_mu",
    "kl_nu",
    "chi2_mu",
    "chi2_nu",
    "entropy_mu",
    "entropy_nu",
    "ni",
];

/// The per-species metrics, in column order: each is written
/// `<metric>_<species>` for every species in turn.
pub const SPECIES_METRICS: [&str; 8] =
    ["mass", "min", "max", "l2", "linf", "kl", "chi2", "entropy"];

/// The columns of the game's `metrics.csv`: [`COLUMNS`], then `w2lin_mu`,
/// `w2lin_nu` when the linearised W2 distances are measured.
pub fn columns(w2lin: bool) -> Vec<&'static str> {
    let mut c = COLUMNS.to_vec();
    if w2lin {
        c.extend(["w2lin_mu", "w2lin_nu"]);
    }
    c
}

/// The columns of a system's `metrics.csv`: `t`, each of [`SPECIES_METRICS`]
/// for every species, the gap (`ni` for the game, `gap` otherwise), then
/// `free_energy` for a gradient system, `w2lin_<species>` and `w2_<species>`
/// when measured. For the game without `w2` these are [`columns`].
pub fn system_columns(
    names: &[String],
    game: bool,
    free_energy: bool,
    w2lin: bool,
    w2: bool,
) -> Vec<String> {
    let mut c = vec!["t".to_string()];
    for m in SPECIES_METRICS {
        c.extend(names.iter().map(|n| format!("{m}_{n}")));
    }
    c.push(if game { "ni" } else { "gap" }.into());
    if free_energy {
        c.push("free_energy".into());
    }
    if w2lin {
        c.extend(names.iter().map(|n| format!("w2lin_{n}")));
    }
    if w2 {
        c.extend(names.iter().map(|n| format!("w2_{n}")));
    }
    c
}

/// The statistics of one species' density `rho` against its stationary state `rho*`.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlayerStats {
    /// `int rho`.
    pub mass: f64,
    /// `min rho`.
    pub min: f64,
    /// `max rho`.
    pub max: f64,
    /// `-int rho log rho` (points with rho <= 0 contribute 0).
    pub entropy: f64,
    /// `(int (rho - rho*)^2)^(1/2)`.
    pub l2: f64,
    /// `max |rho - rho*|`.
    pub linf: f64,
    /// `KL(rho | rho*)`, in the Bregman form `int rho log(rho/rho*) - rho + rho*`.
    pub kl: f64,
    /// `int (rho - rho*)^2 / rho*`.
    pub chi2: f64,
    /// The linearised W2 distance `||rho - rho*||_{H^-1(rho*)}`, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w2lin: Option<f64>,
    /// The Wasserstein distance `W2(rho, rho*)`, when measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub w2: Option<f64>,
}

impl PlayerStats {
    /// The value of metric `name` of [`SPECIES_METRICS`].
    pub fn get(&self, name: &str) -> f64 {
        match name {
            "mass" => self.mass,
            "min" => self.min,
            "max" => self.max,
            "l2" => self.l2,
            "linf" => self.linf,
            "kl" => self.kl,
            "chi2" => self.chi2,
            "entropy" => self.entropy,
            _ => f64::NAN,
        }
    }
}

/// One row of metrics. In JSON (summary.json, checkpoints) it is an object
/// with `t`, one member per species named after it (`mu`, `nu` for the
/// game), the gap as `ni` (game) or `gap`, and `free_energy` when measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsRow {
    /// Simulated time.
    pub t: f64,
    /// Each species' name and statistics, in state order.
    pub species: Vec<(String, PlayerStats)>,
    /// The equilibrium gap `sum_s tau_s KL(rho_s | Gibbs(-Phi_s / tau_s))`
    /// (the Nikaido-Isoda error for the game).
    pub ni: f64,
    /// The free energy of a gradient system (docs/MATHEMATICS.md section 8).
    pub free_energy: Option<f64>,
    /// The row of the two-player game (its gap is named `ni`).
    pub game: bool,
}

impl MetricsRow {
    /// The statistics of species `i` (the game: 0 for mu, 1 for nu).
    pub fn stats(&self, i: usize) -> PlayerStats {
        self.species.get(i).map(|s| s.1).unwrap_or_default()
    }

    /// The game's min player.
    pub fn mu(&self) -> PlayerStats {
        self.stats(0)
    }

    /// The game's max player.
    pub fn nu(&self) -> PlayerStats {
        self.stats(1)
    }

    /// Puts the species in the order of `names` (JSON objects read back, as
    /// a checkpoint's, may list their members sorted); species not named
    /// keep their place after those that are.
    pub fn order_species(&mut self, names: &[String]) {
        self.species
            .sort_by_key(|(n, _)| names.iter().position(|m| m == n).unwrap_or(usize::MAX));
    }

    /// The joint L2 distance `(sum_s L2_s^2)^(1/2)`.
    pub fn joint_l2(&self) -> f64 {
        self.species
            .iter()
            .map(|(_, s)| s.l2 * s.l2)
            .sum::<f64>()
            .sqrt()
    }

    /// The values in the order of [`system_columns`] (for the game, of
    /// [`columns`]`(w2lin measured)`).
    pub fn values(&self) -> Vec<f64> {
        let mut v = vec![self.t];
        for m in SPECIES_METRICS {
            v.extend(self.species.iter().map(|(_, s)| s.get(m)));
        }
        v.push(self.ni);
        v.extend(self.free_energy);
        if self.species.iter().all(|(_, s)| s.w2lin.is_some()) && !self.species.is_empty() {
            v.extend(self.species.iter().filter_map(|(_, s)| s.w2lin));
        }
        if self.species.iter().all(|(_, s)| s.w2.is_some()) && !self.species.is_empty() {
            v.extend(self.species.iter().filter_map(|(_, s)| s.w2));
        }
        v
    }

    /// True when every value is finite.
    pub fn is_finite(&self) -> bool {
        self.values().iter().all(|v| v.is_finite())
    }
}

impl serde::Serialize for MetricsRow {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("t", &self.t)?;
        for (name, stats) in &self.species {
            map.serialize_entry(name, stats)?;
        }
        map.serialize_entry(if self.game { "ni" } else { "gap" }, &self.ni)?;
        if let Some(f) = self.free_energy {
            map.serialize_entry("free_energy", &f)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for MetricsRow {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = MetricsRow;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a metrics row: t, one member per species, and ni or gap")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<MetricsRow, A::Error> {
                let mut row = MetricsRow::default();
                // Members in document order: the species keep their order.
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "t" => row.t = map.next_value()?,
                        "ni" => {
                            row.ni = map.next_value()?;
                            row.game = true;
                        }
                        "gap" => row.ni = map.next_value()?,
                        "free_energy" => row.free_energy = Some(map.next_value()?),
                        _ => {
                            let stats: PlayerStats = map.next_value()?;
                            row.species.push((key, stats));
                        }
                    }
                }
                Ok(row)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Kernels, buffers and bind groups of the metrics, built once per run.
#[derive(Debug)]
pub struct Metrics {
    params: Params,
    /// Species names, temperatures; whether the system is the game and
    /// whether it is a gradient system (the free energy is measured).
    names: Vec<String>,
    taus: Vec<f64>,
    game: bool,
    gradient: bool,
    stats_kernel: Kernel,
    ni_kernel: Kernel,
    stats: Reducer,
    ni: Reducer,
    potential: PotentialEval,
    gibbs: GibbsEval,
    stats_bind: wgpu::BindGroup,
    ni_bind: wgpu::BindGroup,
    staging: wgpu::Buffer,
    groups: [u32; 3],
    /// The stationary state's log-densities (copied; the stats bind group
    /// reads them) and the species' own potentials on the grid.
    _fields: [GpuField; 2],
    /// Perturbation form: the kernel adding rho*^ to the deviation, its bind
    /// group, the full state it writes and its workgroup grid.
    full: Option<(Kernel, wgpu::BindGroup, GpuField, [u32; 3])>,
    /// The linearised W2 solver, when requested ([`Self::with_w2lin`]).
    w2lin: Option<W2lin>,
    /// The Wasserstein distances, when requested ([`Self::with_w2`]).
    w2: Option<W2Metric>,
}

impl Metrics {
    /// Metrics of `stepper`'s state against the stationary log-densities
    /// `eq_logs` (`[log rho_s*]`, S real fields; copied here).
    pub fn new(
        ctx: &GpuContext,
        stepper: &Stepper,
        ops: &SystemOperators,
        eq_logs: &GpuField,
    ) -> Result<Self> {
        let params = stepper.params.clone();
        let shape = params.shape;
        let species = ops.species();
        if eq_logs.shape != shape || eq_logs.batch as usize != species || eq_logs.elem != Elem::Real
        {
            return Err(Error::Usage(format!(
                "stationary logs: expected {species} real fields of {shape}"
            )));
        }
        let device = &ctx.device;
        let pert = stepper.reference_state();
        let constants = [
            ("FIELD_LEN", shape.len() as f64),
            ("PERTURBATION", f64::from(u8::from(pert.is_some()))),
        ];
        let code = ops.replacements();
        let stats_kernel =
            Kernel::generated(device, &shaders::FIELD_STATS, &code, "main", &constants)?;
        // The game is the one system with a single temperature (`Params::tau`).
        let game = species == 2 && stepper.params.tau.is_finite();
        let gradient = !game && ops.system.is_gradient(shape);
        let mut ni_constants = constants.to_vec();
        ni_constants.push(("ENERGY", f64::from(u8::from(gradient))));
        let ni_kernel =
            Kernel::generated(device, &shaders::NI_TERMS, &code, "main", &ni_constants)?;
        let groups = elementwise_groups(shape.len() as u64);
        let leaf = groups[0] * groups[1];
        let mut stat_ops = Vec::new();
        for _ in 0..species {
            stat_ops.extend([
                Op::Sum,
                Op::Min,
                Op::Max,
                Op::Sum,
                Op::Sum,
                Op::Max,
                Op::Sum,
                Op::Sum,
            ]);
        }
        let stats = Reducer::new(ctx, "metrics.stats", &stat_ops, leaf)?;
        let ni = Reducer::new(ctx, "metrics.ni", &vec![Op::Sum; 2 * species], leaf)?;
        // The gap needs the potentials of the densities themselves: in the
        // perturbation form, of rho*^ + d^.
        let full = match pert {
            Some(eq_state) => {
                let count = species as u64 * shape.len() as u64;
                let add = Kernel::new(
                    device,
                    &shaders::ADD_STATE,
                    "main",
                    &[("COUNT", count as f64)],
                )?;
                let out = GpuField::zeros(
                    ctx,
                    "metrics.full_state",
                    shape,
                    species as u32,
                    Elem::Complex,
                )?;
                let bind = add.bind(
                    device,
                    &[&eq_state.buffer, &stepper.state.buffer, &out.buffer],
                );
                Some((add, bind, out, elementwise_groups(count)))
            }
            None => None,
        };
        let state = full.as_ref().map_or(&stepper.state.buffer, |f| &f.2.buffer);
        let potential = PotentialEval::new(ctx, &params, ops, state)?;
        let gibbs = GibbsEval::new(ctx, &params, ops, &potential.output)?;

        let star = GpuField::zeros(ctx, "metrics.eq_logs", shape, species as u32, Elem::Real)?;
        let mut encoder = device.create_command_encoder(&Default::default());
        encoder.copy_buffer_to_buffer(&eq_logs.buffer, 0, &star.buffer, 0, star.bytes());
        ctx.queue.submit([encoder.finish()]);
        // The species' own potentials, read for the free energy only (a
        // one-point stand-in otherwise).
        let own = if gradient {
            let values: Vec<f32> = ops
                .system
                .species
                .iter()
                .flat_map(|sp| match &sp.potential {
                    Some(p) => p.value.iter().map(|v| p.sign * v).collect::<Vec<f32>>(),
                    None => vec![0.0; shape.len()],
                })
                .collect();
            GpuField::from_data(
                ctx,
                "metrics.own_potentials",
                shape,
                species as u32,
                Elem::Real,
                &values,
            )?
        } else {
            GpuField::zeros(ctx, "metrics.no_potentials", Shape::line(4), 1, Elem::Real)?
        };

        let dens = &stepper.densities_field().buffer;
        let stats_bind = stats_kernel.bind(device, &[dens, &star.buffer, &stats.partials]);
        let ni_bind = ni_kernel.bind(
            device,
            &[
                dens,
                &gibbs.output.buffer,
                &ni.partials,
                &star.buffer,
                &potential.output.buffer,
                &own.buffer,
            ],
        );
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("metrics.staging"),
            size: 10 * species as u64 * 8,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Ok(Metrics {
            params,
            names: ops.system.names().iter().map(|s| s.to_string()).collect(),
            taus: ops.system.species.iter().map(|s| s.tau).collect(),
            game,
            gradient,
            stats_kernel,
            ni_kernel,
            stats,
            ni,
            potential,
            gibbs,
            stats_bind,
            ni_bind,
            staging,
            groups,
            _fields: [star, own],
            full,
            w2lin: None,
            w2: None,
        })
    }

    /// The columns of this system's `metrics.csv` ([`system_columns`]).
    pub fn columns(&self) -> Vec<String> {
        system_columns(
            &self.names,
            self.game,
            self.gradient,
            self.w2lin.is_some(),
            self.w2.is_some(),
        )
    }

    /// True when the free energy is measured (a gradient system).
    pub fn has_free_energy(&self) -> bool {
        self.gradient
    }

    /// Adds the linearised W2 distances to every measurement of `stepper` (the
    /// stepper given to [`Self::new`]); `eq_logs` are the host values of the
    /// equilibrium log-densities given there (`2 n` values, `log mu*` then
    /// `log nu*`).
    pub fn with_w2lin(
        mut self,
        ctx: &GpuContext,
        stepper: &Stepper,
        eq_logs: &[f32],
        opts: W2linOptions,
    ) -> Result<Self> {
        self.w2lin = Some(W2lin::new(
            ctx,
            &self.params,
            eq_logs,
            &stepper.densities_field().buffer,
            stepper.reference_state().is_some(),
            opts,
        )?);
        Ok(self)
    }

    /// Adds the Wasserstein distances of every species to its stationary
    /// density (`w2`, see [`W2Metric`]) to every measurement.
    pub fn with_w2(mut self, w2: W2Metric) -> Self {
        self.w2 = Some(w2);
        self
    }

    /// The Wasserstein distances' solver, when measured.
    pub fn w2(&self) -> Option<&W2Metric> {
        self.w2.as_ref()
    }

    /// Records the whole measurement of `stepper`'s current state, and the
    /// start of the linearised-W2 solve whose iterations [`Self::measure`] runs.
    pub fn record(&self, pass: &mut wgpu::ComputePass<'_>, stepper: &Stepper) {
        let g = self.groups;
        stepper.record_densities(pass);
        self.stats_kernel.dispatch(pass, &self.stats_bind, g);
        self.stats.record(pass);
        if let Some(w) = &self.w2lin {
            w.record_setup(pass);
        }
        if let Some((add, bind, _, groups)) = &self.full {
            add.dispatch(pass, bind, *groups);
        }
        self.potential.record(pass);
        self.gibbs.record(pass);
        self.ni_kernel.dispatch(pass, &self.ni_bind, g);
        self.ni.record(pass);
    }

    /// Measures `stepper`'s current state at time `t` (one small blocking readback).
    pub fn measure(&self, ctx: &GpuContext, stepper: &Stepper, t: f64) -> Result<MetricsRow> {
        crate::gpu::block(self.measure_async(ctx, stepper, t))
    }

    /// [`Self::measure`] as a future: what a browser awaits.
    pub async fn measure_async(
        &self,
        ctx: &GpuContext,
        stepper: &Stepper,
        t: f64,
    ) -> Result<MetricsRow> {
        let mut encoder = ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("metrics"),
            });
        self.record(
            &mut encoder.begin_compute_pass(&Default::default()),
            stepper,
        );
        let s = self.names.len() as u64;
        encoder.copy_buffer_to_buffer(&self.stats.result, 0, &self.staging, 0, 8 * s * 8);
        encoder.copy_buffer_to_buffer(&self.ni.result, 0, &self.staging, 8 * s * 8, 2 * s * 8);
        ctx.queue.submit([encoder.finish()]);
        let raw = crate::gpu::field::read_mapped_async(ctx, &self.staging).await?;
        let split = 16 * s as usize;
        let stats = finish(&self.stats.ops, &raw[..split]);
        let ni = finish(&self.ni.ops, &raw[split..]);
        let mut row = self.row(t, &stats, &ni);
        if let Some(w) = &self.w2lin {
            let d = w.solve_async(ctx).await?.distance;
            for (i, (_, stats)) in row.species.iter_mut().enumerate() {
                stats.w2lin = d.get(i).copied();
            }
        }
        if let Some(w) = &self.w2 {
            let d = w.distances(ctx, &stepper.species_densities_async(ctx).await?)?;
            for ((_, stats), d) in row.species.iter_mut().zip(d) {
                stats.w2 = Some(d);
            }
        }
        Ok(row)
    }

    fn row(&self, t: f64, s: &[f64], ni: &[f64]) -> MetricsRow {
        let cell = self.params.cell();
        let player = |o: usize| PlayerStats {
            mass: cell * s[o],
            min: s[o + 1],
            max: s[o + 2],
            entropy: cell * s[o + 3],
            l2: (cell * s[o + 4]).max(0.0).sqrt(),
            linf: s[o + 5],
            kl: cell * s[o + 6],
            chi2: cell * s[o + 7],
            w2lin: None,
            w2: None,
        };
        let species: Vec<(String, PlayerStats)> = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), player(8 * i)))
            .collect();
        let count = self.names.len();
        let gap = if self.game {
            // The game's one temperature, as the NI error is written.
            self.params.tau * cell * (ni[0] + ni[1])
        } else {
            cell * self.taus.iter().zip(ni).map(|(t, k)| t * k).sum::<f64>()
        };
        // F = sum_s [ 1/2 int rho_s (Phi_s + a_s) - tau_s H(rho_s) ].
        let free_energy = self.gradient.then(|| {
            (0..count)
                .map(|i| 0.5 * cell * ni[count + i] - self.taus[i] * species[i].1.entropy)
                .sum()
        });
        MetricsRow {
            t,
            species,
            ni: gap,
            free_energy,
            game: self.game,
        }
    }
}
