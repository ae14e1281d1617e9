//! The writes into a staging folder, on a thread of their own: creating files is mostly the
//! kernel's work, done there while the compile goes on making the next files.
//!
//! One thread, in the order given: a path given twice ends with its last contents, and a
//! link to a file written into the folder comes after that file. (A second thread was
//! slower: two threads creating entries in one folder wait for each other on its lock.) The
//! folder a file goes in is made before the file is handed over, by the caller.

use std::io;
use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use super::batch::Batch;

/// Bytes of jobs that may wait for the thread (contents and paths). Waiting by bytes, not by
/// batches: the compile makes tens of thousands of links (a few hundred bytes each) in a burst
/// and then works for seconds on the stacks, which the thread spends making them; a stack's
/// contents are large and few may wait.
const BUDGET: usize = 16 << 20;

/// The bytes handed to the thread and not yet done (and whether the thread has ended); the
/// sender waits while they are over [`BUDGET`].
#[derive(Default)]
struct Pending {
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl Pending {
    fn add(&self, bytes: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while state.0 > BUDGET && !state.1 {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.0 += bytes;
    }

    fn remove(&self, bytes: usize) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 = state.0.saturating_sub(bytes);
        self.changed.notify_all();
    }
}

/// Marks the thread ended when it returns or unwinds, so a sender never waits for it.
struct Ended(Arc<Pending>);

impl Drop for Ended {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        state.1 = true;
        self.0.changed.notify_all();
    }
}

enum Job {
    /// Write `contents` as a new file at `to`.
    Write { to: PathBuf, contents: Vec<u8> },
    /// Hard-link the file `from` (the old build's, or one written into the staging folder
    /// before) at `to`, or copy it where that fails (no links on the file system, or the
    /// file has as many as it may have: 65,000 on ext4).
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

    /// What the job holds in memory, about.
    fn bytes(&self) -> usize {
        const JOB: usize = 64;
        match self {
            Job::Write { to, contents } => JOB + to.as_os_str().len() + contents.len(),
            Job::Link { from, to } => JOB + from.as_os_str().len() + to.as_os_str().len(),
        }
    }
}

/// Jobs handed over at once (each with its `replace` flag), and their bytes.
type Handed = (Vec<(Job, bool)>, usize);

/// The thread writing one staging folder, and the batch being filled for it. Dropping it
/// without [`Writer::finish`] still waits for what was handed over, so the folder can then
/// be removed.
pub struct Writer {
    queue: Option<Sender<Handed>>,
    batch: Batch<(Job, bool)>,
    pending: Arc<Pending>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Writer {
    pub fn start() -> Writer {
        let (queue, batches) = channel::<Handed>();
        let pending = Arc::new(Pending::default());
        let done = Arc::clone(&pending);
        let thread = std::thread::spawn(move || {
            let _ended = Ended(Arc::clone(&done));
            let mut failed = None;
            for (batch, bytes) in batches {
                for (job, replace) in batch {
                    // After an error, go on receiving (so the sender never waits on a
                    // thread that stopped) but write nothing more.
                    if failed.is_none()
                        && let Err(e) = job.run(replace)
                    {
                        failed = Some(e);
                    }
                }
                done.remove(bytes);
            }
            failed.map_or(Ok(()), Err)
        });
        Writer {
            queue: Some(queue),
            batch: Batch::new(),
            pending,
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
        if let Some(full) = self.batch.push((job, replace), bytes) {
            self.send(full);
        }
    }

    fn send(&self, handed: Handed) {
        if let Some(queue) = &self.queue {
            self.pending.add(handed.1);
            // A thread that is gone panicked; `finish` reports it.
            let _ = queue.send(handed);
        }
    }

    /// Waits for every write; the first error.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(rest) = self.batch.take() {
            self.send(rest);
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
