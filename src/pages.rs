//! One module per page of the app.

pub mod board;
pub mod dashboards;
pub mod explorer;
pub mod not_found;
