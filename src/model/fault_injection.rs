//! The scenario's faults acting on the world: scheduled ones firing at
//! their time, stochastic ones from per-object clocks, and what each does
//! to pods, nodes and the control plane.

use super::{ControlPlaneComponent, ModelEvent, NodeId, PodId, World, control_plane};
use crate::faults::FaultInjector;
use crate::scenario::{EVERY_NODE, Fault, FaultKind, NodeTarget, Trigger};
use crate::sim::{Engine, SimDuration};
use crate::units::duration::for_people;

/// The earliest of the times to failure drawn for each of `hitting`, in
/// order, that is a stochastic (`mtbf`) fault, with that fault.
fn earliest_draw(
    injector: &mut FaultInjector,
    faults: &[Fault],
    hitting: impl Iterator<Item = usize>,
) -> Option<(SimDuration, usize)> {
    let mut earliest: Option<(SimDuration, usize)> = None;
    for f in hitting {
        let Trigger::Mtbf(ttf) = &faults[f].trigger else {
            continue;
        };
        let d = injector.draw(f, ttf);
        if earliest.is_none_or(|(e, _)| d < e) {
            earliest = Some((d, f));
        }
    }
    earliest
}

/// The stochastic faults that crash or hang the pods of `workload`, in
/// the scenario's order.
pub(super) fn pod_faults(faults: &[Fault], workload: usize) -> Vec<usize> {
    (0..faults.len())
        .filter(|&f| matches!(faults[f].trigger, Trigger::Mtbf(_)))
        .filter(|&f| match faults[f].kind {
            FaultKind::PodCrash { workload: w, .. } | FaultKind::AppHang { workload: w, .. } => {
                w == workload
            }
            _ => false,
        })
        .collect()
}

