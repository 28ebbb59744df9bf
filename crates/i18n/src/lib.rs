//! What Portcullis says to people, in their language. Every message of the hosted pages,
//! the emails, the SMS and the Frontend API errors lives in one Project Fluent file per
//! locale under `locales/` (`en.ftl`, `fr.ftl`, `pt-BR.ftl`, …), which translators edit
//! without touching Rust; Fluent brings CLDR's plural rules. The files are built into the
//! binary, so nothing is read from disk at run time.
//!
//! A [`Locale`] is a small copyable handle. A message a locale lacks comes from English, and
//! the completeness test (`tests::every_locale_has_every_message`) keeps that from happening
//! in the locales that ship.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// Languages written right to left, by their primary language subtag.
const RIGHT_TO_LEFT: &[&str] = &["ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"];

struct Catalog {
    tags: Vec<&'static str>,
    ids: Vec<LanguageIdentifier>,
    bundles: Vec<FluentBundle<FluentResource>>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut c = Catalog {
            tags: Vec::new(),
            ids: Vec::new(),
            bundles: Vec::new(),
        };
        for (tag, source) in SOURCES {
            // A file that does not parse or parse into a language tag is left out (English
            // then answers for it); the completeness test fails on it long before a release.
            let Ok(id) = tag.parse::<LanguageIdentifier>() else {
                continue;
            };
            let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(r, _)| r);
            let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
            // Unicode isolation marks around placeables would end up in email subjects,
            // SMS and JSON; pages mark direction with `dir` instead.
            bundle.set_use_isolating(false);
            // A duplicate id keeps its first definition; the completeness test names it.
            let _ = bundle.add_resource(resource);
            c.tags.push(tag);
            c.ids.push(id);
            c.bundles.push(bundle);
        }
        c
    })
}

/// One of the locales Portcullis ships. `Locale::EN` is always there.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Locale(u16);

impl std::fmt::Debug for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

impl Default for Locale {
    fn default() -> Self {
        Locale::EN
    }
}

/// A value for a message's placeable: text or a number (numbers select plural forms).
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

fn fluent_args<'a>(args: &'a [(&'a str, Arg<'a>)]) -> FluentArgs<'a> {
    let mut out = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        match value {
            Arg::Text(t) => out.set(*name, FluentValue::from(t.as_ref())),
            Arg::Number(n) => out.set(*name, FluentValue::from(*n)),
        }
    }
    out
}

impl Locale {
    /// English, the reference locale and the fallback of every other.
    pub const EN: Locale = Locale(0);

