//! The chart kinds, each drawn on any plotters backend (PNG and SVG share the code).

use super::data::{LayoutRow, RunData, STATES};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A drawing result with the backend's error flattened to text.
pub type Draw = Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

const FONT: &str = "sans-serif";

/// Colour of a layout, the same in every chart.
pub fn layout_color(layout: &str, index: usize) -> RGBColor {
    match layout {
        "dense" => RGBColor(90, 90, 90),
        "masked" => RGBColor(170, 170, 170),
        "irregular" => RGBColor(214, 39, 40),
        "nm" => RGBColor(31, 119, 180),
        "bwhm" => RGBColor(23, 190, 207),
        "darb" => RGBColor(255, 127, 14),
        "pconv" => RGBColor(148, 103, 189),
        "colcomb" => RGBColor(44, 160, 44),
        _ => {
            let (r, g, b) = Palette99::pick(index).to_rgba().rgb();
            RGBColor(r, g, b)
        }
    }
}

/// Extra x room (in bar slots) to the right of bar charts, for the legend.
const LEGEND_ROOM: f64 = 1.6;

/// Legend labels of the PE states.
const STATE_LABELS: [&str; 6] = [
    "effectual MAC",
    "zero-weight MAC",
    "unmapped",
    "fill/drain",
    "stalled",
    "bus wait",
];

/// Colour of a PE state.
pub fn state_color(i: usize) -> RGBColor {
    [
        RGBColor(44, 160, 44),
        RGBColor(188, 189, 34),
        RGBColor(200, 200, 200),
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(255, 127, 14),
    ][i]
}

/// Layouts in the order the data lists them.
fn layouts(d: &RunData) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &d.layers {
        if !out.contains(&r.layout) {
            out.push(r.layout.clone());
        }
    }
    out
}

/// Whether category labels must be rotated to fit `width` pixels at `size` points.
/// Longest category label drawn; longer names keep their end (`…layer.2.output.dense`).
const MAX_LABEL_CHARS: usize = 32;

/// A category name as drawn: at most [`MAX_LABEL_CHARS`] characters.
fn short_label(name: &str) -> String {
    let n = name.chars().count();
    if n <= MAX_LABEL_CHARS {
        return name.to_string();
    }
    let tail: String = name.chars().skip(n - (MAX_LABEL_CHARS - 1)).collect();
    format!("…{tail}")
}

fn label_chars(names: &[String]) -> impl Iterator<Item = usize> + '_ {
    names.iter().map(|n| n.chars().count().min(MAX_LABEL_CHARS))
}

fn labels_need_rotation(names: &[String], width: u32, size: u32) -> bool {
    let per = width as f64 / names.len().max(1) as f64;
    let longest = label_chars(names).max().unwrap_or(0) as f64;
    longest * size as f64 * 0.62 > per * 0.95
}

/// Height of an x-label area holding `names`, rotated or not.
fn label_area(names: &[String], rotate: bool, size: u32) -> u32 {
    if rotate {
        (label_chars(names).max().unwrap_or(4) as f64 * size as f64 * 0.62) as u32 + 30
    } else {
        size + 34
    }
}

/// Draws category labels under an x axis (rotated when long). `centers` are backend pixel
/// coordinates of each category on the axis.
fn category_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    centers: &[(i32, i32)],
    names: &[String],
    size: u32,
    rotate: bool,
) -> Draw {
    let (bx, by) = area.get_base_pixel();
    for (&(x, y), name) in centers.iter().zip(names) {
        let name = &short_label(name);
        let (x, y) = (x - bx, y - by);
        let root = area;
        let style = TextStyle::from((FONT, size).into_font()).color(&BLACK);
        if rotate {
            let style = style
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw_text(name, &style, (x, y + 8)).map_err(err)?;
        } else {
            let style = style.pos(Pos::new(HPos::Center, VPos::Top));
            root.draw_text(name, &style, (x, y + 8)).map_err(err)?;
        }
    }
    Ok(())
}

