//! SCALE-Sim topology CSV files, in both of SCALE-Sim's forms.
//!
//! Conv form (header names are not checked, only counted):
//! ```text
//! Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
//! Conv1, 224, 224, 7, 7, 3, 64, 2,
//! ```
//! GEMM form (`--gemm`, or detected from a header whose second column is `M`):
//! ```text
//! Layer Name, M, N, K,
//! Test 1, 256, 128, 256,
//! ```
//! As in SCALE-Sim: every row may end in a comma; blank lines are skipped; an optional extra
//! column `N:M` (e.g. `2:4`) declares layer-wise N:M weight sparsity; convolutions have no
//! padding and `Ho = ceil((H − kh + s)/s)`; the window order is channel-fastest. A layer whose
//! name contains `DP` (SCALE-Sim's depthwise naming, case-sensitive) is split, as SCALE-Sim
//! does, into `Channels` layers named `<name>Channel_<i>`, each with one input channel and
//! `Num Filter` filters as written. SCALE-Sim needs the trailing comma; sparsim accepts rows
//! with or without it.

use super::{Conv2d, ConvSpec, Gemm, Layer, LayerOp, Network, OutputRule};
use crate::error::InputError;

/// Most layers a topology may expand to (SCALE-Sim's depthwise rows split per channel): the
/// default of `--max-layers`, enforced while parsing so that no file expands past it.
pub const MAX_EXPANDED_LAYERS: u64 = 100_000;

/// Which form a topology file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopologyForm {
    /// Decide from the header: GEMM when its second column is `M`.
    Detect,
    /// Force the conv form.
    Conv,
    /// Force the GEMM form.
    Gemm,
}

/// Parses a SCALE-Sim topology CSV.
pub fn parse_topology_csv(
    src: &str,
    origin: &str,
    name: &str,
    form: TopologyForm,
) -> Result<Network, InputError> {
    let mut lines = src
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(InputError::new(
            origin,
            "empty topology: expected a header line and layer rows",
        ));
    };
    let header_cells = cells(header);
    let header_says_gemm = header_cells
        .get(1)
        .is_some_and(|c| c.eq_ignore_ascii_case("m"));
    let gemm = match form {
        TopologyForm::Gemm => true,
        TopologyForm::Conv => false,
        TopologyForm::Detect => header_says_gemm,
    };
    if header_cells
        .first()
        .is_some_and(|c| c.parse::<f64>().is_ok())
    {
        return Err(InputError::at_line(
            origin,
            header_line,
            format!(
                "the first line must be a header such as `{}`, found numbers",
                expected_header(gemm)
            ),
        ));
    }
    if header_cells
        .get(1)
        .is_some_and(|c| c.parse::<f64>().is_ok())
    {
        // A layer row where the header belongs: reading it as the header would silently drop
        // that layer.
        return Err(InputError::at_line(
            origin,
            header_line,
            format!(
                "`{}` looks like a layer row, but the first line is always the header (as in SCALE-Sim, which skips it): add a header such as `{}` above it",
                crate::sweep::expr::shorten(header, 40),
                expected_header(gemm)
            ),
        ));
    }
    let (base, what) = if gemm {
        (4, "name, M, N, K")
    } else {
        (
            8,
            "name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides",
        )
    };
    let mut layers = Vec::new();
    for (line_no, line) in lines {
        let c = cells(line);
        if c.len() != base && c.len() != base + 1 {
            return Err(InputError::at_line(
                origin,
                line_no,
                format!(
                    "expected {base} columns ({what}) and an optional N:M column, found {}",
                    c.len()
                ),
            ));
        }
        let name = c[0].to_string();
        if name.is_empty() {
            return Err(InputError::at_line(
                origin,
                line_no,
                "the layer name (column 1) is empty",
            ));
        }
        let num = |i: usize, col: &str| -> Result<u64, InputError> {
            c[i].parse::<u64>()
                .ok()
                .filter(|v| *v >= 1 && *v <= super::MAX_DIM)
                .ok_or_else(|| {
                    InputError::at_line(
                        origin,
                        line_no,
                        format!(
                            "{col} (column {}) of `{name}` is `{}`: expected an integer from 1 to {}",
                            i + 1,
                            c[i],
                            super::MAX_DIM
                        ),
                    )
                })
        };
        let shape_err =
            |m: String| InputError::at_line(origin, line_no, format!("layer `{name}`: {m}"));
        let declared_nm = match c.get(base) {
            None => None,
            Some(s) => Some(parse_nm(s).map_err(|m| {
                InputError::at_line(
                    origin,
                    line_no,
                    format!("N:M column of `{name}` is `{s}`: {m}"),
                )
            })?),
        };
        if gemm {
            let g = Gemm::new(num(1, "M")?, num(2, "N")?, num(3, "K")?).map_err(shape_err)?;
            layers.push(Layer {
                name,
                op: LayerOp::Gemm(g),
                declared_nm,
                weight_tensors: None,
            });
            continue;
        }
        let channels = num(5, "Channels")?;
        let stride = num(7, "Strides")?;
        let depthwise = name.contains("DP");
        let conv = Conv2d::new(ConvSpec {
            batch: 1,
            ifmap: (num(1, "IFMAP Height")?, num(2, "IFMAP Width")?),
            channels: if depthwise { 1 } else { channels },
            filters: num(6, "Num Filter")?,
            kernel: (num(3, "Filter Height")?, num(4, "Filter Width")?),
            stride: (stride, stride),
            padding: (0, 0),
            padding_end: None,
            dilation: (1, 1),
            groups: 1,
            rule: OutputRule::ScaleSim,
        })
        .map_err(shape_err)?;
        if depthwise {
            let total = layers.len() as u64 + channels;
            if total > MAX_EXPANDED_LAYERS {
                return Err(InputError::at_line(
                    origin,
                    line_no,
                    format!(
                        "depthwise layer `{name}` splits into {channels} layers (one per channel), {total} in all so far: a topology may expand to at most {MAX_EXPANDED_LAYERS} layers"
                    ),
                ));
            }
            for i in 0..channels {
                layers.push(Layer {
                    name: format!("{name}Channel_{i}"),
                    op: LayerOp::Conv(conv),
                    declared_nm,
                    weight_tensors: None,
                });
            }
        } else {
            layers.push(Layer {
                name,
                op: LayerOp::Conv(conv),
                declared_nm,
                weight_tensors: None,
            });
        }
    }
    if layers.is_empty() {
        return Err(InputError::new(
            origin,
            "no layer rows after the header (line 1 is always the header, as in SCALE-Sim)",
        ));
    }
    Ok(Network {
        name: name.to_string(),
        layers,
        weight_spread: crate::weights::WeightSpread::default(),
    })
}

