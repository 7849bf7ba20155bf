//! Services: the EndpointSlice follows each pod's `Ready` condition at once,
//! and kube-proxy's rules follow the EndpointSlice `endpointPropagationDelay`
//! later. Traffic is routed by kube-proxy's view, so between the two a
//! request can reach a pod that no longer serves.

use super::etcd::ApiWrite;
use super::pod::Cause;
use super::{ModelEvent, PodId, World};
use crate::sim::Engine;

impl World<'_> {
    /// The pod's `Ready` condition is `ready` in the API; kube-proxy learns
    /// of a change after the propagation delay. Inlined as far as the test
    /// of a condition unchanged, which most calls (a kubelet's report after
    /// every change of the container) find.
    #[inline]
    pub(super) fn set_api_ready(
        &mut self,
        pod: PodId,
        ready: bool,
        engine: &mut Engine<ModelEvent>,
    ) {
        if self.pods[pod].api_ready != ready {
            self.api_ready_changes(pod, ready, engine);
        }
    }

    fn api_ready_changes(&mut self, pod: PodId, ready: bool, engine: &mut Engine<ModelEvent>) {
        if !self.api_writable() {
            // The kubelet retries; the condition is written when the API returns.
            self.status_unwritten(pod);
            return;
        }
        let now = engine.now();
        self.update_pod(pod, |p| p.api_ready = ready);
        self.pods[pod].ready_transition = now;
        let w = self.pods[pod].workload;
        self.wake_hpa(w, engine);
        self.deployment_pod_changed(w, engine);
        self.drains_may_proceed(engine);
        self.journal(now, ApiWrite::PodReady { pod, was: !ready });
        if ready {
            let name = &self.pods[pod].name;
            self.trace.emit(now, true, "Pod", name, "Ready", || {
                "condition Ready=True: the pod becomes an endpoint of its Service".to_string()
            });
        }
        self.pin_pod(pod);
        engine.schedule_in(
            self.scenario.settings.endpoint_propagation_delay,
            ModelEvent::EndpointPropagated { pod, ready },
        );
    }

    pub(super) fn endpoint_propagated(
        &mut self,
        pod: PodId,
        ready: bool,
        engine: &mut Engine<ModelEvent>,
    ) {
        // The event named the pod; a frozen propagation names it again.
        self.unpin_pod(pod);
        if !self.controllers_running() {
            self.freeze_propagation(pod, ready);
            return;
        }
        let p = &mut self.pods[pod];
        if p.in_view == ready {
            return;
        }
        p.in_view = ready;
        let w = p.workload;
        self.hpa_pod_changed(pod);
        if !ready {
            super::remove_pod(&mut self.workloads[w].leaving, pod);
        }
        self.refresh_endpoint(pod, engine);
        self.route_to_terminating(w, engine);
        // The pod's own load changed (to the Service's share, or to none);
        // one endpoint more or less changes every other's share.
        let now = engine.now();
        if self.pods[pod].container_runs() && self.observe(pod, now) {
            self.container_changed(pod, engine);
        }
        self.load_changed(w, engine);
        let p = &self.pods[pod];
        let size = self.workloads[w].traffic.view_size();
        let node = p.node.map_or("-", |n| self.scenario.nodes[n].name.as_str());
        let service = &self.scenario.workloads[w].name;
        let (reason, verb) = if ready {
            ("EndpointAdded", "added to")
        } else {
            ("EndpointRemoved", "removed from")
        };
        self.trace.emit(now, false, "Service", service, reason, || {
            format!(
                "{} ({node}) {verb} kube-proxy's rules; {size} endpoint(s) routed to",
                p.name
            )
        });
        if !ready {
            self.endpoint_dropped(w, engine);
        }
    }

    /// kube-proxy falls back on the terminating endpoints that still serve
    /// when no ready endpoint is left, and leaves them once one is back.
    pub(super) fn route_to_terminating(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let pods = &self.workloads[w].pods;
        let fallback =
            self.workloads[w].leaving.is_empty() && !pods.iter().any(|&p| self.pods[p].in_view);
        // Only a fallback sets a pod's flag: without one now or at the last
        // call, no pod has it, and nothing changes.
        let fell_back = std::mem::replace(&mut self.workloads[w].falls_back, fallback);
        if !fallback && !fell_back {
            return;
        }
        // Copied, as the loop changes the world that holds the list.
        let pods = self.workloads[w].pods.to_vec();
        for pod in pods {
            let p = &mut self.pods[pod];
            let now_routed = fallback && p.deleting;
            if p.serving_terminating != now_routed {
                p.serving_terminating = now_routed;
                self.refresh_endpoint(pod, engine);
            }
        }
    }

    /// What last took the pod out of service, as the incidents name it.
    fn cause_text(&self, pod: PodId) -> String {
        let p = &self.pods[pod];
        match &p.cause {
            Cause::None => String::new(),
            Cause::Text(text) => text.clone(),
            Cause::ScaledDown => {
                let (w, version) = (p.workload, p.version);
                let rs = &self.workloads[w].versions[version].name;
                format!("{} deleted: ReplicaSet {rs} scaled down", p.name)
            }
        }
    }

    /// Brings the Service's traffic account and the workload's up/down state
    /// in line with the pod's current state; call after any change to it.
    /// Inlined as far as the test of an endpoint unchanged, which most
    /// calls find.
    #[inline]
    pub(super) fn refresh_endpoint(&mut self, pod: PodId, engine: &mut Engine<ModelEvent>) {
        let p = &self.pods[pod];
        let class = p.endpoint_class();
        if class != p.endpoint {
            self.endpoint_changes(pod, class, engine);
        }
    }

    fn endpoint_changes(
        &mut self,
        pod: PodId,
        class: Option<crate::traffic::EndpointClass>,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let p = &mut self.pods[pod];
        let old = std::mem::replace(&mut p.endpoint, class);
        let (w, version, key) = (p.workload, p.version, p.uid as usize);
        self.hpa_pod_changed(pod);
        let traffic = &mut self.workloads[w].traffic;
        traffic.endpoint_changed(now, version, key, old, class);
        let up = traffic.serving() >= self.scenario.workloads[w].min_ready;
        if up != self.recorder.is_up(w) {
            let cause = self.cause_text(pod);
            self.recorder.set_up(w, up, now, &cause);
        }
        self.check_scaling_done(w);
        self.wake_hpa(w, engine);
    }
}
