//! The crosshair shared by the graphs of a page.

use leptos::prelude::{LocalStorage, StoredValue, UpdateValue, WithValue};

/// The time under the pointer on any graph sharing this context, so that every graph draws its
/// crosshair there. Provided by a page holding several graphs.
///
/// Graphs subscribe a callback, and the hovered graph calls the others' at once, in its pointer
/// handler. This was a signal read by an effect in every graph: Leptos runs effects in a microtask
/// (queued through the async executor), which at every pointer move cost a `queueMicrotask`, a
/// wake-up and an effect run in each graph, the hovered one included, for a handful of writes.
#[derive(Clone, Copy)]
pub struct CrosshairSync(StoredValue<SyncState, LocalStorage>);

type OnCrosshair = std::rc::Rc<dyn Fn(Option<i64>)>;

#[derive(Default)]
struct SyncState {
    ts_ms: Option<i64>,
    next_id: u64,
    subscribers: Vec<(u64, OnCrosshair)>,
}

impl CrosshairSync {
    pub fn new() -> CrosshairSync {
        CrosshairSync(StoredValue::new_local(SyncState::default()))
    }

    /// The time last hovered on a graph of this context.
    pub fn ts_ms(&self) -> Option<i64> {
        self.0.try_with_value(|s| s.ts_ms).flatten()
    }

    /// Calls `on_change` with the time hovered whenever another graph's hover changes; returns the
    /// id to [`CrosshairSync::publish`] and [`CrosshairSync::unsubscribe`] with.
    pub fn subscribe(&self, on_change: impl Fn(Option<i64>) + 'static) -> u64 {
        self.0
            .try_update_value(|s| {
                s.next_id += 1;
                s.subscribers.push((s.next_id, std::rc::Rc::new(on_change)));
                s.next_id
            })
            .unwrap_or_default()
    }

    pub fn unsubscribe(&self, id: u64) {
        self.0
            .try_update_value(|s| s.subscribers.retain(|(i, _)| *i != id));
    }

    /// The time now hovered on graph `from` (`None` once the pointer left it): every other graph
    /// hears of it before this returns.
    pub fn publish(&self, from: u64, ts_ms: Option<i64>) {
        let others: Vec<OnCrosshair> = self
            .0
            .try_update_value(|s| {
                s.ts_ms = ts_ms;
                s.subscribers
                    .iter()
                    .filter(|(id, _)| *id != from)
                    .map(|(_, f)| f.clone())
                    .collect()
            })
            .unwrap_or_default();
        // Called with no borrow held, so that a callback may use this context too.
        for on_change in others {
            on_change(ts_ms);
        }
    }
}

impl Default for CrosshairSync {
    fn default() -> CrosshairSync {
        CrosshairSync::new()
    }
}

impl std::fmt::Debug for CrosshairSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CrosshairSync").field(&self.ts_ms()).finish()
    }
}
