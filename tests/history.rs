//! What the site shows of the registry's git history (issue 18,
//! docs/history.md): the Changes page and each entry's History section
//! match the commits of a test repository, uncommitted edits show as such,
//! authors only with `[site] show_authors`, the same commit builds the same
//! site, and a build outside git or with `--no-history` has no history.
//!
//! The HTML is parsed with `scraper`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use scraper::{ElementRef, Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("selector {s}: {e:?}"))
}

/// An element's text with runs of white space as one space.
fn text(e: ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn texts(doc: &Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector)).map(text).collect()
}

/// `ropa build --registry <registry> --out <out> --as-of AS_OF <extra>`,
/// which must succeed.
#[track_caller]
fn build(registry: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "build",
        "--registry",
        registry.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ];
    args.extend_from_slice(extra);
    run_in(&manifest_dir(), &args).assert_exit(0);
}

#[track_caller]
fn page(site: &Path, rel: &str) -> Html {
    let p = site.join(rel);
    Html::parse_document(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {rel}: {e}")),
    )
}

/// Every file of a site, by `/`-separated path, with its bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let path = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                out.insert(rel.replace('\\', "/"), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Asserts two sites have the same files, byte for byte.
#[track_caller]
fn assert_same_site(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "the two sites have different files"
    );
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between the two builds");
    }
}

/// Every link of `rel` inside the site points at a file that exists, and
/// at an element with that id when it has a fragment.
#[track_caller]
fn assert_links_resolve(site: &Path, rel: &str) {
    let doc = page(site, rel);
    let base = Path::new(rel).parent().unwrap_or(Path::new(""));
    for a in doc.select(&sel("a[href]")) {
        let href = a.value().attr("href").unwrap();
        if href.starts_with("https://") || href.starts_with("mailto:") || href.starts_with('#') {
            continue;
        }
        let (path, fragment) = match href.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (href, None),
        };
        let target: PathBuf = site.join(base).join(path);
        assert!(target.is_file(), "{rel}: link {href} goes nowhere");
        if let Some(f) = fragment {
            let linked = page(site, target.strip_prefix(site).unwrap().to_str().unwrap());
            assert!(
                linked
                    .select(&sel(&format!("[id=\"{f}\"]")))
                    .next()
                    .is_some(),
                "{rel}: link {href}: no element with that id"
            );
        }
    }
}

const PROCESSOR_SENTRY: &str =
    "name = \"Sentry\"\nservice = \"Error tracking\"\ncountry = \"SE\"\ndpa_signed = 2025-06-30\n";
const PROCESSOR_STRIPE: &str =
    "name = \"Stripe\"\nservice = \"Payments\"\ncountry = \"IE\"\ndpa_signed = 2025-06-30\n";

/// `ACTIVITY` named `name`, with `processors` and a retention `period`.
fn activity(name: &str, processors: &[&str], period: &str) -> String {
    let list: Vec<String> = processors.iter().map(|p| format!("\"{p}\"")).collect();
    ACTIVITY
        .replace("Customer accounts", name)
        .replace("P2Y", period)
        .replacen(
            "measures = ",
            &format!("processors = [{}]\nmeasures = ", list.join(", ")),
            1,
        )
}

/// The test repository: three commits that add, change (a field and a
/// reference list) and remove entries. Returns it and the commits' hashes.
fn repository() -> (GitRepo, [String; 3]) {
    let repo = GitRepo::new();
    repo.write("organisation.toml", ORGANISATION);
    repo.write("categories.toml", CATEGORIES);
    repo.write("measures.toml", MEASURES);
    repo.write(
        "activities/customer-accounts.toml",
        activity("Customer accounts", &["sentry"], "P2Y"),
    );
    repo.write("processors/sentry.toml", PROCESSOR_SENTRY);
    repo.write("README.md", "not a registry file\n");
    let first = repo.commit("2026-01-10", "Start the record");
    repo.write(
        "activities/customer-accounts.toml",
        activity("Customer accounts", &["stripe"], "P3Y"),
    );
    repo.write("processors/stripe.toml", PROCESSOR_STRIPE);
    let second = repo.commit(
        "2026-02-15",
        "Payments through Stripe, accounts kept longer",
    );
    repo.remove("processors/sentry.toml");
    repo.write(
        "activities/newsletter.toml",
        activity("Newsletter", &[], "P1Y"),
    );
    let third = repo.commit("2026-03-20", "Drop Sentry; the newsletter");
    (repo, [first, second, third])
}

