//! Process-wide memos of work that depends only on a text: a D1 database rebuilt from its
//! migrations and seed, a JSON Schema compiled. The app validates after every edit and the
//! runtime compiles each route's contract at start, while those texts rarely change; each
//! memo is bounded, forgetting what was used longest ago.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};

/// Values made from a text key, at most `capacity` of them, the most recently used first.
pub(crate) struct TextMemo<V> {
    capacity: usize,
    /// (hash of the key, key, value); a short list, so a scan finds an entry.
    entries: Mutex<VecDeque<(u64, String, Arc<V>)>>,
}

impl<V> TextMemo<V> {
    pub(crate) const fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(VecDeque::new()),
        }
    }

    /// The value for `key`, made by `make` when it is not remembered. `make` runs without the
    /// lock held, so two threads may make the same value at once; the first one kept wins.
    pub(crate) fn get_or_make(&self, key: &str, make: impl FnOnce() -> V) -> Arc<V> {
        let hash = rustc_hash::FxBuildHasher.hash_one(key);
        if let Some(found) = self.find(hash, key) {
            return found;
        }
        let value = Arc::new(make());
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(at) = entries.iter().position(|(h, k, _)| *h == hash && k == key) {
            return Arc::clone(&entries[at].2);
        }
        entries.push_front((hash, key.to_owned(), Arc::clone(&value)));
        entries.truncate(self.capacity);
        value
    }

    fn find(&self, hash: u64, key: &str) -> Option<Arc<V>> {
        // A memo is only ever left as a list of whole entries, so poison changes nothing.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let at = entries
            .iter()
            .position(|(h, k, _)| *h == hash && k == key)?;
        let entry = entries.remove(at)?;
        let value = Arc::clone(&entry.2);
        entries.push_front(entry);
        Some(value)
    }
}

/// One text from several: each part preceded by its length, so that different lists of parts
/// never give the same key.
pub(crate) fn key_of<'t>(parts: impl IntoIterator<Item = &'t str>) -> String {
    let mut key = String::new();
    for part in parts {
        key.push_str(&part.len().to_string());
        key.push(':');
        key.push_str(part);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_at_most_its_capacity_and_forgets_the_least_recently_used() {
        let memo = TextMemo::new(2);
        let calls = std::cell::Cell::new(0);
        let make = |value: u32| {
            calls.set(calls.get() + 1);
            value
        };
        assert_eq!(*memo.get_or_make("a", || make(1)), 1);
        assert_eq!(*memo.get_or_make("b", || make(2)), 2);
        assert_eq!(*memo.get_or_make("a", || make(9)), 1, "remembered");
        assert_eq!(*memo.get_or_make("c", || make(3)), 3);
        // "b" was used longest ago, so it went.
        assert_eq!(*memo.get_or_make("b", || make(4)), 4);
        assert_eq!(*memo.get_or_make("c", || make(9)), 3);
        assert_eq!(calls.get(), 4);
    }

    #[test]
    fn keys_of_different_parts_differ() {
        assert_ne!(key_of(["ab", "c"]), key_of(["a", "bc"]));
        assert_ne!(key_of(["a:b"]), key_of(["a", "b"]));
    }
}
