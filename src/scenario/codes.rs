//! Stable codes of the problems a scenario can have. A code never changes
//! meaning, so scripts and CI logs can match on it, and
//! `docs/error-codes.md` explains each with an example (a test holds the
//! two lists equal). `E` codes are errors: nothing runs. `W` codes are
//! warnings: printed with their place, and the run goes on, because
//! Kubernetes itself accepts what they describe.

/// Defines [`Code`] with its list and its printed form in one place, so
/// that a code cannot be added without its number.
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $name:ident = $code:literal,)+) => {
        /// What is wrong, as a stable code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])+ $name,)+
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)+];

            /// `E013`, `W001`: as printed and as `docs/error-codes.md` lists it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)+
                }
            }
        }
    };
}

codes! {
    /// The file is not YAML: a bracket left open, a bad indentation, stray bytes.
    Syntax = "E001",
    /// A field the format does not have; the closest valid one is suggested.
    UnknownField = "E002",
    /// A value of the wrong type or form: a bad unit, quantity, percentage, a
    /// negative count, an unknown variant.
    InvalidValue = "E003",
    /// A required field is missing.
    MissingField = "E004",
    /// A key given twice in one mapping.
    DuplicateKey = "E005",
    /// The file holds nothing but comments.
    EmptyScenario = "E006",
    /// The file is past what the reader takes: its size, or what its
    /// aliases expand to (an alias bomb).
    ReaderBudget = "E007",
    /// A `--set PATH=VALUE` that cannot be applied.
    BadSet = "E008",
    /// A number or a duration outside the range its field allows.
    OutOfRange = "E010",
    /// A name Kubernetes would not accept (RFC 1123 label), or an empty one.
    InvalidName = "E011",
    /// A name given to two things that must differ.
    DuplicateName = "E012",
    /// A reference to a workload, node, pool or zone that does not exist;
    /// the closest valid name is suggested.
    UnknownName = "E013",
    /// A list that needs at least one entry is empty.
    EmptyList = "E014",
    /// Exactly one of several fields is needed (a fault's kind, a probe's
    /// handler, a PDB's bound), and not that many are given.
    ExactlyOne = "E015",
    /// Fields that do not go together.
    Conflict = "E016",
    /// A fault or rollout without `at`, `every` or `mtbf`.
    MissingTrigger = "E017",
    /// A field that another one needs is missing.
    MissingCompanion = "E018",
    /// Something Kubernetes has that nines does not model.
    NotModelled = "E019",
    /// A fault or rollout that would first happen after the end of the run.
    AfterEnd = "E020",
    /// Traffic steps not in increasing order of time.
    Unordered = "E021",
    /// A minimum above its maximum (`minReplicas > maxReplicas`).
    MinAboveMax = "E022",
    /// A starting count outside its autoscaling bounds.
    OutsideBounds = "E023",
    /// A liveness or startup probe with `successThreshold` other than 1.
    SuccessThreshold = "E024",
    /// A resource request above its limit.
    RequestAboveLimit = "E025",
    /// Another rule of Kubernetes' API validation.
    RejectedByKubernetes = "E026",
    /// `minReady` above `replicas`: the workload could never be up.
    MinReadyAboveReplicas = "E027",
    /// The app starts above its memory limit: OOMKilled at every start.
    OomAtStart = "E028",
    /// No node the workload may run on can fit one of its pods.
    FitsNoNode = "E029",
    /// A fault on more control-plane members than the cluster has.
    MoreThanExist = "E030",
    /// Past a limit (duration, nodes, pods, workloads, faults); the message
    /// names the flag that raises it.
    OverLimit = "E040",
    /// A PodDisruptionBudget that allows no voluntary disruption: a drain of
    /// a node with one of its pods blocks until the run ends.
    PdbBlocksDrains = "W001",
    /// A node pool whose nodes cannot fit one pod of a workload that may run
    /// on others.
    PoolTooSmall = "W002",
    /// A probe whose `timeoutSeconds` is longer than its `periodSeconds`.
    ProbeTimeoutOverPeriod = "W003",
    /// A `preStop` hook that outlasts `terminationGracePeriodSeconds`.
    PreStopOutlastsGrace = "W004",
}

/// Whether a problem stops the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Code {
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert_eq!(s.len(), 4, "{s}");
            assert!(matches!(&s[..1], "E" | "W"), "{s}");
            assert!(s[1..].bytes().all(|b| b.is_ascii_digit()), "{s}");
        }
    }
}
