//! Nodes as the kubelet and the node lifecycle controller see them, and the
//! zones the controller rate-limits evictions by.

use std::collections::VecDeque;

use super::{ModelEvent, NodeId, PodId};
use crate::scenario::{NodeSpec, Resources};
use crate::sim::{Engine, SimTime, TimerId};

#[derive(Debug)]
pub(super) struct Node {
    /// The Node object exists: from the start, or once the cluster
    /// autoscaler's new machine has registered, until it removes it.
    pub registered: bool,
    /// The cluster autoscaler asked the cloud for this machine.
    pub provisioning: bool,
    /// `spec.unschedulable` (cordoned): `kubectl drain`, or the cluster
    /// autoscaler removing the node.
    pub cordoned: bool,
    /// The cluster autoscaler deletes the machine once its pods are gone.
    pub removing: bool,
    /// The machine and its kubelet run.
    pub up: bool,
    /// Running, but cut off from the control plane.
    pub partitioned: bool,
    /// The controller's view of the `Ready` condition: false once it has
    /// found the Lease stale (`Ready=Unknown`).
    pub ready_condition: bool,
    /// `node.kubernetes.io/unreachable:NoSchedule`: the scheduler skips the node.
    pub no_schedule: bool,
    /// `node.kubernetes.io/unreachable:NoExecute`: pods go when their toleration runs out.
    pub no_execute: bool,
    /// The kubelet renews its Lease at `lease_origin + k × renew interval`.
    pub lease_origin: SimTime,
    /// When the node last went silent (crashed, or cut off by a partition).
    pub silent_since: SimTime,
    /// Image pulls are serialized (`serializeImagePulls: true`): the next can
    /// start when this one ends.
    pub pull_free_at: SimTime,
    /// The pulls not over at the last one begun: when each ends, of which
    /// workload's version. Pulls being serialized, they end in this order.
    /// A crash loses these, found without a pass over every version ever
    /// made (a daily deploy makes hundreds).
    pub pulls: Vec<(SimTime, usize, usize)>,
    pub pods: Vec<PodId>,
    /// What took the node down, for the incidents it causes.
    pub cause: String,
    /// Monitor-pass decisions of the node lifecycle controller.
    pub monitor_timer: TimerId,
    pub toleration_timer: TimerId,
    pub failure_timer: TimerId,
    pub recover_timer: TimerId,
    /// The kubelet's next eviction for memory pressure.
    pub pressure_timer: TimerId,
    /// kubectl drain's next retry of refused evictions.
    pub drain_timer: TimerId,
    /// The `MemoryPressure` condition: set when the eviction manager finds
    /// the node short of memory, cleared `evictionPressureTransitionPeriod`
    /// (5 min) after it last did.
    pub memory_pressure: bool,
    pub memory_pressure_timer: TimerId,
    /// The eviction manager checks at `eviction_phase + k × 10 s`; an
    /// eviction moves the phase to its cleanup poll.
    pub eviction_phase: SimTime,
}

impl Node {
    pub fn new(
        lease_origin: SimTime,
        eviction_phase: SimTime,
        engine: &mut Engine<ModelEvent>,
    ) -> Self {
        Node {
            registered: true,
            provisioning: false,
            cordoned: false,
            removing: false,
            up: true,
            partitioned: false,
            ready_condition: true,
            no_schedule: false,
            no_execute: false,
            lease_origin,
            silent_since: SimTime::ZERO,
            pull_free_at: SimTime::ZERO,
            pulls: Vec::new(),
            pods: Vec::new(),
            cause: String::new(),
            monitor_timer: engine.new_timer(),
            toleration_timer: engine.new_timer(),
            failure_timer: engine.new_timer(),
            recover_timer: engine.new_timer(),
            pressure_timer: engine.new_timer(),
            drain_timer: engine.new_timer(),
            memory_pressure: false,
            memory_pressure_timer: engine.new_timer(),
            eviction_phase,
        }
    }
}

/// What the scheduler's scan of a zone reads of each node that it may pass
/// over, apart from the large `Node` so that the scan reads one small row
/// per node, as kube-scheduler keeps a `NodeInfo` per node in its cache.
#[derive(Clone, Copy, Debug)]
pub(super) struct NodeResources {
    /// Allocatable less the requests of the pods bound here, terminating
    /// ones included. A pod is bound only where its requests fit, so this
    /// never falls below zero.
    pub free: Resources,
    /// The spec's allocatable.
    pub allocatable: Resources,
    /// The node's pool: the nodes of one pool have one allocatable, which
    /// the scan tells by this one word.
    pub pool: usize,
}

impl NodeResources {
    pub fn new(spec: &NodeSpec) -> Self {
        NodeResources {
            free: spec.allocatable,
            allocatable: spec.allocatable,
            pool: spec.pool,
        }
    }
}

/// The controller's `ZoneState`, from `ComputeZoneState`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum ZoneState {
    Normal,
    /// More than 2 nodes, and at least `unhealthyZoneThreshold` of them, not Ready.
    PartialDisruption,
    /// No Ready node at all.
    FullDisruption,
}

#[derive(Debug)]
pub(super) struct Zone {
    pub nodes: Vec<NodeId>,
    pub state: ZoneState,
    /// Nodes waiting for the NoExecute taint (`zoneNoExecuteTainter`).
    pub taint_queue: VecDeque<NodeId>,
    /// The token bucket (burst 1) lets the next node be tainted from here on.
    pub next_token: SimTime,
    /// Nodes per second the bucket refills at, after the zone's state.
    pub rate: f64,
    pub timer: TimerId,
}

impl Zone {
    pub fn new(zone: usize, nodes: &[NodeSpec], engine: &mut Engine<ModelEvent>) -> Self {
        Zone {
            nodes: (0..nodes.len())
                .filter(|&n| nodes[n].zone == zone && nodes[n].initial)
                .collect(),
            state: ZoneState::Normal,
            taint_queue: VecDeque::new(),
            next_token: SimTime::ZERO,
            rate: 0.0,
            timer: engine.new_timer(),
        }
    }
}
