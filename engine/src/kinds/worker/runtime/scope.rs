//! The scope a handler runs over: its named values, and dotted-path lookups into them.

use std::sync::Arc;

use serde_json::Value;

use crate::runtime::bindings::ParsedJson;

/// A value in scope: the step's own, or shared with a store's cache (a KV JSON value is not
/// copied for every request that reads it).
#[derive(Debug)]
pub enum Slot {
    Owned(Value),
    Shared(Arc<ParsedJson>),
}

impl Slot {
    pub fn value(&self) -> &Value {
        match self {
            Self::Owned(value) => value,
            Self::Shared(parsed) => parsed.value(),
        }
    }
}

/// The names a route's steps read: `params`, `query`, `headers`, `body`, `auth`, and what
/// earlier steps stored (`into`, `set`). The names are the design's own text, and a route has
/// few of them, so this is a short list searched in order.
#[derive(Debug, Default)]
pub struct Scope<'a> {
    entries: Vec<(&'a str, Slot)>,
}

impl<'a> Scope<'a> {
    /// Set `name`, replacing what it held.
    pub fn insert(&mut self, name: &'a str, value: impl Into<Slot>) {
        let value = value.into();
        match self.entries.iter_mut().find(|(held, _)| *held == name) {
            Some((_, slot)) => *slot = value,
            None => self.entries.push((name, value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.slot(name).map(Slot::value)
    }

    pub(super) fn slot(&self, name: &str) -> Option<&Slot> {
        self.entries
            .iter()
            .find(|(held, _)| *held == name)
            .map(|(_, slot)| slot)
    }
}

impl From<Value> for Slot {
    fn from(value: Value) -> Self {
        Self::Owned(value)
    }
}

impl From<Arc<ParsedJson>> for Slot {
    fn from(parsed: Arc<ParsedJson>) -> Self {
        Self::Shared(parsed)
    }
}

/// Look up a dotted path; anything missing on the way gives `null`.
pub fn lookup(scope: &Scope, path: &str) -> Value {
    lookup_ref(scope, path).cloned().unwrap_or(Value::Null)
}

/// [`lookup`] without the copy: `None` where `lookup` gives `null` for a missing value.
pub fn lookup_ref<'s>(scope: &'s Scope, path: &str) -> Option<&'s Value> {
    let mut segments = path.split('.');
    let mut current = scope.get(segments.next()?.trim())?;
    for segment in segments {
        current = match current {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }?;
    }
    Some(current)
}

/// Whether a dotted path holds something other than `null`.
pub(super) fn exists(scope: &Scope, path: &str) -> bool {
    lookup_ref(scope, path).is_some_and(|value| !value.is_null())
}
