//! Set lines join the flow with their keep rules — where a page may not break: after a heading,
//! inside a block kept whole, after a hyphenated line, or so as to leave a widow or an orphan —
//! and with what is drawn beside them (links, underlines, quote bars, rules).

use super::display::{GlyphRun, Item, Line, Link, Rect, Role, StructKind};
use super::flow::{BlockStyle, Flow, FlowLine, Frame};
use super::para::{ParaStyle, SetLine, StyledText, set_paragraph};

impl Flow<'_> {
    /// Sets a paragraph and appends its lines with the keep rules.
    pub(super) fn push_paragraph(
        &mut self,
        st: &StyledText,
        frame: &Frame,
        block: BlockStyle,
    ) -> usize {
        let style = ParaStyle {
            width: frame.width,
            align: block.align,
            indent: block.indent,
            lang: self.lang.clone(),
            hyphenate: block.hyphenate,
            preserve_spaces: false,
            role: block.role,
        };
        let kind = match block.role {
            Role::Heading(level) => StructKind::Heading(level),
            Role::Title => StructKind::Heading(1),
            _ => StructKind::Paragraph,
        };
        let heading = matches!(kind, StructKind::Heading(_));
        let tag = self.leaf_elem(kind);
        if heading {
            self.structure[tag as usize].title =
                Some(st.text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        let outer = self.run_tag.replace(tag);
        let set = set_paragraph(self.shaper, st, &style);
        let size = st.spans.first().map_or(self.theme.body_size, |s| s.1.size);
        let n = self.push_set_lines(
            set,
            frame,
            block.leading,
            size,
            block.space_before,
            block.keep_together,
            block.outline,
        );
        self.run_tag = outer;
        n
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_set_lines(
        &mut self,
        set: Vec<SetLine>,
        frame: &Frame,
        leading: f32,
        size: f32,
        space_before: f32,
        keep_together: bool,
        mut outline: Option<(u8, String)>,
    ) -> usize {
        let n = set.len();
        // Centre the font's body (about 0.72 em above the baseline, 0.22 below) in the leading.
        let baseline = (leading + size * (0.72 - 0.22)) / 2.0;
        let mut prev_hyphenated = false;
        for (k, line) in set.into_iter().enumerate() {
            // A hyphenated line never ends a page: the reader would turn the page mid-word.
            let keep = if k == 0 {
                self.keep_next
            } else {
                keep_together
                    || prev_hyphenated
                    || k < self.theme.orphans
                    || k + self.theme.widows > n
            };
            prev_hyphenated = line.hyphenated;
            let notes: Vec<u32> = line.runs.iter().filter_map(|r| r.note).collect();
            let mut items = Vec::with_capacity(line.runs.len() + frame.bars.len());
            for mut run in line.runs {
                run.x += frame.x;
                run.tag = self.run_tag;
                if let Some(url) = &run.link {
                    items.push(Item::Link(Link {
                        rect: Rect {
                            x: run.x,
                            y: -size * 0.85,
                            width: run.width(),
                            height: size * 1.1,
                        },
                        url: url.clone(),
                        text: run.text.clone(),
                    }));
                }
                push_decorations(&mut items, &run);
                items.push(Item::Text(run));
            }
            for &bar in &frame.bars {
                items.push(Item::Line(Line {
                    from: (bar, -baseline),
                    to: (bar, leading - baseline),
                    width: 1.2,
                    color: self.theme.rule,
                }));
            }
            let space_before = if k == 0 {
                space_before.max(std::mem::take(&mut self.space_next))
            } else {
                0.0
            };
            self.lines.push(FlowLine {
                height: leading,
                baseline,
                space_before,
                keep_with_prev: keep,
                items,
                outline: outline.take(),
                table_header: None,
                notes,
                gap_under_header: 0.0,
            });
        }
        self.keep_next = false;
        n
    }

    pub(super) fn push_rule(&mut self, frame: &Frame, width: f32, space_before: f32) {
        let t = self.theme;
        self.lines.push(FlowLine {
            height: t.body_leading * 0.6,
            baseline: t.body_leading * 0.3,
            space_before,
            keep_with_prev: self.keep_next,
            items: vec![Item::Line(Line {
                from: (frame.x + (frame.width - width) / 2.0, 0.0),
                to: (frame.x + (frame.width + width) / 2.0, 0.0),
                width: 0.5,
                color: self.theme.rule,
            })],
            outline: None,
            table_header: None,
            notes: Vec::new(),
            gap_under_header: 0.0,
        });
        self.keep_next = false;
    }
}

/// Underline and strike-through lines for a run, relative to its baseline.
fn push_decorations(items: &mut Vec<Item>, run: &GlyphRun) {
    let d = run.decoration;
    for (on, offset) in [(d.underline, run.size * 0.12), (d.strike, -run.size * 0.27)] {
        if on {
            items.push(Item::Line(Line {
                from: (run.x, offset),
                to: (run.x + run.width(), offset),
                width: run.size * 0.055,
                color: run.color,
            }));
        }
    }
}
