//! The 12-column dashboard grid: where widgets go when they have no layout, and how a layout reflows
//! when one is dragged, resized, dropped in or removed (the rules of react-grid-layout with
//! `compactType: "vertical"`), keyboard nudges, and an undo stack.
//!
//! Units are grid cells, as Datadog's `widget.layout = {x, y, width, height}`. Every function returns
//! the widgets in the order it was given them (a new one last). Rects are kept inside the columns:
//! `width` between 1 and 12, `x + width <= 12`, `height >= 1`.
//!
//! Reflow after a move: the moved widget is fixed at its target; widgets it now overlaps go below it,
//! and those they overlap below them in turn, except that when the widget moved down onto another
//! that fits in the space above it, that one goes above instead (so dragging down past a neighbour
//! swaps them). Then every widget rises as far as it can, top to bottom and left to right, the moved
//! one first among those on its row (vertical gravity).

use std::collections::VecDeque;

/// Columns of the grid.
pub const COLUMNS: u32 = 12;

/// A widget's place in grid cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub fn new(x: u32, y: u32, width: u32, height: u32) -> Rect {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// The row below the widget.
    pub fn bottom(&self) -> u32 {
        self.y.saturating_add(self.height)
    }

    /// The column right of the widget.
    pub fn right(&self) -> u32 {
        self.x.saturating_add(self.width)
    }

    /// Whether the two share a cell.
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }

    fn columns_overlap(&self, other: &Rect) -> bool {
        self.x < other.right() && other.x < self.right()
    }

    /// The rect moved and shrunk just enough to fit the columns, at least one cell in each direction.
    pub fn clamped(self) -> Rect {
        let width = self.width.clamp(1, COLUMNS);
        Rect {
            x: self.x.min(COLUMNS - width),
            y: self.y,
            width,
            height: self.height.max(1),
        }
    }
}

/// Widget id → rect.
pub type Placed = Vec<(i64, Rect)>;

/// Places widgets without a layout (ordered dashboards, or new ones) left to right, top to bottom in
/// the order given, each after the previous one, at its default `(width, height)`, in free cells
/// only. Widgets with a layout keep it (clamped into the columns; one that overlaps an earlier one
/// goes down below it).
pub fn auto_place(items: &[(i64, Option<Rect>, (u32, u32))]) -> Placed {
    let mut taken: Vec<Rect> = Vec::with_capacity(items.len());
    let mut rects: Vec<Option<Rect>> = Vec::with_capacity(items.len());
    for (_, rect, _) in items {
        let laid = rect.map(|r| settle_below(r.clamped(), &taken));
        taken.extend(laid);
        rects.push(laid);
    }
    let mut cursor = (0, 0);
    items
        .iter()
        .zip(rects)
        .map(|(&(id, _, (width, height)), laid)| {
            let rect = laid.unwrap_or_else(|| {
                let r = free_from(&taken, width, height, cursor);
                cursor = (r.y, r.right());
                taken.push(r);
                r
            });
            (id, rect)
        })
        .collect()
}

/// `rect` moved down below anything in `taken` it overlaps.
fn settle_below(mut rect: Rect, taken: &[Rect]) -> Rect {
    while let Some(bottom) = taken
        .iter()
        .filter(|t| t.overlaps(&rect))
        .map(Rect::bottom)
        .max()
    {
        rect.y = bottom;
    }
    rect
}

/// The first free top-left-most spot for a new widget of this size (clamped into the columns).
pub fn first_free(placed: &[(i64, Rect)], width: u32, height: u32) -> Rect {
    let taken: Vec<Rect> = placed.iter().map(|(_, r)| *r).collect();
    free_from(&taken, width, height, (0, 0))
}

