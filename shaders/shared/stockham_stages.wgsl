// The stages of a Stockham line kernel (shaders/shared/stockham_core.wgsl)
// are generated for each radix plan by src/fft/stockham_gen.rs, which
// replaces this part whole; the empty body below only lets a template
// validate by itself (tests/shaders.rs) and is never built into a pipeline.
fn transform(t: u32, field: u32, first_line: u32) {}
