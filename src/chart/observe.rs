//! The browser observers a graph needs: whether its box is on screen (IntersectionObserver), and
//! its size (ResizeObserver on its own box, so that a sidebar opening or a dashboard column changing
//! width redraws it, not only a window resize).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Element, IntersectionObserver, IntersectionObserverEntry, ResizeObserver};

/// Both observers on one element; dropping this disconnects them.
pub struct Observers {
    resize: ResizeObserver,
    intersection: IntersectionObserver,
    // Kept alive as long as the observers may call them.
    _on_resize: Closure<dyn FnMut(js_sys::Array)>,
    _on_intersection: Closure<dyn FnMut(js_sys::Array)>,
}

impl Observers {
    /// Calls `on_resize` whenever `element`'s box changes size, and `on_visible` with whether any
    /// of it is on screen whenever that changes (both also once soon after starting).
    pub fn watch(
        element: &Element,
        on_resize: impl Fn() + 'static,
        on_visible: impl Fn(bool) + 'static,
    ) -> Option<Observers> {
        let on_resize: Closure<dyn FnMut(js_sys::Array)> =
            Closure::new(move |_entries: js_sys::Array| on_resize());
        let on_intersection: Closure<dyn FnMut(js_sys::Array)> =
            Closure::new(move |entries: js_sys::Array| {
                // The last entry is the latest state of the one element observed.
                if let Some(entry) = entries
                    .iter()
                    .last()
                    .and_then(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
                {
                    on_visible(entry.is_intersecting());
                }
            });
        let resize = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok()?;
        let intersection =
            IntersectionObserver::new(on_intersection.as_ref().unchecked_ref()).ok()?;
        resize.observe(element);
        intersection.observe(element);
        Some(Observers {
            resize,
            intersection,
            _on_resize: on_resize,
            _on_intersection: on_intersection,
        })
    }
}

impl Drop for Observers {
    fn drop(&mut self) {
        self.resize.disconnect();
        self.intersection.disconnect();
    }
}

/// Whether any of `element` is inside the viewport now: lets a graph that is on screen draw at once
/// instead of waiting a frame for the IntersectionObserver's first report.
pub fn on_screen_now(element: &Element) -> bool {
    let window = leptos::prelude::window();
    let inner = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
    let (Some(width), Some(height)) = (inner(window.inner_width()), inner(window.inner_height()))
    else {
        return false;
    };
    let r = element.get_bounding_client_rect();
    r.bottom() > 0.0 && r.right() > 0.0 && r.top() < height && r.left() < width
}
