//! Every chart kind renders from a small run, as a valid PNG and an SVG that names its series,
//! with its text drawn by the embedded font (no system fonts needed).

use crate::common::{root, sparsim};
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    crate::common::temp_dir("charts", name)
}

/// Decodes a PNG and returns (width, height, RGB pixels).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = dec
        .read_info()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// The text contents of an SVG's `<text>` elements, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

/// Dark pixels in the top `rows` rows: the title's glyphs.
fn dark_pixels_in_title(w: u32, rows: u32, rgb: &[u8]) -> usize {
    rgb[..(w * rows * 3) as usize]
        .chunks(3)
        .filter(|p| p.iter().all(|&c| c < 100))
        .count()
}

#[test]
fn every_chart_kind_renders_as_png_and_svg() {
    let dir = temp_dir("all");
    let lenet = root().join("workloads/lenet5.toml");
    let o = sparsim(
        &[
            "compare",
            "-q",
            "--workload",
            lenet.to_str().unwrap(),
            "--out",
            "c",
            "--plot",
            "--layouts",
            "dense,masked,irregular,nm,bwhm,darb,pconv,colcomb",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let charts = dir.join("c/charts");
    let layouts = [
        "dense",
        "masked",
        "irregular",
        "nm",
        "bwhm",
        "darb",
        "pconv",
        "colcomb",
    ];
    for name in [
        "utilization_by_layer",
        "cycles_speedup",
        "traffic",
        "decode_cost",
        "pe_states",
        "pe_heatmap_conv2_colcomb",
    ] {
        let (w, h, rgb) = decode_png(&charts.join(format!("{name}.png")));
        assert_eq!((w, h), (1400, 800), "{name}");
        assert!(
            dark_pixels_in_title(w, 50, &rgb) > 200,
            "{name}: the title's text is drawn"
        );
        let svg = std::fs::read_to_string(charts.join(format!("{name}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{name}: an SVG document"
        );
        let texts = svg_texts(&svg);
        assert!(!texts.is_empty(), "{name}: text elements");
        if name != "pe_heatmap_conv2_colcomb" {
            for l in layouts {
                assert!(
                    texts.iter().any(|t| t == l || *t == format!("{l}*")),
                    "{name}.svg names layout {l}: {texts:?}"
                );
            }
        }
    }
    let texts = svg_texts(&std::fs::read_to_string(charts.join("traffic.svg")).unwrap());
    for part in ["weights", "metadata", "ifmap", "ofmap"] {
        assert!(texts.iter().any(|t| t == part), "traffic.svg names {part}");
    }
    let texts = svg_texts(&std::fs::read_to_string(charts.join("pe_states.svg")).unwrap());
    for state in [
        "effectual MAC",
        "zero-weight MAC",
        "unmapped",
        "fill/drain",
        "stalled",
        "bus wait",
    ] {
        assert!(
            texts.iter().any(|t| t == state),
            "pe_states.svg names {state}"
        );
    }
    let texts =
        svg_texts(&std::fs::read_to_string(charts.join("utilization_by_layer.svg")).unwrap());
    for layer in ["conv1", "conv2", "fc1", "fc2", "fc3"] {
        assert!(
            texts.iter().any(|t| t == layer),
            "utilization_by_layer.svg names layer {layer}"
        );
    }
    // `sparsim plot` redraws the same charts from the CSVs, byte for byte.
    let o = sparsim(&["plot", "c", "--out", "again"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["traffic.png", "traffic.svg", "pe_heatmap_conv2_colcomb.png"] {
        assert_eq!(
            std::fs::read(charts.join(f)).unwrap(),
            std::fs::read(dir.join("again").join(f)).unwrap(),
            "{f}"
        );
    }
    // A chosen layer and layout for the heatmap.
    let o = sparsim(
        &[
            "plot", "c", "--out", "nm", "--layer", "conv1", "--layout", "nm",
        ],
        &dir,
    );
    assert!(o.status.success());
    assert!(dir.join("nm/pe_heatmap_conv1_nm.png").exists());
    let o = sparsim(&["plot", "c", "--layout", "sparse"], &dir);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: --layout sparse: pe_states.csv has no such layout\n"
    );
}

#[test]
fn a_plain_run_plots_its_layers_and_pe_states() {
    let dir = temp_dir("run");
    let lenet = root().join("workloads/lenet5.toml");
    let o = sparsim(
        &[
            "run",
            "-q",
            "--workload",
            lenet.to_str().unwrap(),
            "--out",
            "r",
            "--plot",
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut files: Vec<String> = std::fs::read_dir(dir.join("r/charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "pe_heatmap_conv2_dense.png",
            "pe_heatmap_conv2_dense.svg",
            "pe_states.png",
            "pe_states.svg",
            "sparsim-manifest.json",
            "utilization_by_layer.png",
            "utilization_by_layer.svg"
        ]
    );
    let o = sparsim(&["plot", "nowhere"], &dir);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: nowhere: no such folder: name a result folder written by sparsim run, compare or sweep\n"
    );
}

#[test]
fn a_sweep_plots_its_pareto_front_and_a_heatmap() {
    let dir = temp_dir("sweep");
    let r = root();
    std::fs::write(
        dir.join("s.toml"),
        format!(
            "base_arch = \"{}\"\nworkloads = [\"{}\"]\nname = \"tiny\"\n\
             pareto = [\"total_cycles\", \"pe_count\"]\n[axes]\n\
             \"array.rows\" = [8, 16, 32]\n\"array.cols\" = [8, 32]\n\
             layout = [\"dense\", \"nm\", \"colcomb\"]\n",
            r.join("arch/sparse-32x32-ws.toml").display(),
            r.join("workloads/lenet5.toml").display()
        ),
    )
    .unwrap();
    let o = sparsim(&["sweep", "s.toml", "-o", "out", "-q", "--plot"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let charts = dir.join("out/charts");
    let mut names: Vec<String> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "cycles_energy.png",
            "cycles_energy.svg",
            "pareto.png",
            "pareto.svg",
            "sparsim-manifest.json",
            "sweep_heatmap.png",
            "sweep_heatmap.svg"
        ]
    );
    for name in ["pareto", "sweep_heatmap"] {
        let (w, h, rgb) = decode_png(&charts.join(format!("{name}.png")));
        assert_eq!((w, h), (1400, 800));
        assert!(dark_pixels_in_title(w, 45, &rgb) > 400, "{name}: no title");
    }
    let front_ids = std::fs::read_to_string(dir.join("out/pareto.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let svg = std::fs::read_to_string(charts.join("pareto.svg")).unwrap();
    let texts = svg_texts(&svg);
    for t in [
        "tiny: 18 points, Pareto front over min total_cycles, min pe_count",
        "dense",
        "nm",
        "colcomb",
        "total_cycles (cycles)",
        "pe_count (PEs)",
        &format!("Pareto front ({front_ids} points)"),
    ] {
        assert!(
            texts.iter().any(|x| x == t),
            "pareto.svg lacks `{t}`: {texts:?}"
        );
    }
    let svg = std::fs::read_to_string(charts.join("sweep_heatmap.svg")).unwrap();
    let texts = svg_texts(&svg);
    for t in [
        "tiny: lowest total_cycles by array.rows and array.cols",
        "each cell: the best over layout; feasible points only; brighter is better",
        "8",
        "16",
        "32",
    ] {
        assert!(
            texts.iter().any(|x| x == t),
            "sweep_heatmap.svg lacks `{t}`: {texts:?}"
        );
    }
    // Each heatmap cell shows the lowest cycles among the layouts at that array shape.
    let table = std::fs::read_to_string(dir.join("out/sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = table
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let best_8x8 = rows
        .iter()
        .filter(|r| r[2] == "8" && r[3] == "8")
        .map(|r| r[6].parse::<f64>().unwrap())
        .fold(f64::INFINITY, f64::min);
    let label = sparsim_compact(best_8x8);
    assert!(texts.contains(&label), "no cell `{label}` in {texts:?}");
    // Redrawing gives the same bytes.
    let before = std::fs::read(charts.join("pareto.png")).unwrap();
    let o = sparsim(&["plot", "out"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(charts.join("pareto.png")).unwrap(), before);
}

/// The chart's number format, as the library writes it.
fn sparsim_compact(v: f64) -> String {
    sparsim::report::plot::sweep::compact(v)
}