fn short(hash: &str) -> &str {
    &hash[..10]
}

/// The step sections of the Changes page, newest first: (heading, short
/// hash, the rows' texts).
fn steps(doc: &Html) -> Vec<(String, String, Vec<String>)> {
    doc.select(&sel("section.step[id^=\"c-\"]"))
        .map(|s| {
            let heading = s.select(&sel("h2")).next().map(text).unwrap_or_default();
            let hash = s
                .select(&sel("p code"))
                .next()
                .map(text)
                .unwrap_or_default();
            let rows = s.select(&sel("ul.changes > li")).map(text).collect();
            (heading, hash, rows)
        })
        .collect()
}

#[test]
fn changes_page_lists_each_commit_in_words_with_links() {
    let (repo, [first, second, third]) = repository();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&repo.registry(), &site, &[]);

    let index = page(&site, "index.html");
    assert_eq!(
        index
            .select(&sel("nav a[href=\"changes.html\"]"))
            .map(text)
            .collect::<Vec<_>>(),
        ["Changes"]
    );
    let doc = page(&site, "changes.html");
    assert_eq!(texts(&doc, "h1"), ["Changes"]);
    // No work-tree changes: no such section.
    assert!(doc.select(&sel("section.uncommitted")).next().is_none());
    let steps = steps(&doc);
    let headings: Vec<(&str, &str)> = steps
        .iter()
        .map(|(h, c, _)| (h.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        headings,
        [
            ("20 March 2026 · Drop Sentry; the newsletter", short(&third)),
            (
                "15 February 2026 · Payments through Stripe, accounts kept longer",
                short(&second)
            ),
            ("10 January 2026 · Start the record", short(&first)),
        ]
    );
    assert_eq!(
        steps[0].2,
        [
            "activity Newsletter (newsletter) added",
            "processor Sentry (sentry) removed",
        ]
    );
    assert_eq!(
        steps[1].2,
        [
            "processor sentry removed from Customer accounts",
            "processor stripe added to Customer accounts",
            "Customer accounts: retention[0].period: P2Y → P3Y",
            "processor Stripe (stripe) added",
        ]
    );
    assert_eq!(
        steps[2].2,
        [
            "activity Customer accounts (customer-accounts) added",
            "processor Sentry (sentry) added",
            "data subject Customers (customers) added",
            "data category Contact details (contact-details) added",
            "security measure Encryption (encryption) added",
            "organisation Example AB added",
        ]
    );
    // What still exists is linked; what is gone is not.
    let links = |step: &str| -> Vec<(String, String)> {
        doc.select(&sel(&format!("section#c-{step} ul.changes a")))
            .map(|a| (text(a), a.value().attr("href").unwrap().to_string()))
            .collect()
    };
    assert_eq!(
        links(short(&third)),
        [(
            "Newsletter (newsletter)".to_string(),
            "activities/newsletter.html".to_string()
        )]
    );
    let second_links = links(short(&second));
    assert!(
        second_links.contains(&("stripe".into(), "processors/stripe.html".into())),
        "{second_links:?}"
    );
    assert!(
        !second_links.iter().any(|(t, _)| t == "sentry"),
        "sentry is gone: {second_links:?}"
    );
    let first_links = links(short(&first));
    for href in [
        "activities/customer-accounts.html",
        "categories.html#subject-customers",
        "categories.html#category-contact-details",
        "measures.html#measure-encryption",
        "index.html",
    ] {
        assert!(
            first_links.iter().any(|(_, h)| h == href),
            "{href}: {first_links:?}"
        );
    }
    // A field's change is the diff's line, in <code>.
    assert!(
        doc.select(&sel("code.diff"))
            .any(|c| text(c) == "retention[0].period: P2Y → P3Y")
    );
    // No author without show_authors.
    assert!(
        !std::fs::read_to_string(site.join("changes.html"))
            .unwrap()
            .contains("Dana Officer")
    );
    for rel in ["changes.html", "activities/customer-accounts.html"] {
        assert_links_resolve(&site, rel);
    }
}

