//! The logical structure for the tagged PDF, built while the flow is set: containers (list,
//! quote, table ...) opened and closed around their content, leaves the runs point into.

use super::display::{StructElem, StructKind};
use super::flow::Flow;

impl Flow<'_> {
    /// A structure element under the innermost open container, not entered.
    pub(super) fn leaf_elem(&mut self, kind: StructKind) -> u32 {
        let id = self.structure.len() as u32;
        self.structure.push(StructElem {
            kind,
            parent: self.parents.last().copied(),
            alt: None,
            title: None,
        });
        id
    }

    /// A structure element that contains what follows until `close_elem`.
    pub(super) fn open_elem(&mut self, kind: StructKind) -> u32 {
        let id = self.leaf_elem(kind);
        self.parents.push(id);
        id
    }

    pub(super) fn close_elem(&mut self) {
        self.parents.pop();
    }
}
