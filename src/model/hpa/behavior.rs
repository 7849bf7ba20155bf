//! What the HPA controller remembers of one HPA between syncs, and how it
//! turns the metrics' proposal into the scale it writes: `reconcileAutoscaler`
//! and `normalizeDesiredReplicasWithBehaviors` in
//! `pkg/controller/podautoscaler/horizontal.go` (kubernetes/kubernetes).
//!
//! Kubernetes keeps this memory in the controller process, not in the API:
//! a new kube-controller-manager leader starts with none, which is
//! `Recommendations::default()`.

use super::replica_calculator::{Proposal, rescale_reason};
use crate::scenario::{Hpa, PolicyKind, ScalingRules, SelectPolicy};
use crate::sim::{SimDuration, SimTime};

/// `timestampedRecommendation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TimestampedRecommendation {
    recommendation: u32,
    timestamp: SimTime,
}

/// `timestampedScaleEvent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TimestampedScaleEvent {
    replica_change: u32,
    timestamp: SimTime,
    /// Older than the direction's longest policy period at the last scale
    /// in that direction: its slot is free for the next one.
    outdated: bool,
}

/// The controller's `recommendations`, `scaleUpEvents` and
/// `scaleDownEvents` for one HPA.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Recommendations {
    /// Set at the first sync, which records the current scale as a
    /// recommendation (`recordInitialRecommendation`): a controller that
    /// just started does not scale down before a full window has passed.
    synced: bool,
    /// The unstabilized recommendations still inside a stabilization window.
    recommendations: Vec<TimestampedRecommendation>,
    scale_up_events: Vec<TimestampedScaleEvent>,
    scale_down_events: Vec<TimestampedScaleEvent>,
}

/// A recommendation after stabilization and the rate policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Normalized {
    pub replicas: u32,
    /// The `ScalingLimited` condition's reason when a policy or a bound cut
    /// the stabilized recommendation: `ScaleUpLimit`, `TooManyReplicas`,
    /// `ScaleDownLimit` or `TooFewReplicas`.
    pub limited_by: Option<&'static str>,
}

/// A sync's decision to write a new scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rescale {
    pub replicas: u32,
    /// The `SuccessfulRescale` event's reason.
    pub reason: String,
    /// See [`Normalized::limited_by`].
    pub limited_by: Option<&'static str>,
}

/// `reconcileAutoscaler`, from the scale it read to the one it would write:
/// `None` when it writes nothing. `proposal` is the metrics' answer
/// ([`super::replica_calculator::Calculation::proposal`]), `None`
/// when they failed; it is not consulted while the scale is outside
/// `[minReplicas, maxReplicas]`, which is corrected first, or zero, which
/// Kubernetes reads as autoscaling turned off.
///
/// The scale event is not stored here: Kubernetes stores it only once the
/// write succeeded, so the caller calls [`Recommendations::record_scale`]
/// then.
pub(crate) fn reconcile(
    state: &mut Recommendations,
    now: SimTime,
    current: u32,
    proposal: Option<&Proposal>,
    hpa: &Hpa,
) -> Option<Rescale> {
    if !state.synced {
        state.synced = true;
        state.recommendations.push(TimestampedRecommendation {
            recommendation: current,
            timestamp: now,
        });
    }
    let (replicas, reason, limited_by) = if current == 0 && hpa.min_replicas != 0 {
        return None;
    } else if current > hpa.max_replicas {
        let reason = "Current number of replicas above Spec.MaxReplicas";
        (hpa.max_replicas, reason.to_owned(), None)
    } else if current < hpa.min_replicas {
        let reason = "Current number of replicas below Spec.MinReplicas";
        (hpa.min_replicas, reason.to_owned(), None)
    } else {
        let proposal = proposal?;
        let reason = rescale_reason(current, proposal.replicas, proposal.metric_name);
        let normalized = state.normalize(now, current, proposal.replicas, hpa);
        (normalized.replicas, reason, normalized.limited_by)
    };
    (replicas != current).then_some(Rescale {
        replicas,
        reason,
        limited_by,
    })
}

