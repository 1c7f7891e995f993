//! `mflda info`.

use mflda::fft::stockham::max_fft_len;
use mflda::gpu::GpuContext;
use mflda::Problem;

pub fn run(ctx: &GpuContext) -> anyhow::Result<()> {
    let r = ctx.report();
    let l = &ctx.limits;
    let mib = |b: u64| format!("{} MiB", b >> 20);
    println!("adapter      {}", r.name);
    println!("backend      {}", r.backend);
    println!("device type  {}", r.device_type);
    println!("driver       {} {}", r.driver, r.driver_info);
    println!("timestamps   {}", if ctx.timestamps { "yes" } else { "no" });
    println!();
    println!("limits that bound the grid size:");
    println!(
        "  max_storage_buffer_binding_size     {}",
        mib(l.max_storage_buffer_binding_size)
    );
    println!(
        "  max_buffer_size                     {}",
        mib(l.max_buffer_size)
    );
    println!(
        "  max_compute_workgroup_storage_size  {} bytes",
        l.max_compute_workgroup_storage_size
    );
    println!(
        "  max_compute_invocations_per_workgroup {}",
        l.max_compute_invocations_per_workgroup
    );
    println!(
        "  max_compute_workgroups_per_dimension {}",
        l.max_compute_workgroups_per_dimension
    );
    println!();
    println!("largest FFT line        {}", max_fft_len(ctx));
    let n = Problem::largest_grid(ctx, 2);
    println!("largest square grid     {n} x {n}");
    println!("largest 1D grid         {}", Problem::largest_grid(ctx, 1));
    println!(
        "  (a run binds {} bytes a point in one storage binding)",
        mflda::problem::LARGEST_BINDING_PER_POINT
    );
    Ok(())
}
