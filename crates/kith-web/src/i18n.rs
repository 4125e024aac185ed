//! Every word a person reads comes from a Fluent catalogue (`locales/<lang>/*.ftl`), in English and
//! Spanish. The language is the person's own choice, else the `kith_lang` cookie, else the browser's
//! `Accept-Language`, else the clinic's default.

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use kith_domain::locale::Locale;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Display;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Fluent's invisible isolation marks would break comparisons and copy-paste.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

fn langid(l: Locale) -> LanguageIdentifier {
    l.code().parse().unwrap_or_default()
}

/// A translator for one locale; templates call `t.get("key")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub locale: Locale,
}

impl Tr {
    pub fn new(locale: Locale) -> Tr {
        Tr { locale }
    }

    /// The `lang` attribute value.
    pub fn lang(&self) -> &'static str {
        self.locale.code()
    }

    pub fn get(&self, key: &str) -> String {
        self.lookup(key, None)
    }

    pub fn with1(&self, key: &str, a: &str, av: impl Display) -> String {
        self.with(key, &[(a, av.to_string())])
    }

    pub fn with2(&self, key: &str, a: &str, av: impl Display, b: &str, bv: impl Display) -> String {
        self.with(key, &[(a, av.to_string()), (b, bv.to_string())])
    }

    /// A message with named values.
    pub fn with(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut map: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for (k, v) in args {
            // Numbers stay numbers so that plural rules work.
            let value = match v.parse::<f64>() {
                Ok(n) if !v.is_empty() && !v.starts_with('+') => FluentValue::from(n),
                _ => FluentValue::from(v.clone()),
            };
            map.insert(Cow::Owned((*k).to_string()), value);
        }
        self.lookup(key, Some(&map))
    }

    fn lookup(&self, key: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue>>) -> String {
        match LOCALES.try_lookup_complete(&langid(self.locale), key, args) {
            Some(s) => s,
            None => {
                tracing::warn!(key, locale = self.locale.code(), "missing translation");
                key.to_string()
            }
        }
    }

    /// A date in this locale's usual form.
    pub fn date(&self, d: time::Date) -> String {
        let month = self.get(&format!("month-{}", u8::from(d.month())));
        match self.locale {
            Locale::En => format!("{} {} {}", d.day(), month, d.year()),
            Locale::Es => format!("{} de {} de {}", d.day(), month, d.year()),
        }
    }

    /// A date and time (UTC) in this locale's usual form.
    pub fn datetime(&self, t: time::OffsetDateTime) -> String {
        let t = t.to_offset(time::UtcOffset::UTC);
        format!(
            "{} {:02}:{:02} UTC",
            self.date(t.date()),
            t.hour(),
            t.minute()
        )
    }
}

/// Picks the locale from the first language in an `Accept-Language` header that Kith has.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut langs: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            (!tag.is_empty()).then_some((q, tag))
        })
        .collect();
    langs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    langs.into_iter().find_map(|(_, tag)| Locale::from_tag(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_ranked() {
        assert_eq!(
            from_accept_language("fr-FR, es;q=0.8, en;q=0.5"),
            Some(Locale::Es)
        );
        assert_eq!(from_accept_language("en-GB,en;q=0.9"), Some(Locale::En));
        assert_eq!(from_accept_language("de"), None);
    }
}
