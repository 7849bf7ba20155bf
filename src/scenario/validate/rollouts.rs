//! Checks of the rollouts: a workload that exists, a time, and what the
//! new version changes.

use serde_saphyr::Spanned;

use super::Checker;
use crate::scenario::file;
use crate::scenario::*;

impl Checker {
    pub(super) fn rollouts(
        &mut self,
        specs: &[Spanned<file::RolloutSpec>],
        workloads: &[Workload],
        duration: SimDuration,
    ) -> Vec<Rollout> {
        let names: Vec<String> = workloads.iter().map(|w| w.name.clone()).collect();
        let mut out = Vec::new();
        for (i, spanned) in specs.iter().enumerate() {
            let path = format!("rollouts[{i}]");
            let r = &spanned.value;
            let workload =
                self.resolve(&format!("{path}.workload"), "workload", &r.workload, &names);
            let trigger = match (r.at, r.every) {
                (Some(at), None) => Trigger::At(SimTime::ZERO + at.get()),
                (at, Some(period)) => Trigger::Every {
                    first: SimTime::ZERO + at.map_or(period.get(), |a| a.get()),
                    period: period.get(),
                },
                (None, None) => {
                    self.report_at(
                        Code::MissingTrigger,
                        &path,
                        spanned,
                        "a rollout needs `at` or `every`",
                    );
                    continue;
                }
            };
            let first = match trigger {
                Trigger::At(t) | Trigger::Every { first: t, .. } => t,
                Trigger::Mtbf(_) => SimTime::ZERO,
            };
            if first.since_start() > duration {
                self.report_at(
                    Code::AfterEnd,
                    format!("{path}.at"),
                    spanned,
                    format!(
                        "the rollout would start at {first}, after the end of the run ({duration})"
                    ),
                );
            }
            let Some(w) = workload else {
                continue;
            };
            out.push(Rollout {
                trigger,
                workload: w,
                app: super::workloads::app(&r.app, &workloads[w].app),
                breaks_previous_version: r.breaks_previous_version,
                rollback_on_failure: r.rollback_on_failure,
            });
        }
        out
    }
}
