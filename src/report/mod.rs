//! Everything that leaves the process: result files and the printed table. All file writes
//! are atomic (temp file + rename), so an interrupted run leaves no half-written file, and
//! every float passes [`finite`]'s guard, so no file holds NaN or infinity.

pub mod accelergy;
pub mod atomic;
pub mod checks;
pub mod compare;
pub mod dram_trace;
pub mod finite;
pub mod layers_csv;
pub mod onnx_import;
pub mod plot;
pub mod scalesim;
pub mod summary;
pub mod table;
