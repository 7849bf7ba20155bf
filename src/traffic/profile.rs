//! A workload's request rate over time, integrated exactly so that a
//! changing rate never needs an event of its own: counts come from closed-form
//! integrals between state changes, and the model asks for the exact instant
//! a rate next crosses a level that matters instead of sampling it.

use std::f64::consts::{PI, TAU};

use crate::sim::{SimDuration, SimTime};

/// Requests per second as a list of segments: `segments[i].1` holds from
/// `segments[i].0` until the next segment starts. Before the first segment
/// the rate is 0.
#[derive(Debug, Clone, PartialEq)]
pub struct RateProfile {
    segments: Vec<(SimTime, Shape)>,
}

/// How the rate moves within one segment.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Constant(f64),
    /// `from_rate` until `start`, linear to `to_rate` at `end`, `to_rate`
    /// after.
    Linear {
        from_rate: f64,
        to_rate: f64,
        start: SimTime,
        end: SimTime,
    },
    /// `max` at `peak_at` and every `period` from it, `min` half a period
    /// away, a cosine in between.
    Diurnal {
        min: f64,
        max: f64,
        peak_at: SimDuration,
        period: SimDuration,
    },
}

impl RateProfile {
    pub fn constant(per_second: f64) -> Self {
        RateProfile {
            segments: vec![(SimTime::ZERO, Shape::Constant(per_second))],
        }
    }

    /// `steps` sorted by time (the scenario checks it).
    pub fn steps(steps: Vec<(SimTime, f64)>) -> Self {
        RateProfile {
            segments: steps
                .into_iter()
                .map(|(at, rate)| (at, Shape::Constant(rate)))
                .collect(),
        }
    }

    /// `from_rate` before `at`, linear to `to_rate` over `over`, `to_rate`
    /// after; a zero `over` is a step.
    pub fn ramp(from_rate: f64, to_rate: f64, at: SimTime, over: SimDuration) -> Self {
        let end = at + over;
        let mut segments = Vec::with_capacity(3);
        if at > SimTime::ZERO {
            segments.push((SimTime::ZERO, Shape::Constant(from_rate)));
        }
        if !over.is_zero() {
            let linear = Shape::Linear {
                from_rate,
                to_rate,
                start: at,
                end,
            };
            segments.push((at, linear));
        }
        segments.push((end, Shape::Constant(to_rate)));
        RateProfile { segments }
    }

    /// A daily (or any `period`) cycle: `max` at `peak_at` into each period,
    /// `min` half a period later. `period` is not zero (the scenario checks
    /// that `peakAt` is below it).
    pub fn diurnal(min: f64, max: f64, peak_at: SimDuration, period: SimDuration) -> Self {
        assert!(!period.is_zero(), "a diurnal period is not zero");
        RateProfile {
            segments: vec![(
                SimTime::ZERO,
                Shape::Diurnal {
                    min,
                    max,
                    peak_at,
                    period,
                },
            )],
        }
    }

