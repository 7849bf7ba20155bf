//! The HorizontalPodAutoscaler controller (k8s-reference §7): every
//! `--horizontal-pod-autoscaler-sync-period` it reads the pods' metrics, as
//! metrics-server last scraped them, computes the replicas they call for,
//! and lets its behavior (stabilization windows, rate policies) bound the
//! change before it scales the Deployment.
//!
//! Its loop is lazy. A sync whose recommendation equals the current
//! replicas changes nothing, and neither would the next ones while the
//! pods and their load stay as they are: the controller then rests. So it
//! does when the stabilization windows or the rate policies hold back a
//! lower recommendation, until the first instant a recommendation leaves a
//! window or a scale event a policy's period. The load at which the
//! recommendation would change, above or below, is found by bisection on
//! the (monotone) recommendation as a function of the offered rate, and the
//! controller wakes at the first sync that sees the rate cross either
//! level; a change to a pod it lists, or a step of the load, wakes it at
//! the next sync. A steady workload thus costs no syncs, and a diurnal load
//! a few per scaling step. In tests, a controller that syncs every period
//! checks that the lazy one decides exactly as it does.

pub(super) mod behavior;
pub(super) mod replica_calculator;

use super::prober::next_tick;
use super::{ModelEvent, PodId, World};
use crate::scenario::ResourceName;
use crate::sim::{Engine, SimDuration, SimTime, Stream, TimerId};
use replica_calculator::Measure;

#[derive(Debug)]
pub(super) struct HpaState {
    timer: TimerId,
    /// Syncs run at `sync_phase + k × sync period`.
    sync_phase: SimTime,
    /// metrics-server scrapes at `scrape_phase + k × metric resolution`.
    scrape_phase: SimTime,
    next_sync: Option<SimTime>,
    /// The sync after which the controller went to rest, if it rests.
    resting: Option<Rest>,
    recommendations: behavior::Recommendations,
    /// The pods as the last sync listed them, and those changed since.
    listing: Option<Listing>,
    /// What the last sync made of its listing.
    made: Option<Made>,
    /// Syncs that kept the last listing, listing again only some pods,
    /// each checked against a fresh one.
    #[cfg(test)]
    listings_kept: u64,
    #[cfg(test)]
    mode: SyncMode,
}

/// How a test runs the controller's loop.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncMode {
    Lazy,
    /// Lazy, each band bisected to the finest level, without stopping
    /// where a coarser one wakes it at the same scrape.
    FineBands,
    /// Syncs every period, never resting: what the lazy loop must decide
    /// exactly as.
    Eager,
}

impl HpaState {
    pub fn new(
        mut rng: Stream,
        sync: SimDuration,
        resolution: SimDuration,
        timer: TimerId,
    ) -> Self {
        use rand::RngExt;

        let sync_phase = SimTime::from_nanos(rng.random_range(0..sync.as_nanos().max(1)));
        let scrape_phase = SimTime::from_nanos(rng.random_range(0..resolution.as_nanos().max(1)));
        HpaState {
            timer,
            sync_phase,
            scrape_phase,
            next_sync: None,
            resting: None,
            recommendations: behavior::Recommendations::default(),
            listing: None,
            made: None,
            #[cfg(test)]
            listings_kept: 0,
            #[cfg(test)]
            mode: SyncMode::Lazy,
        }
    }
}

/// A controller at rest: the sync after which it went to rest, and the
/// recommendation (clamped to the HPA's bounds) that sync made, which
/// every sync skipped since would have made too.
#[derive(Debug, Clone, Copy)]
struct Rest {
    since: SimTime,
    recommendation: u32,
}

/// The last tick at or before `t` of the grid `phase + k × period`; before
/// the first, time zero (the steady state the run starts from).
fn last_tick(phase: SimTime, period: SimDuration, t: SimTime) -> SimTime {
    if t < phase {
        return SimTime::ZERO;
    }
    let period = period.as_nanos().max(1);
    let k = (t - phase).as_nanos() / period;
    phase + SimDuration::from_nanos(k * period)
}

impl World<'_> {
    /// Something the HPA reads changed: it syncs at the first tick that
    /// sees it, the next one (a sync due now and not yet run sees it too).
    /// A sync lists the pods as they are then (their readiness, their
    /// endpoints), with the load metrics-server last scraped.
    pub(super) fn wake_hpa(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        if self.workloads[w].hpa.is_none() {
            return;
        }
        let now = engine.now();
        self.schedule_hpa_sync(w, now + SimDuration::from_nanos(1), engine);
    }

    fn schedule_hpa_sync(
        &mut self,
        w: usize,
        not_before: SimTime,
        engine: &mut Engine<ModelEvent>,
    ) {
        let period = self.scenario.settings.hpa_sync_period;
        let Some(state) = self.workloads[w].hpa.as_mut() else {
            return;
        };
        let at = next_tick(state.sync_phase, period, not_before);
        if state.next_sync.is_some_and(|due| due <= at) {
            return;
        }
        state.next_sync = Some(at);
        engine
            .set_timer(state.timer, at, ModelEvent::HpaSync { workload: w })
            .expect("a sync is not in the past");
    }
}

/// The pods as the HPA lists them at one sync, in classes of pods alike,
/// and what decides each class's usage, so that the usage at another
/// offered rate is read without listing the pods again (the rest band's
/// bisection asks for dozens of rates).
#[derive(Debug, Default)]
struct Samples {
    /// The classes, with the usage metrics-server scraped.
    pods: Vec<replica_calculator::PodSample>,
    /// Per class, with a metric: what decides its usage.
    basis: Vec<Option<Basis>>,
    view: u32,
}

/// What decides the usage of a class of pods with a metric.
#[derive(Debug, Clone, Copy)]
struct Basis {
    /// In kube-proxy's view: the load balancer sends it its share.
    in_view: bool,
    /// Its app answers: it burns CPU.
    serving: bool,
    version: usize,
    memory: Memory,
    /// What its version's endpoint can take.
    capacity: crate::traffic::Capacity,
}

impl Basis {
    /// Whether a class on this basis and one on `other` read the same for
    /// `measure` at any load: the load and the CPU follow from the view,
    /// the serving and the version; the memory also from what is held.
    fn alike(&self, other: &Basis, measure: Measure) -> bool {
        let load_alike = (self.in_view, self.serving, self.version)
            == (other.in_view, other.serving, other.version);
        match measure {
            Measure::Memory => {
                load_alike && self.memory.held.to_bits() == other.memory.held.to_bits()
            }
            Measure::Cpu | Measure::RequestRate => load_alike,
        }
    }
}

