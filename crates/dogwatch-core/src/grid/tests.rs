//! Hand-computed reflows, and the invariants on generated layouts.

use super::*;
use proptest::prelude::*;

fn r(x: u32, y: u32, width: u32, height: u32) -> Rect {
    Rect::new(x, y, width, height)
}

#[test]
fn moving_onto_a_widget_pushes_it_below() {
    let layout = vec![(1, r(0, 0, 4, 2)), (2, r(4, 0, 4, 2))];
    assert_eq!(
        place(&layout, 1, r(4, 0, 4, 2)),
        [(1, r(4, 0, 4, 2)), (2, r(4, 2, 4, 2))]
    );
}

#[test]
fn moving_down_past_a_neighbour_swaps_them() {
    let layout = vec![(1, r(0, 0, 4, 2)), (2, r(0, 2, 4, 2))];
    assert_eq!(
        place(&layout, 1, r(0, 2, 4, 2)),
        [(1, r(0, 2, 4, 2)), (2, r(0, 0, 4, 2))]
    );
    // A small drag down is undone by gravity: the neighbour is pushed below, then both rise.
    assert_eq!(place(&layout, 1, r(0, 1, 4, 2)), layout);
}

#[test]
fn resizing_wider_pushes_the_right_neighbour_down() {
    let layout = vec![(1, r(0, 0, 6, 2)), (2, r(6, 0, 6, 2)), (3, r(6, 2, 6, 1))];
    assert_eq!(
        place(&layout, 1, r(0, 0, 8, 2)),
        [(1, r(0, 0, 8, 2)), (2, r(6, 2, 6, 2)), (3, r(6, 4, 6, 1))]
    );
}

#[test]
fn pushes_cascade() {
    // Dropping 1 on top of the column 2-over-3 pushes both down, 3 below 2.
    let layout = vec![(1, r(6, 0, 6, 3)), (2, r(0, 0, 6, 2)), (3, r(0, 2, 6, 2))];
    assert_eq!(
        place(&layout, 1, r(0, 0, 6, 3)),
        [(1, r(0, 0, 6, 3)), (2, r(0, 3, 6, 2)), (3, r(0, 5, 6, 2))]
    );
}

#[test]
fn targets_are_clamped_and_gravity_lifts_the_moved_widget() {
    let layout = vec![(1, r(0, 0, 4, 2))];
    assert_eq!(place(&layout, 1, r(10, 7, 4, 0)), [(1, r(8, 0, 4, 1))]);
    assert_eq!(place(&layout, 1, r(0, 0, 20, 2)), [(1, r(0, 0, 12, 2))]);
    assert_eq!(place(&layout, 1, r(3, 0, 0, 2)), [(1, r(3, 0, 1, 2))]);
}

#[test]
fn unknown_ids_change_nothing() {
    let layout = vec![(1, r(0, 5, 4, 2)), (2, r(0, 0, 4, 2))];
    assert_eq!(place(&layout, 9, r(0, 0, 4, 4)), layout);
    assert_eq!(remove(&layout, 9), compact(&layout));
}

#[test]
fn removing_lets_those_below_rise() {
    let layout = vec![(1, r(0, 0, 12, 2)), (2, r(0, 2, 6, 3)), (3, r(6, 2, 6, 1))];
    assert_eq!(remove(&layout, 1), [(2, r(0, 0, 6, 3)), (3, r(6, 0, 6, 1))]);
}

#[test]
fn inserting_at_a_drop_point() {
    let layout = vec![(1, r(0, 0, 6, 2)), (2, r(6, 0, 6, 2))];
    // Dropped on 2: it goes there, 2 goes below.
    assert_eq!(
        insert(&layout, 3, r(6, 0, 6, 2)),
        [(1, r(0, 0, 6, 2)), (2, r(6, 2, 6, 2)), (3, r(6, 0, 6, 2))]
    );
    // Dropped far below: it rises under the others.
    assert_eq!(
        insert(&layout, 3, r(0, 40, 4, 1)),
        [(1, r(0, 0, 6, 2)), (2, r(6, 0, 6, 2)), (3, r(0, 2, 4, 1))]
    );
    assert_eq!(insert(&[], 7, r(2, 3, 2, 2)), [(7, r(2, 0, 2, 2))]);
}

