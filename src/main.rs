//! dogwatch's web UI: a Leptos single-page app, built by Trunk, that reads the dogwatch JSON API
//! through the backend trait in `api`.

mod api;
mod app;
mod bench;
mod board;
mod chart;
mod components;
mod nav;
mod pages;
mod query_assist;
mod suggest;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
