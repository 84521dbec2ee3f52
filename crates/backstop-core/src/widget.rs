//! A tenant's widget settings: its colour and corner, the greeting in each language, the languages
//! it offers, and the sites allowed to embed it (an empty list: any site). Validated field by
//! field; the embed snippet is written from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::message::Lang;
use crate::{FieldError, Fields};

/// Which bottom corner the launcher sits in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corner {
    #[default]
    Right,
    Left,
}

impl Corner {
    pub fn as_str(self) -> &'static str {
        match self {
            Corner::Right => "right",
            Corner::Left => "left",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WidgetSettings {
    /// The accent colour, `#rrggbb`.
    pub color: String,
    pub corner: Corner,
    /// The first words a visitor reads, per language; a language without one gets the built-in
    /// greeting.
    pub greeting: BTreeMap<Lang, String>,
    /// The languages the widget offers, the first the default for a visitor whose browser asks
    /// for neither; empty: every language Backstop speaks.
    pub languages: Vec<Lang>,
    /// The sites (`https://shop.example`, scheme, host and port) allowed to open sessions and
    /// send messages; empty: any site.
    pub origins: Vec<String>,
}

impl Default for WidgetSettings {
    fn default() -> Self {
        WidgetSettings {
            color: Self::DEFAULT_COLOR.into(),
            corner: Corner::Right,
            greeting: BTreeMap::new(),
            languages: Vec::new(),
            origins: Vec::new(),
        }
    }
}

impl WidgetSettings {
    pub const DEFAULT_COLOR: &'static str = "#3452db";
    pub const MAX_GREETING: usize = 300;
    pub const MAX_ORIGINS: usize = 50;

    /// Tidies what an admin typed (trims, lower-cases colours and origins, drops a trailing `/`,
    /// removes duplicates and empty greetings), then checks every field.
    pub fn normalized(mut self) -> Result<Self, Vec<FieldError>> {
        self.color = self.color.trim().to_ascii_lowercase();
        self.greeting = std::mem::take(&mut self.greeting)
            .into_iter()
            .map(|(l, g)| (l, g.trim().to_owned()))
            .filter(|(_, g)| !g.is_empty())
            .collect();
        let mut langs = Vec::new();
        for l in self.languages.drain(..) {
            if !langs.contains(&l) {
                langs.push(l);
            }
        }
        self.languages = langs;
        let mut origins: Vec<String> = Vec::new();
        for o in self.origins.drain(..) {
            let o = o.trim().trim_end_matches('/').to_ascii_lowercase();
            if !o.is_empty() && !origins.contains(&o) {
                origins.push(o);
            }
        }
        self.origins = origins;

        let mut f = Fields::default();
        if !is_hex_color(&self.color) {
            f.bad("color", "must be a colour written #rrggbb, e.g. #2563eb");
        }
        for (lang, g) in &self.greeting {
            if g.chars().count() > Self::MAX_GREETING {
                f.bad(
                    format!("greeting.{}", lang.as_str()),
                    format!("is longer than {} characters", Self::MAX_GREETING),
                );
            }
        }
        if self.origins.len() > Self::MAX_ORIGINS {
            f.bad("origins", format!("at most {} sites", Self::MAX_ORIGINS));
        }
        for o in &self.origins {
            if let Err(why) = check_origin(o) {
                f.bad("origins", format!("{o:?} {why}"));
            }
        }
        f.done()?;
        Ok(self)
    }

    /// May a page of `origin` (the browser's `Origin` header, already lower-case or not) use the
    /// widget?
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.is_empty() || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }

    /// The language a visitor gets: the one asked for when offered, else the first offered.
    pub fn language_for(&self, asked: Option<Lang>) -> Option<Lang> {
        match asked {
            Some(l) if self.languages.is_empty() || self.languages.contains(&l) => Some(l),
            _ => self.languages.first().copied().or(asked),
        }
    }

    /// The `<script>` tag a site pastes before `</body>`; `base` is where Backstop is served
    /// (`https://support.example.com`).
    pub fn snippet(&self, base: &str, tenant: &str) -> String {
        let lang = self
            .languages
            .first()
            .map(|l| format!(" data-lang=\"{}\"", l.as_str()))
            .unwrap_or_default();
        format!(
            "<script src=\"{}/widget.js\" data-tenant=\"{tenant}\"{lang} async></script>",
            base.trim_end_matches('/')
        )
    }
}

fn is_hex_color(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// An origin is `http(s)://host[:port]`, nothing more.
fn check_origin(o: &str) -> Result<(), &'static str> {
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, Some(p)),
        _ => (rest, None),
    };
    if host.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err("must be only a scheme and a host, e.g. https://shop.example (no path)");
    }
    if !host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'[' | b']' | b':'))
    {
        return Err("has a character a host name cannot hold");
    }
    if port.is_some_and(|p| p.parse::<u16>().map_or(true, |n| n == 0)) {
        return Err("has a port that is not a number from 1 to 65535");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut WidgetSettings)) -> Result<WidgetSettings, Vec<FieldError>> {
        let mut w = WidgetSettings::default();
        f(&mut w);
        w.normalized()
    }

    #[test]
    fn settings_are_tidied_then_checked_field_by_field() {
        let w = with(|w| {
            w.color = " #AABBCC ".into();
            w.origins = vec![
                "https://Shop.example/".into(),
                "https://shop.example".into(),
                " ".into(),
                "http://localhost:8080".into(),
            ];
            w.greeting.insert(Lang::Zh, "  您好 ".into());
            w.greeting.insert(Lang::En, " ".into());
            w.languages = vec![Lang::Zh, Lang::Zh, Lang::En];
        })
        .unwrap();
        assert_eq!(w.color, "#aabbcc");
        assert_eq!(w.origins, ["https://shop.example", "http://localhost:8080"]);
        assert_eq!(w.greeting.len(), 1, "an empty greeting is the built-in one");
        assert_eq!(w.languages, [Lang::Zh, Lang::En]);
        assert!(w.allows("https://SHOP.example") && !w.allows("https://evil.example"));
        assert!(WidgetSettings::default().allows("https://anything.example"));

        let errs = with(|w| {
            w.color = "blue".into();
            w.origins = vec![
                "shop.example".into(),
                "https://shop.example/path".into(),
                "https://a b".into(),
                "https://shop.example:99999".into(),
                "https://user@shop.example".into(),
            ];
            w.greeting.insert(Lang::En, "x".repeat(301));
        })
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "color",
                "greeting.en",
                "origins",
                "origins",
                "origins",
                "origins",
                "origins"
            ]
        );
        assert!(errs[2].message.contains("https://"), "{}", errs[2]);
    }

    #[test]
    fn the_visitor_gets_an_offered_language() {
        let only_zh = with(|w| w.languages = vec![Lang::Zh]).unwrap();
        assert_eq!(only_zh.language_for(Some(Lang::En)), Some(Lang::Zh));
        assert_eq!(only_zh.language_for(None), Some(Lang::Zh));
        let any = WidgetSettings::default();
        assert_eq!(any.language_for(Some(Lang::En)), Some(Lang::En));
        assert_eq!(any.language_for(None), None);
    }

    #[test]
    fn the_snippet_names_the_tenant_and_the_first_language() {
        let w = with(|w| w.languages = vec![Lang::Zh, Lang::En]).unwrap();
        assert_eq!(
            w.snippet("https://help.shop.example/", "shop"),
            "<script src=\"https://help.shop.example/widget.js\" data-tenant=\"shop\" data-lang=\"zh\" async></script>"
        );
    }
}
