//! House-style checks over the source tree: every Rust file (tests included) opens with a `//!` line
//! saying why it exists, every web asset with a comment doing the same, and no source file grows
//! past a size that stops it being read in one sitting.

use std::path::{Path, PathBuf};

/// Lines a source file may have.
const MAX_LINES: usize = 700;

/// Files below `dir` whose names end with one of `exts`.
fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, exts, out);
        } else if path.extension().is_some_and(|e| exts.iter().any(|x| e == *x)) {
            out.push(path);
        }
    }
}

fn crates_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn rust_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    files(crates_dir(), &["rs"], &mut out);
    assert!(out.len() > 20, "found the workspace's files");
    assert!(
        out.iter().any(|f| f.to_string_lossy().ends_with("_tests.rs")),
        "test files are checked too"
    );
    out
}

/// The agent pages' and the widget's scripts, styles and pages.
fn asset_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    files(
        &crates_dir().join("backstop-http/assets"),
        &["js", "css", "html"],
        &mut out,
    );
    assert!(out.len() > 10, "found the assets");
    out
}

fn name(f: &Path) -> String {
    f.strip_prefix(crates_dir()).unwrap().display().to_string()
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let missing: Vec<_> = rust_files()
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| name(f))
        .collect();
    assert!(missing.is_empty(), "files without a leading //! line: {missing:#?}");
}

#[test]
fn every_asset_opens_with_a_comment_saying_why_it_exists() {
    let missing: Vec<_> = asset_files()
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let opener = match f.extension().and_then(|e| e.to_str()) {
                Some("js") => "// ",
                Some("css") => "/* ",
                _ => "<!-- ",
            };
            !text.starts_with(opener)
        })
        .map(|f| name(f))
        .collect();
    assert!(missing.is_empty(), "assets without a leading comment: {missing:#?}");
}

#[test]
fn source_files_stay_readable() {
    // The widget is one script on purpose: a shop embeds it with a single tag, without modules.
    let one_script = |f: &Path| f.ends_with("backstop-http/assets/widget.js");
    let long: Vec<_> = rust_files()
        .into_iter()
        .chain(asset_files())
        .filter(|f| !one_script(f))
        .filter(|f| std::fs::read_to_string(f).unwrap().lines().count() > MAX_LINES)
        .map(|f| name(&f))
        .collect();
    assert!(long.is_empty(), "split these files: {long:#?}");
}