/// The first spot at or after `(row, column)` in reading order where a widget of this size fits.
/// Only rows 0 and the bottoms of taken rects, and columns 0 and their right edges, can be the first
/// free spot, so those are the candidates.
fn free_from(taken: &[Rect], width: u32, height: u32, (row, column): (u32, u32)) -> Rect {
    let size = Rect::new(0, 0, width, height).clamped();
    let mut rows: Vec<u32> = taken.iter().map(Rect::bottom).chain([0, row]).collect();
    rows.retain(|&y| y >= row);
    rows.sort_unstable();
    rows.dedup();
    let mut columns: Vec<u32> = taken.iter().map(Rect::right).chain([0, column]).collect();
    columns.retain(|&x| x.saturating_add(size.width) <= COLUMNS);
    columns.sort_unstable();
    columns.dedup();
    for &y in &rows {
        for &x in &columns {
            if y == row && x < column {
                continue;
            }
            let candidate = Rect { x, y, ..size };
            if !taken.iter().any(|t| t.overlaps(&candidate)) {
                return candidate;
            }
        }
    }
    // Below everything there is always room.
    let y = taken.iter().map(Rect::bottom).max().unwrap_or(0).max(row);
    Rect { x: 0, y, ..size }
}

/// Moves or resizes widget `id` to `target` (clamped into the columns), moves the widgets it now
/// overlaps out of the way and compacts (see the module documentation). The moved widget ends at the
/// target's column and at or above its row. An unknown `id` leaves the layout as it is.
pub fn place(placed: &[(i64, Rect)], id: i64, target: Rect) -> Placed {
    let Some(moved) = placed.iter().position(|(i, _)| *i == id) else {
        return placed.to_vec();
    };
    let before = placed[moved].1;
    let target = target.clamped();
    let mut rects: Vec<Rect> = placed.iter().map(|(_, r)| *r).collect();
    rects[moved] = target;
    // Colliders of the moved widget, top first.
    let mut colliders: Vec<usize> = (0..rects.len())
        .filter(|&j| j != moved && rects[j].overlaps(&target))
        .collect();
    crate::sort::sort_by_key(&mut colliders, |&j| (rects[j].y, rects[j].x));
    for j in colliders {
        if !rects[j].overlaps(&rects[moved]) {
            continue;
        }
        // Moving down onto a widget: it may take the room above instead.
        let room_above = target
            .y
            .checked_sub(rects[j].height)
            .filter(|_| target.y > before.y)
            .map(|y| Rect { y, ..rects[j] })
            .filter(|above| {
                rects
                    .iter()
                    .enumerate()
                    .all(|(k, r)| k == j || !r.overlaps(above))
            });
        if let Some(above) = room_above {
            rects[j] = above;
            continue;
        }
        rects[j].y = rects[moved].bottom();
        push_down(&mut rects, j, moved);
    }
    let order = compact_order(&rects, Some(moved));
    compact_rects(&mut rects, &order);
    placed
        .iter()
        .zip(rects)
        .map(|(&(id, _), rect)| (id, rect))
        .collect()
}

/// Everything `rects[from]` overlaps (but `fixed`) goes below it, recursively.
fn push_down(rects: &mut [Rect], from: usize, fixed: usize) {
    let mut hit: Vec<usize> = (0..rects.len())
        .filter(|&j| j != from && j != fixed && rects[j].overlaps(&rects[from]))
        .collect();
    crate::sort::sort_by_key(&mut hit, |&j| (rects[j].y, rects[j].x));
    for j in hit {
        if rects[j].overlaps(&rects[from]) {
            rects[j].y = rects[from].bottom();
            push_down(rects, j, fixed);
        }
    }
}

/// Indexes top to bottom, left to right; `first` before the others on its row.
fn compact_order(rects: &[Rect], first: Option<usize>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rects.len()).collect();
    crate::sort::sort_by_key(&mut order, |&i| (rects[i].y, Some(i) != first, rects[i].x));
    order
}

