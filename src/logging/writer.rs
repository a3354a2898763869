//! The optional writer thread: callers format, then hand the line to a
//! bounded queue; one thread writes batches to the file.

use super::sink::FileSink;
use log::Level;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;

/// What a caller does when the writer queue is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Wait for room: nothing is lost, a slow disk slows the callers (default).
    #[default]
    Block,
    /// Drop the record and count it; the next line written says how many
    /// were dropped, and [`LogStats::dropped`](super::LogStats::dropped) exports the total.
    Drop,
}

struct State {
    data: Vec<u8>,
    /// End offset in `data` and level of each queued line.
    lines: Vec<(usize, Level)>,
    /// Records taken by the writer and not yet handed to the file.
    in_flight: usize,
    dropped_pending: u64,
    dropped_total: u64,
    writer_waiting: bool,
    callers_waiting: usize,
    closed: bool,
    finished: bool,
}

struct Queue {
    state: Mutex<State>,
    wake_writer: Condvar,
    room: Condvar,
    capacity: usize,
    overflow: Overflow,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The queue and its thread, owned by a file handler.
pub(crate) struct Writer {
    queue: Arc<Queue>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// How `push` went.
pub(crate) enum Pushed {
    Queued,
    Dropped,
    /// The writer has shut down: write the line directly.
    Closed,
}

impl Writer {
    /// Starts the thread writing into `sink`; `capacity` is in records.
    pub(crate) fn start(
        sink: Arc<Mutex<FileSink>>,
        capacity: usize,
        overflow: Overflow,
        name: &str,
    ) -> std::io::Result<Writer> {
        let queue = Arc::new(Queue {
            state: Mutex::new(State {
                data: Vec::with_capacity(64 * 1024),
                lines: Vec::with_capacity(capacity.min(1 << 16)),
                in_flight: 0,
                dropped_pending: 0,
                dropped_total: 0,
                writer_waiting: false,
                callers_waiting: 0,
                closed: false,
                finished: false,
            }),
            wake_writer: Condvar::new(),
            room: Condvar::new(),
            capacity: capacity.max(1),
            overflow,
        });
        let q = Arc::clone(&queue);
        let thread = std::thread::Builder::new()
            .name(format!("log-writer-{name}"))
            .spawn(move || run(&q, &sink))?;
        Ok(Writer {
            queue,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Queues one line; `note(n)` formats the "n records dropped" line put
    /// ahead of it after drops.
    pub(crate) fn push(
        &self,
        line: &[u8],
        level: Level,
        note: impl FnOnce(u64) -> Vec<u8>,
    ) -> Pushed {
        let q = &*self.queue;
        let mut st = q.lock();
        while st.lines.len() >= q.capacity && !st.closed {
            if q.overflow == Overflow::Drop {
                st.dropped_pending += 1;
                st.dropped_total += 1;
                return Pushed::Dropped;
            }
            st.callers_waiting += 1;
            st = q.room.wait(st).unwrap_or_else(PoisonError::into_inner);
            st.callers_waiting -= 1;
        }
        if st.closed {
            return Pushed::Closed;
        }
        if st.dropped_pending > 0 {
            let n = std::mem::take(&mut st.dropped_pending);
            let text = note(n);
            st.data.extend_from_slice(&text);
            let end = st.data.len();
            st.lines.push((end, Level::Warn));
        }
        st.data.extend_from_slice(line);
        let end = st.data.len();
        st.lines.push((end, level));
        if st.writer_waiting {
            st.writer_waiting = false;
            q.wake_writer.notify_one();
        }
        Pushed::Queued
    }

    /// Records dropped so far.
    pub(crate) fn dropped(&self) -> u64 {
        self.queue.lock().dropped_total
    }

    /// Dropped records not yet announced by a written line.
    pub(crate) fn take_pending_drops(&self) -> u64 {
        std::mem::take(&mut self.queue.lock().dropped_pending)
    }

    /// Closes the queue and waits until the writer drained it or
    /// `deadline` passed; returns the records left unwritten.
    pub(crate) fn close(&self, deadline: Instant) -> u64 {
        let q = &*self.queue;
        let mut st = q.lock();
        st.closed = true;
        q.wake_writer.notify_one();
        q.room.notify_all();
        while !st.finished {
            let now = Instant::now();
            if now >= deadline {
                return (st.lines.len() + st.in_flight) as u64;
            }
            st = q
                .room
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        drop(st);
        if let Some(t) = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = t.join();
        }
        0
    }
}

fn run(q: &Queue, sink: &Mutex<FileSink>) {
    let mut data = Vec::with_capacity(64 * 1024);
    let mut lines = Vec::new();
    loop {
        {
            let mut st = q.lock();
            st.in_flight = 0;
            while st.lines.is_empty() && !st.closed {
                st.writer_waiting = true;
                st = q
                    .wake_writer
                    .wait(st)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            st.writer_waiting = false;
            if st.lines.is_empty() {
                st.finished = true;
                q.room.notify_all();
                return;
            }
            std::mem::swap(&mut st.data, &mut data);
            std::mem::swap(&mut st.lines, &mut lines);
            st.in_flight = lines.len();
            if st.callers_waiting > 0 {
                q.room.notify_all();
            }
        }
        let mut file = sink.lock().unwrap_or_else(PoisonError::into_inner);
        let mut start = 0;
        for &(end, level) in &lines {
            file.write(&data[start..end], level);
            start = end;
        }
        file.flush();
        drop(file);
        lines.clear();
        data.clear();
    }
}