/// 1. Per-layer PE utilization by layout, grouped bars.
pub fn utilization_by_layer<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    d: &RunData,
) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let lays = layouts(d);
    let mut names: Vec<String> = Vec::new();
    for r in d.layers.iter().filter(|r| r.macs > 0.0) {
        if !names.contains(&r.layer) {
            names.push(r.layer.clone());
        }
    }
    let util = |layer: &str, layout: &str| {
        d.layers
            .iter()
            .find(|r| r.layer == layer && r.layout == layout)
            .map_or(0.0, |r| 100.0 * r.pe_utilization)
    };
    let ymax = names
        .iter()
        .flat_map(|n| lays.iter().map(move |l| (n, l)))
        .map(|(n, l)| util(n, l))
        .fold(0.0, f64::max);
    let ymax = (ymax * 1.15).max(1.0);
    let rotate = labels_need_rotation(&names, root.dim_in_pixel().0.saturating_sub(140), 16);
    let label_area = label_area(&names, rotate, 16);
    let mut chart = ChartBuilder::on(root)
        .caption("PE utilization per layer, by layout", (FONT, 30))
        .margin(20)
        .x_label_area_size(label_area)
        .y_label_area_size(80)
        .build_cartesian_2d(
            -0.5f64..names.len() as f64 - 0.5 + (names.len() as f64 * 0.12).max(0.9),
            0f64..ymax,
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc("PE utilization (%): effectual MACs / (R·C·cycles)")
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 18))
        .draw()
        .map_err(err)?;
    let width = 0.8 / lays.len() as f64;
    for (li, lay) in lays.iter().enumerate() {
        let color = layout_color(lay, li);
        chart
            .draw_series(names.iter().enumerate().map(|(i, n)| {
                let x0 = i as f64 - 0.4 + li as f64 * width;
                Rectangle::new(
                    [(x0, 0.0), (x0 + width * 0.9, util(n, lay))],
                    color.filled(),
                )
            }))
            .map_err(err)?
            .label(lay.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 18))
        .draw()
        .map_err(err)?;
    let centers: Vec<(i32, i32)> = (0..names.len())
        .map(|i| chart.backend_coord(&(i as f64, 0.0)))
        .collect();
    category_labels(root, &centers, &names, 16, rotate)
}

/// Bars of one value per layout on `area`.
fn layout_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[LayoutRow],
    title: &str,
    y_desc: &str,
    value: impl Fn(&LayoutRow) -> Option<f64>,
    label: impl Fn(f64) -> String,
    reference: Option<f64>,
) -> Draw {
    // An undefined value (an empty cell) draws no bar and a dash.
    let height = |r: &LayoutRow| value(r).unwrap_or(0.0);
    let ymax = rows
        .iter()
        .map(height)
        .fold(0.0, f64::max)
        .max(reference.unwrap_or(0.0))
        * 1.2;
    let ymax = if ymax > 0.0 { ymax } else { 1.0 };
    let names: Vec<String> = rows
        .iter()
        .map(|r| {
            if r.status == "ok" {
                r.layout.clone()
            } else {
                format!("{}*", r.layout)
            }
        })
        .collect();
    let rotate = labels_need_rotation(&names, area.dim_in_pixel().0.saturating_sub(110), 16);
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 24))
        .margin(15)
        .x_label_area_size(label_area(&names, rotate, 16))
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..rows.len() as f64 - 0.5, 0f64..ymax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(y_desc)
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 16))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| {
            Rectangle::new(
                [(i as f64 - 0.35, 0.0), (i as f64 + 0.35, height(r))],
                layout_color(&r.layout, i).filled(),
            )
        }))
        .map_err(err)?;
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| {
            let style =
                TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
            let text = value(r).map_or_else(|| "—".to_string(), &label);
            Text::new(text, (i as f64, height(r)), style)
        }))
        .map_err(err)?;
    if let Some(y) = reference {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, y), (rows.len() as f64 - 0.5, y)],
                BLACK.stroke_width(1),
            )))
            .map_err(err)?;
    }
    let centers: Vec<(i32, i32)> = (0..rows.len())
        .map(|i| chart.backend_coord(&(i as f64, 0.0)))
        .collect();
    category_labels(area, &centers, &names, 16, rotate)
}

