// Placeholder for the band-limited terms of a system. At runtime
// src/system/code.rs (`band_terms`) replaces this text with the generated
// BAND_TERMS, BAND_THREADS and band_term(i), the term (a BandTerm of
// dynamics/band.wgsl) that thread i of the band kernel works for.

const BAND_TERMS: u32 = 0u;
const BAND_THREADS: u32 = 1u;

fn band_term(i: u32) -> BandTerm {
    return BandTerm(0u, 0u, 0u, 0u, false, 0u);
}
