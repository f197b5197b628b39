//! One dedicated thread per SQLite file, so that SQLite never blocks the async runtime.
//! Jobs run in the order they were sent; [`SqliteThread::close`] finishes the queue, closes
//! the connection (flushing the file) and joins the thread.

use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The thread is gone (the engine is stopping).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the database is closed")]
pub struct Closed;

/// A connection owned by its own thread.
#[derive(Debug)]
pub struct SqliteThread {
    sender: Mutex<Option<mpsc::Sender<Job>>>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl SqliteThread {
    /// Start the thread and open (or create) the file on it, so that several files open
    /// at once. `name` names the thread.
    pub async fn open(path: &Path, name: &str) -> rusqlite::Result<Self> {
        let path = path.to_owned();
        let (opened, is_open) = oneshot::channel::<rusqlite::Result<()>>();
        let (sender, receiver) = mpsc::channel::<Job>();
        let handle = std::thread::Builder::new()
            .name(format!("sqlite-{name}"))
            .spawn(move || {
                let mut conn = match open_connection(&path) {
                    Ok(conn) => {
                        let _ = opened.send(Ok(()));
                        conn
                    }
                    Err(err) => {
                        let _ = opened.send(Err(err));
                        return;
                    }
                };
                while let Ok(job) = receiver.recv() {
                    job(&mut conn);
                }
                if let Err((_, err)) = conn.close() {
                    tracing::warn!("closing SQLite file failed: {err}");
                }
            })
            .map_err(|err| {
                rusqlite::Error::ToSqlConversionFailure(Box::new(std::io::Error::other(err)))
            })?;
        let thread = Self {
            sender: Mutex::new(Some(sender)),
            handle: Mutex::new(Some(handle)),
        };
        match is_open.await {
            Ok(Ok(())) => Ok(thread),
            Ok(Err(err)) => Err(err),
            Err(_) => Err(rusqlite::Error::ToSqlConversionFailure(Box::new(
                std::io::Error::other("the SQLite thread stopped while opening the file"),
            ))),
        }
    }

    /// Run `job` on the database thread and wait for its result.
    pub async fn call<R, F>(&self, job: F) -> Result<R, Closed>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> R + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        {
            let sender = self.sender.lock().map_err(|_| Closed)?;
            let sender = sender.as_ref().ok_or(Closed)?;
            sender
                .send(Box::new(move |conn| {
                    let _ = reply.send(job(conn));
                }))
                .map_err(|_| Closed)?;
        }
        answer.await.map_err(|_| Closed)
    }

    /// Finish queued jobs, close the file and join the thread (blocking; call from a
    /// blocking context or at shutdown).
    pub fn close_blocking(&self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
        let handle = self.handle.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

/// Open the file with the engine's settings: write-ahead log, `synchronous = NORMAL`
/// (durable across an application crash; commits do not wait for the disk), foreign keys.
fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

impl Drop for SqliteThread {
    fn drop(&mut self) {
        self.close_blocking();
    }
}
