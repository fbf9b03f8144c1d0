//! Runs a view's requests one key at a time: when the key changes, the request for the old key is
//! aborted and its answer, should it still arrive, is ignored; when the view is cleaned up, the request
//! in flight is aborted too. The last good answer is kept while a newer one loads, so a refresh never
//! blanks what is on screen.

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::AbortSignal;

use super::{Abort, ApiError, ApiFuture};

/// What a view knows about its latest requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Load<K, T> {
    /// The last successful answer and the key it answers.
    pub value: Option<(K, T)>,
    /// The last failure and its key; cleared by the next success.
    pub error: Option<(K, ApiError)>,
    /// The key of the request in flight.
    pub pending: Option<K>,
}

impl<K, T> Default for Load<K, T> {
    fn default() -> Self {
        Load {
            value: None,
            error: None,
            pending: None,
        }
    }
}

/// Fetches `fetch(key)` whenever `key` changes to `Some`, and reports progress in the returned signal.
pub fn use_latest<K, T>(
    key: Memo<Option<K>>,
    fetch: impl Fn(&K, Option<&AbortSignal>) -> ApiFuture<T> + 'static,
) -> ReadSignal<Load<K, T>>
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    let (load, set_load) = signal(Load::<K, T>::default());
    // The guard of the request in flight: replacing or dropping it aborts that request. The arena
    // drops it when the view's owner is cleaned up, which aborts a request nobody will read.
    let in_flight = StoredValue::new_local(None::<Abort>);
    let generation = StoredValue::new(0u64);

    Effect::new(move |_| {
        let Some(key) = key.get() else {
            in_flight.set_value(None);
            set_load.update(|l| l.pending = None);
            return;
        };
        let ticket = generation.get_value().wrapping_add(1);
        generation.set_value(ticket);
        let abort = Abort::new();
        let request = fetch(&key, abort.signal().as_ref());
        in_flight.set_value(Some(abort));
        set_load.update(|l| l.pending = Some(key.clone()));
        spawn_local(async move {
            let result = request.await;
            // A newer request (or the view's cleanup) has taken over: this answer is stale.
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            set_load.try_update(|l| {
                l.pending = None;
                match result {
                    Ok(value) => {
                        l.value = Some((key, value));
                        l.error = None;
                    }
                    Err(ApiError::Aborted) => {}
                    Err(error) => l.error = Some((key, error)),
                }
            });
        });
    });

    on_cleanup(move || {
        // Abort explicitly rather than waiting for the arena to drop the guard.
        in_flight.try_update_value(|guard| guard.take());
    });
    load
}
