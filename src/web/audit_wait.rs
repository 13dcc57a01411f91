//! The audit events of one request, queued for the group commit; the route's gate answers the
//! page only once every one of them is durable.

use std::cell::RefCell;

use crate::app::{AppError, AuditSink};
use crate::domain::audit::AuditEvent;
use crate::store::audit_queue::{AuditQueue, Durable};

pub struct PendingAudit {
    queue: AuditQueue,
    waits: RefCell<Vec<Durable>>,
}

impl PendingAudit {
    pub fn new(queue: AuditQueue) -> Self {
        PendingAudit {
            queue,
            waits: RefCell::new(Vec::new()),
        }
    }

    /// Waits until every event of the request is committed (none: at once).
    pub async fn durable(&self) -> Result<(), String> {
        let waits = std::mem::take(&mut *self.waits.borrow_mut());
        for rx in waits {
            match rx.await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err("scrittura del registro di audit interrotta".into()),
            }
        }
        Ok(())
    }
}

impl AuditSink for PendingAudit {
    fn record(&self, event: AuditEvent) -> Result<(), AppError> {
        let durable = self.queue.submit(event);
        self.waits.borrow_mut().push(durable);
        Ok(())
    }
}
