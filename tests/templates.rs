//! Every file under `templates/` is embedded in the binary. A template added
//! or removed without the crate being rebuilt fails here: build.rs tells
//! cargo to watch the directory, so this test guards that trigger.

use cargo_tasks::render::Renderer;
use cargo_tasks::workspace::{MetadataOptions, Workspace};
use std::path::{Path, PathBuf};

fn files_under(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, base, out);
        } else {
            let rel = path.strip_prefix(base).unwrap();
            let names: Vec<_> = rel.iter().map(|c| c.to_string_lossy()).collect();
            out.push(names.join("/"));
        }
    }
}

#[test]
fn the_binary_embeds_exactly_the_templates_on_disk() {
    let templates = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut on_disk = Vec::new();
    files_under(&templates, &templates, &mut on_disk);
    on_disk.sort();
    assert!(on_disk.len() > 20, "{on_disk:?}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let ws = Workspace::locate(&MetadataOptions {
        manifest_path: Some(dir.path().join("Cargo.toml")),
        ..MetadataOptions::default()
    })
    .unwrap();
    let embedded = Renderer::new(&ws, None).unwrap().names_under("");
    assert_eq!(
        embedded, on_disk,
        "templates/ and the embedded templates differ: is build.rs watching templates/?"
    );
}
