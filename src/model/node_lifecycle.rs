//! The node lifecycle and taint-eviction controllers (k8s-reference §1): a
//! silent node is found by a monitor pass once its Lease is older than
//! `nodeMonitorGracePeriod`; its pods are marked not Ready at once; the
//! NoExecute taint is added at a per-zone rate that depends on how disrupted
//! the zone is; the pods are deleted when their toleration runs out.

use super::etcd::ApiWrite;
use super::node::ZoneState;
use super::{ModelEvent, NodeId, World, ZoneId};
use crate::sim::{Engine, SimDuration, SimTime};

/// The first instant on the grid `phase + k × period` strictly after `after`.
fn first_tick_after(phase: SimTime, period: SimDuration, after: i128) -> SimTime {
    let phase = i128::from(phase.as_nanos());
    let period = i128::from(period.as_nanos().max(1));
    let k = (after - phase).div_euclid(period) + 1;
    let tick = phase + k * period;
    SimTime::from_nanos(u64::try_from(tick.max(0)).unwrap_or(u64::MAX))
}

impl World<'_> {
    /// When the controller will find this node's Lease stale, had its kubelet
    /// stopped at `now`: the first monitor pass more than the grace period
    /// after the last renewal it saw, or after it started if it saw none.
    fn grace_period_exceeded_at(&self, node: NodeId, now: SimTime) -> SimTime {
        let settings = &self.scenario.settings;
        let renew = i128::from(settings.node_lease_renew_interval().as_nanos().max(1));
        let origin = i128::from(self.nodes[node].lease_origin.as_nanos());
        let t = i128::from(now.as_nanos());
        let last_renewal = (origin + (t - origin).div_euclid(renew) * renew)
            .max(i128::from(self.node_controller_since.as_nanos()));
        let deadline = last_renewal + i128::from(settings.node_monitor_grace_period.as_nanos());
        let at = first_tick_after(self.monitor_phase, settings.node_monitor_period, deadline);
        // A grace period shorter than the renew interval could put it in the past.
        at.max(first_tick_after(
            self.monitor_phase,
            settings.node_monitor_period,
            t,
        ))
    }

    /// The machine stops: its containers die with their requests in flight,
    /// and its kubelet stops renewing the Lease.
    pub(super) fn node_crashes(
        &mut self,
        node: NodeId,
        cause: String,
        engine: &mut Engine<ModelEvent>,
    ) {
        if !self.nodes[node].up {
            return;
        }
        let now = engine.now();
        let n = &mut self.nodes[node];
        n.up = false;
        // A partitioned machine that crashes is just down; it comes back
        // as a crashed one does.
        n.partitioned = false;
        n.silent_since = now;
        engine.cancel_timer(n.failure_timer);
        // A partition's heal no longer applies; the crash sets its own.
        engine.cancel_timer(n.recover_timer);
        n.pull_free_at = now;
        self.abort_pulls(node, now);
        for pod in self.nodes[node].pods.clone() {
            self.pods[pod].cause = cause.clone().into();
            self.pods[pod].unreachable = false;
            self.stop_container(pod, true, engine);
        }
        self.nodes[node].cause = cause;
        self.node_goes_silent(node, engine);
    }

    /// The controller stops hearing from the node: it finds the Lease stale
    /// at the first monitor pass past the grace period.
    pub(super) fn node_goes_silent(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let timer = self.nodes[node].monitor_timer;
        if self.nodes[node].ready_condition {
            let at = self.grace_period_exceeded_at(node, now);
            engine
                .set_timer(
                    timer,
                    at,
                    ModelEvent::NodeMonitorGracePeriodExceeded { node },
                )
                .expect("detection is never in the past");
        } else {
            // Back before the controller saw it Ready, and down again.
            engine.cancel_timer(timer);
        }
    }

    pub(super) fn node_became_unknown(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        if !self.controllers_running() {
            self.defer_node(node);
            return;
        }
        let now = engine.now();
        let name = &self.scenario.nodes[node].name;
        self.trace
            .emit(now, true, "Node", name, "NodeNotReady", || {
                format!("Node {name} status is now: NodeNotReady")
            });
        self.journal(now, ApiWrite::NodeNotReady(node));
        let n = &mut self.nodes[node];
        n.ready_condition = false;
        n.no_schedule = true;
        for pod in n.pods.clone() {
            let p = &self.pods[pod];
            if p.api_ready {
                self.trace
                    .emit(now, false, "Pod", &p.name, "NodeNotReady", || {
                        "Node is not ready".to_string()
                    });
            }
            self.set_api_ready(pod, false, engine);
        }
        let zone = self.scenario.nodes[node].zone;
        self.zones[zone].taint_queue.push_back(node);
        self.update_zone_states(engine);
        self.schedule_taint_pass(zone, engine);
    }

    /// `ComputeZoneState` for every zone, and `handleDisruption`'s response:
    /// when every zone is fully disrupted the controller blames itself,
    /// removes the NoExecute taints and stops evicting.
    fn update_zone_states(&mut self, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let threshold = self.scenario.settings.unhealthy_zone_threshold;
        let states: Vec<ZoneState> = self
            .zones
            .iter()
            .map(|z| {
                let not_ready = z
                    .nodes
                    .iter()
                    .filter(|&&n| !self.nodes[n].ready_condition)
                    .count();
                let ready = z.nodes.len() - not_ready;
                if ready == 0 && not_ready > 0 {
                    ZoneState::FullDisruption
                } else if not_ready > 2 && not_ready as f64 / z.nodes.len() as f64 >= threshold {
                    ZoneState::PartialDisruption
                } else {
                    ZoneState::Normal
                }
            })
            .collect();
        let all_fully_disrupted = states
            .iter()
            .zip(&self.zones)
            .filter(|(_, z)| !z.nodes.is_empty())
            .all(|(s, _)| *s == ZoneState::FullDisruption);
        let was = self.master_disruption;
        self.master_disruption = all_fully_disrupted;
        if all_fully_disrupted && !was {
            self.trace.emit(now, true, "Controller", "node-lifecycle-controller", "MasterDisruption", || {
                "Controller detected that all Nodes are not-Ready. Entering master disruption mode: \
                 no NoExecute taints, no evictions"
                    .to_string()
            });
            for node in 0..self.nodes.len() {
                if std::mem::take(&mut self.nodes[node].no_execute) {
                    engine.cancel_timer(self.nodes[node].toleration_timer);
                    let zone = self.scenario.nodes[node].zone;
                    self.zones[zone].taint_queue.push_back(node);
                }
            }
        } else if was && !all_fully_disrupted {
            self.trace.emit(
                now,
                true,
                "Controller",
                "node-lifecycle-controller",
                "MasterDisruption",
                || {
                    "Controller detected that some Nodes are Ready. Exiting master disruption mode"
                        .to_string()
                },
            );
        }
        for (z, state) in states.into_iter().enumerate() {
            let rate = self.eviction_rate(z, state);
            let zone = &mut self.zones[z];
            zone.state = state;
            if zone.rate != rate {
                // `SwapLimiter` starts a new token bucket, full.
                zone.rate = rate;
                zone.next_token = now;
            }
            self.schedule_taint_pass(z, engine);
        }
    }

    /// `setLimiterInZone`: the healthy rate, the secondary rate for a large
    /// partially disrupted zone, nothing for a small one or in master disruption.
    fn eviction_rate(&self, zone: ZoneId, state: ZoneState) -> f64 {
        let s = &self.scenario.settings;
        if self.master_disruption {
            return 0.0;
        }
        match state {
            ZoneState::Normal | ZoneState::FullDisruption => s.node_eviction_rate,
            ZoneState::PartialDisruption
                if self.zones[zone].nodes.len() > s.large_cluster_size_threshold as usize =>
            {
                s.secondary_node_eviction_rate
            }
            ZoneState::PartialDisruption => 0.0,
        }
    }

    fn schedule_taint_pass(&mut self, zone: ZoneId, engine: &mut Engine<ModelEvent>) {
        let z = &self.zones[zone];
        if z.taint_queue.is_empty() || z.rate <= 0.0 {
            engine.cancel_timer(z.timer);
            return;
        }
        let at = z.next_token.max(engine.now());
        engine
            .set_timer(z.timer, at, ModelEvent::ZoneTaintPass { zone })
            .expect("not in the past");
    }

    pub(super) fn zone_taint_pass(&mut self, zone: ZoneId, engine: &mut Engine<ModelEvent>) {
        if !self.controllers_running() {
            // The pass is planned again when the API returns.
            return;
        }
        let now = engine.now();
        while let Some(node) = self.zones[zone].taint_queue.pop_front() {
            let n = &mut self.nodes[node];
            if n.ready_condition || n.no_execute {
                continue;
            }
            n.no_execute = true;
            self.journal(now, ApiWrite::NodeTainted(node));
            let n = &mut self.nodes[node];
            let toleration = self.scenario.settings.unreachable_toleration;
            engine.set_timer_in(
                n.toleration_timer,
                toleration,
                ModelEvent::TolerationExpired { node },
            );
            let name = &self.scenario.nodes[node].name;
            self.trace.emit(now, true, "Node", name, "TaintAdded", || {
                format!(
                    "Taint node.kubernetes.io/unreachable:NoExecute added; pods tolerate it for {toleration}"
                )
            });
            let z = &mut self.zones[zone];
            z.next_token = now + SimDuration::from_secs_f64(1.0 / z.rate);
            break;
        }
        self.schedule_taint_pass(zone, engine);
    }

    /// The taint-eviction controller deletes the pods whose toleration ran out.
    pub(super) fn toleration_expired(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        if !self.controllers_running() {
            self.deferred_evictions.push(node);
            return;
        }
        let now = engine.now();
        for pod in self.nodes[node].pods.clone() {
            if self.pods[pod].deleting {
                continue;
            }
            let name = &self.pods[pod].name;
            self.trace
                .emit(now, true, "Pod", name, "TaintManagerEviction", || {
                    format!("Marking for deletion Pod default/{name}")
                });
            self.delete_pod(pod, engine);
        }
    }

    /// After an outage of the API, the controller looks at a node it could
    /// not act on: one still silent is found at the next monitor pass (at
    /// once if its Lease is already older than the grace period), one back
    /// is seen Ready at the next pass.
    pub(super) fn node_health_deferred(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let period = self.scenario.settings.node_monitor_period;
        let next_pass = first_tick_after(self.monitor_phase, period, i128::from(now.as_nanos()));
        let n = &self.nodes[node];
        let heard = n.up && !n.partitioned;
        let event = match (heard, n.ready_condition) {
            (false, true) => {
                let due = self.grace_period_exceeded_at(node, n.silent_since);
                engine
                    .set_timer(
                        n.monitor_timer,
                        due.max(next_pass),
                        ModelEvent::NodeMonitorGracePeriodExceeded { node },
                    )
                    .expect("not in the past");
                return;
            }
            (true, false) => ModelEvent::NodeReadyObserved { node },
            _ => return,
        };
        engine
            .set_timer(n.monitor_timer, next_pass, event)
            .expect("not in the past");
    }

    /// A new kube-controller-manager leader starts its node lifecycle and
    /// taint-eviction controllers with nothing in memory. The first has
    /// heard from no node, so each silent node gets a whole grace period
    /// from now (`Missing timestamp for Node. Assuming now as a
    /// timestamp`); the second plans every eviction on a tainted node a
    /// whole toleration from now, as `processPodOnNode` does for a pod it
    /// has not queued.
    pub(super) fn node_lifecycle_restarted(&mut self, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        self.node_controller_since = now;
        let toleration = self.scenario.settings.unreachable_toleration;
        self.deferred_evictions.clear();
        // The new process builds each zone's tainter with a full token
        // bucket (`NewRateLimitedTimedQueue`): the next taint waits for no
        // token the old leader spent.
        for zone in 0..self.zones.len() {
            self.zones[zone].next_token = now;
            self.schedule_taint_pass(zone, engine);
        }
        for node in 0..self.nodes.len() {
            let n = &self.nodes[node];
            if !n.registered {
                continue;
            }
            let name = &self.scenario.nodes[node].name;
            self.trace
                .emit(now, false, "Node", name, "RegisteredNode", || {
                    format!("Node {name} event: Registered Node {name} in Controller")
                });
            let silent = n.ready_condition && (!n.up || n.partitioned);
            let evicting = n.no_execute && n.pods.iter().any(|&pod| !self.pods[pod].deleting);
            let toleration_timer = n.toleration_timer;
            if silent {
                self.defer_node(node);
            }
            if evicting {
                engine.set_timer_in(
                    toleration_timer,
                    toleration,
                    ModelEvent::TolerationExpired { node },
                );
            }
        }
    }

    /// Evictions and taints held back by an outage of the API go ahead.
    pub(super) fn resume_evictions(&mut self, engine: &mut Engine<ModelEvent>) {
        for node in std::mem::take(&mut self.deferred_evictions) {
            self.toleration_expired(node, engine);
        }
        self.update_zone_states(engine);
    }

    /// The node boots and its kubelet starts: it renews the Lease, finishes
    /// the pods deleted meanwhile, and restarts the others' containers.
    pub(super) fn node_recovers(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        if self.nodes[node].partitioned {
            self.partition_heals(node, engine);
            return;
        }
        if self.nodes[node].up {
            return;
        }
        let now = engine.now();
        let name = &self.scenario.nodes[node].name;
        self.trace.emit(now, true, "Node", name, "Starting", || {
            "Starting kubelet.".to_string()
        });
        let n = &mut self.nodes[node];
        n.up = true;
        self.node_heard_again(node, engine);
        for pod in self.nodes[node].pods.clone() {
            if self.pods[pod].deleting {
                self.release_pod(pod, engine);
            } else {
                let p = &mut self.pods[pod];
                if p.ever_started {
                    p.restarts += 1;
                }
                self.set_api_ready(pod, false, engine);
                self.admit(pod, node, engine);
            }
        }
        self.arm_node_failure(node, engine);
    }

    /// The kubelet reaches the API again and renews its Lease; the
    /// controller sees the node Ready at its next monitor pass.
    pub(super) fn node_heard_again(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let n = &mut self.nodes[node];
        n.lease_origin = now;
        if n.ready_condition {
            // Back before the controller noticed anything.
            engine.cancel_timer(n.monitor_timer);
        } else {
            let at = first_tick_after(
                self.monitor_phase,
                self.scenario.settings.node_monitor_period,
                i128::from(now.as_nanos()),
            );
            engine
                .set_timer(n.monitor_timer, at, ModelEvent::NodeReadyObserved { node })
                .expect("the next monitor pass is in the future");
        }
    }

    pub(super) fn node_ready_observed(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        if !self.controllers_running() {
            self.defer_node(node);
            return;
        }
        let now = engine.now();
        let name = &self.scenario.nodes[node].name;
        self.trace.emit(now, true, "Node", name, "NodeReady", || {
            format!("Node {name} status is now: NodeReady")
        });
        self.journal(now, ApiWrite::NodeReady(node));
        let n = &mut self.nodes[node];
        n.ready_condition = true;
        n.no_schedule = false;
        if std::mem::take(&mut n.no_execute) {
            engine.cancel_timer(n.toleration_timer);
        }
        let zone = self.scenario.nodes[node].zone;
        self.zones[zone].taint_queue.retain(|&q| q != node);
        self.update_zone_states(engine);
        self.schedule_pending(engine);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_strictly_after_the_instant() {
        let phase = SimTime::from_secs(2);
        let period = SimDuration::from_secs(5);
        let s = |x: u64| i128::from(SimTime::from_secs(x).as_nanos());
        assert_eq!(
            first_tick_after(phase, period, s(52)),
            SimTime::from_secs(57)
        );
        assert_eq!(
            first_tick_after(phase, period, s(53)),
            SimTime::from_secs(57)
        );
        assert_eq!(first_tick_after(phase, period, s(0)), SimTime::from_secs(2));
        assert_eq!(first_tick_after(phase, period, -5), SimTime::from_secs(2));
    }
}