#[test]
fn entry_pages_show_created_last_changed_and_recent_changes() {
    let (repo, [first, second, _third]) = repository();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&repo.registry(), &site, &[]);

    let doc = page(&site, "activities/customer-accounts.html");
    assert_eq!(texts(&doc, "section.history h2"), ["History"]);
    let facts: Vec<String> = texts(&doc, "section.history dl.facts > *");
    assert_eq!(
        facts,
        [
            "Created".to_string(),
            format!("10 January 2026 · {} · Start the record", short(&first)),
            "Last changed".to_string(),
            format!(
                "15 February 2026 · {} · Payments through Stripe, accounts kept longer",
                short(&second)
            ),
        ]
    );
    // The dates link to their commit on the Changes page.
    let hrefs: Vec<&str> = doc
        .select(&sel("section.history dd a"))
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(
        hrefs,
        [
            format!("../changes.html#c-{}", short(&first)),
            format!("../changes.html#c-{}", short(&second)),
        ]
    );
    assert_eq!(texts(&doc, "section.history h3"), ["Recent changes"]);
    let recent: Vec<Vec<String>> = doc
        .select(&sel("ul.history-list > li"))
        .map(|li| li.select(&sel("ul.history-lines > li")).map(text).collect())
        .collect();
    assert_eq!(
        recent,
        [
            vec![
                "processor sentry removed",
                "processor stripe added",
                "retention[0].period: P2Y → P3Y",
            ],
            vec!["Added to the record"],
        ]
    );
    // The processor added later, and one never changed since.
    let stripe = page(&site, "processors/stripe.html");
    assert_eq!(
        texts(&stripe, "section.history dl.facts dd")[0],
        format!(
            "15 February 2026 · {} · Payments through Stripe, accounts kept longer",
            short(&second)
        )
    );
    assert!(texts(&stripe, "section.history h3").contains(&"Recent changes".to_string()));
    assert!(
        stripe.select(&sel("section.history .tag")).next().is_none(),
        "committed: no `not committed` tag"
    );
    // Headings stay in order: h1, then h2 sections, h3 inside History.
    let levels: Vec<u8> = doc
        .select(&sel("h1, h2, h3, h4"))
        .map(|h| h.value().name()[1..].parse().unwrap())
        .collect();
    assert_eq!(levels[0], 1);
    for w in levels.windows(2) {
        assert!(w[1] <= w[0] + 1, "a heading level is skipped: {levels:?}");
    }
}

#[test]
fn uncommitted_edits_show_as_such() {
    let (repo, [_, second, _]) = repository();
    repo.write(
        "activities/customer-accounts.toml",
        activity("Customer accounts", &["stripe"], "P5Y"),
    );
    repo.write("activities/draft.toml", activity("Draft", &[], "P1Y"));
    repo.remove("activities/newsletter.toml");
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&repo.registry(), &site, &[]);

    let doc = page(&site, "changes.html");
    // The work tree's changes come first.
    let sections: Vec<String> = texts(&doc, "main > section > h2");
    assert_eq!(sections[0], "Changed since the last commit");
    assert_eq!(sections.len(), 4);
    assert_eq!(
        texts(&doc, "section.uncommitted ul.changes > li"),
        [
            "Customer accounts: retention[0].period: P3Y → P5Y",
            "activity Draft (draft) added",
            "activity Newsletter (newsletter) removed",
        ]
    );

    let accounts = page(&site, "activities/customer-accounts.html");
    assert_eq!(
        texts(&accounts, "section.history h3"),
        ["Changed since the last commit", "Recent changes"]
    );
    assert_eq!(
        texts(&accounts, "section.history > ul.history-lines > li"),
        ["retention[0].period: P3Y → P5Y"]
    );
    // The last commit is still the last change.
    assert!(texts(&accounts, "section.history dl.facts dd")[1].contains(short(&second)));

    let draft = page(&site, "activities/draft.html");
    assert_eq!(
        texts(&draft, "section.history .tag"),
        ["Not committed yet: this entry is in the work tree only"]
    );
    assert!(
        draft
            .select(&sel("section.history dl.facts"))
            .next()
            .is_none()
    );
    assert!(texts(&draft, "section.history h3").contains(&"Changed since the last commit".into()));
    assert!(!site.join("activities/newsletter.html").exists());
    assert_links_resolve(&site, "changes.html");
}

