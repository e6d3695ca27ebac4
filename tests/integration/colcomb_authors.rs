//! Column combining against groups computed outside sparsim (`tests/fixtures/colcomb_authors`):
//! with `--column-order torch` sparsim forms the authors' groups on PyTorch-flattened
//! convolutions; by default it groups in its own channel-fastest column order.

use crate::common::{fixture, sparsim, stderr};
use serde_json::Value;

/// The groups, packed width and kept weights `sparsim pack` reports for a fixture tensor, with
/// every weight kept before conflict pruning (sparsity 0: the tensors are already pruned, as
/// the authors' models are when they pack them).
fn pack(tensor: &str, order: Option<&str>, alpha: u64, gamma: f64) -> (Vec<Vec<usize>>, Value) {
    let dir = crate::common::temp_dir(
        "colcomb_authors",
        &format!("{tensor}-{}", order.unwrap_or("default")),
    );
    let w = fixture(&format!("colcomb_authors/{tensor}"));
    let (alpha, gamma) = (alpha.to_string(), gamma.to_string());
    let mut args = vec![
        "pack",
        "--layout",
        "colcomb",
        "--weights",
        w.to_str().unwrap(),
        "--json",
        "--sparsity",
        "0",
        "--alpha",
        &alpha,
        "--gamma",
        &gamma,
    ];
    if let Some(o) = order {
        args.extend(["--column-order", o]);
    }
    let o = sparsim(&args, &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    (groups_of(&v["groups"]), v)
}

fn groups_of(v: &Value) -> Vec<Vec<usize>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap() as usize)
                .collect()
        })
        .collect()
}

/// sparsim's column `j = (r·kw + q)·C + c` of a `[F, C, kh, kw]` weight as PyTorch's flat
/// index `t = (c·kh + r)·kw + q`.
fn torch_index(j: usize, c: usize, kh: usize, kw: usize) -> usize {
    let (ch, tap) = (j % c, j / c);
    let (r, q) = (tap / kw, tap % kw);
    (ch * kh + r) * kw + q
}

#[test]
fn torch_order_reproduces_the_authors_groups() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("colcomb_authors/expected.json")).unwrap(),
    )
    .unwrap();
    let (alpha, gamma) = (
        expected["alpha"].as_u64().unwrap(),
        expected["gamma"].as_f64().unwrap(),
    );
    let mut counts = Vec::new();
    for (tensor, want) in expected["tensors"].as_object().unwrap() {
        let shape: Vec<usize> = want["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        let (c, kh, kw) = (shape[1], shape[2], shape[3]);
        for order in ["torch", "sparsim"] {
            let (groups, v) = pack(tensor, Some(order), alpha, gamma);
            // sparsim always names its own columns; the authors' groups name PyTorch's.
            let named: Vec<Vec<usize>> = if order == "torch" {
                groups
                    .iter()
                    .map(|g| {
                        let mut t: Vec<usize> =
                            g.iter().map(|&j| torch_index(j, c, kh, kw)).collect();
                        t.sort_unstable();
                        t
                    })
                    .collect()
            } else {
                groups.clone()
            };
            assert_eq!(
                named,
                groups_of(&want[order]["groups"]),
                "{tensor}, {order} order: the groups"
            );
            assert_eq!(v["packed_cols"].as_u64().unwrap() as usize, groups.len());
            assert_eq!(v["nnz_before"], want["nnz"], "{tensor}");
            assert_eq!(
                v["nnz_after"], want[order]["nnz_after"],
                "{tensor}, {order} order: weights left after conflict pruning"
            );
            counts.push((tensor.clone(), order, groups.len()));
        }
    }
    // The 16-channel layer: 31 groups in the authors' order, 30 in sparsim's.
    assert!(
        counts.contains(&("conv16.npy".into(), "torch", 31)),
        "{counts:?}"
    );
    assert!(
        counts.contains(&("conv16.npy".into(), "sparsim", 30)),
        "{counts:?}"
    );
}

#[test]
fn sparsim_order_is_the_default() {
    let (default, _) = pack("conv32.npy", None, 8, 0.25);
    let (sparsim_order, _) = pack("conv32.npy", Some("sparsim"), 8, 0.25);
    assert_eq!(default, sparsim_order);
}

#[test]
fn a_bad_column_order_is_refused() {
    let dir = crate::common::temp_dir("colcomb_authors", "bad-order");
    let w = fixture("colcomb_authors/conv16.npy");
    let o = sparsim(
        &[
            "pack",
            "--layout",
            "colcomb",
            "--weights",
            w.to_str().unwrap(),
            "--column-order",
            "pytorch",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(
            "error: invalid value 'pytorch' for '--column-order <COLUMN_ORDER>'\n  [possible values: sparsim, torch]\n"
        ),
        "{}",
        stderr(&o)
    );
}
