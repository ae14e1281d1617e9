//! An [`Update`] on its own thread: the compile hands files over and goes on making the next
//! while this thread lists the folder, compares them with it and hands the writes to the
//! [`Writer`](super::writer::Writer). Files arrive in the order they are made, so the result is
//! the same as a direct update's.

use std::path::Path;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::batch::Batch;
use super::{Change, Failure, Mode, Sink, Update};

/// How many batches may wait for the thread: enough to smooth out bursts, few enough that
/// waiting files stay a small part of the run's memory.
const QUEUE: usize = 8;

enum Message {
    Files(Vec<(String, Vec<u8>)>),
    Dir(String),
    /// The compile failed: leave the folder as it was.
    Abandon,
}

pub struct BackgroundUpdate {
    queue: Option<SyncSender<Message>>,
    batch: Batch<(String, Vec<u8>)>,
    writer: Option<JoinHandle<Result<Vec<Change>, Failure>>>,
}

impl BackgroundUpdate {
    /// Starts bringing `dir` up to date (see [`Update::begin`]); the folder is listed on
    /// the update's thread, while the compile starts.
    pub fn begin(dir: &Path, mode: Mode) -> BackgroundUpdate {
        let dir = dir.to_path_buf();
        let (queue, messages) = sync_channel(QUEUE);
        let writer = std::thread::spawn(move || {
            let mut update = Update::begin(&dir, mode).map_err(Failure::Read)?;
            for message in messages {
                match message {
                    Message::Files(files) => {
                        for (path, contents) in files {
                            update.file(&path, contents);
                        }
                    }
                    Message::Dir(path) => update.dir(&path),
                    Message::Abandon => return Ok(Vec::new()),
                }
            }
            update.finish()
        });
        BackgroundUpdate {
            queue: Some(queue),
            batch: Batch::new(),
            writer: Some(writer),
        }
    }

    fn send(&mut self, message: Message) {
        // A thread that stopped early has an error to report from `finish`.
        if let Some(q) = &self.queue
            && q.send(message).is_err()
        {
            self.queue = None;
        }
    }

    fn flush(&mut self) {
        if let Some((files, _)) = self.batch.take() {
            self.send(Message::Files(files));
        }
    }

    /// Waits for every file to be written and the folder swapped in; what changed.
    pub fn finish(mut self) -> Result<Vec<Change>, Failure> {
        self.flush();
        self.queue = None;
        self.join()
    }

    /// Drops what was made so far and leaves the folder as it was.
    pub fn abandon(self) {
        drop(self);
    }

    fn join(&mut self) -> Result<Vec<Change>, Failure> {
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Ok(Vec::new()),
        }
    }
}

impl Sink for BackgroundUpdate {
    fn file(&mut self, path: &str, contents: Vec<u8>) {
        let bytes = contents.len();
        if let Some((files, _)) = self.batch.push((path.to_string(), contents), bytes) {
            self.send(Message::Files(files));
        }
    }

    fn dir(&mut self, path: &str) {
        // After the files before it, as a direct update would see them.
        self.flush();
        self.send(Message::Dir(path.to_string()));
    }
}

impl Drop for BackgroundUpdate {
    /// Not finished (a failed compile, or a panic on the compile's side): abandon.
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            self.send(Message::Abandon);
            self.queue = None;
            let _ = writer.join();
        }
    }
}
