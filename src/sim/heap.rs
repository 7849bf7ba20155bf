//! The event queue's priority queue: a radix heap on a `u128` key.
//!
//! Simulated time never goes back, so the queue is *monotone*: nothing is
//! pushed with a key below the last one popped (the key is the time, then the
//! insertion sequence). A radix heap exploits that: an entry goes into the
//! bucket named by the highest bit in which its key differs from the last
//! popped key, pushing is an append, and popping refills the lowest bucket
//! from the next non-empty one. Every entry moves down a bucket at most a
//! few times in its life, all by sequential `Vec` traffic, so the queue
//! beats a `std::collections::BinaryHeap` on the same loop (README,
//! Performance) in safe Rust. A push below the last popped key (only
//! possible after a peek that did not pop) re-files everything once, which
//! keeps the queue exact in every case.

/// What the queue orders by: smallest first. Keys are unique in the engine
/// (time, then insertion sequence), so no two entries tie.
pub(super) trait Keyed {
    fn key(&self) -> u128;
}

/// One bucket per bit of the key, plus one for keys equal to the last popped.
const BUCKETS: usize = 129;

#[derive(Debug)]
pub(super) struct RadixHeap<T> {
    /// `buckets[b]` holds the entries whose key first differs from `last` at
    /// bit `b − 1` (bucket 0: equal to `last`).
    buckets: Vec<Vec<T>>,
    last: u128,
    len: usize,
    /// Bit `b − 1` set while bucket `b ≥ 1` may be non-empty, so finding
    /// the lowest is one instruction.
    occupied: u128,
}

fn bucket(key: u128, last: u128) -> usize {
    (128 - (key ^ last).leading_zeros()) as usize
}

impl<T: Keyed> RadixHeap<T> {
    pub fn new() -> Self {
        RadixHeap {
            buckets: (0..BUCKETS).map(|_| Vec::new()).collect(),
            last: 0,
            len: 0,
            occupied: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn push(&mut self, item: T) {
        let key = item.key();
        if key < self.last {
            self.refile(key);
        }
        self.file(key, item);
        self.len += 1;
    }

    fn file(&mut self, key: u128, item: T) {
        let b = bucket(key, self.last);
        if b > 0 {
            self.occupied |= 1 << (b - 1);
        }
        self.buckets[b].push(item);
    }

    /// The entry with the smallest key, brought to bucket 0.
    pub fn peek(&mut self) -> Option<&T> {
        if self.buckets[0].is_empty() {
            self.refill_lowest()?;
        }
        self.buckets[0].last()
    }

    pub fn pop(&mut self) -> Option<T> {
        if self.buckets[0].is_empty() {
            self.refill_lowest()?;
        }
        self.len -= 1;
        self.buckets[0].pop()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        for b in &mut self.buckets {
            b.retain(&mut keep);
        }
        self.len = self.buckets.iter().map(Vec::len).sum();
        self.occupied = self.buckets[1..]
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
            .fold(0, |mask, (i, _)| mask | 1 << i);
    }

    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.buckets.iter().flatten()
    }

    /// Makes the smallest key the new `last` and re-files its bucket, whose
    /// entries all land in lower buckets, the smallest in bucket 0.
    fn refill_lowest(&mut self) -> Option<()> {
        if self.occupied == 0 {
            return None;
        }
        let b = self.occupied.trailing_zeros() as usize + 1;
        self.occupied &= !(1 << (b - 1));
        if self.buckets[b].len() == 1 {
            // The common case in a small queue: the entry is the minimum.
            let item = self.buckets[b].pop()?;
            self.last = item.key();
            self.buckets[0].push(item);
            return Some(());
        }
        let mut items = std::mem::take(&mut self.buckets[b]);
        self.last = items.iter().map(Keyed::key).min()?;
        for item in items.drain(..) {
            let key = item.key();
            self.file(key, item);
        }
        // Hand the emptied bucket's allocation back, so that refills do not
        // allocate again and again.
        self.buckets[b] = items;
        Some(())
    }

    /// A key below `last` arrives: every entry is re-filed against it.
    fn refile(&mut self, new_last: u128) {
        self.last = new_last;
        self.occupied = 0;
        let all: Vec<T> = self.buckets.iter_mut().flat_map(std::mem::take).collect();
        for item in all {
            let key = item.key();
            self.file(key, item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    impl Keyed for u128 {
        fn key(&self) -> u128 {
            *self
        }
    }

    /// Pushes keys at or after the last popped, like a simulation clock,
    /// with occasional peeks followed by earlier pushes and compactions.
    #[test]
    fn pops_in_key_order_like_a_sorted_vec() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut heap = RadixHeap::new();
        let mut reference: Vec<u128> = Vec::new();
        let mut now = 0u64;
        for step in 0..50_000u128 {
            match rng.random_range(0..10) {
                0..6 => {
                    let at = now + rng.random_range(0..1000u64);
                    let k = (u128::from(at) << 64) | step;
                    heap.push(k);
                    reference.push(k);
                }
                6..9 => {
                    reference.sort_unstable_by(|a, b| b.cmp(a));
                    let popped = heap.pop();
                    assert_eq!(popped, reference.pop());
                    if let Some(k) = popped {
                        now = (k >> 64) as u64;
                    }
                }
                _ => {
                    // A peek that does not pop, then a push before it.
                    let peeked = heap.peek().copied();
                    reference.sort_unstable();
                    assert_eq!(peeked, reference.first().copied());
                    let k = (u128::from(now) << 64) | step;
                    heap.push(k);
                    reference.push(k);
                }
            }
            if step % 5000 == 4999 {
                heap.retain(|k| k % 3 != 0);
                reference.retain(|k| k % 3 != 0);
            }
            assert_eq!(heap.len(), reference.len());
        }
        reference.sort_unstable();
        let drained: Vec<u128> = std::iter::from_fn(|| heap.pop()).collect();
        assert_eq!(drained, reference);
    }
}
