//! Markdown of `description` and `note` fields: safe HTML for the site
//! ([`render`]), plain text for spreadsheet cells ([`plain`]).
//!
//! One set of options for both: CommonMark + GFM tables,
//! strikethrough and autolinks; raw HTML is never passed through; links
//! keep only `http`, `https`, `mailto` and relative targets; images become
//! their alt text (the site loads nothing from elsewhere).

use std::fmt;

use comrak::nodes::NodeValue;
use comrak::{Arena, Options};

/// HTML that is safe to put in a page as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Html(pub String);

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for Html {}

fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.table = true;
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.render.r#unsafe = false;
    o
}

/// Is `url` a link the site may keep?
pub fn allowed_url(url: &str) -> bool {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
    {
        return true;
    }
    // Relative targets have no scheme: no `:` before the first `/`, `?` or `#`.
    // `//host` would leave the site, so it is not relative in that sense.
    let before = u.split(['/', '?', '#']).next().unwrap_or("");
    !u.starts_with("//") && !before.contains(':') && !u.chars().any(|c| c.is_control())
}

pub fn render(text: &str) -> Html {
    let arena = Arena::new();
    let opts = options();
    let root = comrak::parse_document(&arena, text, &opts);
    let mut unwrap = Vec::new();
    for node in root.descendants() {
        let drop = match &node.data().value {
            NodeValue::Link(link) => !allowed_url(&link.url),
            NodeValue::Image(_) => true,
            _ => false,
        };
        if drop {
            unwrap.push(node);
        }
    }
    // Headings sit under the page's own h1: the first becomes at most an
    // h2, and none is more than one level below the one before, so a page
    // never has two h1s or skips a level.
    let mut previous = 1u8;
    for node in root.descendants() {
        if let NodeValue::Heading(h) = &mut node.data_mut().value {
            let level = h.level.clamp(2, previous + 1).min(6);
            h.level = level;
            previous = level;
        }
    }
    // Replace each dropped link or image by its content (its text).
    for node in unwrap {
        let children: Vec<_> = node.children().collect();
        for child in children {
            node.insert_before(child);
        }
        node.detach();
    }
    let mut out = String::new();
    if comrak::format_html(root, &opts, &mut out).is_err() {
        out = String::new();
    }
    Html(out)
}

/// The text of Markdown, for a spreadsheet cell: no `**`, no `[text](url)`
/// (a link is its text, then its address in brackets when that differs),
/// one line per paragraph, list item and table row, list items as `- `.
pub fn plain(text: &str) -> String {
    use comrak::nodes::AstNode;
    fn walk<'a>(node: &'a AstNode<'a>, out: &mut String, depth: usize) {
        // Nesting deeper than anyone writes (a hostile `>>>>…`): the rest
        // is its text, gathered without recursion.
        if depth > 64 {
            for d in node.descendants() {
                if let NodeValue::Text(t) = &d.data().value {
                    out.push_str(t);
                }
            }
            return;
        }
        let walk = |c, out: &mut String| walk(c, out, depth + 1);
        let value = node.data().value.clone();
        let block_end = |out: &mut String| {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
        };
        match value {
            NodeValue::Text(t) => out.push_str(&t),
            NodeValue::Code(c) => out.push_str(&c.literal),
            NodeValue::SoftBreak => out.push(' '),
            NodeValue::LineBreak => out.push('\n'),
            NodeValue::CodeBlock(c) => {
                block_end(out);
                out.push_str(c.literal.trim_end());
                out.push('\n');
            }
            NodeValue::HtmlBlock(h) => {
                block_end(out);
                out.push_str(h.literal.trim_end());
                out.push('\n');
            }
            NodeValue::HtmlInline(h) => out.push_str(&h),
            NodeValue::Link(link) => {
                let start = out.len();
                for c in node.children() {
                    walk(c, out);
                }
                let shown = out[start..].to_string();
                let url = link.url.trim();
                let bare = url.strip_prefix("mailto:").unwrap_or(url);
                if !url.is_empty() && shown != url && shown != bare {
                    out.push_str(&format!(" ({url})"));
                }
            }
            NodeValue::Item(_) => {
                block_end(out);
                out.push_str("- ");
                for c in node.children() {
                    walk(c, out);
                }
                block_end(out);
            }
            NodeValue::TableRow(_) => {
                block_end(out);
                for (i, c) in node.children().enumerate() {
                    if i > 0 {
                        out.push_str(" | ");
                    }
                    walk(c, out);
                }
                block_end(out);
            }
            NodeValue::TableCell => {
                for c in node.children() {
                    walk(c, out);
                }
            }
            NodeValue::ThematicBreak => block_end(out),
            _ => {
                for c in node.children() {
                    walk(c, out);
                }
                if node.data().value.block() {
                    block_end(out);
                }
            }
        }
    }
    let arena = Arena::new();
    let root = comrak::parse_document(&arena, text, &options());
    let mut out = String::new();
    walk(root, &mut out, 0);
    out.trim().to_string()
}

