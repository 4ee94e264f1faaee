//! Sub-processor notices (issue 18): `sub-processors.html` and
//! `sub-processors.atom`, built from a git repository the test makes, with
//! commits that engage a sub-processor, one engaged through another, and
//! let one go. The page lists who is engaged now with the dates from
//! history and the mechanisms from the register; the feed has one entry
//! per change and validates against RFC 4287's schema (xmllint); builds
//! without history write neither file.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::GitRepo;
use scraper::{Html, Selector};

const ORGANISATION: &str = r#"name = "Hosting & Co <BV>"
country = "NL"
email = "privacy@hosting.example"

[site]
title = "Hosting & Co"
"#;

const CATEGORIES: &str = r#"[data_subjects.customers-staff]
name = "Customers' staff"

[data_categories.contact]
name = "Contact details"
"#;

const MEASURES: &str = r#"[measures.enc]
name = "Encryption"
kind = "technical"
"#;

/// Our processing for customers, using `processors`.
fn hosting_activity(processors: &[&str]) -> String {
    let list: Vec<String> = processors.iter().map(|p| format!("\"{p}\"")).collect();
    format!(
        r#"name = "Hosting for customers"
role = "processor"
controllers = ["Our customers"]
purposes = ["Host the customers' applications"]
data_subjects = ["customers-staff"]
data_categories = ["contact"]
processors = [{}]
measures = ["enc"]

[[retention]]
period = "P30D"
from = "end of contract"

[review]
last_reviewed = 2026-01-05
"#,
        list.join(", ")
    )
}

/// Our own payroll, as controller: its processor is no sub-processor.
const PAYROLL: &str = r#"name = "Payroll"
purposes = ["Pay staff"]
legal_bases = ["contract"]
data_subjects = ["customers-staff"]
data_categories = ["contact"]
processors = ["payroll-service"]
measures = ["enc"]

[[retention]]
period = "P7Y"
from = "end of employment"

[review]
last_reviewed = 2026-01-05
"#;

const HOST: &str = r#"name = "Data Centre GmbH"
service = "Server hosting"
country = "DE"
dpa_signed = 2025-12-01
"#;

const HOST_WITH_SUPPORT: &str = r#"name = "Data Centre GmbH"
service = "Server hosting"
country = "DE"
dpa_signed = 2025-12-01
sub_processors = ["support-desk"]
"#;

const PAYROLL_SERVICE: &str = r#"name = "Payroll Services BV"
service = "Payroll"
country = "NL"
dpa_signed = 2025-12-01
"#;

const MAILER: &str = r#"name = "Mail Sender Inc."
service = "Transactional e-mail"
country = "US"
dpa_signed = 2026-02-01
dpf_certified = true
"#;

const MAILER_TRANSFER: &str = r#"to = "mailer"
country = "US"
mechanism = "adequacy"
data_categories = ["contact"]
"#;

const SUPPORT: &str = r#"name = "Support Desk Pvt Ltd"
service = "Customer support tickets"
country = "IN"
dpa_signed = 2026-03-01
"#;

const SUPPORT_SCC: &str = r#"name = "SCC with Support Desk"
kind = "scc"
scc_version = "2021/914"
scc_modules = [3]
signed = 2026-03-01
parties = ["Data Centre GmbH", "Support Desk Pvt Ltd"]
"#;

const SUPPORT_TRANSFER: &str = r#"to = "support-desk"
country = "IN"
mechanism = "scc"
safeguard = "scc-support"
data_categories = ["contact"]
supplementary_measures = ["enc"]

[tia]
completed = 2026-03-01
"#;

/// The repository and the hashes of its four commits, oldest first:
/// `host` engaged; `mailer` (US, adequacy) engaged; `support-desk` (IN,
/// SCC) engaged through `host`; `mailer` let go (its files removed).
struct Fixture {
    repo: GitRepo,
    commits: [String; 4],
}