fn footnote<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    rows: &[LayoutRow],
    text: &str,
) -> Draw {
    if rows.iter().any(|r| r.status != "ok") {
        let (_, h) = root.dim_in_pixel();
        root.draw_text(
            text,
            &TextStyle::from((FONT, 15).into_font()),
            (20, h as i32 - 24),
        )
        .map_err(err)?;
    }
    Ok(())
}

/// 2. Network cycles and speedup over dense, by layout.
pub fn cycles_and_speedup<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &RunData) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let (left, right) = root.split_horizontally(root.dim_in_pixel().0 / 2);
    let max = d.layouts.iter().map(|r| r.total_cycles).fold(0.0, f64::max);
    let (scale, unit) = [(1e9, "billions"), (1e6, "millions"), (1e3, "thousands")]
        .into_iter()
        .find(|(s, _)| max >= *s)
        .unwrap_or((1.0, "cycles"));
    let desc = if scale == 1.0 {
        "total cycles".to_string()
    } else {
        format!("total cycles ({unit})")
    };
    layout_bars(
        &left,
        &d.layouts,
        "Network cycles",
        &desc,
        |r| Some(r.total_cycles / scale),
        |v| format!("{v:.2}"),
        None,
    )?;
    layout_bars(
        &right,
        &d.layouts,
        "Speedup over dense",
        "dense cycles / layout cycles (x)",
        |r| r.speedup,
        |v| format!("{v:.2}x"),
        Some(1.0),
    )?;
    footnote(
        root,
        &d.layouts,
        "* infeasible on the arch's PE muxes (its numbers assume a mux wide enough)",
    )
}

/// 3. DRAM traffic by operand, stacked, by layout.
pub fn traffic<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &RunData) -> Draw {
    let parts = [
        ("weights", RGBColor(31, 119, 180)),
        ("metadata", RGBColor(214, 39, 40)),
        ("ifmap", RGBColor(44, 160, 44)),
        ("ofmap", RGBColor(255, 127, 14)),
    ];
    let rows: Vec<(String, Vec<f64>)> = d
        .layouts
        .iter()
        .map(|r| {
            (
                r.layout.clone(),
                r.traffic.iter().map(|b| b / 1024.0).collect(),
            )
        })
        .collect();
    stacked_bars(
        root,
        "DRAM traffic by operand",
        "DRAM traffic (kB)",
        &parts,
        &rows,
    )
}

/// Legend labels and colours of the energy components, in `compare_totals.csv` order.
pub const ENERGY_PARTS: [(&str, RGBColor); 8] = [
    ("MAC", RGBColor(44, 160, 44)),
    ("array moves", RGBColor(188, 189, 34)),
    ("PE muxes", RGBColor(214, 39, 40)),
    ("decoders", RGBColor(148, 103, 189)),
    ("SRAM", RGBColor(31, 119, 180)),
    ("DRAM", RGBColor(90, 90, 90)),
    ("metadata moves", RGBColor(255, 127, 14)),
    ("leakage", RGBColor(200, 200, 200)),
];

/// Legend labels and colours of the area components, in `compare_totals.csv` order.
pub const AREA_PARTS: [(&str, RGBColor); 6] = [
    ("MACs", RGBColor(44, 160, 44)),
    ("PE registers", RGBColor(188, 189, 34)),
    ("select registers", RGBColor(255, 127, 14)),
    ("PE muxes", RGBColor(214, 39, 40)),
    ("SRAM", RGBColor(31, 119, 180)),
    ("decoders", RGBColor(148, 103, 189)),
];

/// 7. Energy per inference by component, stacked, by layout.
pub fn energy_breakdown<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &RunData) -> Draw {
    let rows: Vec<(String, Vec<f64>)> = d
        .layouts
        .iter()
        .filter_map(|r| {
            Some((
                r.layout.clone(),
                r.energy.as_ref()?.iter().map(|pj| pj * 1e-6).collect(),
            ))
        })
        .collect();
    stacked_bars(
        root,
        "Energy per inference by component",
        "energy (µJ)",
        &ENERGY_PARTS,
        &rows,
    )
}

