// Flat element index of an elementwise kernel dispatched on a 2D grid of
// workgroups of 256 threads (grids above 65535 groups fold into y).
// Keep in sync with src/gpu/pipeline.rs (`elementwise_groups`).

const WG: u32 = 256u;

fn flat_index(group: vec3<u32>, groups: vec3<u32>, local: u32) -> u32 {
    return (group.y * groups.x + group.x) * WG + local;
}
