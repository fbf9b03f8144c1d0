//! One module per page of the app.

pub mod explorer;
pub mod not_found;