/// Chart 8: the area of the hardware each layout runs on, by component, stacked, with the
/// area of the hardware each layout needs marked.
pub fn area_breakdown<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &RunData) -> Draw {
    let with_area: Vec<&LayoutRow> = d.layouts.iter().filter(|r| r.area.is_some()).collect();
    let rows: Vec<(String, Vec<f64>)> = with_area
        .iter()
        .filter_map(|r| Some((r.layout.clone(), r.area.as_ref()?.to_vec())))
        .collect();
    let needed: Vec<Option<f64>> = with_area.iter().map(|r| r.needed_area).collect();
    stacked_bars_marked(
        root,
        "Area of the hardware each layout runs on",
        "area (mm²)",
        &AREA_PARTS,
        &rows,
        Some(("needed by the layout", &needed)),
    )
}

/// Stacked bars: one bar per (name, parts) row, its parts in `parts` order.
fn stacked_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    parts: &[(&str, RGBColor)],
    rows: &[(String, Vec<f64>)],
) -> Draw {
    stacked_bars_marked(root, title, y_desc, parts, rows, None)
}

/// [`stacked_bars`] with a black mark across each bar at a value of its own, when given
/// (`(legend label, one value or none per row)`).
fn stacked_bars_marked<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    parts: &[(&str, RGBColor)],
    rows: &[(String, Vec<f64>)],
    marks: Option<(&str, &[Option<f64>])>,
) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let total = |v: &[f64]| v.iter().sum::<f64>();
    let highest_mark = marks
        .map(|(_, m)| m.iter().flatten().fold(0.0, |a: f64, b| a.max(*b)))
        .unwrap_or(0.0);
    let ymax = rows
        .iter()
        .map(|(_, v)| total(v))
        .fold(highest_mark, f64::max)
        * 1.15;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 30))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(
            -0.5f64..rows.len() as f64 + LEGEND_ROOM,
            0f64..if ymax > 0.0 { ymax } else { 1.0 },
        )
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc(y_desc)
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 18))
        .draw()
        .map_err(err)?;
    for (pi, (part, color)) in parts.iter().enumerate() {
        let color = *color;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, (_, v))| {
                let below: f64 = v[..pi].iter().sum();
                Rectangle::new(
                    [(i as f64 - 0.35, below), (i as f64 + 0.35, below + v[pi])],
                    color.filled(),
                )
            }))
            .map_err(err)?
            .label(*part)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
    }
    chart
        .draw_series(rows.iter().enumerate().map(|(i, (_, v))| {
            let style =
                TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
            Text::new(short_number(total(v)), (i as f64, total(v)), style)
        }))
        .map_err(err)?;
    if let Some((label, values)) = marks {
        chart
            .draw_series(values.iter().enumerate().filter_map(|(i, m)| {
                let y = (*m)?;
                Some(PathElement::new(
                    vec![(i as f64 - 0.45, y), (i as f64 + 0.45, y)],
                    BLACK.stroke_width(3),
                ))
            }))
            .map_err(err)?
            .label(label)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.stroke_width(3)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 18))
        .draw()
        .map_err(err)?;
    let names: Vec<String> = rows.iter().map(|(n, _)| n.clone()).collect();
    let centers: Vec<(i32, i32)> = (0..rows.len())
        .map(|i| chart.backend_coord(&(i as f64, 0.0)))
        .collect();
    category_labels(root, &centers, &names, 18, false)
}

/// A bar total in three significant digits.
fn short_number(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// 4. Decode cost by layout: metadata bits per nonzero, mux fan-in, row-bus demand.
pub fn decode_cost<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, d: &RunData) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let (w, _) = root.dim_in_pixel();
    let (a, rest) = root.split_horizontally(w / 3);
    let (b, c) = rest.split_horizontally(w / 3);
    layout_bars(
        &a,
        &d.layouts,
        "Metadata per weight",
        "metadata bits per kept weight",
        |r| r.meta_per_nz,
        |v| format!("{v:.2}"),
        None,
    )?;
    layout_bars(
        &b,
        &d.layouts,
        "PE mux fan-in",
        "largest fan-in (bus lanes)",
        |r| Some(r.fan_in),
        |v| format!("{v:.0}"),
        None,
    )?;
    layout_bars(
        &c,
        &d.layouts,
        "Row-bus demand",
        "activations per row per vector",
        |r| Some(r.bus),
        |v| format!("{v:.0}"),
        None,
    )?;
    footnote(root, &d.layouts, "* infeasible on the arch's PE muxes")
}

