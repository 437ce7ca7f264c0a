//! Benchmarks live in benches/; docs/benchmarks.md has the figures and the commands.