    /// The locale's BCP 47 tag as its file is named (`en`, `pt-BR`, `zh-CN`).
    pub fn tag(self) -> &'static str {
        catalog()
            .tags
            .get(usize::from(self.0))
            .copied()
            .unwrap_or("en")
    }

    /// `rtl` for a language written right to left, else `ltr` (the HTML `dir` attribute).
    pub fn dir(self) -> &'static str {
        let language = self.tag().split('-').next().unwrap_or("");
        if RIGHT_TO_LEFT.contains(&language) {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The language's own name for itself ("Français"), for a language picker.
    pub fn name(self) -> String {
        self.text("language-name")
    }

    /// The shipped locale for a tag: exactly, or the best match by language, script and
    /// region (`fr-CA` → `fr`, `pt` → `pt-BR`, `zh-Hans` → `zh-CN`; `zh-TW`, written in
    /// traditional characters, matches nothing). Case does not matter.
    pub fn parse(tag: &str) -> Option<Locale> {
        negotiate([tag])
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        let c = catalog();
        c.bundles
            .get(usize::from(self.0))
            .or_else(|| c.bundles.first())
            .unwrap_or_else(|| unreachable!("locales/en.ftl is built in"))
    }

    /// Whether this locale defines `id` itself (not through the English fallback).
    pub fn has(self, id: &str) -> bool {
        self.bundle().has_message(id)
    }

    /// The message `id` without arguments.
    pub fn text(self, id: &str) -> String {
        self.format(id, &[])
    }

    /// The message `id` with its placeables filled from `args`; from English when this
    /// locale lacks it, and the id itself when English lacks it too (a bug the tests catch).
    pub fn format(self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        self.lookup(id, None, args)
            .or_else(|| Locale::EN.lookup(id, None, args))
            .unwrap_or_else(|| id.to_owned())
    }

    /// The attribute `attr` of message `id` (`error-form_code_incorrect.long`), with the same
    /// fallbacks as [`Locale::format`] but for the last: `None` when no locale has it.
    pub fn attribute(self, id: &str, attr: &str, args: &[(&str, Arg<'_>)]) -> Option<String> {
        self.lookup(id, Some(attr), args)
            .or_else(|| Locale::EN.lookup(id, Some(attr), args))
    }

    /// The message (or attribute) in this locale only, no fallback; None as well when it
    /// needs an argument `args` lacks.
    pub fn lookup(self, id: &str, attr: Option<&str>, args: &[(&str, Arg<'_>)]) -> Option<String> {
        let bundle = self.bundle();
        let message = bundle.get_message(id)?;
        let pattern = match attr {
            Some(a) => message.get_attribute(a)?.value(),
            None => message.value()?,
        };
        let args = (!args.is_empty()).then(|| fluent_args(args));
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args.as_ref(), &mut errors);
        errors.is_empty().then(|| text.into_owned())
    }
}

/// A BCP 47 language tag as a user's `locale` is stored: canonical case (`fr-CA`,
/// `zh-Hant-TW`), or None when it is not a language tag. Any well-formed tag is kept, not only
/// shipped ones: messages then use its best shipped match, and a later locale its own.
pub fn canonical_tag(tag: &str) -> Option<String> {
    let tag = tag.trim();
    if tag.is_empty() || tag.len() > 35 {
        return None;
    }
    let id = tag.parse::<LanguageIdentifier>().ok()?;
    (id.language.as_str() != "und").then(|| id.to_string())
}

/// Every shipped locale, English first.
pub fn all() -> impl Iterator<Item = Locale> {
    (0..catalog().tags.len()).filter_map(|i| u16::try_from(i).ok().map(Locale))
}

/// The tags of every shipped locale (discovery's `ui_locales_supported`).
pub fn tags() -> Vec<&'static str> {
    catalog().tags.clone()
}

/// The first of `wanted` (most preferred first) that a shipped locale serves, by RFC 4647
/// filtering with likely subtags: a request for `de-AT` gets `de`.
pub fn negotiate<'a>(wanted: impl IntoIterator<Item = &'a str>) -> Option<Locale> {
    let c = catalog();
    for tag in wanted {
        let tag = tag.trim();
        if tag.is_empty() || tag == "*" || tag.len() > 35 {
            continue;
        }
        let Ok(requested) = tag.parse::<LanguageIdentifier>() else {
            continue;
        };
        if written_in_traditional_chinese(&requested) {
            // The one Chinese locale shipped is simplified (zh-CN): a reader of traditional
            // characters is better served by their next choice than by the wrong script.
            continue;
        }
        let found = fluent_langneg::negotiate_languages(
            std::slice::from_ref(&requested),
            &c.ids,
            None,
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        if let Some(best) = found.first()
            && let Some(i) = c.ids.iter().position(|id| id == *best)
        {
            return u16::try_from(i).ok().map(Locale);
        }
    }
    None
}

/// `zh-Hant`, or `zh` in Taiwan, Hong Kong or Macao without a script (CLDR's likely
/// subtags give those traditional characters).
fn written_in_traditional_chinese(id: &LanguageIdentifier) -> bool {
    if id.language.as_str() != "zh" {
        return false;
    }
    match id.script {
        Some(script) => script.as_str() == "Hant",
        None => id
            .region
            .is_some_and(|r| matches!(r.as_str(), "TW" | "HK" | "MO")),
    }
}

/// The languages of an `Accept-Language` header (RFC 9110 §12.5.4), most preferred first:
/// ordered by weight, ties kept in the order given, `q=0` ("not acceptable") left out.
pub fn accept_language(header: &str) -> Vec<&str> {
    let mut ranges: Vec<(u16, usize, &str)> = header
        .split(',')
        .take(32)
        .enumerate()
        .filter_map(|(i, item)| {
            let mut parts = item.split(';');
            let range = parts.next()?.trim();
            let mut weight = 1000u16;
            for p in parts {
                let p = p.trim();
                if let Some(q) = p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")) {
                    weight = parse_qvalue(q)?;
                }
            }
            (weight > 0 && !range.is_empty()).then_some((weight, i, range))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranges.into_iter().map(|(_, _, r)| r).collect()
}

/// A `qvalue` in thousandths (RFC 9110 §12.4.2: `0`–`1` with up to three decimals).
fn parse_qvalue(q: &str) -> Option<u16> {
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut scale = 100;
    for d in frac.bytes() {
        thousandths += u16::from(d - b'0') * scale;
        scale /= 10;
    }
    (thousandths <= 1000).then_some(thousandths)
}

/// The locale for an `Accept-Language` header, if it names one Portcullis ships.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    negotiate(accept_language(header))
}

/// The ids of every message and attribute (`id.attr`) a Fluent source defines, each with
/// the variables it uses, sorted; and the source's syntax errors. For the completeness test
/// and for `portcullis` tooling that checks a translator's file.
pub fn inventory(source: &str) -> (Vec<(String, Vec<String>)>, Vec<String>) {
    use fluent_syntax::ast;
    let (resource, errors) = match fluent_syntax::parser::parse(source) {
        Ok(r) => (r, Vec::new()),
        Err((r, errs)) => (r, errs.iter().map(|e| format!("{e:?}")).collect()),
    };
    fn vars(p: &ast::Pattern<&str>, out: &mut Vec<String>) {
        for el in &p.elements {
            if let ast::PatternElement::Placeable { expression } = el {
                expr(expression, out);
            }
        }
    }
    fn expr(e: &ast::Expression<&str>, out: &mut Vec<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    vars(&v.value, out);
                }
            }
            ast::Expression::Inline(i) => inline(i, out),
        }
    }
    fn inline(i: &ast::InlineExpression<&str>, out: &mut Vec<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => out.push(id.name.to_owned()),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline(a, out);
                }
            }
            ast::InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    let mut entries = Vec::new();
    for entry in &resource.body {
        if let ast::Entry::Message(m) = entry {
            if let Some(v) = &m.value {
                let mut found = Vec::new();
                vars(v, &mut found);
                found.sort();
                found.dedup();
                entries.push((m.id.name.to_owned(), found));
            }
            for a in &m.attributes {
                let mut found = Vec::new();
                vars(&a.value, &mut found);
                found.sort();
                found.dedup();
                entries.push((format!("{}.{}", m.id.name, a.id.name), found));
            }
        }
    }
    entries.sort();
    (entries, errors)
}

