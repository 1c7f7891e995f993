// Placeholder for the species constants of a system. At runtime
// src/system/code.rs (`species`) replaces this text with the generated
// SPECIES (species count S), PAIRS (ceil(S / 2), the complex fields that hold
// the species two at a time), species_tau(s) and species_rate(s).

const SPECIES: u32 = 1u;
const PAIRS: u32 = 1u;

fn species_tau(s: u32) -> f32 {
    return 1.0;
}

fn species_rate(s: u32) -> f32 {
    return 1.0;
}
