//! Checks of the faults: exactly one kind, a trigger, targets that exist.

use serde_saphyr::Spanned;

use super::{Checker, Targets};
use crate::scenario::file;
use crate::scenario::*;
use crate::units::Distribution;

/// A fault's `node`, `pool` and `zone` fields.
type NodeSelector<'a> = (
    &'a Option<Spanned<String>>,
    &'a Option<Spanned<String>>,
    &'a Option<Spanned<String>>,
);

impl Checker {
    pub(super) fn fault(
        &mut self,
        i: usize,
        spanned: &Spanned<file::FaultSpec>,
        targets: &Targets,
    ) -> Option<Fault> {
        let Targets {
            workloads,
            zones,
            control_plane,
            ..
        } = *targets;
        let f = &spanned.value;
        let path = format!("faults[{i}]");
        let kinds = usize::from(f.pod_crash.is_some())
            + usize::from(f.app_hang.is_some())
            + usize::from(f.memory_leak.is_some())
            + usize::from(f.node_crash.is_some())
            + usize::from(f.api_server_down.is_some())
            + usize::from(f.etcd_member_down.is_some())
            + usize::from(f.controller_manager_crash.is_some())
            + usize::from(f.scheduler_crash.is_some())
            + usize::from(f.control_plane_node_crash.is_some())
            + usize::from(f.etcd_leader_loss.is_some())
            + usize::from(f.etcd_loss.is_some())
            + usize::from(f.traffic_spike.is_some())
            + usize::from(f.node_drain.is_some())
            + usize::from(f.node_partition.is_some())
            + usize::from(f.zone_outage.is_some());
        if kinds != 1 {
            self.report_at(Code::ExactlyOne, &path, spanned, format!("a fault needs exactly one kind (`podCrash`, `appHang`, `memoryLeak`, `nodeCrash`, `apiServerDown`, `etcdMemberDown`, `controllerManagerCrash`, `schedulerCrash`, `controlPlaneNodeCrash`, `etcdLeaderLoss`, `etcdLoss`, `trafficSpike`, `nodeDrain`, `nodePartition`, `zoneOutage`); found {kinds}"));
            return None;
        }
        let (kind, mtbf, kind_path) = if let Some(p) = &f.pod_crash {
            let kind_path = format!("{path}.podCrash");
            let workload = self.resolve(
                &format!("{kind_path}.workload"),
                "workload",
                &p.workload,
                workloads,
            );
            let count = self.count(&kind_path, p.count.as_ref());
            (
                workload.map(|workload| FaultKind::PodCrash { workload, count }),
                &p.mtbf,
                kind_path,
            )
        } else if f.etcd_loss.is_some() {
            if control_plane.managed.is_some() {
                self.report_at(
                    Code::Conflict,
                    &path,
                    spanned,
                    "a managed control plane's etcd is the provider's",
                );
            }
            (Some(FaultKind::EtcdLoss), &None, format!("{path}.etcdLoss"))
        } else if f.etcd_leader_loss.is_some() {
            (
                Some(FaultKind::EtcdLeaderLoss),
                &None,
                format!("{path}.etcdLeaderLoss"),
            )
        } else if f.controller_manager_crash.is_some() || f.scheduler_crash.is_some() {
            let (component, name) = if f.controller_manager_crash.is_some() {
                (LeaderComponent::ControllerManager, "controllerManagerCrash")
            } else {
                (LeaderComponent::Scheduler, "schedulerCrash")
            };
            (
                Some(FaultKind::LeaderCrash { component }),
                &None,
                format!("{path}.{name}"),
            )
        } else if let Some(c) = &f.control_plane_node_crash {
            if control_plane.managed.is_some() {
                self.report_at(Code::Conflict, &path, spanned, "a managed control plane's nodes are the provider's: its outages come from its SLA");
            }
            (
                Some(FaultKind::ControlPlaneNodeCrash {
                    duration: c.duration,
                }),
                &None,
                format!("{path}.controlPlaneNodeCrash"),
            )
        } else if let Some((c, name)) = f
            .api_server_down
            .as_ref()
            .map(|c| (c, "apiServerDown"))
            .or(f.etcd_member_down.as_ref().map(|c| (c, "etcdMemberDown")))
        {
            let kind_path = format!("{path}.{name}");
            if c.all && c.count.is_some() {
                self.report_at(
                    Code::Conflict,
                    &kind_path,
                    spanned,
                    "give `count` or `all: true`, not both",
                );
            }
            let count = if c.all {
                None
            } else {
                Some(self.count(&kind_path, c.count.as_ref()))
            };
            let (total, field) = if f.api_server_down.is_some() {
                (control_plane.api_servers, "apiServers")
            } else {
                (control_plane.etcd_members, "etcdMembers")
            };
            if let Some(over) = c.count.as_ref().filter(|n| n.value > total) {
                self.report_at(
                    Code::MoreThanExist,
                    format!("{kind_path}.count"),
                    over,
                    format!(
                        "the cluster has {total} (`cluster.controlPlane.{field}`); \
                         `all: true` stops every one"
                    ),
                );
            }
            let duration = c.duration;
            let kind = if f.api_server_down.is_some() {
                FaultKind::ApiServerDown { count, duration }
            } else {
                FaultKind::EtcdMemberDown { count, duration }
            };
            if let Some(m) = &c.mtbf {
                if !matches!(m.0, Distribution::Exponential { .. }) {
                    self.report_at(Code::NotModelled, format!("{kind_path}.mtbf"), spanned, "the mtbf of API servers and etcd members is a mean (an exponential time to failure), \
                         e.g. `mtbf: 90d`");
                }
                if c.all || c.count.is_some() {
                    self.report_at(
                        Code::Conflict,
                        &kind_path,
                        spanned,
                        "with `mtbf` every instance fails on its own: no `count` or `all`",
                    );
                }
            }
            (Some(kind), &c.mtbf, kind_path)
        } else if let Some(d) = &f.node_drain {
            let kind_path = format!("{path}.nodeDrain");
            let target =
                self.node_target(spanned, &kind_path, (&d.node, &d.pool, &d.zone), targets);
            let count = self.count(&kind_path, d.count.as_ref());
            self.one_node_one_count(spanned, &kind_path, d.node.is_some(), count);
            (
                target.map(|target| FaultKind::NodeDrain {
                    target,
                    count,
                    uncordon_after: d.uncordon_after,
                }),
                &None,
                kind_path,
            )
        } else if let Some(p) = &f.node_partition {
            let kind_path = format!("{path}.nodePartition");
            let target =
                self.node_target(spanned, &kind_path, (&p.node, &p.pool, &p.zone), targets);
            let count = self.count(&kind_path, p.count.as_ref());
            self.one_node_one_count(spanned, &kind_path, p.node.is_some(), count);
            (
                target.map(|target| FaultKind::NodePartition {
                    target,
                    count,
                    recover_after: p.recover_after,
                    traffic_reachable: p.traffic_reachable,
                }),
                &None,
                kind_path,
            )
        } else if let Some(z) = &f.zone_outage {
            let kind_path = format!("{path}.zoneOutage");
            let zone = self.resolve(&format!("{kind_path}.zone"), "zone", &z.zone, zones);
            let target = zone.map(NodeTarget::Zone);
            (
                target.map(|target| {
                    if z.partition {
                        FaultKind::NodePartition {
                            target,
                            count: EVERY_NODE,
                            recover_after: z.recover_after,
                            traffic_reachable: false,
                        }
                    } else {
                        FaultKind::NodeCrash {
                            target,
                            count: EVERY_NODE,
                            recover_after: z.recover_after,
                        }
                    }
                }),
                &None,
                kind_path,
            )
        } else if let Some(t) = &f.traffic_spike {
            let kind_path = format!("{path}.trafficSpike");
            let workload = self.resolve(
                &format!("{kind_path}.workload"),
                "workload",
                &t.workload,
                workloads,
            );
            let multiplier = t.multiplier.value;
            if !(0.0..=1e6).contains(&multiplier) {
                self.report_at(
                    Code::OutOfRange,
                    format!("{kind_path}.multiplier"),
                    &t.multiplier,
                    format!("must be a factor between 0 and 1000000, got `{multiplier}`"),
                );
            }
            if t.duration.mean().is_zero() {
                self.report_at(
                    Code::OutOfRange,
                    format!("{kind_path}.duration"),
                    spanned,
                    "a spike must last some time",
                );
            }
            (
                workload.map(|workload| FaultKind::TrafficSpike {
                    workload,
                    multiplier,
                    duration: t.duration,
                }),
                &t.mtbf,
                kind_path,
            )
        } else if let Some(m) = &f.memory_leak {
            let kind_path = format!("{path}.memoryLeak");
            let workload = self.resolve(
                &format!("{kind_path}.workload"),
                "workload",
                &m.workload,
                workloads,
            );
            if f.at.is_none() || f.every.is_some() {
                self.report_at(
                    Code::MissingTrigger,
                    &path,
                    spanned,
                    "a memory leak starts once: give it `at` (and no `every`)",
                );
                return None;
            }
            (
                workload.map(|workload| FaultKind::MemoryLeak {
                    workload,
                    leak_per_hour_bytes: m.leak_per_hour.bytes() as f64,
                    recover_after: m.recover_after,
                }),
                &None,
                kind_path,
            )
        } else if let Some(h) = &f.app_hang {
            let kind_path = format!("{path}.appHang");
            let workload = self.resolve(
                &format!("{kind_path}.workload"),
                "workload",
                &h.workload,
                workloads,
            );
            let count = self.count(&kind_path, h.count.as_ref());
            if let (Some(_), Some(count)) = (&h.mtbf, &h.count) {
                self.report_at(
                    Code::Conflict,
                    format!("{kind_path}.count"),
                    count,
                    "with `mtbf` every pod hangs on its own: no `count`",
                );
            }
            let recover_after = h.recover_after;
            (
                workload.map(|workload| FaultKind::AppHang {
                    workload,
                    count,
                    recover_after,
                }),
                &h.mtbf,
                kind_path,
            )
        } else {
            let n = f.node_crash.as_ref()?;
            let kind_path = format!("{path}.nodeCrash");
            let target =
                self.node_target(spanned, &kind_path, (&n.node, &n.pool, &n.zone), targets);
            if n.node.is_some() && n.count.as_ref().is_some_and(|c| c.value > 1) {
                self.report_at(
                    Code::Conflict,
                    format!("{kind_path}.count"),
                    spanned,
                    "a fault on one `node` crashes just that node",
                );
            }
            if let (Some(_), Some(count)) = (&n.mtbf, &n.count) {
                self.report_at(
                    Code::Conflict,
                    format!("{kind_path}.count"),
                    count,
                    "with `mtbf` every node fails on its own: no `count`",
                );
            }
            if n.mtbf.is_some() && n.recover_after.is_none() {
                self.report_at(Code::MissingCompanion, format!("{kind_path}.recoverAfter"), spanned, "a stochastic node crash needs `recoverAfter` (or `repair`): how long a node takes \
                     to come back; without it every node would eventually be lost for good");
            }
            let count = self.count(&kind_path, n.count.as_ref());
            let recover_after = n.recover_after;
            (
                target.map(|target| FaultKind::NodeCrash {
                    target,
                    count,
                    recover_after,
                }),
                &n.mtbf,
                kind_path,
            )
        };
        let trigger = match (f.at, f.every, mtbf) {
            (_, _, Some(_)) if f.at.is_some() || f.every.is_some() => {
                self.report_at(
                    Code::Conflict,
                    &path,
                    spanned,
                    format!(
                        "`{kind_path}.mtbf` makes the fault stochastic: give it no `at` or `every`"
                    ),
                );
                return None;
            }
            (_, _, Some(m)) => {
                if f.pod_crash.as_ref().is_some_and(|p| p.count.is_some()) {
                    self.report_at(
                        Code::Conflict,
                        format!("{kind_path}.count"),
                        spanned,
                        "with `mtbf` every pod fails on its own: no `count`",
                    );
                }
                Trigger::Mtbf(m.0)
            }
            (Some(at), None, None) => Trigger::At(SimTime::ZERO + at.get()),
            (at, Some(period), None) => Trigger::Every {
                first: SimTime::ZERO + at.map_or(period.get(), |a| a.get()),
                period: period.get(),
            },
            (None, None, None) => {
                self.report_at(
                    Code::MissingTrigger,
                    &path,
                    spanned,
                    "a fault needs `at` or `every` (or, for the kinds that take one, an `mtbf`)",
                );
                return None;
            }
        };
        Some(Fault {
            stream: f.name.clone().unwrap_or_else(|| path.clone()),
            trigger,
            kind: kind?,
        })
    }

