//! Pod names as a Deployment makes them: `<deployment>-<pod-template-hash>-<5 chars>`,
//! deterministic here so that the same seed gives the same trace.

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

fn push_encoded(out: &mut String, mut value: u64, len: usize) {
    for _ in 0..len {
        out.push(char::from(
            ALPHABET[(value % ALPHABET.len() as u64) as usize],
        ));
        value /= ALPHABET.len() as u64;
    }
}

/// The ReplicaSet's `pod-template-hash` for a workload's pod template.
pub(super) fn template_hash(workload: &str) -> String {
    let mut hash = String::with_capacity(10);
    push_encoded(&mut hash, fnv1a(FNV_OFFSET_BASIS, workload.as_bytes()), 10);
    hash
}

/// The `n`-th pod of the workload, written in one allocation: a year of
/// rollouts names half a million pods.
pub(super) fn pod_name(workload: &str, template_hash: &str, n: u64) -> String {
    let key = fnv1a(
        fnv1a(FNV_OFFSET_BASIS, workload.as_bytes()),
        &n.to_le_bytes(),
    );
    let mut name = String::with_capacity(workload.len() + template_hash.len() + 7);
    name.push_str(workload);
    name.push('-');
    name.push_str(template_hash);
    name.push('-');
    push_encoded(&mut name, key, 5);
    name
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
