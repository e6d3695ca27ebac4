//! The sweep file: a base architecture, workloads and axes, checked and expanded into points.
//!
//! ```toml
//! name = "vgg16-array-layout"            # default: the file stem
//! base_arch = "../sparse-32x32-ws.toml"  # relative to the sweep file, or a built-in's name
//! workloads = ["../../workloads/vgg16_cifar10.toml", "resnet50"]  # files or built-in names
//! seed = 1                               # synthetic weights, unless `seed` is an axis
//! per_layer = false                      # also write sweep_layers.csv
//! pareto = ["total_cycles", "pe_count"]  # objectives, minimized; "max:pe_utilization" maximizes
//! zip = [["array.rows", "array.cols"]]   # axes that move together
//! constraints = ["array.rows * array.cols <= 16384"]
//!
//! [axes]                                 # any architecture key by dotted path, and layout,
//! "array.rows" = [16, 32, 64]            #   seed, sparsity (= layout.sparsity),
//!                                        #   weight_spread.filter, weight_spread.channel
//! "array.cols" = { from = 16, to = 64, step = 24 }
//! layout = ["dense", "nm", "colcomb"]
//! "layout.colcomb_alpha" = [4, 8]
//! ```
//! Points are the cartesian product of the axes (zip groups count as one axis, at the place of
//! their first member), for each workload, in declaration order with the last axis varying
//! fastest; points that break a constraint are skipped; the rest are numbered from 0.

use super::expr::Constraint;
use crate::config::Arch;
use crate::config::validate::parse_arch_toml;
use crate::error::InputError;
use crate::layout::LayoutKind;
use crate::weights::WeightSpread;
use crate::weights::synthetic::check_spread;
use crate::workload::Network;
use serde::Deserialize;
use toml::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Option<String>,
    description: Option<String>,
    base_arch: String,
    workloads: Vec<String>,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default)]
    per_layer: bool,
    #[serde(default)]
    pareto: Vec<String>,
    #[serde(default)]
    zip: Vec<Vec<String>>,
    #[serde(default)]
    constraints: Vec<String>,
    axes: toml::Table,
}

fn default_seed() -> u64 {
    1
}

/// The sweep file before its referenced files are read.
#[derive(Debug)]
pub struct SweepFile {
    /// Name.
    pub name: String,
    /// Base architecture path, relative to the sweep file, or a built-in's name (a file of
    /// that name wins; see [`crate::inputs::resolve_input`]).
    pub base_arch: String,
    /// Workload paths, relative to the sweep file, or built-in names (a file wins).
    pub workloads: Vec<String>,
    raw: RawSweep,
    origin: String,
    /// The file's text, to point errors at their line.
    src: String,
}

/// Adds the line and column of the error's key (`axes."array.rows"`, `zip[0]`, `pareto`, …)
/// when the key is written at the start of a line of `src`.
fn locate(src: &str, mut e: InputError) -> InputError {
    let Some(key) = e.key.clone() else {
        return e;
    };
    let (section, name) = match key.strip_prefix("axes.") {
        Some(axis) => (Some("[axes]"), axis.trim_matches('"').to_string()),
        None => (None, key.split('[').next().unwrap_or("").to_string()),
    };
    let mut in_section = section.is_none();
    for (i, line) in src.lines().enumerate() {
        let t = line.trim_start();
        if key == "axes" && t.starts_with("[axes]") {
            e.line = Some(i + 1);
            e.column = Some(line.len() - t.len() + 1);
            return e;
        }
        if t.starts_with('[') {
            in_section = section.is_some_and(|s| t.starts_with(s));
            continue;
        }
        let rest = t
            .strip_prefix(&format!("\"{name}\""))
            .or_else(|| t.strip_prefix(name.as_str()));
        if in_section && rest.is_some_and(|r| r.trim_start().starts_with('=')) {
            e.line = Some(i + 1);
            e.column = Some(line.len() - t.len() + 1);
            return e;
        }
    }
    e
}

/// What an axis sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AxisKind {
    /// An architecture key by dotted path (`array.rows`, `layout.colcomb_alpha`, …).
    Arch(Vec<String>),
    /// The layout.
    Layout,
    /// The synthetic-weights seed.
    Seed,
    /// The per-filter spread of the synthetic weights (`weight_spread.filter`).
    FilterSpread,
    /// The per-input-channel spread of the synthetic weights (`weight_spread.channel`).
    ChannelSpread,
}

