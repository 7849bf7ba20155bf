//! Numbers as the text reports write them: thousands separated by commas,
//! whether a count (`1,234,567`) or a mean of counts over many seeds
//! (`13,726.92`), so that a year's figures read at a glance.

/// A count: `1,234,567`.
pub fn thousands(n: u64) -> String {
    group(&n.to_string())
}

/// A figure with `places` decimals and its thousands separated:
/// `13,726.92`, `-1,234.5`; a figure that is not finite as Rust writes it.
pub fn decimal(v: f64, places: usize) -> String {
    if !v.is_finite() {
        return format!("{v:.places$}");
    }
    let digits = format!("{:.places$}", v.abs());
    let (whole, fraction) = digits.split_at(digits.find('.').unwrap_or(digits.len()));
    // No sign on a figure that rounds to zero: `-0.00` is 0.00.
    let negative = v < 0.0 && digits.bytes().any(|b| (b'1'..=b'9').contains(&b));
    format!(
        "{}{}{fraction}",
        if negative { "-" } else { "" },
        group(whole)
    )
}

/// `digits` with a comma before each group of three from the right.
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_means_have_their_thousands_separated() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(0), "0");
        // The review's `573105.40` from `--seeds`.
        assert_eq!(decimal(573_105.4, 2), "573,105.40");
        assert_eq!(decimal(13_726.924, 2), "13,726.92");
        assert_eq!(decimal(999.996, 2), "1,000.00");
        assert_eq!(decimal(-1_234.5, 1), "-1,234.5");
        assert_eq!(decimal(-0.001, 2), "0.00");
        assert_eq!(decimal(42.0, 0), "42");
        assert_eq!(decimal(f64::INFINITY, 2), "inf");
    }
}