fn expected_header(gemm: bool) -> &'static str {
    if gemm {
        "Layer Name, M, N, K,"
    } else {
        "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,"
    }
}

/// Cells of a row, trimmed, without the empty cell a trailing comma leaves.
fn cells(line: &str) -> Vec<&str> {
    let mut c: Vec<&str> = line.split(',').map(str::trim).collect();
    if c.last().is_some_and(|s| s.is_empty()) {
        c.pop();
    }
    c
}

fn parse_nm(s: &str) -> Result<(u32, u32), String> {
    let (n, m) = s.split_once(':').ok_or("expected `N:M`, e.g. `2:4`")?;
    let n: u32 = n
        .trim()
        .parse()
        .map_err(|_| "N is not an integer".to_string())?;
    let m: u32 = m
        .trim()
        .parse()
        .map_err(|_| "M is not an integer".to_string())?;
    let most = crate::layout::params::MAX_NM_M;
    if m == 0 || n == 0 || n > m || m > most {
        return Err(format!(
            "expected 1 ≤ N ≤ M ≤ {most} (as for --nm), found N = {n}, M = {m}"
        ));
    }
    Ok((n, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_rows_with_trailing_commas() {
        let src = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1,  224, 224,    11, 11,    3,      96,     4,";
        let n = parse_topology_csv(src, "t.csv", "t", TopologyForm::Detect).unwrap();
        assert_eq!(n.layers[0].gemm_work().unwrap().shape.m, 3025);
    }

    #[test]
    fn gemm_form_detected() {
        let src = "Layer Name, M, N, K,\nTest 1, 256, 128, 256,\n";
        let n = parse_topology_csv(src, "t.csv", "t", TopologyForm::Detect).unwrap();
        let w = n.layers[0].gemm_work().unwrap();
        assert_eq!((w.shape.m, w.shape.n, w.shape.k), (256, 128, 256));
    }

    #[test]
    fn bad_cell_is_located() {
        let src = "Layer Name, M, N, K,\nT, 256, x, 256,\n";
        let e = parse_topology_csv(src, "t.csv", "t", TopologyForm::Detect).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:2: N (column 3) of `T` is `x`: expected an integer from 1 to 16777216"
        );
    }

    #[test]
    fn dp_layers_split_per_channel() {
        let src = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv_DP1, 8, 8, 3, 3, 4, 1, 1,\n";
        let n = parse_topology_csv(src, "t.csv", "t", TopologyForm::Detect).unwrap();
        assert_eq!(n.layers.len(), 4);
        assert_eq!(n.layers[3].name, "Conv_DP1Channel_3");
        let w = n.layers[0].gemm_work().unwrap();
        assert_eq!((w.shape.m, w.shape.n, w.shape.k), (36, 1, 9));
    }

    #[test]
    fn nm_column() {
        let src = "Layer Name, M, N, K, Sparsity,\nT, 4, 4, 8, 2:4,\n";
        let n = parse_topology_csv(src, "t.csv", "t", TopologyForm::Detect).unwrap();
        assert_eq!(n.layers[0].declared_nm, Some((2, 4)));
    }
}
