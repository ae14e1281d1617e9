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

    /// Adds an item of `bytes` bytes; the full batch, when this filled it.
    pub fn push(&mut self, item: T, bytes: usize) -> Option<Vec<T>> {
        self.items.push(item);
        self.bytes += bytes;
        if self.items.len() >= ITEMS || self.bytes >= BYTES {
            self.take()
        } else {
            None
        }
    }

    /// What the batch holds, if anything, leaving it empty.
    pub fn take(&mut self) -> Option<Vec<T>> {
        if self.items.is_empty() {
            return None;
        }
        self.bytes = 0;
        Some(std::mem::replace(
            &mut self.items,
            Vec::with_capacity(ITEMS),
        ))
    }
}
