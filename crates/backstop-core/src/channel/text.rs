//! An answer made fit for a channel: cut into pieces no longer than the channel takes — at a
//! paragraph, then a line, a sentence, a clause, a space, and only as a last resort inside a
//! word — and each piece written in the channel's formatting.
//!
//! The Markdown read is the small part answers use: paragraphs, `#` headings, `-`/`*`/`+` and
//! numbered lists, fenced code, `**bold**`/`__bold__`, `*italic*`/`_italic_`, `~~strike~~`,
//! `` `code` `` and `[text](url)` links. Anything else is text. A piece's visible length (in
//! characters and in UTF-8 bytes) never grows when it is rendered, so a piece cut to the limit
//! stays within it.

use super::{Format, Limits, Unit};

/// The pieces to send for `markdown` on a channel with these limits, in order, none empty.
pub fn prepare(markdown: &str, limits: Limits) -> Vec<String> {
    split(markdown, limits.max, limits.unit)
        .iter()
        .map(|piece| render(piece, limits.format))
        .collect()
}

/// Cuts `text` into pieces of at most `max` units, each trimmed, none empty.
pub fn split(text: &str, max: usize, unit: Unit) -> Vec<String> {
    let max = max.max(4);
    let mut pieces = Vec::new();
    let mut rest = text.trim();
    while unit.len(rest) > max {
        let window_end = match unit {
            Unit::Chars => rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i),
            Unit::Utf8Bytes => (0..=max).rev().find(|i| rest.is_char_boundary(*i)).unwrap_or(0),
        };
        let window = &rest[..window_end];
        let cut = break_in(window);
        let piece = rest[..cut].trim_end();
        if !piece.is_empty() {
            pieces.push(piece.to_owned());
        }
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

/// A kind of break: where a piece ends if it breaks at byte `i` of the window, if it can.
type BreakAt = dyn Fn(&str, usize) -> Option<usize>;

/// Where to end a piece within `window` (a byte index after the break): the last paragraph
/// break, else line break, sentence end, clause end, space — each only if it keeps at least a
/// third of the window, so no piece is needlessly short — else the window's end.
fn break_in(window: &str) -> usize {
    let floor = window.len() / 3;
    let classes: [&BreakAt; 5] = [
        &|w, i| w[i..].starts_with("\n\n").then_some(i + 2),
        &|w, i| w[i..].starts_with('\n').then_some(i + 1),
        &|w, i| ends_sentence(w, i),
        &|w, i| ends_clause(w, i),
        &|w, i| {
            w[i..]
                .chars()
                .next()
                .filter(|c| c.is_whitespace())
                .map(|c| i + c.len_utf8())
        },
    ];
    for class in classes {
        let found = window
            .char_indices()
            .rev()
            .take_while(|(i, _)| *i >= floor)
            .find_map(|(i, _)| class(window, i));
        if let Some(cut) = found {
            return cut;
        }
    }
    window.len()
}

fn ends_sentence(w: &str, i: usize) -> Option<usize> {
    let mut chars = w[i..].chars();
    let c = chars.next()?;
    let after = i + c.len_utf8();
    match c {
        '。' | '！' | '？' | '…' => Some(after),
        '.' | '!' | '?' => chars.next().filter(|n| n.is_whitespace()).map(|n| after + n.len_utf8()),
        _ => None,
    }
}

fn ends_clause(w: &str, i: usize) -> Option<usize> {
    let mut chars = w[i..].chars();
    let c = chars.next()?;
    let after = i + c.len_utf8();
    match c {
        '，' | '；' | '：' | '、' => Some(after),
        ',' | ';' | ':' => chars.next().filter(|n| n.is_whitespace()).map(|n| after + n.len_utf8()),
        _ => None,
    }
}

/// `markdown` written in `format`.
pub fn render(markdown: &str, format: Format) -> String {
    if format == Format::Markdown {
        return markdown.to_owned();
    }
    let blocks = blocks(markdown);
    let mut out = String::new();
    for (n, (blank_before, block)) in blocks.iter().enumerate() {
        if n > 0 && format != Format::Html {
            // A blank line between blocks only where the text had one, so nothing grows.
            out.push_str(if *blank_before { "\n\n" } else { "\n" });
        }
        match block {
            Block::Paragraph(lines) => {
                if format == Format::Html {
                    out.push_str("<p>");
                }
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        out.push_str(if format == Format::Html { "<br>\n" } else { "\n" });
                    }
                    inline(&parse_inline(line), format, &mut out);
                }
                if format == Format::Html {
                    out.push_str("</p>\n");
                }
            }
            Block::Heading(text) => {
                let spans = vec![Span::Bold(parse_inline(text))];
                if format == Format::Html {
                    out.push_str("<p>");
                    inline(&spans, format, &mut out);
                    out.push_str("</p>\n");
                } else if format == Format::Plain {
                    inline(&parse_inline(text), format, &mut out);
                } else {
                    inline(&spans, format, &mut out);
                }
            }
            Block::List(items) => {
                if format == Format::Html {
                    let ordered = items.iter().all(|(mark, _)| mark != "-");
                    let tag = if ordered { "ol" } else { "ul" };
                    out.push_str(&format!("<{tag}>\n"));
                    for (_, item) in items {
                        out.push_str("<li>");
                        inline(&parse_inline(item), format, &mut out);
                        out.push_str("</li>\n");
                    }
                    out.push_str(&format!("</{tag}>\n"));
                } else {
                    for (i, (mark, item)) in items.iter().enumerate() {
                        if i > 0 {
                            out.push('\n');
                        }
                        out.push_str(mark);
                        out.push(' ');
                        inline(&parse_inline(item), format, &mut out);
                    }
                }
            }
            Block::Code(code) => match format {
                Format::WhatsApp => {
                    out.push_str("```");
                    out.push_str(code);
                    out.push_str("```");
                }
                Format::TelegramHtml => {
                    out.push_str("<pre>");
                    escape_into(code, &mut out);
                    out.push_str("</pre>");
                }
                Format::Html => {
                    out.push_str("<pre>");
                    escape_into(code, &mut out);
                    out.push_str("</pre>\n");
                }
                Format::Plain | Format::Markdown => out.push_str(code),
            },
        }
    }
    if format == Format::Html {
        out.truncate(out.trim_end().len());
    }
    out
}

