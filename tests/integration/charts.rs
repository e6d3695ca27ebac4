//! Every chart kind renders from a small run, as a valid PNG and an SVG that names its series,
//! with its text drawn by the embedded font (no system fonts needed).

use crate::common::root;
use std::path::{Path, PathBuf};
use std::process::Command;

fn sparsim(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sparsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sparsim-ch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
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
            "utilization_by_layer.png",
            "utilization_by_layer.svg"
        ]
    );
    let o = sparsim(&["plot", "nowhere"], &dir);
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: nowhere: no compare.csv or layers.csv to plot\n"
    );
}
