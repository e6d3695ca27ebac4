//! sparsim: a cycle-level simulator of systolic-array accelerators running dense and pruned
//! neural networks.
//!
//! Data flow: inputs (architecture TOML or SCALE-Sim `.cfg` → [`config::Arch`]; workload TOML,
//! SCALE-Sim topology CSV or ConvNetDraw → [`workload::Network`]; the shipped ones are
//! embedded, [`builtins`]) → [`engine`] (folds, SRAM
//! counts, memory model) → [`stats`] → [`report`] (CSV, JSON, SCALE-Sim reports, table).
//! The core (`workload`, `engine`, `stats`) never touches files, stdout or the CLI.
//!
//! ```
//! use sparsim::config::validate::parse_arch_toml;
//! use sparsim::workload::convnetdraw::parse_convnetdraw;
//!
//! let arch = parse_arch_toml("[array]\nrows = 8\ncols = 8\n", "<doc>", "tiny").unwrap();
//! let net = parse_convnetdraw("input(8, 8, 1)\nconv(6, 6, 4)\n", "<doc>", "net").unwrap();
//! let layer = sparsim::engine::simulate_layer(&arch, &net.layers[0]);
//! // WS: K = 9 window elements need 2 row folds of the 8 array rows; N = 4 filters fit one
//! // column fold; each fold streams M = 36 vectors in 2·8 + 8 + 36 − 2 = 58 cycles.
//! assert_eq!(layer.folds, 2);
//! assert_eq!(layer.compute_cycles, 116);
//! assert_eq!(layer.macs, 36 * 4 * 9);
//! ```

pub mod builtins;
pub mod cli;
pub mod compare;
pub mod config;
pub mod energy;
pub mod engine;
pub mod error;
pub mod ini;
pub mod inputs;
pub mod layout;
pub mod limits;
pub mod report;
pub mod stats;
pub mod stepped;
pub mod sweep;
pub mod toml_input;
pub mod units;
pub mod verify;
pub mod weights;
pub mod workload;
