//! Tests of the knowledge-base file formats: good files in each format, malformed rows reported
//! with their line, duplicates, and export round trips.

use super::*;
use backstop_core::message::Lang;

#[test]
fn json_rows_are_checked_one_by_one_with_their_line() {
    let text = r#"[
  {"slug": "gift-wrap", "lang": "en", "topic": "orders", "title": "Gift wrap", "body": "We wrap.", "questions": ["Do you wrap?"]},
  {"slug": "Bad Slug", "lang": "en", "topic": "orders", "title": "x", "body": "y"},
  {"slug": "gift-wrap", "lang": "fr", "topic": "orders", "title": "x", "body": "y"},
  {"slug": "engrave", "lang": "zh", "topic": "orders", "title": "刻字服务", "body": "可以刻字。",
   "colour": "red"}
]"#;
    let p = parse_json("kb.json", text);
    assert_eq!(p.rows.len(), 1);
    assert_eq!((p.rows[0].line, p.rows[0].draft.slug.as_str()), (2, "gift-wrap"));
    let lines: Vec<(usize, &str)> = p.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
    assert_eq!(lines[0].0, 3);
    assert!(lines[0].1.starts_with("slug:"), "{lines:?}");
    assert_eq!(lines[1], (4, "unknown language \"fr\" (zh or en)"));
    assert_eq!(lines[2].0, 5);
    assert!(lines[2].1.contains("unknown field `colour`"), "{lines:?}");
    assert_eq!(
        p.rejected[0].to_string(),
        format!("kb.json:3: {}", p.rejected[0].reason)
    );
    let broken = parse_json("kb.json", "[\n{\"slug\": ");
    assert_eq!(broken.rejected.len(), 1);
    assert_eq!(broken.rejected[0].line, 2);
}

#[test]
fn csv_with_quoted_commas_newlines_and_questions() {
    let text = "slug,lang,topic,title,body,questions\n\
gift-wrap,en,orders,Gift wrap,\"We wrap, for free.\nAsk at checkout.\",Do you wrap? | Gift wrapping\n\
refund-time,zh,refunds,退款多久到账,3-5 个工作日原路退回。,\n\
,en,orders,No slug,body,\n";
    let p = parse_csv("kb.csv", text);
    assert_eq!(p.rows.len(), 2, "{:?}", p.rejected);
    let d = &p.rows[0].draft;
    assert_eq!(d.body, "We wrap, for free.\nAsk at checkout.");
    assert_eq!(d.questions, ["Do you wrap?", "Gift wrapping"]);
    assert_eq!((p.rows[1].line, p.rows[1].draft.lang), (4, Lang::Zh));
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].line, 5, "the row after a two-line one");
    let headless = parse_csv("kb.csv", "slug,lang,title\nx,en,y\n");
    assert_eq!(headless.rejected[0].reason, "the header lacks topic, body");
    let ragged = parse_csv("kb.csv", "slug,lang,topic,title,body\na,en,t,x,y\nb,en,t\n");
    assert_eq!((ragged.rows.len(), ragged.rejected[0].line), (1, 3));
}

#[test]
fn markdown_front_matter_then_body() {
    let text = "---\nslug: engraving\nlang: zh\ntopic: orders\ntitle: \"刻字服务\"\nquestions:\n  - 可以刻字吗\n  - '能刻名字吗'\n---\n可以，最多 12 个字。\n\n加收 10 元。\n";
    let p = parse_markdown("engraving.md", text);
    assert!(p.rejected.is_empty(), "{:?}", p.rejected);
    let d = &p.rows[0].draft;
    assert_eq!((d.slug.as_str(), d.title.as_str()), ("engraving", "刻字服务"));
    assert_eq!(d.questions, ["可以刻字吗", "能刻名字吗"]);
    assert_eq!(d.body, "可以，最多 12 个字。\n\n加收 10 元。");
    let open = parse_markdown("a.md", "---\nslug: a\n");
    assert_eq!(open.rejected[0].reason, "the front matter is not closed by a --- line");
    let unknown = parse_markdown("a.md", "---\nslug: a\nauthor: me\n---\nbody");
    assert_eq!(
        (unknown.rejected[0].line, unknown.rejected[0].reason.as_str()),
        (3, "front matter: unknown key \"author\"")
    );
    assert_eq!(parse_markdown("a.md", "no front matter").rejected[0].line, 1);
}

#[test]
fn duplicates_keep_the_first_and_name_it() {
    let mut p = parse_csv(
        "kb.csv",
        "slug,lang,topic,title,body\na,en,t,First,x\na,zh,t,中文,x\na,en,t,Second,y\n",
    );
    dedupe(&mut p);
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.rows[0].draft.title, "First");
    assert_eq!(
        p.rejected[0].to_string(),
        "kb.csv:4: duplicate of kb.csv:2 (slug \"a\", en)"
    );
}

#[test]
fn exports_read_back_as_the_same_articles() {
    let p = parse_csv(
        "kb.csv",
        "slug,lang,topic,title,body,questions\ngift-wrap,en,orders,Gift wrap,\"We wrap, \"\"nicely\"\".\",A | B\n",
    );
    let tenant = backstop_core::ids::TenantId::parse("acme").unwrap();
    let records: Vec<backstop_store::ArticleRecord> = p
        .rows
        .iter()
        .map(|r| backstop_store::ArticleRecord {
            id: backstop_core::ids::ArticleId::new_at(time::OffsetDateTime::UNIX_EPOCH),
            tenant: tenant.clone(),
            slug: r.draft.slug.clone(),
            lang: r.draft.lang,
            topic: r.draft.topic.clone(),
            title: r.draft.title.clone(),
            body: r.draft.body.clone(),
            questions: r.draft.questions.clone(),
            updated_at: time::OffsetDateTime::UNIX_EPOCH,
            version: 1,
            archived: false,
        })
        .collect();
    let again = parse_csv("out.csv", &to_csv(&records).unwrap());
    assert_eq!(again.rows[0].draft, p.rows[0].draft);
    let again = parse_json("out.json", &to_json(&records));
    assert_eq!(again.rows[0].draft, p.rows[0].draft);
}
