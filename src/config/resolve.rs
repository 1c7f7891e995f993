//! Filling defaults that depend on other values, writing a configuration back
//! to TOML, and its stable hash.

use super::schema::Config;

impl Config {
    /// A copy with the output schedules made concrete:
    /// `metrics_every` = max(t_end / 200, dt) (t_end / 200 while dt is
    /// automatic), `snapshots_every` = t_end / 10,
    /// `frames_every` = 0, `checkpoint_every` = t_end / 10 and
    /// `checkpoint_wall` = 600 s when not given. `equilibrium.step` stays `None`
    /// when not given: its automatic value depends on the payoff, which the
    /// equilibrium solver computes.
    pub fn resolved(&self) -> Config {
        let mut c = self.clone();
        let t_end = c.time.t_end;
        let out = &mut c.output;
        out.metrics_every = Some(
            out.metrics_every
                .unwrap_or((t_end / 200.0).max(c.time.dt.unwrap_or(0.0))),
        );
        out.snapshots_every = Some(out.snapshots_every.unwrap_or(t_end / 10.0));
        out.frames_every = Some(out.frames_every.unwrap_or(0.0));
        out.checkpoint_every = Some(out.checkpoint_every.unwrap_or(t_end / 10.0));
        out.checkpoint_wall = Some(out.checkpoint_wall.unwrap_or(600.0));
        c
    }

    /// The configuration as TOML text, one table per section, floats written so
    /// that they read back bit for bit. `None` options are left out.
    pub fn to_toml_string(&self) -> String {
        // Serialising plain numbers, strings and booleans cannot fail; keep a
        // readable fallback rather than a panic all the same.
        toml::to_string(self)
            .unwrap_or_else(|e| format!("# cannot write the config as TOML: {e}\n"))
    }

    /// A stable 64-bit hash of the resolved configuration except where the
    /// run ends: FNV-1a over the text of `self.resolved().to_toml_string()`
    /// with `time.t_end` set to 0 and `time.stop_below` left out. Equal
    /// configurations hash equal across runs and machines; used to match
    /// checkpoints to their config. The end is left out because a run may be
    /// extended past it (`mflda run --resume DIR --t-end T`, or a run that
    /// stopped early continued after lowering `stop_below` in its
    /// config.toml), and nothing before the end depends on it once the
    /// output schedules are resolved.
    pub fn hash(&self) -> u64 {
        let mut c = self.resolved();
        c.time.t_end = 0.0;
        c.time.stop_below = None;
        fnv1a64(c.to_toml_string().as_bytes())
    }
}

/// 64-bit FNV-1a hash of `bytes` (offset basis 0xcbf29ce484222325, prime
/// 0x100000001b3).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::fnv1a64;

    /// Published FNV-1a 64 test vectors.
    #[test]
    fn fnv_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
