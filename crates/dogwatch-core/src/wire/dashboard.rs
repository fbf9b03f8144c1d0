//! Dashboard lists and receipts (`/api/v1/dashboard`, legacy `/api/v1/dash`).

use serde::{Deserialize, Serialize};

/// One row of `GET /api/v1/dashboard`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DashboardSummary {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub layout_type: String,
    pub url: String,
    pub created_at: String,
    pub modified_at: String,
    pub author_handle: String,
    pub is_read_only: bool,
}

/// `GET /api/v1/dashboard` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
pub struct DashboardList {
    pub dashboards: Vec<DashboardSummary>,
}

/// `DELETE /api/v1/dashboard/{id}` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashboardDeleted {
    pub deleted_dashboard_id: String,
}

/// One row of the legacy `GET /api/v1/dash`; `id` is the numeric id as a string, as Datadog sent it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashSummary {
    pub id: String,
    pub resource: String,
    pub title: String,
    pub description: Option<String>,
    pub created: String,
    pub modified: String,
    pub read_only: bool,
}

/// Legacy `GET /api/v1/dash` body.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct DashList {
    pub dashes: Vec<DashSummary>,
}
