//! Dashboards: one row per board, its JSON as stored, plus the legacy timeboard fields when it came
//! through `/api/v1/dash`. Writes run on the writer thread; reads on the read pool.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Store, StoreError};

/// A stored dashboard.
#[derive(Debug, Clone)]
pub struct DashboardRow {
    pub id: String,
    pub legacy_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub layout_type: String,
    /// The dashboard JSON as stored (title, widgets, …; no server-made fields).
    pub body: String,
    /// The legacy request fields (`graphs`, `template_variables`, `read_only`) as JSON.
    pub legacy: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
    /// Who made it (a handle); `None` for dashboards made before accounts existed.
    pub author: Option<String>,
}

/// What a create or a full replace stores.
#[derive(Debug, Clone)]
pub struct NewDashboard {
    pub title: String,
    pub description: Option<String>,
    pub layout_type: String,
    pub body: String,
    pub legacy: Option<String>,
}

/// How a caller names a dashboard: its new-style id, or the numeric id of the legacy API.
#[derive(Debug, Clone)]
pub enum DashboardKey {
    Id(String),
    Legacy(i64),
}

const COLUMNS: &str =
    "id, legacy_id, title, description, layout_type, body, legacy, created_ms, modified_ms, author";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DashboardRow> {
    Ok(DashboardRow {
        id: r.get(0)?,
        legacy_id: r.get(1)?,
        title: r.get(2)?,
        description: r.get(3)?,
        layout_type: r.get(4)?,
        body: r.get(5)?,
        legacy: r.get(6)?,
        created_ms: r.get(7)?,
        modified_ms: r.get(8)?,
        author: r.get(9)?,
    })
}

/// One dashboard by id or legacy id.
pub(super) fn get(conn: &Connection, key: &DashboardKey) -> rusqlite::Result<Option<DashboardRow>> {
    match key {
        DashboardKey::Id(id) => conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM dashboards WHERE id = ?1"),
                params![id],
                row,
            )
            .optional(),
        DashboardKey::Legacy(n) => conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM dashboards WHERE legacy_id = ?1"),
                params![n],
                row,
            )
            .optional(),
    }
}

/// Every dashboard, most recently modified first.
pub(super) fn list(conn: &Connection) -> rusqlite::Result<Vec<DashboardRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM dashboards ORDER BY modified_ms DESC, legacy_id DESC"
    ))?;
    st.query_map([], row)?.collect()
}

/// A fresh id in Datadog's shape: three groups of three lowercase letters or digits (`abc-123-def`).
fn random_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut buf = [0u8; 9];
    if getrandom::fill(&mut buf).is_err() {
        // No OS randomness: fall back to the clock; uniqueness is still checked by the caller.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> (i * 7)) as u8;
        }
    }
    let mut out = String::with_capacity(11);
    for (i, b) in buf.iter().enumerate() {
        if i > 0 && i % 3 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[usize::from(*b) % ALPHABET.len()] as char);
    }
    out
}

fn insert(
    tx: &Transaction<'_>,
    new: &NewDashboard,
    now_ms: i64,
    author: &str,
) -> rusqlite::Result<DashboardRow> {
    let mut id = random_id();
    while get(tx, &DashboardKey::Id(id.clone()))?.is_some() {
        id = random_id();
    }
    let legacy_id: i64 = tx.query_row(
        "SELECT coalesce(max(legacy_id), 0) + 1 FROM dashboards",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        &format!(
            "INSERT INTO dashboards ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)"
        ),
        params![
            id,
            legacy_id,
            new.title,
            new.description,
            new.layout_type,
            new.body,
            new.legacy,
            now_ms,
            author
        ],
    )?;
    get(tx, &DashboardKey::Id(id))?.ok_or(rusqlite::Error::QueryReturnedNoRows)
}

fn replace(
    tx: &Transaction<'_>,
    key: &DashboardKey,
    new: &NewDashboard,
    now_ms: i64,
) -> rusqlite::Result<Option<DashboardRow>> {
    let Some(old) = get(tx, key)? else {
        return Ok(None);
    };
    // Never let modified go backwards (a clock step), so "sorted by modified" stays truthful.
    let modified = now_ms.max(old.modified_ms);
    tx.execute(
        "UPDATE dashboards SET title = ?2, description = ?3, layout_type = ?4, body = ?5,
             legacy = ?6, modified_ms = ?7 WHERE id = ?1",
        params![
            old.id,
            new.title,
            new.description,
            new.layout_type,
            new.body,
            new.legacy,
            modified
        ],
    )?;
    get(tx, &DashboardKey::Id(old.id))
}

fn delete(tx: &Transaction<'_>, key: &DashboardKey) -> rusqlite::Result<Option<DashboardRow>> {
    let Some(old) = get(tx, key)? else {
        return Ok(None);
    };
    tx.execute("DELETE FROM dashboards WHERE id = ?1", params![old.id])?;
    Ok(Some(old))
}

impl Store {
    /// Stores a new dashboard with a fresh id and legacy id; returns it once committed.
    /// Stores a new dashboard made by `author` (a handle).
    pub async fn create_dashboard(
        &self,
        new: NewDashboard,
        now_ms: i64,
        author: String,
    ) -> Result<DashboardRow, StoreError> {
        self.transact(move |tx| insert(tx, &new, now_ms, &author))
            .await
    }

    /// Replaces a dashboard's definition; `None` when there is no such dashboard.
    pub async fn replace_dashboard(
        &self,
        key: DashboardKey,
        new: NewDashboard,
        now_ms: i64,
    ) -> Result<Option<DashboardRow>, StoreError> {
        self.transact(move |tx| replace(tx, &key, &new, now_ms))
            .await
    }

    /// Deletes a dashboard and returns what it was; `None` when there is no such dashboard.
    pub async fn delete_dashboard(
        &self,
        key: DashboardKey,
    ) -> Result<Option<DashboardRow>, StoreError> {
        self.transact(move |tx| delete(tx, &key)).await
    }

    /// One dashboard.
    pub async fn dashboard(&self, key: DashboardKey) -> Result<Option<DashboardRow>, StoreError> {
        self.read(move |r| get(r.connection(), &key))
            .await?
            .map_err(StoreError::from)
    }

    /// Every dashboard, most recently modified first.
    pub async fn dashboards(&self) -> Result<Vec<DashboardRow>, StoreError> {
        self.read(|r| list(r.connection()))
            .await?
            .map_err(StoreError::from)
    }
}
