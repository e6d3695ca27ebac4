//! What an ONNX import did: a printed summary and `onnx_nodes.csv`, one row per node.

use crate::workload::onnx::{OnnxImport, Outcome};

/// Counts of `items` per key, in order of first appearance: `"49 Relu, 16 Add"`.
fn histogram<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for k in items {
        match counts.iter_mut().find(|(x, _)| *x == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    counts
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// MACs with two decimals in G or M (`4.09 G`), or the exact count below a million.
fn macs(v: u64) -> String {
    if v >= 1_000_000_000 {
        format!("{:.2} G", v as f64 / 1e9)
    } else if v >= 1_000_000 {
        format!("{:.2} M", v as f64 / 1e6)
    } else {
        crate::report::table::thousands(v)
    }
}

/// The summary printed after an import: which nodes became layers, which were left out and
/// why, and the notes (batch, free dimensions, producer).
pub fn import_summary(origin: &str, import: &OnnxImport) -> String {
    let mut out = format!(
        "{origin}: {}\n",
        import.notes.first().map_or("", String::as_str)
    );
    let lowered: Vec<_> = import
        .nodes
        .iter()
        .filter_map(|n| match &n.outcome {
            Outcome::Lowered { layers, macs } => Some((n, layers.len(), *macs)),
            _ => None,
        })
        .collect();
    let layers: usize = lowered.iter().map(|x| x.1).sum();
    let lowered_macs: u64 = lowered.iter().map(|x| x.2).sum();
    out += &format!(
        "  lowered {} nodes to {layers} layers ({}; {} MACs)\n",
        lowered.len(),
        histogram(lowered.iter().map(|x| x.0.op.as_str())),
        macs(lowered_macs)
    );
    let products: Vec<_> = import
        .nodes
        .iter()
        .filter_map(|n| match n.outcome {
            Outcome::ActivationProduct { macs } => Some((n, macs)),
            _ => None,
        })
        .collect();
    if !products.is_empty() {
        out += &format!(
            "  left out {} products of two activations ({}; {} MACs): no weights to prune or pack\n",
            products.len(),
            histogram(products.iter().map(|x| x.0.op.as_str())),
            macs(products.iter().map(|x| x.1).sum())
        );
    }
    let folded = import
        .nodes
        .iter()
        .filter(|n| n.outcome == Outcome::Folded)
        .count();
    if folded > 0 {
        out += &format!("  folded {folded} nodes of constants (weights and shape arithmetic)\n");
    }
    let skipped: Vec<_> = import
        .nodes
        .iter()
        .filter(|n| matches!(n.outcome, Outcome::Skipped { .. }))
        .collect();
    if !skipped.is_empty() {
        out += &format!(
            "  skipped {} nodes without MACs on the array ({})\n",
            skipped.len(),
            histogram(skipped.iter().map(|n| n.op.as_str()))
        );
    }
    for note in import.notes.iter().skip(1) {
        out += &format!("  note: {note}\n");
    }
    out
}

/// `onnx_nodes.csv`: `index, node, op, outcome, layers, macs`; outcome is `lowered`,
/// `folded`, `activation_product` (MACs left out) or `skipped`; `layers` lists the layers a
/// node became, `;`-separated.
pub fn nodes_csv(import: &OnnxImport) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["index", "node", "op", "outcome", "layers", "macs"])
        .expect("writing into memory cannot fail");
    for (i, n) in import.nodes.iter().enumerate() {
        let (outcome, layers, m) = match &n.outcome {
            Outcome::Lowered { layers, macs } => ("lowered", layers.join(";"), *macs),
            Outcome::Folded => ("folded", String::new(), 0),
            Outcome::ActivationProduct { macs } => ("activation_product", String::new(), *macs),
            Outcome::Skipped { .. } => ("skipped", String::new(), 0),
        };
        w.write_record([
            i.to_string().as_str(),
            n.name.as_str(),
            n.op.as_str(),
            outcome,
            layers.as_str(),
            m.to_string().as_str(),
        ])
        .expect("writing into memory cannot fail");
    }
    w.into_inner().expect("flushing into memory cannot fail")
}