#[test]
fn authors_appear_only_with_show_authors() {
    let (repo, _) = repository();
    let out = tempfile::tempdir().unwrap();
    let without = out.path().join("without");
    build(&repo.registry(), &without, &[]);
    for (name, bytes) in files(&without) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("Dana Officer"),
            "{name} names the author"
        );
    }

    repo.write(
        "organisation.toml",
        format!("{ORGANISATION}\n[site]\nshow_authors = true\n"),
    );
    let shown = repo.commit("2026-04-01", "Show who changed the record");
    let with = out.path().join("with");
    build(&repo.registry(), &with, &[]);
    let doc = page(&with, "changes.html");
    let first = doc
        .select(&sel("section.step[id^=\"c-\"] p.muted"))
        .map(text)
        .next()
        .unwrap();
    assert_eq!(first, format!("{} · by Dana Officer", short(&shown)));
    let accounts = page(&with, "activities/customer-accounts.html");
    assert!(
        texts(&accounts, "section.history dd")
            .iter()
            .all(|d| d.ends_with("· by Dana Officer")),
        "{:?}",
        texts(&accounts, "section.history dd")
    );
    // The JSON register carries neither the setting nor any history: it is
    // the same with history as without.
    let json = std::fs::read_to_string(with.join("ropa.json")).unwrap();
    assert!(!json.contains("show_authors") && !json.contains("Dana Officer"));
    let off = out.path().join("off");
    build(&repo.registry(), &off, &["--no-history"]);
    assert!(
        json == std::fs::read_to_string(off.join("ropa.json")).unwrap(),
        "ropa.json is a function of the registry files alone"
    );
}

#[test]
fn show_authors_must_be_true_or_false() {
    let r = TempRegistry::minimal();
    r.write(
        "organisation.toml",
        format!("{ORGANISATION}\n[site]\nshow_authors = \"yes\"\n"),
    );
    let diags = r.json(1);
    let d = one(&diags, "schema", "organisation.toml");
    assert_points_at(r.path(), d, "\"yes\"");
}

#[test]
fn the_same_commit_builds_the_same_site() {
    let (repo, _) = repository();
    // An uncommitted edit too: what the work tree says is as fixed as the commit.
    repo.write("activities/draft.toml", activity("Draft", &[], "P1Y"));
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (out.path().join("a"), out.path().join("b"));
    build(&repo.registry(), &a, &[]);
    build(&repo.registry(), &b, &[]);
    assert!(a.join("changes.html").is_file());
    assert_same_site(&a, &b);
}

#[test]
fn outside_git_and_with_no_history_the_site_has_no_history() {
    let (repo, _) = repository();
    let out = tempfile::tempdir().unwrap();
    let plain = out.path().join("plain-registry");
    copy_dir(&repo.registry(), &plain);
    let (outside, off) = (out.path().join("outside"), out.path().join("off"));
    build(&plain, &outside, &[]);
    build(&repo.registry(), &off, &["--no-history"]);
    assert_same_site(&outside, &off);
    assert!(!outside.join("changes.html").exists());
    // The JSON register is a function of the registry's files alone: the
    // same with history as without.
    let with = out.path().join("with");
    build(&repo.registry(), &with, &[]);
    assert!(with.join("changes.html").is_file());
    assert_eq!(
        std::fs::read(with.join("ropa.json")).unwrap(),
        std::fs::read(off.join("ropa.json")).unwrap(),
        "ropa.json differs with history"
    );
    for (name, bytes) in files(&outside) {
        if !name.ends_with(".html") {
            continue;
        }
        let doc = Html::parse_document(&String::from_utf8_lossy(&bytes));
        assert!(
            doc.select(&sel("section.history")).next().is_none(),
            "{name} has a History section"
        );
        assert!(
            !doc.select(&sel("a[href$=\"changes.html\"]")).any(|_| true),
            "{name} links to the Changes page"
        );
    }
}

