//! The context every request carries through the engine: its trace and how many Workers it
//! has invoked. Service bindings pass it on, so it sits below the bindings and the engine.

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::trace::Recorder;

/// Per-request context: its trace and its Worker invocation count.
#[derive(Debug)]
pub struct RequestCtx {
    pub recorder: Recorder,
    invocations: AtomicUsize,
    pub peer: Option<IpAddr>,
}

impl RequestCtx {
    pub fn new(id: String, peer: Option<IpAddr>) -> Self {
        Self {
            recorder: Recorder::new(id),
            invocations: AtomicUsize::new(0),
            peer,
        }
    }

    /// Count one more Worker invocation; the count so far, this one included.
    pub(crate) fn count_invocation(&self) -> usize {
        self.invocations.fetch_add(1, Ordering::SeqCst) + 1
    }
}
