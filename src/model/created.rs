//! A list of pods in creation order (a workload's, a version's) with their
//! uids beside them: a pod leaves it found by a binary search over the
//! uids, which lie in one array, where a search reading each probed pod's
//! uid from the pod itself missed the cache at every step.

use super::PodId;

#[derive(Debug, Default, Clone)]
pub(super) struct CreatedPods {
    ids: Vec<PodId>,
    /// `ids`' uids, increasing.
    uids: Vec<u64>,
}

impl CreatedPods {
    /// Adds the pod created last.
    pub fn push(&mut self, id: PodId, uid: u64) {
        debug_assert!(self.uids.last().is_none_or(|&last| last < uid));
        self.ids.push(id);
        self.uids.push(uid);
    }

    /// Removes the pod with `uid`, keeping the others in order.
    pub fn remove(&mut self, uid: u64) {
        if let Ok(i) = self.uids.binary_search(&uid) {
            self.ids.remove(i);
            self.uids.remove(i);
        }
    }

    /// Gives the memory back once empty: a year of daily deploys leaves
    /// thousands of versions behind.
    pub fn release_if_empty(&mut self) {
        if self.ids.is_empty() {
            *self = CreatedPods::default();
        }
    }
}

impl std::ops::Deref for CreatedPods {
    type Target = [PodId];

    fn deref(&self) -> &[PodId] {
        &self.ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_leaves_by_its_uid_and_the_rest_keep_their_order() {
        let mut pods = CreatedPods::default();
        for (id, uid) in [(4, 10), (1, 11), (7, 15), (2, 16)] {
            pods.push(id, uid);
        }
        pods.remove(15);
        assert_eq!(*pods, [4, 1, 2]);
        pods.remove(15);
        pods.remove(10);
        assert_eq!(*pods, [1, 2]);
        pods.remove(11);
        pods.remove(16);
        assert!(pods.is_empty());
        pods.release_if_empty();
        assert_eq!(pods.uids.capacity(), 0);
    }
}
