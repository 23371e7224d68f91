//! Tables: column widths from the content, cells wrapped and hyphenated, rows kept whole on a
//! page (one taller than a page is cut between its lines), the header row repeated atop every
//! page the table continues on.

use super::display::{Color, Item, Line, Link, Rect, Role, StructKind};
use super::flow::{Flow, FlowLine, Frame};
use super::para::{Align, ParaStyle, StyledText, set_paragraph};
use crate::doc::{CellAlign, Table};
use crate::text::fonts::Family;
use crate::warning::{Warning, WarningKind};

/// Space between a cell's text and its edges, in points.
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 2.5;
/// A column's minimum (its longest word) claims at most this share of the width: longer words
/// are hyphenated or cut rather than squeezing the other columns to nothing.
const MAX_MIN_SHARE: f32 = 0.35;

/// `widths` (summing to `total`) with none under `min`: narrow columns are raised to `min`,
/// the others give up width in proportion, until every column has its minimum (the caller
/// guarantees `min` × columns ≤ `total`).
fn at_least(mut widths: Vec<f32>, min: f32, total: f32) -> Vec<f32> {
    let mut fixed = vec![false; widths.len()];
    // Each round fixes at least one more column, so this ends within `columns` rounds.
    for _ in 0..widths.len() {
        let newly: Vec<usize> = (0..widths.len())
            .filter(|&i| !fixed[i] && widths[i] < min)
            .collect();
        if newly.is_empty() {
            break;
        }
        for &i in &newly {
            fixed[i] = true;
        }
        let free = total - min * fixed.iter().filter(|&&f| f).count() as f32;
        let flexible: f32 = (0..widths.len())
            .filter(|&i| !fixed[i])
            .map(|i| widths[i])
            .sum();
        for i in 0..widths.len() {
            widths[i] = if fixed[i] {
                min
            } else {
                widths[i] * free / flexible.max(f32::MIN_POSITIVE)
            };
        }
    }
    widths
}

/// How a table's rows are set: type, line spacing, hyphenation, and the tallest piece a row may
/// be before it is cut.
struct RowCut {
    size: f32,
    leading: f32,
    hyphenate: bool,
    room: f32,
}

/// Narrowest column, in em of the table's type (padding included): room for a short word.
/// A table with more columns than fit at this width is set in groups of columns.
const MIN_COLUMN_EM: f32 = 4.0;

fn column_count(table: &Table) -> usize {
    table
        .header
        .iter()
        .chain(&table.rows)
        .map(Vec::len)
        .max()
        .unwrap_or(0)
}

/// Columns `range` of `table`, as a table of their own.
fn column_group(table: &Table, range: std::ops::Range<usize>) -> Table {
    let cut = |row: &Vec<Vec<crate::doc::Inline>>| {
        row.get(range.start.min(row.len())..range.end.min(row.len()))
            .unwrap_or_default()
            .to_vec()
    };
    Table {
        header: table.header.as_ref().map(cut),
        rows: table.rows.iter().map(cut).collect(),
        align: table
            .align
            .get(range.start.min(table.align.len())..range.end.min(table.align.len()))
            .unwrap_or_default()
            .to_vec(),
    }
}