    /// The instants after the start at which the rate jumps. The model
    /// schedules an event at each; a continuous change (a ramp's ends, a
    /// diurnal cycle) is found by [`RateProfile::next_crossing`] instead.
    pub fn changes(&self) -> impl Iterator<Item = SimTime> + '_ {
        self.segments
            .iter()
            .enumerate()
            .filter(|&(i, &(at, shape))| {
                let before = match i {
                    0 => 0.0,
                    _ => self.segments[i - 1].1.rate_at(at),
                };
                at > SimTime::ZERO && shape.rate_at(at) != before
            })
            .map(|(_, &(at, _))| at)
    }

    /// Whether the rate moves between its jumps, so that a level can be
    /// crossed at an instant no event marks.
    pub fn is_continuous_varying(&self) -> bool {
        self.segments.iter().any(|(_, shape)| match *shape {
            Shape::Constant(_) => false,
            Shape::Linear {
                from_rate,
                to_rate,
                start,
                end,
            } => from_rate != to_rate && end > start,
            Shape::Diurnal { min, max, .. } => min != max,
        })
    }

    /// The rate in force at `t`.
    pub fn rate_at(&self, t: SimTime) -> f64 {
        match self.segment_at(t) {
            None => 0.0,
            Some(i) => self.segments[i].1.rate_at(t),
        }
    }

    /// Expected requests in `[from, to)`: the integral of the rate.
    pub fn expected_requests(&self, from: SimTime, to: SimTime) -> f64 {
        if to <= from {
            return 0.0;
        }
        let mut total = 0.0;
        for i in self.segment_at(from).unwrap_or(0)..self.segments.len() {
            let (start, shape) = self.segments[i];
            if start >= to {
                break;
            }
            let lo = start.max(from);
            let hi = self.segment_end(i).min(to);
            if hi > lo {
                total += shape.integral(lo, hi);
            }
        }
        total
    }

    /// The largest rate at any instant of `[from, to]`: what a "peak req/s"
    /// gauge shows, where the mean would hide a cycle's top.
    pub fn max_rate_in(&self, from: SimTime, to: SimTime) -> f64 {
        let (shapes, before_first) = self.spans(from, to);
        let max = shapes.map(|(shape, lo, hi)| shape.max_in(lo, hi));
        max.fold(if before_first { 0.0 } else { f64::MIN }, f64::max)
    }

    /// A rate no instant exceeds, where one is known exactly: the top of
    /// steps and cycles. `None` with a ramp, whose rounding in between
    /// may pass its ends by an ulp.
    pub fn top(&self) -> Option<f64> {
        let mut tops = self.segments.iter().map(|&(_, shape)| match shape {
            Shape::Constant(rate) => Some(rate),
            Shape::Linear { .. } => None,
            // `rate_at` clamps to `max`, then to `min`.
            Shape::Diurnal { min, max, .. } => Some(max.max(min)),
        });
        tops.try_fold(0.0, |top: f64, shape| Some(top.max(shape?)))
    }

    /// The smallest rate at any instant of `[from, to]`: with
    /// [`RateProfile::max_rate_in`], the range a monotone function of the
    /// rate takes over the span is that of its values at the two.
    pub fn min_rate_in(&self, from: SimTime, to: SimTime) -> f64 {
        let (shapes, before_first) = self.spans(from, to);
        let min = shapes.map(|(shape, lo, hi)| shape.min_in(lo, hi));
        min.fold(if before_first { 0.0 } else { f64::MAX }, f64::min)
    }

    /// The segments' shapes over `[from, to]`, each with the instants of
    /// its own it covers, and whether the span begins before the first
    /// segment, where there is no rate.
    fn spans(
        &self,
        from: SimTime,
        to: SimTime,
    ) -> (impl Iterator<Item = (Shape, SimTime, SimTime)> + '_, bool) {
        let to = to.max(from);
        let first = self.segment_at(from);
        let shapes = (first.unwrap_or(0)..self.segments.len())
            .map(move |i| (i, self.segments[i]))
            .take_while(move |&(_, (start, _))| start <= to)
            .filter_map(move |(i, (start, shape))| {
                let lo = start.max(from);
                let hi = before(self.segment_end(i)).min(to);
                (hi >= lo).then_some((shape, lo, hi))
            });
        (shapes, first.is_none())
    }

    /// The first instant after `after` at which the rate changes side of
    /// `level`, the sides being "at or below" and "above", or `None` if it
    /// never does. At the instant returned the rate is on the new side; a
    /// nanosecond before it was on the old one. A rate that only touches the
    /// level (a diurnal whose `max` is the level) does not cross it.
    pub fn next_crossing(&self, after: SimTime, level: f64) -> Option<SimTime> {
        if self.side_throughout(level).is_some() {
            return None;
        }
        self.crossing_before(after, level, SimTime::MAX)
    }

    /// The side of `level` the rate is on at every instant, if it never
    /// changes: answered for a profile of one shape from the start (a
    /// constant rate, a daily cycle), where the load watch asks about CPU
    /// limits the traffic never reaches several times an event.
    fn side_throughout(&self, level: f64) -> Option<bool> {
        match self.segments.as_slice() {
            [(SimTime::ZERO, shape)] => shape.side_throughout(level),
            _ => None,
        }
    }

    /// `[from, to)` cut where the rate crosses `level`, each piece with
    /// whether the rate is above it throughout: the fluid account integrates
    /// what is served and what overloads piece by piece.
    pub(super) fn pieces(
        &self,
        from: SimTime,
        to: SimTime,
        level: f64,
    ) -> impl Iterator<Item = (SimTime, SimTime, bool)> + '_ {
        let mut start = from;
        std::iter::from_fn(move || {
            if start >= to {
                return None;
            }
            let (above, crossing) = self.side_and_crossing(start, level, to);
            let end = crossing.map_or(to, |t| t.min(to));
            let piece = (start, end, above);
            start = end;
            Some(piece)
        })
    }

    /// Like [`RateProfile::next_crossing`], but does not look into segments
    /// that start at or after `until`, so that cutting a short interval
    /// costs nothing for a long list of steps beyond it.
    fn crossing_before(&self, after: SimTime, level: f64, until: SimTime) -> Option<SimTime> {
        self.side_and_crossing(after, level, until).1
    }

    /// Whether the rate at `after` is above `level`, and
    /// [`RateProfile::crossing_before`]: a piece of [`RateProfile::pieces`]
    /// needs both, and the side is what the search starts from.
    fn side_and_crossing(
        &self,
        after: SimTime,
        level: f64,
        until: SimTime,
    ) -> (bool, Option<SimTime>) {
        let first = self.segment_at(after);
        let above = match first {
            Some(i) => self.segments[i].1.above(after, level),
            None => 0.0 > level,
        };
        let mut next = match first {
            Some(i) => {
                let end = self.segment_end(i);
                if let Some(t) = self.segments[i].1.crossing(after, end, level, above) {
                    return (above, Some(t));
                }
                i + 1
            }
            None => 0,
        };
        while let Some(&(start, shape)) = self.segments.get(next) {
            if start >= until {
                break;
            }
            if shape.above(start, level) != above {
                return (above, Some(start));
            }
            if let Some(t) = shape.crossing(start, self.segment_end(next), level, above) {
                return (above, Some(t));
            }
            next += 1;
        }
        (above, None)
    }

    /// The segment in force at `t`, `None` before the first.
    fn segment_at(&self, t: SimTime) -> Option<usize> {
        self.segments
            .partition_point(|(start, _)| *start <= t)
            .checked_sub(1)
    }

    /// Where segment `i` gives way to the next.
    fn segment_end(&self, i: usize) -> SimTime {
        self.segments.get(i + 1).map_or(SimTime::MAX, |s| s.0)
    }
}

