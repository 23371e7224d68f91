//! The tagged-PDF structure tree: content identifiers collected while drawing, grouped under
//! the display list's structure elements (headings, paragraphs, lists, tables, figures, notes)
//! in reading order; page furniture is marked as artifacts.

use std::num::NonZeroU16;

use krilla::surface::Surface;
use krilla::tagging::{
    ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, TableHeaderScope, Tag,
    TagGroup, TagKind, TagTree,
};

use crate::layout::display::{Role, StructElem, StructKind};

enum Child {
    Id(Identifier),
    Elem(u32),
    /// A link: its text and (once the page's annotations are added) its annotation.
    Link(Vec<Identifier>),
}

/// Where a link's annotation identifier goes once it exists.
#[derive(Clone, Copy)]
pub struct LinkSlot {
    elem: Option<u32>,
    index: usize,
}

pub struct Tags<'a> {
    /// Borrowed from a laid-out document, or owned while its pages stream past.
    structure: std::borrow::Cow<'a, [StructElem]>,
    children: Vec<Vec<Child>>,
    attached: Vec<bool>,
    roots: Vec<Child>,
}

impl<'a> Tags<'a> {
    pub fn new(structure: impl Into<std::borrow::Cow<'a, [StructElem]>>) -> Self {
        let structure = structure.into();
        Tags {
            children: structure.iter().map(|_| Vec::new()).collect(),
            attached: vec![false; structure.len()],
            roots: Vec::new(),
            structure,
        }
    }

    /// Links an element (and any ancestors not yet linked) into the tree at its first content,
    /// so the tree follows reading order.
    fn attach(&mut self, e: u32) {
        let mut chain = Vec::new();
        let mut cur = Some(e);
        while let Some(c) = cur {
            if self.attached[c as usize] {
                break;
            }
            chain.push(c);
            cur = self.structure[c as usize].parent;
        }
        for &c in chain.iter().rev() {
            self.attached[c as usize] = true;
            match self.structure[c as usize].parent {
                Some(p) => self.children[p as usize].push(Child::Elem(c)),
                None => self.roots.push(Child::Elem(c)),
            }
        }
    }

    /// Wraps the drawing in `draw` as content of element `tag` (or an artifact of `role` when
    /// `tag` is `None`). With `link`, the content starts a link group; returns its slot.
    pub fn mark(
        &mut self,
        surface: &mut Surface<'_>,
        tag: Option<u32>,
        role: Option<Role>,
        link: bool,
        draw: impl FnOnce(&mut Surface<'_>),
    ) -> Option<LinkSlot> {
        match tag.filter(|&t| (t as usize) < self.structure.len()) {
            Some(t) => {
                let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
                draw(surface);
                surface.end_tagged();
                self.attach(t);
                let list = &mut self.children[t as usize];
                if link {
                    list.push(Child::Link(vec![id]));
                    Some(LinkSlot {
                        elem: Some(t),
                        index: list.len() - 1,
                    })
                } else {
                    list.push(Child::Id(id));
                    None
                }
            }
            None => {
                let kind = match role {
                    Some(Role::Header) => ArtifactType::Header,
                    Some(Role::Footer) => ArtifactType::Footer,
                    _ => ArtifactType::Other,
                };
                surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::with_kind(
                    kind,
                )));
                draw(surface);
                surface.end_tagged();
                // A link on page furniture still needs a place in the tree for its annotation.
                link.then(|| {
                    self.roots.push(Child::Link(Vec::new()));
                    LinkSlot {
                        elem: None,
                        index: self.roots.len() - 1,
                    }
                })
            }
        }
    }

    pub fn annotation(&mut self, slot: LinkSlot, id: Identifier) {
        let list = match slot.elem {
            Some(e) => &mut self.children[e as usize],
            None => &mut self.roots,
        };
        if let Some(Child::Link(ids)) = list.get_mut(slot.index) {
            ids.push(id);
        }
    }

    pub fn into_tree(self, lang: &str) -> TagTree {
        let mut tree = TagTree::new().with_lang(Some(lang.to_string()));
        for node in self.into_nodes() {
            tree.push(node);
        }
        tree
    }

    /// The tree's top-level nodes, for a volume to gather under one group per article.
    pub fn into_nodes(mut self) -> Vec<Node> {
        let roots = std::mem::take(&mut self.roots);
        roots.into_iter().filter_map(|c| self.node(c)).collect()
    }

    fn node(&mut self, child: Child) -> Option<Node> {
        match child {
            Child::Id(id) => Some(id.into()),
            Child::Link(ids) if ids.is_empty() => None,
            Child::Link(ids) => Some(
                TagGroup::with_children(Tag::Link, ids.into_iter().map(Node::from).collect())
                    .into(),
            ),
            Child::Elem(e) => {
                let kids = std::mem::take(&mut self.children[e as usize]);
                let nodes: Vec<Node> = kids.into_iter().filter_map(|c| self.node(c)).collect();
                if nodes.is_empty() {
                    return None;
                }
                Some(TagGroup::with_children(self.kind(e), nodes).into())
            }
        }
    }

    fn kind(&self, e: u32) -> TagKind {
        let elem = &self.structure[e as usize];
        match elem.kind {
            StructKind::Paragraph => Tag::P.into(),
            StructKind::Heading(level) => Tag::Hn(
                NonZeroU16::new(u16::from(level.max(1))).expect("level ≥ 1"),
                elem.title.clone(),
            )
            .into(),
            StructKind::List { ordered } => Tag::L(if ordered {
                ListNumbering::Decimal
            } else {
                ListNumbering::Disc
            })
            .into(),
            StructKind::ListItem => Tag::LI.into(),
            StructKind::Label => Tag::Lbl.into(),
            StructKind::ListBody => Tag::LBody.into(),
            StructKind::Quote => Tag::BlockQuote.into(),
            StructKind::Figure => Tag::Figure(elem.alt.clone()).into(),
            StructKind::Caption => Tag::Caption.into(),
            StructKind::Table => Tag::Table.into(),
            StructKind::Row => Tag::TR.into(),
            StructKind::HeaderCell => Tag::TH(TableHeaderScope::Column).into(),
            StructKind::Cell => Tag::TD.into(),
            StructKind::Note => Tag::Note.into(),
            StructKind::Code => Tag::Code.into(),
            StructKind::Contents => Tag::TOC.into(),
            StructKind::ContentsItem => Tag::TOCI.into(),
        }
    }
}
