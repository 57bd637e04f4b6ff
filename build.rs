//! The templates are embedded with `include_dir!`, which cargo cannot see
//! into: without this, adding a file under `templates/` would not rebuild the
//! crate. Cargo scans a watched directory for any added, removed or changed file.

fn main() {
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=build.rs");
}
