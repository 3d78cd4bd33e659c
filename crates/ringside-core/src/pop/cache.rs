//! The screen-pop cache: the last lookup per normalised number (or email) for
//! a short time, so the answer and hang-up of a call, or a caller ringing
//! twice, cost no API call. Ringside's own edits invalidate entries.

use std::collections::HashMap;
use std::time::Duration;

use crate::lookup::{LookupResult, RelatedRecords};

/// Entries kept at most; the oldest go first when full.
pub(super) const MAX_ENTRIES: usize = 1024;

#[derive(Debug)]
struct Entry {
    stored_at: Duration,
    result: LookupResult,
}

/// Lookup results by normalised number, each valid for `ttl` from when it was
/// stored (times come from the pop's [`crate::clock::Clock`]).
#[derive(Debug)]
pub(super) struct PopCache {
    ttl: Duration,
    entries: HashMap<String, Entry>,
}

impl PopCache {
    pub(super) fn new(ttl: Duration) -> Self {
        PopCache {
            ttl,
            entries: HashMap::new(),
        }
    }

    /// A fresh entry for `key`, if any; a stale one is dropped.
    pub(super) fn get(&mut self, key: &str, now: Duration) -> Option<LookupResult> {
        let fresh = self
            .entries
            .get(key)
            .is_some_and(|entry| now.saturating_sub(entry.stored_at) < self.ttl);
        if fresh {
            self.entries.get(key).map(|entry| entry.result.clone())
        } else {
            self.entries.remove(key);
            None
        }
    }

    pub(super) fn put(&mut self, key: String, result: LookupResult, now: Duration) {
        if self.ttl.is_zero() {
            return;
        }
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&key) {
            let ttl = self.ttl;
            self.entries
                .retain(|_, entry| now.saturating_sub(entry.stored_at) < ttl);
            let oldest = self
                .entries
                .iter()
                .min_by_key(|(_, entry)| entry.stored_at)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest.filter(|_| self.entries.len() >= MAX_ENTRIES) {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(
            key,
            Entry {
                stored_at: now,
                result,
            },
        );
    }

    pub(super) fn remove(&mut self, key: &str) -> bool {
        self.entries.remove(key).is_some()
    }

    /// Gives every cached match of `record_id` its related records, loaded on
    /// demand after the pop; the entries keep their age. Returns how many matches took them.
    pub(super) fn add_related(&mut self, record_id: &str, related: &RelatedRecords) -> usize {
        let mut taken = 0;
        for entry in self.entries.values_mut() {
            for found in entry
                .result
                .matches
                .iter_mut()
                .filter(|m| m.id == record_id)
            {
                found
                    .open_opportunities
                    .clone_from(&related.open_opportunities);
                found.open_cases.clone_from(&related.open_cases);
                found.related_loaded = true;
                taken += 1;
            }
        }
        taken
    }

    /// Drops every entry that shows `record_id`; returns how many.
    pub(super) fn remove_record(&mut self, record_id: &str) -> usize {
        let before = self.entries.len();
        self.entries.retain(|_, entry| {
            !entry
                .result
                .matches
                .iter()
                .any(|found| found.id == record_id)
        });
        before - self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lookup::QueryKind;

    fn result(n: usize) -> LookupResult {
        LookupResult {
            query: n.to_string(),
            normalized: n.to_string(),
            kind: QueryKind::Phone,
            matches: Vec::new(),
            api_calls: 1,
            left_out: Vec::new(),
            cached: false,
            elapsed_ms: 0,
        }
    }

    #[test]
    fn bounded_and_expiring() {
        let mut cache = PopCache::new(Duration::from_secs(60));
        for n in 0..(MAX_ENTRIES + 10) {
            cache.put(n.to_string(), result(n), Duration::from_millis(n as u64));
        }
        assert!(
            cache.entries.len() <= MAX_ENTRIES,
            "never more than {MAX_ENTRIES} entries"
        );
        assert!(
            cache.get("0", Duration::from_secs(1)).is_none(),
            "the oldest went first"
        );
        let last = (MAX_ENTRIES + 9).to_string();
        assert!(
            cache.get(&last, Duration::from_secs(1)).is_some(),
            "the newest stays"
        );
        assert!(
            cache.get(&last, Duration::from_secs(62)).is_none(),
            "stale after the TTL"
        );
        let mut off = PopCache::new(Duration::ZERO);
        off.put("x".into(), result(1), Duration::ZERO);
        assert!(
            off.get("x", Duration::ZERO).is_none(),
            "a zero TTL turns the cache off"
        );
    }
}
