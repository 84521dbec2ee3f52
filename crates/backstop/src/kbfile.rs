//! Knowledge-base files: reading articles from JSON, CSV and Markdown (with front matter) for
//! `backstop kb import`, and writing them for `backstop kb export`. Every row is checked on its
//! own; a bad one is reported with its file and line and the others still import.
//!
//! Formats:
//! - JSON: an array of `{"slug","lang","topic","title","body","questions":[…]}`.
//! - CSV: a header with `slug,lang,topic,title,body,questions` (any order; `questions` optional,
//!   several separated by ` | `); quoted fields may hold commas and newlines.
//! - Markdown: one article per file, front matter between `---` lines (`slug:`, `lang:`, `topic:`,
//!   `title:`, and `questions:` followed by `- …` lines), then the body.

use std::collections::HashMap;
use std::path::Path;

use backstop_core::kb::{lang, ArticleDraft};
use serde::Deserialize;

/// A row that could not be imported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub file: String,
    /// 1-based line where the row starts (0: the file as a whole).
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.reason)
        }
    }
}

/// An article read from a file, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub file: String,
    pub line: usize,
    pub draft: ArticleDraft,
}

/// What one file gave: the valid rows, and the rejected ones.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub rejected: Vec<Rejected>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonArticle {
    slug: String,
    lang: String,
    topic: String,
    title: String,
    body: String,
    #[serde(default)]
    questions: Vec<String>,
}

fn draft(
    slug: &str,
    lang_code: &str,
    topic: &str,
    title: &str,
    body: &str,
    questions: Vec<String>,
) -> Result<ArticleDraft, String> {
    let d = ArticleDraft {
        slug: slug.into(),
        lang: lang(lang_code).map_err(|e| e.to_string())?,
        topic: topic.into(),
        title: title.into(),
        body: body.into(),
        questions,
    };
    d.normalized().map_err(|e| e.to_string())
}

impl Parsed {
    fn push(&mut self, file: &str, line: usize, d: Result<ArticleDraft, String>) {
        match d {
            Ok(draft) => self.rows.push(Row {
                file: file.into(),
                line,
                draft,
            }),
            Err(reason) => self.rejected.push(Rejected {
                file: file.into(),
                line,
                reason,
            }),
        }
    }

    fn reject(&mut self, file: &str, line: usize, reason: impl Into<String>) {
        self.rejected.push(Rejected {
            file: file.into(),
            line,
            reason: reason.into(),
        });
    }
}

/// The 1-based line of each top-level array element's opening brace.
fn element_lines(text: &str) -> Vec<usize> {
    let (mut depth, mut line, mut in_str, mut esc) = (0i32, 1usize, false, false);
    let mut starts = Vec::new();
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' | '[' => {
                if depth == 1 && c == '{' {
                    starts.push(line);
                }
                depth += 1;
            }
            '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    starts
}

pub fn parse_json(file: &str, text: &str) -> Parsed {
    let mut out = Parsed::default();
    let items: Vec<serde_json::Value> = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            out.reject(file, e.line(), format!("not a JSON array of articles: {e}"));
            return out;
        }
    };
    let lines = element_lines(text);
    for (i, item) in items.into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let d = serde_json::from_value::<JsonArticle>(item)
            .map_err(|e| e.to_string())
            .and_then(|a| draft(&a.slug, &a.lang, &a.topic, &a.title, &a.body, a.questions));
        out.push(file, line, d);
    }
    out
}

pub fn parse_csv(file: &str, text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.reject(file, 1, format!("cannot read the header: {e}"));
            return out;
        }
    };
    let col: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
        .collect();
    let missing: Vec<&str> = ["slug", "lang", "topic", "title", "body"]
        .into_iter()
        .filter(|c| !col.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        out.reject(file, 1, format!("the header lacks {}", missing.join(", ")));
        return out;
    }
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                out.reject(file, line, format!("malformed row: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let get = |c: &str| col.get(c).and_then(|&i| record.get(i)).unwrap_or("");
        let questions = get("questions")
            .split(" | ")
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(String::from)
            .collect();
        out.push(
            file,
            line,
            draft(
                get("slug"),
                get("lang"),
                get("topic"),
                get("title"),
                get("body"),
                questions,
            ),
        );
    }
    out
}

