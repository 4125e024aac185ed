//! A small SVG writer shared by Kith's drawings: escaping, stable number formatting and element
//! building. Numbers are always printed with one decimal, so output never depends on float
//! printing quirks.

use std::fmt::Write;

/// Formats a coordinate with exactly one decimal (`12.0`, `-3.5`); negative zero prints as `0.0`.
pub fn num(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let rounded = if rounded == 0.0 { 0.0 } else { rounded };
    format!("{rounded:.1}")
}

/// Escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Makes a string safe to use inside a CSS class name: lowercase ASCII letters, digits and
/// dashes; anything else becomes a dash.
pub fn class_token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let t = t.trim_matches('-').to_string();
    if t.is_empty() { "other".into() } else { t }
}

/// Shortens text to at most `max` characters, ending with an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    let count = s.chars().count();
    if count <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t = t.trim_end().to_string();
        t.push('…');
        t
    }
}

/// Builds an SVG document as text, with two-space indentation.
#[derive(Debug, Default)]
pub struct Svg {
    out: String,
    depth: usize,
}

impl Svg {
    pub fn new() -> Svg {
        Svg::default()
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn attrs(&mut self, attrs: &[(&str, String)]) {
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
    }

    /// `<tag attrs>` and go one level deeper.
    pub fn open(&mut self, tag: &str, attrs: &[(&str, String)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.attrs(attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    pub fn close(&mut self, tag: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        let _ = writeln!(self.out, "</{tag}>");
    }

    /// `<tag attrs/>`
    pub fn empty(&mut self, tag: &str, attrs: &[(&str, String)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.attrs(attrs);
        self.out.push_str("/>\n");
    }

    /// `<tag attrs>text</tag>`, the text escaped.
    pub fn text(&mut self, tag: &str, attrs: &[(&str, String)], text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.attrs(attrs);
        let _ = writeln!(self.out, ">{}</{tag}>", escape(text));
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Shorthand for an attribute list entry.
pub fn a(key: &'static str, value: impl Into<String>) -> (&'static str, String) {
    (key, value.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_one_fixed_decimal() {
        assert_eq!(num(12.0), "12.0");
        assert_eq!(num(1.0 / 3.0), "0.3");
        assert_eq!(num(-0.04), "0.0");
        assert_eq!(num(2.25), "2.3");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn class_tokens_are_safe() {
        assert_eq!(class_token("Loss / Grief"), "loss---grief");
        assert_eq!(class_token("\"><script>"), "script");
        assert_eq!(class_token("!!"), "other");
    }

    #[test]
    fn long_text_is_shortened() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}
