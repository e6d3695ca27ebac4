//! `sparsim list`: the built-in architectures and workloads, which `--arch NAME` and
//! `--workload NAME` take from any folder.

use crate::builtins::{self, BuiltinKind};
use crate::inputs;
use crate::report::table::thousands;
use crate::workload::scalesim_csv::TopologyForm;

/// Rows of cells as left-aligned columns two spaces apart (the last cell unpadded).
fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The text `sparsim list` prints: a table of the built-in architectures (name, array and
/// dataflow, file, description), then one of the workloads (name, layers, MACs, file,
/// description), each in name order, then which are the defaults.
pub fn list_text() -> String {
    let mut archs = vec![vec![
        "NAME".to_string(),
        "ARRAY".into(),
        "FILE".into(),
        "DESCRIPTION".into(),
    ]];
    for b in builtins::of_kind(BuiltinKind::Arch) {
        let (arch, _) = inputs::load_builtin_arch(b).expect("the built-in architectures are valid");
        archs.push(vec![
            b.name.to_string(),
            format!("{}x{} {}", arch.array.rows, arch.array.cols, arch.dataflow),
            b.file.to_string(),
            b.description(),
        ]);
    }
    let mut works = vec![vec![
        "NAME".to_string(),
        "LAYERS".into(),
        "MACS".into(),
        "FILE".into(),
        "DESCRIPTION".into(),
    ]];
    for b in builtins::of_kind(BuiltinKind::Workload) {
        let (net, _) = inputs::load_builtin_workload(b, TopologyForm::Detect)
            .expect("the built-in workloads are valid");
        works.push(vec![
            b.name.to_string(),
            net.layers.len().to_string(),
            thousands(net.macs()),
            b.file.to_string(),
            b.description(),
        ]);
    }
    format!(
        "Built-in architectures (--arch NAME):\n{}\nBuilt-in workloads (--workload NAME):\n{}\n\
         A name is looked up only when no file of that name exists (a file always wins).\n\
         Defaults: run uses {} and {}; compare uses {} and {}.\n",
        columns(&archs),
        columns(&works),
        builtins::TPU_32X32_WS.name,
        builtins::RESNET50.name,
        builtins::SPARSE_32X32_WS.name,
        builtins::VGG16_CIFAR10.name,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_pad_all_but_the_last_cell() {
        let rows = vec![
            vec!["a".to_string(), "bb".into(), "c".into()],
            vec!["ddd".to_string(), "e".into(), "ffff".into()],
        ];
        assert_eq!(columns(&rows), "a    bb  c\nddd  e   ffff\n");
    }

    #[test]
    fn every_built_in_is_listed_once() {
        let text = list_text();
        for b in builtins::BUILTINS {
            let lines = text
                .lines()
                .filter(|l| l.split_whitespace().next() == Some(b.name))
                .count();
            assert_eq!(lines, 1, "{}", b.name);
        }
    }
}