impl World<'_> {
    /// The earliest of the times to failure drawn for every stochastic
    /// (`mtbf`) fault that `targets` says hits the object, with that fault.
    fn earliest_failure(
        &mut self,
        targets: impl Fn(&FaultKind) -> bool,
    ) -> Option<(SimDuration, usize)> {
        let faults = &self.scenario.faults;
        let hitting = (0..faults.len()).filter(|&f| targets(&faults[f].kind));
        earliest_draw(&mut self.faults, faults, hitting)
    }

    /// Arms a running node's stochastic crash clock.
    pub(super) fn arm_node_failure(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let spec = &self.scenario.nodes[node];
        let hits = |kind: &FaultKind| match kind {
            FaultKind::NodeCrash { target, .. } => node_matches(spec, node, *target),
            _ => false,
        };
        if let Some((d, fault)) = self.earliest_failure(hits) {
            let timer = self.nodes[node].failure_timer;
            engine.set_timer_in(timer, d, ModelEvent::NodeFailureDue { node, fault });
        }
    }

    /// Arms a running container's stochastic crash clock, from the faults
    /// its workload lists (at every container start: the scenario's faults
    /// are not searched each time).
    pub(super) fn arm_pod_failure(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let ws = &self.workloads[self.pods[pod].workload];
        let faults = ws.pod_faults.iter().copied();
        if let Some((d, fault)) = earliest_draw(&mut self.faults, &self.scenario.faults, faults) {
            let timer = self.pods[pod].failure_timer;
            engine.set_timer_in(timer, d, ModelEvent::PodFailureDue { pod, fault });
        }
    }

    /// A scheduled fault fires: it picks its targets among those it can hit now.
    pub(super) fn fault_fires(&mut self, fault: usize, engine: &mut Engine<ModelEvent>) {
        let spec = &self.scenario.faults[fault];
        let now = engine.now();
        if let Some(next) = FaultInjector::next_firing(spec, now) {
            engine.schedule_in(next - now, ModelEvent::FaultFires { fault });
        }
        match &spec.kind {
            FaultKind::PodCrash { workload, count }
            | FaultKind::AppHang {
                workload, count, ..
            } => {
                // A crash hits a running container; a hang, an app that answers.
                let hang = matches!(spec.kind, FaultKind::AppHang { .. });
                let candidates: Vec<PodId> = self.workloads[*workload]
                    .pods
                    .iter()
                    .copied()
                    .filter(|&p| {
                        let pod = &self.pods[p];
                        if hang {
                            pod.container == super::pod::Container::Running && !pod.hung
                        } else {
                            pod.container_runs()
                        }
                    })
                    .collect();
                let chosen = self.faults.pick(fault, &candidates, *count);
                if chosen.is_empty() {
                    let name = &self.scenario.workloads[*workload].name;
                    let (reason, what) = if hang {
                        ("AppHang", "answering")
                    } else {
                        ("PodCrash", "running")
                    };
                    self.trace
                        .emit(now, true, "Fault", &spec.stream, reason, || {
                            format!("no {what} pod of `{name}` to hit")
                        });
                }
                for pod in chosen {
                    self.inject_pod_fault(pod, fault, engine);
                }
            }
            FaultKind::TrafficSpike {
                workload,
                multiplier,
                duration,
            } => {
                let lasts = self.faults.draw(fault, duration);
                // A stochastic spike's clock restarts when the spike is over.
                if let Trigger::Mtbf(ttf) = &spec.trigger {
                    let next = lasts + self.faults.draw(fault, ttf);
                    engine.schedule_in(next, ModelEvent::FaultFires { fault });
                }
                let name = &self.scenario.workloads[*workload].name;
                self.trace
                    .emit(now, true, "Fault", &spec.stream, "TrafficSpike", || {
                        format!(
                            "requests to `{name}` ×{multiplier} for {}",
                            for_people(lasts.as_secs_f64())
                        )
                    });
                engine.schedule_in(
                    lasts,
                    ModelEvent::TrafficSpikeEnds {
                        workload: *workload,
                        multiplier: *multiplier,
                    },
                );
                self.spike_starts(*workload, *multiplier, engine);
            }
            FaultKind::MemoryLeak {
                workload,
                leak_per_hour_bytes,
                recover_after,
            } => {
                let name = &self.scenario.workloads[*workload].name;
                let ends_in = recover_after.map(|d| self.faults.draw(fault, &d));
                let per_hour = leak_per_hour_bytes / f64::from(1 << 20);
                self.trace.emit(now, true, "Fault", &spec.stream, "MemoryLeak", || match ends_in {
                    Some(d) => format!(
                        "every container of `{name}` leaks {per_hour:.0} MiB more per hour, for {}",
                        for_people(d.as_secs_f64())
                    ),
                    None => format!("every container of `{name}` leaks {per_hour:.0} MiB more per hour"),
                });
                if let Some(d) = ends_in {
                    engine.schedule_in(
                        d,
                        ModelEvent::MemoryLeakEnds {
                            workload: *workload,
                            bytes_per_hour: *leak_per_hour_bytes,
                        },
                    );
                }
                self.add_extra_leak(*workload, *leak_per_hour_bytes, engine);
            }
            FaultKind::ApiServerDown { .. } | FaultKind::EtcdMemberDown { .. } => {
                self.control_plane_fault_fires(fault, engine);
            }
            FaultKind::EtcdLoss => {
                let restore = self
                    .faults
                    .draw(fault, &self.scenario.control_plane.restore_time);
                self.trace
                    .emit(now, true, "Fault", &spec.stream, "EtcdLoss", || {
                        "every etcd member and its data are lost".to_string()
                    });
                self.etcd_lost(restore, engine);
            }
            FaultKind::EtcdLeaderLoss => {
                let pause = self.faults.draw(fault, &etcd_election_timeout());
                self.trace
                    .emit(now, true, "Fault", &spec.stream, "EtcdLeaderLoss", || {
                        format!(
                            "etcd's leader is lost; a new one is elected in {}",
                            for_people(pause.as_secs_f64())
                        )
                    });
                self.etcd_leader_lost(pause, engine);
            }
            FaultKind::LeaderCrash { component } => {
                let phase = self.faults.draw(fault, &control_plane::retry_phase());
                let name = component.name();
                self.trace
                    .emit(now, true, "Fault", &spec.stream, "LeaderCrash", || {
                        format!(
                            "the {name} leader crashes; a replica waits for its lease to expire"
                        )
                    });
                self.leader_lost(*component, phase, engine);
            }
            FaultKind::ControlPlaneNodeCrash { duration } => {
                let d = self.faults.draw(fault, duration);
                let phase = self.faults.draw(fault, &control_plane::retry_phase());
                self.trace.emit(now, true, "Fault", &spec.stream, "ControlPlaneNodeCrash", || {
                    format!(
                        "the control-plane node of the leaders crashes for {}: its API server, etcd member and leaders",
                        for_people(d.as_secs_f64())
                    )
                });
                self.control_plane_node_crash(d, phase, engine);
            }
            FaultKind::NodeDrain {
                target,
                count,
                uncordon_after,
            } => {
                let candidates: Vec<NodeId> = (0..self.nodes.len())
                    .filter(|&n| {
                        let node = &self.nodes[n];
                        node.up
                            && !node.cordoned
                            && self.drains[n].is_none()
                            && node_matches(&self.scenario.nodes[n], n, *target)
                    })
                    .collect();
                let chosen = self.faults.pick(fault, &candidates, *count);
                if chosen.is_empty() {
                    self.trace
                        .emit(now, true, "Fault", &spec.stream, "NodeDrain", || {
                            "no schedulable node to drain".to_string()
                        });
                }
                for node in chosen {
                    let uncordon = uncordon_after.map(|d| self.faults.draw(fault, &d));
                    let name = &self.scenario.nodes[node].name;
                    self.trace
                        .emit(now, true, "Fault", &spec.stream, "NodeDrain", || {
                            format!("kubectl drain {name}")
                        });
                    self.start_drain(node, uncordon, engine);
                }
            }
            FaultKind::NodePartition {
                target,
                count,
                recover_after,
                traffic_reachable,
            } => {
                let candidates: Vec<NodeId> = (0..self.nodes.len())
                    .filter(|&n| {
                        self.nodes[n].up
                            && !self.nodes[n].partitioned
                            && node_matches(&self.scenario.nodes[n], n, *target)
                    })
                    .collect();
                let chosen = self.faults.pick(fault, &candidates, *count);
                for node in chosen {
                    let heals = recover_after.map(|d| self.faults.draw(fault, &d));
                    let name = self.scenario.nodes[node].name.clone();
                    let reach = if *traffic_reachable {
                        "clients still reach its pods"
                    } else {
                        "clients cannot reach its pods"
                    };
                    self.trace
                        .emit(now, true, "Fault", &spec.stream, "NodePartition", || {
                            match heals {
                                Some(d) => format!(
                                    "node {name} is cut off from the control plane for {} ({reach})",
                                    for_people(d.as_secs_f64())
                                ),
                                None => format!(
                                    "node {name} is cut off from the control plane ({reach})"
                                ),
                            }
                        });
                    let cause = self.node_fault_cause(fault, "nodePartition", &name);
                    self.partition_node(node, cause, *traffic_reachable, engine);
                    if let Some(d) = heals {
                        let timer = self.nodes[node].recover_timer;
                        engine.set_timer_in(timer, d, ModelEvent::NodeRecovers { node });
                    }
                }
            }
            FaultKind::NodeCrash { target, count, .. } => {
                let up: Vec<NodeId> = (0..self.nodes.len())
                    .filter(|&n| {
                        self.nodes[n].up && node_matches(&self.scenario.nodes[n], n, *target)
                    })
                    .collect();
                let chosen = self.faults.pick(fault, &up, *count);
                if chosen.is_empty() {
                    self.trace
                        .emit(now, true, "Fault", &spec.stream, "NodeCrash", || {
                            "no running node to crash".to_string()
                        });
                }
                for node in chosen {
                    self.inject_node_crash(node, fault, engine);
                }
            }
        }
    }

    /// An `apiServerDown` or `etcdMemberDown` fires: at its time (`count`
    /// or all instances) or from its `mtbf` clock (one instance).
    pub(super) fn control_plane_fault_fires(
        &mut self,
        fault: usize,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let spec = &self.scenario.faults[fault];
        let (component, count, duration) = match &spec.kind {
            FaultKind::ApiServerDown { count, duration } => {
                (ControlPlaneComponent::ApiServers, *count, duration)
            }
            FaultKind::EtcdMemberDown { count, duration } => {
                (ControlPlaneComponent::EtcdMembers, *count, duration)
            }
            _ => return,
        };
        let count = match spec.trigger {
            Trigger::Mtbf(_) => Some(1),
            _ => count,
        };
        let d = self.faults.draw(fault, duration);
        let (reason, one, many) = match component {
            ControlPlaneComponent::ApiServers => ("ApiServerDown", "API server", "API servers"),
            ControlPlaneComponent::EtcdMembers => ("EtcdMemberDown", "etcd member", "etcd members"),
        };
        let who = match count {
            Some(1) => format!("1 {one} stops"),
            Some(c) => format!("{c} {many} stop"),
            None => format!("all {many} stop"),
        };
        self.trace
            .emit(now, true, "Fault", &spec.stream, reason, || {
                format!("{who} for {}", for_people(d.as_secs_f64()))
            });
        self.control_plane_instances_down(component, count, d, engine);
    }

    /// A `podCrash` or `appHang` hits one pod.
    pub(super) fn inject_pod_fault(
        &mut self,
        pod: PodId,
        fault: usize,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let spec = &self.scenario.faults[fault];
        let name = self.pods[pod].name.clone();
        match &spec.kind {
            FaultKind::AppHang { recover_after, .. } => {
                let recover_in = recover_after.map(|d| self.faults.draw(fault, &d));
                self.trace.emit(now, true, "Fault", &spec.stream, "AppHang", || match recover_in {
                    Some(d) => format!(
                        "the app of pod {name} hangs with its port open; it answers again in {}",
                        for_people(d.as_secs_f64())
                    ),
                    None => format!("the app of pod {name} hangs with its port open"),
                });
                self.pods[pod].cause = format!("appHang {name}").into();
                self.app_hangs(pod, recover_in, engine);
            }
            _ => {
                self.trace
                    .emit(now, true, "Fault", &spec.stream, "PodCrash", || {
                        format!("container of pod {name} exits with an error")
                    });
                self.pods[pod].cause = format!("podCrash {name}").into();
                self.crash_container(pod, engine);
            }
        }
    }

    pub(super) fn inject_node_crash(
        &mut self,
        node: NodeId,
        fault: usize,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let spec = &self.scenario.faults[fault];
        let name = self.scenario.nodes[node].name.clone();
        let recover_in = match &spec.kind {
            FaultKind::NodeCrash {
                recover_after: Some(d),
                ..
            } => Some(self.faults.draw(fault, d)),
            _ => None,
        };
        self.trace.emit(
            now,
            true,
            "Fault",
            &spec.stream,
            "NodeCrash",
            || match recover_in {
                Some(d) => format!(
                    "node {name} crashes; it comes back in {}",
                    for_people(d.as_secs_f64())
                ),
                None => format!("node {name} crashes for good"),
            },
        );
        let cause = self.node_fault_cause(fault, "nodeCrash", &name);
        self.node_crashes(node, cause, engine);
        if let Some(d) = recover_in {
            let timer = self.nodes[node].recover_timer;
            engine.set_timer_in(timer, d, ModelEvent::NodeRecovers { node });
        }
    }
}

