//! docs/PROTOCOL.md against the frame types: each socket's frame table names every frame of its
//! enums, in the right direction, and no frame that does not exist.

use std::collections::BTreeSet;

use utoipa::PartialSchema;

use super::*;

/// The `type` names of an internally tagged frame enum, read from its generated schema.
fn names<T: PartialSchema>() -> BTreeSet<String> {
    fn tags(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(values) = map
                    .get("properties")
                    .and_then(|p| p.get("type"))
                    .and_then(|t| t.get("enum"))
                    .and_then(|e| e.as_array())
                {
                    out.extend(values.iter().filter_map(|v| v.as_str()).map(str::to_owned));
                }
                map.values().for_each(|v| tags(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| tags(v, out)),
            _ => {}
        }
    }
    let schema = serde_json::to_value(T::schema()).unwrap();
    let mut out = BTreeSet::new();
    tags(&schema, &mut out);
    out
}

/// The frames of the table whose header cell is `table` (`| widget frame | from | … |`), as
/// `(name, from)` with `from` either `client` or `server`.
fn documented(doc: &str, table: &str) -> BTreeSet<(String, String)> {
    let mut rows = doc
        .lines()
        .skip_while(|l| !l.starts_with(&format!("| {table} |")))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .peekable();
    assert!(rows.peek().is_some(), "docs/PROTOCOL.md has a table headed `{table}`");
    rows.map(|row| {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let name = cells[1].trim_matches('`').to_owned();
        let from = cells[2].to_owned();
        assert!(
            from == "client" || from == "server",
            "{row}: `from` is client or server"
        );
        (name, from)
    })
    .collect()
}

fn both(client: BTreeSet<String>, server: BTreeSet<String>) -> BTreeSet<(String, String)> {
    let side = |names: BTreeSet<String>, from: &'static str| names.into_iter().map(move |n| (n, from.to_owned()));
    side(client, "client").chain(side(server, "server")).collect()
}

const PROTOCOL: &str = include_str!("../../../../docs/PROTOCOL.md");

#[test]
fn the_enums_have_the_frames_the_pages_use() {
    assert!(names::<WidgetFrameIn>().contains("hello"));
    assert!(names::<WidgetFrameOut>().contains("ack"));
    assert!(names::<AgentFrameIn>().contains("ping"));
    assert!(names::<AgentFrameOut>().contains("resync"));
}

#[test]
fn protocol_md_documents_every_widget_frame_and_no_other() {
    let code = both(names::<WidgetFrameIn>(), names::<WidgetFrameOut>());
    assert_eq!(documented(PROTOCOL, "widget frame"), code);
}

#[test]
fn protocol_md_documents_every_agent_frame_and_no_other() {
    let code = both(names::<AgentFrameIn>(), names::<AgentFrameOut>());
    assert_eq!(documented(PROTOCOL, "agent frame"), code);
}

#[test]
fn the_check_reads_tables_as_it_should() {
    let doc =
        "x\n| agent frame | from | when |\n|---|---|---|\n| `ping` | client | a |\n| `pong` | server | b |\n\nafter";
    let got = documented(doc, "agent frame");
    let want: BTreeSet<(String, String)> = [("ping", "client"), ("pong", "server")]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .into();
    assert_eq!(got, want);
}