/// One swept axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// Key as it appears in the output columns.
    pub key: String,
    /// What it sets.
    pub kind: AxisKind,
    /// Its values.
    pub values: Vec<Value>,
}

/// An objective of the Pareto front.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    /// Result column.
    pub column: String,
    /// Maximize instead of minimize.
    pub maximize: bool,
}

impl std::fmt::Display for Objective {
    /// As written in a sweep file: the column, prefixed `max:` when maximized (the inverse
    /// of [`parse_objective`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.maximize {
            write!(f, "max:{}", self.column)
        } else {
            write!(f, "{}", self.column)
        }
    }
}

/// Result columns the Pareto front may use.
pub const OBJECTIVES: [&str; 17] = [
    "total_cycles",
    "compute_cycles",
    "stall_cycles",
    "pe_count",
    "sram_kb",
    "pe_utilization",
    "mapping_efficiency",
    "dram_bytes",
    "speedup_vs_dense",
    "kept_weight_energy",
    "metadata_bits",
    "time_us",
    "energy_pj",
    "area_mm2",
    "edp_uj_ms",
    "tops_per_w",
    "tops_per_mm2",
];

/// Objective names of earlier releases, accepted for one release: (old, new).
pub const OBJECTIVE_ALIASES: [(&str, &str); 1] = [("retained_energy", "kept_weight_energy")];

/// A checked sweep.
#[derive(Debug)]
pub struct SweepSpec {
    /// Name.
    pub name: String,
    /// Base architecture TOML.
    pub base: toml::Table,
    /// Where the base architecture came from.
    pub base_origin: String,
    /// Where the sweep file came from.
    pub origin: String,
    /// The sweep file's text, to point errors at their line.
    src: String,
    /// Workloads: (label, network).
    pub workloads: Vec<(String, Network)>,
    /// Axes in declaration order.
    pub axes: Vec<Axis>,
    /// Iteration groups: indices into `axes`, each a zip group or a single axis.
    pub groups: Vec<Vec<usize>>,
    /// Constraints.
    pub constraints: Vec<Constraint>,
    /// Seed when not an axis.
    pub seed: u64,
    /// Write per-layer rows too.
    pub per_layer: bool,
    /// Pareto objectives.
    pub pareto: Vec<Objective>,
}

/// One point of the sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Point id: its index among the points that meet the constraints.
    pub id: usize,
    /// Workload index.
    pub workload: usize,
    /// One value per axis.
    pub values: Vec<Value>,
}

/// Reads the sweep file's own text.
pub fn parse_sweep_file(src: &str, origin: &str, stem: &str) -> Result<SweepFile, InputError> {
    let raw: RawSweep = crate::toml_input::parse(src, origin)?;
    let _ = &raw.description;
    if raw.workloads.is_empty() {
        return Err(InputError::new(
            origin,
            "`workloads` is empty: name at least one workload file",
        )
        .with_key("workloads"));
    }
    let name = match &raw.name {
        Some(n) => check_name(n).map_err(|why| {
            locate(
                src,
                InputError::new(origin, format!("name = {n:?}: {why}")).with_key("name"),
            )
        })?,
        None => check_name(stem).map_err(|why| {
            InputError::new(
                origin,
                format!("the file name gives the sweep the name {stem:?}, but {why}; set `name` in the file"),
            )
        })?,
    };
    Ok(SweepFile {
        name,
        base_arch: raw.base_arch.clone(),
        workloads: raw.workloads.clone(),
        raw,
        origin: origin.to_string(),
        src: src.to_string(),
    })
}

/// Checks a sweep name: it names the default output folder (`results/tmp/sweep-<name>`), so it
/// must be one plain path component.
fn check_name(name: &str) -> Result<String, String> {
    const ALLOWED: &str = "letters, digits, `-`, `_` and `.`, not starting with `.`";
    if name.is_empty() {
        return Err(format!("a sweep name cannot be empty ({ALLOWED})"));
    }
    if name.len() > 200 {
        return Err(format!(
            "a sweep name has at most 200 characters ({ALLOWED})"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "a sweep name names a folder and cannot hold {c:?} ({ALLOWED})"
        ));
    }
    if name.starts_with('.') {
        return Err(format!("a sweep name cannot start with `.` ({ALLOWED})"));
    }
    Ok(name.to_string())
}

