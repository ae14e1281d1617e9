//! An [`Update`] on its own thread: the compile hands each file over and goes on making the
//! next while this thread compares it with the folder and writes it, so the two cores work
//! at once. Files arrive in the order they are made, so the result is the same as a direct
//! update's.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::{Change, Mode, Sink, Update};

/// How many made files may wait for the writer: enough to smooth out bursts, few enough
/// that waiting files stay a small part of the run's memory.
const QUEUE: usize = 256;

enum Message {
    File(PathBuf, Vec<u8>),
    Dir(PathBuf),
    /// The compile failed: leave the folder as it was.
    Abandon,
}

pub struct BackgroundUpdate {
    queue: Option<SyncSender<Message>>,
    writer: Option<JoinHandle<io::Result<Vec<Change>>>>,
}

impl BackgroundUpdate {
    /// Starts bringing `dir` up to date (see [`Update::begin`]).
    pub fn begin(dir: &Path, mode: Mode) -> io::Result<BackgroundUpdate> {
        let mut update = Update::begin(dir, mode)?;
        let (queue, files) = sync_channel(QUEUE);
        let writer = std::thread::spawn(move || {
            for message in files {
                match message {
                    Message::File(path, contents) => update.file(&path, &contents),
                    Message::Dir(path) => update.dir(&path),
                    Message::Abandon => return Ok(Vec::new()),
                }
            }
            update.finish()
        });
        Ok(BackgroundUpdate {
            queue: Some(queue),
            writer: Some(writer),
        })
    }

    fn send(&mut self, message: Message) {
        // A writer that stopped early has an error to report from `finish`.
        if let Some(q) = &self.queue
            && q.send(message).is_err()
        {
            self.queue = None;
        }
    }

    /// Waits for every file to be written and the folder swapped in; what changed.
    pub fn finish(mut self) -> io::Result<Vec<Change>> {
        self.queue = None;
        self.join()
    }

    /// Drops what was made so far and leaves the folder as it was.
    pub fn abandon(self) {
        drop(self);
    }

    fn join(&mut self) -> io::Result<Vec<Change>> {
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => Ok(Vec::new()),
        }
    }
}

impl Sink for BackgroundUpdate {
    fn file(&mut self, path: &str, contents: Vec<u8>) {
        self.send(Message::File(PathBuf::from(path), contents));
    }

    fn dir(&mut self, path: &str) {
        self.send(Message::Dir(PathBuf::from(path)));
    }
}

impl Drop for BackgroundUpdate {
    /// Not finished (a panic on the compile's side): abandon.
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            self.send(Message::Abandon);
            self.queue = None;
            let _ = writer.join();
        }
    }
}
