//! The WGSL a [`System`] compiles to, replacing the placeholders of the
//! registered kernels (`shaders/shared/species.wgsl`,
//! `shaders/shared/system_potentials.wgsl`, `shaders/shared/band_terms.wgsl`):
//!
//! - [`species`]: `SPECIES`, `PAIRS` and the per-species constants
//!   `species_tau(s)`, `species_rate(s)`;
//! - [`potentials`]: the bindings 0-3 (state, multipliers, potential spectra,
//!   band box) and `phi_spectra(p)`, the spectra `Phi_s^` of every species at
//!   grid index `p`, written out term by term;
//! - [`band_terms`]: the table of band-limited terms the band kernel walks.
//!
//! Numbers enter as exact f32 bit patterns. Each term is summed in the
//! system's order, with its sign applied by an exact negation, so the game
//! computes bit for bit what its hand-written kernels did.

use std::fmt::Write;

use crate::system::System;

/// An f32 literal holding exactly `x as f32`.
fn f32_literal(x: f64) -> String {
    format!("bitcast<f32>({}u)", (x as f32).to_bits())
}

/// A function `name(s: u32) -> f32` returning `values[s]`.
fn table(name: &str, values: &[f64]) -> String {
    let mut out = format!("fn {name}(s: u32) -> f32 {{\n");
    for (s, v) in values
        .iter()
        .enumerate()
        .take(values.len().saturating_sub(1))
    {
        let _ = writeln!(out, "    if s == {s}u {{ return {}; }}", f32_literal(*v));
    }
    let last = values.last().copied().unwrap_or(0.0);
    let _ = writeln!(out, "    return {};\n}}", f32_literal(last));
    out
}

/// `SPECIES`, `PAIRS`, `species_tau(s)` and `species_rate(s)`.
pub fn species(system: &System) -> String {
    let taus: Vec<f64> = system.species.iter().map(|s| s.tau).collect();
    let rates: Vec<f64> = system.species.iter().map(|s| s.rate).collect();
    format!(
        "// Generated from the system by src/system/code.rs.\n\
         const SPECIES: u32 = {}u;\nconst PAIRS: u32 = {}u;\n{}{}",
        system.len(),
        system.pairs(),
        table("species_tau", &taus),
        table("species_rate", &rates)
    )
}

/// Offsets of each band term's output in the band box buffer, and the total.
pub fn band_offsets(system: &System, dim: u32) -> (Vec<u32>, u32) {
    let mut offsets = Vec::new();
    let mut total = 0;
    for b in &system.bands {
        offsets.push(total);
        total += (2 * system.matrices[b.matrix].modes + 1).pow(dim);
    }
    (offsets, total)
}

/// Offsets of each band matrix in the coefficient buffer (in complex entries).
pub fn matrix_offsets(system: &System) -> Vec<u32> {
    let mut out = Vec::new();
    let mut total = 0u32;
    for m in &system.matrices {
        out.push(total);
        total += m.coeffs.len() as u32;
    }
    out
}

