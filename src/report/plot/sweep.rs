//! Sweep charts: every point on two objectives with the Pareto front highlighted, and a
//! heatmap of the best value of the first objective over two swept axes.

use super::charts::{Draw, layout_color};
use super::data::Table;
use crate::sweep::spec::parse_objective;
use plotters::coord::Shift;
use plotters::coord::combinators::{BindKeyPoints, LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::HashSet;
use std::path::Path;

const FONT: &str = "sans-serif";

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// A sweep folder's results, read back for charts.
#[derive(Debug)]
pub struct SweepData {
    /// Sweep name (from `sweep.meta.json`).
    pub name: String,
    /// `sweep.csv` header.
    pub header: Vec<String>,
    /// `sweep.csv` rows.
    pub rows: Vec<Vec<String>>,
    /// Axis columns (between `workload` and `status`).
    pub axes: Vec<usize>,
    /// Objectives: (column index, maximize).
    pub objectives: Vec<(usize, bool)>,
    /// Point ids on the Pareto front (`pareto.csv`).
    pub front: HashSet<String>,
}

impl SweepData {
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The numeric value of column `c` in row `r`, if the point has one.
    fn value(&self, r: &[String], c: usize) -> Option<f64> {
        r[c].parse::<f64>().ok().filter(|v| v.is_finite())
    }

    /// Whether the row's status is `ok`.
    fn ok(&self, r: &[String]) -> bool {
        self.col("status").is_some_and(|s| r[s] == "ok")
    }
}

/// Reads `dir/sweep.csv`, `sweep.meta.json` and `pareto.csv`; `Ok(None)` when the folder
/// holds no finished sweep.
pub fn read_sweep(dir: &Path) -> Result<Option<SweepData>, String> {
    let Some(t) = Table::read(&dir.join("sweep.csv"))? else {
        return Ok(None);
    };
    let f = "sweep.csv";
    let header = t.header().to_vec();
    let (w, s) = (t.col("workload", f)?, t.col("status", f)?);
    let meta_path = dir.join("sweep.meta.json");
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&meta_path)
            .map_err(|e| format!("{}: {e}", meta_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", meta_path.display()))?;
    let names: Vec<String> = meta["pareto"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let mut objectives = names
        .iter()
        .map(|n| parse_objective(n).map_err(|e| format!("{}: {e}", meta_path.display())))
        .collect::<Result<Vec<_>, String>>()?;
    for default in ["total_cycles", "pe_count"] {
        if objectives.len() < 2 && !objectives.iter().any(|o| o.column == default) {
            objectives.push(parse_objective(default).expect("a known objective"));
        }
    }
    let objectives = objectives
        .iter()
        .map(|o| Ok((t.col(&o.column, f)?, o.maximize)))
        .collect::<Result<Vec<_>, String>>()?;
    let front = match Table::read(&dir.join("pareto.csv"))? {
        Some(p) => {
            let id = p.col("point", "pareto.csv")?;
            p.rows().iter().map(|r| r[id].clone()).collect()
        }
        None => HashSet::new(),
    };
    Ok(Some(SweepData {
        name: meta["name"].as_str().unwrap_or("sweep").to_string(),
        axes: (w + 1..s).collect(),
        header,
        rows: t.rows().to_vec(),
        objectives,
        front,
    }))
}

/// The sweep seen on total cycles and energy, with the Pareto front of those two over its
/// feasible points; `None` when the sweep has no energy column.
pub fn cycles_energy_view(d: &SweepData) -> Option<SweepData> {
    let (xc, yc) = (d.col("total_cycles")?, d.col("energy_pj")?);
    let mut pts: Vec<(f64, f64, &String)> = d
        .rows
        .iter()
        .filter(|r| d.ok(r))
        .filter_map(|r| Some((d.value(r, xc)?, d.value(r, yc)?, &r[0])))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut front = HashSet::new();
    let mut best = f64::INFINITY;
    for (_, y, id) in pts {
        if y < best {
            best = y;
            front.insert(id.clone());
        }
    }
    Some(SweepData {
        name: format!("{}: cycles vs energy", d.name),
        header: d.header.clone(),
        rows: d.rows.clone(),
        axes: d.axes.clone(),
        objectives: vec![(xc, false), (yc, false)],
        front,
    })
}

/// A number in a few characters: 1.25M, 16.4k, 0.042.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let digits = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 10.0 {
        1
    } else if x.abs() >= 1.0 || !suffix.is_empty() {
        2
    } else {
        3
    };
    let mut s = format!("{x:.digits$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    s + suffix
}

/// Tick values for a log axis over `lo..hi`: 1-2-5 steps per decade, thinned to at most ten.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    for steps in [&[1.0, 2.0, 5.0][..], &[1.0, 3.0], &[1.0]] {
        let mut v = Vec::new();
        let mut decade = 10f64.powf(lo.log10().floor());
        while decade <= hi {
            for &s in steps {
                let t = s * decade;
                if t >= lo && t <= hi {
                    v.push(t);
                }
            }
            decade *= 10.0;
        }
        if v.len() <= 10 {
            return v;
        }
    }
    Vec::new()
}