/// 5a. Per-PE heatmap of one layer: fraction of cycles in effectual MACs.
pub fn pe_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    layer: &str,
    layout: &str,
    grid: &super::data::StateGrid,
) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let (rows, cols, pes) = grid;
    let (w, _) = root.dim_in_pixel();
    let (main, bar) = root.split_horizontally(w - 150);
    let frac = |p: &[f64; 6]| {
        let t: f64 = p.iter().sum();
        if t > 0.0 { p[0] / t } else { 0.0 }
    };
    // The colour scale spans 0 to the busiest PE's share, so differences show.
    let top = pes.iter().map(frac).fold(0.0, f64::max);
    let top = if top > 0.0 { top } else { 1.0 };
    let mut chart = ChartBuilder::on(&main)
        .caption(
            format!("Effectual-MAC share per PE: layer {layer}, {layout}"),
            (FONT, 26),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..*cols as f64, *rows as f64..0f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("array column (filter)")
        .y_desc("array row")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 16))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(pes.iter().enumerate().map(|(i, p)| {
            let (r, c) = ((i / cols) as f64, (i % cols) as f64);
            Rectangle::new(
                [(c, r), (c + 1.0, r + 1.0)],
                ViridisRGB::get_color(frac(p) / top).filled(),
            )
        }))
        .map_err(err)?;
    let mut cb = ChartBuilder::on(&bar)
        .margin_top(60)
        .margin_bottom(70)
        .margin_right(20)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..1f64, 0f64..top)
        .map_err(err)?;
    cb.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc("effectual share of cycles")
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 14))
        .draw()
        .map_err(err)?;
    let steps = 100;
    cb.draw_series((0..steps).map(|i| {
        let (y0, y1) = (i as f64 / steps as f64, (i + 1) as f64 / steps as f64);
        Rectangle::new(
            [(0.0, y0 * top), (1.0, y1 * top)],
            ViridisRGB::get_color(y0).filled(),
        )
    }))
    .map_err(err)?;
    Ok(())
}

/// 5b. Shares of PE-cycles by state, per layout, over the network.
pub fn pe_state_shares<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shares: &[(String, [f64; 6])],
) -> Draw {
    root.fill(&WHITE).map_err(err)?;
    let mut chart = ChartBuilder::on(root)
        .caption("Where the PE-cycles went, by layout", (FONT, 30))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..shares.len() as f64 + LEGEND_ROOM, 0f64..100f64)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_desc("share of PE-cycles (%)")
        .axis_desc_style((FONT, 20))
        .label_style((FONT, 18))
        .draw()
        .map_err(err)?;
    for si in 0..STATES.len() {
        let color = state_color(si);
        chart
            .draw_series(shares.iter().enumerate().map(|(i, (_, v))| {
                let total: f64 = v.iter().sum();
                let pct = |x: f64| if total > 0.0 { 100.0 * x / total } else { 0.0 };
                let below: f64 = v[..si].iter().map(|x| pct(*x)).sum();
                Rectangle::new(
                    [
                        (i as f64 - 0.35, below),
                        (i as f64 + 0.35, below + pct(v[si])),
                    ],
                    color.filled(),
                )
            }))
            .map_err(err)?
            .label(STATE_LABELS[si])
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 16))
        .draw()
        .map_err(err)?;
    let names: Vec<String> = shares.iter().map(|(n, _)| n.clone()).collect();
    let centers: Vec<(i32, i32)> = (0..shares.len())
        .map(|i| chart.backend_coord(&(i as f64, 0.0)))
        .collect();
    category_labels(root, &centers, &names, 18, false)
}
