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
    println!();
    println!("largest grid of a species system, by its widest buffer (the species, or its");
    println!("distinct kernels or potentials when there are more; 8 bytes a point each):");
    println!("  fields   2D            1D");
    for fields in [2, 4, 8, 16] {
        let label = if fields == 2 {
            "1-2".to_string()
        } else {
            fields.to_string()
        };
        let n2 = Problem::largest_grid_for(ctx, 2, fields);
        let n1 = Problem::largest_grid_for(ctx, 1, fields);
        println!("  {label:<8} {:<13} {n1}", format!("{n2} x {n2}"));
    }
    Ok(())
}
