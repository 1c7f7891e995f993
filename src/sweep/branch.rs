//! Following a branch of stationary states along one parameter (`mflda sweep
//! ... --continue`, docs/MATHEMATICS.md section 8): the parameter's values in
//! the order given, each equilibrium iteration started from the previous
//! stationary state (the first from `equilibrium.start`), so that the
//! iteration stays on one branch where several exist, and at each point the
//! linearised spectrum says whether the state is stable. Writes `branch.csv`
//! and the bifurcation plot `branch.png` / `branch.svg` (distance from the
//! uniform state against the parameter, stable points filled, unstable
//! hollow).

use std::path::{Path, PathBuf};

use crate::analysis::analyze::{map_step, predicted_rate, spectrum_at};
use crate::config::Config;
use crate::dynamics::Stepper;
use crate::equilibrium::species_from_logs;
use crate::gpu::{Elem, GpuContext, GpuField};
use crate::interrupt::Interrupt;
use crate::metrics::Metrics;
use crate::output::write_atomic;
use crate::render::xy::{Mark, XyPlot, XySeries};
use crate::sweep::{Param, Sweep};
use crate::{Error, Plan, Problem, Result};

/// The file of the branch table inside the sweep directory.
pub const BRANCH_CSV: &str = "branch.csv";

/// The columns of `branch.csv` after the parameter.
pub const BRANCH_COLUMNS: [&str; 9] = [
    "distance_from_uniform",
    "fourier_1",
    "free_energy",
    "gap",
    "rightmost_re",
    "rightmost_im",
    "stable",
    "iterations",
    "residual",
];

/// One point of a branch.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchPoint {
    /// The parameter's value, as given.
    pub value: String,
    /// `(sum_s int (rho_s* - L^-d)^2)^(1/2)`.
    pub distance_from_uniform: f64,
    /// `(sum_s |int rho_s* exp(-i kappa . x)|^2)^(1/2)` at the largest of the
    /// wave vectors `(2 pi / L)(1, 0)` and `(0, 1)`: for one species on the
    /// circle, the order parameter of the Kuramoto model.
    pub fourier_1: f64,
    /// The free energy at the state (a gradient system; NaN otherwise).
    pub free_energy: f64,
    /// The equilibrium gap at the state (round-off at a stationary state).
    pub gap: f64,
    /// The rightmost eigenvalue that is not a translation mode.
    pub rightmost: (f64, f64),
    /// Whether its real part is negative.
    pub stable: bool,
    /// Equilibrium iterations from the previous point's state.
    pub iterations: u32,
    /// The equilibrium's fixed-point residual.
    pub residual: f64,
}

/// The first Fourier amplitude and the distance from the uniform density of
/// the stationary densities `stars` on the grid of `problem`.
fn shape_of(problem: &Problem, stars: &[Vec<f32>]) -> (f64, f64) {
    let p = &problem.params;
    let cell = p.cell();
    let uniform = 1.0 / (cell * p.shape.len() as f64);
    let unit = std::f64::consts::TAU / p.length;
    let (n1, n2) = (p.shape.n1 as usize, p.shape.n2 as usize);
    let h = p.length / n1 as f64;
    let mut distance = 0.0;
    let mut amp = [0.0f64; 2];
    for r in stars {
        let mut c = [num_complex::Complex64::default(); 2];
        for (i, &v) in r.iter().enumerate() {
            let (x, y) = ((i % n1) as f64 * h, (i / n1) as f64 * p.length / n2 as f64);
            let v = v as f64;
            distance += (v - uniform).powi(2) * cell;
            c[0] += v * cell * num_complex::Complex64::from_polar(1.0, -unit * x);
            if n2 > 1 {
                c[1] += v * cell * num_complex::Complex64::from_polar(1.0, -unit * y);
            }
        }
        amp[0] += c[0].norm_sqr();
        amp[1] += c[1].norm_sqr();
    }
    (distance.sqrt(), amp[0].max(amp[1]).sqrt())
}

