//! The time axis of a run's charts, in the unit its duration reads best in.

/// Seconds on the x axis as minutes, hours or days.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimeAxis {
    seconds_per_unit: f64,
    unit: &'static str,
}

impl TimeAxis {
    pub fn for_duration(seconds: f64) -> TimeAxis {
        let (seconds_per_unit, unit) = if seconds <= 2.0 * 3600.0 {
            (60.0, "min")
        } else if seconds <= 3.0 * 86400.0 {
            (3600.0, "h")
        } else {
            (86400.0, "d")
        };
        TimeAxis {
            seconds_per_unit,
            unit,
        }
    }

    pub fn at(&self, seconds: f64) -> f64 {
        seconds / self.seconds_per_unit
    }

    pub fn label(&self) -> String {
        format!("time ({})", self.unit)
    }
}

/// A tick label: whole numbers without decimals, others with up to two.
pub(crate) fn tick(v: &f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A tick label on an axis of counts: whole numbers only.
pub(crate) fn count_tick(v: &f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

/// A quantity held from one sample to the next, as the corners of its
/// step line up to `end`.
pub(crate) fn steps(points: impl IntoIterator<Item = (f64, f64)>, end: f64) -> Vec<(f64, f64)> {
    let mut line: Vec<(f64, f64)> = Vec::new();
    for (t, v) in points {
        match line.last() {
            // Held on: no corner.
            Some(&(_, held)) if held == v => continue,
            Some(&(_, held)) => line.push((t, held)),
            None => {}
        }
        line.push((t, v));
    }
    if let Some(&(_, held)) = line.last() {
        line.push((end, held));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_follows_the_duration() {
        assert_eq!(TimeAxis::for_duration(1800.0).label(), "time (min)");
        assert_eq!(TimeAxis::for_duration(86400.0).at(43200.0), 12.0);
        assert_eq!(TimeAxis::for_duration(30.0 * 86400.0).label(), "time (d)");
    }

    #[test]
    fn ticks_drop_needless_decimals() {
        assert_eq!(tick(&10.0), "10");
        assert_eq!(tick(&2.5), "2.5");
        assert_eq!(tick(&0.126), "0.13");
        assert_eq!(count_tick(&2.5), "");
        assert_eq!(count_tick(&3.0), "3");
    }

    #[test]
    fn a_step_line_holds_each_value_until_the_next() {
        assert_eq!(
            steps([(0.0, 3.0), (5.0, 3.0), (10.0, 2.0)], 20.0),
            vec![(0.0, 3.0), (10.0, 3.0), (10.0, 2.0), (20.0, 2.0)]
        );
    }
}
