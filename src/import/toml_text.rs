//! TOML text for the imported entries, written by hand so that keys keep
//! the order a person reads them in (name first, notes last). Every string
//! goes through [`string`], which escapes what TOML requires.

use std::fmt::Write as _;

/// A TOML basic string: quotes, backslashes and control characters
/// escaped, so any cell text (quotes, new lines, `#`) stays one value.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML multi-line basic string for a text of several lines, so that a
/// note reads line by line in an editor: quotes, backslashes and control
/// characters (but the line breaks) escaped; a line-ending backslash
/// before the closing quotes keeps the value's end as it is.
pub fn multiline_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 10);
    out.push_str("\"\"\"\n");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push('\n'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push_str("\\\n\"\"\"");
    out
}

/// One TOML document, built key by key.
#[derive(Default)]
pub struct Doc {
    pub text: String,
}

impl Doc {
    pub fn comment(&mut self, c: &str) {
        for line in c.lines() {
            let _ = writeln!(self.text, "# {line}");
        }
    }

    pub fn str(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.text, "{key} = {}", string(value));
    }

    pub fn opt(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.str(key, v);
        }
    }

    pub fn raw(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.text, "{key} = {value}");
    }

    pub fn bool(&mut self, key: &str, value: bool) {
        self.raw(key, if value { "true" } else { "false" });
    }

    pub fn list(&mut self, key: &str, values: &[String]) {
        let items: Vec<String> = values.iter().map(|v| string(v)).collect();
        self.raw(key, &format!("[{}]", items.join(", ")));
    }

    /// Only when there is something to list.
    pub fn some_list(&mut self, key: &str, values: &[String]) {
        if !values.is_empty() {
            self.list(key, values);
        }
    }

    /// The notes of an entry, one per line, as `note` (a multi-line
    /// string when there are several lines).
    pub fn notes(&mut self, notes: &[String]) {
        if notes.is_empty() {
            return;
        }
        let text = notes.join("\n");
        if text.contains('\n') {
            let _ = writeln!(self.text, "note = {}", multiline_string(&text));
        } else {
            self.str("note", &text);
        }
    }

    pub fn table(&mut self, header: &str) {
        let _ = writeln!(self.text, "\n[{header}]");
    }

    pub fn array_table(&mut self, header: &str) {
        let _ = writeln!(self.text, "\n[[{header}]]");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_toml() {
        for s in [
            "plain",
            "with \"quotes\" and 'apostrophes'",
            "two\nlines\r\nand a\ttab",
            "# not a comment",
            "back\\slash \\n",
            "bell \u{7} and delete \u{7f}",
            "ünïcödé → ✓",
        ] {
            let text = format!("v = {}\n", string(s));
            let parsed: toml::Table =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(parsed["v"].as_str(), Some(s));
            let text = format!("v = {}\n", multiline_string(s));
            let parsed: toml::Table =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(parsed["v"].as_str(), Some(s), "{text}");
        }
        // Ends that a multi-line string could change: kept.
        for s in [
            "ends with a quote\"",
            "trailing\n",
            "  spaces  \n  ",
            "\"\"\"",
            "a\\",
        ] {
            let text = format!("v = {}\n", multiline_string(s));
            let parsed: toml::Table =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(parsed["v"].as_str(), Some(s), "{text}");
        }
    }

    #[test]
    fn notes_of_several_lines_read_line_by_line() {
        let mut doc = Doc::default();
        doc.notes(&["first".into(), "second \"quoted\"".into()]);
        assert_eq!(
            doc.text,
            "note = \"\"\"\nfirst\nsecond \\\"quoted\\\"\\\n\"\"\"\n"
        );
    }
}
