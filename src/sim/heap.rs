//! The event queue's priority queue: a radix heap on the time, in order of
//! sequence within an instant.
//!
//! Simulated time never goes back, so the queue is *monotone*: nothing is
//! pushed earlier than the last one popped. A radix heap exploits that: an
//! entry goes into the bucket named by the highest bit in which its time
//! differs from the last popped time, pushing is an append, and popping
//! refills the lowest bucket from the next non-empty one. Every entry moves
//! down a bucket at most a few times in its life, all by sequential `Vec`
//! traffic, so the queue beats a `std::collections::BinaryHeap` on the same
//! loop (README, Performance) in safe Rust. The entries at the last popped
//! time wait in a queue of their own in order of sequence: an event handled
//! at an instant often schedules others at the same instant, and they pop
//! without a refill. A push earlier than the last popped (only possible
//! after a peek that did not pop) re-files everything once, which keeps the
//! queue exact in every case.

use std::cmp::Reverse;
use std::collections::VecDeque;

/// What the queue orders by: smallest time first, then smallest sequence.
/// Keys are unique in the engine (time, then insertion sequence), so no two
/// entries tie.
pub(super) trait Keyed {
    fn time(&self) -> u64;
    fn seq(&self) -> u64;
}

/// One bucket per bit of the time, plus one for the entries at the time of
/// the last popped.
const BUCKETS: usize = 65;

#[derive(Debug)]
pub(super) struct RadixHeap<T> {
    /// The entries at the time of the last popped, the smallest sequence at
    /// the back: a simulation makes many events at one instant, and they
    /// are popped in turn without a refill each.
    now: VecDeque<T>,
    /// `buckets[b]` holds the entries whose time first differs from `last`
    /// at bit `b − 1` (`buckets[0]` stays empty: `now` stands for it).
    buckets: Vec<Vec<T>>,
    last: u64,
    len: usize,
    /// Bit `b − 1` set while bucket `b ≥ 1` may be non-empty, so finding
    /// the lowest is one instruction.
    occupied: u64,
}

fn bucket(time: u64, last: u64) -> usize {
    (64 - (time ^ last).leading_zeros()) as usize
}

impl<T: Keyed> RadixHeap<T> {
    pub fn new() -> Self {
        RadixHeap {
            now: VecDeque::new(),
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
        let time = item.time();
        if time < self.last {
            self.refile(time);
        }
        if time == self.last {
            // Nearly always the sequence is the largest yet, and the entry
            // is popped after the others of this instant; a timer's
            // deferred firing keeps the sequence of its setting.
            let seq = item.seq();
            let at = self.now.partition_point(|queued| queued.seq() > seq);
            self.now.insert(at, item);
        } else {
            self.file(time, item);
        }
        self.len += 1;
    }

    /// Files an entry later than `last`.
    fn file(&mut self, time: u64, item: T) {
        let b = bucket(time, self.last);
        self.occupied |= 1 << (b - 1);
        self.buckets[b].push(item);
    }

    /// The entry with the smallest key, brought to `now`.
    pub fn peek(&mut self) -> Option<&T> {
        if self.now.is_empty() {
            self.refill_lowest()?;
        }
        self.now.back()
    }

    pub fn pop(&mut self) -> Option<T> {
        if self.now.is_empty() {
            self.refill_lowest()?;
        }
        self.len -= 1;
        self.now.pop_back()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.now.retain(&mut keep);
        for b in &mut self.buckets {
            b.retain(&mut keep);
        }
        self.len = self.now.len() + self.buckets.iter().map(Vec::len).sum::<usize>();
        self.occupied = self.buckets[1..]
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
            .fold(0, |mask, (i, _)| mask | 1 << i);
    }

    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.now.iter().chain(self.buckets.iter().flatten())
    }

    /// Makes the earliest time the new `last` and re-files its bucket,
    /// whose entries all land in lower buckets, those of that time in
    /// `now`, in order of sequence.
    fn refill_lowest(&mut self) -> Option<()> {
        if self.occupied == 0 {
            return None;
        }
        let b = self.occupied.trailing_zeros() as usize + 1;
        self.occupied &= !(1 << (b - 1));
        if self.buckets[b].len() == 1 {
            // The common case in a small queue: the entry is the minimum.
            let item = self.buckets[b].pop()?;
            self.last = item.time();
            self.now.push_back(item);
            return Some(());
        }
        let mut items = std::mem::take(&mut self.buckets[b]);
        self.last = items.iter().map(Keyed::time).min()?;
        for item in items.drain(..) {
            let time = item.time();
            if time == self.last {
                self.now.push_back(item);
            } else {
                self.file(time, item);
            }
        }
        // Hand the emptied bucket's allocation back, so that refills do not
        // allocate again and again.
        self.buckets[b] = items;
        self.order_now();
        Some(())
    }

    /// Puts the entries of this instant in order, the smallest sequence at
    /// the back, after a refill gathered them from a bucket in any order.
    fn order_now(&mut self) {
        if self.now.len() > 1 {
            (self.now.make_contiguous()).sort_unstable_by_key(|item| Reverse(item.seq()));
        }
    }

    /// An entry earlier than `last` arrives: every entry is re-filed
    /// against it.
    fn refile(&mut self, new_last: u64) {
        self.last = new_last;
        self.occupied = 0;
        let mut all: Vec<T> = self.now.drain(..).collect();
        all.extend(self.buckets.iter_mut().flat_map(std::mem::take));
        for item in all {
            let time = item.time();
            if time == self.last {
                self.now.push_back(item);
            } else {
                self.file(time, item);
            }
        }
        self.order_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    impl Keyed for u128 {
        fn time(&self) -> u64 {
            (*self >> 64) as u64
        }
        fn seq(&self) -> u64 {
            *self as u64
        }
    }

    /// Pushes keys at or after the last popped, like a simulation clock,
    /// some at the instant last popped with an earlier sequence (a timer's
    /// deferred firing), with occasional peeks followed by earlier pushes
    /// and compactions.
    #[test]
    fn pops_in_key_order_like_a_sorted_vec() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut heap = RadixHeap::new();
        let mut reference: Vec<u128> = Vec::new();
        let mut now = 0u64;
        for step in 0..50_000u128 {
            match rng.random_range(0..11) {
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
                9 => {
                    let k = (u128::from(now) << 64) | rng.random_range(0..=step);
                    heap.push(k);
                    reference.push(k);
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