impl Recommendations {
    /// `normalizeDesiredReplicasWithBehaviors`: stabilize `desired` over the
    /// recent recommendations (recording it), then bound the change by the
    /// rate policies and by `minReplicas`/`maxReplicas`.
    pub fn normalize(&mut self, now: SimTime, current: u32, desired: u32, hpa: &Hpa) -> Normalized {
        let stabilized = self.stabilize(now, current, desired, hpa);
        let (replicas, limited_by) = self.convert_with_behavior_rate(now, current, stabilized, hpa);
        Normalized {
            replicas,
            limited_by,
        }
    }

    /// `storeScaleEvent`, after a successful write of the scale. Kubernetes
    /// reuses the slot of an event outdated in that direction, and only
    /// one: the others stay, and still count against the other direction's
    /// policies while those have longer periods. That is kept as it is,
    /// since it decides how far a scale-down may go after a scale-up. The
    /// list stays short: an event is appended only when every other one is
    /// within the direction's longest period, and there is at most one
    /// scale per sync.
    pub fn record_scale(&mut self, now: SimTime, from: u32, to: u32, hpa: &Hpa) {
        let (events, rules, replica_change) = if to > from {
            (&mut self.scale_up_events, &hpa.behavior.scale_up, to - from)
        } else {
            (
                &mut self.scale_down_events,
                &hpa.behavior.scale_down,
                from - to,
            )
        };
        let longest_policy_period = rules
            .policies
            .iter()
            .map(|policy| policy.period)
            .max()
            .unwrap_or(SimDuration::ZERO);
        // markScaleEventsOutdated
        for event in events.iter_mut() {
            if now.saturating_since(event.timestamp) > longest_policy_period {
                event.outdated = true;
            }
        }
        let event = TimestampedScaleEvent {
            replica_change,
            timestamp: now,
            outdated: false,
        };
        match events.iter().rposition(|event| event.outdated) {
            Some(slot) => events[slot] = event,
            None => events.push(event),
        }
    }

    /// Records what the syncs skipped while the controller rested would
    /// have recorded. The model runs no sync while nothing can change: each
    /// skipped sync's raw recommendation was `replicas`, the one the sync
    /// before the rest made (the current scale, or a lower one the windows
    /// or the policies held back), and it scaled nothing. On waking, the
    /// model calls this with the last skipped sync's time, so that the
    /// stabilization windows hold what Kubernetes' would. The latest of
    /// those equal recommendations is enough: it is inside a window
    /// whenever an earlier one is. For the same reason an earlier
    /// recommendation of the same value is dropped here, which bounds the
    /// list even if no sync follows.
    pub fn record_rest(&mut self, at: SimTime, replicas: u32) {
        self.synced = true;
        self.recommendations
            .retain(|rec| rec.recommendation != replicas || rec.timestamp > at);
        self.recommendations.push(TimestampedRecommendation {
            recommendation: replicas,
            timestamp: at,
        });
    }

    /// The first instant after `now` at which a recommendation leaves a
    /// stabilization window or a scale event a policy's period: until then,
    /// syncs that recommend the same make the same decision. Each event is
    /// counted against both directions' periods, as
    /// [`Recommendations::normalize`] reads them.
    pub fn next_expiry(&self, now: SimTime, hpa: &Hpa) -> Option<SimTime> {
        let (up, down) = (&hpa.behavior.scale_up, &hpa.behavior.scale_down);
        let windows = [up.stabilization_window, down.stabilization_window];
        let periods = || (up.policies.iter()).chain(&down.policies).map(|p| p.period);
        let recommendations = (self.recommendations.iter())
            .flat_map(|rec| windows.map(|window| rec.timestamp + window));
        let events = (self.scale_up_events.iter())
            .chain(&self.scale_down_events)
            .flat_map(|event| periods().map(move |period| event.timestamp + period));
        recommendations.chain(events).filter(|&t| t > now).min()
    }