/// A pod's memory at the scrape: what it holds, and what each request in
/// flight adds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Memory {
    held: f64,
    per_request: f64,
}

impl Samples {
    /// What the load balancer gives each endpoint in kube-proxy's view when
    /// the offered rate is `rate`.
    fn per_endpoint(&self, rate: f64) -> f64 {
        if self.view == 0 {
            0.0
        } else {
            rate / f64::from(self.view)
        }
    }

    /// What metrics-server scraped from a pod of class `class`, which has
    /// a metric, if each endpoint in view had taken `per_endpoint`: the
    /// load balancer's share if it is in view, CPU if its app answers
    /// (capped by the CPU limit), memory as held plus what requests in
    /// flight hold.
    fn measure(&self, class: usize, per_endpoint: f64, measure: Measure) -> f64 {
        let basis = self.basis[class].expect("a class with a metric");
        let (memory, capacity) = (basis.memory, basis.capacity);
        let load = if basis.in_view { per_endpoint } else { 0.0 };
        match measure {
            Measure::Cpu => {
                if basis.serving {
                    capacity.cpu_cores(load) * 1000.0
                } else {
                    0.0
                }
            }
            Measure::Memory => memory.held + memory.per_request * capacity.in_flight(load),
            Measure::RequestRate => load,
        }
    }

    /// Whether classes `a` and `b` read the same for `measure` at any load
    /// (see [`Basis::alike`]).
    fn alike(&self, a: usize, b: usize, measure: Measure) -> bool {
        match (&self.basis[a], &self.basis[b]) {
            (Some(a), Some(b)) => a.alike(b, measure),
            _ => false,
        }
    }

    /// Sets the usage of the classes with a metric to what the offered
    /// rate `rate` makes it.
    fn scraped_at(&mut self, rate: f64) {
        let per_endpoint = self.per_endpoint(rate);
        for class in 0..self.pods.len() {
            let usage = self.basis[class].map(|_| replica_calculator::Usage {
                cpu_millis: self.measure(class, per_endpoint, Measure::Cpu),
                memory_bytes: self.measure(class, per_endpoint, Measure::Memory),
                requests_per_second: self.measure(class, per_endpoint, Measure::RequestRate),
            });
            self.pods[class].usage = usage;
        }
    }
}

/// What sets a pod's class apart at a sync: its sample as the controller
/// lists it, with its [`replica_calculator::Timing`], and, if it has a
/// metric, what decides its usage. The pods of a class are listed as one
/// sample of their count.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PodClass {
    running: bool,
    deleting: bool,
    timing: replica_calculator::Timing,
    usage: Option<UsageKey>,
}

/// What decides the usage of a pod with a metric (see [`Basis`]), by its
/// version: what the version can take and hold is looked up once per
/// class, not per pod.
#[derive(Debug, Clone, Copy, PartialEq)]
struct UsageKey {
    in_view: bool,
    serving: bool,
    version: usize,
    held: f64,
}

/// The workload's pods as the HPA listed them, in classes. Listing is
/// most of a sync's cost, and most syncs (those of a stabilization window,
/// or at a load crossing) find most pods as the last one did: a sync lists
/// again only the pods that changed since, and those that time would class
/// otherwise (a metric appears, a CPU initialization ends).
#[derive(Debug)]
struct Listing {
    classes: replica_calculator::Alike<PodClass>,
    /// Counts the pods that joined or left a class, on from the revision
    /// of the listing before, so that what was made of the classes is
    /// known to hold while it stays.
    revision: u64,
    /// The first instant a pod's sample would be grouped otherwise with no
    /// other change, so that the proposal may change: a container started
    /// after the scrape gets a metric at the next one; a CPU sample taken
    /// less than a metric window after the pod turned Ready counts from
    /// the first scrape past that window, and none is suspect once the CPU
    /// initialization period is over.
    regroups_at: Option<SimTime>,
    /// The pods changed since they were listed, with how they were (none
    /// for a pod created since).
    changed: Vec<Change>,
    /// The pods listed with an instant they would be classed otherwise at,
    /// by slot and uid.
    timed: Vec<(PodId, u64)>,
}

/// A class whose pods all left stays in the listing, so that the others
/// keep their index, until there are this many more such classes than
/// classes with pods (a rollout empties its old version's): the pods are
/// then listed afresh.
const EMPTY_CLASSES_KEPT: usize = 32;

/// Where a pod stands in its workload's HPA listing.
#[derive(Debug, Clone, Copy, Default)]
pub(super) enum ListingEntry {
    /// Not listed: created since the listing, or there is none.
    #[default]
    Unlisted,
    Listed(Listed),
    /// Changed since it was listed: the next sync lists it again.
    Changed,
}

/// How a pod is listed: its class, and the instants at which, with no
/// other change, it would be classed (`reclass`) or grouped (`regroup`)
/// otherwise.
#[derive(Debug, Clone, Copy)]
pub(super) struct Listed {
    class: usize,
    reclass: Option<SimTime>,
    regroup: Option<SimTime>,
}

/// A pod as a sync sees it: its class and instants, as in [`Listed`].
struct Seen {
    class: PodClass,
    reclass: Option<SimTime>,
    regroup: Option<SimTime>,
}

/// A pod changed since the listing, and how it was listed: its slot may
/// hold another pod by the next sync, so the listing keeps its uid.
#[derive(Debug)]
struct Change {
    pod: PodId,
    uid: u64,
    was: Option<Listed>,
}

/// The earlier of two instants, if any.
fn earliest(a: Option<SimTime>, b: Option<SimTime>) -> Option<SimTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => a.or(b),
    }
}

/// The earliest of the instants after `now` given to it.
#[derive(Debug, Clone, Copy)]
struct Earliest {
    now: SimTime,
    at: Option<SimTime>,
}

impl Earliest {
    fn after(now: SimTime) -> Self {
        Earliest { now, at: None }
    }

    fn consider(&mut self, t: SimTime) {
        if t > self.now && self.at.is_none_or(|e| t < e) {
            self.at = Some(t);
        }
    }
}