fn fixture() -> Fixture {
    let repo = GitRepo::new();
    repo.write("organisation.toml", ORGANISATION);
    repo.write("categories.toml", CATEGORIES);
    repo.write("measures.toml", MEASURES);
    repo.write("processors/host.toml", HOST);
    repo.write("processors/payroll-service.toml", PAYROLL_SERVICE);
    repo.write("activities/payroll.toml", PAYROLL);
    repo.write("activities/hosting.toml", hosting_activity(&["host"]));
    let c1 = repo.commit("2026-01-10", "Start the record");
    repo.write("processors/mailer.toml", MAILER);
    repo.write("transfers/mailer-us.toml", MAILER_TRANSFER);
    repo.write(
        "activities/hosting.toml",
        hosting_activity(&["host", "mailer"]),
    );
    let c2 = repo.commit("2026-02-15", "Send e-mail through Mail Sender");
    repo.write("processors/support-desk.toml", SUPPORT);
    repo.write("safeguards/scc-support.toml", SUPPORT_SCC);
    repo.write("transfers/support-in.toml", SUPPORT_TRANSFER);
    repo.write("processors/host.toml", HOST_WITH_SUPPORT);
    let c3 = repo.commit("2026-03-20", "Data Centre engages Support Desk");
    repo.remove("processors/mailer.toml");
    repo.remove("transfers/mailer-us.toml");
    repo.write("activities/hosting.toml", hosting_activity(&["host"]));
    let c4 = repo.commit("2026-04-05", "Stop using Mail Sender");
    Fixture {
        repo,
        commits: [c1, c2, c3, c4],
    }
}

