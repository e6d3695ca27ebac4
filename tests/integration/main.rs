//! Integration tests through the public interface: SCALE-Sim parity, CLI end to end, input
//! errors.

mod charts;
mod cli;
mod cli_sparse;
mod colcomb_authors;
mod common;
mod data_safety;
mod dram_trace;
mod energy;
mod engines;
mod hand_traces;
mod hostile_input;
mod input_errors;
mod layouts;
mod memory_policy;
mod onnx;
mod properties;
mod scalesim_memory;
mod scalesim_nm;
mod scalesim_parity;
mod sweeps;
mod trace;
mod undefined_ratios;
mod weight_spread;
mod weights_binding;
mod weights_files;