/// Parses an objective: a result column, `max:` to maximize.
pub fn parse_objective(s: &str) -> Result<Objective, String> {
    let (maximize, column) = match s.strip_prefix("max:") {
        Some(c) => (true, c),
        None => (false, s.strip_prefix("min:").unwrap_or(s)),
    };
    let column = OBJECTIVE_ALIASES
        .iter()
        .find(|(old, _)| *old == column)
        .map_or(column, |(_, new)| *new);
    if !OBJECTIVES.contains(&column) {
        return Err(format!(
            "unknown objective `{s}`: expected one of {} (prefix max: to maximize)",
            OBJECTIVES.join(", ")
        ));
    }
    Ok(Objective {
        column: column.to_string(),
        maximize,
    })
}

/// Most values one range axis may have.
const MAX_RANGE_VALUES: usize = 100_000;

/// Most points (axis combinations × workloads) a sweep may have.
pub const MAX_POINTS: usize = 10_000_000;

/// An axis's values; `zipped` if it moves with other axes (a value may then repeat, paired
/// with different values of the others).
fn axis_values(v: &Value, key: &str, origin: &str, zipped: bool) -> Result<Vec<Value>, InputError> {
    let values = axis_values_unchecked(v, key, origin)?;
    if zipped && !matches!(v, Value::Table(_)) {
        return Ok(values);
    }
    // Two equal values would make points that differ in nothing.
    let mut seen: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    seen.sort_unstable();
    if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
        let why = if matches!(v, Value::Table(_)) {
            "the range's step is finer than the 1e-9 its values are rounded to, so values repeat; use a step of at least 1e-9"
        } else {
            "each value may be listed once"
        };
        return Err(InputError::new(
            origin,
            format!("the axis holds the value {} more than once: {why}", w[0]),
        )
        .with_key(format!("axes.\"{key}\"")));
    }
    Ok(values)
}

fn axis_values_unchecked(v: &Value, key: &str, origin: &str) -> Result<Vec<Value>, InputError> {
    let err = |m: String| InputError::new(origin, m).with_key(format!("axes.\"{key}\""));
    match v {
        Value::Array(a) if a.is_empty() => Err(err("the axis has no values".into())),
        Value::Array(a) => Ok(a.clone()),
        Value::Table(t) => {
            let get = |k: &str| {
                t.get(k).ok_or_else(|| {
                    err(format!(
                        "a range needs `from`, `to` and `step`; `{k}` is missing"
                    ))
                })
            };
            for k in t.keys() {
                if !["from", "to", "step"].contains(&k.as_str()) {
                    return Err(err(format!(
                        "unknown range key `{k}`: expected from, to, step"
                    )));
                }
            }
            let (from, to, step) = (get("from")?, get("to")?, get("step")?);
            let bad = || {
                err(format!(
                    "bad range from = {from}, to = {to}, step = {step}: need from ≤ to and step > 0"
                ))
            };
            let too_many = |n: f64| {
                err(format!(
                    "the range has {n} values; at most {MAX_RANGE_VALUES}"
                ))
            };
            if let (Some(f), Some(t2), Some(s)) =
                (from.as_integer(), to.as_integer(), step.as_integer())
            {
                if s <= 0 || f > t2 {
                    return Err(bad());
                }
                let n = (i128::from(t2) - i128::from(f)) / i128::from(s) + 1;
                if n > MAX_RANGE_VALUES as i128 {
                    return Err(too_many(n as f64));
                }
                return Ok((0..n as i64).map(|i| Value::Integer(f + i * s)).collect());
            }
            let num = |x: &Value| x.as_float().or_else(|| x.as_integer().map(|i| i as f64));
            let (Some(f), Some(t2), Some(s)) = (num(from), num(to), num(step)) else {
                return Err(err("range `from`, `to` and `step` must be numbers".into()));
            };
            if ![f, t2, s].iter().all(|x| x.is_finite()) {
                return Err(err(format!(
                    "bad range from = {from}, to = {to}, step = {step}: the bounds and step must be finite numbers"
                )));
            }
            if s <= 0.0 || f > t2 {
                return Err(bad());
            }
            let n = ((t2 - f) / s + 1e-9).floor() + 1.0;
            if n > MAX_RANGE_VALUES as f64 {
                return Err(too_many(n));
            }
            Ok((0..n as usize)
                .map(|i| Value::Float(((f + i as f64 * s) * 1e9).round() / 1e9))
                .collect())
        }
        _ => Err(err(format!(
            "invalid axis {v}: expected a list of values or a range {{ from, to, step }}"
        ))),
    }
}