/// An objective column's name with its unit, for an axis label.
pub fn with_unit(column: &str) -> String {
    let unit = match column {
        "total_cycles" | "compute_cycles" | "stall_cycles" | "decode_cycles" => "cycles",
        "pe_count" => "PEs",
        "sram_kb" => "kB",
        "dram_bytes" => "bytes",
        "metadata_bits" => "bits",
        "time_us" => "µs",
        "speedup_vs_dense" => "×",
        "energy_pj" => "pJ",
        "area_mm2" => "mm²",
        "edp_uj_ms" => "µJ·ms",
        "tops_per_w" => "TOPS/W",
        "tops_per_mm2" => "TOPS/mm²",
        "pe_utilization" | "mapping_efficiency" | "kept_weight_energy" | "sparsity" => "fraction",
        _ => return column.to_string(),
    };
    format!("{column} ({unit})")
}

/// Whether values spanning `lo..hi` read better on a log axis.
fn wants_log(lo: f64, hi: f64) -> bool {
    lo > 0.0 && hi / lo > 20.0
}

/// One plotted point.
struct Dot {
    x: f64,
    y: f64,
    group: usize,
    ok: bool,
    front: bool,
}

/// 6a. Every point on the first two objectives, coloured by layout, the front highlighted.
pub fn pareto_scatter<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &SweepData) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let (xc, yc) = (d.objectives[0].0, d.objectives[1].0);
    let layout = d.col("layout");
    let mut groups: Vec<String> = Vec::new();
    let mut dots = Vec::new();
    for r in &d.rows {
        let (Some(x), Some(y)) = (d.value(r, xc), d.value(r, yc)) else {
            continue;
        };
        let g = layout.map_or_else(|| "feasible points".to_string(), |c| r[c].clone());
        let group = match groups.iter().position(|x| *x == g) {
            Some(i) => i,
            None => {
                groups.push(g);
                groups.len() - 1
            }
        };
        dots.push(Dot {
            x,
            y,
            group,
            ok: d.ok(r),
            front: d.front.contains(&r[0]),
        });
    }
    if dots.is_empty() {
        return Err(format!(
            "sweep.csv has no point with numbers for {} and {}",
            d.header[xc], d.header[yc]
        ));
    }
    let range = |f: fn(&Dot) -> f64| {
        let lo = dots.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = dots.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let ((x0, x1), (y0, y1)) = (range(|p| p.x), range(|p| p.y));
    let title = format!(
        "{}: {} points, Pareto front over {}",
        d.name,
        dots.len(),
        d.objectives
            .iter()
            .map(|&(c, max)| format!("{}{}", if max { "max " } else { "min " }, d.header[c]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // The legend goes in the corner with the fewest points.
    let (lx, ly) = (wants_log(x0, x1), wants_log(y0, y1));
    let norm = |v: f64, lo: f64, hi: f64, log: bool| {
        let (v, lo, hi) = if log {
            (v.ln(), lo.ln(), hi.ln())
        } else {
            (v, lo, hi)
        };
        if hi > lo { (v - lo) / (hi - lo) } else { 0.5 }
    };
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let crowd = |right: bool, top: bool| {
        dots.iter()
            .filter(|p| {
                let (u, v) = (norm(p.x, x0, x1, lx), norm(p.y, y0, y1, ly));
                (if right { u > 0.6 } else { u < 0.4 }) && (if top { v > 0.7 } else { v < 0.3 })
            })
            .count()
    };
    let legend = corners
        .iter()
        .min_by_key(|(_, r, t)| crowd(*r, *t))
        .map(|(p, _, _)| p.clone())
        .expect("four corners");
    let labels = Labels {
        legend,
        title,
        x: with_unit(&d.header[xc]),
        y: with_unit(&d.header[yc]),
        groups,
        more_objectives: d.objectives.len() > 2,
    };
    let pad = |lo: f64, hi: f64, log: bool| {
        if log {
            (lo / 1.15, hi * 1.15)
        } else {
            let m = ((hi - lo) * 0.06).max(hi.abs() * 0.02).max(1e-9);
            (lo - m, hi + m)
        }
    };
    let (xa, xb) = pad(x0, x1, lx);
    let (ya, yb) = pad(y0, y1, ly);
    match (lx, ly) {
        (false, false) => scatter(root, xa..xb, ya..yb, &dots, &labels),
        (true, false) => scatter(root, log_axis(xa, xb), ya..yb, &dots, &labels),
        (false, true) => scatter(root, xa..xb, log_axis(ya, yb), &dots, &labels),
        (true, true) => scatter(root, log_axis(xa, xb), log_axis(ya, yb), &dots, &labels),
    }
}

/// A log axis over `lo..hi` with [`log_ticks`].
fn log_axis(lo: f64, hi: f64) -> WithKeyPoints<LogCoord<f64>> {
    (lo..hi).log_scale().with_key_points(log_ticks(lo, hi))
}

/// Texts of the scatter.
struct Labels {
    legend: SeriesLabelPosition,
    title: String,
    x: String,
    y: String,
    groups: Vec<String>,
    more_objectives: bool,
}

fn scatter<DB, X, Y>(root: &DrawingArea<DB, Shift>, xr: X, yr: Y, dots: &[Dot], l: &Labels) -> Draw
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(&l.title, (FONT, 24))
        .margin(20)
        .x_label_area_size(60)
        .y_label_area_size(90)
        .build_cartesian_2d(xr, yr)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(&l.x)
        .y_desc(&l.y)
        .x_label_formatter(&|v| compact(*v))
        .y_label_formatter(&|v| compact(*v))
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 16))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    let color = |g: usize| {
        if l.groups.len() == 1 && l.groups[0] == "feasible points" {
            RGBColor(31, 119, 180)
        } else {
            layout_color(&l.groups[g], g)
        }
    };
    // Infeasible points (numbers as if the muxes were wide enough): grey crosses.
    if dots.iter().any(|p| !p.ok) {
        chart
            .draw_series(
                dots.iter()
                    .filter(|p| !p.ok)
                    .map(|p| Cross::new((p.x, p.y), 4, RGBColor(150, 150, 150).stroke_width(1))),
            )
            .map_err(err)?
            .label("infeasible (numbers assume wide-enough muxes)")
            .legend(|(x, y)| Cross::new((x + 7, y), 4, RGBColor(150, 150, 150).stroke_width(1)));
    }
    for (g, name) in l.groups.iter().enumerate() {
        let c = color(g);
        chart
            .draw_series(
                dots.iter()
                    .filter(|p| p.ok && p.group == g)
                    .map(|p| Circle::new((p.x, p.y), 4, c.mix(0.75).filled())),
            )
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| Circle::new((x + 7, y), 5, c.filled()));
    }
    let mut front: Vec<&Dot> = dots.iter().filter(|p| p.front).collect();
    front.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    if !l.more_objectives && front.len() > 1 {
        // The staircase the front encloses (both objectives to minimize read left-down).
        let mut steps = Vec::new();
        for (i, p) in front.iter().enumerate() {
            if i > 0 {
                steps.push((p.x, front[i - 1].y));
            }
            steps.push((p.x, p.y));
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                steps,
                BLACK.mix(0.6).stroke_width(1),
            )))
            .map_err(err)?;
    }
    chart
        .draw_series(front.iter().map(|p| {
            EmptyElement::at((p.x, p.y))
                + Circle::new((0, 0), 7, color(p.group).filled())
                + Circle::new((0, 0), 7, BLACK.stroke_width(2))
        }))
        .map_err(err)?
        .label(format!("Pareto front ({} points)", front.len()))
        .legend(|(x, y)| Circle::new((x + 7, y), 6, BLACK.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(l.legend.clone())
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 16))
        .draw()
        .map_err(err)?;
    Ok(())
}

