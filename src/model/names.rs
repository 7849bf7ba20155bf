//! Pod names as a Deployment makes them: `<deployment>-<pod-template-hash>-<5 chars>`,
//! deterministic here so that the same seed gives the same trace.

/// The characters Kubernetes' `rand.String` and `SafeEncodeString` use: no
/// vowels, no look-alikes.
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn encode(mut value: u64, len: usize) -> String {
    (0..len)
        .map(|_| {
            let c = ALPHABET[(value % ALPHABET.len() as u64) as usize];
            value /= ALPHABET.len() as u64;
            char::from(c)
        })
        .collect()
}

/// The ReplicaSet's `pod-template-hash` for a workload's pod template.
pub(super) fn template_hash(workload: &str) -> String {
    encode(fnv1a(workload.as_bytes()), 10)
}

/// The `n`-th pod of the workload.
pub(super) fn pod_name(workload: &str, template_hash: &str, n: u64) -> String {
    let mut key = workload.as_bytes().to_vec();
    key.extend_from_slice(&n.to_le_bytes());
    format!("{workload}-{template_hash}-{}", encode(fnv1a(&key), 5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_look_like_a_deployments_and_do_not_repeat() {
        let hash = template_hash("web");
        let a = pod_name("web", &hash, 0);
        let b = pod_name("web", &hash, 1);
        assert_ne!(a, b);
        assert_eq!(a.len(), "web-".len() + 10 + 1 + 5);
        assert!(
            a.bytes()
                .skip(4)
                .all(|c| c == b'-' || ALPHABET.contains(&c))
        );
    }
}
