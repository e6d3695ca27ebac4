//! Sweep tables as bytes: CSV rows, journals that tolerate a cut-off last line, and the
//! Pareto front.

use super::spec::Objective;

/// One CSV line (quoted where needed), with its newline.
pub fn csv_line(values: &[String]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(values)
        .expect("writing into memory cannot fail");
    String::from_utf8(w.into_inner().expect("flushing into memory cannot fail"))
        .expect("UTF-8 in, UTF-8 out")
}

/// A whole table: header and rows.
pub fn table_bytes(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = csv_line(header);
    for r in rows {
        out.push_str(&csv_line(r));
    }
    out.into_bytes()
}

/// Parses a table written by [`table_bytes`] or appended line by line; a last line without
/// its newline (a write cut off by an interruption) is dropped.
pub fn parse_table(text: &str) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let complete = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(complete.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        rows.push(rec.iter().map(String::from).collect());
    }
    Ok((header, rows))
}

/// Sorts rows by their first column (the point id, numerically), stably.
pub fn sort_by_point(rows: &mut [Vec<String>]) {
    rows.sort_by_key(|r| r[0].parse::<u64>().unwrap_or(u64::MAX));
}

/// Sorts per-layer rows by point, then layer index (the second column); stable.
pub fn sort_by_point_and_layer(rows: &mut [Vec<String>]) {
    let num = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
    rows.sort_by_key(|r| (num(&r[0]), r.get(1).map_or(u64::MAX, |s| num(s))));
}

/// The rows on the Pareto front of `objectives` among rows whose status is `ok`: no other
/// such row is at least as good in every objective and better in one. Sorted by point.
pub fn pareto(
    header: &[String],
    rows: &[Vec<String>],
    objectives: &[Objective],
) -> Result<Vec<Vec<String>>, String> {
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .ok_or_else(|| format!("no column `{n}` for the Pareto front"))
    };
    let status = col("status")?;
    let cols: Vec<(usize, bool)> = objectives
        .iter()
        .map(|o| Ok((col(&o.column)?, o.maximize)))
        .collect::<Result<_, String>>()?;
    let candidates: Vec<(&Vec<String>, Vec<f64>)> = rows
        .iter()
        .filter(|r| r[status] == "ok")
        .filter(|r| {
            cols.iter()
                .all(|&(c, _)| r[c].parse::<f64>().is_ok_and(f64::is_finite))
        })
        .map(|r| {
            let v = cols
                .iter()
                .map(|&(c, max)| {
                    let x: f64 = r[c].parse().unwrap_or(f64::NAN);
                    if max { -x } else { x }
                })
                .collect();
            (r, v)
        })
        .collect();
    let dominates = |a: &[f64], b: &[f64]| {
        a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y)
    };
    let mut front: Vec<Vec<String>> = candidates
        .iter()
        .filter(|(_, v)| !candidates.iter().any(|(_, w)| dominates(w, v)))
        .map(|(r, _)| (*r).clone())
        .collect();
    sort_by_point(&mut front);
    Ok(front)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_cut_off_line_is_dropped() {
        let (h, rows) = parse_table("point,x\n0,1\n1,2\n2,").unwrap();
        assert_eq!(h, s(&["point", "x"]));
        assert_eq!(rows, vec![s(&["0", "1"]), s(&["1", "2"])]);
    }

    #[test]
    fn pareto_front_keeps_the_non_dominated() {
        let h = s(&["point", "status", "total_cycles", "pe_count"]);
        let rows = vec![
            s(&["0", "ok", "100", "1024"]),
            s(&["1", "ok", "50", "4096"]),
            s(&["2", "ok", "120", "4096"]),
            s(&["3", "infeasible: x", "10", "16"]),
            s(&["4", "ok", "100", "1024"]),
            s(&["5", "ok", "", "16"]),
            s(&["6", "ok", "NaN", "16"]),
        ];
        let obj = [
            Objective {
                column: "total_cycles".into(),
                maximize: false,
            },
            Objective {
                column: "pe_count".into(),
                maximize: false,
            },
        ];
        let f = pareto(&h, &rows, &obj).unwrap();
        assert_eq!(
            f.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
            vec!["0", "1", "4"]
        );
    }
}
