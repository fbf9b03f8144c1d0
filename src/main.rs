//! dogwatch's web UI: a Leptos single-page app, built by Trunk, that reads the dogwatch JSON API
//! through the backend trait in `api`.

mod api;
mod app;
mod bench;
mod chart;
mod components;
mod dom;
mod pages;
mod query_assist;
mod session;
mod suggest;

fn main() {
    // A panic's message in the browser console (instead of a bare "unreachable"). What the
    // console_error_panic_hook crate does, without the stack it adds (the console shows one).
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    leptos::mount::mount_to_body(app::App);
}