impl Shape {
    /// Whether the rate at `t` is above `level`: `rate_at(t) > level`,
    /// without computing the rate when the level is out of its reach.
    fn above(self, t: SimTime, level: f64) -> bool {
        self.side_throughout(level)
            .unwrap_or_else(|| self.rate_at(t) > level)
    }

    /// The side of `level` the rate is on at every instant, if it is
    /// always the same one: a diurnal never leaves `[min, max]` (its rate
    /// is clamped to them), so a level beyond them, such as a CPU limit
    /// far above the traffic, is answered without a cosine. The
    /// comparisons are false for a NaN, which then gets no answer here.
    fn side_throughout(self, level: f64) -> Option<bool> {
        match self {
            Shape::Constant(rate) => Some(rate > level),
            Shape::Linear { .. } => None,
            Shape::Diurnal { min, max, .. } => {
                if level >= max && level >= min {
                    Some(false)
                } else if level < min {
                    Some(true)
                } else {
                    None
                }
            }
        }
    }

    fn rate_at(self, t: SimTime) -> f64 {
        match self {
            Shape::Constant(rate) => rate,
            Shape::Linear {
                from_rate,
                to_rate,
                start,
                end,
            } => {
                if t <= start {
                    from_rate
                } else if t >= end {
                    to_rate
                } else {
                    let done = (t - start).as_nanos() as f64 / (end - start).as_nanos() as f64;
                    from_rate + (to_rate - from_rate) * done
                }
            }
            Shape::Diurnal {
                min,
                max,
                peak_at,
                period,
            } => {
                let rate = min + (max - min) * (1.0 + angle(t, peak_at, period).cos()) / 2.0;
                // Rounding must not lift the peak above `max`: a level at
                // `max` would otherwise be crossed at every peak.
                rate.min(max).max(min)
            }
        }
    }

    /// ∫ rate over `[from, to)`, closed forms.
    fn integral(self, from: SimTime, to: SimTime) -> f64 {
        match self {
            Shape::Constant(rate) => rate * (to - from).as_secs_f64(),
            Shape::Linear {
                from_rate,
                to_rate,
                start,
                end,
            } => {
                let flat_before = (start.min(to) - from).as_secs_f64();
                let flat_after = (to - end.max(from)).as_secs_f64();
                let (lo, hi) = (from.max(start), to.min(end));
                let trapezoid = if hi > lo {
                    (self.rate_at(lo) + self.rate_at(hi)) / 2.0 * (hi - lo).as_secs_f64()
                } else {
                    0.0
                };
                from_rate * flat_before + trapezoid + to_rate * flat_after
            }
            Shape::Diurnal {
                min,
                max,
                peak_at,
                period,
            } => {
                // mean·Δt + amplitude·P/2π·(sin θ_to − sin θ_from). Whole
                // periods add nothing to the sine term, so it is taken on
                // the remainder, and the difference of sines as
                // 2·cos(θ_from + δ/2)·sin(δ/2), which keeps its precision
                // for short spans instead of cancelling.
                let span = to - from;
                let mean = (min + max) / 2.0 * span.as_secs_f64();
                let rest = (span.as_nanos() % period.as_nanos()) as f64;
                let delta = TAU * rest / period.as_nanos() as f64;
                let sines =
                    2.0 * (angle(from, peak_at, period) + delta / 2.0).cos() * (delta / 2.0).sin();
                mean + (max - min) / 2.0 * period.as_secs_f64() / TAU * sines
            }
        }
    }

    /// The largest rate at any instant of `[from, to]`.
    fn max_in(self, from: SimTime, to: SimTime) -> f64 {
        let ends = || self.rate_at(from).max(self.rate_at(to));
        match self {
            Shape::Constant(rate) => rate,
            // Monotone: the larger end.
            Shape::Linear { .. } => ends(),
            Shape::Diurnal {
                max,
                peak_at,
                period,
                ..
            } => {
                let p = period.as_nanos();
                let to_next_peak = (p - phase(from, peak_at, period)) % p;
                if (to - from).as_nanos() >= to_next_peak {
                    max
                } else {
                    ends()
                }
            }
        }
    }

    fn min_in(self, from: SimTime, to: SimTime) -> f64 {
        let ends = || self.rate_at(from).min(self.rate_at(to));
        match self {
            Shape::Constant(rate) => rate,
            Shape::Linear { .. } => ends(),
            Shape::Diurnal {
                min,
                peak_at,
                period,
                ..
            } => {
                // The trough is half a period after the peak.
                let p = period.as_nanos();
                let trough_at = peak_at + SimDuration::from_nanos(p / 2);
                let to_next_trough = (p - phase(from, trough_at, period)) % p;
                if (to - from).as_nanos() >= to_next_trough {
                    min
                } else {
                    ends()
                }
            }
        }
    }

