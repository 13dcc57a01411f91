//! Group commit of the audit: one writer thread takes the audit events of every request and
//! commits whatever is waiting in one durable write transaction, then tells each request its
//! entry is on disk. A lone request waits for one commit, as before; under load, one fsync
//! serves many pages. The chain order is the commit order.

use std::sync::mpsc;
use std::sync::{Arc, Weak};

use futures_channel::oneshot;

use super::Store;
use crate::domain::audit::AuditEvent;

/// The most events one commit takes (the rest wait for the next).
const MAX_BATCH: usize = 1024;

/// Whether the entry is durable: its sequence number, or why the commit failed.
pub type Durable = oneshot::Receiver<Result<u64, String>>;

struct Job {
    event: AuditEvent,
    done: oneshot::Sender<Result<u64, String>>,
}

/// The handle requests submit their audit events to.
#[derive(Clone)]
pub struct AuditQueue {
    jobs: mpsc::Sender<Job>,
}

impl AuditQueue {
    /// Starts the writer thread. It holds the store only while committing, so the store can be
    /// closed once the server has stopped.
    pub fn start(store: &Arc<Store>) -> std::io::Result<AuditQueue> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let store = Arc::downgrade(store);
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || writer(&store, &rx))?;
        Ok(AuditQueue { jobs })
    }

    /// Queues `event`; the receiver answers once it is committed.
    pub fn submit(&self, event: AuditEvent) -> Durable {
        let (done, durable) = oneshot::channel();
        if let Err(mpsc::SendError(job)) = self.jobs.send(Job { event, done }) {
            let _ = job
                .done
                .send(Err("registro di audit non disponibile".into()));
        }
        durable
    }
}

fn writer(store: &Weak<Store>, rx: &mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (events, waiting): (Vec<_>, Vec<_>) =
            jobs.into_iter().map(|j| (j.event, j.done)).unzip();
        let count = events.len() as u64;
        let result = match store.upgrade() {
            Some(store) => store.audit_batch(events).map_err(|e| e.to_string()),
            None => Err("archivio chiuso".into()),
        };
        if let Err(e) = &result {
            tracing::error!("voci di audit non registrate: {e}");
        }
        for (i, done) in waiting.into_iter().enumerate() {
            // The batch's entries are consecutive: the i-th has the last number minus the rest.
            let _ = done.send(result.clone().map(|last| last + 1 + i as u64 - count));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::Action;
    use crate::store::test_support::temp_store;

    #[test]
    fn events_from_many_threads_are_all_committed_in_one_chain() {
        let (_dir, store) = temp_store();
        let store = Arc::new(store);
        let queue = AuditQueue::start(&store).unwrap();
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let queue = queue.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .map(|i| {
                            let ev =
                                AuditEvent::new(format!("u{t}"), Action::Login, format!("{i}"));
                            futures_executor_block_on(queue.submit(ev))
                                .unwrap()
                                .unwrap()
                        })
                        .collect::<Vec<u64>>()
                })
            })
            .collect();
        let mut seqs: Vec<u64> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        seqs.sort_unstable();
        assert_eq!(
            seqs,
            (1..=400).collect::<Vec<u64>>(),
            "each told its own number"
        );
        let (n, _) = store.verify_audit().unwrap().unwrap();
        assert_eq!(n, 400);
    }

    /// Waits for a receiver without an async runtime (the test threads are plain threads).
    fn futures_executor_block_on(
        mut rx: Durable,
    ) -> Result<Result<u64, String>, oneshot::Canceled> {
        loop {
            match rx.try_recv() {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => std::thread::sleep(std::time::Duration::from_micros(200)),
                Err(e) => return Err(e),
            }
        }
    }
}
