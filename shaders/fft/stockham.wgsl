// The plain FFT along one axis of a batch of grids, in place: the Stockham
// passes of shaders/shared/stockham_core.wgsl with a load and a store of the
// field itself. Field `field` of the dispatch is field wg.y of the batch; INVERSE
// (stockham_core.wgsl) gives the direction.
// Keep in sync with src/fft/stockham.rs (override constants and bindings).

override INVERSE: bool;     // inverse transform

var<workgroup> exch: array<f32, LINES * N>;

@group(0) @binding(0) var<storage, read_write> data: array<vec2<f32>>;
@group(0) @binding(1) var<storage, read> twiddles: array<vec2<f32>>;

fn load(field: u32, line: u32, i: u32) -> array<vec2<f32>, 1> {
    return array<vec2<f32>, 1>(data[global_index(field, line, i)]);
}

fn store(field: u32, line: u32, i: u32, y: array<vec2<f32>, 1>) {
    data[global_index(field, line, i)] = y[0];
}
