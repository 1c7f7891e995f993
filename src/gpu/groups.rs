//! Recording work as labelled groups of dispatches, so that one recording
//! function serves both the hot loop (every group into one compute pass) and
//! the per-kernel benchmark breakdown (each group in its own timed pass).
//!
//! A recorder receives, for each group, its [`Label`], the bytes the group moves
//! through global memory (each kernel reads its inputs and writes its outputs
//! once; each FFT pass reads and writes its fields once) and a closure that
//! records the group's dispatches into a compute pass. [`InPass`] records every
//! group into one existing pass and allocates nothing, so code written against
//! [`GroupRecorder`] records exactly what it would record by hand.

use std::fmt;

/// The name of a group of dispatches: a stage (`"rhs.flux"`) and, for
/// multi-pass operations such as FFTs, a part (`"rows"`); `part` is empty
/// otherwise. Static strings, so recording allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Label {
    /// The stage, e.g. `"rhs.potentials"`.
    pub stage: &'static str,
    /// The part of the stage, e.g. `"rows"`, or `""`.
    pub part: &'static str,
}

impl Label {
    /// A label with no part.
    pub const fn new(stage: &'static str) -> Self {
        Label { stage, part: "" }
    }

    /// A label with a part.
    pub const fn part(stage: &'static str, part: &'static str) -> Self {
        Label { stage, part }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.part.is_empty() {
            f.write_str(self.stage)
        } else {
            write!(f, "{}.{}", self.stage, self.part)
        }
    }
}

/// The dispatches of one group, recorded into whatever pass the recorder gives.
pub type RecordFn<'a> = &'a mut dyn FnMut(&mut wgpu::ComputePass<'_>);

/// Receives recorded work one labelled group at a time.
pub trait GroupRecorder {
    /// One group: `bytes` is what it moves through global memory, `record`
    /// records its dispatches into a pass (a recorder may also not call it,
    /// e.g. when only counting bytes).
    fn group(&mut self, label: Label, bytes: u64, record: RecordFn<'_>);
}

/// Records every group into one existing compute pass: the hot loop's recorder.
pub struct InPass<'a, 'p>(pub &'a mut wgpu::ComputePass<'p>);

impl GroupRecorder for InPass<'_, '_> {
    fn group(&mut self, _label: Label, _bytes: u64, record: RecordFn<'_>) {
        record(self.0);
    }
}

/// Records nothing; collects each group's label and bytes, in recording order.
#[derive(Debug, Default, Clone)]
pub struct Listing {
    /// `(label, bytes)` of each group, in order.
    pub groups: Vec<(Label, u64)>,
}

impl GroupRecorder for Listing {
    fn group(&mut self, label: Label, bytes: u64, _record: RecordFn<'_>) {
        self.groups.push((label, bytes));
    }
}

impl Listing {
    /// The groups `record` would record, without recording anything.
    pub fn of(record: impl FnOnce(&mut dyn GroupRecorder)) -> Self {
        let mut listing = Listing::default();
        record(&mut listing);
        listing
    }

    /// Total bytes of all groups.
    pub fn bytes(&self) -> u64 {
        self.groups.iter().map(|(_, b)| b).sum()
    }
}
