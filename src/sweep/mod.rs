//! Design-space sweeps: a TOML file of axes over architecture keys, layouts and their
//! parameters, expanded into points ([`spec`]), run in parallel with shared packings
//! ([`run`]), and summarized as CSV rows and Pareto fronts ([`output`]). File handling lives
//! in the command-line layer.

pub mod expr;
pub mod output;
pub mod run;
pub mod spec;