/// Follows the branch of `sweep` (exactly one parameter) into `sweep.out`,
/// calling `on_point` after each point. The grid may not change along the
/// branch (the states carry over).
pub fn follow_branch(
    ctx: &GpuContext,
    sweep: &Sweep,
    quiet: bool,
    interrupt: &Interrupt,
    on_point: &mut dyn FnMut(&BranchPoint),
) -> Result<Vec<BranchPoint>> {
    let [param] = sweep.params.as_slice() else {
        return Err(Error::config(
            "--continue",
            "following a branch takes exactly one `--param key=v1,v2,...` (the values in the \
             order to follow them)",
        ));
    };
    std::fs::create_dir_all(&sweep.out)
        .map_err(|e| Error::io(format!("creating {}", sweep.out.display()), e))?;
    let mut points = Vec::new();
    let mut previous: Option<Vec<Vec<f32>>> = None;
    let mut grid = None;
    for (i, value) in param.values.iter().enumerate() {
        interrupt.check(|| format!("following the branch, before {}={value}", param.key))?;
        let sets: Vec<String> = sweep.sets.iter().cloned().chain([param.set(i)]).collect();
        let config = Config::from_toml_str_with_sets(&sweep.config_text, &sweep.origin(), &sets)?;
        if *grid.get_or_insert(config.grid.clone()) != config.grid {
            return Err(Error::config(
                &param.key,
                "the grid changes along the branch; follow a branch on one grid",
            ));
        }
        let mut plan = Plan::new(ctx, &config)?;
        // Each point starts from the previous one's state; the first as
        // its config says.
        let (solver, report) = plan.solve_equilibrium(ctx, previous.take(), quiet, interrupt)?;
        let logs = solver.logs().read(ctx)?;
        let stars = species_from_logs(&logs, solver.species());
        drop(solver);
        plan.set_step(map_step(&plan, &stars))?;
        let problem = &plan.problem;
        let eigenvalues = spectrum_at(ctx, problem, &stars, None, interrupt)?;
        let rate = predicted_rate(&eigenvalues);
        let rightmost = eigenvalues
            .iter()
            .find(|e| !e.translation)
            .map_or((f64::NAN, f64::NAN), |e| (e.re, e.im));
        // The state's gap and free energy, measured as a run measures them.
        let stepper = Stepper::new(ctx, &problem.params, problem.ops.clone())?;
        let star_refs: Vec<&[f32]> = stars.iter().map(|v| v.as_slice()).collect();
        stepper.set_species_densities(ctx, &star_refs)?;
        let field = GpuField::from_data(
            ctx,
            "branch.logs",
            problem.params.shape,
            stars.len() as u32,
            Elem::Real,
            &logs,
        )?;
        let row = Metrics::new(ctx, &stepper, &problem.ops, &field)?.measure(ctx, &stepper, 0.0)?;
        let (distance, fourier) = shape_of(problem, &stars);
        let point = BranchPoint {
            value: value.clone(),
            distance_from_uniform: distance,
            fourier_1: fourier,
            free_energy: row.free_energy.unwrap_or(f64::NAN),
            gap: row.ni,
            rightmost,
            stable: rate > 0.0,
            iterations: report.iterations,
            residual: report.residual,
        };
        on_point(&point);
        points.push(point);
        previous = Some(stars);
    }
    write_branch_csv(&sweep.out.join(BRANCH_CSV), param, &points)?;
    write_branch_plot(&sweep.out, param, &points)?;
    Ok(points)
}

/// `branch.csv`: the parameter's key, then [`BRANCH_COLUMNS`].
pub fn write_branch_csv(path: &Path, param: &Param, points: &[BranchPoint]) -> Result<()> {
    let mut text = format!("{},{}\n", param.key, BRANCH_COLUMNS.join(","));
    for p in points {
        let cells = [
            p.distance_from_uniform,
            p.fourier_1,
            p.free_energy,
            p.gap,
            p.rightmost.0,
            p.rightmost.1,
        ];
        let numbers: Vec<String> = cells.iter().map(|v| format!("{v:e}")).collect();
        text += &format!(
            "{},{},{},{},{:e}\n",
            crate::sweep::csv::field(&p.value),
            numbers.join(","),
            if p.stable { "yes" } else { "no" },
            p.iterations,
            p.residual
        );
    }
    write_atomic(path, text.as_bytes())
}

/// The bifurcation plot: the distance from the uniform state against the
/// parameter (when its values are numbers), stable states filled and
/// unstable ones hollow. Returns the PNG's path, or `None` when the values
/// are not numbers.
pub fn write_branch_plot(
    dir: &Path,
    param: &Param,
    points: &[BranchPoint],
) -> Result<Option<PathBuf>> {
    let xs: Option<Vec<f64>> = points.iter().map(|p| p.value.trim().parse().ok()).collect();
    let Some(xs) = xs else {
        return Ok(None);
    };
    let pick = |stable: bool| -> Vec<(f64, f64)> {
        xs.iter()
            .zip(points)
            .filter(|(_, p)| p.stable == stable)
            .map(|(x, p)| (*x, p.distance_from_uniform))
            .collect()
    };
    let plot = XyPlot {
        title: "branch of stationary states: distance from the uniform state".into(),
        x_label: param.key.clone(),
        series: vec![
            XySeries {
                label: "".into(),
                color: [150, 150, 150, 255],
                mark: Mark::Line,
                points: xs
                    .iter()
                    .zip(points)
                    .map(|(x, p)| (*x, p.distance_from_uniform))
                    .collect(),
            },
            XySeries {
                label: "stable".into(),
                color: [31, 119, 180, 255],
                mark: Mark::Filled,
                points: pick(true),
            },
            XySeries {
                label: "unstable".into(),
                color: [214, 39, 40, 255],
                mark: Mark::Hollow,
                points: pick(false),
            },
        ],
        vlines: Vec::new(),
    };
    let png = dir.join("branch.png");
    plot.write(&png, &dir.join("branch.svg"))?;
    Ok(Some(png))
}