impl World<'_> {
    /// What a node fault's incidents name: the node, or, for a
    /// `zoneOutage`, the zone and the fault first.
    fn node_fault_cause(&self, fault: usize, kind: &str, node: &str) -> String {
        let spec = &self.scenario.faults[fault];
        match spec.kind {
            FaultKind::NodeCrash {
                target: NodeTarget::Zone(z),
                count: EVERY_NODE,
                ..
            }
            | FaultKind::NodePartition {
                target: NodeTarget::Zone(z),
                count: EVERY_NODE,
                ..
            } => format!(
                "zoneOutage {} ({}): {kind} {node}",
                self.scenario.zones[z], spec.stream
            ),
            _ => format!("{kind} {node}"),
        }
    }
}

/// etcd's `--election-timeout` of 1000 ms, which Raft randomizes up to
/// twice that so that followers do not all stand at once.
fn etcd_election_timeout() -> crate::units::Distribution {
    crate::units::Distribution::Uniform {
        low: SimDuration::from_millis(1000),
        high: SimDuration::from_millis(2000),
    }
}

/// Whether a `nodeCrash` target names this node.
fn node_matches(spec: &crate::scenario::NodeSpec, node: NodeId, target: NodeTarget) -> bool {
    match target {
        NodeTarget::Node(n) => n == node,
        NodeTarget::Pool(p) => spec.pool == p,
        NodeTarget::Zone(z) => spec.zone == z,
        NodeTarget::Any => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimTime;
    use crate::units::Distribution;

    fn fault(trigger: Trigger, kind: FaultKind) -> Fault {
        Fault {
            stream: "f".into(),
            trigger,
            kind,
        }
    }

    #[test]
    fn a_workload_lists_the_stochastic_crashes_and_hangs_of_its_pods_in_order() {
        let mtbf = || {
            Trigger::Mtbf(Distribution::Exponential {
                mean: crate::sim::SimDuration::from_secs(3600),
            })
        };
        let crash = |workload| FaultKind::PodCrash { workload, count: 1 };
        let hang = |workload| FaultKind::AppHang {
            workload,
            count: 1,
            recover_after: None,
        };
        let faults = [
            fault(mtbf(), crash(1)),
            fault(mtbf(), hang(0)),
            fault(Trigger::At(SimTime::from_secs(5)), crash(0)),
            fault(
                mtbf(),
                FaultKind::NodeCrash {
                    target: NodeTarget::Any,
                    count: 1,
                    recover_after: None,
                },
            ),
            fault(mtbf(), crash(0)),
        ];
        assert_eq!(pod_faults(&faults, 0), vec![1, 4]);
        assert_eq!(pod_faults(&faults, 1), vec![0]);
        assert!(pod_faults(&faults, 2).is_empty());
    }
}