/// The two axes a heatmap shows: the first two axes with more than one value, skipping an
/// axis that moves in lockstep with one already chosen (a zip partner).
pub fn heatmap_axes(d: &SweepData) -> Option<(usize, usize)> {
    let mut chosen: Vec<usize> = Vec::new();
    for &a in &d.axes {
        if distinct(d, &[a]) < 2 || chosen.iter().any(|&c| lockstep(d, c, a)) {
            continue;
        }
        chosen.push(a);
        if chosen.len() == 2 {
            return Some((chosen[0], chosen[1]));
        }
    }
    None
}

/// How many distinct value tuples the columns `cols` take.
fn distinct(d: &SweepData, cols: &[usize]) -> usize {
    let mut v: Vec<Vec<&str>> = d
        .rows
        .iter()
        .map(|r| cols.iter().map(|&c| r[c].as_str()).collect())
        .collect();
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// Whether columns `a` and `b` move together (one determines the other): zip partners.
fn lockstep(d: &SweepData, a: usize, b: usize) -> bool {
    let n = distinct(d, &[a]);
    distinct(d, &[b]) == n && distinct(d, &[a, b]) == n
}

/// Distinct values of column `c` in order: numerically if all are numbers, else as first seen.
fn categories(d: &SweepData, c: usize) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for r in &d.rows {
        if !v.contains(&r[c]) {
            v.push(r[c].clone());
        }
    }
    if v.iter().all(|s| s.parse::<f64>().is_ok()) {
        v.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    }
    v
}

