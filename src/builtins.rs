//! The architectures (`arch/`) and workloads (`workloads/`) shipped with sparsim, embedded in
//! the binary so that `--arch NAME` and `--workload NAME` work from any folder. A built-in's
//! name is its file's stem (`resnet50` for `workloads/resnet50.toml`); `sparsim list` prints
//! the table. Sweep files (`arch/sweeps/`) are not architectures and are not here; an ONNX
//! model has no built-in.
//!
//! This module only holds the texts and says what they are; [`crate::inputs`] parses them.

/// What a built-in is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BuiltinKind {
    /// An architecture (`--arch`).
    Arch,
    /// A workload (`--workload`).
    Workload,
}

impl BuiltinKind {
    /// `architecture` or `workload`, for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinKind::Arch => "architecture",
            BuiltinKind::Workload => "workload",
        }
    }

    /// `architectures` or `workloads`, for messages.
    pub fn plural(self) -> &'static str {
        match self {
            BuiltinKind::Arch => "architectures",
            BuiltinKind::Workload => "workloads",
        }
    }
}

/// One shipped file, embedded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Builtin {
    /// The name it is given by: the file's stem.
    pub name: &'static str,
    /// The file's path in the repository (`workloads/resnet50.toml`).
    pub file: &'static str,
    /// What it is.
    pub kind: BuiltinKind,
    /// The origin named in errors and input records: `<built-in FILE>`.
    pub origin: &'static str,
    /// The file's text.
    pub text: &'static str,
    /// A description for a file whose format has no `description` key (SCALE-Sim `.cfg` and
    /// `.csv`, ConvNetDraw text); `None` for a sparsim `.toml`, which states its own.
    pub about: Option<&'static str>,
}

impl Builtin {
    /// The file's extension, lower case, without the dot (`toml`, `cfg`, `csv`, `txt`).
    pub fn extension(&self) -> &'static str {
        self.file.rsplit_once('.').map_or("", |(_, e)| e)
    }

    /// A one-line description: the file's own `description` (sparsim `.toml`), else
    /// [`Builtin::about`].
    pub fn description(&self) -> String {
        if self.extension() == "toml"
            && let Ok(table) = self.text.parse::<toml::Table>()
            && let Some(toml::Value::String(d)) = table.get("description")
        {
            return d.clone();
        }
        self.about.unwrap_or_default().to_string()
    }
}

/// A [`Builtin`] for the file `$dir/$name.$ext` of the repository.
macro_rules! builtin {
    ($kind:ident, $dir:literal, $name:literal, $ext:literal, $about:expr) => {
        Builtin {
            name: $name,
            file: concat!($dir, "/", $name, ".", $ext),
            kind: BuiltinKind::$kind,
            origin: concat!("<built-in ", $dir, "/", $name, ".", $ext, ">"),
            text: include_str!(concat!("../", $dir, "/", $name, ".", $ext)),
            about: $about,
        }
    };
}

/// `arch/tpu-32x32-ws.toml`: the architecture `sparsim run` uses when none is given.
pub const TPU_32X32_WS: Builtin = builtin!(Arch, "arch", "tpu-32x32-ws", "toml", None);
/// `arch/sparse-32x32-ws.toml`: the architecture `sparsim compare` uses when none is given.
pub const SPARSE_32X32_WS: Builtin = builtin!(Arch, "arch", "sparse-32x32-ws", "toml", None);
/// `workloads/resnet50.toml`: the workload `sparsim run` uses when none is given.
pub const RESNET50: Builtin = builtin!(Workload, "workloads", "resnet50", "toml", None);
/// `workloads/vgg16_cifar10.toml`: the workload `sparsim compare` uses when none is given.
pub const VGG16_CIFAR10: Builtin = builtin!(Workload, "workloads", "vgg16_cifar10", "toml", None);