/// Runs `ropa build` on the repository's registry into `out`; it must succeed.
#[track_caller]
fn build(repo: &GitRepo, out: &Path, extra: &[&str]) {
    let run = common::ropa_command()
        .args(["build", "--registry"])
        .arg(repo.registry())
        .arg("--out")
        .arg(out)
        .args(["--as-of", "2026-05-01"])
        .args(extra)
        .output()
        .expect("run ropa");
    assert!(
        run.status.success(),
        "ropa build failed\n--- stdout ---\n{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

fn text(e: scraper::ElementRef) -> String {
    // Text nodes apart (a `<br>` reads as a space).
    e.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rows of the page's table: (name cell, service, location,
/// mechanism, added) as text.
fn rows(page: &Html) -> Vec<[String; 5]> {
    page.select(&sel("table tbody tr"))
        .map(|tr| {
            let cells: Vec<String> = tr.select(&sel("th, td")).map(text).collect();
            assert_eq!(cells.len(), 5, "a row has five cells: {cells:?}");
            [0, 1, 2, 3, 4].map(|i| cells[i].clone())
        })
        .collect()
}

#[test]
fn page_lists_the_sub_processors_engaged_now_with_dates_and_mechanisms() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&f.repo, &out, &[]);
    let html = std::fs::read_to_string(out.join("sub-processors.html")).unwrap();
    let page = Html::parse_document(&html);

    let rows = rows(&page);
    // By name; the controller activity's processor is not among them, nor
    // the one let go.
    assert_eq!(rows.len(), 2, "{rows:?}");
    let [host, support] = [&rows[0], &rows[1]];
    assert_eq!(host[0], "Data Centre GmbH");
    assert_eq!(host[1], "Server hosting");
    assert_eq!(host[2], "Established in: Germany (DE)");
    assert_eq!(host[3], "None needed: inside the EEA");
    assert_eq!(host[4], "10 January 2026");
    assert_eq!(
        support[0], "Support Desk Pvt Ltd Sub-processor of Data Centre GmbH",
        "the chained one is marked"
    );
    assert_eq!(support[2], "Established in: India (IN)");
    assert_eq!(
        support[3],
        "India (IN): Standard contractual clauses (Art. 46(2)(c))"
    );
    assert_eq!(support[4], "20 March 2026");
    let times: Vec<&str> = page
        .select(&sel("td time"))
        .filter_map(|t| t.value().attr("datetime"))
        .collect();
    assert_eq!(times, ["2026-01-10", "2026-03-20"]);

    // The one let go, with its name from history (its file is gone).
    let removed: Vec<String> = page.select(&sel("article ul li")).map(text).collect();
    assert!(
        removed.contains(&"Mail Sender Inc.: removed on 5 April 2026".to_string()),
        "{removed:?}"
    );

    // Self-contained: the stylesheet inline and allowed by its hash, no
    // script, nothing fetched, no link but the in-page skip link and the feed.
    assert!(page.select(&sel("script")).next().is_none());
    assert!(
        page.select(&sel("link[rel=stylesheet], img, iframe"))
            .next()
            .is_none()
    );
    let hrefs: Vec<&str> = page
        .select(&sel("[href]"))
        .filter_map(|e| e.value().attr("href"))
        .collect();
    for h in &hrefs {
        assert!(
            *h == "#main" || *h == "sub-processors.atom",
            "a link the page needs elsewhere: {h}"
        );
    }
    let alternate = page
        .select(&sel("head link[rel=alternate]"))
        .next()
        .expect("the feed is announced");
    assert_eq!(alternate.value().attr("type"), Some("application/atom+xml"));
    assert_eq!(alternate.value().attr("href"), Some("sub-processors.atom"));
    let style = page
        .select(&sel("head style"))
        .next()
        .expect("inline style");
    let csp = page
        .select(&sel("meta[http-equiv=Content-Security-Policy]"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .unwrap();
    use sha2::Digest;
    let hash = sha2::Sha256::digest(style.text().collect::<String>());
    let source = format!("'sha256-{}'", base64(&hash));
    assert!(
        csp.contains(&source),
        "the CSP allows the inline style: {csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    // Escaped text: the organisation's name with `&` and `<`.
    let lead = page.select(&sel("p.lead")).next().map(text).unwrap();
    assert!(lead.contains("Hosting & Co <BV> engages"), "{lead}");
    assert!(!html.contains("<BV>"));
    assert_eq!(
        page.select(&sel("html"))
            .next()
            .unwrap()
            .value()
            .attr("lang"),
        Some("en")
    );

    // The processor record links to the page and the feed.
    let record = std::fs::read_to_string(out.join("records/processor.html")).unwrap();
    let record = Html::parse_document(&record);
    let links: Vec<&str> = record
        .select(&sel("a[href], link[rel=alternate]"))
        .filter_map(|e| e.value().attr("href"))
        .collect();
    assert!(links.contains(&"../sub-processors.html"), "{links:?}");
    assert!(links.contains(&"../sub-processors.atom"), "{links:?}");
    let controller = std::fs::read_to_string(out.join("records/controller.html")).unwrap();
    assert!(!controller.contains("sub-processors.html"));
}

/// Standard base64 with padding, as CSP hashes are written.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(A[(n >> (18 - 6 * i) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

/// One entry of the feed, as read back with quick-xml.
#[derive(Debug, Default, PartialEq)]
struct Entry {
    id: String,
    title: String,
    updated: String,
    content: String,
}

/// The feed's own `updated`, `author/name`, and its entries.
fn read_feed(xml: &str) -> (String, String, Vec<Entry>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let (mut updated, mut author) = (String::new(), String::new());
    let mut entries: Vec<Entry> = Vec::new();
    loop {
        match reader.read_event().expect("the feed is well-formed XML") {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if name == "entry" {
                    entries.push(Entry::default());
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                // Entities come apart, as `GeneralRef` events.
                let t = t.as_ref().to_string();
                let here: Vec<&str> = path.iter().map(String::as_str).collect();
                match here.as_slice() {
                    ["feed", "updated"] => updated.push_str(&t),
                    ["feed", "author", "name"] => author.push_str(&t),
                    ["feed", "entry", field] => {
                        let e = entries.last_mut().unwrap();
                        match *field {
                            "id" => e.id.push_str(&t),
                            "title" => e.title.push_str(&t),
                            "updated" => e.updated.push_str(&t),
                            "content" => e.content.push_str(&t),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            Event::GeneralRef(r) => {
                // quick-xml reports `&amp;` and the like apart from the text.
                let name = r.as_ref().to_string();
                let c = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                let here: Vec<&str> = path.iter().map(String::as_str).collect();
                match here.as_slice() {
                    ["feed", "author", "name"] => author.push_str(c),
                    ["feed", "entry", "title"] => entries.last_mut().unwrap().title.push_str(c),
                    ["feed", "entry", "content"] => entries.last_mut().unwrap().content.push_str(c),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (updated, author, entries)
}

#[test]
fn feed_has_one_entry_per_change_newest_first() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&f.repo, &out, &[]);
    let xml = std::fs::read_to_string(out.join("sub-processors.atom")).unwrap();
    let (updated, author, entries) = read_feed(&xml);
    assert_eq!(updated, "2026-04-05T12:00:00Z", "the newest entry's time");
    assert_eq!(author, "Hosting & Co <BV>");
    let [c1, c2, c3, c4] = &f.commits;
    let want = [
        (
            c4,
            "mailer",
            "removed",
            "Sub-processor removed: Mail Sender Inc.",
            "2026-04-05",
        ),
        (
            c3,
            "support-desk",
            "added",
            "Sub-processor added: Support Desk Pvt Ltd (India)",
            "2026-03-20",
        ),
        (
            c2,
            "mailer",
            "added",
            "Sub-processor added: Mail Sender Inc.",
            "2026-02-15",
        ),
        (
            c1,
            "host",
            "added",
            "Sub-processor added: Data Centre GmbH (Germany)",
            "2026-01-10",
        ),
    ];
    assert_eq!(entries.len(), want.len(), "{entries:#?}");
    for (e, (commit, id, what, title, day)) in entries.iter().zip(want) {
        assert_eq!(e.id, format!("urn:ropa:sub-processor:{commit}:{id}:{what}"));
        assert_eq!(e.title, title);
        assert_eq!(e.updated, format!("{day}T12:00:00Z"));
    }
    assert_eq!(
        entries[1].content,
        "On 20 March 2026, Support Desk Pvt Ltd was recorded in the record of processing activities as added to the sub-processors. \
         Service: Customer support tickets. Location: India (IN)."
    );
    assert!(
        xml.contains("<link rel=\"alternate\" type=\"text/html\" href=\"sub-processors.html\"/>")
    );
    assert!(xml.contains("xml:lang=\"en\""));
    validate_atom(&out.join("sub-processors.atom"));
}

/// Validates `feed` against RFC 4287's RELAX NG schema with xmllint. Where
/// xmllint is missing the test says so; under CI (`CI`, or
/// `ROPA_REQUIRE_PRIVILEGED_TESTS=1` as .ci/run sets) it fails instead.
fn validate_atom(feed: &Path) {
    let schema: PathBuf = common::fixtures_dir().join("atom/atom.rng");
    let run = match Command::new("xmllint")
        .arg("--noout")
        .arg("--relaxng")
        .arg(&schema)
        .arg(feed)
        .output()
    {
        Ok(run) => run,
        Err(e) => {
            let notice = format!(
                "xmllint cannot run ({e}): the feed is not validated against RFC 4287's schema (Debian package libxml2-utils)"
            );
            let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
            if ci {
                panic!("{notice}; under CI it must run");
            }
            common::cannot_run_here(&notice);
            return;
        }
    };
    assert!(
        run.status.success(),
        "the feed does not validate as Atom:\n{}\n--- feed ---\n{}",
        String::from_utf8_lossy(&run.stderr),
        std::fs::read_to_string(feed).unwrap_or_default()
    );
}

/// The schema is not a rubber stamp: it refuses a feed without `id`.
#[test]
fn schema_refuses_a_feed_that_is_not_atom() {
    if Command::new("xmllint").arg("--version").output().is_err() {
        return validate_atom(Path::new("/nonexistent")); // says why, or fails under CI
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.atom");
    std::fs::write(
        &bad,
        "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title>\
         <updated>2026-01-01T00:00:00Z</updated></feed>\n",
    )
    .unwrap();
    let schema = common::fixtures_dir().join("atom/atom.rng");
    let run = Command::new("xmllint")
        .args(["--noout", "--relaxng"])
        .arg(&schema)
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!run.status.success(), "a feed without id validated");
}

#[test]
fn two_builds_are_byte_identical() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build(&f.repo, &a, &[]);
    build(&f.repo, &b, &[]);
    for file in ["sub-processors.html", "sub-processors.atom"] {
        assert_eq!(
            std::fs::read(a.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file} differs between two builds"
        );
    }
}

#[test]
fn without_history_there_are_no_notices() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&f.repo, &out, &["--no-history"]);
    assert!(!out.join("sub-processors.html").exists());
    assert!(!out.join("sub-processors.atom").exists());
    let record = std::fs::read_to_string(out.join("records/processor.html")).unwrap();
    assert!(
        !record.contains("sub-processors."),
        "no link to a missing page"
    );

    // Outside git: the same registry, copied out of the repository.
    let copy = dir.path().join("registry");
    common::copy_dir(&f.repo.registry(), &copy);
    let plain = dir.path().join("plain");
    let run = common::ropa_command()
        .args(["build", "--registry"])
        .arg(&copy)
        .arg("--out")
        .arg(&plain)
        .args(["--as-of", "2026-05-01"])
        .env("GIT_CEILING_DIRECTORIES", dir.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!plain.join("sub-processors.html").exists());
    assert!(!plain.join("sub-processors.atom").exists());
}

#[test]
fn no_processor_activity_no_notices() {
    let repo = GitRepo::new();
    repo.write("organisation.toml", ORGANISATION);
    repo.write("categories.toml", CATEGORIES);
    repo.write("measures.toml", MEASURES);
    repo.write("processors/payroll-service.toml", PAYROLL_SERVICE);
    repo.write("activities/payroll.toml", PAYROLL);
    repo.commit("2026-01-10", "Start the record");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&repo, &out, &[]);
    assert!(!out.join("sub-processors.html").exists());
    assert!(!out.join("sub-processors.atom").exists());
}

/// The site in Dutch: the page's words and the country names are Dutch.
#[test]
fn page_is_in_the_site_language() {
    let f = fixture();
    f.repo.write(
        "organisation.toml",
        format!("{ORGANISATION}language = \"nl\"\n"),
    );
    f.repo.commit("2026-04-10", "Dutch site");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&f.repo, &out, &[]);
    let page =
        Html::parse_document(&std::fs::read_to_string(out.join("sub-processors.html")).unwrap());
    assert_eq!(
        page.select(&sel("h1")).next().map(text).as_deref(),
        Some("Subverwerkers")
    );
    let rows = rows(&page);
    assert_eq!(rows[0][2], "Gevestigd in: Duitsland (DE)");
    assert_eq!(rows[0][4], "10 januari 2026");
    let xml = std::fs::read_to_string(out.join("sub-processors.atom")).unwrap();
    assert!(xml.contains("xml:lang=\"nl\""));
    assert!(xml.contains("Subverwerker toegevoegd: Support Desk Pvt Ltd (India)"));
    validate_atom(&out.join("sub-processors.atom"));
}

/// A shallow clone (CI's default checkout) reads a cut history: those
/// engaged at its oldest commit have no date (not the date of the first
/// later change to their activity), and one let go since is a removal.
#[test]
fn shallow_clone_gives_no_false_dates() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("clone");
    let url = format!("file://{}", f.repo.path().display());
    f.repo
        .git(&["clone", "-q", "--depth", "2", &url, clone.to_str().unwrap()]);
    let out = dir.path().join("site");
    let run = common::ropa_command()
        .args(["build", "--registry"])
        .arg(clone.join("registry"))
        .arg("--out")
        .arg(&out)
        .args(["--as-of", "2026-05-01"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page =
        Html::parse_document(&std::fs::read_to_string(out.join("sub-processors.html")).unwrap());
    let rows = rows(&page);
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!(r[4], "Before the recorded history", "{r:?}");
    }
    let xml = std::fs::read_to_string(out.join("sub-processors.atom")).unwrap();
    let (_, _, entries) = read_feed(&xml);
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [format!(
            "urn:ropa:sub-processor:{}:mailer:removed",
            f.commits[3]
        )]
    );
    validate_atom(&out.join("sub-processors.atom"));
}

/// More changes than the feed holds: the 200 most recent, and the
/// subtitle says so.
#[test]
fn feed_is_capped_and_says_so() {
    let repo = GitRepo::new();
    repo.write("organisation.toml", ORGANISATION);
    repo.write("categories.toml", CATEGORIES);
    repo.write("measures.toml", MEASURES);
    let ids: Vec<String> = (0..201).map(|i| format!("host-{i:03}")).collect();
    for id in &ids {
        repo.write(
            &format!("processors/{id}.toml"),
            HOST.replace("Data Centre GmbH", &format!("Data Centre {id}")),
        );
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    repo.write("activities/hosting.toml", hosting_activity(&refs));
    repo.commit("2026-01-10", "Start the record");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&repo, &out, &[]);
    let xml = std::fs::read_to_string(out.join("sub-processors.atom")).unwrap();
    let (_, _, entries) = read_feed(&xml);
    assert_eq!(entries.len(), 200);
    assert!(
        xml.contains("The 200 most recent changes.</subtitle>"),
        "{xml:.600}"
    );
    validate_atom(&out.join("sub-processors.atom"));
}

/// A processor activity that uses no processor: the page says none are
/// engaged, and the feed, with no entry, takes the tip commit's time.
#[test]
fn no_sub_processors_yet() {
    let repo = GitRepo::new();
    repo.write("organisation.toml", ORGANISATION);
    repo.write("categories.toml", CATEGORIES);
    repo.write("measures.toml", MEASURES);
    repo.write(
        "activities/hosting.toml",
        hosting_activity(&[]).replace("processors = []\n", ""),
    );
    repo.commit("2026-01-10", "Start the record");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&repo, &out, &[]);
    let page = std::fs::read_to_string(out.join("sub-processors.html")).unwrap();
    assert!(page.contains("No sub-processors are engaged."));
    let xml = std::fs::read_to_string(out.join("sub-processors.atom")).unwrap();
    let (updated, _, entries) = read_feed(&xml);
    assert!(entries.is_empty());
    assert_eq!(updated, "2026-01-10T12:00:00Z");
    validate_atom(&out.join("sub-processors.atom"));
}

/// A retired processor activity engages no one now: its processors leave
/// the list (and the feed says they were removed), though the processor
/// record keeps the activity, marked retired.
#[test]
fn a_retired_processor_activity_engages_no_one() {
    let f = fixture();
    let retired = hosting_activity(&["host"]).replace(
        "role = \"processor\"\n",
        "role = \"processor\"\nstatus = \"retired\"\n",
    );
    f.repo.write("activities/hosting.toml", retired);
    let c5 = f.repo.commit("2026-04-20", "Hosting for customers ends");
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&f.repo, &site, &[]);
    let page =
        Html::parse_document(&std::fs::read_to_string(site.join("sub-processors.html")).unwrap());
    assert!(rows(&page).is_empty(), "{:?}", rows(&page));
    let xml = std::fs::read_to_string(site.join("sub-processors.atom")).unwrap();
    let (_, _, entries) = read_feed(&xml);
    let newest: Vec<&str> = entries
        .iter()
        .filter(|e| e.id.contains(&c5))
        .map(|e| e.title.as_str())
        .collect();
    assert_eq!(newest.len(), 2, "{newest:?}");
    assert!(
        newest
            .iter()
            .all(|t| t.starts_with("Sub-processor removed")),
        "{newest:?}"
    );
}