/// 6b. The best value of the first objective for each pair of values of axes `ax` × `ay`,
/// over every other axis (feasible points of the first workload only).
pub fn sweep_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &SweepData,
    ax: usize,
    ay: usize,
) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let (oc, maximize) = d.objectives[0];
    let (xs, ys) = (categories(d, ax), categories(d, ay));
    let workload = d.col("workload").expect("sweep.csv has a workload column");
    let first = d
        .rows
        .first()
        .map(|r| r[workload].clone())
        .unwrap_or_default();
    let many_workloads = d.rows.iter().any(|r| r[workload] != first);
    let mut best: Vec<Option<f64>> = vec![None; xs.len() * ys.len()];
    for r in d.rows.iter().filter(|r| r[workload] == first && d.ok(r)) {
        let Some(v) = d.value(r, oc) else { continue };
        let i = xs.iter().position(|x| *x == r[ax]).expect("listed");
        let j = ys.iter().position(|y| *y == r[ay]).expect("listed");
        let cell = &mut best[j * xs.len() + i];
        *cell = Some(match *cell {
            None => v,
            Some(b) if maximize => b.max(v),
            Some(b) => b.min(v),
        });
    }
    let known: Vec<f64> = best.iter().flatten().copied().collect();
    let lo = known.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log = wants_log(lo, hi);
    let scale = |v: f64| if log { v.ln() } else { v };
    // Brighter is better.
    let shade = |v: f64| {
        if hi <= lo {
            1.0
        } else {
            let t = (scale(v) - scale(lo)) / (scale(hi) - scale(lo));
            if maximize { t } else { 1.0 - t }
        }
    };
    let others: Vec<&str> = d
        .axes
        .iter()
        .filter(|&&c| !lockstep(d, c, ax) && !lockstep(d, c, ay) && distinct(d, &[c]) > 1)
        .map(|&c| d.header[c].as_str())
        .collect();
    let title = format!(
        "{}: {} {} by {} and {}{}",
        d.name,
        if maximize { "highest" } else { "lowest" },
        d.header[oc],
        d.header[ax],
        d.header[ay],
        if many_workloads {
            format!(" ({first})")
        } else {
            String::new()
        }
    );
    let (w, h) = root.dim_in_pixel();
    let (body, foot) = root.split_vertically(h - 40);
    let names_x_wide = xs.iter().map(|s| s.chars().count()).max().unwrap_or(1) as u32;
    let ylab = ys.iter().map(|s| s.chars().count()).max().unwrap_or(1) as u32 * 10 + 50;
    let mut chart = ChartBuilder::on(&body)
        .caption(&title, (FONT, 24))
        .margin(20)
        .x_label_area_size(if names_x_wide * 10 > w / xs.len() as u32 {
            120
        } else {
            60
        })
        .y_label_area_size(ylab)
        .build_cartesian_2d(
            -0.5f64..xs.len() as f64 - 0.5,
            -0.5f64..ys.len() as f64 - 0.5,
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_desc(&d.header[ax])
        .y_desc(&d.header[ay])
        .axis_desc_style((FONT, 20))
        .draw()
        .map_err(err)?;
    let cells = best.iter().enumerate().map(|(k, v)| {
        let (i, j) = ((k % xs.len()) as f64, (k / xs.len()) as f64);
        let fill = match v {
            Some(v) => ViridisRGB::get_color(shade(*v)).filled(),
            None => RGBColor(225, 225, 225).filled(),
        };
        Rectangle::new([(i - 0.5, j - 0.5), (i + 0.5, j + 0.5)], fill)
    });
    chart.draw_series(cells).map_err(err)?;
    if xs.len() * ys.len() <= 400 {
        let size = if xs.len() * ys.len() <= 64 { 18 } else { 13 };
        chart
            .draw_series(best.iter().enumerate().map(|(k, v)| {
                let (i, j) = ((k % xs.len()) as f64, (k / xs.len()) as f64);
                let (text, dark) = match v {
                    Some(v) => (compact(*v), shade(*v) > 0.6),
                    None => ("none ok".to_string(), true),
                };
                let style = TextStyle::from((FONT, size).into_font())
                    .color(if dark { &BLACK } else { &WHITE })
                    .pos(Pos::new(HPos::Center, VPos::Center));
                Text::new(text, (i, j), style)
            }))
            .map_err(err)?;
    }
    let (bx, by) = body.get_base_pixel();
    for (i, x) in xs.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64, -0.5));
        let style = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
        body.draw_text(x, &style, (px - bx, py - by + 6))
            .map_err(err)?;
    }
    for (j, y) in ys.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(-0.5, j as f64));
        let style =
            TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
        body.draw_text(y, &style, (px - bx - 6, py - by))
            .map_err(err)?;
    }
    let note = if others.is_empty() {
        "feasible points only; grey: no feasible point".to_string()
    } else {
        format!(
            "each cell: the best over {}; feasible points only; brighter is better",
            others.join(", ")
        )
    };
    foot.draw_text(&note, &TextStyle::from((FONT, 15).into_font()), (20, 10))
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(header: &[&str], rows: &[&[&str]]) -> SweepData {
        SweepData {
            name: "t".into(),
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
            axes: (2..header.len() - 2).collect(),
            objectives: vec![(header.len() - 1, false)],
            front: HashSet::new(),
        }
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(compact(1_250_000.0), "1.25M");
        assert_eq!(compact(1_000_000.0), "1M");
        assert_eq!(compact(16_384.0), "16.4k");
        assert_eq!(compact(512.0), "512");
        assert_eq!(compact(0.042), "0.042");
        assert_eq!(compact(2.5e9), "2.5G");
    }

    #[test]
    fn log_ticks_step_1_2_5_and_thin_out() {
        assert_eq!(log_ticks(150.0, 1200.0), [200.0, 500.0, 1000.0]);
        let wide = log_ticks(1.0, 1e9);
        assert_eq!(wide.len(), 10);
        assert_eq!(wide[0], 1.0);
    }

    #[test]
    fn heatmap_skips_single_valued_and_zipped_axes() {
        let header = [
            "point", "workload", "a", "zip_a", "one", "b", "status", "cycles",
        ];
        let rows: Vec<Vec<String>> = (0..4)
            .map(|i| {
                let a = (i / 2).to_string();
                let za = (10 + i / 2).to_string();
                let b = (i % 2).to_string();
                vec![
                    i.to_string(),
                    "w".into(),
                    a,
                    za,
                    "1".into(),
                    b,
                    "ok".into(),
                    "5".into(),
                ]
            })
            .collect();
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        let d = data(&header, &slices);
        assert_eq!(heatmap_axes(&d), Some((2, 5)));
        assert!(lockstep(&d, 2, 3));
        assert!(!lockstep(&d, 2, 5));
    }
}
