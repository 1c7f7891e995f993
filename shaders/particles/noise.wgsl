// The noise of one step of a species' particles: DRAWS standard normals per
// particle for particles 0 .. COUNT, value d of particle i at out[i * DRAWS +
// d], from block d / 4 of the generator (philox.wgsl) at counter (i, step,
// block) under the species' key (KEY_LO, KEY_HI: `particles::rng::species_key`,
// computed on the host); `main_words` writes the generator's raw
// words instead (four per block, the last block whole), which the CPU twin
// reproduces bit for bit. One thread per (particle, block), in workgroups of
// WG_SIZE: the result does not depend on it.

override COUNT: u32;
override DRAWS: u32;
override KEY_LO: u32;
override KEY_HI: u32;
override WG_SIZE: u32 = 256u;

// Normals as their f32 bits (main), or raw words (main_words).
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
// [step lo, step hi].
@group(0) @binding(1) var<storage, read> step: array<u32>;

fn thread_index(id: vec3<u32>, groups: vec3<u32>) -> u32 {
    return id.y * groups.x * WG_SIZE + id.x;
}

fn words_of(t: u32, blocks: u32) -> vec4<u32> {
    let key = vec2<u32>(KEY_LO, KEY_HI);
    return philox4x32_10(vec4<u32>(t / blocks, step[0], step[1], t % blocks), key);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let blocks = (DRAWS + 3u) / 4u;
    let t = thread_index(id, groups);
    if t >= COUNT * blocks {
        return;
    }
    let z = philox_normals(words_of(t, blocks));
    let first = 4u * (t % blocks);
    let base = (t / blocks) * DRAWS;
    for (var j = 0u; j < 4u; j = j + 1u) {
        if first + j < DRAWS {
            out[base + first + j] = bitcast<u32>(z[j]);
        }
    }
}

@compute @workgroup_size(WG_SIZE)
fn main_words(
    @builtin(global_invocation_id) id: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let blocks = (DRAWS + 3u) / 4u;
    let t = thread_index(id, groups);
    if t >= COUNT * blocks {
        return;
    }
    let w = words_of(t, blocks);
    for (var j = 0u; j < 4u; j = j + 1u) {
        out[4u * t + j] = w[j];
    }
}
