//! Integration tests through the public interface: SCALE-Sim parity, CLI end to end, input
//! errors.

mod common;
mod scalesim_parity;