    /// `stabilizeRecommendationWithBehaviors`: a scale-up goes no higher
    /// than the lowest recommendation in the scale-up window, a scale-down
    /// no lower than the highest in the scale-down window, and `desired` is
    /// recorded unstabilized. Where Kubernetes overwrites one recommendation
    /// older than both windows, all of those are dropped here: past both
    /// windows, a recommendation never counts again, so the answers are
    /// the same and the list holds only the windows' content.
    fn stabilize(&mut self, now: SimTime, current: u32, desired: u32, hpa: &Hpa) -> u32 {
        let up_window = hpa.behavior.scale_up.stabilization_window;
        let down_window = hpa.behavior.scale_down.stabilization_window;
        // `timestamp.After(now - window)`, without going below time zero.
        let inside = |rec: &TimestampedRecommendation, window: SimDuration| {
            now.saturating_since(rec.timestamp) < window
        };
        let mut up_recommendation = desired;
        let mut down_recommendation = desired;
        for rec in &self.recommendations {
            if inside(rec, up_window) {
                up_recommendation = up_recommendation.min(rec.recommendation);
            }
            if inside(rec, down_window) {
                down_recommendation = down_recommendation.max(rec.recommendation);
            }
        }
        let recommendation = current.max(up_recommendation).min(down_recommendation);

        self.recommendations
            .retain(|rec| inside(rec, up_window) || inside(rec, down_window));
        self.recommendations.push(TimestampedRecommendation {
            recommendation: desired,
            timestamp: now,
        });
        recommendation
    }

    /// `convertDesiredReplicasWithBehaviorRate`.
    fn convert_with_behavior_rate(
        &self,
        now: SimTime,
        current: u32,
        desired: u32,
        hpa: &Hpa,
    ) -> (u32, Option<&'static str>) {
        let behavior = &hpa.behavior;
        if desired > current {
            // No further scale-up until the period's events expire.
            let limit = self
                .scale_up_limit(now, current, &behavior.scale_up)
                .max(i64::from(current));
            let (maximum_allowed, reason) = if i64::from(hpa.max_replicas) > limit {
                (limit, "ScaleUpLimit")
            } else {
                (i64::from(hpa.max_replicas), "TooManyReplicas")
            };
            if i64::from(desired) > maximum_allowed {
                return (replicas(maximum_allowed), Some(reason));
            }
        } else if desired < current {
            let limit = self
                .scale_down_limit(now, current, &behavior.scale_down)
                .min(i64::from(current));
            let (minimum_allowed, reason) = if i64::from(hpa.min_replicas) < limit {
                (limit, "ScaleDownLimit")
            } else {
                (i64::from(hpa.min_replicas), "TooFewReplicas")
            };
            if i64::from(desired) < minimum_allowed {
                return (replicas(minimum_allowed), Some(reason));
            }
        }
        (desired, None)
    }

    /// `calculateScaleUpLimitWithScalingRules`: the most replicas the
    /// policies allow, each counted from the scale at the start of its
    /// period. `Percent` rounds up, or a small Deployment could never grow.
    fn scale_up_limit(&self, now: SimTime, current: u32, rules: &ScalingRules) -> i64 {
        let (mut result, select): (i64, fn(i64, i64) -> i64) = match rules.select_policy {
            SelectPolicy::Disabled => return i64::from(current),
            SelectPolicy::Min => (i64::from(i32::MAX), i64::min),
            SelectPolicy::Max => (i64::from(i32::MIN), i64::max),
        };
        for policy in &rules.policies {
            let start = self.period_start_replicas(now, current, policy.period);
            let proposed = match policy.kind {
                PolicyKind::Pods => start + i64::from(policy.value),
                PolicyKind::Percent => {
                    (start as f64 * (1.0 + f64::from(policy.value) / 100.0)).ceil() as i64
                }
            };
            result = select(result, proposed);
        }
        result
    }