enum Block {
    Paragraph(Vec<String>),
    Heading(String),
    /// Items with their marker as shown: `-` or the item's number (`1.`).
    List(Vec<(String, String)>),
    Code(String),
}

/// The blocks of `markdown`, each with whether a blank line came before it.
fn blocks(markdown: &str) -> Vec<(bool, Block)> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines().peekable();
    let mut blank = false;
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            blank = true;
            continue;
        }
        let before = std::mem::take(&mut blank);
        if trimmed.starts_with("```") {
            let mut code = Vec::new();
            for inner in lines.by_ref() {
                if inner.trim_start().starts_with("```") {
                    break;
                }
                code.push(inner);
            }
            blocks.push((before, Block::Code(code.join("\n"))));
            continue;
        }
        if let Some(text) = heading(trimmed) {
            blocks.push((before, Block::Heading(text.to_owned())));
            continue;
        }
        if let Some(item) = list_item(trimmed) {
            let mut items = vec![item];
            while let Some(next) = lines.peek().and_then(|l| list_item(l.trim())) {
                items.push(next);
                lines.next();
            }
            blocks.push((before, Block::List(items)));
            continue;
        }
        let mut paragraph = vec![trimmed.to_owned()];
        while let Some(next) = lines.peek().map(|l| l.trim()) {
            if next.is_empty() || next.starts_with("```") || heading(next).is_some() {
                break;
            }
            if list_item(next).is_some() {
                break;
            }
            paragraph.push(next.to_owned());
            lines.next();
        }
        blocks.push((before, Block::Paragraph(paragraph)));
    }
    blocks
}

fn heading(line: &str) -> Option<&str> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&hashes) {
        line[hashes..].strip_prefix(' ').map(str::trim)
    } else {
        None
    }
}

