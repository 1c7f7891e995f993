//! The MFL-DA dynamics (docs/MATHEMATICS.md sections 1 and 3): payoff operators, the
//! pseudo-spectral right-hand side, ETD schemes and the time stepper, with a CPU
//! f64 reference of the right-hand side and of one step.

pub mod cpu;
pub mod etd;
pub mod operators;
pub mod params;
pub mod phi;
pub mod potential_eval;
pub mod rhs;
pub mod stability;
pub mod stepper;

pub use operators::{Operators, PayoffGrids};
pub use params::{Params, Scheme};
pub use stepper::Stepper;