    /// `calculateScaleDownLimitWithBehaviors`: the fewest replicas the
    /// policies allow. `Percent` truncates what may remain (Go's
    /// `int32(float64)`), so 10 % of 15 may remove two pods: 13.5 → 13.
    fn scale_down_limit(&self, now: SimTime, current: u32, rules: &ScalingRules) -> i64 {
        let (mut result, select): (i64, fn(i64, i64) -> i64) = match rules.select_policy {
            SelectPolicy::Disabled => return i64::from(current),
            // The smallest change is the highest floor.
            SelectPolicy::Min => (i64::from(i32::MIN), i64::max),
            SelectPolicy::Max => (i64::from(i32::MAX), i64::min),
        };
        for policy in &rules.policies {
            let start = self.period_start_replicas(now, current, policy.period);
            let proposed = match policy.kind {
                PolicyKind::Pods => start - i64::from(policy.value),
                PolicyKind::Percent => {
                    (start as f64 * (1.0 - f64::from(policy.value) / 100.0)) as i64
                }
            };
            result = select(result, proposed);
        }
        result
    }

    /// The scale when the policy's period began: the current one, less what
    /// was added and plus what was removed within the period, in either
    /// direction.
    fn period_start_replicas(&self, now: SimTime, current: u32, period: SimDuration) -> i64 {
        i64::from(current) - replicas_change_per_period(now, period, &self.scale_up_events)
            + replicas_change_per_period(now, period, &self.scale_down_events)
    }
}

/// `getReplicasChangePerPeriod`: the events strictly within the period, so
/// one exactly a period old no longer counts.
fn replicas_change_per_period(
    now: SimTime,
    period: SimDuration,
    events: &[TimestampedScaleEvent],
) -> i64 {
    events
        .iter()
        .filter(|event| now.saturating_since(event.timestamp) < period)
        .map(|event| i64::from(event.replica_change))
        .sum()
}

