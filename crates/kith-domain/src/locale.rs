//! Locales Kith ships with, and text given in each of them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A language Kith's interface and data files are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    Es,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Es];

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
        }
    }

    /// Parses a language tag such as `es`, `es-MX` or `en-GB`; unknown languages give `None`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "es" => Some(Locale::Es),
            _ => None,
        }
    }
}

/// Text given once per locale, as in `{ en = "Grief", es = "Duelo" }` in a data file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localized(pub BTreeMap<Locale, String>);

impl Localized {
    /// The text in `locale`, falling back to English, then to any text present.
    pub fn get(&self, locale: Locale) -> &str {
        self.0
            .get(&locale)
            .or_else(|| self.0.get(&Locale::En))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Locales for which no (non-blank) text is given.
    pub fn missing(&self) -> Vec<Locale> {
        Locale::ALL
            .into_iter()
            .filter(|l| self.0.get(l).is_none_or(|s| s.trim().is_empty()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_locales() {
        assert_eq!(Locale::from_tag("es-MX"), Some(Locale::Es));
        assert_eq!(Locale::from_tag("EN_gb"), Some(Locale::En));
        assert_eq!(Locale::from_tag("fr"), None);
    }

    #[test]
    fn falls_back_to_english() {
        let mut m = BTreeMap::new();
        m.insert(Locale::En, "Grief".to_string());
        let l = Localized(m);
        assert_eq!(l.get(Locale::Es), "Grief");
        assert_eq!(l.missing(), vec![Locale::Es]);
    }
}
