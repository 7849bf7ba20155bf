//! Pod names as a Deployment makes them: `<deployment>-<pod-template-hash>-<5 chars>`,
//! deterministic here so that the same seed gives the same trace.

use std::rc::Rc;

/// The characters Kubernetes' `rand.String` and `SafeEncodeString` use: no
/// vowels, no look-alikes.
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, carried on from `hash`: hashing `a` then `b` is hashing `a ++ b`.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `value` written in `N` characters of the alphabet, lowest digit first.
fn encoded<const N: usize>(mut value: u64) -> [u8; N] {
    let mut out = [0; N];
    for c in &mut out {
        *c = ALPHABET[(value % ALPHABET.len() as u64) as usize];
        value /= ALPHABET.len() as u64;
    }
    out
}

/// The ReplicaSet's `pod-template-hash` for a workload's pod template.
pub(super) fn template_hash(workload: &str) -> String {
    let hash: [u8; 10] = encoded(fnv1a(FNV_OFFSET_BASIS, workload.as_bytes()));
    hash.iter().copied().map(char::from).collect()
}

/// A pod's name, `<deployment>-<pod-template-hash>-<5 chars>`: the part
/// before the suffix is its ReplicaSet's name, shared with the ReplicaSet's
/// other pods, so that naming a pod allocates nothing. It is written out
/// only where a kept event, a cause or the report reads it: a year of
/// rollouts names half a million pods, and keeps a thousand events.
#[derive(Clone, Debug, Default)]
pub(crate) struct PodName {
    replica_set: Rc<str>,
    suffix: [u8; SUFFIX_LEN],
}

const SUFFIX_LEN: usize = 5;

impl PodName {
    /// The `n`-th pod of the workload, of the ReplicaSet `replica_set`.
    pub(super) fn new(workload: &str, replica_set: &Rc<str>, n: u64) -> PodName {
        let key = fnv1a(
            fnv1a(FNV_OFFSET_BASIS, workload.as_bytes()),
            &n.to_le_bytes(),
        );
        PodName {
            replica_set: Rc::clone(replica_set),
            suffix: encoded(key),
        }
    }
}

impl std::fmt::Display for PodName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let suffix = std::str::from_utf8(&self.suffix).map_err(|_| std::fmt::Error)?;
        write!(f, "{}-{suffix}", self.replica_set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_look_like_a_deployments_and_do_not_repeat() {
        let replica_set: Rc<str> = format!("web-{}", template_hash("web")).into();
        let a = PodName::new("web", &replica_set, 0).to_string();
        let b = PodName::new("web", &replica_set, 1).to_string();
        assert_ne!(a, b);
        assert_eq!(a.len(), "web-".len() + 10 + 1 + 5);
        assert!(a.starts_with(&*replica_set));
        assert!(
            a.bytes()
                .skip(4)
                .all(|c| c == b'-' || ALPHABET.contains(&c))
        );
    }
}