impl Flow<'_> {
    /// A table, in groups of columns one under another when it has more columns than the
    /// frame can hold at `MIN_COLUMN_EM` each (never overprinted).
    pub(super) fn table(&mut self, table: &Table, frame: &Frame) {
        // In columns a table that cannot be set in one without cutting words spans them.
        if let Some(wide) = self.spanning_frame(frame)
            && self.narrowest_width(table) > frame.width
        {
            let first = self.lines.len();
            self.table(table, &wide);
            self.mark_spanning(first);
            return;
        }
        let size = self.theme.body_size - 1.0;
        let columns = column_count(table);
        let fit = ((frame.width / (size * MIN_COLUMN_EM)) as usize).max(1);
        if columns <= fit {
            self.table_part(table, frame, columns);
            return;
        }
        let groups = columns.div_ceil(fit);
        // Groups of even size (30 columns as 10 + 10 + 10, not 12 + 12 + 6).
        let per_group = columns.div_ceil(groups);
        self.warnings.push(Warning::new(
            WarningKind::Table,
            format!(
                "a table of {columns} columns is wider than the page: set as {groups} tables \
                 of at most {per_group} columns, one under another"
            ),
        ));
        for g in 0..groups {
            if self.shaper.budget().check_clock() {
                return;
            }
            let range = g * per_group..((g + 1) * per_group).min(columns);
            let part = column_group(table, range.clone());
            self.table_part(&part, frame, range.len());
        }
    }

    /// The narrowest width `table` can be set in without cutting a word: each column as wide
    /// as its longest word (at most `MAX_MIN_SHARE` of the text width) and never under
    /// `MIN_COLUMN_EM`, with the cells' padding.
    fn narrowest_width(&self, table: &Table) -> f32 {
        let size = self.theme.body_size - 1.0;
        let cap = self.theme.text_width() * MAX_MIN_SHARE;
        let mut min = vec![size * MIN_COLUMN_EM - 2.0 * CELL_PAD_X; column_count(table)];
        let header = table.header.iter().map(|row| (row, true));
        for (row, bold) in header.chain(table.rows.iter().map(|row| (row, false))) {
            let emphasis = bold.then_some((Family::Sans, true, false, Color::BLACK));
            for (i, cell) in row.iter().enumerate() {
                let cell = self.styled(cell, size, emphasis);
                let Some((_, style)) = cell.spans.first() else {
                    continue;
                };
                for word in cell.text.split_whitespace() {
                    let (_, w) =
                        self.single_line(word, style.face, style.size, Color::BLACK, Role::Body);
                    min[i] = min[i].max(w.min(cap));
                }
            }
        }
        min.iter().map(|m| m + 2.0 * CELL_PAD_X).sum()
    }

    fn table_part(&mut self, table: &Table, frame: &Frame, columns: usize) {
        let t = self.theme;
        let size = t.body_size - 1.0;
        let leading = size * 1.3;
        if columns == 0 {
            return;
        }
        let header: Option<Vec<StyledText>> = table.header.as_ref().map(|cells| {
            cells
                .iter()
                .map(|c| self.styled(c, size, Some((Family::Sans, true, false, Color::BLACK))))
                .collect()
        });
        let rows: Vec<Vec<StyledText>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(|c| self.styled(c, size, None)).collect())
            .collect();
        let min_width = size * MIN_COLUMN_EM;
        let widths = self.column_widths(header.iter().chain(&rows), columns, frame.width);
        let widths = at_least(widths, min_width, frame.width);
        let align = |i: usize| match table.align.get(i).copied().unwrap_or_default() {
            CellAlign::Left => Align::Left,
            CellAlign::Center => Align::Center,
            CellAlign::Right => Align::Right,
        };
        let aligns: Vec<Align> = (0..columns).map(align).collect();
        let rule = |y: f32, width: f32| {
            Item::Line(Line {
                from: (frame.x, y),
                to: (frame.x + frame.width, y),
                width,
                color: self.theme.rule,
            })
        };
        let space_before = t.body_leading * 0.5_f32.max(self.space_next / t.body_leading);
        self.space_next = 0.0;
        let mut header_index = None;
        self.open_elem(StructKind::Table);
        // A row taller than a page (a long text in a narrow cell) is cut into pieces that each
        // fit under the repeated header; rows that fit are never split.
        let page_room = t.page_height - t.margin_top - t.margin_bottom;
        let mut header_height = 0.0;
        if let Some(cells) = &header {
            let tags = self.row_elems(columns, StructKind::HeaderCell);
            let cut = RowCut {
                size,
                leading,
                hyphenate: false,
                room: f32::INFINITY,
            };
            let mut line = self
                .table_row(cells, &widths, &aligns, frame, &cut, &tags)
                .swap_remove(0);
            header_height = line.height;
            line.items.push(rule(0.0, 0.8));
            line.items.push(rule(line.height, 0.8));
            line.space_before = space_before;
            line.keep_with_prev = self.keep_next;
            header_index = Some(self.lines.len());
            self.lines.push(line);
        }
        let cut = RowCut {
            size,
            leading,
            hyphenate: true,
            room: (page_room - header_height - space_before).max(leading * 4.0),
        };
        for (k, cells) in rows.iter().enumerate() {
            let tags = self.row_elems(columns, StructKind::Cell);
            let mut pieces = self.table_row(cells, &widths, &aligns, frame, &cut, &tags);
            let last = k + 1 == rows.len();
            if let Some(end) = pieces.last_mut() {
                end.items
                    .push(rule(end.height, if last { 0.8 } else { 0.3 }));
            }
            for (j, mut line) in pieces.into_iter().enumerate() {
                if k == 0 && j == 0 {
                    if header_index.is_some() {
                        // The header never ends a page alone.
                        line.keep_with_prev = true;
                    } else {
                        line.items.push(rule(0.0, 0.8));
                        line.space_before = space_before;
                        line.keep_with_prev = self.keep_next;
                    }
                }
                line.table_header = header_index;
                self.lines.push(line);
            }
            // A long table's rows wait for their pages packed, like the blocks of the body.
            self.pack_lines();
        }
        self.close_elem();
        self.keep_next = false;
        self.flush_next = true;
        self.space_next = t.body_leading * 0.5;
    }

    /// A row element and one cell element per column; returns the cells' ids.
    fn row_elems(&mut self, columns: usize, cell: StructKind) -> Vec<u32> {
        self.open_elem(StructKind::Row);
        let tags = (0..columns).map(|_| self.leaf_elem(cell.clone())).collect();
        self.close_elem();
        tags
    }

    /// Auto layout: columns get their minimum (longest word) plus a share of the room left in
    /// proportion to how much wider their content wants to be.
    fn column_widths<'r>(
        &self,
        rows: impl Iterator<Item = &'r Vec<StyledText>>,
        columns: usize,
        avail: f32,
    ) -> Vec<f32> {
        let pad = 2.0 * CELL_PAD_X;
        let mut min = vec![0.0f32; columns];
        let mut max = vec![0.0f32; columns];
        for row in rows {
            for (i, cell) in row.iter().enumerate() {
                if cell.text.trim().is_empty() {
                    continue;
                }
                let style = self.cell_style(1.0e6, Align::Left, false);
                let natural = set_paragraph(self.shaper, cell, &style)
                    .iter()
                    .map(|l| l.width)
                    .fold(0.0, f32::max);
                max[i] = max[i].max(natural);
                let face = cell.spans[0].1.face;
                let size = cell.spans[0].1.size;
                for word in cell.text.split_whitespace() {
                    let w = self
                        .single_line(word, face, size, Color::BLACK, Role::Body)
                        .1;
                    min[i] = min[i].max(w.min(avail * MAX_MIN_SHARE));
                }
            }
        }
        let sum_min: f32 = min.iter().map(|m| m + pad).sum();
        let sum_max: f32 = max.iter().map(|m| m + pad).sum();
        if sum_max <= avail {
            // Everything fits on one line per cell: spread the spare width like the content.
            let extra = avail - sum_max;
            let total: f32 = max.iter().sum::<f32>().max(1.0);
            max.iter().map(|m| m + pad + extra * m / total).collect()
        } else if sum_min >= avail {
            min.iter().map(|m| (m + pad) * avail / sum_min).collect()
        } else {
            let room = (avail - sum_min) / (sum_max - sum_min);
            min.iter()
                .zip(&max)
                .map(|(lo, hi)| lo + pad + (hi - lo).max(0.0) * room)
                .collect()
        }
    }

    fn cell_style(&self, width: f32, align: Align, hyphenate: bool) -> ParaStyle {
        ParaStyle {
            width,
            align,
            indent: 0.0,
            lang: self.lang.clone(),
            hyphenate,
            preserve_spaces: false,
            role: Role::Body,
        }
    }

    /// One row, cells side by side: one unbreakable flow line, or, for a row taller than
    /// `cut.room`, pieces of whole cell lines that each fit a page.
    fn table_row(
        &self,
        cells: &[StyledText],
        widths: &[f32],
        aligns: &[Align],
        frame: &Frame,
        cut: &RowCut,
        tags: &[u32],
    ) -> Vec<FlowLine> {
        let (size, leading) = (cut.size, cut.leading);
        let baseline = (leading + size * (0.72 - 0.22)) / 2.0;
        let mut set: Vec<(f32, Vec<super::para::SetLine>)> = Vec::new();
        let mut x = frame.x;
        for (i, &w) in widths.iter().enumerate() {
            if let Some(cell) = cells.get(i).filter(|c| !c.text.trim().is_empty()) {
                let style =
                    self.cell_style((w - 2.0 * CELL_PAD_X).max(1.0), aligns[i], cut.hyphenate);
                set.push((x, set_paragraph(self.shaper, cell, &style)));
            } else {
                set.push((x, Vec::new()));
            }
            x += w;
        }
        let lines_in_row = set.iter().map(|(_, l)| l.len()).max().unwrap_or(0).max(1);
        let fits = 2.0 * CELL_PAD_Y + lines_in_row as f32 * leading <= cut.room;
        // A row that cannot fit any page goes line by line: pages then fill to the bottom, the
        // first lines stay with the header, and the table's rules close the last piece.
        let per_piece = if fits { lines_in_row } else { 1 };
        let pieces = lines_in_row.div_ceil(per_piece);
        // The cell padding stands above the first piece and below the last only.
        let top_pad = |p: usize| if p == 0 { CELL_PAD_Y } else { 0.0 };
        let bottom_pad = |p: usize| if p + 1 == pieces { CELL_PAD_Y } else { 0.0 };
        let mut out: Vec<FlowLine> = (0..pieces)
            .map(|p| FlowLine {
                height: top_pad(p)
                    + bottom_pad(p)
                    + (lines_in_row - p * per_piece).min(per_piece) as f32 * leading,
                baseline: 0.0,
                space_before: 0.0,
                keep_with_prev: false,
                items: Vec::new(),
                outline: None,
                table_header: None,
                notes: Vec::new(),
                gap_under_header: if p == 0 { 0.0 } else { CELL_PAD_Y },
            })
            .collect();
        for (i, (x, lines)) in set.into_iter().enumerate() {
            for (k, line) in lines.into_iter().enumerate() {
                let piece = &mut out[k / per_piece];
                let y = top_pad(k / per_piece) + (k % per_piece) as f32 * leading + baseline;
                for mut run in line.runs {
                    run.x += x + CELL_PAD_X;
                    run.tag = tags.get(i).copied();
                    run.y = y;
                    if let Some(url) = &run.link {
                        piece.items.push(Item::Link(Link {
                            rect: Rect {
                                x: run.x,
                                y: y - size * 0.85,
                                width: run.width(),
                                height: size * 1.1,
                            },
                            url: url.clone(),
                            text: run.text.clone(),
                        }));
                    }
                    piece.items.push(Item::Text(run));
                }
            }
        }
        out
    }
}