/// Vertical gravity: in `order`, each widget rises to the highest row where it overlaps none of
/// those already settled (and, if it overlapped one to begin with, goes below it).
fn compact_rects(rects: &mut [Rect], order: &[usize]) {
    let mut settled: Vec<Rect> = Vec::with_capacity(order.len());
    for &i in order {
        let mut rect = rects[i].clamped();
        rect.y = settled
            .iter()
            .filter(|s| s.columns_overlap(&rect) && s.bottom() <= rect.y)
            .map(Rect::bottom)
            .max()
            .unwrap_or(0);
        rect = settle_below(rect, &settled);
        rects[i] = rect;
        settled.push(rect);
    }
}

/// The layout with every widget risen as far as it can go (clamped into the columns). On a layout
/// without overlaps no widget moves down; overlapping ones are separated.
pub fn compact(placed: &[(i64, Rect)]) -> Placed {
    let mut rects: Vec<Rect> = placed.iter().map(|(_, r)| *r).collect();
    let order = compact_order(&rects, None);
    compact_rects(&mut rects, &order);
    placed
        .iter()
        .zip(rects)
        .map(|(&(id, _), rect)| (id, rect))
        .collect()
}

/// Adds widget `id` at `target` (where it was dropped) and reflows as [`place`] does. An `id` that
/// is already there is moved instead.
pub fn insert(placed: &[(i64, Rect)], id: i64, target: Rect) -> Placed {
    if placed.iter().any(|(i, _)| *i == id) {
        return place(placed, id, target);
    }
    let mut with = placed.to_vec();
    // Placed first below everything, so that it collides with nothing until it moves to its target.
    let below = placed.iter().map(|(_, r)| r.bottom()).max().unwrap_or(0);
    with.push((
        id,
        Rect {
            y: below,
            ..target.clamped()
        },
    ));
    place(&with, id, target)
}

/// The layout without widget `id`, compacted so that those below it rise.
pub fn remove(placed: &[(i64, Rect)], id: i64) -> Placed {
    let rest: Placed = placed.iter().filter(|(i, _)| *i != id).copied().collect();
    compact(&rest)
}

/// An arrow key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nudge {
    Left,
    Right,
    Up,
    Down,
}

/// The target of an arrow key on a widget: moved by one cell, or with `resize` (shift) its right or
/// bottom edge moved by one cell; kept inside the columns and at least one cell. Pass it to [`place`].
pub fn nudge(rect: Rect, nudge: Nudge, resize: bool) -> Rect {
    let rect = rect.clamped();
    let mut out = rect;
    match (nudge, resize) {
        (Nudge::Left, false) => out.x = rect.x.saturating_sub(1),
        (Nudge::Right, false) => out.x = (rect.x + 1).min(COLUMNS - rect.width),
        (Nudge::Up, false) => out.y = rect.y.saturating_sub(1),
        (Nudge::Down, false) => out.y = rect.y.saturating_add(1),
        (Nudge::Left, true) => out.width = rect.width.saturating_sub(1).max(1),
        (Nudge::Right, true) => out.width = (rect.width + 1).min(COLUMNS - rect.x),
        (Nudge::Up, true) => out.height = rect.height.saturating_sub(1).max(1),
        (Nudge::Down, true) => out.height = rect.height.saturating_add(1),
    }
    out
}

/// Undo for layout edits: the layouts before each edit, the most recent [`History::LIMIT`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    before: VecDeque<Placed>,
}

impl History {
    /// How many edits can be undone.
    pub const LIMIT: usize = 50;

    pub fn new() -> History {
        History::default()
    }

    /// Records the layout as it was before an edit; the oldest is forgotten past the limit.
    pub fn push(&mut self, before: Placed) {
        if self.before.len() == Self::LIMIT {
            self.before.pop_front();
        }
        self.before.push_back(before);
    }

    /// The layout before the latest edit, taken off the stack.
    pub fn undo(&mut self) -> Option<Placed> {
        self.before.pop_back()
    }

    pub fn can_undo(&self) -> bool {
        !self.before.is_empty()
    }
}

#[cfg(test)]
mod tests;
