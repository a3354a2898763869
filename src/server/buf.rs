//! Connection buffers, lent by the worker only while a connection has
//! bytes in flight, so an idle keep-alive connection holds none.

/// Bytes read but not yet consumed: `data[start..end]`. `data` is
/// zero-filled once when allocated and never again, so reads go straight
/// into it without clearing memory each time.
pub(crate) struct ReadBuf {
    pub data: Vec<u8>,
    pub start: usize,
    pub end: usize,
}

impl ReadBuf {
    pub(crate) fn pending(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Drops `len` pending bytes that start `at` bytes into the pending
    /// data, keeping what follows: a chunked body's raw bytes once
    /// decoded, so framing overhead never counts against the buffer.
    pub(crate) fn cut(&mut self, at: usize, len: usize) {
        let from = self.start + at;
        self.data.copy_within(from + len..self.end, from);
        self.end -= len;
    }

    /// Makes room to read more: moves pending bytes to the front, or
    /// doubles the buffer up to `max`. Returns false when it is full.
    pub(crate) fn make_room(&mut self, max: usize) -> bool {
        if self.end < self.data.len() {
            return true;
        }
        if self.start > 0 {
            self.data.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            return true;
        }
        if self.data.len() >= max {
            return false;
        }
        let new_len = (self.data.len() * 2).min(max);
        self.data.resize(new_len, 0);
        true
    }
}

/// Size of a fresh read buffer: a typical request head fits many times.
pub(crate) const READ_BUF: usize = 8 * 1024;
/// Buffers kept for reuse per worker; more are freed.
const POOL_MAX: usize = 256;

/// The worker's spare buffers.
#[derive(Default)]
pub(crate) struct BufPool {
    reads: Vec<ReadBuf>,
    writes: Vec<Vec<u8>>,
}

impl BufPool {
    pub(crate) fn take_read(&mut self) -> ReadBuf {
        self.reads.pop().unwrap_or_else(|| ReadBuf {
            data: vec![0; READ_BUF],
            start: 0,
            end: 0,
        })
    }

    pub(crate) fn give_read(&mut self, mut b: ReadBuf) {
        if b.data.len() == READ_BUF && self.reads.len() < POOL_MAX {
            b.start = 0;
            b.end = 0;
            self.reads.push(b);
        }
    }

    pub(crate) fn take_write(&mut self) -> Vec<u8> {
        self.writes
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(4096))
    }

    pub(crate) fn give_write(&mut self, mut b: Vec<u8>) {
        if b.capacity() <= 64 * 1024 && b.capacity() > 0 && self.writes.len() < POOL_MAX {
            b.clear();
            self.writes.push(b);
        }
    }
}
