//! House-style checks over the source tree: every Rust file opens with a `//!` line saying why it
//! exists, and no source file grows past a size that stops it being read in one sitting.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    rust_files(crates, &mut files);
    assert!(files.len() > 20, "found the workspace's files");
    let missing: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| f.strip_prefix(crates).unwrap().display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a leading //! line: {missing:#?}");
}

#[test]
fn source_files_stay_readable() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    rust_files(crates, &mut files);
    let long: Vec<_> = files
        .iter()
        .filter(|f| !f.to_string_lossy().contains("tests"))
        .filter(|f| std::fs::read_to_string(f).unwrap().lines().count() > 700)
        .map(|f| f.display().to_string())
        .collect();
    assert!(long.is_empty(), "split these files: {long:#?}");
}