/// A bound already between zero and `maxReplicas`, back to a count.
fn replicas(bound: i64) -> u32 {
    u32::try_from(bound.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{HpaBehavior, HpaMetric, ResourceName, ResourceTarget, ScalingPolicy};

    fn secs(s: u64) -> SimTime {
        SimTime::from_secs(s)
    }

    fn default_behavior() -> HpaBehavior {
        HpaBehavior::kubernetes_default(SimDuration::from_secs(300), 0.1)
    }

    fn hpa(min_replicas: u32, max_replicas: u32, behavior: HpaBehavior) -> Hpa {
        Hpa {
            min_replicas,
            max_replicas,
            metrics: vec![HpaMetric::Resource {
                resource: ResourceName::Cpu,
                target: ResourceTarget::Utilization(50),
            }],
            behavior,
        }
    }

    fn policy(kind: PolicyKind, value: u32, period_s: u64) -> ScalingPolicy {
        ScalingPolicy {
            kind,
            value,
            period: SimDuration::from_secs(period_s),
        }
    }

    fn proposal(replicas: u32) -> Proposal {
        Proposal {
            replicas,
            metric_name: "cpu resource utilization (percentage of request)",
        }
    }

    /// A fresh controller's first look: nothing recorded, so stabilization
    /// passes `desired` through and only the policies and bounds act.
    fn first_normalize(hpa: &Hpa, current: u32, desired: u32) -> Normalized {
        Recommendations::default().normalize(secs(0), current, desired, hpa)
    }

    #[test]
    fn a_scale_down_waits_for_the_window_to_forget_the_higher_recommendations() {
        // Syncs every 15 s at 10 replicas recommending 10, up to 90 s; from
        // 105 s they recommend 4. The 300 s window holds the 10 from 90 s
        // until 390 s: at 375 s (285 s after) it is still 10; at 390 s the
        // 10 is exactly 300 s old, out of the window, and the highest left
        // is 4. Scale-down 100 % per 15 s allows all of it at once.
        let hpa = hpa(1, 20, default_behavior());
        let mut recs = Recommendations::default();
        for t in (0..=90).step_by(15) {
            assert_eq!(recs.normalize(secs(t), 10, 10, &hpa).replicas, 10);
        }
        for t in (105..=375).step_by(15) {
            assert_eq!(
                recs.normalize(secs(t), 10, 4, &hpa).replicas,
                10,
                "at {t} s"
            );
        }
        assert_eq!(recs.normalize(secs(390), 10, 4, &hpa).replicas, 4);
    }

    #[test]
    fn recommendations_past_both_windows_are_dropped() {
        let hpa = hpa(1, 20, default_behavior());
        let mut recs = Recommendations::default();
        for t in (0..=3600).step_by(15) {
            recs.normalize(secs(t), 10, 10, &hpa);
        }
        // Those younger than 300 s (15 s to 285 s old: 19), and the one
        // just made.
        assert_eq!(recs.recommendations.len(), 20);
    }

    #[test]
    fn a_rest_keeps_the_window_as_the_skipped_syncs_would_have() {
        // Synced at 0 s (10 → 10), then rested: the syncs up to 585 s were
        // skipped, each recommending 10. At 600 s the load drops (desired 4):
        // the 10 from 585 s is in the window, so the scale stays at 10.
        let hpa = hpa(1, 20, default_behavior());
        let mut recs = Recommendations::default();
        recs.normalize(secs(0), 10, 10, &hpa);
        let mut rested = recs.clone();
        rested.record_rest(secs(585), 10);
        assert_eq!(rested.normalize(secs(600), 10, 4, &hpa).replicas, 10);
        // Without it, the window would look empty and let the drop through.
        assert_eq!(recs.normalize(secs(600), 10, 4, &hpa).replicas, 4);
    }

    #[test]
    fn a_hold_lasts_until_a_recommendation_or_a_scale_event_expires() {
        // Default behavior: no scale-up window, a 300 s scale-down window,
        // 15 s policy periods. Synced at 10 s (10 → 10): the 10 leaves the
        // scale-down window at 310 s, not before.
        let hpa = hpa(1, 20, default_behavior());
        let mut recs = Recommendations::default();
        recs.normalize(secs(10), 10, 10, &hpa);
        assert_eq!(recs.next_expiry(secs(10), &hpa), Some(secs(310)));
        // A scale-down at 100 s counts against the policies for 15 s.
        recs.record_scale(secs(100), 10, 8, &hpa);
        assert_eq!(recs.next_expiry(secs(100), &hpa), Some(secs(115)));
        // Exactly a period old, it no longer counts: what is next is later.
        assert_eq!(recs.next_expiry(secs(115), &hpa), Some(secs(310)));
        // Until then, a held lower recommendation decides the same, and
        // from then on it does not.
        assert_eq!(recs.clone().normalize(secs(309), 10, 4, &hpa).replicas, 10);
        assert_eq!(recs.normalize(secs(310), 10, 4, &hpa).replicas, 4);
    }

    #[test]
    fn the_default_scale_up_adds_four_pods_or_doubles_whichever_is_more() {
        let hpa = hpa(1, 100, default_behavior());
        // From 2: max(2 + 4, ceil(2 × 2)) = 6.
        let n = first_normalize(&hpa, 2, 50);
        assert_eq!(n.replicas, 6);
        assert_eq!(n.limited_by, Some("ScaleUpLimit"));
        // From 10: max(10 + 4, ceil(10 × 2)) = 20.
        assert_eq!(first_normalize(&hpa, 10, 50).replicas, 20);
    }

    #[test]
    fn select_policy_min_takes_the_smaller_change() {
        let mut behavior = default_behavior();
        behavior.scale_up.select_policy = SelectPolicy::Min;
        let hpa = hpa(1, 100, behavior);
        // From 10: min(10 + 4, 20) = 14; from 2: min(6, 4) = 4.
        assert_eq!(first_normalize(&hpa, 10, 50).replicas, 14);
        assert_eq!(first_normalize(&hpa, 2, 50).replicas, 4);
    }

    #[test]
    fn select_policy_disabled_stops_that_direction() {
        let mut behavior = default_behavior();
        behavior.scale_down.select_policy = SelectPolicy::Disabled;
        let hpa = hpa(1, 100, behavior);
        let n = first_normalize(&hpa, 10, 2);
        assert_eq!(n.replicas, 10);
        assert_eq!(n.limited_by, Some("ScaleDownLimit"));
        assert_eq!(first_normalize(&hpa, 10, 12).replicas, 12);
    }

    #[test]
    fn the_default_scale_down_goes_to_min_replicas_at_once() {
        // 100 % per 15 s: floor 10 × (1 − 1) = 0, so minReplicas (2) binds.
        let hpa = hpa(2, 20, default_behavior());
        let n = first_normalize(&hpa, 10, 1);
        assert_eq!(n.replicas, 2);
        assert_eq!(n.limited_by, Some("TooFewReplicas"));
        assert_eq!(first_normalize(&hpa, 10, 3).replicas, 3);
    }

    #[test]
    fn a_percent_scale_down_truncates() {
        // 10 % of 10 per minute: int32(10 × 0.9) = 9.
        let mut behavior = default_behavior();
        behavior.scale_down.policies = vec![policy(PolicyKind::Percent, 10, 60)];
        let hpa = hpa(1, 20, behavior);
        let n = first_normalize(&hpa, 10, 1);
        assert_eq!(n.replicas, 9);
        assert_eq!(n.limited_by, Some("ScaleDownLimit"));
        // From 15: int32(15 × 0.9) = int32(13.5) = 13.
        assert_eq!(first_normalize(&hpa, 15, 1).replicas, 13);
    }

    #[test]
    fn scale_ups_within_one_period_count_together() {
        // At 0 s, 2 → 3 (+1). At 5 s, from 3: the period began at 3 − 1 = 2,
        // so max(2 + 4, ceil(2 × 2)) = 6, not max(3 + 4, 6) = 7. Then 3 → 6
        // (+3) at 5 s; at 10 s the period began at 6 − 4 = 2: still 6.
        // At 15 s the +1 is exactly a period old and no longer counts, the
        // +3 does: start 6 − 3 = 3, max(3 + 4, ceil(3 × 2)) = 7.
        let hpa = hpa(1, 100, default_behavior());
        let mut recs = Recommendations::default();
        recs.record_scale(secs(0), 2, 3, &hpa);
        assert_eq!(recs.normalize(secs(5), 3, 50, &hpa).replicas, 6);
        recs.record_scale(secs(5), 3, 6, &hpa);
        assert_eq!(recs.normalize(secs(10), 6, 50, &hpa).replicas, 6);
        assert_eq!(recs.normalize(secs(15), 6, 50, &hpa).replicas, 7);
        // At 20 s both are a period old: max(6 + 4, 12) = 12.
        assert_eq!(recs.normalize(secs(20), 6, 50, &hpa).replicas, 12);
    }

    #[test]
    fn a_scale_up_counts_against_a_scale_down_until_its_slot_is_reused() {
        // Scale-down: 1 pod per 60 s, no window. A scale-up 4 → 8 at 0 s.
        // At 30 s, from 8 to 1: the 60 s period began at 8 − 4 = 4, so the
        // floor is 4 − 1 = 3.
        let mut behavior = default_behavior();
        behavior.scale_down.stabilization_window = SimDuration::ZERO;
        behavior.scale_down.policies = vec![policy(PolicyKind::Pods, 1, 60)];
        let hpa = hpa(1, 20, behavior);
        let mut recs = Recommendations::default();
        recs.record_scale(secs(0), 4, 8, &hpa);
        assert_eq!(recs.clone().normalize(secs(30), 8, 1, &hpa).replicas, 3);
        // A second scale-up 8 → 9 at 20 s: the first is past the longest
        // scale-up period (15 s), so the second takes its slot, and the
        // first no longer counts. At 30 s from 9: start 9 − 1 = 8, floor 7.
        recs.record_scale(secs(20), 8, 9, &hpa);
        let n = recs.normalize(secs(30), 9, 1, &hpa);
        assert_eq!(n.replicas, 7);
        assert_eq!(n.limited_by, Some("ScaleDownLimit"));
    }

    #[test]
    fn scale_events_reuse_outdated_slots() {
        let hpa = hpa(1, 1000, default_behavior());
        let mut recs = Recommendations::default();
        for (i, t) in (0..=3600).step_by(15).enumerate() {
            let from = 10 + i as u32;
            recs.record_scale(secs(t), from, from + 1, &hpa);
        }
        // Each event is exactly 15 s old at the next, not past the period,
        // so two slots alternate.
        assert_eq!(recs.scale_up_events.len(), 2);
    }

    #[test]
    fn recommendations_are_clamped_to_max_replicas() {
        // From 8 the policies allow 16; maxReplicas 10 binds.
        let hpa = hpa(1, 10, default_behavior());
        let n = first_normalize(&hpa, 8, 20);
        assert_eq!(n.replicas, 10);
        assert_eq!(n.limited_by, Some("TooManyReplicas"));
    }

    #[test]
    fn a_scale_outside_the_bounds_is_corrected_before_the_metrics() {
        let hpa = hpa(2, 10, default_behavior());
        let mut recs = Recommendations::default();
        // 12 > 10: to 10, whatever the metrics say, even if they failed.
        let rescale = reconcile(&mut recs, secs(0), 12, Some(&proposal(15)), &hpa);
        assert_eq!(
            rescale,
            Some(Rescale {
                replicas: 10,
                reason: "Current number of replicas above Spec.MaxReplicas".to_owned(),
                limited_by: None,
            })
        );
        let rescale = reconcile(&mut recs, secs(15), 1, None, &hpa);
        assert_eq!(
            rescale.map(|r| (r.replicas, r.reason)),
            Some((
                2,
                "Current number of replicas below Spec.MinReplicas".to_owned()
            ))
        );
        // Scaled to zero by hand with minReplicas 2: autoscaling is off.
        assert_eq!(
            reconcile(&mut recs, secs(30), 0, Some(&proposal(5)), &hpa),
            None
        );
    }

    #[test]
    fn a_sync_scales_up_at_the_policy_rate_and_names_the_metric() {
        // From 3 the metrics ask for 9: max(3 + 4, 6) = 7.
        let hpa = hpa(1, 20, default_behavior());
        let mut recs = Recommendations::default();
        let rescale = reconcile(&mut recs, secs(0), 3, Some(&proposal(9)), &hpa);
        assert_eq!(
            rescale,
            Some(Rescale {
                replicas: 7,
                reason: "cpu resource utilization (percentage of request) above target".to_owned(),
                limited_by: Some("ScaleUpLimit"),
            })
        );
        // Metrics that failed scale nothing.
        assert_eq!(reconcile(&mut recs, secs(15), 7, None, &hpa), None);
    }

    #[test]
    fn a_new_controller_does_not_scale_down_within_the_first_window() {
        // The first sync records the current 10: the drop to 4 waits until
        // that is 300 s old.
        let hpa = hpa(1, 20, default_behavior());
        let mut recs = Recommendations::default();
        assert_eq!(
            reconcile(&mut recs, secs(0), 10, Some(&proposal(4)), &hpa),
            None
        );
        assert_eq!(
            reconcile(&mut recs, secs(285), 10, Some(&proposal(4)), &hpa),
            None
        );
        let rescale = reconcile(&mut recs, secs(300), 10, Some(&proposal(4)), &hpa);
        assert_eq!(
            rescale.map(|r| (r.replicas, r.reason)),
            Some((4, "All metrics below target".to_owned()))
        );
    }
}
