//! A network partition cuts a node off from the control plane while the
//! machine, its kubelet and its containers run on. The node lifecycle
//! controller sees a silent Lease: `NodeNotReady`, its pods marked not Ready
//! (kube-proxy stops routing to them), the NoExecute taint, and after
//! `tolerationSeconds` their deletion, so the ReplicaSet replaces them
//! elsewhere — while the originals keep running, since their kubelet never
//! hears of it. Whether clients can still reach the pods in the meantime
//! depends on where the partition lies (`trafficReachable`). When it heals,
//! the kubelet learns what was deleted and stops those pods.

use super::{ModelEvent, NodeId, World};
use crate::sim::Engine;

impl World<'_> {
    pub(super) fn partition_node(
        &mut self,
        node: NodeId,
        cause: String,
        traffic_reachable: bool,
        engine: &mut Engine<ModelEvent>,
    ) {
        let n = &mut self.nodes[node];
        if !n.up || n.partitioned {
            return;
        }
        n.partitioned = true;
        n.silent_since = engine.now();
        n.cause = cause.clone();
        for pod in self.nodes[node].pods.clone() {
            let p = &mut self.pods[pod];
            p.unreachable = !traffic_reachable;
            p.cause = cause.clone().into();
            self.refresh_endpoint(pod, engine);
        }
        self.node_goes_silent(node, engine);
    }

    pub(super) fn partition_heals(&mut self, node: NodeId, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let name = &self.scenario.nodes[node].name;
        self.trace
            .emit(now, true, "Node", name, "PartitionHealed", || {
                format!("node {name} reaches the control plane again")
            });
        self.nodes[node].partitioned = false;
        self.node_heard_again(node, engine);
        for pod in self.nodes[node].pods.clone() {
            self.pods[pod].unreachable = false;
            if self.pods[pod].deleting {
                // Deleted while it could not be told: its kubelet stops it now.
                self.begin_termination(pod, engine);
            } else {
                self.container_changed(pod, engine);
            }
        }
    }
}
