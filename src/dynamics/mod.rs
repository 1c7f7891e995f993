//! The dynamics of a species system (docs/MATHEMATICS.md sections 3 and 8): the
//! pseudo-spectral right-hand side, ETD schemes and the time stepper, with a
//! CPU f64 reference of the game's right-hand side and of one step (the
//! general one is `system::cpu`).

pub mod cpu;
pub mod etd;
pub mod fisher_rao;
pub mod fused;
pub mod fused_etd;
pub mod params;
pub mod phi;
pub mod potential_eval;
pub mod rhs;
pub mod stability;
pub mod stepper;

pub use crate::game::payoff::PayoffGrids;
pub use params::{Params, Scheme};
pub use stepper::Stepper;
