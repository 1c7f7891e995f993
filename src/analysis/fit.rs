//! Exponential decay rates of distance series (docs/MATHEMATICS.md section 6): least
//! squares on `ln y` over a window where the decay is exponential, chosen
//! automatically, with the window and the residual reported.
//!
//! The rule, in order ([`fit_rate`]):
//!
//! 1. **Usable points**: finite `t` and finite `y > 0`, with `t` strictly
//!    increasing (a point whose `t` does not exceed the previous usable one
//!    is dropped). Fewer than 4: no fit.
//! 2. **Envelope**: only points at least as high as every later point are
//!    kept (`z_i >= max_{j > i} z_j`, `z = ln y`). A monotone decay keeps
//!    every point; an oscillating one (`|cos wt| e^{-at}`, a player's distance
//!    in a rotating mode pair) keeps the tops of its humps, whose decay rate
//!    is the envelope's; an initial rise is dropped.
//! 3. **Round-off floor**: let `f` be the first envelope point within a factor
//!    10 of the last one, and `g` the last point before it at least a factor
//!    10 above `y_f`. When the series spends more than twice as long in its
//!    last decade (`t_last - t_f`) as in the decade before (`t_f - t_g`), it
//!    has flattened out: points from `f` on are dropped. A pure exponential
//!    spends equal times in every decade and keeps them all.
//! 4. **Window**: every window of consecutive envelope points with at least
//!    `min(5, m)` points spanning at least 30% of their time range (window
//!    ends on a grid of at most 257 positions for long series) gets a least
//!    squares line and its rms residual. The tolerance is
//!    `max(0.002, 1.5 r_min)`, `r_min` the smallest rms over the windows (the
//!    noise level); the chosen window is the longest in time with an rms
//!    within tolerance (ties: the smaller rms). An initial transient or a
//!    late bend raises the rms of windows that include it, so they lose.
//!
//! The fit of the chosen window is recomputed directly (two passes, centred
//! sums), so an exact exponential gives its rate to rounding.

/// Within this factor of its last value over the last [`PLATEAU_SPAN`] of
/// the run's time, a series has stopped decaying (f32 round-off).
pub const PLATEAU_FALL: f64 = 1.2;
/// See [`PLATEAU_FALL`]: a fraction of the run's time.
pub const PLATEAU_SPAN: f64 = 0.1;
/// Rows from the first within this factor of the plateau are dropped.
pub const FLOOR_MARGIN: f64 = 3.0;

/// The asymptotic decay rate of `(t, y)`: the rate of its slowest mode once
/// the faster ones have died out, as a run's plots and sweeps report it.
/// On top of [`fit_rate`]:
///
/// 1. **Plateau**: when `y` stays within a factor [`PLATEAU_FALL`] of its
///    last value over at least the last [`PLATEAU_SPAN`] of the time range,
///    the series has reached f32 round-off; only the rows before `y` first
///    falls below [`FLOOR_MARGIN`] times its last value are kept.
/// 2. **Late half**: [`fit_rate`] runs on the kept rows in the later half of
///    their time range, so that an initial transient of faster modes does
///    not set the rate; if that has no fit, on all kept rows, then on all.
///
/// `None` without a fit.
pub fn asymptotic_fit(t: &[f64], y: &[f64]) -> Option<RateFit> {
    if t.len() != y.len() {
        return None;
    }
    let end = plateau_cut(t, y)?;
    late_half(&t[..end], &y[..end]).or_else(|| late_half(t, y))
}

/// The number of rows kept by step 1 of [`asymptotic_fit`].
fn plateau_cut(t: &[f64], y: &[f64]) -> Option<usize> {
    let (&t_first, &t_last, &last) = (t.first()?, t.last()?, y.last()?);
    let flat = |v: f64| v <= PLATEAU_FALL * last && v * PLATEAU_FALL >= last;
    let tail = y.iter().rposition(|&v| !flat(v)).map_or(0, |i| i + 1);
    let tail_t = t[tail.min(t.len() - 1)];
    if t_last - tail_t < PLATEAU_SPAN * (t_last - t_first) || tail_t >= t_last {
        return Some(y.len());
    }
    Some(
        y.iter()
            .position(|&v| v < FLOOR_MARGIN * last)
            .unwrap_or(y.len()),
    )
}

