//! `kubectl drain` (k8s-reference §6): the node is cordoned, then each pod
//! is evicted through the Eviction API. An eviction that would take a
//! workload below its PodDisruptionBudget is refused (429 Too Many
//! Requests) and retried every 5 s, as kubectl does; a pod that is not
//! Ready may go while the budget is healthy (`unhealthyPodEvictionPolicy:
//! IfHealthyBudget`). The drain is done when every pod has terminated;
//! `uncordonAfter` models the maintenance that follows.
//!
//! The retries are lazy: a retry can only succeed once some pod's
//! readiness or existence has changed (or the API is back), so the drain
//! waits for such a change and retries at the next tick of its 5 s grid;
//! the retries skipped meanwhile would all have been refused, and are
//! counted as such.

use super::{ModelEvent, NodeId, PodId, World};
use crate::sim::{Engine, SimDuration, SimTime};

/// kubectl drain retries a refused eviction after 5 s.
const EVICTION_RETRY: SimDuration = SimDuration::from_secs(5);

/// A drain as the report lists it.
#[derive(Debug, Clone)]
pub struct DrainRecord {
    pub node: NodeId,
    pub start: SimTime,
    /// When its last pod terminated.
    pub end: Option<SimTime>,
    /// Time during which some eviction was refused by a budget.
    pub waited_on_budget: SimDuration,
    pub evictions_refused: u32,
}

#[derive(Debug)]
pub(super) struct Drain {
    record: usize,
    blocked_since: Option<SimTime>,
    /// Some eviction is to be tried again.
    retrying: bool,
    /// A retry is scheduled.
    retry_due: bool,
    /// kubectl's attempts fall on `start + k × 5 s`.
    start: SimTime,
    last_attempt: SimTime,
    /// Evictions the budgets refused at the last attempt.
    refused_last: u32,
    /// A pass over the node's pods is under way: the node may look empty
    /// before the pass is over.
    in_pass: bool,
    uncordon_after: Option<SimDuration>,
}