#[test]
fn first_free_spot_reading_order() {
    assert_eq!(first_free(&[], 4, 2), r(0, 0, 4, 2));
    let layout = vec![(1, r(0, 0, 4, 2)), (2, r(8, 0, 4, 4))];
    assert_eq!(first_free(&layout, 4, 2), r(4, 0, 4, 2));
    assert_eq!(first_free(&layout, 6, 2), r(0, 2, 6, 2));
    assert_eq!(first_free(&layout, 12, 1), r(0, 4, 12, 1));
    assert_eq!(first_free(&layout, 30, 0), r(0, 4, 12, 1));
}

#[test]
fn auto_place_flows_around_laid_out_widgets() {
    let items = [
        (1, None, (4, 2)),
        (2, Some(r(4, 0, 4, 3)), (4, 2)),
        (3, None, (4, 2)),
        (4, None, (6, 2)),
        (5, None, (4, 1)),
        // Overlaps 2: goes below it.
        (6, Some(r(5, 1, 2, 2)), (4, 2)),
    ];
    assert_eq!(
        auto_place(&items),
        [
            (1, r(0, 0, 4, 2)),
            (2, r(4, 0, 4, 3)),
            (3, r(8, 0, 4, 2)),
            (4, r(0, 5, 6, 2)),
            (5, r(6, 5, 4, 1)),
            (6, r(5, 3, 2, 2)),
        ]
    );
    // Ordered dashboards: no layouts at all.
    let ordered: Vec<_> = (0..4).map(|i| (i, None, (6, 2))).collect();
    assert_eq!(
        auto_place(&ordered),
        [
            (0, r(0, 0, 6, 2)),
            (1, r(6, 0, 6, 2)),
            (2, r(0, 2, 6, 2)),
            (3, r(6, 2, 6, 2)),
        ]
    );
}

#[test]
fn nudges() {
    let a = r(3, 2, 4, 2);
    assert_eq!(nudge(a, Nudge::Left, false), r(2, 2, 4, 2));
    assert_eq!(nudge(a, Nudge::Right, false), r(4, 2, 4, 2));
    assert_eq!(nudge(a, Nudge::Up, false), r(3, 1, 4, 2));
    assert_eq!(nudge(a, Nudge::Down, false), r(3, 3, 4, 2));
    assert_eq!(nudge(a, Nudge::Left, true), r(3, 2, 3, 2));
    assert_eq!(nudge(a, Nudge::Right, true), r(3, 2, 5, 2));
    assert_eq!(nudge(a, Nudge::Up, true), r(3, 2, 4, 1));
    assert_eq!(nudge(a, Nudge::Down, true), r(3, 2, 4, 3));
    // At the edges nothing leaves the grid or shrinks below a cell.
    let corner = r(0, 0, 1, 1);
    assert_eq!(nudge(corner, Nudge::Left, false), corner);
    assert_eq!(nudge(corner, Nudge::Up, false), corner);
    assert_eq!(nudge(corner, Nudge::Left, true), corner);
    assert_eq!(nudge(corner, Nudge::Up, true), corner);
    let right = r(8, 0, 4, 1);
    assert_eq!(nudge(right, Nudge::Right, false), right);
    assert_eq!(nudge(right, Nudge::Right, true), right);
}

#[test]
fn history_is_a_bounded_undo_stack() {
    let mut history = History::new();
    assert!(!history.can_undo());
    assert_eq!(history.undo(), None);
    for i in 0..60 {
        history.push(vec![(i, r(0, 0, 1, 1))]);
    }
    let mut undone = Vec::new();
    while let Some(layout) = history.undo() {
        undone.push(layout[0].0);
    }
    assert_eq!(undone.len(), History::LIMIT);
    assert_eq!(undone.first(), Some(&59));
    assert_eq!(undone.last(), Some(&10));
    assert!(!history.can_undo());
}

