//! Items handed to another thread a batch at a time: one wake-up of the receiver per batch,
//! not per file.

/// Items per batch.
const ITEMS: usize = 32;
/// A batch is handed over early once it holds this many bytes (stacks are large).
const BYTES: usize = 1 << 20;

pub struct Batch<T> {
    items: Vec<T>,
    bytes: usize,
}

impl<T> Batch<T> {
    pub fn new() -> Batch<T> {
        Batch {
            items: Vec::with_capacity(ITEMS),
            bytes: 0,
        }
    }

    /// Adds an item of `bytes` bytes; the full batch and its bytes, when this filled it.
    pub fn push(&mut self, item: T, bytes: usize) -> Option<(Vec<T>, usize)> {
        self.items.push(item);
        self.bytes += bytes;
        if self.items.len() >= ITEMS || self.bytes >= BYTES {
            self.take()
        } else {
            None
        }
    }

    /// What the batch holds, if anything, and its bytes, leaving it empty.
    pub fn take(&mut self) -> Option<(Vec<T>, usize)> {
        if self.items.is_empty() {
            return None;
        }
        let items = std::mem::replace(&mut self.items, Vec::with_capacity(ITEMS));
        Some((items, std::mem::take(&mut self.bytes)))
    }
}
