//! The engine's fuzz targets live in `tests/fuzz_targets.rs`, built as this package's only
//! test: `cargo bolero test -p kubeclinic-fuzz <target>` (scripts/fuzz.sh) builds them under
//! libFuzzer without the engine's other tests, which have no libFuzzer to link against.

// Links bolero (and under libFuzzer, its runtime) into every binary of the package.
pub use bolero;