/// Every built-in: the architectures, then the workloads, each sorted by name.
pub const BUILTINS: &[Builtin] = &[
    builtin!(Arch, "arch", "eyeriss-12x14-os", "toml", None),
    builtin!(
        Arch,
        "arch",
        "scalesim-32x32-ws",
        "cfg",
        Some("SCALE-Sim config: 32x32 WS array, 64 kB SRAM per operand, 10 words/cycle DRAM")
    ),
    SPARSE_32X32_WS,
    builtin!(Arch, "arch", "tpu-128x128-ws", "toml", None),
    TPU_32X32_WS,
    builtin!(Workload, "workloads", "alexnet", "toml", None),
    builtin!(
        Workload,
        "workloads",
        "convnetdraw_example",
        "txt",
        Some("Small CNN in ConvNetDraw notation (28x28x1 input, 2 conv + 1 FC)")
    ),
    builtin!(Workload, "workloads", "lenet5", "toml", None),
    builtin!(Workload, "workloads", "llm_mlp_gate", "toml", None),
    builtin!(Workload, "workloads", "lstm_mnist_rows", "toml", None),
    builtin!(Workload, "workloads", "lstm_ptb_medium", "toml", None),
    builtin!(Workload, "workloads", "minilm_l6", "toml", None),
    builtin!(Workload, "workloads", "mobilenet_v2", "toml", None),
    RESNET50,
    builtin!(
        Workload,
        "workloads",
        "resnet50_scalesim",
        "csv",
        Some("ResNet-50, SCALE-Sim's mlperf topology (.csv, no padding)")
    ),
    VGG16_CIFAR10,
    builtin!(Workload, "workloads", "vgg16_imagenet", "toml", None),
];

/// The built-ins of one kind, in [`BUILTINS`] order.
pub fn of_kind(kind: BuiltinKind) -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().filter(move |b| b.kind == kind)
}

/// The built-in `name` of `kind`, if any.
pub fn find(kind: BuiltinKind, name: &str) -> Option<&'static Builtin> {
    of_kind(kind).find(|b| b.name == name)
}

/// The built-in `name` of either kind (names are unique across kinds).
pub fn find_any(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The names of the built-ins of `kind`, comma-separated, for messages.
pub fn names(kind: BuiltinKind) -> String {
    of_kind(kind).map(|b| b.name).collect::<Vec<_>>().join(", ")
}

/// Whether `arg` is written as a built-in name could be: not empty, no folder and no
/// extension. Only such an argument is looked up among the built-ins.
pub fn is_name(arg: &str) -> bool {
    !arg.is_empty()
        && !arg.contains(['/', '\\'])
        && !arg.contains('.')
        && std::path::Path::new(arg).file_name().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The table holds exactly the shipped files of `arch/` (sweeps aside) and `workloads/`,
    /// byte for byte.
    #[test]
    fn the_table_is_every_shipped_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut shipped = BTreeSet::new();
        for dir in ["arch", "workloads"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if p.is_file() {
                    shipped.insert(format!(
                        "{dir}/{}",
                        p.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
        let table: BTreeSet<String> = BUILTINS.iter().map(|b| b.file.to_string()).collect();
        assert_eq!(table, shipped);
        for b in BUILTINS {
            assert_eq!(
                std::fs::read_to_string(root.join(b.file)).unwrap(),
                b.text,
                "{}",
                b.file
            );
        }
    }

    #[test]
    fn names_are_unique_sorted_and_look_like_names() {
        let mut all = BTreeSet::new();
        for kind in [BuiltinKind::Arch, BuiltinKind::Workload] {
            let names: Vec<&str> = of_kind(kind).map(|b| b.name).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            assert_eq!(names, sorted, "{kind:?}");
            for n in names {
                assert!(is_name(n), "{n}");
                assert!(all.insert(n), "{n} is given twice");
            }
        }
        // Architectures come first.
        let kinds: Vec<BuiltinKind> = BUILTINS.iter().map(|b| b.kind).collect();
        assert!(kinds.is_sorted_by_key(|k| *k == BuiltinKind::Workload));
    }

    #[test]
    fn every_built_in_is_described_once() {
        for b in BUILTINS {
            let own = b.extension() == "toml";
            assert_eq!(b.about.is_none(), own, "{}", b.file);
            assert!(!b.description().is_empty(), "{}", b.file);
            assert_eq!(b.origin, format!("<built-in {}>", b.file));
        }
        assert_eq!(
            find(BuiltinKind::Workload, "resnet50")
                .unwrap()
                .description(),
            "ResNet-50 (mlperf layer list), ImageNet 224x224"
        );
    }

    #[test]
    fn names_are_looked_up_by_kind() {
        assert_eq!(find(BuiltinKind::Arch, "resnet50"), None);
        assert_eq!(
            find(BuiltinKind::Arch, "sparse-32x32-ws"),
            Some(&SPARSE_32X32_WS)
        );
        assert_eq!(find_any("resnet50"), Some(&RESNET50));
        assert!(is_name("sparse-32x32-ws"));
        for not in ["", "resnet50.toml", "workloads/resnet50", "a\\b", ".", ".."] {
            assert!(!is_name(not), "{not}");
        }
    }
}
