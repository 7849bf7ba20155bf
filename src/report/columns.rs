//! The text report's tables: each column as wide as it was laid out for,
//! or as its widest cell where one is wider. A year's request counts run
//! to fifteen digits and its timeline names HorizontalPodAutoscalers,
//! where fixed widths pushed every later cell of the row out of line.

/// Where a cell sits in its column: words left, figures right.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// A column: what separates it from the one before (the first's is the
/// indent), its alignment, and the least width it takes.
#[derive(Clone, Copy)]
pub(super) struct Column {
    gap: &'static str,
    align: Align,
    width: usize,
}

/// A column of words, after `gap`, at least `width` wide.
pub(super) const fn left(gap: &'static str, width: usize) -> Column {
    Column {
        gap,
        align: Align::Left,
        width,
    }
}

/// A column of figures, after `gap`, at least `width` wide.
pub(super) const fn right(gap: &'static str, width: usize) -> Column {
    Column {
        gap,
        align: Align::Right,
        width,
    }
}

/// A row of words, as a table's header.
pub(super) fn header(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// Writes `rows` (a cell per column each) a line each. A last column
/// aligned left is not padded, so that no line ends in spaces it did
/// not need.
pub(super) fn write_table(out: &mut String, columns: &[Column], rows: &[Vec<String>]) {
    use std::fmt::Write;

    let widths: Vec<usize> = (columns.iter().enumerate())
        .map(|(i, column)| {
            let widest = rows.iter().map(|row| row[i].chars().count()).max();
            widest.unwrap_or(0).max(column.width)
        })
        .collect();
    for row in rows {
        for (i, (cell, column)) in row.iter().zip(columns).enumerate() {
            out.push_str(column.gap);
            let width = widths[i];
            let _ = match column.align {
                Align::Left if i + 1 == columns.len() => write!(out, "{cell}"),
                Align::Left => write!(out, "{cell:<width$}"),
                Align::Right => write!(out, "{cell:>width$}"),
            };
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[&[&str]]) -> Vec<Vec<String>> {
        cells.iter().map(|row| header(row)).collect()
    }

    #[test]
    fn cells_that_fit_are_laid_out_as_a_format_string_would() {
        let columns = [left("  ", 6), right(" ", 8), left("  ", 4)];
        let mut out = String::new();
        write_table(&mut out, &columns, &rows(&[&["web", "1,234", "ok"]]));
        assert_eq!(out, format!("  {:<6} {:>8}  {}\n", "web", "1,234", "ok"));
    }

    #[test]
    fn a_wider_cell_widens_its_column_in_every_row() {
        let columns = [left("  ", 4), right(" ", 6), left(" ", 0)];
        let mut out = String::new();
        let table = rows(&[
            &["name", "failed", "why"],
            &["frontend", "3,749,821", "stale"],
            &["api", "12", "crash"],
        ]);
        write_table(&mut out, &columns, &table);
        assert_eq!(
            out,
            "  name        failed why\n  frontend 3,749,821 stale\n  api             12 crash\n"
        );
    }
}
