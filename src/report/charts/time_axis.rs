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

/// Columns of time a dense series is summarised in: about a pixel each.
const COLUMNS: f64 = 700.0;

/// Columns for a run of `seconds`: a pixel's worth each, or whole days once
/// a pixel would span more than a quarter of one. A column of half a day
/// holds a day's peak or its trough by turns, and its mean beats against
/// the daily cycle; a whole day's mean is the day's.
pub(crate) fn columns_for(seconds: f64) -> usize {
    if in_days(seconds) {
        (seconds / DAY).ceil() as usize
    } else {
        COLUMNS as usize
    }
}

const DAY: f64 = 86_400.0;

fn in_days(seconds: f64) -> bool {
    seconds / COLUMNS > DAY / 4.0
}

/// What one of [`columns_for`]'s columns spans, for a legend: `day`, or
/// its length.
pub(crate) fn column_label(seconds: f64) -> String {
    if in_days(seconds) {
        "day".to_string()
    } else {
        super::uptime::duration_label(seconds / COLUMNS)
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
    fn a_long_run_is_summarised_by_whole_days() {
        assert_eq!(columns_for(3_600.0), 700);
        assert_eq!(columns_for(100.0 * 86_400.0), 700);
        assert_eq!(columns_for(365.0 * 86_400.0), 365);
        assert_eq!(column_label(365.0 * 86_400.0), "day");
        assert_eq!(column_label(30.0 * 86_400.0), "62 min");
    }

    #[test]
    fn ticks_drop_needless_decimals() {
        assert_eq!(tick(&10.0), "10");
        assert_eq!(tick(&2.5), "2.5");
        assert_eq!(tick(&0.126), "0.13");
        assert_eq!(count_tick(&2.5), "");
        assert_eq!(count_tick(&3.0), "3");
    }
}
