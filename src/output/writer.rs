//! The writes into a staging folder, on a thread of their own: creating files is mostly the
//! kernel's work, done there while the compile goes on making the next files.
//!
//! One thread, in the order given: a path given twice ends with its last contents, and a
//! link to a file written into the folder comes after that file. (A second thread was
//! slower: two threads creating entries in one folder wait for each other on its lock.) The
//! folder a file goes in is made before the file is handed over, by the caller.

use std::io;
use std::path::PathBuf;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::batch::Batch;

/// Batches that may wait for the thread: what waits stays a small part of the memory.
const QUEUE: usize = 4;

enum Job {
    /// Write `contents` as a new file at `to`.
    Write { to: PathBuf, contents: Vec<u8> },
    /// Hard-link the file `from` (the old build's, or one written into the staging folder
    /// before) at `to`, or copy it where the file system has no links.
    Link { from: PathBuf, to: PathBuf },
}

impl Job {
    fn run(self, replace: bool) -> io::Result<()> {
        let to = match &self {
            Job::Write { to, .. } | Job::Link { to, .. } => to,
        };
        if replace {
            // Never write through a link (to the old build, or to a file's twins).
            let _ = std::fs::remove_file(to);
        }
        match self {
            Job::Write { to, contents } => std::fs::write(to, contents),
            Job::Link { from, to } => {
                std::fs::hard_link(&from, &to).or_else(|_| std::fs::copy(&from, &to).map(|_| ()))
            }
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Job::Write { contents, .. } => contents.len(),
            Job::Link { .. } => 0,
        }
    }
}

/// The thread writing one staging folder, and the batch being filled for it. Dropping it
/// without [`Writer::finish`] still waits for what was handed over, so the folder can then
/// be removed.
pub struct Writer {
    queue: Option<SyncSender<Vec<(Job, bool)>>>,
    batch: Batch<(Job, bool)>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Writer {
    pub fn start() -> Writer {
        let (queue, batches) = sync_channel::<Vec<(Job, bool)>>(QUEUE);
        let thread = std::thread::spawn(move || {
            let mut failed = None;
            for batch in batches {
                for (job, replace) in batch {
                    // After an error, go on receiving (so the sender never waits on a
                    // thread that stopped) but write nothing more.
                    if failed.is_none()
                        && let Err(e) = job.run(replace)
                    {
                        failed = Some(e);
                    }
                }
            }
            failed.map_or(Ok(()), Err)
        });
        Writer {
            queue: Some(queue),
            batch: Batch::new(),
            thread: Some(thread),
        }
    }

    /// Writes `contents` at `to`; `replace`: `to` may already exist, as a link.
    pub fn write(&mut self, to: PathBuf, contents: Vec<u8>, replace: bool) {
        self.push(Job::Write { to, contents }, replace);
    }

    /// Links the file `from` at `to`; `replace`: `to` may already exist, as a link.
    pub fn link(&mut self, from: PathBuf, to: PathBuf, replace: bool) {
        self.push(Job::Link { from, to }, replace);
    }

    fn push(&mut self, job: Job, replace: bool) {
        let bytes = job.bytes();
        if let Some(batch) = self.batch.push((job, replace), bytes) {
            self.send(batch);
        }
    }

    fn send(&self, batch: Vec<(Job, bool)>) {
        // A thread that is gone panicked; `finish` reports it.
        if let Some(queue) = &self.queue {
            let _ = queue.send(batch);
        }
    }

    /// Waits for every write; the first error.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(batch) = self.batch.take() {
            self.send(batch);
        }
        self.queue = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Ok(()),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