/// Each shipped locale's tag and Fluent source, English first.
pub fn sources() -> &'static [(&'static str, &'static str)] {
    SOURCES
}

/// The locale a request asked for, for code that renders a response but is not handed the
/// request (an error's body). Set by the web layer around each request.
pub mod request {
    use super::Locale;

    tokio::task_local! {
        static CURRENT: Option<Locale>;
    }

    /// Runs `fut` with `locale` as the request's (None: the request named none).
    pub async fn scope<F: std::future::Future>(locale: Option<Locale>, fut: F) -> F::Output {
        CURRENT.scope(locale, fut).await
    }

    /// The locale the request named, if any.
    pub fn current() -> Option<Locale> {
        CURRENT.try_with(|l| *l).ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_locale_has_every_message() {
        let (reference, errors) = inventory(SOURCES[0].1);
        assert!(errors.is_empty(), "en.ftl: {errors:?}");
        assert!(reference.len() > 200, "en.ftl defines {}", reference.len());
        let mut ids: Vec<&str> = reference.iter().map(|(id, _)| id.as_str()).collect();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "en.ftl defines an id twice");
        for (tag, source) in &SOURCES[1..] {
            let (entries, errors) = inventory(source);
            assert!(errors.is_empty(), "{tag}.ftl does not parse: {errors:?}");
            let missing: Vec<_> = reference
                .iter()
                .filter(|(id, _)| !entries.iter().any(|(e, _)| e == id))
                .map(|(id, _)| id.as_str())
                .collect();
            assert!(missing.is_empty(), "{tag}.ftl lacks {missing:?}");
            let extra: Vec<_> = entries
                .iter()
                .filter(|(id, _)| !reference.iter().any(|(e, _)| e == id))
                .map(|(id, _)| id.as_str())
                .collect();
            assert!(
                extra.is_empty(),
                "{tag}.ftl has ids English lacks: {extra:?}"
            );
            for (id, vars) in &reference {
                let theirs = entries.iter().find(|(e, _)| e == id).map(|(_, v)| v);
                assert_eq!(
                    Some(vars),
                    theirs,
                    "{tag}.ftl: {id} uses other placeables than English"
                );
            }
        }
    }

