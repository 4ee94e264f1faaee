//! Finding the bracket a syntax error really comes from.
//!
//! TOML lets a list span lines, so a missing `]` is only noticed on a later
//! line ("string values must be quoted"). When the first syntax error lies
//! inside a `[` or `{` opened on an earlier line, that bracket is the
//! mistake to show.

/// The offset of the innermost `[`/`{` still open at `error_at`, if it was
/// opened on an earlier line than `error_at`.
pub fn unclosed_before(text: &str, error_at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut end = error_at.min(b.len());
    while !text.is_char_boundary(end) {
        end -= 1; // an offset inside a character: use the character's start
    }
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    while i < end {
        let c = b[i];
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < end && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                let triple = b.get(i..i + 3).is_some_and(|s| s == [c, c, c]);
                i += if triple { 3 } else { 1 };
                while i < end {
                    if c == b'"' && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if triple {
                        if b.get(i..i + 3).is_some_and(|s| s == [c, c, c]) {
                            i += 3;
                            break;
                        }
                    } else if b[i] == c || b[i] == b'\n' {
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                line_start = false;
                continue;
            }
            b'[' if line_start && stack.is_empty() => {
                // A table header: closed on its own line.
                while i < end && b[i] != b'\n' && b[i] != b']' {
                    i += 1;
                }
                while i < end && b[i] == b']' {
                    i += 1;
                }
                line_start = false;
                continue;
            }
            b'[' | b'{' => stack.push(i),
            b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
        line_start = false;
        i += 1;
    }
    let open = *stack.last()?;
    let opened_line = text[..open].matches('\n').count();
    let error_line = text[..end].matches('\n').count();
    (opened_line < error_line).then_some(open)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_unclosed_list() {
        let t = "name = \"x\"\nlegal_bases = [\"contract\"\ndata_subjects = [\"a\"]\n";
        let err = t.find("data_subjects").unwrap();
        assert_eq!(unclosed_before(t, err), Some(t.find('[').unwrap()));
    }

    #[test]
    fn ignores_headers_strings_comments_and_closed_lists() {
        let t = "[dpia]\nx = [\"]\", '[' ] # [\ny = \"\"\"\n[\n\"\"\"\nz = ?\n";
        assert_eq!(unclosed_before(t, t.find('?').unwrap()), None);
        // A multi-line list that is still open on the error's own line is not "earlier".
        let t = "x = [1, ?";
        assert_eq!(unclosed_before(t, t.find('?').unwrap()), None);
    }
}
