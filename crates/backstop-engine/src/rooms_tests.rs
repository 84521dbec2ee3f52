//! The engine's rooms depend downward only: plumbing (the crate root) < people < knowledge <
//! conversations < channels < insight. Every room adds methods to the one `Engine`, so the compiler cannot see
//! a room calling one above it; this test reads the sources and does: for each `impl Engine` method
//! it finds the room that defines it, and fails when a file calls (on `self`, `engine` or
//! `self.engine`) a method of a higher room, or names a higher room's module by path.
//! Test code (`mod tests`, `*_tests.rs`) may reach anywhere. The crate root's `Inner` composes
//! every room's state; it holds their types but calls none of their methods.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The rooms, lowest first; the crate root's files are room 0.
const ROOMS: [&str; 6] = [
    "(plumbing)",
    "people",
    "knowledge",
    "conversations",
    "channels",
    "insight",
];

fn room_of(relative: &str) -> usize {
    ROOMS
        .iter()
        .position(|r| relative.starts_with(&format!("{r}/")))
        .unwrap_or(0)
}

/// A source file without its test module.
struct Source {
    name: String,
    room: usize,
    text: String,
}

fn sources() -> Vec<Source> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with("_tests.rs"))
        .map(|p| {
            let name = p.strip_prefix(&src).unwrap().display().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(i) => text[..i].to_owned(),
                None => text,
            };
            Source {
                room: room_of(&name),
                name,
                text,
            }
        })
        .collect()
}

/// The names of the methods in `text`'s `impl Engine { … }` blocks.
fn engine_methods(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("impl Engine {") {
            inside = true;
        } else if inside && line == "}" {
            inside = false;
        } else if inside {
            let l = line.strip_prefix("    ").unwrap_or("");
            if l.starts_with(' ') {
                continue;
            }
            let l = l.trim_start_matches("pub(crate) ").trim_start_matches("pub ");
            let l = l.trim_start_matches("async ");
            if let Some(rest) = l.strip_prefix("fn ") {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                out.push(name);
            }
        }
    }
    out
}

/// Identifiers called as methods of the engine in `text`: `self.x(`, `engine.x(`, `self.engine.x(`.
fn engine_calls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for receiver in ["self.", "engine.", "self.engine."] {
        let mut rest = text;
        while let Some(i) = rest.find(receiver) {
            let before = rest[..i].chars().last();
            rest = &rest[i + receiver.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let after = &rest[name.len()..];
            if !name.is_empty() && (after.starts_with('(') || after.starts_with("::<")) {
                out.push(name);
            }
        }
    }
    out
}

/// Every call or path from a room to a higher one, as "file → what (room)".
fn violations(files: &[Source]) -> Vec<String> {
    let mut defined: HashMap<String, (usize, String)> = HashMap::new();
    for f in files {
        for m in engine_methods(&f.text) {
            defined.insert(m, (f.room, f.name.clone()));
        }
    }
    let mut out = Vec::new();
    for f in files {
        for call in engine_calls(&f.text) {
            if let Some((room, at)) = defined.get(&call) {
                if *room > f.room {
                    out.push(format!("{} calls Engine::{call} ({at}, {})", f.name, ROOMS[*room]));
                }
            }
        }
        if f.room == 0 && f.name == "lib.rs" {
            continue; // the composition root names every room
        }
        for (room, name) in ROOMS.iter().enumerate().skip(1) {
            if room > f.room && f.text.contains(&format!("crate::{name}::")) {
                out.push(format!("{} names crate::{name}", f.name));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn rooms_depend_only_on_the_rooms_below() {
    let files = sources();
    let methods: usize = files.iter().map(|f| engine_methods(&f.text).len()).sum();
    assert!(methods > 80, "found the engine's methods ({methods})");
    for room in ROOMS.iter().skip(1) {
        assert!(
            files.iter().any(|f| f.name.starts_with(&format!("{room}/"))),
            "room {room} exists"
        );
    }
    let found = violations(&files);
    assert!(found.is_empty(), "calls into a higher room: {found:#?}");
}

#[test]
fn an_upward_call_or_path_is_reported() {
    let file = |name: &str, text: &str| Source {
        name: name.into(),
        room: room_of(name),
        text: text.into(),
    };
    let files = [
        file(
            "people/presence.rs",
            "impl Engine {\n    pub async fn inbox_opened(&self) {\n        self.assign_waiting().await;\n    }\n}\n",
        ),
        file(
            "conversations/assign.rs",
            "use crate::people::presence::Connected;\nimpl Engine {\n    pub(crate) async fn assign_waiting(&self) {\n        self.inbox_opened();\n    }\n}\n",
        ),
        file("knowledge/kb.rs", "use crate::insight::gaps;\n"),
    ];
    assert_eq!(
        violations(&files),
        vec![
            "knowledge/kb.rs names crate::insight".to_string(),
            "people/presence.rs calls Engine::assign_waiting (conversations/assign.rs, conversations)".into(),
        ]
    );
}