#[test]
fn a_commit_of_many_entries_lists_the_first_fifty_of_each_kind() {
    let repo = GitRepo::new();
    repo.write("organisation.toml", ORGANISATION);
    repo.write("categories.toml", CATEGORIES);
    repo.write("measures.toml", MEASURES);
    for i in 0..60 {
        repo.write(
            &format!("activities/a{i:02}.toml"),
            activity(&format!("Activity {i:02}"), &[], "P1Y"),
        );
    }
    repo.commit("2026-01-10", "Import the spreadsheet");
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&repo.registry(), &site, &[]);
    let doc = page(&site, "changes.html");
    let rows = &steps(&doc)[0].2;
    let activities: Vec<&String> = rows.iter().filter(|r| r.starts_with("activity ")).collect();
    assert_eq!(activities.len(), 50);
    assert_eq!(activities[0], "activity Activity 00 (a00) added");
    assert_eq!(activities[49], "activity Activity 49 (a49) added");
    assert_eq!(rows[50], "and 10 more (60 in all)");
    // The other kinds follow, each listed.
    assert_eq!(rows[51], "data subject Customers (customers) added");
    assert_eq!(rows.len(), 55);
}

#[test]
fn a_shallow_clone_says_where_the_history_starts() {
    let (repo, [_, _, third]) = repository();
    let out = tempfile::tempdir().unwrap();
    let clone = out.path().join("clone");
    repo.git(&[
        "clone",
        "-q",
        "--depth",
        "2",
        &format!("file://{}", repo.path().display()),
        clone.to_str().unwrap(),
    ]);
    let site = out.path().join("site");
    build(&clone.join("registry"), &site, &[]);
    let doc = page(&site, "changes.html");
    // The oldest commit of the clone is where history starts, not a change.
    let steps = steps(&doc);
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].1, short(&third));
    assert!(
        texts(&doc, "main > p.muted")
            .contains(&"The history starts on 15 February 2026: older commits are not in this copy of the repository.".to_string()),
        "{:?}",
        texts(&doc, "main > p")
    );
    // Unchanged since before the start: no creation commit, no change.
    let accounts = page(&site, "activities/customer-accounts.html");
    assert_eq!(
        texts(&accounts, "section.history dl.facts > *"),
        [
            "Created",
            "on or before 15 February 2026, where the history starts"
        ]
    );
    assert!(accounts.select(&sel("section.history h3")).next().is_none());
    // Added after the start: its own commit.
    let newsletter = page(&site, "activities/newsletter.html");
    assert!(texts(&newsletter, "section.history dl.facts dd")[0].contains(short(&third)));
}

/// `--depth 1`, as CI checks out by default: one commit, where history
/// starts; no step, and not "no commit has changed the registry".
#[test]
fn a_clone_of_depth_one_says_where_the_history_starts() {
    let (repo, _) = repository();
    let out = tempfile::tempdir().unwrap();
    let clone = out.path().join("clone");
    repo.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &format!("file://{}", repo.path().display()),
        clone.to_str().unwrap(),
    ]);
    let site = out.path().join("site");
    build(&clone.join("registry"), &site, &[]);
    let doc = page(&site, "changes.html");
    assert!(steps(&doc).is_empty());
    let said = texts(&doc, "main > p.muted");
    assert!(
        said.contains(&"The history starts on 20 March 2026: older commits are not in this copy of the repository.".to_string()),
        "{said:?}"
    );
    assert!(!said.iter().any(|t| t.contains("No commit")), "{said:?}");
    let accounts = page(&site, "activities/customer-accounts.html");
    assert_eq!(
        texts(&accounts, "section.history dl.facts > *"),
        [
            "Created",
            "on or before 20 March 2026, where the history starts"
        ]
    );
}