/// Writes `s` with the five HTML specials escaped: text put into a page by
/// hand (the site's templates escape through askama).
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `s` with the five HTML specials escaped (see [`escape_into`]).
pub fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_for_cells() {
        assert_eq!(
            plain(
                "**Legal basis assumed.** See [the policy](https://x.example/p) and <https://y.example>.\n\n- one\n- `two`\n"
            ),
            "Legal basis assumed. See the policy (https://x.example/p) and https://y.example.\n- one\n- two"
        );
        assert_eq!(plain("a\nb"), "a b");
        assert_eq!(plain("| a | b |\n|---|---|\n| 1 | 2 |\n"), "a | b\n1 | 2");
        assert_eq!(plain("Mail [dpo@x.eu](mailto:dpo@x.eu)"), "Mail dpo@x.eu");
        assert_eq!(plain("# Head\n\nText"), "Head\nText");
        // Deep nesting is read without deep recursion.
        let deep = format!("{}x", "> ".repeat(50_000));
        assert_eq!(plain(&deep), "x");
    }

    #[test]
    fn raw_html_is_not_passed_through() {
        let h = render(
            "hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<div onclick=x>block</div>",
        );
        assert!(!h.0.contains("<script"), "{}", h.0);
        assert!(!h.0.contains("<img"), "{}", h.0);
        assert!(!h.0.contains("<div"), "{}", h.0);
    }

    #[test]
    fn only_safe_links_survive() {
        let h = render(
            "[a](javascript:alert(1)) [b](https://example.org) [c](mailto:dpo@x.eu) [d](data:text/html,x) [e](../processors/aws.html) [f](JaVaScRiPt:x) <javascript:alert(2)>",
        );
        let lower = h.0.to_ascii_lowercase();
        // Dropped links keep their text; no href may carry the scheme.
        assert!(!lower.contains("href=\"javascript:"), "{}", h.0);
        assert!(!lower.contains("href=\"data:"), "{}", h.0);
        assert_eq!(lower.matches("<a ").count(), 3, "{}", h.0);
        assert!(h.0.contains("href=\"https://example.org\""));
        assert!(h.0.contains("href=\"mailto:dpo@x.eu\""));
        assert!(h.0.contains("href=\"../processors/aws.html\""));
        // The text of a dropped link stays.
        assert!(h.0.contains('a') && h.0.contains('d'));
    }

    #[test]
    fn images_become_text_and_tables_render() {
        let h = render("![logo](https://cdn.example/x.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(!h.0.contains("<img"), "{}", h.0);
        assert!(h.0.contains("logo"));
        assert!(h.0.contains("<table>"));
    }

    #[test]
    fn headings_start_at_h2_and_never_skip() {
        let h = render("# Background\n\nText\n\n###### Detail\n\n## Next\n");
        assert!(!h.0.contains("<h1"), "{}", h.0);
        assert!(h.0.contains("<h2>Background</h2>"), "{}", h.0);
        assert!(h.0.contains("<h3>Detail</h3>"), "{}", h.0);
        assert!(h.0.contains("<h2>Next</h2>"), "{}", h.0);
    }

    #[test]
    fn url_rules() {
        for ok in [
            "https://a.b",
            "HTTP://a",
            "mailto:x@y",
            "x.html",
            "../a/b.html#c",
            "#top",
            "?q=1",
        ] {
            assert!(allowed_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " javascript:x",
            "data:x",
            "vbscript:x",
            "file:///etc/passwd",
            "//evil.example/x",
            "ftp://x",
        ] {
            assert!(!allowed_url(bad), "{bad}");
        }
    }
}