    /// The first instant in `(from, end)` at which the rate's side of `level`
    /// differs from its side at `from`, `above` or not.
    fn crossing(self, from: SimTime, end: SimTime, level: f64, above: bool) -> Option<SimTime> {
        if self.side_throughout(level).is_some() {
            // `above` is that side: nothing to cross.
            return None;
        }
        let crossed = |t: SimTime| (self.rate_at(t) > level) != above;
        match self {
            Shape::Constant(_) => None,
            Shape::Linear {
                from_rate,
                to_rate,
                start,
                end: ramp_end,
            } => {
                if from_rate == to_rate {
                    return None;
                }
                // Monotone over all time, and flat after its end.
                let last = before(end).min(ramp_end);
                if last <= from || !crossed(last) {
                    return None;
                }
                let done = (level - from_rate) / (to_rate - from_rate);
                let start_after_from =
                    (i128::from(start.as_nanos()) - i128::from(from.as_nanos())) as f64;
                let root = start_after_from + done * (ramp_end - start).as_nanos() as f64;
                Some(first_crossed(from, last, root, crossed))
            }
            Shape::Diurnal {
                min,
                max,
                peak_at,
                period,
            } => {
                if min == max {
                    return None;
                }
                // Cross into "at or below" on a falling half (peak → trough)
                // and into "above" on a rising half (trough → peak): find
                // the next such half from `from`; within it the rate is
                // monotone. A half whose far end is not across never
                // crosses, nor does any later one: the cycle repeats.
                let p = period.as_nanos();
                let half = p / 2;
                let phase_ns = phase(from, peak_at, period);
                let (lo, hi) = if above {
                    if phase_ns <= half {
                        (from, from + nanos(half - phase_ns))
                    } else {
                        let peak = from + nanos(p - phase_ns);
                        (peak, peak + nanos(half))
                    }
                } else if phase_ns >= half {
                    (from, from + nanos(p - phase_ns))
                } else {
                    let trough = from + nanos(half - phase_ns);
                    (trough, trough + nanos(p - half))
                };
                let hi = hi.min(before(end));
                if lo >= hi || !crossed(hi) {
                    return None;
                }
                // The rate is `level` at ±α from each peak. α in half-angle
                // form, sin²(α/2) = (max − level)/(max − min), measured
                // from the nearer extreme: acos of the normalised level
                // loses most of its digits near ±1, where a level close to
                // `max` or `min` puts it.
                let span = max - min;
                let alpha = if max - level < level - min {
                    2.0 * ((max - level) / span).clamp(0.0, 1.0).sqrt().asin()
                } else {
                    PI - 2.0 * ((level - min) / span).clamp(0.0, 1.0).sqrt().asin()
                };
                let theta = if above { alpha } else { TAU - alpha };
                let root = theta / TAU * p as f64 - phase(lo, peak_at, period) as f64;
                Some(first_crossed(lo, hi, root, crossed))
            }
        }
    }
}

/// Nanoseconds since a diurnal's last peak, in integers: a year of
/// nanoseconds is past what an `f64` holds exactly.
/// In `u64` on either side of `peak_at`: the Euclidean remainder of a
/// signed 128-bit difference is a library call that cost more than the
/// cosine it feeds.
fn phase(t: SimTime, peak_at: SimDuration, period: SimDuration) -> u64 {
    let (t, peak, p) = (t.as_nanos(), peak_at.as_nanos(), period.as_nanos());
    if t >= peak {
        (t - peak) % p
    } else {
        (p - (peak - t) % p) % p
    }
}

/// The angle from a diurnal's last peak, reduced to one period before it
/// becomes a float.
fn angle(t: SimTime, peak_at: SimDuration, period: SimDuration) -> f64 {
    TAU * phase(t, peak_at, period) as f64 / period.as_nanos() as f64
}

/// The smallest `t` in `(lo, hi]` with `crossed(t)`, given that `crossed` is
/// false at `lo`, true at `hi`, and changes once in between. `root` is the
/// analytic crossing in nanoseconds after `lo` (relative, so that it keeps
/// sub-nanosecond precision a year into a run); rounded up it is almost
/// always the answer, which one or two checks confirm. Near an extreme of a
/// diurnal the computed rate is flat to the last bit for microseconds and
/// strays from the true one by as much; there bisection finds the instant
/// the computed rate crosses, which is what the model will see: at most 64
/// steps, never a scan.
fn first_crossed(
    lo: SimTime,
    hi: SimTime,
    root: f64,
    crossed: impl Fn(SimTime) -> bool,
) -> SimTime {
    let (lo, hi) = (lo.as_nanos(), hi.as_nanos());
    let root = root.ceil();
    let guess = if root.is_nan() || root >= (hi - lo) as f64 {
        hi
    } else if root < 1.0 {
        lo + 1
    } else {
        lo + root as u64
    };
    let at = SimTime::from_nanos;
    let (mut old, mut new) = if crossed(at(guess)) {
        if guess - 1 == lo || !crossed(at(guess - 1)) {
            return at(guess);
        }
        (lo, guess - 1)
    } else {
        if crossed(at(guess + 1)) {
            return at(guess + 1);
        }
        (guess + 1, hi)
    };
    while new - old > 1 {
        let mid = old + (new - old) / 2;
        if crossed(at(mid)) {
            new = mid;
        } else {
            old = mid;
        }
    }
    at(new)
}

