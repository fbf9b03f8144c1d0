//! The embedded SQLite store: series keyed by metric + sorted tag set, points as (series, ts, value).
//!
//! One writer thread owns the only write connection and commits in groups: every batch that arrived
//! while the previous commit ran goes into the next transaction, and each caller is answered only
//! after that transaction is committed (WAL, `synchronous=FULL`), so an acknowledged write survives a
//! crash. Reads run on a small pool of read connections inside `spawn_blocking`.

mod accounts;
mod dashboards;
mod downtimes;
mod monitors;
mod outbox;
mod read;
mod schema;
mod snapshots;
pub mod traces;
mod users;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use dogwatch_core::model::{Sample, SeriesPoints};
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

pub use accounts::{Credentials, KeyRow, SessionRow, role_from};
pub use dashboards::{DashboardKey, DashboardRow, NewDashboard};
pub use downtimes::{DowntimeCycle, DowntimeRow, DowntimeWrite};
pub use monitors::{
    CycleCommitted, EventRow, GroupRow, MonitorCreator, MonitorRow, MonitorWrite, NewEvent, Posted,
};
pub use outbox::{
    AttemptFailed, Channel, DeliveryState, InboxRow, NewNotification, NotificationRow, enqueue_tx,
};
pub(crate) use read::Meter;
pub use read::{Metered, ReadError, Reader};
pub use snapshots::{NewSnapshot, SnapshotPicture, SnapshotRow};
pub use users::{UserRow, WebhookRow};

#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    /// The writer's transaction failed; every caller of that group gets the message.
    Write(String),
    /// The writer has stopped (shutdown, or it failed earlier).
    Closed,
    /// A blocking read task panicked or was cancelled.
    Task(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "sqlite: {e}"),
            StoreError::Write(e) => write!(f, "write failed: {e}"),
            StoreError::Closed => f.write_str("the store is closed"),
            StoreError::Task(e) => write!(f, "read task failed: {e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

/// Work for the writer thread: runs on the write connection and answers its caller itself.
type Exec = Box<dyn FnOnce(&mut Connection) + Send>;

/// What the writer folds into its group commits.
enum Batch {
    Points(Vec<SeriesPoints>),
    /// A trace payload's spans; their trace metrics are derived in the same transaction.
    Spans(Vec<dogwatch_core::apm::Span>),
}

enum Job {
    Write(Batch, oneshot::Sender<Result<(), StoreError>>),
    /// Any other write, run in its own transaction, in queue order with the sample batches.
    Exec(Exec),
    Close(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    jobs: mpsc::UnboundedSender<Job>,
    readers: Mutex<Vec<Connection>>,
    /// Wakes the delivery worker after an enqueue (see `outbox.rs`).
    delivery: tokio::sync::Notify,
}

impl Store {
    /// Opens (creating if needed) the database, runs migrations and starts the writer thread. The
    /// file is readable by its owner only (it holds webhook tokens and email addresses); SQLite
    /// gives its `-wal` and `-shm` files the same mode.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        make_private(path).map_err(|e| StoreError::Task(format!("{}: {e}", path.display())))?;
        let mut conn = Connection::open(path)?;
        schema::configure(&conn)?;
        schema::migrate(&mut conn)?;
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("dogwatch-writer".into())
            .spawn(move || writer::run(conn, rx))
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                jobs: tx,
                readers: Mutex::new(Vec::new()),
                delivery: tokio::sync::Notify::new(),
            }),
        })
    }

    /// Stores the points of these series; returns once they are committed to disk.
    pub async fn write(&self, series: Vec<SeriesPoints>) -> Result<(), StoreError> {
        if series.iter().all(SeriesPoints::is_empty) {
            return Ok(());
        }
        self.commit(Batch::Points(series)).await
    }

    /// Queues a batch for the writer's next group commit; returns once it is committed.
    async fn commit(&self, batch: Batch) -> Result<(), StoreError> {
        let (tx, rx) = oneshot::channel();
        self.inner
            .jobs
            .send(Job::Write(batch, tx))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// [`Store::write`] for samples (consecutive samples of one series share its key).
    pub async fn write_samples(&self, samples: Vec<Sample>) -> Result<(), StoreError> {
        self.write(SeriesPoints::from_samples(samples)).await
    }

    /// Runs `f` in its own transaction on the writer thread; returns once that transaction is
    /// committed (or rolled back, with the error).
    async fn transact<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Exec = Box::new(move |conn| {
            let result = conn.transaction().and_then(|t| {
                let out = f(&t)?;
                t.commit()?;
                Ok(out)
            });
            let _ = tx.send(result.map_err(|e| StoreError::Write(e.to_string())));
        });
        self.inner
            .jobs
            .send(Job::Exec(job))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Waits until every write queued before this call is committed, then stops the writer.
    pub async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        if self.inner.jobs.send(Job::Close(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// Runs `f` with a read connection on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Reader) -> T + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let conn = inner.take_reader()?;
            let reader = Reader::new(conn);
            let out = f(&reader);
            inner.give_back(reader.into_connection());
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

/// Creates the database file with mode 0600, or narrows an existing one (and its `-wal`/`-shm`) to
/// it.
fn make_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if !path.exists() {
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = Path::new(&name);
        if let Ok(meta) = std::fs::metadata(file)
            && meta.permissions().mode() & 0o077 != 0
        {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

impl Inner {
    fn take_reader(&self) -> Result<Connection, StoreError> {
        let pooled = self.readers.lock().ok().and_then(|mut v| v.pop());
        match pooled {
            Some(c) => Ok(c),
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(5))?;
                Ok(c)
            }
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut v) = self.readers.lock()
            && v.len() < 8
        {
            v.push(conn);
        }
    }
}
