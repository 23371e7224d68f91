//! Line breaking: Knuth–Plass over a whole paragraph, with an emergency pass and a greedy fallback.

/// A penalty this high forbids a break; its negation forces one.
pub const INFINITE_PENALTY: f32 = 10_000.0;
/// Stretch that makes a glue absorb any leftover space (the last line's `\parfillskip`).
pub const FILL: f32 = 1.0e6;
/// Added to every line's badness (TeX's \linepenalty).
const LINE_PENALTY: f64 = 10.0;
/// Two hyphenated lines in a row (TeX's \doublehyphendemerits).
const DOUBLE_HYPHEN_DEMERITS: f64 = 10_000.0;
/// A hyphen on the paragraph's second-to-last line (TeX's \finalhyphendemerits).
const FINAL_HYPHEN_DEMERITS: f64 = 5_000.0;
/// Neighbouring lines whose spacing differs by more than one class (TeX's \adjdemerits).
const ADJ_DEMERITS: f64 = 10_000.0;
/// The most hyphenated lines allowed one after another.
pub const MAX_HYPHENS_IN_ROW: u8 = 2;
/// Adjustment ratio allowed in the first pass. Word spaces stretch by 0.3 of their width
/// (items.rs), so 2.5 lets a space grow by 0.75 of it, as TeX's 1/2 stretch at r 1.5 would.
pub const TOLERANCE: f32 = 2.5;
/// The same for ragged lines, whose "stretch" is white space left at the end: a short line is
/// no spacing defect there, so a line may end early (before a headline's quotation) without
/// sending the whole paragraph to the emergency pass.
pub const RAGGED_TOLERANCE: f32 = 3.0;

/// How a paragraph may be fitted to its measure: the first pass's tolerance, and how far each box
/// may grow or shrink, as a fraction of its width (letter-spacing that follows each glyph's
/// advance, within what microtype's font expansion would allow).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub tolerance: f32,
    pub expand: f32,
    pub compress: f32,
}

