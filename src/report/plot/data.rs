//! The CSVs a run or comparison wrote, read back for charts.

use std::collections::HashMap;
use std::path::Path;

/// A CSV file as a header and string records.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads `path`; `Ok(None)` if it does not exist.
    pub fn read(path: &Path) -> Result<Option<Table>, String> {
        if !path.exists() {
            return Ok(None);
        }
        let mut r = csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let header = r
            .headers()
            .map_err(|e| format!("{}: {e}", path.display()))?
            .iter()
            .map(String::from)
            .collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(|e| format!("{}: {e}", path.display()))?;
            rows.push(rec.iter().map(String::from).collect());
        }
        Ok(Some(Table { header, rows }))
    }

    /// Index of column `name`.
    pub fn col(&self, name: &str, file: &str) -> Result<usize, String> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{file} has no column `{name}`"))
    }

    /// The header cells.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The rows.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }
}

/// Row `n`'s cell in column `c` of `t` (read from `file`), as a finite number (sparsim never
/// writes NaN or infinity, and a chart of one cannot be drawn).
fn cell(t: &Table, n: usize, c: usize, file: &str) -> Result<f64, String> {
    let s = &t.rows()[n][c];
    let at = || format!("{file} line {}, column {}", n + 2, t.header()[c]);
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("{}: `{s}` is not a finite number", at())),
        Err(_) => Err(format!("{}: `{s}` is not a number", at())),
    }
}

/// [`cell`], or `None` for an empty cell (an undefined ratio).
fn opt_cell(t: &Table, n: usize, c: usize, file: &str) -> Result<Option<f64>, String> {
    if t.rows()[n][c].is_empty() {
        Ok(None)
    } else {
        cell(t, n, c, file).map(Some)
    }
}

/// Largest PE row or column index a `pe_states.csv` may name (arrays have at most 65,536
/// rows and columns).
const MAX_PE_INDEX: usize = 65_535;

/// Row `n`'s PE row or column index in column `c`.
fn pe_index(t: &Table, n: usize, c: usize, file: &str) -> Result<usize, String> {
    let s = &t.rows()[n][c];
    match s.parse::<usize>() {
        Ok(v) if v <= MAX_PE_INDEX => Ok(v),
        _ => Err(format!(
            "{file} line {}, column {}: `{s}` is not a PE index from 0 to {MAX_PE_INDEX}",
            n + 2,
            t.header()[c]
        )),
    }
}

/// One layer under one layout (from compare.csv, or layers.csv as layout `dense`).
#[derive(Debug, Clone)]
pub struct LayerRow {
    /// Layer name.
    pub layer: String,
    /// Layout.
    pub layout: String,
    /// MACs (0 for layers not on the array).
    pub macs: f64,
    /// PE utilization, fraction.
    pub pe_utilization: f64,
}

/// Network totals of one layout (compare_totals.csv).
#[derive(Debug, Clone)]
pub struct LayoutRow {
    /// Layout.
    pub layout: String,
    /// Total cycles.
    pub total_cycles: f64,
    /// Speedup over dense (`None`: an empty cell, the layout spent no cycles).
    pub speedup: Option<f64>,
    /// DRAM bytes: weights, metadata, ifmap, ofmap.
    pub traffic: [f64; 4],
    /// Metadata bits per kept weight (`None`: an empty cell, no weight kept).
    pub meta_per_nz: Option<f64>,
    /// Largest mux fan-in.
    pub fan_in: f64,
    /// Largest row-bus demand.
    pub bus: f64,
    /// `ok` or why not.
    pub status: String,
    /// Energy by component, pJ, in `compare_totals.csv` order (`None` for a folder written
    /// before energy was reported).
    pub energy: Option<[f64; 8]>,
    /// Area by component, mm², in `compare_totals.csv` order.
    pub area: Option<[f64; 6]>,
    /// Area of the hardware the layout needs, mm².
    pub needed_area: Option<f64>,
}

/// The energy component columns of `compare_totals.csv`.
pub const ENERGY_COLUMNS: [&str; 8] = [
    "energy_mac_pj",
    "energy_array_pj",
    "energy_mux_pj",
    "energy_decode_pj",
    "energy_sram_pj",
    "energy_dram_pj",
    "energy_metadata_pj",
    "energy_static_pj",
];

/// The area component columns of `compare_totals.csv`.
pub const AREA_COLUMNS: [&str; 6] = [
    "area_mac_mm2",
    "area_pe_regs_mm2",
    "area_select_mm2",
    "area_mux_mm2",
    "area_sram_mm2",
    "area_decoder_mm2",
];

/// One layer × layout's PE grid: rows, cols, and per-PE counts in [`STATES`] order.
pub type StateGrid = (usize, usize, Vec<[f64; 6]>);

/// Per-PE state counts of every (layer, layout), in file order.
#[derive(Debug, Clone, Default)]
pub struct PeStates {
    /// ((layer, layout), grid).
    pub grids: Vec<((String, String), StateGrid)>,
}

/// The state columns of pe_states.csv, in chart order.
pub const STATES: [&str; 6] = [
    "effectual",
    "zero_weight",
    "unmapped",
    "fill_drain",
    "stalled",
    "bus_wait",
];