/// Most dotted parts an architecture key of an axis may have (real keys have two or three).
const MAX_KEY_PARTS: usize = 8;

/// Sets `path` in `table` to `value`, creating tables on the way; an error if the path runs
/// through a value that is not a table.
fn set_path(table: &mut toml::Table, path: &[String], value: Value) -> Result<(), String> {
    let (last, head) = path.split_last().expect("paths are not empty");
    let mut t = table;
    for (i, p) in head.iter().enumerate() {
        t = t
            .entry(p.clone())
            .or_insert_with(|| Value::Table(toml::Table::new()))
            .as_table_mut()
            .ok_or_else(|| {
                format!(
                    "`{}` is a value, not a table, so it has no key `{}`",
                    head[..=i].join("."),
                    path[i + 1]
                )
            })?;
    }
    t.insert(last.clone(), value);
    Ok(())
}

/// Formats an axis value for the output columns.
pub fn show_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(show_value).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

impl SweepFile {
    /// Checks the sweep against its base architecture text and workloads.
    pub fn resolve(
        self,
        base_text: &str,
        base_origin: &str,
        workloads: Vec<(String, Network)>,
    ) -> Result<SweepSpec, InputError> {
        let src = self.src.clone();
        let origin = self.origin.clone();
        self.resolve_unlocated(base_text, base_origin, workloads)
            .map_err(|e| {
                if e.origin == origin {
                    locate(&src, e)
                } else {
                    e
                }
            })
    }