impl Fit {
    /// Fixed boxes, TeX's classic model.
    pub const fn rigid(tolerance: f32) -> Fit {
        Fit {
            tolerance,
            expand: 0.0,
            compress: 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    Box {
        width: f32,
    },
    Glue {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    Penalty {
        width: f32,
        cost: f32,
        flagged: bool,
    },
}

impl Item {
    fn width(&self) -> f32 {
        match *self {
            Item::Box { width } | Item::Glue { width, .. } => width,
            Item::Penalty { .. } => 0.0,
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Sums {
    width: f64,
    stretch: f64,
    shrink: f64,
}

struct Node {
    position: usize,
    line: usize,
    fitness: u8,
    hyphens_in_row: u8,
    demerits: f64,
    /// Totals from the paragraph start to the first item after this break that is kept.
    after: Sums,
    prev: Option<usize>,
}

/// Is `items[i]` a place where a line may end?
fn is_legal_break(items: &[Item], i: usize) -> bool {
    match items[i] {
        Item::Penalty { cost, .. } => cost < INFINITE_PENALTY,
        Item::Glue { .. } => i > 0 && matches!(items[i - 1], Item::Box { .. }),
        Item::Box { .. } => false,
    }
}

/// Adjustment ratio for a line of natural `width` with the given stretch and shrink.
pub fn ratio(width: f64, stretch: f64, shrink: f64, line_width: f64) -> f64 {
    if width < line_width {
        if stretch > 0.0 {
            (line_width - width) / stretch
        } else {
            f64::INFINITY
        }
    } else if width > line_width {
        if shrink > 0.0 {
            (line_width - width) / shrink
        } else {
            f64::NEG_INFINITY
        }
    } else {
        0.0
    }
}

fn fitness(r: f64) -> u8 {
    if r < -0.5 {
        0
    } else if r <= 0.5 {
        1
    } else if r <= 1.0 {
        2
    } else {
        3
    }
}

/// Optimal breaks (indices into `items`, the last one the paragraph end) or `None` when no set
/// of breaks keeps every line within `tolerance`. With `tolerance = None` (the emergency pass)
/// any line that does not overflow is accepted.
#[cfg(test)]
pub fn knuth_plass(items: &[Item], line_width: f32, tolerance: Option<f32>) -> Option<Vec<usize>> {
    knuth_plass_until(items, line_width, tolerance, (0.0, 0.0), &|| false)
}

/// `knuth_plass` that gives up (`None`) once `stop` says so; it is asked at every legal break.
fn knuth_plass_until(
    items: &[Item],
    line_width: f32,
    tolerance: Option<f32>,
    (expand, compress): (f32, f32),
    stop: &dyn Fn() -> bool,
) -> Option<Vec<usize>> {
    let line_width = f64::from(line_width);
    let mut prefix = Vec::with_capacity(items.len() + 1);
    let mut acc = Sums::default();
    prefix.push(acc);
    for item in items {
        match *item {
            Item::Box { width } => {
                acc.width += f64::from(width);
                acc.stretch += f64::from(width * expand);
                acc.shrink += f64::from(width * compress);
            }
            Item::Glue {
                width,
                stretch,
                shrink,
            } => {
                acc.width += f64::from(width);
                acc.stretch += f64::from(stretch);
                acc.shrink += f64::from(shrink);
            }
            Item::Penalty { .. } => {}
        }
        prefix.push(acc);
    }
    // The first kept item after a break at `i` (glue and penalties after a break vanish).
    let after = |i: usize| -> Sums {
        let mut j = i + 1;
        while j < items.len() && !matches!(items[j], Item::Box { .. }) {
            if matches!(items[j], Item::Penalty { cost, .. } if cost <= -INFINITE_PENALTY) {
                break;
            }
            j += 1;
        }
        prefix[j.min(items.len())]
    };

    let mut nodes = vec![Node {
        position: 0,
        line: 0,
        fitness: 1,
        hyphens_in_row: 0,
        demerits: 0.0,
        after: prefix[0],
        prev: None,
    }];
    let mut active: Vec<usize> = vec![0];
    let tolerance = tolerance.map(f64::from);

    for b in 0..items.len() {
        if !is_legal_break(items, b) {
            continue;
        }
        if stop() {
            return None;
        }
        let (penalty_width, cost, flagged) = match items[b] {
            Item::Penalty {
                width,
                cost,
                flagged,
            } => (f64::from(width), f64::from(cost), flagged),
            _ => (0.0, 0.0, false),
        };
        let forced = cost <= -f64::from(INFINITE_PENALTY);
        // Best candidate per (fitness class, hyphens in a row).
        let mut best: [[Option<(f64, usize)>; 3]; 4] = [[None; 3]; 4];
        let mut keep = Vec::with_capacity(active.len());
        for &a in &active {
            let node = &nodes[a];
            let width = prefix[b].width - node.after.width + penalty_width;
            let stretch = prefix[b].stretch - node.after.stretch;
            let shrink = prefix[b].shrink - node.after.shrink;
            let r = ratio(width, stretch, shrink, line_width);
            if r >= -1.0 && !forced {
                keep.push(a);
            }
            let acceptable = r >= -1.0 && tolerance.is_none_or(|t| r <= t);
            if !acceptable {
                continue;
            }
            let hyphens = if flagged { node.hyphens_in_row + 1 } else { 0 };
            if hyphens > MAX_HYPHENS_IN_ROW {
                continue;
            }
            // TeX caps badness at 10000; in the emergency pass we keep counting past the cap so
            // that, when some line must be loose, the slack is spread rather than dumped on one.
            let cap = if tolerance.is_some() { 10_000.0 } else { 1.0e8 };
            let badness = (100.0 * r.abs().powi(3)).min(cap);
            let mut d = (LINE_PENALTY + badness).powi(2);
            if cost >= 0.0 {
                d += cost * cost;
            } else if !forced {
                d -= cost * cost;
            }
            if flagged && node.hyphens_in_row > 0 {
                d += DOUBLE_HYPHEN_DEMERITS;
            }
            if forced && node.hyphens_in_row > 0 {
                d += FINAL_HYPHEN_DEMERITS;
            }
            let fit = fitness(r);
            if fit.abs_diff(node.fitness) > 1 {
                d += ADJ_DEMERITS;
            }
            let total = node.demerits + d;
            let slot = &mut best[fit as usize][hyphens.min(2) as usize];
            if slot.is_none_or(|(t, _)| total < t) {
                *slot = Some((total, a));
            }
        }
        active = keep;
        let sums_after = after(b);
        // As TeX does: a candidate worse than the best by more than a fitness-class jump can
        // never win, so it is not kept (this bounds the active list).
        let cutoff = best
            .iter()
            .flatten()
            .flatten()
            .map(|c| c.0)
            .fold(f64::INFINITY, f64::min)
            + ADJ_DEMERITS
            + DOUBLE_HYPHEN_DEMERITS;
        for (fit, per_hyphen) in best.iter().enumerate() {
            for (hyphens, cand) in per_hyphen.iter().enumerate() {
                if let Some((total, a)) = *cand
                    && total <= cutoff
                {
                    nodes.push(Node {
                        position: b,
                        line: nodes[a].line + 1,
                        fitness: fit as u8,
                        hyphens_in_row: hyphens as u8,
                        demerits: total,
                        after: sums_after,
                        prev: Some(a),
                    });
                    active.push(nodes.len() - 1);
                }
            }
        }
        if active.is_empty() {
            return None;
        }
    }
    let last = items.len().checked_sub(1)?;
    let end = active
        .iter()
        .copied()
        .filter(|&a| nodes[a].position == last)
        .min_by(|&x, &y| nodes[x].demerits.total_cmp(&nodes[y].demerits))?;
    let mut breaks = Vec::with_capacity(nodes[end].line);
    let mut cur = Some(end);
    while let Some(n) = cur {
        if nodes[n].prev.is_some() {
            breaks.push(nodes[n].position);
        }
        cur = nodes[n].prev;
    }
    breaks.reverse();
    Some(breaks)
}

/// First-fit breaking: each line takes as much as fits. Always succeeds.
pub fn greedy(items: &[Item], line_width: f32) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut width = 0.0f32;
    let mut last_legal: Option<(usize, f32)> = None;
    let mut i = 0;
    let mut line_start = 0;
    while i < items.len() {
        if let Item::Penalty { cost, .. } = items[i]
            && cost <= -INFINITE_PENALTY
        {
            breaks.push(i);
            width = 0.0;
            last_legal = None;
            i += 1;
            line_start = i;
            continue;
        }
        let extra = match items[i] {
            Item::Penalty { width, .. } => width,
            _ => 0.0,
        };
        if is_legal_break(items, i) && width + extra <= line_width {
            last_legal = Some((i, width));
        }
        width += items[i].width();
        if width > line_width
            && i > line_start
            && let Some((b, _)) = last_legal.take()
        {
            breaks.push(b);
            i = b + 1;
            while i < items.len() && !matches!(items[i], Item::Box { .. }) {
                if matches!(items[i], Item::Penalty { cost, .. } if cost <= -INFINITE_PENALTY) {
                    break;
                }
                i += 1;
            }
            line_start = i;
            width = 0.0;
            continue;
        }
        i += 1;
    }
    if breaks.last() != Some(&(items.len().saturating_sub(1))) && !items.is_empty() {
        breaks.push(items.len() - 1);
    }
    breaks
}

/// Knuth–Plass within tolerance, then the emergency pass, then greedy.
#[cfg(test)]
pub fn break_paragraph(items: &[Item], line_width: f32) -> Vec<usize> {
    break_paragraph_until(items, line_width, Fit::rigid(TOLERANCE), &|| false)
}

/// `break_paragraph` fitted as `fit` says and under a render's budget: once `stop` says so, the optimum is no longer
/// sought and first-fit lines (linear, fast) finish the paragraph.
pub fn break_paragraph_until(
    items: &[Item],
    line_width: f32,
    fit: Fit,
    stop: &dyn Fn() -> bool,
) -> Vec<usize> {
    let boxes = (fit.expand, fit.compress);
    knuth_plass_until(items, line_width, Some(fit.tolerance), boxes, stop)
        .or_else(|| knuth_plass_until(items, line_width, None, boxes, stop))
        .unwrap_or_else(|| greedy(items, line_width))
}

/// Stretch ratio beyond which a line gapes (with space stretch at 0.3 of the space, a ratio of 4
/// makes word spaces about 0.55 em): a paragraph set only by such a line breaks a softer rule.
pub const GAPING_RATIO: f64 = 4.0;

/// [`break_paragraph_until`] for a paragraph some of whose breaks (`relax`, penalties that
/// `items` forbids) are allowed at `relaxed_cost` when keeping them forbidden would leave a
/// gaping line: a soft rule, kept unless its price is a line with spaces of near an em.
pub fn break_paragraph_relaxing(
    items: &[Item],
    relax: &[usize],
    relaxed_cost: f32,
    line_width: f32,
    fit: Fit,
    stop: &dyn Fn() -> bool,
) -> Vec<usize> {
    let boxes = (fit.expand, fit.compress);
    if relax.is_empty() {
        return break_paragraph_until(items, line_width, fit, stop);
    }
    if let Some(breaks) = knuth_plass_until(items, line_width, Some(fit.tolerance), boxes, stop) {
        return breaks;
    }
    if let Some(breaks) = knuth_plass_until(items, line_width, None, boxes, stop)
        && worst_ratio(items, &breaks, line_width, fit.expand) <= GAPING_RATIO
    {
        return breaks;
    }
    let mut relaxed = items.to_vec();
    for &i in relax {
        if let Some(Item::Penalty { cost, .. }) = relaxed.get_mut(i) {
            *cost = relaxed_cost;
        }
    }
    break_paragraph_until(&relaxed, line_width, fit, stop)
}

/// The largest stretch ratio of the lines `breaks` make (the last line's fill counts too, so
/// it stays near zero); a line that must shrink counts as 0.
pub fn worst_ratio(items: &[Item], breaks: &[usize], line_width: f32, expand: f32) -> f64 {
    let mut worst = 0.0f64;
    let mut start = 0;
    for &brk in breaks {
        let (mut width, mut stretch) = (0.0f64, 0.0f64);
        for item in &items[start.min(brk)..brk] {
            match *item {
                Item::Box { width: w } => {
                    width += f64::from(w);
                    stretch += f64::from(w * expand);
                }
                Item::Glue {
                    width: w,
                    stretch: s,
                    ..
                } => {
                    width += f64::from(w);
                    stretch += f64::from(s);
                }
                Item::Penalty { .. } => {}
            }
        }
        if let Some(Item::Penalty { width: w, .. }) = items.get(brk) {
            width += f64::from(*w);
        }
        let short = f64::from(line_width) - width;
        if short > 0.0 {
            let r = if stretch > 0.0 {
                short / stretch
            } else {
                f64::INFINITY
            };
            worst = worst.max(r);
        }
        // The next line starts at the first box after the break.
        start = brk + 1;
        while start < items.len() && !matches!(items[start], Item::Box { .. }) {
            if matches!(items[start], Item::Penalty { cost, .. } if cost <= -INFINITE_PENALTY) {
                break;
            }
            start += 1;
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paragraph end: fill glue and a forced break.
    fn end_paragraph(items: &mut Vec<Item>) {
        items.push(Item::Glue {
            width: 0.0,
            stretch: FILL,
            shrink: 0.0,
        });
        items.push(Item::Penalty {
            width: 0.0,
            cost: -INFINITE_PENALTY,
            flagged: false,
        });
    }

    /// Words of the given widths separated by glue of width 3 (stretch 1.5, shrink 1).
    fn words(widths: &[f32]) -> Vec<Item> {
        let mut items = Vec::new();
        for (i, &w) in widths.iter().enumerate() {
            if i > 0 {
                items.push(Item::Glue {
                    width: 3.0,
                    stretch: 1.5,
                    shrink: 1.0,
                });
            }
            items.push(Item::Box { width: w });
        }
        end_paragraph(&mut items);
        items
    }

    fn ratios(items: &[Item], breaks: &[usize], w: f32) -> Vec<f64> {
        let mut out = Vec::new();
        let mut start = 0;
        for (n, &b) in breaks.iter().enumerate() {
            let line = &items[start..b];
            let (mut width, mut st, mut sh) = (0.0, 0.0, 0.0);
            for it in line {
                if let Item::Glue {
                    width: gw,
                    stretch,
                    shrink,
                } = *it
                {
                    width += f64::from(gw);
                    st += f64::from(stretch);
                    sh += f64::from(shrink);
                } else {
                    width += f64::from(it.width());
                }
            }
            if n + 1 < breaks.len() {
                out.push(ratio(width, st, sh, f64::from(w)));
            }
            start = b + 1;
        }
        out
    }

    #[test]
    fn optimal_beats_greedy_on_a_known_paragraph() {
        // Greedy will not shrink, so its first line takes two words and gapes;
        // the optimum shrinks the first line a little and keeps every line even.
        let items = words(&[25.0, 35.0, 35.0, 10.0, 10.0, 30.0, 20.0, 20.0, 35.0]);
        let w = 100.0;
        let g = greedy(&items, w);
        let kp = knuth_plass(&items, w, None).unwrap();
        let worst = |r: Vec<f64>| r.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let (wg, wk) = (worst(ratios(&items, &g, w)), worst(ratios(&items, &kp, w)));
        assert!(wk < wg, "kp {kp:?} worst {wk}, greedy {g:?} worst {wg}");
        assert_eq!(*kp.last().unwrap(), items.len() - 1);
    }

    #[test]
    fn tolerance_pass_fails_where_emergency_succeeds() {
        // Two words that cannot fill a wide line without very loose spacing.
        let items = words(&[30.0, 30.0, 30.0]);
        assert!(knuth_plass(&items, 80.0, Some(1.0)).is_none());
        let b = break_paragraph(&items, 80.0);
        assert_eq!(*b.last().unwrap(), items.len() - 1);
    }

    #[test]
    fn forced_breaks_are_taken() {
        let mut items = words(&[10.0, 10.0]);
        let mut second = words(&[10.0]);
        items.append(&mut second);
        let b = break_paragraph(&items, 100.0);
        assert_eq!(b, vec![4, items.len() - 1]);
    }

    #[test]
    fn no_more_than_two_hyphens_in_a_row() {
        // Each word can only be set by hyphenating it at the line end.
        let mut items = Vec::new();
        for _ in 0..6 {
            items.push(Item::Box { width: 50.0 });
            items.push(Item::Penalty {
                width: 2.0,
                cost: 50.0,
                flagged: true,
            });
            items.push(Item::Box { width: 48.0 });
            items.push(Item::Glue {
                width: 3.0,
                stretch: 1.5,
                shrink: 1.0,
            });
        }
        items.pop();
        end_paragraph(&mut items);
        let b = break_paragraph(&items, 52.0);
        let hyphenated: Vec<bool> = b
            .iter()
            .map(|&i| matches!(items[i], Item::Penalty { flagged: true, .. }))
            .collect();
        assert!(
            hyphenated.windows(3).all(|w| !(w[0] && w[1] && w[2])),
            "{hyphenated:?}"
        );
    }

    #[test]
    fn greedy_always_ends_at_paragraph_end() {
        let items = words(&[500.0, 10.0]);
        let g = greedy(&items, 100.0);
        assert_eq!(*g.last().unwrap(), items.len() - 1);
    }
}
