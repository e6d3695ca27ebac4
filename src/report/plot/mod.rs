//! Charts from a result folder's CSVs, as PNG and SVG (plotters, with DejaVu Sans embedded so
//! text renders without system fonts).

pub mod charts;
pub mod data;
pub mod sweep;

use data::{RunData, read_dir};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

/// The files plot reads from a result folder.
pub const INPUT_FILES: [&str; 6] = [
    "compare.csv",
    "layers.csv",
    "compare_totals.csv",
    "pe_states.csv",
    "sweep.csv",
    "pareto.csv",
];

/// A rendered chart file: its name (`utilization_by_layer.png`) and bytes.
pub type ChartFile = (String, Vec<u8>);

/// Chart size in pixels (PNG; the SVG has the same user units).
pub const SIZE: (u32, u32) = (1400, 800);

static FONTS: Once = Once::new();

/// Registers the embedded font under the family name the charts use.
fn register_fonts() -> Result<(), String> {
    let mut result = Ok(());
    FONTS.call_once(|| {
        let regular = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let bold =
            plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
        if regular.is_err() || bold.is_err() {
            result = Err("the embedded DejaVu Sans font could not be loaded".to_string());
        }
    });
    result
}

/// Which layer and layout the per-PE heatmap shows.
#[derive(Debug, Clone, Default)]
pub struct PlotOptions {
    /// Layer for the heatmap; default: the layer with the most MACs.
    pub layer: Option<String>,
    /// Layout for the heatmap; default: `colcomb` if present, else the first layout.
    pub layout: Option<String>,
}

/// Renders one chart as `name.png` and `name.svg`.
fn render(
    name: &str,
    draw: impl Fn(&DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
    draw_svg: impl Fn(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Result<Vec<ChartFile>, String> {
    let (w, h) = SIZE;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(|e| format!("{name}: {e:?}"))?;
    }
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| format!("{name}: {e}"))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| format!("{name}: {e}"))?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw_svg(&root)?;
        root.present().map_err(|e| format!("{name}: {e:?}"))?;
    }
    Ok(vec![
        (format!("{name}.png"), png_bytes),
        (format!("{name}.svg"), svg.into_bytes()),
    ])
}

macro_rules! both {
    ($name:expr, |$root:ident| $body:expr) => {
        render($name, |$root| $body, |$root| $body)
    };
}

/// Shares of PE-cycles per state for every layout, summed over layers and PEs.
fn state_shares(d: &RunData) -> Vec<(String, [f64; 6])> {
    let mut out: Vec<(String, [f64; 6])> = Vec::new();
    if let Some(pe) = &d.pe {
        for ((_, layout), (_, _, pes)) in &pe.grids {
            let i = match out.iter().position(|(l, _)| l == layout) {
                Some(i) => i,
                None => {
                    out.push((layout.clone(), [0.0; 6]));
                    out.len() - 1
                }
            };
            for p in pes {
                for (acc, v) in out[i].1.iter_mut().zip(p) {
                    *acc += v;
                }
            }
        }
    }
    out
}

/// Renders every chart the folder's data supports.
pub fn plot_dir(dir: &Path, opts: &PlotOptions) -> Result<Vec<ChartFile>, String> {
    register_fonts()?;
    if let Some(s) = sweep::read_sweep(dir)? {
        let mut files = both!("pareto", |root| sweep::pareto_scatter(root, &s))?;
        if let Some(v) = sweep::cycles_energy_view(&s) {
            files.extend(both!("cycles_energy", |root| sweep::pareto_scatter(
                root, &v
            ))?);
        }
        if let Some((ax, ay)) = sweep::heatmap_axes(&s) {
            files.extend(both!("sweep_heatmap", |root| sweep::sweep_heatmap(
                root, &s, ax, ay
            ))?);
        }
        return Ok(files);
    }
    let d = read_dir(dir)?;
    let mut files = Vec::new();
    files.extend(both!("utilization_by_layer", |root| {
        charts::utilization_by_layer(root, &d)
    })?);
    if !d.layouts.is_empty() {
        files.extend(both!("cycles_speedup", |root| {
            charts::cycles_and_speedup(root, &d)
        })?);
        files.extend(both!("traffic", |root| charts::traffic(root, &d))?);
        files.extend(both!("decode_cost", |root| charts::decode_cost(root, &d))?);
        if d.layouts
            .iter()
            .all(|r| r.energy.is_some() && r.area.is_some())
        {
            files.extend(both!("energy_breakdown", |root| {
                charts::energy_breakdown(root, &d)
            })?);
            files.extend(both!("area_breakdown", |root| {
                charts::area_breakdown(root, &d)
            })?);
        }
    }
    if let Some(pe) = &d.pe
        && !pe.grids.is_empty()
    {
        let layouts: Vec<&String> = pe.grids.iter().map(|((_, l), _)| l).collect();
        let layout = match &opts.layout {
            Some(l) if layouts.contains(&l) => l.clone(),
            Some(l) => return Err(format!("--layout {l}: pe_states.csv has no such layout")),
            None if layouts.iter().any(|l| *l == "colcomb") => "colcomb".to_string(),
            None => layouts[0].clone(),
        };
        let layer = match &opts.layer {
            Some(l) => l.clone(),
            None => d
                .layers
                .iter()
                .filter(|r| r.layout == layout || d.layouts.is_empty())
                .max_by(|a, b| {
                    a.macs
                        .partial_cmp(&b.macs)
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
                .map(|r| r.layer.clone())
                .ok_or("no layer to draw")?,
        };
        let grid = pe
            .grids
            .iter()
            .find(|((l, lay), _)| *l == layer && *lay == layout)
            .map(|(_, g)| g)
            .ok_or_else(|| format!("pe_states.csv has no layer `{layer}` under layout {layout}"))?;
        let name = format!("pe_heatmap_{}_{}", sanitize(&layer), sanitize(&layout));
        files.extend(both!(&name, |root| charts::pe_heatmap(
            root, &layer, &layout, grid
        ))?);
        let shares = state_shares(&d);
        files.extend(both!("pe_states", |root| charts::pe_state_shares(
            root, &shares
        ))?);
    }
    Ok(files)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