/// [`fit_rate`] over the rows in the later half of `t`'s range, else over
/// all of them.
fn late_half(t: &[f64], y: &[f64]) -> Option<RateFit> {
    let middle = 0.5 * (t.first()? + t.last()?);
    let start = t.iter().position(|&x| x >= middle).unwrap_or(0);
    fit_rate(&t[start..], &y[start..]).or_else(|| fit_rate(t, y))
}

/// An exponential fit `y ~ exp(intercept - rate t)` over a window.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RateFit {
    /// Decay rate `a` in `y ~ C exp(-a t)`; never negative, as the envelope
    /// the fit runs on never rises (a growing series has no fit).
    pub rate: f64,
    /// Time of the window's first point.
    pub t_start: f64,
    /// Time of the window's last point.
    pub t_end: f64,
    /// Root mean square of the residuals of `ln y` over the window.
    pub residual: f64,
    /// Number of points in the window (envelope points, step 2).
    pub points: usize,
    /// `ln C`: the fitted `ln y` at `t = 0`.
    pub intercept: f64,
}

impl RateFit {
    /// The fitted value `exp(intercept - rate t)`.
    pub fn value_at(&self, t: f64) -> f64 {
        (self.intercept - self.rate * t).exp()
    }
}

/// Smallest tolerance on the rms log-residual.
const MIN_TOLERANCE: f64 = 0.002;
/// Tolerance as a multiple of the smallest rms over the windows.
const NOISE_FACTOR: f64 = 1.5;
/// Smallest window span, as a fraction of the envelope's time range.
const MIN_SPAN: f64 = 0.3;
/// Most window end positions tried (the series is strided beyond this).
const MAX_ENDS: usize = 256;

/// Fits `y ~ C exp(-rate t)` to the series `(t[i], y[i])` over a window
/// chosen by the rule of the module documentation. `None` when the slices
/// differ in length or fewer than 4 points are usable after steps 1 to 3.
pub fn fit_rate(t: &[f64], y: &[f64]) -> Option<RateFit> {
    if t.len() != y.len() {
        return None;
    }
    let (ts, zs) = envelope(&usable(t, y));
    let m = floor_cut(&ts, &zs);
    let (ts, zs) = (&ts[..m], &zs[..m]);
    if m < 4 {
        return None;
    }
    let (a, b) = choose_window(ts, zs)?;
    let (slope, intercept, residual) = line_fit(&ts[a..=b], &zs[a..=b]);
    Some(RateFit {
        rate: -slope,
        t_start: ts[a],
        t_end: ts[b],
        residual,
        points: b - a + 1,
        intercept,
    })
}

/// Step 1: `(t, ln y)` of the usable points.
fn usable(t: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(t.len());
    for (&ti, &yi) in t.iter().zip(y) {
        if !(ti.is_finite() && yi.is_finite() && yi > 0.0) {
            continue;
        }
        if out.last().is_some_and(|&(prev, _)| ti <= prev) {
            continue;
        }
        out.push((ti, yi.ln()));
    }
    out
}

/// Step 2: the points at least as high as every later one, as `(t, z)`.
fn envelope(points: &[(f64, f64)]) -> (Vec<f64>, Vec<f64>) {
    let mut keep = Vec::with_capacity(points.len());
    let mut highest = f64::NEG_INFINITY;
    for &(t, z) in points.iter().rev() {
        if z >= highest {
            keep.push((t, z));
            highest = z;
        }
    }
    keep.reverse();
    keep.into_iter().unzip()
}

/// Step 3: the number of envelope points to keep.
fn floor_cut(ts: &[f64], zs: &[f64]) -> usize {
    let n = zs.len();
    let Some(&last) = zs.last() else {
        return 0;
    };
    let decade = std::f64::consts::LN_10;
    let Some(f) = zs.iter().position(|&z| z < last + decade) else {
        return n;
    };
    let Some(g) = (0..f).rev().find(|&k| zs[k] >= zs[f] + decade) else {
        return n;
    };
    if ts[n - 1] - ts[f] > 2.0 * (ts[f] - ts[g]) {
        f
    } else {
        n
    }
}