#[test]
fn a_file_not_readable_at_a_commit_is_said_so() {
    let (repo, _) = repository();
    repo.write("activities/newsletter.toml", "name = \"Newsletter\n");
    let broken = repo.commit("2026-04-01", "Half an edit");
    repo.write(
        "activities/newsletter.toml",
        activity("Newsletter", &[], "P2Y"),
    );
    let fixed = repo.commit("2026-04-02", "The edit finished");
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&repo.registry(), &site, &[]);
    let doc = page(&site, "changes.html");
    let steps = steps(&doc);
    assert_eq!(steps[1].1, short(&broken));
    assert_eq!(
        steps[1].2,
        [
            "Newsletter (newsletter): the file was not readable at this commit, so what changed in it is not known"
        ]
    );
    assert_eq!(steps[0].1, short(&fixed));
    let newsletter = page(&site, "activities/newsletter.html");
    let lines: Vec<Vec<String>> = newsletter
        .select(&sel("ul.history-list > li"))
        .map(|li| li.select(&sel("ul.history-lines > li")).map(text).collect())
        .collect();
    assert_eq!(
        lines[1],
        ["The file was not readable at this commit, so what changed in it is not known."]
    );
}

#[test]
fn commit_subjects_and_names_are_escaped() {
    let repo = GitRepo::new();
    repo.write("organisation.toml", ORGANISATION);
    repo.write("categories.toml", CATEGORIES);
    repo.write("measures.toml", MEASURES);
    repo.write(
        "activities/customer-accounts.toml",
        activity("<img src=x onerror=alert(1)>", &[], "P1Y"),
    );
    repo.write(
        "organisation.toml",
        format!("{ORGANISATION}\n[site]\nshow_authors = true\n"),
    );
    let hash = repo.commit("2026-01-10", "<script>alert(1)</script> & more");
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&repo.registry(), &site, &[]);
    for rel in ["changes.html", "activities/customer-accounts.html"] {
        let doc = page(&site, rel);
        assert!(
            doc.select(&sel("main script, main img")).next().is_none(),
            "{rel}"
        );
    }
    let doc = page(&site, "changes.html");
    assert_eq!(
        texts(&doc, "section.step h2"),
        ["10 January 2026 · <script>alert(1)</script> & more"]
    );
    assert!(
        texts(&doc, "ul.changes > li").contains(
            &"activity <img src=x onerror=alert(1)> (customer-accounts) added".to_string()
        )
    );
    assert!(texts(&doc, "section.step p.muted")[0].starts_with(short(&hash)));
}

#[test]
fn the_history_speaks_the_site_language() {
    let (repo, [_, second, _]) = repository();
    repo.write(
        "organisation.toml",
        format!("{ORGANISATION}\n[site]\nlanguage = \"nl\"\n"),
    );
    repo.commit("2026-04-01", "Nederlands");
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    build(&repo.registry(), &site, &[]);
    let index = page(&site, "index.html");
    assert_eq!(
        texts(&index, "nav a[href=\"changes.html\"]"),
        ["Wijzigingen"]
    );
    let doc = page(&site, "changes.html");
    let rows = &steps(&doc)[2].2;
    assert_eq!(
        rows[..2],
        [
            "verwerker sentry verwijderd uit Customer accounts",
            "verwerker stripe toegevoegd aan Customer accounts",
        ]
    );
    assert!(texts(&doc, "section.step h2")[2].starts_with("15 februari 2026"));
    let accounts = page(&site, "activities/customer-accounts.html");
    assert_eq!(texts(&accounts, "section.history h2"), ["Geschiedenis"]);
    assert!(texts(&accounts, "section.history dl.facts dd")[1].contains(short(&second)));
}
