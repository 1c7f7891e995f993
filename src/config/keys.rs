//! The key list of the config file ([`SCHEMA`]): every table and key with
//! its TOML type, which the loader checks a parsed TOML table against before
//! serde sees it (`super::check`). Keep in sync with the structs of
//! `super::schema` (a unit test there checks that the two agree).

/// The TOML type a key must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An integer in `0..=u32::MAX`.
    U32,
    /// An integer in `0..=i64::MAX` (TOML integers are i64).
    U64,
    /// A float; an integer is accepted and converted.
    F64,
    /// A boolean.
    Bool,
    /// Any string.
    Str,
    /// One of the listed strings.
    OneOf(&'static [&'static str]),
    /// A float, or the string `"auto"` (which leaves the key unset).
    F64OrAuto,
    /// An integer in `0..=u32::MAX`, or a table of them (one per species).
    U32OrTable,
}

/// One key of a table: its name, type, and for a required key an example line
/// to quote in the "missing key" message (`None` for optional keys).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeySpec {
    pub name: &'static str,
    pub kind: Kind,
    pub required: Option<&'static str>,
}

/// One table: its name, whether it must be present, whether it is an array
/// of tables (`[[species]]`), and its keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableSpec {
    pub name: &'static str,
    pub required: bool,
    pub array: bool,
    pub keys: &'static [KeySpec],
}

/// An optional key.
const fn opt(name: &'static str, kind: Kind) -> KeySpec {
    KeySpec {
        name,
        kind,
        required: None,
    }
}

/// A required key with an example line (`n = 256`).
const fn req(name: &'static str, kind: Kind, example: &'static str) -> KeySpec {
    KeySpec {
        name,
        kind,
        required: Some(example),
    }
}

/// Colour map names accepted in `output.colormap`.
pub(crate) const COLORMAP_NAMES: &[&str] = &["viridis", "magma", "cividis", "diverging"];
/// Scale names accepted in `output.scale`.
pub(crate) const SCALE_NAMES: &[&str] = &["linear", "log"];

/// Start names accepted in `equilibrium.start`.
pub(crate) const START_NAMES: &[&str] = &["uniform", "init"];

/// Scheme names accepted in `time.scheme`.
pub(crate) const SCHEME_NAMES: &[&str] = &["etdrk2", "etdrk4"];

/// Dynamics names accepted in `particles.dynamics`.
pub(crate) const DYNAMICS_NAMES: &[&str] = &["langevin", "wfr", "mirror"];
/// Scheme names accepted in `particles.scheme`.
pub(crate) const PARTICLE_SCHEME_NAMES: &[&str] = &["euler-maruyama", "leimkuhler-matthews"];
/// Drift methods accepted in `particles.drift`.
pub(crate) const DRIFT_NAMES: &[&str] = &["auto", "fourier", "spread", "pairs"];

/// Every table and key of the config file, in file order. Keep in sync with the
/// structs above (a unit test checks that the two agree).
pub(crate) const SCHEMA: &[TableSpec] = &[
    TableSpec {
        name: "grid",
        required: true,
        array: false,
        keys: &[
            req("dim", Kind::U32, "dim = 2"),
            req("n", Kind::U32, "n = 256"),
            opt("length", Kind::F64),
        ],
    },
    TableSpec {
        name: "game",
        required: false,
        array: false,
        keys: &[
            req("tau", Kind::F64, "tau = 0.2"),
            opt("eta", Kind::F64),
            opt("kernel", Kind::Str),
            opt("kernel_spectrum", Kind::Str),
            opt("kernel_gradient", Kind::Str),
            opt("potential_mu", Kind::Str),
            opt("potential_nu", Kind::Str),
            opt("interaction", Kind::Str),
            opt("interaction_modes", Kind::U32),
        ],
    },
    TableSpec {
        name: "species",
        required: false,
        array: true,
        keys: &[
            req("name", Kind::Str, "name = \"rho\""),
            req("tau", Kind::F64, "tau = 0.3"),
            opt("rate", Kind::F64),
            opt("potential", Kind::Str),
            opt("init", Kind::Str),
        ],
    },
    TableSpec {
        name: "coupling",
        required: false,
        array: true,
        keys: &[
            req("target", Kind::Str, "target = \"rho\""),
            req("source", Kind::Str, "source = \"rho\""),
            opt("kernel", Kind::Str),
            opt("kernel_spectrum", Kind::Str),
            opt("kernel_gradient", Kind::Str),
            opt("interaction", Kind::Str),
            opt("interaction_modes", Kind::U32),
        ],
    },
    TableSpec {
        name: "init",
        required: false,
        array: false,
        keys: &[
            opt("mu", Kind::Str),
            opt("nu", Kind::Str),
            opt("seed", Kind::U64),
        ],
    },
    TableSpec {
        name: "time",
        required: false,
        array: false,
        keys: &[
            opt("scheme", Kind::OneOf(SCHEME_NAMES)),
            opt("dt", Kind::F64OrAuto),
            opt("t_end", Kind::F64),
            opt("dealias", Kind::Bool),
            opt("perturbation", Kind::Bool),
            opt("stop_below", Kind::F64),
            opt("fisher_rao", Kind::F64),
        ],
    },
    TableSpec {
        name: "equilibrium",
        required: false,
        array: false,
        keys: &[
            opt("tol", Kind::F64),
            opt("max_iter", Kind::U32),
            opt("step", Kind::F64),
            opt("start", Kind::OneOf(START_NAMES)),
            opt("anderson", Kind::U32),
        ],
    },
    TableSpec {
        name: "output",
        required: false,
        array: false,
        keys: &[
            opt("metrics_every", Kind::F64),
            opt("snapshots_every", Kind::F64),
            opt("frames_every", Kind::F64),
            opt("checkpoint_every", Kind::F64),
            opt("checkpoint_wall", Kind::F64),
            opt("colormap", Kind::OneOf(COLORMAP_NAMES)),
            opt("scale", Kind::OneOf(SCALE_NAMES)),
            opt("frame_size", Kind::U32),
            opt("color_min", Kind::F64),
            opt("color_max", Kind::F64),
            opt("frame_deviation", Kind::Bool),
            opt("w2lin", Kind::Bool),
            opt("w2", Kind::Bool),
        ],
    },
    TableSpec {
        name: "particles",
        required: false,
        array: false,
        keys: &[
            opt("n", Kind::U32OrTable),
            opt("dynamics", Kind::OneOf(DYNAMICS_NAMES)),
            opt("alpha", Kind::F64),
            opt("scheme", Kind::OneOf(PARTICLE_SCHEME_NAMES)),
            opt("drift", Kind::OneOf(DRIFT_NAMES)),
            opt("seed", Kind::U64),
            opt("compare", Kind::Bool),
        ],
    },
];