/// A sync's instants and the workload's settings the pods are listed with.
///
/// Times are given to the calculator `history` later than they are, so
/// that the pods of the steady state can have started, and turned Ready,
/// before time zero: at least the CPU initialization period before, as a
/// cluster running for a while has them.
struct Lister {
    now: SimTime,
    /// The metrics were scraped here; a container started after has none.
    scrape: SimTime,
    scrape_phase: SimTime,
    history: SimDuration,
    calculator: replica_calculator::CalculatorSettings,
    /// The HPA reads CPU, which a starting pod's initialization sets apart.
    cpu: bool,
    /// The workload's memory grows: what a pod holds changes with the scrape.
    leaks: bool,
}

impl World<'_> {
    /// How the HPA lists the pod at the sync of `lister`: its class, and
    /// the instants it would be classed or grouped otherwise.
    fn hpa_list_pod(&self, p: PodId, lister: &Lister) -> Seen {
        use replica_calculator::ReadyCondition;

        let settings = &self.scenario.settings;
        let resolution = settings.metric_resolution;
        let next_scrape = |t: SimTime| next_tick(lister.scrape_phase, resolution, t);
        let (now, scrape, history) = (lister.now, lister.scrape, lister.history);
        let mut reclass = Earliest::after(now);
        let mut regroup = Earliest::after(now);
        let pod = &self.pods[p];
        // A container started after the scrape gets a metric at the next
        // one; one in its CPU initialization is classed by whether the
        // sample's window began after its condition last changed, until it
        // is initialized.
        if pod.container_runs() && pod.started_at > scrape {
            let metric = next_scrape(pod.started_at);
            reclass.consider(metric);
            regroup.consider(metric);
        }
        if let (false, Some(start)) = (pod.pre_existing, pod.start_time) {
            let initialized = start + settings.hpa_cpu_initialization_period;
            if initialized > now {
                let fresh_until = next_scrape(pod.ready_transition + resolution);
                reclass.consider(initialized);
                reclass.consider(fresh_until);
                if lister.cpu {
                    regroup.consider(initialized);
                    regroup.consider(fresh_until);
                }
            }
        }
        let usage = (pod.container_runs() && pod.started_at <= scrape).then(|| {
            let serving = pod.endpoint == Some(crate::traffic::EndpointClass::Serving);
            let held = if lister.leaks {
                pod.memory_leaked_from
                    + self.leak_per_second(p)
                        * (scrape.max(pod.memory_since) - pod.memory_since).as_secs_f64()
            } else {
                pod.memory_leaked_from
            };
            UsageKey {
                in_view: pod.in_view,
                serving,
                version: pod.version,
                held,
            }
        });
        let ready = pod.node.map(|_| ReadyCondition {
            ready: pod.api_ready,
            last_transition: if pod.pre_existing && pod.ready_transition == SimTime::ZERO {
                SimTime::ZERO
            } else {
                pod.ready_transition + history
            },
        });
        let start_time = if pod.pre_existing {
            Some(SimTime::ZERO)
        } else {
            pod.start_time.map(|t| t + history)
        };
        let class = PodClass {
            running: pod.node.is_some() && pod.ever_started,
            deleting: pod.deleting,
            timing: replica_calculator::timing(ready, start_time, &lister.calculator),
            usage,
        };
        Seen {
            class,
            // What a leak holds grows with the scrape's instant.
            reclass: if lister.leaks { Some(now) } else { reclass.at },
            regroup: regroup.at,
        }
    }

    /// The workload's pods as the HPA lists them at the sync of `lister`,
    /// and how each is listed, in the workload's order.
    fn hpa_listing(&self, w: usize, lister: &Lister) -> (Listing, Vec<Listed>) {
        let mut listing = Listing {
            classes: replica_calculator::Alike::default(),
            revision: 0,
            regroups_at: None,
            changed: Vec::new(),
            timed: Vec::new(),
        };
        let entries = (self.workloads[w].pods.iter())
            .map(|&p| {
                let listed = listing.enter(self.hpa_list_pod(p, lister));
                listing.regroups_at = earliest(listing.regroups_at, listed.regroup);
                listed
            })
            .collect();
        (listing, entries)
    }

    /// Lists every pod of the workload afresh, from revision `revision`.
    fn hpa_list_afresh(&mut self, w: usize, revision: u64, lister: &Lister) -> Listing {
        let (mut listing, entries) = self.hpa_listing(w, lister);
        listing.revision += revision;
        for (&p, listed) in self.workloads[w].pods.iter().zip(entries) {
            let pod = &mut self.pods[p];
            pod.hpa_listing = ListingEntry::Listed(listed);
            if listed.reclass.is_some() {
                listing.timed.push((p, pod.uid));
            }
        }
        listing
    }

    /// Lists again the pods that changed since the listing, and those
    /// that time classes otherwise at the sync of `lister`. False when
    /// what a pod holds grows with time (every pod is then listed afresh),
    /// or when the listing has [`EMPTY_CLASSES_KEPT`] more empty classes
    /// than classes with pods.
    fn hpa_relist(&mut self, listing: &mut Listing, lister: &Lister) -> bool {
        if lister.leaks {
            return false;
        }
        // Drained and put back, so that its allocation serves the next sync.
        let mut changed = std::mem::take(&mut listing.changed);
        for Change { pod, uid, was } in changed.drain(..) {
            if let Some(was) = was {
                listing.leave(was);
            }
            let p = &self.pods[pod];
            if p.uid != uid || p.gone {
                continue;
            }
            let listed = listing.enter(self.hpa_list_pod(pod, lister));
            self.pods[pod].hpa_listing = ListingEntry::Listed(listed);
            let was_timed = was.is_some_and(|was| was.reclass.is_some());
            if listed.reclass.is_some() && !was_timed {
                listing.timed.push((pod, uid));
            }
        }
        listing.changed = changed;
        // Every pod listed with an instant is in `timed`, once; those
        // whose instant came are listed again.
        listing.regroups_at = None;
        let mut i = 0;
        while let Some(&(pod, uid)) = listing.timed.get(i) {
            let p = &self.pods[pod];
            let listed = match p.hpa_listing {
                ListingEntry::Listed(listed) if p.uid == uid && !p.gone => listed,
                // Gone: its change was counted above.
                _ => {
                    listing.timed.swap_remove(i);
                    continue;
                }
            };
            let listed = if listed.reclass.is_some_and(|t| t <= lister.now) {
                listing.leave(listed);
                let again = listing.enter(self.hpa_list_pod(pod, lister));
                self.pods[pod].hpa_listing = ListingEntry::Listed(again);
                again
            } else {
                listed
            };
            if listed.reclass.is_none() {
                listing.timed.swap_remove(i);
                continue;
            }
            listing.regroups_at = earliest(listing.regroups_at, listed.regroup);
            i += 1;
        }
        let empty = listing.classes.empty();
        empty <= listing.classes.len() - empty + EMPTY_CLASSES_KEPT
    }

    /// The classes of the listing as samples for the calculator, at the
    /// sync `calculator`, with the usage the offered rate `rate` makes.
    /// Written into `samples`, which the last sync made: its lists keep
    /// their allocation.
    fn hpa_samples(
        &self,
        w: usize,
        listing: &Listing,
        rate: f64,
        calculator: &replica_calculator::CalculatorSettings,
        samples: &mut Samples,
    ) {
        use replica_calculator::{PodPhase, PodSample, Requests};

        let workload = &self.scenario.workloads[w];
        let traffic = &self.workloads[w].traffic;
        let versions = &self.workloads[w].versions;
        samples.pods.clear();
        samples.basis.clear();
        samples.view = traffic.view_size();
        for &(class, count) in listing.classes.counted() {
            samples.basis.push(class.usage.map(|key| Basis {
                in_view: key.in_view,
                serving: key.serving,
                version: key.version,
                memory: Memory {
                    held: key.held,
                    per_request: versions[key.version].app.memory.per_request_bytes,
                },
                capacity: *traffic.capacity(key.version),
            }));
            let (ready, start_time) = class.timing.times(calculator);
            samples.pods.push(PodSample {
                phase: if class.running {
                    PodPhase::Running
                } else {
                    PodPhase::Pending
                },
                deleting: class.deleting,
                ready,
                start_time,
                requests: Requests {
                    cpu_millis: workload.requests.cpu_millis,
                    memory_bytes: workload.requests.memory_bytes,
                },
                usage: None,
                count,
            });
        }
        samples.scraped_at(rate);
    }

    /// A listing kept from an earlier sync is the one this sync would make:
    /// the same classes with the same pods, regrouping at the same instant.
    #[cfg(test)]
    fn assert_listing_holds(&mut self, w: usize, kept: &Listing, lister: &Lister) {
        let (fresh, _) = self.hpa_listing(w, lister);
        let now = lister.now;
        let kept_classes: Vec<_> = kept.classes.counted().collect();
        let fresh_classes: Vec<_> = fresh.classes.counted().collect();
        assert_eq!(
            kept_classes.len(),
            fresh_classes.len(),
            "workload {w} at {now}"
        );
        for class in fresh_classes {
            assert!(kept_classes.contains(&class), "workload {w} at {now}");
        }
        assert_eq!(kept.regroups_at, fresh.regroups_at, "workload {w} at {now}");
        self.workloads[w]
            .hpa
            .as_mut()
            .expect("an HPA")
            .listings_kept += 1;
    }

    /// Samples and a grouping taken up from an earlier sync propose what
    /// those made afresh do, at the sync's rate and around it.
    #[cfg(test)]
    fn assert_made_holds(
        &self,
        w: usize,
        listing: &Listing,
        rate: f64,
        calculator: &replica_calculator::CalculatorSettings,
        samples: &Samples,
        grouping: &replica_calculator::Grouping,
    ) {
        use replica_calculator::{Calculation, Grouping};

        let metrics = &self.scenario.workloads[w]
            .hpa
            .as_ref()
            .expect("an HPA")
            .metrics;
        let current = self.workloads[w].replicas;
        let mut fresh_samples = Samples::default();
        self.hpa_samples(w, listing, rate, calculator, &mut fresh_samples);
        let fresh_grouping = Grouping::new(
            metrics,
            &fresh_samples.pods,
            |a, b, measure| fresh_samples.alike(a, b, measure),
            calculator,
        );
        let kept = Calculation::new(current, metrics, grouping.clone(), calculator);
        let fresh = Calculation::new(current, metrics, fresh_grouping, calculator);
        for r in [0.0, rate / 2.0, rate, rate * 1.1, rate * 2.0] {
            let propose = |samples: &Samples, calculation: &Calculation| {
                let per_endpoint = samples.per_endpoint(r);
                calculation.proposal(|class, measure| samples.measure(class, per_endpoint, measure))
            };
            assert_eq!(
                propose(samples, &kept),
                propose(&fresh_samples, &fresh),
                "workload {w} at rate {r}"
            );
        }
    }

    /// A pod changed: if its workload's HPA has listed its pods, the next
    /// sync lists this one again. Inlined as far as the test of a pod
    /// already marked, which most of its calls (several an event) find.
    #[inline]
    pub(super) fn hpa_pod_changed(&mut self, pod: PodId) {
        if !matches!(self.pods[pod].hpa_listing, ListingEntry::Changed) {
            self.hpa_pod_first_changed(pod);
        }
    }

    fn hpa_pod_first_changed(&mut self, pod: PodId) {
        let p = &mut self.pods[pod];
        let state = self.workloads[p.workload].hpa.as_mut();
        let Some(listing) = state.and_then(|state| state.listing.as_mut()) else {
            return;
        };
        let was = match std::mem::replace(&mut p.hpa_listing, ListingEntry::Changed) {
            ListingEntry::Changed => return,
            ListingEntry::Unlisted => None,
            ListingEntry::Listed(listed) => Some(listed),
        };
        // The first change since the last sync wakes the controller; later
        // ones find it woken.
        if listing.changed.is_empty() {
            self.hpa_woken.push(p.workload);
        }
        listing.changed.push(Change {
            pod,
            uid: p.uid,
            was,
        });
    }
}