pub fn parse_markdown(file: &str, text: &str) -> Parsed {
    let mut out = Parsed::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    if lines.next().map(|(_, l)| l.trim()) != Some("---") {
        out.reject(file, 1, "a Markdown article starts with front matter between --- lines");
        return out;
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut questions = Vec::new();
    let mut in_questions = false;
    let mut body_start = None;
    for (i, line) in lines.by_ref() {
        let t = line.trim();
        if t == "---" {
            body_start = Some(i + 1);
            break;
        }
        if t.is_empty() {
            continue;
        }
        if let Some(item) = t.strip_prefix("- ").filter(|_| in_questions) {
            questions.push(unquote(item).to_string());
            continue;
        }
        let Some((k, v)) = t.split_once(':') else {
            out.reject(file, i + 1, format!("front matter: expected `key: value`, got {t:?}"));
            return out;
        };
        let k = k.trim().to_ascii_lowercase();
        in_questions = k == "questions";
        if !["slug", "lang", "topic", "title", "questions"].contains(&k.as_str()) {
            out.reject(file, i + 1, format!("front matter: unknown key {k:?}"));
            return out;
        }
        if !in_questions {
            fields.insert(k, unquote(v.trim()).to_string());
        }
    }
    let Some(start) = body_start else {
        out.reject(file, 1, "the front matter is not closed by a --- line");
        return out;
    };
    let body: Vec<&str> = text.lines().skip(start).collect();
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    out.push(
        file,
        1,
        draft(
            get("slug"),
            get("lang"),
            get("topic"),
            get("title"),
            &body.join("\n"),
            questions,
        ),
    );
    out
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Reads one file by its extension (`.json`, `.csv`, `.md`), or every such file in a directory.
pub fn read(path: &Path) -> anyhow::Result<Parsed> {
    let mut out = Parsed::default();
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries.into_iter().filter(|p| p.is_file()) {
            let part = read(&p)?;
            out.rows.extend(part.rows);
            out.rejected.extend(part.rejected);
        }
        return Ok(out);
    }
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("reading {name}: {e}"))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    Ok(match ext.as_str() {
        "json" => parse_json(&name, &text),
        "csv" => parse_csv(&name, &text),
        "md" | "markdown" => parse_markdown(&name, &text),
        _ => {
            out.reject(&name, 0, "unknown format: use .json, .csv or .md");
            out
        }
    })
}

/// Reads every file (or directory) of `paths` and drops repeated slug-and-language rows.
pub fn read_all(paths: &[std::path::PathBuf]) -> anyhow::Result<Parsed> {
    let mut parsed = Parsed::default();
    for p in paths {
        let part = read(p)?;
        parsed.rows.extend(part.rows);
        parsed.rejected.extend(part.rejected);
    }
    dedupe(&mut parsed);
    Ok(parsed)
}

/// Drops the second and later rows with the same slug and language, reporting each.
pub fn dedupe(parsed: &mut Parsed) {
    let mut first: HashMap<(String, &'static str), (String, usize)> = HashMap::new();
    let mut keep = Vec::with_capacity(parsed.rows.len());
    for row in std::mem::take(&mut parsed.rows) {
        let key = (row.draft.slug.clone(), row.draft.lang.as_str());
        match first.get(&key) {
            Some((f, l)) => parsed.rejected.push(Rejected {
                file: row.file.clone(),
                line: row.line,
                reason: format!("duplicate of {f}:{l} (slug {:?}, {})", key.0, key.1),
            }),
            None => {
                first.insert(key, (row.file.clone(), row.line));
                keep.push(row);
            }
        }
    }
    parsed.rows = keep;
}

/// Articles as CSV (the import format; questions joined by ` | `).
pub fn to_csv(articles: &[backstop_store::ArticleRecord]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["slug", "lang", "topic", "title", "body", "questions"])?;
    for a in articles {
        w.write_record([
            a.slug.as_str(),
            a.lang.as_str(),
            a.topic.as_str(),
            a.title.as_str(),
            a.body.as_str(),
            a.questions.join(" | ").as_str(),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Articles as a JSON array (the import format).
pub fn to_json(articles: &[backstop_store::ArticleRecord]) -> String {
    let items: Vec<serde_json::Value> = articles
        .iter()
        .map(|a| {
            serde_json::json!({
                "slug": a.slug, "lang": a.lang.as_str(), "topic": a.topic, "title": a.title,
                "body": a.body, "questions": a.questions,
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap_or_default()
}

#[cfg(test)]
#[path = "kbfile_tests.rs"]
mod tests;