fn assert_valid(layout: &[(i64, Rect)]) -> Result<(), TestCaseError> {
    for (i, (a_id, a)) in layout.iter().enumerate() {
        prop_assert!(
            a.width >= 1 && a.height >= 1 && a.right() <= COLUMNS,
            "{a_id} {a:?}"
        );
        for (b_id, b) in &layout[i + 1..] {
            prop_assert!(!a.overlaps(b), "{a_id} {a:?} overlaps {b_id} {b:?}");
        }
    }
    Ok(())
}

fn arb_rect() -> impl Strategy<Value = Rect> {
    (0u32..14, 0u32..12, 0u32..14, 0u32..5).prop_map(|(x, y, w, h)| r(x, y, w, h))
}

/// A valid layout of up to 12 widgets, some laid out by hand (possibly overlapping, fixed by
/// `auto_place`) and some flowed.
fn arb_layout() -> impl Strategy<Value = Placed> {
    prop::collection::vec((prop::option::of(arb_rect()), 1u32..13, 1u32..4), 0..12).prop_map(
        |items| {
            let items: Vec<_> = items
                .into_iter()
                .enumerate()
                .map(|(i, (rect, w, h))| (i as i64, rect, (w, h)))
                .collect();
            auto_place(&items)
        },
    )
}

proptest! {
    #[test]
    fn auto_place_never_overlaps(layout in arb_layout()) {
        assert_valid(&layout)?;
    }

    #[test]
    fn place_keeps_the_invariants(layout in arb_layout(), pick in 0usize..12, target in arb_rect()) {
        let Some(&(id, _)) = layout.get(pick % layout.len().max(1)) else { return Ok(()) };
        let after = place(&layout, id, target);
        assert_valid(&after)?;
        let ids: Vec<i64> = after.iter().map(|(i, _)| *i).collect();
        prop_assert_eq!(ids, layout.iter().map(|(i, _)| *i).collect::<Vec<_>>());
        let clamped = target.clamped();
        let moved = after.iter().find(|(i, _)| *i == id).map(|(_, r)| *r);
        prop_assert!(moved.is_some_and(|m| m.x == clamped.x
            && m.width == clamped.width
            && m.height == clamped.height
            && m.y <= clamped.y), "{moved:?} vs {clamped:?}");
        prop_assert_eq!(place(&layout, 1_000, target), layout);
    }

    #[test]
    fn insert_and_remove_keep_the_invariants(layout in arb_layout(), target in arb_rect(), pick in 0usize..12) {
        let after = insert(&layout, 99, target);
        assert_valid(&after)?;
        prop_assert_eq!(after.len(), layout.len() + 1);
        let new = after.iter().find(|(i, _)| *i == 99).map(|(_, r)| *r);
        prop_assert!(new.is_some_and(|n| n.x == target.clamped().x && n.y <= target.y));
        let id = layout.get(pick % layout.len().max(1)).map_or(0, |(i, _)| *i);
        let removed = remove(&after, id);
        assert_valid(&removed)?;
        prop_assert!(removed.iter().all(|(i, _)| *i != id));
    }

    #[test]
    fn compaction_never_moves_a_widget_down(layout in arb_layout()) {
        let compacted = compact(&layout);
        assert_valid(&compacted)?;
        for ((_, before), (_, after)) in layout.iter().zip(&compacted) {
            prop_assert!(after.y <= before.y && after.x == before.x);
        }
        prop_assert_eq!(compact(&compacted), compacted.clone(), "compacting twice changes nothing");
    }

    #[test]
    fn first_free_is_free(layout in arb_layout(), w in 0u32..14, h in 0u32..4) {
        let spot = first_free(&layout, w, h);
        prop_assert!(spot.right() <= COLUMNS);
        prop_assert!(layout.iter().all(|(_, r)| !r.overlaps(&spot)));
    }
}
