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
/// stored (times come from the pop's [`crate::clock::Clock`]). Entries are kept up to
/// `keep` (at least `ttl`) so that, while the org is near its daily API allocation, an
/// older answer can be served instead of spending a request ([`PopCache::get`]'s `max_age`).
#[derive(Debug)]
pub(super) struct PopCache {
    ttl: Duration,
    keep: Duration,
    entries: HashMap<String, Entry>,
}

/// A cached answer and how old it is.
#[derive(Debug)]
pub(super) struct Hit {
    pub result: LookupResult,
    pub age: Duration,
}

impl PopCache {
    #[cfg(test)]
    pub(super) fn new(ttl: Duration) -> Self {
        PopCache::keeping(ttl, ttl)
    }

    /// A cache answering for `ttl` that keeps entries up to `keep` for a paused org.
    pub(super) fn keeping(ttl: Duration, keep: Duration) -> Self {
        PopCache {
            ttl,
            keep: if ttl.is_zero() { ttl } else { keep.max(ttl) },
            entries: HashMap::new(),
        }
    }

    /// The usual answer time.
    pub(super) fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The entry for `key` younger than `max_age` (the ttl, or longer while paused, never
    /// past what the cache keeps); one past the keep time is dropped.
    pub(super) fn get(&mut self, key: &str, now: Duration, max_age: Duration) -> Option<Hit> {
        let max_age = max_age.min(self.keep);
        let age = now.saturating_sub(self.entries.get(key)?.stored_at);
        if age < max_age {
            self.entries.get(key).map(|entry| Hit {
                result: entry.result.clone(),
                age,
            })
        } else {
            if age >= self.keep {
                self.entries.remove(key);
            }
            None
        }
    }

    pub(super) fn put(&mut self, key: String, result: LookupResult, now: Duration) {
        if self.ttl.is_zero() {
            return;
        }
        if self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(&key) {
            let keep = self.keep;
            self.entries
                .retain(|_, entry| now.saturating_sub(entry.stored_at) < keep);
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
            cached_while_paused: false,
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
        let ttl = Duration::from_secs(60);
        assert!(
            cache.get("0", Duration::from_secs(1), ttl).is_none(),
            "the oldest went first"
        );
        let last = (MAX_ENTRIES + 9).to_string();
        assert!(
            cache.get(&last, Duration::from_secs(1), ttl).is_some(),
            "the newest stays"
        );
        assert!(
            cache.get(&last, Duration::from_secs(62), ttl).is_none(),
            "stale after the TTL"
        );
        let mut off = PopCache::new(Duration::ZERO);
        off.put("x".into(), result(1), Duration::ZERO);
        assert!(
            off.get("x", Duration::ZERO, Duration::from_secs(600))
                .is_none(),
            "a zero TTL turns the cache off, paused or not"
        );
    }

    #[test]
    fn a_paused_org_may_read_older_entries_up_to_the_keep_time() {
        let (ttl, keep) = (Duration::from_secs(60), Duration::from_secs(600));
        let mut cache = PopCache::keeping(ttl, keep);
        cache.put("a".into(), result(1), Duration::ZERO);
        let at = Duration::from_secs(120);
        assert!(
            cache.get("a", at, ttl).is_none(),
            "not paused: stale after the TTL"
        );
        let hit = cache
            .get("a", at, keep)
            .expect("paused: the 2-minute-old answer is still kept and served");
        assert_eq!(hit.age, at);
        assert!(
            cache.get("a", Duration::from_secs(600), keep).is_none(),
            "never past the keep time"
        );
        assert!(
            cache.get("a", Duration::from_secs(1), keep).is_none(),
            "an entry past the keep time was dropped"
        );
    }
}