    fn resolve_unlocated(
        self,
        base_text: &str,
        base_origin: &str,
        workloads: Vec<(String, Network)>,
    ) -> Result<SweepSpec, InputError> {
        let origin = &self.origin;
        let base: toml::Table = crate::toml_input::parse(base_text, base_origin)?;
        parse_arch_toml(base_text, base_origin, "base")?;
        let mut axes = Vec::new();
        for (key, v) in &self.raw.axes {
            let key_norm = if key == "sparsity" {
                "layout.sparsity".to_string()
            } else {
                key.clone()
            };
            let zipped = self.raw.zip.iter().flatten().any(|k| k == key);
            let values = axis_values(v, key, origin, zipped)?;
            let kind = match key_norm.as_str() {
                "layout" => AxisKind::Layout,
                "seed" => AxisKind::Seed,
                "weight_spread.filter" => AxisKind::FilterSpread,
                "weight_spread.channel" => AxisKind::ChannelSpread,
                other if other.split('.').next() == Some("weight_spread") => {
                    return Err(InputError::new(
                        origin,
                        format!(
                            "unknown axis `{other}`: the weight spreads are weight_spread.filter and weight_spread.channel"
                        ),
                    )
                    .with_key(format!("axes.\"{key}\"")));
                }
                other => {
                    let parts = other.split('.').count();
                    if parts > MAX_KEY_PARTS {
                        return Err(InputError::new(
                            origin,
                            format!(
                                "axis `{}` has {parts} dotted parts, but architecture keys have at most {MAX_KEY_PARTS} (e.g. array.rows, memory.first_fill)",
                                crate::sweep::expr::shorten(other, 60)
                            ),
                        )
                        .with_key(format!("axes.\"{}\"", crate::sweep::expr::shorten(key, 60))));
                    }
                    AxisKind::Arch(other.split('.').map(String::from).collect())
                }
            };
            let bad = |m: String| InputError::new(origin, m).with_key(format!("axes.\"{key}\""));
            for val in &values {
                match &kind {
                    AxisKind::Layout => {
                        let s = val.as_str().ok_or_else(|| {
                            bad(format!("invalid layout {val}: expected a layout name"))
                        })?;
                        LayoutKind::parse(s).map_err(bad)?;
                    }
                    AxisKind::Seed => {
                        if val.as_integer().is_none_or(|i| i < 0) {
                            return Err(bad(format!(
                                "invalid seed {val}: expected an integer ≥ 0"
                            )));
                        }
                    }
                    AxisKind::FilterSpread | AxisKind::ChannelSpread => {
                        spread_value(val)
                            .map_err(|e| bad(format!("invalid spread {}: {e}", show_value(val))))?;
                    }
                    AxisKind::Arch(path) => {
                        let mut probe = base.clone();
                        set_path(&mut probe, path, val.clone()).map_err(&bad)?;
                        let text = toml::to_string(&probe).expect("a TOML table serializes");
                        parse_arch_toml(&text, "<point>", "p").map_err(|e| {
                            bad(format!(
                                "{key} = {val} does not make a valid architecture: {}",
                                e.key
                                    .map_or(e.message.clone(), |k| format!("{k}: {}", e.message))
                            ))
                        })?;
                    }
                }
            }
            if axes.iter().any(|a: &Axis| a.key == key_norm) {
                return Err(bad(format!("`{key}` is swept twice")));
            }
            axes.push(Axis {
                key: key_norm,
                kind,
                values,
            });
        }
        // Zip groups.
        let mut group_of: Vec<Option<usize>> = vec![None; axes.len()];
        let mut zips: Vec<Vec<usize>> = Vec::new();
        for (zi, z) in self.raw.zip.iter().enumerate() {
            let zerr = |m: String| InputError::new(origin, m).with_key(format!("zip[{zi}]"));
            if z.len() < 2 {
                return Err(zerr("a zip group needs at least two axes".into()));
            }
            let mut members = Vec::new();
            for k in z {
                let k2 = if k == "sparsity" {
                    "layout.sparsity"
                } else {
                    k.as_str()
                };
                let i = axes
                    .iter()
                    .position(|a| a.key == k2)
                    .ok_or_else(|| zerr(format!("`{k}` is not an axis")))?;
                if group_of[i].is_some() {
                    return Err(zerr(format!("`{k}` is in two zip groups")));
                }
                group_of[i] = Some(zi);
                members.push(i);
            }
            let n = axes[members[0]].values.len();
            if let Some(&m) = members.iter().find(|&&m| axes[m].values.len() != n) {
                return Err(zerr(format!(
                    "zipped axes need equal lengths: `{}` has {n} values, `{}` has {}",
                    axes[members[0]].key,
                    axes[m].key,
                    axes[m].values.len()
                )));
            }
            zips.push(members);
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (i, group) in group_of.iter().enumerate() {
            match *group {
                // A zip group varies at the place of its first-declared member.
                Some(z) if zips[z].iter().min() == Some(&i) => groups.push(zips[z].clone()),
                Some(_) => {}
                None => groups.push(vec![i]),
            }
        }
        // Constraints.
        let mut constraints = Vec::new();
        for (ci, c) in self.raw.constraints.iter().enumerate() {
            let cerr = |m: String| {
                InputError::new(
                    origin,
                    format!("`{}`: {m}", crate::sweep::expr::shorten(c, 80)),
                )
                .with_key(format!("constraints[{ci}]"))
            };
            let mut parsed = Constraint::parse(c).map_err(cerr)?;
            parsed.rename_key("sparsity", "layout.sparsity");
            for k in parsed.keys() {
                let is_axis = axes.iter().any(|a| a.key == k);
                let in_base = lookup(&base, &k).is_some();
                if !is_axis && !in_base {
                    return Err(cerr(format!(
                        "`{k}` is neither an axis nor a number set in the base architecture"
                    )));
                }
            }
            constraints.push(parsed);
        }
        let pareto = self
            .raw
            .pareto
            .iter()
            .map(|p| parse_objective(p).map_err(|m| InputError::new(origin, m).with_key("pareto")))
            .collect::<Result<_, _>>()?;
        let combos = groups
            .iter()
            .try_fold(workloads.len(), |acc, g| {
                acc.checked_mul(axes[g[0]].values.len())
            })
            .filter(|&n| n <= MAX_POINTS);
        if combos.is_none() {
            let sizes: Vec<String> = groups
                .iter()
                .map(|g| axes[g[0]].values.len().to_string())
                .collect();
            return Err(InputError::new(
                origin,
                format!(
                    "{} workloads × axes of {} values make more than {MAX_POINTS} points; split the sweep",
                    workloads.len(),
                    sizes.join(" × ")
                ),
            )
            .with_key("axes"));
        }
        Ok(SweepSpec {
            name: self.name,
            base,
            base_origin: base_origin.to_string(),
            origin: origin.to_string(),
            src: self.src.clone(),
            workloads,
            axes,
            groups,
            constraints,
            seed: self.raw.seed,
            per_layer: self.raw.per_layer,
            pareto,
        })
    }
}

/// A spread axis value: a number (integer or float) from 0 to [`WeightSpread::MAX`].
fn spread_value(v: &Value) -> Result<f64, String> {
    let x = v
        .as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .ok_or_else(|| format!("expected a number from 0 to {}", WeightSpread::MAX))?;
    check_spread(x)
}

/// `key = value, …` of a point, for messages.
fn describe(axes: &[Axis], values: &[Value]) -> String {
    axes.iter()
        .zip(values)
        .map(|(a, v)| format!("{} = {}", a.key, show_value(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The number at a dotted path of a TOML table.
fn lookup(t: &toml::Table, key: &str) -> Option<f64> {
    let mut parts = key.split('.');
    let mut v = t.get(parts.next()?)?;
    for p in parts {
        v = v.as_table()?.get(p)?;
    }
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

impl SweepSpec {
    /// Every point that meets the constraints, numbered from 0.
    pub fn points(&self) -> Result<Vec<Point>, InputError> {
        let sizes: Vec<usize> = self
            .groups
            .iter()
            .map(|g| self.axes[g[0]].values.len())
            .collect();
        let combos: usize = sizes.iter().product();
        let mut out = Vec::new();
        for w in 0..self.workloads.len() {
            for mut c in 0..combos {
                let mut values = vec![Value::Boolean(false); self.axes.len()];
                for (gi, g) in self.groups.iter().enumerate().rev() {
                    let idx = c % sizes[gi];
                    c /= sizes[gi];
                    for &a in g {
                        values[a] = self.axes[a].values[idx].clone();
                    }
                }
                let value = |k: &str| -> Option<f64> {
                    match self.axes.iter().position(|a| a.key == k) {
                        Some(i) => values[i]
                            .as_float()
                            .or_else(|| values[i].as_integer().map(|x| x as f64)),
                        None => lookup(&self.base, k),
                    }
                };
                let mut keep = true;
                for con in &self.constraints {
                    if !con.holds(&value).map_err(|m| {
                        let e = InputError::new(
                            &self.origin,
                            format!(
                                "`{}`: {m} at point {}",
                                con.text,
                                describe(&self.axes, &values)
                            ),
                        )
                        .with_key("constraints");
                        locate(&self.src, e)
                    })? {
                        keep = false;
                        break;
                    }
                }
                if keep {
                    out.push(Point {
                        id: out.len(),
                        workload: w,
                        values,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The architecture of a point: the base with the point's architecture axes applied.
    pub fn arch(&self, p: &Point) -> Result<Arch, InputError> {
        let mut t = self.base.clone();
        for (a, v) in self.axes.iter().zip(&p.values) {
            if let AxisKind::Arch(path) = &a.kind {
                set_path(&mut t, path, v.clone()).map_err(|m| {
                    InputError::new(&format!("sweep point {}", p.id), m).with_key(a.key.clone())
                })?;
            }
        }
        let text = toml::to_string(&t).expect("a TOML table serializes");
        parse_arch_toml(&text, &format!("sweep point {}", p.id), "point")
    }

    /// The spreads of the point's synthetic weights: its workload's, with the point's
    /// `weight_spread.*` axes applied.
    pub fn weight_spread(&self, p: &Point) -> WeightSpread {
        let base = self.workloads[p.workload].1.weight_spread;
        let (mut filter, mut channel) = (base.filter(), base.channel());
        for (a, v) in self.axes.iter().zip(&p.values) {
            match a.kind {
                AxisKind::FilterSpread => filter = spread_value(v).expect("checked"),
                AxisKind::ChannelSpread => channel = spread_value(v).expect("checked"),
                _ => {}
            }
        }
        WeightSpread::new(filter, channel).expect("checked")
    }

    /// The point's layout (default dense) and seed.
    pub fn layout_and_seed(&self, p: &Point) -> (LayoutKind, u64) {
        let mut kind = LayoutKind::Dense;
        let mut seed = self.seed;
        for (a, v) in self.axes.iter().zip(&p.values) {
            match a.kind {
                AxisKind::Layout => {
                    kind = LayoutKind::parse(v.as_str().expect("checked")).expect("checked")
                }
                AxisKind::Seed => seed = v.as_integer().expect("checked") as u64,
                AxisKind::Arch(_) | AxisKind::FilterSpread | AxisKind::ChannelSpread => {}
            }
        }
        (kind, seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(body: &str) -> Result<SweepSpec, InputError> {
        let src = format!("base_arch = \"b.toml\"\nworkloads = [\"w\"]\n{body}");
        let net = crate::inputs::parse_workload_text(
            include_str!("../../workloads/lenet5.toml"),
            "lenet5.toml",
            "lenet5",
            "toml",
            crate::workload::scalesim_csv::TopologyForm::Detect,
        )
        .unwrap();
        parse_sweep_file(&src, "s.toml", "s")?.resolve(
            include_str!("../../arch/sparse-32x32-ws.toml"),
            "b.toml",
            vec![("lenet5".into(), net)],
        )
    }

    fn values(p: &Point) -> Vec<String> {
        p.values.iter().map(show_value).collect()
    }

    #[test]
    fn the_last_axis_varies_fastest_and_zip_groups_sit_at_their_first_declared_member() {
        let s = spec(
            "zip = [[\"array.cols\", \"array.rows\"]]\n[axes]\n\"array.rows\" = [8, 16]\n\
             layout = [\"dense\", \"nm\"]\n\"array.cols\" = [4, 32]\n",
        )
        .unwrap();
        let pts = s.points().unwrap();
        let got: Vec<Vec<String>> = pts.iter().map(values).collect();
        // rows and cols move together at rows' place; layout varies fastest.
        assert_eq!(
            got,
            [
                ["8", "dense", "4"],
                ["8", "nm", "4"],
                ["16", "dense", "32"],
                ["16", "nm", "32"]
            ]
        );
        assert_eq!(s.arch(&pts[3]).unwrap().array.cols, 32);
        assert_eq!(s.arch(&pts[3]).unwrap().array.rows, 16);
    }

    #[test]
    fn spread_axes_apply_over_the_workloads_spreads() {
        let s = spec("[axes]\n\"weight_spread.channel\" = [0, 1.25]\n").unwrap();
        let pts = s.points().unwrap();
        let got: Vec<WeightSpread> = pts.iter().map(|p| s.weight_spread(p)).collect();
        assert_eq!(
            got,
            [
                WeightSpread::new(0.5, 0.0).unwrap(),
                WeightSpread::new(0.5, 1.25).unwrap()
            ]
        );
        // The workload's own spreads are the base of the axes.
        let mut s = s;
        s.workloads[0].1.weight_spread = WeightSpread::new(2.0, 0.3).unwrap();
        assert_eq!(
            s.weight_spread(&pts[1]),
            WeightSpread::new(2.0, 1.25).unwrap()
        );
        // Spread axes are not architecture keys: the arch of every point is the base's.
        assert_eq!(s.arch(&pts[0]).unwrap(), s.arch(&pts[1]).unwrap());
    }

    #[test]
    fn ranges_count_exactly_in_integers_and_floats() {
        let s = spec(
            "[axes]\nsparsity = { from = 0.5, to = 0.875, step = 0.125 }\n\
             seed = { from = 9007199254740993, to = 9007199254740995, step = 1 }\n",
        )
        .unwrap();
        let show = |a: &Axis| a.values.iter().map(show_value).collect::<Vec<_>>();
        assert_eq!(show(&s.axes[0]), ["0.5", "0.625", "0.75", "0.875"]);
        assert_eq!(
            show(&s.axes[1]),
            ["9007199254740993", "9007199254740994", "9007199254740995"]
        );
        let s = spec("[axes]\n\"array.rows\" = { from = 8, to = 64, step = 24 }\n").unwrap();
        assert_eq!(show(&s.axes[0]), ["8", "32", "56"]);
    }
}