    /// Faults that would never fire, and names that would share a random stream.
    pub(super) fn fault_names_and_times(
        &mut self,
        faults: &[Spanned<file::FaultSpec>],
        duration: SimDuration,
    ) {
        let mut names: Vec<&str> = Vec::new();
        let most = usize::try_from(self.limits.faults).unwrap_or(usize::MAX);
        for (i, f) in faults.iter().enumerate().take(most) {
            if let Some(name) = &f.value.name {
                if names.contains(&name.as_str()) {
                    self.report_at(
                        Code::DuplicateName,
                        format!("faults[{i}].name"),
                        f,
                        format!(
                            "fault name `{name}` is used twice; it names the fault's random stream"
                        ),
                    );
                }
                names.push(name);
            }
            let first = f
                .value
                .at
                .map(|a| a.get())
                .or(f.value.every.map(|e| e.get()));
            if let Some(first) = first.filter(|t| *t > duration) {
                self.report_at(Code::AfterEnd, format!("faults[{i}].at"), f, format!(
                        "the fault would first fire at {first}, after the end of the run ({duration}); \
                         it would never happen"
                    ));
            }
        }
    }

    /// At most one of `node`, `pool`, `zone`; none means any node.
    fn node_target(
        &mut self,
        spanned: &Spanned<file::FaultSpec>,
        kind_path: &str,
        (node, pool, zone): NodeSelector,
        targets: &Targets,
    ) -> Option<NodeTarget> {
        let chosen =
            usize::from(node.is_some()) + usize::from(pool.is_some()) + usize::from(zone.is_some());
        if chosen > 1 {
            self.report_at(
                Code::Conflict,
                kind_path,
                spanned,
                "give at most one of `node`, `pool`, `zone`",
            );
            None
        } else if let Some(node) = node {
            self.resolve(&format!("{kind_path}.node"), "node", node, targets.nodes)
                .map(NodeTarget::Node)
        } else if let Some(pool) = pool {
            self.resolve(
                &format!("{kind_path}.pool"),
                "node pool",
                pool,
                targets.pools,
            )
            .map(NodeTarget::Pool)
        } else if let Some(zone) = zone {
            self.resolve(&format!("{kind_path}.zone"), "zone", zone, targets.zones)
                .map(NodeTarget::Zone)
        } else {
            Some(NodeTarget::Any)
        }
    }

    fn one_node_one_count(
        &mut self,
        spanned: &Spanned<file::FaultSpec>,
        kind_path: &str,
        one_node: bool,
        count: u32,
    ) {
        if one_node && count > 1 {
            self.report_at(
                Code::Conflict,
                format!("{kind_path}.count"),
                spanned,
                "a fault on one `node` acts on just that node",
            );
        }
    }

    pub(super) fn count(&mut self, kind_path: &str, count: Option<&Spanned<u32>>) -> u32 {
        match count {
            Some(c) if c.value == 0 => {
                self.report_at(
                    Code::OutOfRange,
                    format!("{kind_path}.count"),
                    c,
                    "must be at least 1",
                );
                1
            }
            Some(c) => c.value,
            None => 1,
        }
    }
}