/// Step 4: the chosen window `(first, last)` (inclusive indices).
fn choose_window(ts: &[f64], zs: &[f64]) -> Option<(usize, usize)> {
    let m = ts.len();
    let sums = PrefixSums::new(ts, zs);
    let stride = m.div_ceil(MAX_ENDS).max(1);
    let mut ends: Vec<usize> = (0..m).step_by(stride).collect();
    if ends.last() != Some(&(m - 1)) {
        ends.push(m - 1);
    }
    let min_points = m.min(5);
    let min_span = MIN_SPAN * (ts[m - 1] - ts[0]);
    let mut windows = Vec::new();
    for (i, &a) in ends.iter().enumerate() {
        for &b in &ends[i + 1..] {
            if b + 1 - a < min_points || ts[b] - ts[a] < min_span * (1.0 - 1e-12) {
                continue;
            }
            windows.push((a, b, sums.rms(a, b)));
        }
    }
    let r_min = windows.iter().map(|w| w.2).fold(f64::INFINITY, f64::min);
    let tolerance = MIN_TOLERANCE.max(NOISE_FACTOR * r_min);
    windows
        .into_iter()
        .filter(|w| w.2 <= tolerance)
        .max_by(|x, y| {
            let span = |w: &(usize, usize, f64)| ts[w.1] - ts[w.0];
            span(x).total_cmp(&span(y)).then(y.2.total_cmp(&x.2))
        })
        .map(|(a, b, _)| (a, b))
}

/// Prefix sums of `t`, `z`, `t^2`, `t z`, `z^2` (shifted by the first point
/// to limit cancellation), for the rms residual of any window in O(1).
struct PrefixSums {
    s: Vec<[f64; 5]>,
}

impl PrefixSums {
    fn new(ts: &[f64], zs: &[f64]) -> Self {
        let (t0, z0) = (ts[0], zs[0]);
        let mut s = Vec::with_capacity(ts.len() + 1);
        let mut acc = [0.0; 5];
        s.push(acc);
        for (&t, &z) in ts.iter().zip(zs) {
            let (t, z) = (t - t0, z - z0);
            for (a, v) in acc.iter_mut().zip([t, z, t * t, t * z, z * z]) {
                *a += v;
            }
            s.push(acc);
        }
        PrefixSums { s }
    }

    /// Rms residual of the least squares line over points `a..=b`.
    fn rms(&self, a: usize, b: usize) -> f64 {
        let n = (b + 1 - a) as f64;
        let d: [f64; 5] = std::array::from_fn(|k| self.s[b + 1][k] - self.s[a][k]);
        let stt = d[2] - d[0] * d[0] / n;
        let stz = d[3] - d[0] * d[1] / n;
        let szz = d[4] - d[1] * d[1] / n;
        let ssr = if stt > 0.0 {
            szz - stz * stz / stt
        } else {
            szz
        };
        (ssr.max(0.0) / n).sqrt()
    }
}

/// Least squares line `z = slope t + intercept` with centred two-pass sums:
/// `(slope, intercept, rms residual)`.
fn line_fit(ts: &[f64], zs: &[f64]) -> (f64, f64, f64) {
    let n = ts.len() as f64;
    let tm = ts.iter().sum::<f64>() / n;
    let zm = zs.iter().sum::<f64>() / n;
    let (mut stt, mut stz) = (0.0, 0.0);
    for (&t, &z) in ts.iter().zip(zs) {
        stt += (t - tm) * (t - tm);
        stz += (t - tm) * (z - zm);
    }
    let slope = if stt > 0.0 { stz / stt } else { 0.0 };
    let intercept = zm - slope * tm;
    let ssr: f64 = ts
        .iter()
        .zip(zs)
        .map(|(&t, &z)| (z - (intercept + slope * t)).powi(2))
        .sum();
    (slope, intercept, (ssr / n).sqrt())
}
