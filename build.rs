//! Sets the shared library's SONAME and, with the feature `c-header`,
//! generates the C header from `src/ffi/` with cbindgen.
//!
//! With `c-header` (the Makefile's builds turn it on) the header is written to
//! `$OUT_DIR/cloud_infinite.h` on every build, and copied to
//! `include/cloud_infinite.h` only when `CLOUD_INFINITE_WRITE_HEADER=1`
//! (`make header`). `tests/header.rs` fails while the committed copy differs
//! from the generated one, so a stale header cannot land. Without it (a Rust
//! user's build, `cargo package`'s) cbindgen is neither built nor run: the
//! committed header is what the C libraries ship.

use std::env;
use std::path::PathBuf;

/// `CI_ABI_VERSION` as src/ffi/mod.rs defines it: the shared library's
/// SONAME carries it, so that it changes exactly when the ABI does.
fn abi_version(crate_dir: &std::path::Path) -> u32 {
    let source = std::fs::read_to_string(crate_dir.join("src/ffi/mod.rs")).expect("read src/ffi/mod.rs");
    source
        .lines()
        .find_map(|l| l.trim().strip_prefix("pub const CI_ABI_VERSION: u32 = ")?.strip_suffix(';')?.parse().ok())
        .expect("src/ffi/mod.rs defines CI_ABI_VERSION")
}

fn main() {
    println!("cargo:rerun-if-changed=src/ffi");
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    // A versioned SONAME (libcloud_infinite.so.3), so that a program linked
    // against one ABI never loads a library of another. The manifest declares
    // no cdylib (`cargo rustc --crate-type cdylib` makes it), and cargo warns
    // about a cdylib-only link argument then, so this goes to every link of
    // this package: on its executables (the emulator, tests) a SONAME is inert.
    // It never reaches a crate that depends on this one.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg=-Wl,-soname,libcloud_infinite.so.{}", abi_version(&crate_dir));
    }
    #[cfg(feature = "c-header")]
    generate_header(&crate_dir);
}

#[cfg(feature = "c-header")]
fn generate_header(crate_dir: &std::path::Path) {
    println!("cargo:rerun-if-changed=cbindgen.toml");
    // So that `make header` repairs a hand-edited header.
    println!("cargo:rerun-if-changed=include/cloud_infinite.h");
    println!("cargo:rerun-if-env-changed=CLOUD_INFINITE_WRITE_HEADER");

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml is valid");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can read src/ffi");
    let generated = out_dir.join("cloud_infinite.h");
    bindings.write_to_file(&generated);

    if env::var("CLOUD_INFINITE_WRITE_HEADER").as_deref() == Ok("1") {
        let target = crate_dir.join("include").join("cloud_infinite.h");
        std::fs::create_dir_all(target.parent().unwrap()).expect("create include/");
        std::fs::copy(&generated, &target).expect("write include/cloud_infinite.h");
    }
}