    #[test]
    fn the_twelve_locales_ship() {
        for tag in [
            "en", "es", "fr", "de", "it", "pt-BR", "nl", "pl", "ja", "zh-CN", "ko", "ar",
        ] {
            let l = Locale::parse(tag).unwrap_or_else(|| panic!("{tag} is not shipped"));
            assert_eq!(l.tag(), tag);
        }
        assert_eq!(Locale::EN.tag(), "en");
        assert_eq!(tags().len(), all().count());
    }

    #[test]
    fn tags_match_by_language_script_and_region() {
        let tag = |t: &str| Locale::parse(t).map(Locale::tag);
        assert_eq!(tag("fr-CA"), Some("fr"));
        assert_eq!(tag("FR"), Some("fr"));
        assert_eq!(tag("de-AT"), Some("de"));
        assert_eq!(tag("pt"), Some("pt-BR"));
        assert_eq!(tag("pt-br"), Some("pt-BR"));
        assert_eq!(tag("zh"), Some("zh-CN"));
        assert_eq!(tag("zh-Hans"), Some("zh-CN"));
        assert_eq!(
            tag("zh-TW"),
            None,
            "traditional Chinese is not simplified Chinese"
        );
        assert_eq!(tag("zh-Hant-CN"), None);
        assert_eq!(tag("zh-SG"), Some("zh-CN"));
        assert_eq!(tag("ar-EG"), Some("ar"));
        assert_eq!(tag("en-GB"), Some("en"));
        assert_eq!(tag("xx"), None);
        assert_eq!(tag(""), None);
        assert_eq!(tag("*"), None);
        assert_eq!(tag("not a tag at all"), None);
        assert_eq!(tag(&"a".repeat(5000)), None);
    }

    #[test]
    fn accept_language_orders_by_weight_and_drops_q0() {
        assert_eq!(
            accept_language("de;q=0.5, fr-CH, fr;q=0.9, en;q=0.8, ja;q=0"),
            vec!["fr-CH", "fr", "en", "de"]
        );
        assert_eq!(accept_language("en;q=1.5, es;q=0.abc, it"), vec!["it"]);
        assert_eq!(accept_language(""), Vec::<&str>::new());
        assert_eq!(
            from_accept_language("xx, ja-JP;q=0.9, en;q=0.8").map(Locale::tag),
            Some("ja")
        );
        assert_eq!(from_accept_language("ja;q=0, xx").map(Locale::tag), None);
    }

    #[test]
    fn plurals_follow_each_language() {
        let pl = Locale::parse("pl").unwrap_or_default();
        let one = pl.format("backup-codes-remaining", &[("count", 1.into())]);
        let few = pl.format("backup-codes-remaining", &[("count", 3.into())]);
        let many = pl.format("backup-codes-remaining", &[("count", 5.into())]);
        assert!(one != few && few != many, "{one} / {few} / {many}");
        let en = Locale::EN.format("backup-codes-remaining", &[("count", 1.into())]);
        assert!(en.contains('1') && !en.contains("codes"), "{en}");
    }

    #[test]
    fn stored_tags_are_canonical() {
        assert_eq!(canonical_tag("fr-ca").as_deref(), Some("fr-CA"));
        assert_eq!(canonical_tag(" EN ").as_deref(), Some("en"));
        assert_eq!(canonical_tag("zh-hant-tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(canonical_tag("und"), None);
        assert_eq!(canonical_tag("not a tag"), None);
        assert_eq!(canonical_tag("<script>"), None);
        assert_eq!(canonical_tag(&"de-".repeat(20)), None);
    }

    #[test]
    fn direction_and_fallback() {
        let ar = Locale::parse("ar").unwrap_or_default();
        assert_eq!(ar.dir(), "rtl");
        assert_eq!(Locale::EN.dir(), "ltr");
        assert_eq!(Locale::EN.text("no-such-message"), "no-such-message");
        assert!(!ar.name().is_empty() && ar.name() != "language-name");
    }
}
