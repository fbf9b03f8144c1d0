//! One module per page of the app.

pub mod account;
pub mod apm;
pub mod board;
pub mod dashboards;
pub mod downtimes;
pub mod events;
pub mod explorer;
pub mod inbox;
pub mod keys;
pub mod login;
pub mod monitors;
pub mod not_found;
pub mod settings;
pub mod snapshot;