/// Everything a chart may need from a result folder.
#[derive(Debug, Default)]
pub struct RunData {
    /// Per layer × layout.
    pub layers: Vec<LayerRow>,
    /// Per layout (comparisons only).
    pub layouts: Vec<LayoutRow>,
    /// Per-PE states, if written.
    pub pe: Option<PeStates>,
}

/// Reads a result folder: `compare.csv` + `compare_totals.csv`, or `layers.csv`, and
/// `pe_states.csv` when present.
pub fn read_dir(dir: &Path) -> Result<RunData, String> {
    let mut d = RunData::default();
    let (table, name) = match Table::read(&dir.join("compare.csv"))? {
        Some(t) => (Some(t), "compare.csv"),
        None => (Table::read(&dir.join("layers.csv"))?, "layers.csv"),
    };
    if let Some(t) = &table {
        let (l, m, u) = (
            t.col("layer", name)?,
            t.col("macs", name)?,
            t.col("pe_utilization", name)?,
        );
        let lay = t.col("layout", name).ok();
        for (n, r) in t.rows().iter().enumerate() {
            d.layers.push(LayerRow {
                layer: r[l].clone(),
                layout: lay.map_or_else(|| "dense".to_string(), |i| r[i].clone()),
                macs: cell(t, n, m, name)?,
                pe_utilization: cell(t, n, u, name)?,
            });
        }
    }
    if let Some(t) = Table::read(&dir.join("compare_totals.csv"))? {
        let f = "compare_totals.csv";
        let c = |n: &str| t.col(n, f);
        let (lay, cyc, sp) = (c("layout")?, c("total_cycles")?, c("speedup_vs_dense")?);
        let tr = [
            c("filter_dram_bytes")?,
            c("metadata_dram_bytes")?,
            c("ifmap_dram_bytes")?,
            c("ofmap_dram_bytes")?,
        ];
        let (meta, fan, bus, st) = (
            c("metadata_bits_per_nonzero")?,
            c("max_fan_in")?,
            c("max_bus_demand")?,
            c("status")?,
        );
        let energy_cols: Option<Vec<usize>> = ENERGY_COLUMNS.iter().map(|n| c(n).ok()).collect();
        let area_cols: Option<Vec<usize>> = AREA_COLUMNS.iter().map(|n| c(n).ok()).collect();
        let needed = c("needed_area_mm2").ok();
        for (n, r) in t.rows().iter().enumerate() {
            let energy = match &energy_cols {
                Some(cols) => {
                    let mut v = [0.0; 8];
                    for (x, &i) in v.iter_mut().zip(cols) {
                        *x = cell(&t, n, i, f)?;
                    }
                    Some(v)
                }
                None => None,
            };
            let area = match &area_cols {
                Some(cols) => {
                    let mut v = [0.0; 6];
                    for (x, &i) in v.iter_mut().zip(cols) {
                        *x = cell(&t, n, i, f)?;
                    }
                    Some(v)
                }
                None => None,
            };
            d.layouts.push(LayoutRow {
                energy,
                area,
                needed_area: match needed {
                    Some(i) => Some(cell(&t, n, i, f)?),
                    None => None,
                },
                layout: r[lay].clone(),
                total_cycles: cell(&t, n, cyc, f)?,
                speedup: opt_cell(&t, n, sp, f)?,
                traffic: [
                    cell(&t, n, tr[0], f)?,
                    cell(&t, n, tr[1], f)?,
                    cell(&t, n, tr[2], f)?,
                    cell(&t, n, tr[3], f)?,
                ],
                meta_per_nz: opt_cell(&t, n, meta, f)?,
                fan_in: cell(&t, n, fan, f)?,
                bus: cell(&t, n, bus, f)?,
                status: r[st].clone(),
            });
        }
    }
    if let Some(t) = Table::read(&dir.join("pe_states.csv"))? {
        let f = "pe_states.csv";
        let (l, lay, row, col) = (
            t.col("layer", f)?,
            t.col("layout", f)?,
            t.col("row", f)?,
            t.col("col", f)?,
        );
        let sc: Vec<usize> = STATES
            .iter()
            .map(|s| t.col(s, f))
            .collect::<Result<_, _>>()?;
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        let mut pe = PeStates::default();
        for (n, r) in t.rows().iter().enumerate() {
            let key = (r[l].clone(), r[lay].clone());
            let (ri, ci) = (pe_index(&t, n, row, f)?, pe_index(&t, n, col, f)?);
            let i = *index.entry(key.clone()).or_insert_with(|| {
                pe.grids.push((key, (0, 0, Vec::new())));
                pe.grids.len() - 1
            });
            let g = &mut pe.grids[i].1;
            g.0 = g.0.max(ri + 1);
            g.1 = g.1.max(ci + 1);
            let mut v = [0.0; 6];
            for (k, &c) in sc.iter().enumerate() {
                v[k] = cell(&t, n, c, f)?;
            }
            g.2.push(v);
        }
        d.pe = Some(pe);
    }
    if d.layers.is_empty() {
        return Err(format!(
            "{}: no compare.csv or layers.csv to plot",
            dir.display()
        ));
    }
    Ok(d)
}