impl World<'_> {
    /// `kubectl drain <node>`.
    pub(super) fn start_drain(
        &mut self,
        node: NodeId,
        uncordon_after: Option<SimDuration>,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let name = &self.scenario.nodes[node].name;
        if !self.api_writable() {
            self.trace.emit(now, true, "Node", name, "DrainFailed", || {
                format!("kubectl drain {name}: the API server is unavailable")
            });
            return;
        }
        self.nodes[node].cordoned = true;
        self.trace
            .emit(now, true, "Node", name, "NodeNotSchedulable", || {
                format!("Node {name} status is now: NodeNotSchedulable")
            });
        self.drain_records.push(DrainRecord {
            node,
            start: now,
            end: None,
            waited_on_budget: SimDuration::ZERO,
            evictions_refused: 0,
        });
        self.drains[node] = Some(Drain {
            record: self.drain_records.len() - 1,
            blocked_since: None,
            retrying: false,
            retry_due: false,
            start: now,
            last_attempt: now,
            refused_last: 0,
            in_pass: false,
            uncordon_after,
        });
        self.evict_pods(node, engine);
    }

    /// Whether the Eviction API lets this pod go now: a budget's
    /// `disruptionsAllowed`; a pod that is not Ready goes while the budget
    /// is healthy (`IfHealthyBudget`), and one not yet running always.
    fn eviction_allowed(&self, pod: PodId) -> bool {
        let p = &self.pods[pod];
        let w = p.workload;
        let Some(budget) = self.scenario.workloads[w].disruption_budget else {
            return true;
        };
        if p.api_ready {
            self.disruptions_allowed(w) > 0
        } else if !p.ever_started {
            true
        } else {
            let healthy = self.workloads[w]
                .pods
                .iter()
                .filter(|&&q| self.pods[q].api_ready && !self.pods[q].deleting)
                .count() as u32;
            healthy >= budget.desired_healthy(self.workloads[w].replicas)
        }
    }

    /// One pass of kubectl over the node's pods: evict those the budgets
    /// allow, retry the others once something has changed.
    pub(super) fn evict_pods(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let Some(drain) = self.drains[node].as_mut() else {
            return;
        };
        let record = drain.record;
        // The attempts skipped since the last would have been refused alike.
        let skipped = (now - drain.last_attempt).as_nanos() / EVICTION_RETRY.as_nanos();
        let skipped = u32::try_from(skipped.saturating_sub(1)).unwrap_or(u32::MAX);
        self.drain_records[record].evictions_refused += skipped.saturating_mul(drain.refused_last);
        drain.last_attempt = now;
        drain.retry_due = false;
        drain.in_pass = true;
        let node_name = &self.scenario.nodes[node].name;
        let (mut refused, mut failed) = (0, 0);
        let pods: Vec<PodId> = self.nodes[node]
            .pods
            .iter()
            .copied()
            .filter(|&p| !self.pods[p].deleting)
            .collect();
        for pod in pods {
            let name = self.pods[pod].name.clone();
            if !self.api_writable() {
                failed += 1;
                self.trace.emit(now, false, "Pod", &name, "EvictionFailed", || {
                    format!(
                        "error when evicting pods/\"{name}\" -n \"default\" (will retry after 5s): \
                         the server is currently unable to handle the request"
                    )
                });
                continue;
            }
            if !self.eviction_allowed(pod) {
                refused += 1;
                self.trace.emit(now, false, "Pod", &name, "EvictionRefused", || {
                    format!(
                        "error when evicting pods/\"{name}\" -n \"default\" (will retry after 5s): \
                         Cannot evict pod as it would violate the pod's disruption budget."
                    )
                });
                continue;
            }
            self.pods[pod].cause = format!("{name} evicted by kubectl drain {node_name}").into();
            self.trace.emit(now, true, "Pod", &name, "Evicted", || {
                format!("evicting pod default/{name} (kubectl drain {node_name})")
            });
            self.delete_pod(pod, engine);
        }
        let r = &mut self.drain_records[record];
        r.evictions_refused += refused;
        let drain = self.drains[node]
            .as_mut()
            .expect("a drain ends only after its pass");
        drain.in_pass = false;
        drain.refused_last = refused;
        if refused > 0 {
            drain.blocked_since.get_or_insert(now);
        } else if let Some(since) = drain.blocked_since.take() {
            r.waited_on_budget = r.waited_on_budget + (now - since);
        }
        let retrying = refused + failed > 0;
        if retrying != std::mem::replace(&mut drain.retrying, retrying) {
            if retrying {
                self.drains_waiting += 1;
            } else {
                self.drains_waiting -= 1;
            }
        }
        self.drain_progress(node, engine);
    }

    /// A pod's readiness or existence changed, or the API came back: a
    /// waiting drain retries at its next 5 s tick.
    pub(super) fn drains_may_proceed(&mut self, engine: &mut Engine<ModelEvent>) {
        if self.drains_waiting == 0 {
            return;
        }
        let now = engine.now();
        for node in 0..self.drains.len() {
            let Some(drain) = self.drains[node].as_mut() else {
                continue;
            };
            if !drain.retrying || drain.retry_due {
                continue;
            }
            drain.retry_due = true;
            let after = now + SimDuration::from_nanos(1);
            let at = super::prober::next_tick(drain.start, EVICTION_RETRY, after);
            engine
                .set_timer(
                    self.nodes[node].drain_timer,
                    at,
                    ModelEvent::EvictionRetry { node },
                )
                .expect("a retry is after now");
        }
    }

    /// The drained node lost a pod: once it holds none, the drain is done.
    pub(super) fn drain_progress(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let Some(drain) = self.drains[node].as_ref() else {
            return;
        };
        if !self.nodes[node].pods.is_empty() || drain.retrying || drain.in_pass {
            return;
        }
        let now = engine.now();
        let drain = self.drains[node].take().expect("draining");
        self.drain_records[drain.record].end = Some(now);
        let name = &self.scenario.nodes[node].name;
        self.trace.emit(now, true, "Node", name, "Drained", || {
            format!("node/{name} drained")
        });
        if let Some(after) = drain.uncordon_after {
            engine.schedule_in(after, ModelEvent::Uncordon { node });
        }
    }

    /// `kubectl uncordon` after the maintenance.
    pub(super) fn uncordon(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        self.nodes[node].cordoned = false;
        let name = &self.scenario.nodes[node].name;
        self.trace
            .emit(now, true, "Node", name, "NodeSchedulable", || {
                format!("Node {name} status is now: NodeSchedulable")
            });
        self.schedule_pending(engine);
        self.wake_cluster_autoscaler(engine);
    }
}

impl World<'_> {
    /// Drains still blocked at the end have waited until then, and been
    /// refused at every 5 s tick since their last attempt.
    pub(super) fn close_drains(&mut self, end: SimTime) {
        for drain in self.drains.iter_mut().filter_map(Option::take) {
            let r = &mut self.drain_records[drain.record];
            if let Some(since) = drain.blocked_since {
                r.waited_on_budget = r.waited_on_budget + (end - since);
            }
            let ticks = (end - drain.last_attempt).as_nanos() / EVICTION_RETRY.as_nanos();
            let ticks = u32::try_from(ticks).unwrap_or(u32::MAX);
            r.evictions_refused += ticks.saturating_mul(drain.refused_last);
        }
    }
}
