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
    /// Open (or create) the file and start its thread. `name` names the thread.
    pub fn open(path: &Path, name: &str) -> rusqlite::Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let (sender, receiver) = mpsc::channel::<Job>();
        let handle = std::thread::Builder::new()
            .name(format!("sqlite-{name}"))
            .spawn(move || {
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
        Ok(Self {
            sender: Mutex::new(Some(sender)),
            handle: Mutex::new(Some(handle)),
        })
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

impl Drop for SqliteThread {
    fn drop(&mut self) {
        self.close_blocking();
    }
}