fn list_item(line: &str) -> Option<(String, String)> {
    for bullet in ["- ", "* ", "+ "] {
        if let Some(item) = line.strip_prefix(bullet) {
            return Some(("-".to_owned(), item.trim().to_owned()));
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if (1..=3).contains(&digits) {
        let rest = &line[digits..];
        for mark in [". ", ") "] {
            if let Some(item) = rest.strip_prefix(mark) {
                return Some((format!("{}.", &line[..digits]), item.trim().to_owned()));
            }
        }
    }
    None
}

#[derive(Debug, PartialEq)]
enum Span {
    Text(String),
    Bold(Vec<Span>),
    Italic(Vec<Span>),
    Strike(Vec<Span>),
    Code(String),
    Link { text: Vec<Span>, url: String },
}

/// Reads a line's emphasis, code and links; an unmatched marker is text.
fn parse_inline(s: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if let Some((span, used)) = span_at(s, i) {
            if !text.is_empty() {
                spans.push(Span::Text(std::mem::take(&mut text)));
            }
            spans.push(span);
            i += used;
            continue;
        }
        let c = rest.chars().next().expect("in bounds");
        text.push(c);
        i += c.len_utf8();
    }
    if !text.is_empty() {
        spans.push(Span::Text(text));
    }
    spans
}

/// The span that starts at byte `i` of `s`, and the bytes it takes.
fn span_at(s: &str, i: usize) -> Option<(Span, usize)> {
    let rest = &s[i..];
    if let Some(body) = rest.strip_prefix('`') {
        let end = body.find('`')?;
        return (end > 0).then(|| (Span::Code(body[..end].to_owned()), end + 2));
    }
    if rest.starts_with('[') {
        let close = rest.find("](")?;
        let url_end = rest[close + 2..].find(')')?;
        let url = &rest[close + 2..close + 2 + url_end];
        if url.is_empty() || url.contains(char::is_whitespace) {
            return None;
        }
        let text = parse_inline(&rest[1..close]);
        return Some((
            Span::Link {
                text,
                url: url.to_owned(),
            },
            close + 3 + url_end,
        ));
    }
    for (marker, make) in [
        ("**", Span::Bold as fn(Vec<Span>) -> Span),
        ("__", Span::Bold),
        ("~~", Span::Strike),
        ("*", Span::Italic),
        ("_", Span::Italic),
    ] {
        if let Some(inner) = delimited(s, i, marker) {
            return Some((make(parse_inline(inner)), inner.len() + 2 * marker.len()));
        }
    }
    None
}

/// The text between `marker` at byte `i` and its closing twin: the opener followed and the
/// closer preceded by a non-space; `_` markers not inside a word (`snake_case` stays text).
fn delimited<'a>(s: &'a str, i: usize, marker: &str) -> Option<&'a str> {
    let rest = s[i..].strip_prefix(marker)?;
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let underscore = marker.starts_with('_');
    if rest.starts_with(char::is_whitespace) || rest.starts_with(marker.chars().next()?) {
        return None;
    }
    if underscore && word(s[..i].chars().next_back()) {
        return None;
    }
    let mut from = 0;
    while let Some(pos) = rest[from..].find(marker) {
        let end = from + pos;
        let inner = &rest[..end];
        let after = rest[end + marker.len()..].chars().next();
        let opens_no_span = inner.is_empty() || inner.ends_with(char::is_whitespace);
        let inside_word = underscore && word(after);
        let doubled = marker.len() == 1 && after == marker.chars().next();
        let closes = !(opens_no_span || inside_word || doubled);
        if closes {
            return Some(inner);
        }
        from = end + marker.len();
    }
    None
}

fn inline(spans: &[Span], format: Format, out: &mut String) {
    for span in spans {
        match span {
            Span::Text(t) => match format {
                Format::TelegramHtml | Format::Html => escape_into(t, out),
                _ => out.push_str(t),
            },
            Span::Bold(inner) => wrap(inner, format, ("*", "<b>", "</b>"), out),
            Span::Italic(inner) => wrap(inner, format, ("_", "<i>", "</i>"), out),
            Span::Strike(inner) => wrap(inner, format, ("~", "<s>", "</s>"), out),
            Span::Code(code) => match format {
                Format::TelegramHtml | Format::Html => {
                    out.push_str("<code>");
                    escape_into(code, out);
                    out.push_str("</code>");
                }
                Format::WhatsApp => {
                    out.push('`');
                    out.push_str(code);
                    out.push('`');
                }
                Format::Plain | Format::Markdown => out.push_str(code),
            },
            Span::Link { text, url } => match format {
                Format::TelegramHtml | Format::Html => {
                    out.push_str("<a href=\"");
                    escape_into(url, out);
                    out.push_str("\">");
                    inline(text, format, out);
                    out.push_str("</a>");
                }
                _ => {
                    let mut shown = String::new();
                    inline(text, Format::Plain, &mut shown);
                    if shown == *url || shown.is_empty() {
                        out.push_str(url);
                    } else {
                        inline(text, format, out);
                        out.push_str(" (");
                        out.push_str(url);
                        out.push(')');
                    }
                }
            },
        }
    }
}

fn wrap(inner: &[Span], format: Format, (wa, open, close): (&str, &str, &str), out: &mut String) {
    match format {
        Format::WhatsApp => {
            out.push_str(wa);
            inline(inner, format, out);
            out.push_str(wa);
        }
        Format::TelegramHtml | Format::Html => {
            out.push_str(open);
            inline(inner, format, out);
            out.push_str(close);
        }
        Format::Plain | Format::Markdown => inline(inner, format, out),
    }
}

/// Escapes `&`, `<`, `>` and `"` for HTML text and attribute values.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}
