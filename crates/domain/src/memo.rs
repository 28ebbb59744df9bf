//! A bounded memory of writes this process has already made, so that a write that would
//! change nothing the second time (an `INSERT … ON CONFLICT DO NOTHING`) is not sent again.
//!
//! It only ever saves a statement: a pair it has forgotten, or never saw because another
//! instance wrote it, is written again and the database keeps one row. A pair it remembers
//! was written by this process, after the write succeeded.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;

/// Remembers up to `capacity` pairs of strings, by a 64-bit hash under a key drawn at
/// start-up (so nobody can choose two pairs that collide); when full it forgets them all
/// and starts again. 16,384 pairs take about 256 KiB.
pub struct PairMemo {
    seen: Mutex<HashSet<u64>>,
    keys: std::collections::hash_map::RandomState,
    capacity: usize,
}

impl PairMemo {
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: Mutex::new(HashSet::new()),
            keys: std::collections::hash_map::RandomState::new(),
            capacity: capacity.max(1),
        }
    }

    fn key(&self, a: &str, b: &str) -> u64 {
        let mut h = self.keys.build_hasher();
        // Lengths first: ("ab", "c") and ("a", "bc") are different pairs.
        h.write_usize(a.len());
        h.write(a.as_bytes());
        h.write_usize(b.len());
        h.write(b.as_bytes());
        h.finish()
    }

    /// Whether `(a, b)` was remembered (and not forgotten since).
    pub fn contains(&self, a: &str, b: &str) -> bool {
        let k = self.key(a, b);
        self.seen.lock().is_ok_and(|s| s.contains(&k))
    }

    /// Remembers `(a, b)`: call it once the write has succeeded.
    pub fn remember(&self, a: &str, b: &str) {
        let k = self.key(a, b);
        if let Ok(mut s) = self.seen.lock() {
            if s.len() >= self.capacity {
                s.clear();
            }
            s.insert(k);
        }
    }
}

impl std::fmt::Debug for PairMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = self.seen.lock().map_or(0, |s| s.len());
        f.debug_struct("PairMemo")
            .field("len", &len)
            .field("capacity", &self.capacity)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_remembered_only_as_itself() {
        let m = PairMemo::new(16);
        assert!(!m.contains("sess_1", "rp"));
        m.remember("sess_1", "rp");
        assert!(m.contains("sess_1", "rp"));
        // Another client in the same session, the same client in another session, the
        // halves swapped or moved across the boundary: none of them is the remembered pair.
        assert!(!m.contains("sess_1", "rp2"));
        assert!(!m.contains("sess_2", "rp"));
        assert!(!m.contains("rp", "sess_1"));
        assert!(!m.contains("sess_1r", "p"));
        assert!(!m.contains("sess_", "1rp"));
    }

    #[test]
    fn a_full_memo_forgets_and_never_grows_past_its_capacity() {
        let m = PairMemo::new(4);
        for i in 0..4 {
            m.remember("s", &i.to_string());
        }
        assert!((0..4).all(|i| m.contains("s", &i.to_string())));
        // The fifth clears the four before it: each is written once more, never skipped
        // wrongly.
        m.remember("s", "4");
        assert!(m.contains("s", "4"));
        assert!((0..4).all(|i| !m.contains("s", &i.to_string())));
        for i in 0..100 {
            m.remember("t", &i.to_string());
            assert!(m.seen.lock().unwrap().len() <= 4);
        }
    }

    #[test]
    fn two_memos_draw_different_keys() {
        let (a, b) = (PairMemo::new(1), PairMemo::new(1));
        assert_ne!(a.key("s", "c"), b.key("s", "c"));
    }
}
