//! House-style checks over the source tree: every Rust file (tests included) opens with a `//!` line
//! saying why it exists, every web asset with a comment doing the same, no source file grows
//! past a size that stops it being read in one sitting, and each crate depends only on the crates
//! below it.

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

/// Each crate and the workspace crates it may depend on (its layer and those below). A new
/// dependency between the crates is a design decision: make it here, and in ARCHITECTURE.md.
const LAYERS: &[(&str, &[&str])] = &[
    ("backstop-core", &[]),
    ("backstop-report", &[]),
    // The model client speaks HTTP and knows nothing of conversations.
    ("backstop-llm", &[]),
    ("backstop-nlp", &["backstop-core"]),
    ("backstop-bus", &["backstop-core"]),
    ("backstop-store", &["backstop-core"]),
    ("backstop-store-sqlite", &["backstop-core", "backstop-store"]),
    ("backstop-store-postgres", &["backstop-core", "backstop-store"]),
    // The demo merchant's order system is a separate service: it knows nothing of Backstop.
    ("backstop-merchant", &[]),
    // Running an action speaks HTTP to the merchant and knows nothing of conversations.
    ("backstop-actions", &["backstop-core"]),
    // The providers' wire formats: read and written without I/O, knowing nothing of storage.
    ("backstop-channels", &["backstop-core"]),
    (
        "backstop-engine",
        &[
            "backstop-actions",
            "backstop-channels",
            "backstop-core",
            "backstop-nlp",
            "backstop-bus",
            "backstop-store",
            "backstop-llm",
        ],
    ),
    ("backstop-http", &["backstop-core", "backstop-store", "backstop-engine"]),
    (
        "backstop",
        &[
            "backstop-core",
            "backstop-nlp",
            "backstop-bus",
            "backstop-store",
            "backstop-store-sqlite",
            "backstop-store-postgres",
            "backstop-engine",
            "backstop-http",
            "backstop-report",
            "backstop-llm",
            "backstop-merchant",
        ],
    ),
    (
        "backstop-lab",
        &[
            "backstop",
            "backstop-core",
            "backstop-nlp",
            "backstop-store",
            "backstop-engine",
            "backstop-report",
            // The demo shop's order system, which `eval actions` replays dialogues against.
            "backstop-merchant",
        ],
    ),
    // A black-box client: it speaks the protocols and knows none of the product's crates.
    ("backstop-load", &["backstop-report"]),
];

/// The workspace crates named in a manifest's `[dependencies]` (not dev-dependencies).
fn workspace_dependencies(manifest: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in manifest.lines() {
        if line.starts_with('[') {
            inside = line.trim() == "[dependencies]";
        } else if inside {
            let name = line.split(['.', ' ', '=']).next().unwrap_or("");
            if name == "backstop" || name.starts_with("backstop-") {
                out.push(name.to_owned());
            }
        }
    }
    out
}

#[test]
fn crates_depend_only_on_the_layers_below() {
    let mut seen = Vec::new();
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(crates_dir()).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let krate = dir.file_name().unwrap().to_string_lossy().to_string();
        let allowed = LAYERS
            .iter()
            .find(|(c, _)| *c == krate)
            .unwrap_or_else(|| panic!("{krate} is not in LAYERS: place it"))
            .1;
        for dep in workspace_dependencies(&manifest) {
            if !allowed.contains(&dep.as_str()) {
                wrong.push(format!("{krate} -> {dep}"));
            }
        }
        seen.push(krate);
    }
    assert!(seen.len() >= 13, "found the crates: {seen:?}");
    assert!(wrong.is_empty(), "dependencies against the layering: {wrong:#?}");
    // The reader itself: an upward dependency is found.
    assert_eq!(
        workspace_dependencies("[dependencies]\nbackstop-http.workspace = true\nserde = \"1\"\n[dev-dependencies]\nbackstop = { path = \"x\" }\n"),
        vec!["backstop-http"]
    );
}
