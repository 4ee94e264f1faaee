//! Writing SVG text: escaping, shortening, the frame every picture shares.

use std::borrow::Cow;

/// Appends `s` as XML text or attribute content: the five specials
/// escaped, and control characters (which XML 1.0 cannot carry, and a
/// TOML string can) left out.
pub fn escape_into(out: &mut String, s: &str) {
    // Most names need nothing: one pass over the bytes, then one copy.
    if s.bytes().all(|b| PLAIN[b as usize]) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            // Not characters XML 1.0 may carry.
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// `s` escaped as [`escape_into`] does, in a string of its own (for
/// text written once and copied into many pictures).
pub fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Bytes [`escape_into`] copies as they are (a table: one load per byte
/// rather than ten comparisons; called a million times a build).
const PLAIN: [bool; 256] = {
    let mut t = [true; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = false;
        b += 1;
    }
    // 0xC2 leads the C1 controls (U+0080-U+009F), 0xEF the
    // noncharacters U+FFFE and U+FFFF: strings with them take the slow way.
    let special = [0x7f, 0xC2, 0xEF, b'&', b'<', b'>', b'"', b'\''];
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = false;
        i += 1;
    }
    t
};

/// How many columns `s` takes in a proportional font, roughly: a wide
/// (CJK, full-width) character counts two.
pub fn columns(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFF00..=0xFF60 => 2,
            _ => 1,
        })
        .sum()
}

/// `s`, or its start and `…` when it takes more than `max` columns (see
/// [`columns`]); the caller puts the whole of `s` in a `<title>`.
pub fn shorten(s: &str, max: usize) -> Cow<'_, str> {
    // A character takes at most as many columns as it has bytes.
    if s.len() <= max || columns(s) <= max {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(max + 3);
    let mut used = 0;
    for c in s.chars() {
        let w = columns(c.encode_utf8(&mut [0; 4]));
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    Cow::Owned(out)
}

/// Opens `<svg>` of `width` × `height` user units (drawn at that size in
/// CSS pixels unless the theme scales it), with its `<title>` and `<desc>`
/// first, as assistive technology reads them. `class` names the picture
/// for the theme (`picture flow`, `picture map`...). `image`: the picture
/// has no links, so it is one image to assistive technology
/// (`role="img"`); a picture with links keeps them reachable.
pub fn open(
    out: &mut String,
    class: &str,
    width: u32,
    height: u32,
    title: &str,
    desc: &str,
    image: bool,
) {
    out.push_str("<svg class=\"");
    escape_into(out, class);
    out.push_str("\" viewBox=\"0 0 ");
    push_u32(out, width);
    out.push(' ');
    push_u32(out, height);
    out.push_str("\" width=\"");
    push_u32(out, width);
    out.push_str("\" height=\"");
    push_u32(out, height);
    out.push('"');
    if image {
        out.push_str(" role=\"img\"");
    }
    out.push_str("><title>");
    escape_into(out, title);
    out.push_str("</title><desc>");
    escape_into(out, desc);
    out.push_str("</desc>");
}

pub fn close(out: &mut String) {
    out.push_str("</svg>");
}

/// Appends `n` in decimal (layout is on an integer grid: no float
/// formatting; and no `fmt` machinery, called a million times a build).
pub fn push_u32(out: &mut String, n: u32) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `template` with each `{name}` of `args` replaced by its value (plain
/// text: the caller escapes the result).
pub fn fill(out: &mut String, template: &str, args: &[(&str, &str)]) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        match args.iter().find(|(k, _)| tail.starts_with(k)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &tail[k.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
}

/// [`fill`], into a new string.
pub fn filled(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    fill(&mut out, template, args);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        let mut out = String::new();
        escape_into(&mut out, "a<b>&\"c'\u{1}\td");
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&#39; d");
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut out = String::new();
        for n in [0, 7, 10, 208, 4_294_967_295] {
            push_u32(&mut out, n);
            out.push(' ');
        }
        assert_eq!(out, "0 7 10 208 4294967295 ");
    }

    #[test]
    fn plain_text_is_copied_and_c1_controls_dropped() {
        let mut out = String::new();
        escape_into(&mut out, "Zürich GmbH");
        escape_into(&mut out, "a\u{85}b\u{7f}c\u{FFFE}d\u{FFFF}\u{FF21}");
        assert_eq!(out, "Zürich GmbHabcdＡ");
    }

    #[test]
    fn long_names_are_shortened_by_columns() {
        assert_eq!(shorten("Stripe", 10), "Stripe");
        assert_eq!(shorten("Amazon Web Services EMEA", 10), "Amazon We…");
        assert!(columns(&shorten("Amazon Web Services EMEA", 10)) <= 10);
        // Wide characters count two.
        assert_eq!(columns("東京"), 4);
        assert!(columns(&shorten("東京都庁東京都庁", 6)) <= 6);
        // A word cut before a space leaves no space before the ellipsis.
        assert_eq!(shorten("ab cdefgh", 4), "ab…");
    }

    #[test]
    fn the_frame_has_title_and_desc_first() {
        let mut out = String::new();
        open(
            &mut out,
            "picture flow",
            300,
            120,
            "Flow of <A>",
            "d",
            false,
        );
        close(&mut out);
        assert_eq!(
            out,
            "<svg class=\"picture flow\" viewBox=\"0 0 300 120\" width=\"300\" height=\"120\"><title>Flow of &lt;A&gt;</title><desc>d</desc></svg>"
        );
    }
}