/// The bindings 0-3 and `phi_spectra(p)`: for species s,
/// `Phi_s^ = sum (+-) M rho_r^ [+ (+-) a_s^ if INCLUDE_POTENTIALS] + sum (+-) band`.
pub fn potentials(system: &System, dim: u32) -> String {
    let mut out = String::from(
        "// Generated from the system by src/system/code.rs.\n\
         @group(0) @binding(0) var<storage, read> state: array<vec2<f32>>;     // [rho_s^]\n\
         @group(0) @binding(1) var<storage, read> mult: array<vec2<f32>>;      // multipliers M\n\
         @group(0) @binding(2) var<storage, read> pots: array<vec2<f32>>;      // potential spectra a_s^\n\
         @group(0) @binding(3) var<storage, read> band_box: array<vec2<f32>>;  // band terms on their boxes\n\
         // false: the perturbation form's linear part (the potentials act on the\n\
         // equilibrium, not on a deviation).\n\
         override INCLUDE_POTENTIALS: bool = true;\n\n",
    );
    let s_count = system.len();
    let _ = writeln!(
        out,
        "fn phi_spectra(p: u32) -> array<vec2<f32>, {s_count}> {{\n    let field_len = N1 * N2;"
    );
    let mut sources: Vec<usize> = system.convolutions.iter().map(|c| c.source).collect();
    sources.sort_unstable();
    sources.dedup();
    for r in sources {
        let _ = writeln!(out, "    let r{r} = state[{r}u * field_len + p];");
    }
    let mut mults: Vec<usize> = system.convolutions.iter().map(|c| c.multiplier).collect();
    mults.sort_unstable();
    mults.dedup();
    for m in mults {
        let _ = writeln!(out, "    let m{m} = mult[{m}u * field_len + p];");
    }
    let _ = writeln!(out, "    var phi: array<vec2<f32>, {s_count}>;");
    let (band_out, _) = band_offsets(system, dim);
    let slots = system.potential_slots();
    for (s, sp) in system.species.iter().enumerate() {
        let _ = writeln!(out, "    // species {s}, `{}`", sp.name);
        let mut first = true;
        for c in system.convolutions.iter().filter(|c| c.target == s) {
            let m = if c.conjugate {
                format!("cconj(m{})", c.multiplier)
            } else {
                format!("m{}", c.multiplier)
            };
            let term = format!("cmul({m}, r{})", c.source);
            let neg = c.sign < 0.0;
            let line = match (first, neg) {
                (true, false) => format!("var v{s} = {term};"),
                (true, true) => format!("var v{s} = -{term};"),
                (false, false) => format!("v{s} += {term};"),
                (false, true) => format!("v{s} -= {term};"),
            };
            let _ = writeln!(out, "    {line}");
            first = false;
        }
        if first {
            let _ = writeln!(out, "    var v{s} = vec2<f32>(0.0);");
        }
        if let (Some(pot), Some(slot)) = (&sp.potential, slots.iter().position(|&x| x == s)) {
            let op = if pot.sign < 0.0 { "-=" } else { "+=" };
            let _ = writeln!(
                out,
                "    if INCLUDE_POTENTIALS {{ v{s} {op} pots[{slot}u * field_len + p]; }}"
            );
        }
        for (t, b) in system.bands.iter().enumerate() {
            if b.target != s {
                continue;
            }
            let modes = system.matrices[b.matrix].modes;
            let op = if b.sign < 0.0 { "-=" } else { "+=" };
            let _ = writeln!(
                out,
                "    {{\n        let b = box_index(p, {modes}u);\n        if b != BOX_NONE \
                 {{ v{s} {op} band_box[{}u + b]; }}\n    }}",
                band_out[t]
            );
        }
        let _ = writeln!(out, "    phi[{s}] = v{s};");
    }
    out.push_str("    return phi;\n}\n");
    out
}

/// The table of band-limited terms: `BAND_TERMS`, `BAND_THREADS` (the sum of
/// the terms' box sizes: one thread per output mode) and `band_term(i)`, the
/// term that thread `i` works for.
pub fn band_terms(system: &System, dim: u32) -> String {
    let (outs, total) = band_offsets(system, dim);
    let coeff_offsets = matrix_offsets(system);
    let mut out = format!(
        "// Generated from the system by src/system/code.rs.\n\
         const BAND_TERMS: u32 = {}u;\nconst BAND_THREADS: u32 = {}u;\n\n\
         fn band_term(i: u32) -> BandTerm {{\n",
        system.bands.len(),
        total.max(1)
    );
    for (t, b) in system.bands.iter().enumerate() {
        let m = &system.matrices[b.matrix];
        let box_len = (2 * m.modes + 1).pow(dim);
        let term = format!(
            "BandTerm({}u, {}u, {box_len}u, {}u, {}, {}u)",
            coeff_offsets[b.matrix], m.modes, b.source, b.transpose, outs[t]
        );
        if t + 1 < system.bands.len() {
            let _ = writeln!(
                out,
                "    if i < {}u {{ return {term}; }}",
                outs[t] + box_len
            );
        } else {
            let _ = writeln!(out, "    return {term};");
        }
    }
    if system.bands.is_empty() {
        out.push_str("    return BandTerm(0u, 0u, 0u, 0u, false, 0u);\n");
    }
    out.push_str("}\n");
    out
}
