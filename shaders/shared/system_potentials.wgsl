// Placeholder for the potentials of a system. At runtime src/system/code.rs
// (`potentials`) replaces this text with the generated bindings 0-3 and
//     fn phi_spectra(p: u32) -> array<vec2<f32>, SPECIES>
// the spectra Phi_s^ at grid index p of every species s from the state
// [rho_s^] (docs/MATHEMATICS.md section 8):
//     Phi_s^ = sum_r (+-) M_sr rho_r^ + (+-) a_s^ + (+-) band terms,
// a_s^ left out when INCLUDE_POTENTIALS is false. The including kernel
// declares its outputs from binding 4 on.

@group(0) @binding(0) var<storage, read> state: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> mult: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> pots: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> band_box: array<vec2<f32>>;
override INCLUDE_POTENTIALS: bool = true;

fn phi_spectra(p: u32) -> array<vec2<f32>, SPECIES> {
    var phi: array<vec2<f32>, SPECIES>;
    return phi;
}
