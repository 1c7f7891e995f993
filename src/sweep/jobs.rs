//! `--emit-jobs FILE`: one shell command per configuration, each a complete
//! `mflda run` followed (`&&`) by the `mflda analyze` of the config that run
//! wrote, into `RUN_DIR/analysis` (the `predicted_rate` of `sweep.csv`, as a
//! sweep on one GPU does), its equilibrium started from the run's
//! (`--equilibrium-from RUN_DIR`, so not solved twice), with absolute paths and shell-quoted arguments, so
//! that `parallel < FILE` or a Slurm array task (`sed -n
//! "${SLURM_ARRAY_TASK_ID}p" FILE | bash`) runs it anywhere the same paths
//! are visible. Line `i` is the run with index `i`. A propagation-of-chaos
//! study (`--particles`) emits `mflda particles` commands alone.

use std::path::Path;

use super::definition::Sweep;

/// Options passed through to every emitted command.
#[derive(Debug, Clone, Default)]
pub struct JobOptions {
    /// `--backend` to pass on.
    pub backend: Option<String>,
    /// `--adapter` to pass on.
    pub adapter: Option<String>,
    /// Pass `--force` (overwrite existing run directories).
    pub force: bool,
    /// Pass `--quiet`.
    pub quiet: bool,
    /// Emit `mflda particles` commands (a propagation-of-chaos study)
    /// instead of `mflda run && mflda analyze`.
    pub particles: bool,
}

/// The command lines, one per configuration in sweep order, each without a
/// trailing newline; `program` is the mflda binary to call.
pub fn job_lines(sweep: &Sweep, program: &Path, opts: &JobOptions) -> Vec<String> {
    sweep
        .points()
        .iter()
        .map(|point| {
            let mut words = vec![quote_program(&program.to_string_lossy())];
            for (flag, value) in [("--backend", &opts.backend), ("--adapter", &opts.adapter)] {
                if let Some(v) = value {
                    words.push(flag.to_string());
                    words.push(quote(v));
                }
            }
            let start = words.clone();
            words.push(if opts.particles { "particles" } else { "run" }.into());
            if let Some(path) = &sweep.config_path {
                words.push(quote(&path.to_string_lossy()));
            }
            words.push("--out".into());
            words.push(quote(&sweep.run_dir(point).to_string_lossy()));
            for set in sweep.sets_for(point) {
                words.push("--set".into());
                words.push(quote(&set));
            }
            if opts.force {
                words.push("--force".into());
            }
            if opts.quiet {
                words.push("--quiet".into());
            }
            if opts.particles {
                return words.join(" ");
            }
            let run_dir = sweep.run_dir(point);
            let mut analyze = start;
            analyze.push("analyze".into());
            analyze.push(quote(&run_dir.join("config.toml").to_string_lossy()));
            analyze.push("--out".into());
            analyze.push(quote(&run_dir.join("analysis").to_string_lossy()));
            analyze.push("--equilibrium-from".into());
            analyze.push(quote(&run_dir.to_string_lossy()));
            analyze.push("--force".into());
            format!("{} && {}", words.join(" "), analyze.join(" "))
        })
        .collect()
}

/// `word` as one POSIX shell word: as is when it only has characters no
/// shell treats specially, else in single quotes (a quote written `'\''`).
pub fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.,/:=+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// As [`quote`], also quoting `=` (a first word `a=b` is an assignment).
fn quote_program(word: &str) -> String {
    if word.contains('=') {
        format!("'{}'", word.replace('\'', "'\\''"))
    } else {
        quote(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("game.tau=0.5"), "game.tau=0.5");
        assert_eq!(quote("/a/b c"), "'/a/b c'");
        assert_eq!(
            quote("init.mu=eq * (1.0 + 0.5 * cos(x.x))"),
            "'init.mu=eq * (1.0 + 0.5 * cos(x.x))'"
        );
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("~/x"), "'~/x'");
        assert_eq!(quote_program("/bin/a=b"), "'/bin/a=b'");
    }
}
