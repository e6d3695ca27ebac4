//! Integration tests through the public interface: SCALE-Sim parity, CLI end to end, input
//! errors.

mod cli;
mod common;
mod input_errors;
mod scalesim_parity;