impl Listing {
    /// A pod seen as `seen` joins its class: how it is listed.
    fn enter(&mut self, seen: Seen) -> Listed {
        self.revision += 1;
        Listed {
            class: self.classes.add(seen.class),
            reclass: seen.reclass,
            regroup: seen.regroup,
        }
    }

    /// A pod leaves its class.
    fn leave(&mut self, listed: Listed) {
        self.classes.remove(listed.class);
        self.revision += 1;
    }
}

/// The samples and grouping a sync made of its listing, which later syncs
/// take up while no pod joined or left a class and the view is the same
/// size: only the usage is read again. The samples' times are those of the
/// sync that made them, which only the grouping read.
#[derive(Debug)]
struct Made {
    /// The listing's revision and the view's size.
    of: (u64, u32),
    samples: Samples,
    grouping: replica_calculator::Grouping,
}

impl World<'_> {
    /// Kept out of the event dispatch it would otherwise be inlined into,
    /// so that its cost is measured, and its code laid out, on its own.
    #[inline(never)]
    pub(super) fn hpa_sync(&mut self, w: usize, engine: &mut Engine<ModelEvent>) {
        let now = engine.now();
        let Some(hpa) = self.scenario.workloads[w].hpa.as_ref() else {
            return;
        };
        let settings = &self.scenario.settings;
        let current = self.workloads[w].replicas;
        let state = self.workloads[w].hpa.as_mut().expect("an HPA");
        state.next_sync = None;
        if let Some(rest) = state.resting.take() {
            // The syncs skipped while resting would each have recommended
            // what the rest's did; the windows must hold them.
            let skipped = last_tick(
                state.sync_phase,
                settings.hpa_sync_period,
                SimTime::from_nanos(now.as_nanos().saturating_sub(1)),
            );
            if skipped > rest.since {
                (state.recommendations).record_rest(skipped, rest.recommendation);
            }
        }
        let scrape_phase = state.scrape_phase;
        if !self.controllers_running() {
            // kube-controller-manager cannot act; the catch-up wakes it.
            return;
        }
        let scrape = last_tick(scrape_phase, settings.metric_resolution, now);
        let rate = self.workloads[w].traffic.offered_rate_at(scrape);
        let history = settings.hpa_cpu_initialization_period
            + settings.hpa_initial_readiness_delay
            + settings.metric_resolution
            + SimDuration::from_secs(1);
        let calculator = replica_calculator::CalculatorSettings {
            tolerance_up: hpa.behavior.scale_up.tolerance,
            tolerance_down: hpa.behavior.scale_down.tolerance,
            cpu_initialization_period: settings.hpa_cpu_initialization_period,
            initial_readiness_delay: settings.hpa_initial_readiness_delay,
            metric_timestamp: scrape + history,
            metric_window: settings.metric_resolution,
            now: now + history,
        };
        let lister = Lister {
            now,
            scrape,
            scrape_phase,
            history,
            calculator,
            cpu: hpa.uses(ResourceName::Cpu),
            leaks: self.workload_leaks(w),
        };
        let state = self.workloads[w].hpa.as_mut().expect("an HPA");
        let mut kept = state.listing.take();
        let relisted = (kept.as_mut()).is_some_and(|listing| self.hpa_relist(listing, &lister));
        let listing = match kept {
            Some(listing) if relisted => {
                #[cfg(test)]
                self.assert_listing_holds(w, &listing, &lister);
                listing
            }
            // Its revisions follow the last listing's.
            _ => self.hpa_list_afresh(w, kept.map_or(0, |l| l.revision + 1), &lister),
        };
        let view = self.workloads[w].traffic.view_size();
        let state = self.workloads[w].hpa.as_mut().expect("an HPA");
        let (samples, grouping) = match state.made.take() {
            Some(made) if made.of == (listing.revision, view) => {
                let mut samples = made.samples;
                samples.scraped_at(rate);
                #[cfg(test)]
                self.assert_made_holds(w, &listing, rate, &calculator, &samples, &made.grouping);
                (samples, made.grouping)
            }
            made => {
                // Made afresh in the lists of the last sync's.
                let (mut samples, mut grouping) = made.map_or_else(
                    || (Samples::default(), replica_calculator::Grouping::default()),
                    |made| (made.samples, made.grouping),
                );
                self.hpa_samples(w, &listing, rate, &calculator, &mut samples);
                grouping.regroup(
                    &hpa.metrics,
                    &samples.pods,
                    |a, b, measure| samples.alike(a, b, measure),
                    &calculator,
                );
                (samples, grouping)
            }
        };
        let made_of = (listing.revision, view);
        let regroups_at = listing.regroups_at;
        // Kept before anything this sync does can change a pod.
        self.workloads[w].hpa.as_mut().expect("an HPA").listing = Some(listing);
        let calculation =
            replica_calculator::Calculation::new(current, &hpa.metrics, grouping, &calculator);
        self.hpa_decide(w, rate, &samples, &calculation, regroups_at, engine);
        self.workloads[w].hpa.as_mut().expect("an HPA").made = Some(Made {
            of: made_of,
            samples,
            grouping: calculation.into_grouping(),
        });
    }

    /// The rest of a sync, once the pods are listed and grouped: reconcile,
    /// then rescale, hold, or rest until the load leaves the band.
    fn hpa_decide(
        &mut self,
        w: usize,
        rate: f64,
        samples: &Samples,
        calculation: &replica_calculator::Calculation,
        regroups_at: Option<SimTime>,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let hpa = self.scenario.workloads[w].hpa.as_ref().expect("an HPA");
        let settings = &self.scenario.settings;
        let current = self.workloads[w].replicas;
        let scrape_phase = self.workloads[w].hpa.as_ref().expect("an HPA").scrape_phase;
        let recommend = |rate: f64| {
            let per_endpoint = samples.per_endpoint(rate);
            calculation.proposal(|class, measure| samples.measure(class, per_endpoint, measure))
        };
        let proposal = recommend(rate);
        let state = self.workloads[w].hpa.as_mut().expect("an HPA");
        let decision = behavior::reconcile(
            &mut state.recommendations,
            now,
            current,
            proposal.as_ref(),
            hpa,
        );
        if let Some(rescale) = decision {
            self.rescale(w, current, rescale.replicas, &rescale.reason, engine);
            self.schedule_hpa_sync(w, now + SimDuration::from_nanos(1), engine);
            return;
        }
        let clamp = |p: Option<replica_calculator::Proposal>| {
            p.map_or(current, |p| {
                p.replicas.clamp(hpa.min_replicas, hpa.max_replicas)
            })
        };
        let drifts = hpa.uses(ResourceName::Memory) && self.workload_leaks(w);
        #[cfg(test)]
        let mode = self.workloads[w].hpa.as_ref().expect("an HPA").mode;
        #[cfg(test)]
        let drifts = drifts || mode == SyncMode::Eager;
        let held = clamp(proposal);
        if held > current || drifts {
            self.schedule_hpa_sync(w, now + SimDuration::from_nanos(1), engine);
            return;
        }
        // A rest (`held` is the current scale), or a scale-down the windows
        // or the policies hold back: while `held` stays the recommendation,
        // the syncs decide the same until a recommendation leaves a window
        // or a scale event a policy's period, so the controller sleeps
        // until then, and the syncs skipped are recorded on waking.
        let state = self.workloads[w].hpa.as_mut().expect("an HPA");
        state.resting = Some(Rest {
            since: now,
            recommendation: held,
        });
        let expiry = (held < current).then(|| state.recommendations.next_expiry(now, hpa));
        // Pods set aside for now (no metric yet, or in their CPU
        // initialization) count once time has passed, and a held
        // recommendation may scale once it or a scale event expires: sync
        // then. Until then the load matters only if it leaves the band where
        // the recommendation stays `held`, and it does not if both its
        // lowest and its highest rate meanwhile recommend `held`, the
        // recommendation being monotone in the load. That is the case of
        // most rests during and after a rollout, and of most holds, where
        // the band would be searched for nothing.
        if let Some(at) = earliest(regroups_at, expiry.flatten()) {
            let (low, high) = self.workloads[w].traffic.offered_rate_range(now, at);
            let stays = clamp(recommend(low)) == held && clamp(recommend(high)) == held;
            self.schedule_hpa_sync(w, at, engine);
            if stays {
                return;
            }
        }
        // Sleep until the load leaves the band where the recommendation
        // stays `held`: the first sync after the first scrape that sees it.
        let traffic = &self.workloads[w].traffic;
        let now_rate = traffic.offered_rate_now(now);
        let resolution = settings.metric_resolution;
        let past = |level: f64, side: Side| past_at(now_rate, level, side);
        // The first scrape to see the load past `level` on `side`.
        let seen_past = |level: f64, side: Side| {
            let at = if past(level, side) {
                Some(now)
            } else {
                traffic.next_offered_crossing(now, level)
            };
            at.map(|at| next_tick(scrape_phase, resolution, at))
        };
        // The scrape that sees the load past every level from `near` (the
        // nearer the load now) to `far`, if one does: past `near` now, or
        // first crossing it, and past `far` by the first scrape after.
        let seen_past_all = |near: f64, far: f64, side: Side| {
            #[cfg(test)]
            if mode == SyncMode::FineBands {
                return None;
            }
            if past(near, side) {
                return past(far, side).then(|| Some(next_tick(scrape_phase, resolution, now)));
            }
            let Some(crossing) = traffic.next_offered_crossing(now, near) else {
                // Never past the nearer: never past any.
                return Some(None);
            };
            let scrape = next_tick(scrape_phase, resolution, crossing);
            past_at(traffic.offered_rate_now(scrape), far, side).then_some(Some(scrape))
        };
        // Where the recommendation leaves `held` between two rates, if it
        // reads one sum of usage: the usage per pod at which it does is
        // found among the whole milli-units (no sample read), and the rate
        // at which a pod's usage reaches it on the line through the two
        // ends (below the CPU limit, usage is linear in the rate). The
        // bisection asks about the rates either side of it first.
        let edge = |same: f64, differs: f64| {
            let sum = calculation.single_sum()?;
            let usage = |r: f64| samples.measure(sum.class, samples.per_endpoint(r), sum.measure);
            let (usage_same, usage_differs) = (usage(same), usage(differs));
            let otherwise = |milli| clamp(calculation.proposal_at(&sum, milli)) != held;
            let (milli_same, milli_differs) = (
                sum.measure.milli_value(usage_same),
                sum.measure.milli_value(usage_differs),
            );
            // The change is between `low` and `low + 1`: `low` reads as
            // the lower end does.
            let low_otherwise = milli_differs < milli_same;
            let (mut low, mut high) =
                (milli_same.min(milli_differs), milli_same.max(milli_differs));
            while high - low > 1 {
                let mid = low + (high - low) / 2;
                if otherwise(mid) == low_otherwise {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            let step = sum.measure.next_milli_step(low)?;
            let at = same + (step - usage_same) * (differs - same) / (usage_differs - usage_same);
            at.is_finite().then_some(at)
        };
        let wakes = band(
            |r| clamp(recommend(r)),
            rate,
            held,
            seen_past,
            seen_past_all,
            edge,
        );
        if let Some(at) = wakes {
            self.schedule_hpa_sync(w, at, engine);
        }
    }

    /// A new kube-controller-manager leader runs a new HPA controller: it
    /// remembers no recommendation and no scale event, so its first sync
    /// starts a stabilization window afresh.
    pub(super) fn hpa_controller_restarted(&mut self) {
        for ws in &mut self.workloads {
            if let Some(state) = ws.hpa.as_mut() {
                state.recommendations = behavior::Recommendations::default();
                state.resting = None;
            }
        }
    }

    /// The HPA scales the Deployment; its ReplicaSet follows.
    fn rescale(
        &mut self,
        w: usize,
        from: u32,
        to: u32,
        reason: &str,
        engine: &mut Engine<ModelEvent>,
    ) {
        let now = engine.now();
        let name = &self.scenario.workloads[w].name;
        self.journal(
            now,
            super::etcd::ApiWrite::Scaled {
                workload: w,
                was: from,
            },
        );
        self.trace.emit(
            now,
            true,
            "HorizontalPodAutoscaler",
            name,
            "SuccessfulRescale",
            || format!("New size: {to}; reason: {reason}"),
        );
        let hpa = self.scenario.workloads[w].hpa.as_ref().expect("an HPA");
        let ws = &mut self.workloads[w];
        ws.replicas_gauge.set(now, to);
        ws.rescales += 1;
        if ws.scaling_since_failed.is_none() {
            ws.traffic.settle(now);
            ws.scaling_since_failed = Some(ws.traffic.counts().failed());
        }
        if let Some(state) = ws.hpa.as_mut() {
            state.recommendations.record_scale(now, from, to, hpa);
        }
        self.scale_deployment(w, to, engine);
    }

    /// Scaling is over when the Service routes to exactly `replicas`
    /// serving endpoints: the requests failed meanwhile are counted.
    pub(super) fn check_scaling_done(&mut self, w: usize) {
        let ws = &mut self.workloads[w];
        let Some(at_start) = ws.scaling_since_failed else {
            return;
        };
        let traffic = &ws.traffic;
        if traffic.serving() == ws.replicas && traffic.view_size() == ws.replicas {
            ws.failed_while_scaling += traffic.counts().failed() - at_start;
            ws.scaling_since_failed = None;
        }
    }
}

/// The side of the band the load leaves it by.
#[derive(Debug, Clone, Copy)]
enum Side {
    Below,
    Above,
}

/// Whether a load of `rate` is past `level` on `side`: at or below a level
/// below, above a level above.
fn past_at(rate: f64, level: f64, side: Side) -> bool {
    match side {
        Side::Below => rate <= level,
        Side::Above => rate > level,
    }
}

/// The first scrape that sees the load leave the band where the
/// recommendation `f` stays `held`, given `seen_past(level, side)`, the
/// first scrape to see the load past `level`. The band's levels, below and
/// above `rate`, are the largest rate below that recommends less and the
/// largest rate above that still recommends `held`. `f` is non-decreasing
/// in the rate (more load never asks for fewer pods), so bisection finds
/// each, to a relative 1e-6: a rate that close to the level moves the
/// wake-up by a fraction of a sync. It stops at a relative 1e-4 where
/// `seen_past_all(near, far, side)` finds the scrape that sees the load
/// past every level between the bracket's ends (most of the time, as 1e-4
/// of a daily cycle's rate is passed in seconds): the finer level's scrape
/// is that one. `edge(same, differs)`, where it answers, is about where `f`
/// leaves `held` between those rates: the bisection asks about the rates
/// either side of it first, and needs no more of `f` where they bracket it.
fn band(
    mut f: impl FnMut(f64) -> u32,
    rate: f64,
    held: u32,
    seen_past: impl Fn(f64, Side) -> Option<SimTime>,
    seen_past_all: impl Fn(f64, f64, Side) -> Option<Option<SimTime>>,
    edge: impl Fn(f64, f64) -> Option<f64>,
) -> Option<SimTime> {
    const DOUBLINGS: u32 = 64;
    let mut probe = rate.max(1e-3);
    let mut differs_above = None;
    for _ in 0..DOUBLINGS {
        probe *= 2.0;
        if f(probe) != held {
            differs_above = Some(probe);
            break;
        }
    }
    let above = differs_above.and_then(|differs| {
        let settled = |same, differs| seen_past_all(same, differs, Side::Above);
        match bisect(&mut f, held, rate, differs, settled, edge(rate, differs)) {
            Ok(seen) => seen,
            Err((same, _)) => seen_past(same, Side::Above),
        }
    });
    let below = (rate > 0.0 && f(0.0) != held)
        .then(|| {
            let settled = |same, differs| seen_past_all(same, differs, Side::Below);
            match bisect(&mut f, held, rate, 0.0, settled, edge(rate, 0.0)) {
                Ok(seen) => seen,
                Err((_, differs)) => seen_past(differs, Side::Below),
            }
        })
        .flatten();
    earliest(below, above)
}

/// Narrows `[same, differs]` (either order) to the rate where `f` leaves
/// `held`, to a relative 1e-6, and returns its two ends; unless, once
/// within a relative 1e-4, `settled` answers for the bracket, which is
/// returned instead. The steps are those of the bisection to 1e-6: the
/// ends it returns lie within the bracket `settled` was asked about.
///
/// `f` is first asked about the rates a billionth either side of `edge`,
/// if given: `f` being monotone, a step whose midpoint falls outside them
/// then goes as they say without asking `f`, and where they bracket the
/// rate where `f` leaves `held`, no step asks it at all. The steps, and so
/// the answer, are the same either way.
fn bisect<T>(
    f: &mut impl FnMut(f64) -> u32,
    held: u32,
    mut same: f64,
    mut differs: f64,
    settled: impl Fn(f64, f64) -> Option<T>,
    edge: Option<f64>,
) -> Result<T, (f64, f64)> {
    // `f` is `held` from `same` to `held_to`, and not from `differs_from`
    // to `differs`; in between, it must be asked.
    let ascending = same < differs;
    let within = |x: f64, from: f64, to: f64| {
        if ascending {
            from < x && x < to
        } else {
            to < x && x < from
        }
    };
    let (mut held_to, mut differs_from) = (same, differs);
    for x in edge
        .into_iter()
        .flat_map(|at| [at * (1.0 - 1e-9), at * (1.0 + 1e-9)])
    {
        if within(x, held_to, differs_from) {
            if f(x) == held {
                held_to = x;
            } else {
                differs_from = x;
            }
        }
    }
    let mut asked = false;
    for _ in 0..100 {
        let width = (same - differs).abs();
        let scale = same.abs().max(differs.abs());
        if width <= 1e-6 * scale {
            break;
        }
        if !asked && width <= 1e-4 * scale {
            asked = true;
            if let Some(answer) = settled(same, differs) {
                return Ok(answer);
            }
        }
        let mid = (same + differs) / 2.0;
        let stays = if !within(mid, same, differs_from) {
            false
        } else if !within(mid, held_to, differs) {
            true
        } else {
            f(mid) == held
        };
        if stays {
            same = mid;
        } else {
            differs = mid;
        }
    }
    Err((same, differs))
}

#[cfg(test)]
mod tests {
    use super::super::run_two_days;
    use super::super::{Engine, RngStreams, TraceLevel, World};
    use crate::sim::{RunLimits, SimDuration, SimTime};

    /// The bundled scenarios with an HPA.
    const WITH_HPA: [(&str, &str); 6] = [
        (
            "year",
            include_str!("../../../scenarios/year-100-nodes.yaml"),
        ),
        (
            "flapping",
            include_str!("../../../scenarios/hpa-flapping.yaml"),
        ),
        (
            "spike",
            include_str!("../../../scenarios/traffic-spike-hpa.yaml"),
        ),
        (
            "diurnal",
            include_str!("../../../scenarios/diurnal-capacity.yaml"),
        ),
        (
            "max-replicas",
            include_str!("../../../scenarios/max-replicas-too-low.yaml"),
        ),
        (
            "node-autoscaling",
            include_str!("../../../scenarios/node-autoscaling.yaml"),
        ),
    ];

    /// The whole trace of a run of at most two days, the requests each
    /// workload's Service counted, and the HPA syncs run.
    fn traced_run(
        text: &str,
        name: &str,
        seed: u64,
        mode: super::SyncMode,
    ) -> (Vec<String>, Vec<String>, u64) {
        let mut scenario = crate::scenario::parse(text, name).expect("a bundled scenario");
        scenario.duration = scenario.duration.min(SimDuration::from_secs(2 * 86_400));
        let streams = RngStreams::new(seed);
        let mut engine = Engine::new();
        let mut world = World::new(&scenario, &streams, TraceLevel::All, false, &mut engine);
        for state in world.workloads.iter_mut().filter_map(|ws| ws.hpa.as_mut()) {
            state.mode = mode;
        }
        let end = SimTime::ZERO + scenario.duration;
        let limits = RunLimits {
            horizon: end,
            max_events: u64::MAX,
        };
        let mut syncs = 0;
        let mut counting = Counting(&mut world, &mut syncs);
        crate::sim::run(&mut engine, &mut counting, limits).expect("the run ends");
        for ws in &mut world.workloads {
            ws.traffic.settle(end);
        }
        let counts = (world.workloads.iter())
            .map(|ws| format!("{:?}", ws.traffic.counts()))
            .collect();
        let trace = std::mem::replace(&mut world.trace, super::super::Trace::new(TraceLevel::All));
        let events = (trace.into_events().0.into_iter())
            .map(|e| {
                format!(
                    "{} {} {} {} {}",
                    e.time, e.kind, e.name, e.reason, e.message
                )
            })
            .collect();
        (events, counts, syncs)
    }

    /// Counts the HPA syncs of a run.
    struct Counting<'a, 's>(&'a mut World<'s>, &'a mut u64);

    impl crate::sim::Handler<super::ModelEvent> for Counting<'_, '_> {
        fn handle(&mut self, engine: &mut Engine<super::ModelEvent>, event: super::ModelEvent) {
            *self.1 += u64::from(matches!(event, super::ModelEvent::HpaSync { .. }));
            self.0.handle(engine, event);
        }
    }

    /// The controller rests while nothing it reads can change its decision,
    /// and skips the syncs of a stabilization window's hold: it decides
    /// exactly as one that syncs every `--horizontal-pod-autoscaler-sync-period`.
    /// Over every bundled scenario with an HPA, at two seeds, the whole
    /// trace (every rescale, every pod, every endpoint) and the requests
    /// counted are the same, with far fewer syncs. Bisecting every band to
    /// its finest level wakes it at exactly the same syncs.
    #[test]
    fn the_lazy_controller_decides_as_one_that_syncs_every_period() {
        use super::SyncMode::{Eager, FineBands, Lazy};

        for (name, text) in WITH_HPA {
            for seed in [3, 4] {
                let lazy = traced_run(text, name, seed, Lazy);
                let eager = traced_run(text, name, seed, Eager);
                let fine = traced_run(text, name, seed, FineBands);
                for (other, mode) in [(&eager, Eager), (&fine, FineBands)] {
                    let first_difference = (lazy.0.iter().zip(&other.0)).find(|(a, b)| a != b);
                    let what = format!("{name}, seed {seed}, against {mode:?}");
                    assert_eq!(first_difference, None, "{what}");
                    assert_eq!(lazy.0.len(), other.0.len(), "{what}");
                    assert_eq!(lazy.1, other.1, "{what}");
                }
                assert!(lazy.2 < eager.2, "{name}, seed {seed}: {} syncs", lazy.2);
                assert_eq!(lazy.2, fine.2, "{name}, seed {seed}: the same syncs");
            }
        }
    }

    /// The bisection takes the same steps, and gives the same answer, with
    /// or without an edge, right or wrong; with the right one it asks the
    /// recommendation twice (a billionth either side), not the twenty times
    /// of a bracket narrowed from a factor of two to a millionth.
    #[test]
    fn an_edge_spares_the_bisection_its_questions_not_its_steps() {
        use super::bisect;

        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut uniform = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut asked_at_the_edge = 0;
        for _ in 0..2000 {
            let rate = 1.0 + 999.0 * uniform();
            let ascending = uniform() < 0.5;
            let (differs, level) = if ascending {
                (2.0 * rate, rate * (1.0 + uniform()))
            } else {
                (0.0, rate * uniform())
            };
            // The recommendation: 3 on the rate's side of `level`, else 2 or 4.
            let f = |r: f64| match (ascending, r <= level) {
                (true, true) | (false, false) => 3,
                (true, false) => 4,
                (false, true) => 2,
            };
            let settled = |_: f64, _: f64| None::<()>;
            let plain = bisect(&mut |r| f(r), 3, rate, differs, settled, None);
            let edges = [
                level,
                level * (1.0 + 1e-12),
                level * (1.0 - 1e-3),
                level * (1.0 + 0.5),
                -1.0,
            ];
            for edge in edges {
                let mut asked = 0;
                let mut counted = |r: f64| {
                    asked += 1;
                    f(r)
                };
                let guided = bisect(&mut counted, 3, rate, differs, settled, Some(edge));
                assert_eq!(guided, plain, "rate {rate}, level {level}, edge {edge}");
                if edge == level {
                    asked_at_the_edge += asked;
                }
            }
        }
        // Twice a search, but where a step's midpoint falls within the
        // billionth (a few in a thousand).
        assert!(
            (4000..4020).contains(&asked_at_the_edge),
            "{asked_at_the_edge} questions in 2000 searches"
        );
    }

    /// Every sync that keeps the last listing, listing again only the pods
    /// that changed or that time classes otherwise, checks it against a
    /// fresh one (`assert_listing_holds`), and every sync that takes up the
    /// last sync's samples and grouping checks their proposals against
    /// fresh ones (`assert_made_holds`): over every bundled scenario with
    /// an HPA, where pods start, turn Ready, crash, roll out and scale
    /// under a moving load, at three seeds, each keeps some, and every one
    /// kept is what listing afresh would give.
    #[test]
    fn a_kept_listing_is_the_one_listing_afresh_gives() {
        for (name, text) in WITH_HPA {
            for seed in [3, 4, 5] {
                run_two_days(text, name, seed, |world| {
                    let kept: u64 = (world.workloads.iter())
                        .filter_map(|ws| ws.hpa.as_ref())
                        .map(|state| state.listings_kept)
                        .sum();
                    assert!(kept > 0, "{name}: no sync kept its listing");
                });
            }
        }
    }
}
