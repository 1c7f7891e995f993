// Advances the particles' step counter `clock` = [step lo, step hi] by one
// (one thread), so that a batch of steps recorded at once reads its own
// step without a host write between them.

@group(0) @binding(0) var<storage, read_write> clock: array<u32>; // [lo, hi]

@compute @workgroup_size(1)
fn main() {
    let lo = clock[0] + 1u;
    clock[0] = lo;
    if lo == 0u {
        clock[1] = clock[1] + 1u;
    }
}