/// The last nanosecond before `t`.
fn before(t: SimTime) -> SimTime {
    SimTime::from_nanos(t.as_nanos().saturating_sub(1))
}

fn nanos(n: u64) -> SimDuration {
    SimDuration::from_nanos(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400;

    fn secs(s: u64) -> SimTime {
        SimTime::from_secs(s)
    }

    fn ns(t: SimTime, delta: i64) -> SimTime {
        SimTime::from_nanos(t.as_nanos().checked_add_signed(delta).unwrap())
    }

    /// 100 to 1000 req/s, peaking at 14:00 each day.
    fn daily() -> RateProfile {
        RateProfile::diurnal(
            100.0,
            1000.0,
            SimDuration::from_secs(14 * 3600),
            SimDuration::from_secs(DAY),
        )
    }

    /// Simpson's rule on 2n intervals: the reference the closed forms are
    /// checked against.
    fn quadrature(p: &RateProfile, from: SimTime, to: SimTime, n: u64) -> f64 {
        let (a, b) = (from.as_nanos(), to.as_nanos());
        let h = (b - a) / (2 * n);
        assert_eq!(a + 2 * n * h, b, "use a step that divides the span");
        let f = |k: u64| p.rate_at(SimTime::from_nanos(a + k * h));
        let mut sum = f(0) + f(2 * n);
        for k in 1..2 * n {
            sum += f(k) * if k % 2 == 1 { 4.0 } else { 2.0 };
        }
        sum * (h as f64 / 1e9) / 3.0
    }

    fn assert_close(actual: f64, expected: f64, relative: f64) {
        let error = (actual - expected).abs() / expected.abs().max(1e-300);
        assert!(
            error < relative,
            "{actual} vs {expected}: relative error {error:e}"
        );
    }

    /// The crossing's defining property: new side at it, old side 1 ns before.
    fn assert_crossing(p: &RateProfile, after: SimTime, level: f64, at: SimTime) {
        assert!(at > after);
        let side = p.rate_at(after) > level;
        assert_ne!(p.rate_at(at) > level, side, "not across at {at}");
        let just_before = ns(at, -1);
        if just_before > after {
            assert_eq!(
                p.rate_at(just_before) > level,
                side,
                "already across 1 ns before {at}"
            );
        }
    }

    #[test]
    fn integrates_steps_exactly() {
        let p = RateProfile::steps(vec![
            (SimTime::ZERO, 100.0),
            (secs(600), 1000.0),
            (secs(2400), 100.0),
        ]);
        assert_eq!(p.rate_at(secs(599)), 100.0);
        assert_eq!(p.rate_at(secs(600)), 1000.0);
        let n = p.expected_requests(secs(500), secs(700));
        assert!((n - (100.0 * 100.0 + 1000.0 * 100.0)).abs() < 1e-6);
        assert_eq!(p.expected_requests(secs(5), secs(5)), 0.0);
    }

    /// The top bounds every rate, and is reached: a step's, a cycle's
    /// `max`. A ramp has none, its rounding between its ends being loose.
    #[test]
    fn the_top_is_the_highest_rate_where_it_is_known() {
        let steps = RateProfile::steps(vec![(secs(10), 5.0), (secs(20), 50.0), (secs(30), 7.0)]);
        assert_eq!(steps.top(), Some(50.0));
        let p = daily();
        assert_eq!(p.top(), Some(1000.0));
        let highest = (0..DAY).step_by(7).map(|s| p.rate_at(secs(s)));
        assert_eq!(highest.fold(0.0, f64::max), 1000.0);
        let ramp = RateProfile::ramp(0.1, 0.3, secs(10), SimDuration::from_secs(60));
        assert_eq!(ramp.top(), None);
    }

    #[test]
    fn zero_before_the_first_step() {
        let p = RateProfile::steps(vec![(secs(10), 5.0)]);
        assert_eq!(p.rate_at(SimTime::ZERO), 0.0);
        assert!((p.expected_requests(SimTime::ZERO, secs(20)) - 50.0).abs() < 1e-9);
        assert_eq!(p.changes().collect::<Vec<_>>(), vec![secs(10)]);
    }

    #[test]
    fn changes_are_the_jumps_only() {
        let steps = RateProfile::steps(vec![
            (SimTime::ZERO, 100.0),
            (secs(60), 100.0),
            (secs(120), 200.0),
        ]);
        assert_eq!(steps.changes().collect::<Vec<_>>(), vec![secs(120)]);
        assert!(!steps.is_continuous_varying());

        let ramp = RateProfile::ramp(100.0, 500.0, secs(60), SimDuration::from_secs(60));
        assert_eq!(ramp.changes().count(), 0, "a ramp's ends are continuous");
        assert!(ramp.is_continuous_varying());

        let step = RateProfile::ramp(100.0, 500.0, secs(60), SimDuration::ZERO);
        assert_eq!(step.changes().collect::<Vec<_>>(), vec![secs(60)]);
        assert!(!step.is_continuous_varying());

        assert_eq!(daily().changes().count(), 0);
        assert!(daily().is_continuous_varying());
        let flat = RateProfile::diurnal(5.0, 5.0, SimDuration::ZERO, SimDuration::from_secs(DAY));
        assert!(!flat.is_continuous_varying());
    }

    #[test]
    fn a_ramp_is_linear_between_its_ends() {
        let p = RateProfile::ramp(100.0, 500.0, secs(60), SimDuration::from_secs(100));
        assert_eq!(p.rate_at(SimTime::ZERO), 100.0);
        assert_eq!(p.rate_at(secs(60)), 100.0);
        assert_eq!(p.rate_at(secs(110)), 300.0);
        assert_eq!(p.rate_at(secs(160)), 500.0);
        assert_eq!(p.rate_at(secs(1000)), 500.0);
        // 60 s at 100, a trapezoid of 100 s averaging 300, 40 s at 500.
        let n = p.expected_requests(SimTime::ZERO, secs(200));
        assert_close(n, 6_000.0 + 30_000.0 + 20_000.0, 1e-12);
        // Part of the ramp only: 110 s → 130 s averages 340.
        assert_close(p.expected_requests(secs(110), secs(130)), 6_800.0, 1e-12);
        // A ramp starting at 0 has no segment before it.
        let p = RateProfile::ramp(0.0, 10.0, SimTime::ZERO, SimDuration::from_secs(10));
        assert_eq!(p.rate_at(secs(5)), 5.0);
        assert_close(p.expected_requests(SimTime::ZERO, secs(20)), 150.0, 1e-12);
    }

    #[test]
    fn a_diurnal_peaks_at_its_hour_and_bottoms_half_a_period_later() {
        let p = daily();
        assert_eq!(p.rate_at(secs(14 * 3600)), 1000.0);
        assert_eq!(p.rate_at(secs(14 * 3600 + 3 * DAY)), 1000.0);
        assert_eq!(p.rate_at(secs(2 * 3600)), 100.0);
        assert_close(p.rate_at(secs(8 * 3600)), 550.0, 1e-12);
        assert_close(p.rate_at(secs(20 * 3600)), 550.0, 1e-12);
        // A peak before the start of the run is in the cycle all the same.
        let late = RateProfile::diurnal(
            0.0,
            10.0,
            SimDuration::from_secs(DAY - 1),
            SimDuration::from_secs(DAY),
        );
        assert_eq!(late.rate_at(secs(DAY - 1)), 10.0);
        assert!(late.rate_at(SimTime::ZERO) > 9.99);
    }

    #[test]
    fn a_diurnal_integrates_to_its_closed_form() {
        let p = daily();
        // Odd spans, against quadrature.
        for (from, to) in [
            (0, 3600),
            (5_000, 50_000),
            (13 * 3600, 15 * 3600),
            (7, DAY + 7),
        ] {
            let (from, to) = (secs(from), secs(to));
            assert_close(
                p.expected_requests(from, to),
                quadrature(&p, from, to, 5_000),
                1e-9,
            );
        }
        // A whole day averages (min + max) / 2.
        assert_close(
            p.expected_requests(secs(123), secs(123 + DAY)),
            550.0 * DAY as f64,
            1e-12,
        );
        // Additive over a split, including one in the middle of a nanosecond
        // sized span.
        let (a, m, b) = (
            secs(1000),
            SimTime::from_nanos(1000 * 1_000_000_000 + 1),
            secs(9000),
        );
        assert_close(
            p.expected_requests(a, m) + p.expected_requests(m, b),
            p.expected_requests(a, b),
            1e-12,
        );
    }

    #[test]
    fn a_year_of_diurnal_traffic_integrates_without_drift() {
        let p = daily();
        let year = secs(365 * DAY);
        assert_close(
            p.expected_requests(SimTime::ZERO, year),
            550.0 * (365 * DAY) as f64,
            1e-9,
        );
        // An hour at the end of the year is the same as one on the first day.
        let hour_first = p.expected_requests(secs(3600), secs(7200));
        let hour_last = p.expected_requests(secs(364 * DAY + 3600), secs(364 * DAY + 7200));
        assert_close(hour_last, hour_first, 1e-12);
    }

    #[test]
    fn the_largest_rate_in_a_span() {
        let p = daily();
        let peak = 14 * 3600;
        assert_eq!(p.max_rate_in(secs(peak - 60), secs(peak + 60)), 1000.0);
        assert_eq!(p.max_rate_in(secs(peak), secs(peak)), 1000.0);
        assert_eq!(
            p.max_rate_in(secs(peak + 60), secs(peak + 3600)),
            p.rate_at(secs(peak + 60))
        );
        assert_eq!(p.max_rate_in(secs(0), secs(2 * DAY)), 1000.0);
        let ramp = RateProfile::ramp(100.0, 500.0, secs(60), SimDuration::from_secs(100));
        assert_eq!(ramp.max_rate_in(SimTime::ZERO, secs(110)), 300.0);
        let steps = RateProfile::steps(vec![(secs(10), 50.0), (secs(20), 500.0), (secs(30), 5.0)]);
        assert_eq!(steps.max_rate_in(SimTime::ZERO, secs(5)), 0.0);
        assert_eq!(steps.max_rate_in(SimTime::ZERO, secs(19)), 50.0);
        assert_eq!(steps.max_rate_in(secs(25), secs(100)), 500.0);
        assert_eq!(steps.max_rate_in(secs(30), secs(100)), 5.0);
    }

    #[test]
    fn the_smallest_rate_in_a_span() {
        let p = daily();
        let trough = 2 * 3600;
        assert_eq!(p.min_rate_in(secs(trough - 60), secs(trough + 60)), 100.0);
        assert_eq!(p.min_rate_in(secs(trough), secs(trough)), 100.0);
        assert_eq!(
            p.min_rate_in(secs(trough + 60), secs(trough + 3600)),
            p.rate_at(secs(trough + 60))
        );
        assert_eq!(
            p.min_rate_in(secs(trough - 3600), secs(trough - 60)),
            p.rate_at(secs(trough - 60))
        );
        assert_eq!(p.min_rate_in(secs(DAY), secs(3 * DAY)), 100.0);
        let ramp = RateProfile::ramp(100.0, 500.0, secs(60), SimDuration::from_secs(100));
        assert_eq!(ramp.min_rate_in(secs(110), secs(200)), 300.0);
        let steps = RateProfile::steps(vec![(secs(10), 50.0), (secs(20), 500.0), (secs(30), 5.0)]);
        assert_eq!(steps.min_rate_in(SimTime::ZERO, secs(25)), 0.0);
        assert_eq!(steps.min_rate_in(secs(12), secs(25)), 50.0);
        assert_eq!(steps.min_rate_in(secs(20), secs(29)), 500.0);
        assert_eq!(steps.min_rate_in(secs(25), secs(100)), 5.0);
    }

    #[test]
    fn a_diurnal_crosses_a_level_twice_a_period() {
        let p = daily();
        let level = 700.0;
        let mut t = SimTime::ZERO;
        let mut crossings = Vec::new();
        while let Some(at) = p.next_crossing(t, level) {
            assert_crossing(&p, t, level, at);
            crossings.push(at);
            t = at;
            if t > secs(5 * DAY) {
                break;
            }
        }
        // At 0 the rate is below 700; it then goes above and back each day.
        for (k, at) in crossings.iter().enumerate() {
            assert_eq!(p.rate_at(*at) > level, k % 2 == 0, "crossings alternate");
        }
        let in_five_days = crossings.iter().filter(|&&at| at < secs(5 * DAY)).count();
        assert_eq!(in_five_days, 10);
        // Symmetric about the peak, each within a nanosecond of the root.
        let alpha = ((level - 550.0) / 450.0_f64).acos() / TAU * DAY as f64;
        let root = (14.0 * 3600.0 - alpha) * 1e9;
        assert!((crossings[0].as_nanos() as f64 - root).abs() <= 1.0);
        let down = crossings[1].as_nanos() as f64;
        assert!((down - (14.0 * 3600.0 + alpha) * 1e9).abs() <= 1.0);
        assert_eq!(crossings[2] - crossings[0], SimDuration::from_secs(DAY));
    }

    #[test]
    fn a_diurnal_only_touching_a_level_does_not_cross_it() {
        let p = daily();
        for level in [1000.0, 1e6, 99.0, f64::INFINITY] {
            assert_eq!(p.next_crossing(SimTime::ZERO, level), None, "{level}");
        }
        // At an exact trough, a level at `min` is "at or below" there only.
        let trough = secs(2 * 3600);
        let at = p.next_crossing(trough, 100.0).expect("rises above min");
        assert_crossing(&p, trough, 100.0, at);
    }

    #[test]
    fn a_level_within_rounding_of_an_extreme_is_crossed_where_the_floats_say() {
        let p = daily();
        for level in [1000.0 - 1e-9, 1000.0 - 1e-12, 1000.0 - 1e-13, 100.0 + 1e-12] {
            let mut t = SimTime::ZERO;
            for _ in 0..6 {
                let at = p.next_crossing(t, level).expect("crosses");
                assert_crossing(&p, t, level, at);
                t = at;
            }
        }
    }

    #[test]
    fn a_ramp_crosses_at_its_root_up_or_down() {
        let up = RateProfile::ramp(0.0, 1000.0, secs(100), SimDuration::from_secs(1000));
        // 1 req/s per second from 100 s: 250 is passed at 350 s, and the
        // first instant above it is the next nanosecond.
        let at = up.next_crossing(SimTime::ZERO, 250.0).unwrap();
        assert_eq!(at, ns(secs(350), 1));
        assert_crossing(&up, SimTime::ZERO, 250.0, at);
        assert_eq!(up.next_crossing(at, 250.0), None);
        assert_eq!(up.next_crossing(SimTime::ZERO, 1000.0), None);
        let at = up.next_crossing(secs(10), 333.3).unwrap();
        assert_crossing(&up, secs(10), 333.3, at);

        let down = RateProfile::ramp(1000.0, 0.0, secs(100), SimDuration::from_secs(1000));
        // At or below 250 from exactly 850 s.
        let at = down.next_crossing(SimTime::ZERO, 250.0).unwrap();
        assert_eq!(at, secs(850));
        assert_crossing(&down, SimTime::ZERO, 250.0, at);
        // Down to 0 at the ramp's end, exactly: crosses a 0 level there.
        let at = down.next_crossing(SimTime::ZERO, 0.0).unwrap();
        assert_eq!(at, secs(1100));
    }

    #[test]
    fn a_jump_crosses_at_its_instant() {
        let p = RateProfile::steps(vec![
            (SimTime::ZERO, 100.0),
            (secs(60), 120.0),
            (secs(600), 500.0),
            (secs(900), 50.0),
        ]);
        assert_eq!(p.next_crossing(SimTime::ZERO, 200.0), Some(secs(600)));
        assert_eq!(p.next_crossing(secs(600), 200.0), Some(secs(900)));
        assert_eq!(p.next_crossing(secs(900), 200.0), None);
        // Before the first step the rate is 0.
        let late = RateProfile::steps(vec![(secs(10), 5.0)]);
        assert_eq!(late.next_crossing(SimTime::ZERO, 0.0), Some(secs(10)));
        // A ramp into a diurnal crosses in the diurnal.
        let p = RateProfile {
            segments: vec![
                (SimTime::ZERO, Shape::Constant(0.0)),
                (secs(DAY), daily().segments[0].1),
            ],
        };
        let at = p.next_crossing(SimTime::ZERO, 700.0).unwrap();
        assert!(at > secs(DAY + 9 * 3600) && at < secs(DAY + 10 * 3600));
        assert_crossing(&p, SimTime::ZERO, 700.0, at);
    }

    #[test]
    fn pieces_cut_an_interval_at_the_crossings() {
        let p = daily();
        let (from, to) = (secs(3600), secs(3600 + 3 * DAY));
        let pieces: Vec<_> = p.pieces(from, to, 700.0).collect();
        assert_eq!(pieces.len(), 7);
        assert_eq!(pieces[0].0, from);
        assert_eq!(pieces[6].1, to);
        for (k, w) in pieces.windows(2).enumerate() {
            assert_eq!(w[0].1, w[1].0, "contiguous");
            assert_ne!(w[0].2, w[1].2, "alternating ({k})");
        }
        for &(a, b, above) in &pieces {
            let mid = SimTime::from_nanos((a.as_nanos() + b.as_nanos()) / 2);
            assert_eq!(p.rate_at(mid) > 700.0, above);
        }
        // An infinite level never cuts.
        assert_eq!(p.pieces(from, to, f64::INFINITY).count(), 1);
        assert_eq!(p.pieces(from, from, 700.0).count(), 0);
    }

    #[test]
    fn the_phase_is_the_euclidean_remainder_on_either_side_of_the_peak() {
        let (peak, period) = (
            SimDuration::from_secs(14 * 3600),
            SimDuration::from_secs(DAY),
        );
        let peak_ns = i128::from(peak.as_nanos());
        let peak_t = SimTime::ZERO + peak;
        let instants = [
            SimTime::ZERO,
            ns(SimTime::ZERO, 1),
            ns(peak_t, -1),
            peak_t,
            ns(peak_t, 1),
            secs(DAY),
            ns(secs(400 * DAY), 7),
        ];
        for t in instants {
            let euclid =
                (i128::from(t.as_nanos()) - peak_ns).rem_euclid(i128::from(period.as_nanos()));
            assert_eq!(i128::from(phase(t, peak, period)), euclid, "at {t}");
        }
    }

    #[test]
    fn a_level_out_of_a_shapes_reach_is_on_the_side_its_rate_says() {
        let diurnal = daily().segments[0].1;
        let shapes = [Shape::Constant(500.0), diurnal];
        let levels = [-1.0, 0.0, 99.9, 100.0, 500.0, 999.9, 1000.0, 1e9, f64::NAN];
        for shape in shapes {
            for level in levels {
                for t in (0..DAY).step_by(3_600).map(secs) {
                    assert_eq!(shape.above(t, level), shape.rate_at(t) > level, "{level}");
                }
            }
        }
        assert_eq!(diurnal.side_throughout(1000.0), Some(false));
        assert_eq!(diurnal.side_throughout(99.9), Some(true));
        assert_eq!(diurnal.side_throughout(100.0), None);
        assert_eq!(daily().side_throughout(1000.0), Some(false));
        assert_eq!(daily().next_crossing(secs(7), 1000.0), None);
        assert_eq!(daily().next_crossing(secs(7), 99.0), None);
        // A day of nothing before the cycle: 99 req/s is crossed at its start.
        let late = RateProfile {
            segments: vec![(secs(DAY), diurnal)],
        };
        assert_eq!(late.side_throughout(99.0), None);
        assert_eq!(late.next_crossing(secs(7), 99.0), Some(secs(DAY)));
    }
}
