//! fideslang YAML (ethyca/fides, IABTechLab/fideslang): `organization`,
//! `system` and `dataset` resources turned into registry drafts. One
//! activity per privacy declaration; taxonomy keys (`user.contact.email`)
//! get the default taxonomy's readable names and keep the key in a note.
//!
//! Fields of fideslang 3 are read, and the ones it deprecated that old
//! manifests still carry (`third_country_transfers`, `retention`,
//! `data_responsibility_title`, `data_protection_impact_assessment`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::draft::{
    ActivityDraft, Contact, Draft, OrganisationDraft, RetentionRule, SafeguardEntry, TransferKey,
    push_unique,
};
use super::{Files, ImportError, Report, Unmapped};
use crate::model::SafeguardKind;
use crate::reference::words;

/// A YAML file larger than this is refused before it is read: fideslang
/// manifests are a few hundred KiB, and parsing is in memory.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A folder holding more YAML files than this is refused.
const MAX_FILES: usize = 10_000;

// ---------------------------------------------------------------------
// The fideslang model, as far as the record needs it. Unknown keys are
// ignored (fideslang has many the record has no use for); every field is
// optional and scalars are read as text, so a manifest fides accepts is
// never refused for a type ropa does not care about.

/// A scalar read as text (fides writes `retention_period: 30` as well as
/// `"30 days"`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a text")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Text {
    fn get(&self) -> Option<&str> {
        let t = self.0.trim();
        (!words::is_absent(t)).then_some(t)
    }
}

fn text(t: &Option<Text>) -> Option<&str> {
    t.as_ref().and_then(Text::get)
}

fn list<T>(l: &Option<Vec<T>>) -> &[T] {
    l.as_deref().unwrap_or(&[])
}

/// A boolean as fides writes it (`true`, or the string `"true"`).
fn yes(t: &Option<Text>) -> Option<bool> {
    match text(t)?.to_lowercase().as_str() {
        "true" | "yes" => Some(true),
        "false" | "no" => Some(false),
        _ => None,
    }
}

/// One YAML file's resources.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Manifest {
    organization: Option<Vec<Organization>>,
    system: Option<Vec<System>>,
    dataset: Option<Vec<Dataset>>,
    data_category: Option<Vec<TaxonomyEntry>>,
    data_use: Option<Vec<TaxonomyEntry>>,
    data_subject: Option<Vec<TaxonomyEntry>>,
    policy: Option<Vec<IgnoredAny>>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

impl Manifest {
    fn add(&mut self, other: Manifest) {
        fn join<T>(a: &mut Option<Vec<T>>, b: Option<Vec<T>>) {
            if let Some(b) = b {
                a.get_or_insert_with(Vec::new).extend(b);
            }
        }
        join(&mut self.organization, other.organization);
        join(&mut self.system, other.system);
        join(&mut self.dataset, other.dataset);
        join(&mut self.data_category, other.data_category);
        join(&mut self.data_use, other.data_use);
        join(&mut self.data_subject, other.data_subject);
        join(&mut self.policy, other.policy);
        self.other.extend(other.other);
    }

    fn is_fideslang(&self) -> bool {
        self.organization.is_some()
            || self.system.is_some()
            || self.dataset.is_some()
            || self.data_category.is_some()
            || self.data_use.is_some()
            || self.data_subject.is_some()
            || self.policy.is_some()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ContactDetails {
    name: Option<Text>,
    address: Option<Text>,
    email: Option<Text>,
    phone: Option<Text>,
}

impl ContactDetails {
    fn contact(&self) -> Contact {
        let t = |v: &Option<Text>| text(v).map(str::to_string);
        Contact {
            name: t(&self.name),
            address: t(&self.address),
            email: t(&self.email),
            phone: t(&self.phone),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Organization {
    fides_key: Option<Text>,
    name: Option<Text>,
    description: Option<Text>,
    controller: Option<ContactDetails>,
    data_protection_officer: Option<ContactDetails>,
    representative: Option<ContactDetails>,
    security_policy: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TaxonomyEntry {
    fides_key: Option<Text>,
    name: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DataFlow {
    fides_key: Option<Text>,
    #[serde(rename = "type")]
    kind: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Dpia {
    is_required: Option<Text>,
    progress: Option<Text>,
    link: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct System {
    fides_key: Option<Text>,
    name: Option<Text>,
    description: Option<Text>,
    administrating_department: Option<Text>,
    responsibility: Option<Vec<Text>>,
    /// fideslang 2, deprecated for `responsibility`.
    data_responsibility_title: Option<Text>,
    egress: Option<Vec<DataFlow>>,
    ingress: Option<Vec<DataFlow>>,
    privacy_declarations: Option<Vec<PrivacyDeclaration>>,
    dataset_references: Option<Vec<Text>>,
    processes_personal_data: Option<Text>,
    exempt_from_privacy_regulations: Option<Text>,
    reason_for_exemption: Option<Text>,
    uses_profiling: Option<Text>,
    legal_basis_for_profiling: Option<Vec<Text>>,
    does_international_transfers: Option<Text>,
    legal_basis_for_transfers: Option<Vec<Text>>,
    /// fideslang 2 (deprecated, still written by older manifests):
    /// ISO 3166-1 alpha-3 codes.
    third_country_transfers: Option<Vec<Text>>,
    requires_data_protection_assessments: Option<Text>,
    dpa_location: Option<Text>,
    dpa_progress: Option<Text>,
    data_protection_impact_assessment: Option<Dpia>,
    privacy_policy: Option<Text>,
    legal_name: Option<Text>,
    legal_address: Option<Text>,
    dpo: Option<Text>,
    joint_controller_info: Option<Text>,
    data_security_practices: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PrivacyDeclaration {
    name: Option<Text>,
    data_categories: Option<Vec<Text>>,
    data_use: Option<Text>,
    data_subjects: Option<Vec<Text>>,
    dataset_references: Option<Vec<Text>>,
    egress: Option<Vec<Text>>,
    ingress: Option<Vec<Text>>,
    features: Option<Vec<Text>>,
    legal_basis_for_processing: Option<Text>,
    impact_assessment_location: Option<Text>,
    retention_period: Option<Text>,
    processes_special_category_data: Option<Text>,
    special_category_legal_basis: Option<Text>,
    data_shared_with_third_parties: Option<Text>,
    third_parties: Option<Text>,
    shared_categories: Option<Vec<Text>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Dataset {
    fides_key: Option<Text>,
    name: Option<Text>,
    data_categories: Option<Vec<Text>>,
    collections: Option<Vec<Collection>>,
    /// fideslang 2 (deprecated).
    retention: Option<Text>,
    /// fideslang 2 (deprecated): alpha-3 codes.
    third_country_transfers: Option<Vec<Text>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Collection {
    name: Option<Text>,
    data_categories: Option<Vec<Text>>,
    fields: Option<Vec<Field>>,
    retention: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Field {
    data_categories: Option<Vec<Text>>,
    fields: Option<Vec<Field>>,
}

// ---------------------------------------------------------------------
// Reading the files.

/// One file's resources, with the name the report gives it.
pub struct Source {
    pub path: PathBuf,
    pub manifest: Manifest,
}

/// Limits on what one file may make the parser do: a file of aliases
/// (the "billion laughs") or of deep nesting is refused, not expanded.
fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 64;
    budget.max_nodes = 1_000_000;
    budget.max_events = 4_000_000;
    budget.max_aliases = 10_000;
    budget.max_anchors = 10_000;
    let mut o = serde_saphyr::Options::default();
    o.budget = Some(budget);
    o.alias_limits.max_total_replayed_events = 100_000;
    o.alias_limits.max_replay_stack_depth = 16;
    o.with_snippet = false;
    o
}

/// The files named (a folder: every `*.yml` / `*.yaml` in it and below,
/// sorted, links out of it not followed) read as fideslang resources.
pub fn read(inputs: &[PathBuf]) -> Result<Vec<Source>, ImportError> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| unreadable(input, &e))?;
        if meta.is_dir() {
            let root = input
                .canonicalize()
                .map_err(|e| ImportError::file(input, e))?;
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(input)
                .follow_links(false)
                .sort_by_file_name()
            {
                let entry = entry.map_err(|e| ImportError::file(input, e))?;
                let path = entry.path();
                let yaml = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml")
                });
                if !yaml {
                    continue;
                }
                let inside = if entry.path_is_symlink() {
                    path.canonicalize()
                        .is_ok_and(|t| t.starts_with(&root) && t.is_file())
                } else {
                    entry.file_type().is_file()
                };
                if inside {
                    found.push(path.to_path_buf());
                }
            }
            if found.is_empty() {
                return Err(ImportError::file(
                    input,
                    "holds no .yml or .yaml file: name the folder of the fides manifests",
                ));
            }
            files.extend(found);
        } else {
            files.push(input.clone());
        }
        if files.len() > MAX_FILES {
            return Err(ImportError::file(
                input,
                format!("holds more than {MAX_FILES} YAML files; import fewer at a time"),
            ));
        }
    }
    let sources: Vec<Source> = files
        .into_iter()
        .map(|path| {
            let manifest = read_file(&path)?;
            Ok(Source { path, manifest })
        })
        .collect::<Result<_, ImportError>>()?;
    let any = sources.iter().any(|s| {
        s.manifest.organization.is_some()
            || s.manifest.system.is_some()
            || s.manifest.dataset.is_some()
    });
    if !any {
        let first = inputs.first().map_or(Path::new(""), PathBuf::as_path);
        return Err(ImportError::file(
            first,
            "has no fides organization, system or dataset: nothing to import",
        ));
    }
    Ok(sources)
}

fn read_file(path: &Path) -> Result<Manifest, ImportError> {
    let len = std::fs::metadata(path)
        .map_err(|e| unreadable(path, &e))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(ImportError::file(
            path,
            format!(
                "is {} MiB, larger than the {} MiB ropa imports; split the manifest into several files",
                len / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, &e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::file(
            path,
            format!("is not UTF-8 text (byte {})", e.valid_up_to() + 1),
        )
    })?;
    if text.trim().is_empty() {
        return Err(ImportError::file(
            path,
            "is empty: it is not a fides manifest",
        ));
    }
    // A file may hold several documents (`---`): their resources add up.
    let documents: Vec<Manifest> = serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|e| ImportError::file(path, yaml_error(&e)))?;
    let mut manifest = Manifest::default();
    for d in documents {
        manifest.add(d);
    }
    if !manifest.is_fideslang() {
        return Err(ImportError::file(
            path,
            "is YAML but not a fides manifest: it has no `organization`, `system` or `dataset` list",
        ));
    }
    Ok(manifest)
}

fn unreadable(path: &Path, e: &std::io::Error) -> ImportError {
    if e.kind() == std::io::ErrorKind::NotFound {
        ImportError::file(
            path,
            "does not exist: name a fides YAML file or a folder of them",
        )
    } else {
        ImportError::file(path, format!("cannot be read: {e}"))
    }
}

/// One line: where, and what the parser said (without the place it
/// repeats at its end).
fn yaml_error(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    let mut msg = full.lines().next().unwrap_or("").trim();
    if let Some(l) = e.location() {
        let tail = format!(" at line {}, column {}", l.line(), l.column());
        msg = msg.strip_suffix(tail.as_str()).unwrap_or(msg);
    }
    match e.location() {
        Some(l) if l.line() > 0 => format!(
            "cannot be read as a fides manifest at line {}, column {}: {msg}",
            l.line(),
            l.column()
        ),
        _ => format!("cannot be read as a fides manifest: {msg}"),
    }
}

// ---------------------------------------------------------------------
// The default taxonomy.

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Category,
    Use,
    Subject,
}

fn default_names() -> &'static HashMap<(Kind, &'static str), &'static str> {
    static NAMES: OnceLock<HashMap<(Kind, &'static str), &'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        include_str!("fides_taxonomy.tsv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut f = l.split('\t');
                let kind = match f.next()? {
                    "category" => Kind::Category,
                    "use" => Kind::Use,
                    "subject" => Kind::Subject,
                    _ => return None,
                };
                Some(((kind, f.next()?), f.next()?))
            })
            .collect()
    })
}

/// The readable name of a fides key: the default taxonomy's name for it
/// (a data category, use or subject), or one made from the key. The ICO
/// layout's fides datamap exports name their keys too.
pub(super) fn key_name(key: &str) -> String {
    let names = default_names();
    [Kind::Category, Kind::Use, Kind::Subject]
        .iter()
        .find_map(|k| names.get(&(*k, key)))
        .map_or_else(|| name_from_key(key), |n| n.to_string())
}

/// A readable name made from a key no taxonomy names:
/// `user.custom.loyalty_points` → "Loyalty points".
fn name_from_key(key: &str) -> String {
    let last = key
        .rsplit('.')
        .next()
        .unwrap_or(key)
        .replace(['_', '-'], " ");
    let last = last.trim();
    let mut c = last.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => key.to_string(),
    }
}

/// Art. 9(1) and Art. 10 data among the default categories. Health data
/// includes numbers given to identify a person for health purposes
/// (recital 35), so the medical ids are special too. Biometric data is
/// special only when processed to identify a person uniquely (Art. 9(1)),
/// which the key does not say: those get a note instead.
pub(super) fn marks(key: &str) -> (bool, bool, bool) {
    let under = |p: &str| key == p || key.starts_with(&format!("{p}."));
    let special = [
        "user.health_and_medical",
        "user.biometric.health",
        "user.demographic.political_opinion",
        "user.demographic.race_ethnicity",
        "user.demographic.religious_belief",
        "user.demographic.sexual_orientation",
    ]
    .iter()
    .any(|p| under(p));
    let criminal = under("user.criminal_history");
    let biometric = !special && (under("user.biometric") || under("user.authorization.biometric"));
    (special, criminal, biometric)
}

// ---------------------------------------------------------------------
// Mapping.

/// "fides: 'the words' (system.yml: system[app].privacy_declarations[0].data_use)".
fn quote(text: &str, place: &str) -> String {
    format!("fides: '{}' ({place})", text.trim())
}

/// A system's part of its activities (see [`Import::prepare`]).
#[derive(Clone)]
struct Prepared {
    system_name: String,
    processor_record: bool,
    role_notes: Vec<String>,
    /// The processor that runs the system: its id and name.
    processor: Option<(String, String)>,
    transfers: Vec<String>,
    measure: Option<String>,
}

struct Import<'a> {
    sources: &'a [Source],
    draft: Draft,
    report: Report,
    /// Names the manifests give their own taxonomy entries.
    custom: HashMap<(Kind, String), String>,
    category_ids: HashMap<String, String>,
    /// The ids of the categories marked special.
    special_ids: std::collections::HashSet<String>,
    subject_ids: HashMap<String, String>,
    /// System key → (file index, system).
    systems: BTreeMap<String, (usize, &'a System)>,
    /// The systems read, in the order of the files and within them.
    order: Vec<(String, usize, &'a System)>,
    datasets: BTreeMap<String, (usize, &'a Dataset)>,
    used_datasets: std::collections::BTreeSet<String>,
    organisation_name: Option<String>,
    prepared: HashMap<String, Prepared>,
    /// Safeguard name → id.
    safeguard_ids: HashMap<String, String>,
}

/// Maps the resources of all the files to registry files.
pub fn map(sources: &[Source]) -> (Files, Report) {
    let mut im = Import {
        sources,
        draft: Draft::default(),
        report: Report::default(),
        custom: HashMap::new(),
        category_ids: HashMap::new(),
        special_ids: Default::default(),
        subject_ids: HashMap::new(),
        systems: BTreeMap::new(),
        order: Vec::new(),
        datasets: BTreeMap::new(),
        used_datasets: Default::default(),
        organisation_name: None,
        prepared: HashMap::new(),
        safeguard_ids: HashMap::new(),
    };
    im.index();
    let organisation = im.organisation();
    im.organisation_name = organisation.as_ref().and_then(|o| o.own.name.clone());
    // In the order the files list them.
    let order = std::mem::take(&mut im.order);
    // Declarations named alike in two systems get the system's name.
    let mut names: HashMap<String, usize> = HashMap::new();
    for (_, _, s) in &order {
        for d in list(&s.privacy_declarations) {
            if let Some(n) = text(&d.name) {
                *names.entry(n.to_lowercase()).or_default() += 1;
            }
        }
    }
    for (key, file, system) in &order {
        im.prepare(key, *file, system);
    }
    for (key, file, system) in order {
        im.system(&key, file, system, &names);
    }
    im.unused_datasets();
    let files = im
        .draft
        .files(organisation.as_ref(), &mut im.report.written);
    (files, im.report)
}

impl<'a> Import<'a> {
    fn file(&self, i: usize) -> String {
        self.sources[i].path.display().to_string()
    }

    fn place(&self, file: usize, path: &str) -> String {
        format!("{}: {path}", self.file(file))
    }

    fn unmapped(&mut self, address: String, text: &str, why: impl Into<String>) {
        self.report.unmapped.push(Unmapped {
            address,
            text: text.trim().to_string(),
            why: why.into(),
        });
    }

    /// Systems and datasets by key, custom taxonomy names, and the
    /// resources the record has no place for.
    fn index(&mut self) {
        let sources = self.sources;
        for (f, src) in sources.iter().enumerate() {
            let m = &src.manifest;
            for (kind, entries, top) in [
                (Kind::Category, &m.data_category, "data_category"),
                (Kind::Use, &m.data_use, "data_use"),
                (Kind::Subject, &m.data_subject, "data_subject"),
            ] {
                for (i, e) in list(entries).iter().enumerate() {
                    match (text(&e.fides_key), text(&e.name)) {
                        (Some(k), Some(n)) => {
                            self.custom.insert((kind, k.to_string()), n.to_string());
                        }
                        _ => {
                            let place = self.place(f, &format!("{top}[{i}]"));
                            self.unmapped(
                                place,
                                "",
                                "a taxonomy entry needs `fides_key` and `name`",
                            );
                        }
                    }
                }
            }
            for (i, s) in list(&m.system).iter().enumerate() {
                match text(&s.fides_key) {
                    Some(k) if !self.systems.contains_key(k) => {
                        self.systems.insert(k.to_string(), (f, s));
                        self.order.push((k.to_string(), f, s));
                    }
                    Some(k) => {
                        let place = self.place(f, &format!("system[{k}]"));
                        self.unmapped(
                            place,
                            k,
                            "another system has this `fides_key`; only the first was read",
                        );
                    }
                    None => {
                        let place = self.place(f, &format!("system[{i}]"));
                        self.unmapped(
                            place,
                            text(&s.name).unwrap_or(""),
                            "a system without `fides_key` is not read",
                        );
                    }
                }
            }
            for (i, d) in list(&m.dataset).iter().enumerate() {
                match text(&d.fides_key) {
                    Some(k) if !self.datasets.contains_key(k) => {
                        self.datasets.insert(k.to_string(), (f, d));
                    }
                    _ => {
                        let place = self.place(f, &format!("dataset[{i}]"));
                        self.unmapped(
                            place,
                            text(&d.name).unwrap_or(""),
                            "a dataset needs a `fides_key` of its own; not read",
                        );
                    }
                }
            }
            for (i, _) in list(&m.policy).iter().enumerate() {
                let place = self.place(f, &format!("policy[{i}]"));
                self.unmapped(
                    place,
                    "",
                    "a fides policy (rules for `fides evaluate`) has no place in the record",
                );
            }
            for key in m.other.keys() {
                let place = self.place(f, key);
                self.unmapped(place, "", "not a fides resource ropa reads");
            }
        }
    }

    fn taxonomy_name(&self, kind: Kind, key: &str) -> Option<String> {
        self.custom
            .get(&(kind, key.to_string()))
            .cloned()
            .or_else(|| default_names().get(&(kind, key)).map(|n| n.to_string()))
    }

    /// The first organisation; later ones are reported.
    fn organisation(&mut self) -> Option<OrganisationDraft> {
        let sources = self.sources;
        let mut found: Option<OrganisationDraft> = None;
        for (f, src) in sources.iter().enumerate() {
            for (i, o) in list(&src.manifest.organization).iter().enumerate() {
                let key = text(&o.fides_key).map_or_else(|| i.to_string(), str::to_string);
                let at = format!("organization[{key}]");
                if found.is_some() {
                    let place = self.place(f, &at);
                    self.unmapped(place, text(&o.name).unwrap_or(""), "a registry is one organisation's record: only the first organization was read");
                    continue;
                }
                found = Some(self.one_organisation(f, &at, o));
            }
        }
        found
    }

    fn one_organisation(&mut self, f: usize, at: &str, o: &Organization) -> OrganisationDraft {
        let mut org = OrganisationDraft::default();
        let controller = o
            .controller
            .as_ref()
            .map(ContactDetails::contact)
            .unwrap_or_default();
        org.own = Contact {
            name: text(&o.name)
                .map(str::to_string)
                .or(controller.name.clone()),
            ..controller
        };
        org.notes.push(format!(
            "Imported from the fides organization ({}).",
            self.place(f, at)
        ));
        if let Some(c) = o.controller.as_ref().and_then(|c| text(&c.name))
            && Some(c) != text(&o.name)
            && text(&o.name).is_some()
        {
            org.notes.push(format!(
                "The controller's contact person: {}",
                quote(c, &self.place(f, &format!("{at}.controller.name")))
            ));
        }
        if let Some(d) = text(&o.description) {
            org.notes
                .push(quote(d, &self.place(f, &format!("{at}.description"))));
        }
        // fideslang has no country: the controller's address may end
        // with one ("..., New York, NY, USA").
        if let Some(addr) = &org.own.address {
            let last = addr.rsplit([',', '\n']).next().unwrap_or("");
            if let Some(code) = words::country(last) {
                org.details.insert("country", code.to_string());
                org.notes.push(format!(
                    "`country` is read from the end of the controller's address: {}",
                    quote(addr, &self.place(f, &format!("{at}.controller.address")))
                ));
            }
        }
        org.dpo = o
            .data_protection_officer
            .as_ref()
            .map(ContactDetails::contact)
            .unwrap_or_default();
        org.representative = o
            .representative
            .as_ref()
            .map(ContactDetails::contact)
            .unwrap_or_default();
        // The registry's [dpo] has no address, its [representative] no
        // phone (kept in the organisation's note by the draft).
        for (who, field, value) in [
            (
                "data_protection_officer",
                "address",
                org.dpo.address.clone(),
            ),
            ("representative", "phone", org.representative.phone.clone()),
        ] {
            if let Some(v) = value {
                let place = self.place(f, &format!("{at}.{who}.{field}"));
                self.unmapped(place, &v, format!("the registry's contact for this has no {field}: kept in the organisation's note"));
            }
        }
        if let Some(p) = text(&o.security_policy) {
            let place = self.place(f, &format!("{at}.security_policy"));
            self.unmapped(place, p, "the registry has no key for a security policy link (describe the measures in measures.toml)");
        }
        org
    }

    /// The business that runs the system, when fides names one that is
    /// not the organisation itself (`legal_name`).
    fn operator(&self, s: &System) -> Option<String> {
        let n = text(&s.legal_name)?;
        let ours = self
            .organisation_name
            .as_deref()
            .is_some_and(|o| o.trim().eq_ignore_ascii_case(n));
        (!ours).then(|| n.to_string())
    }

    /// What a system says for all its declarations: the role, the
    /// business that runs it, its transfers and measures. Done for every
    /// system before any declaration, since a declaration's egress may
    /// name a system read later.
    fn prepare(&mut self, key: &str, f: usize, s: &'a System) {
        let at = format!("system[{key}]");
        let system_name = text(&s.name).unwrap_or(key).to_string();
        if yes(&s.processes_personal_data) == Some(false) {
            let place = self.place(f, &format!("{at}.processes_personal_data"));
            self.unmapped(
                place,
                "false",
                "fides says this system processes no personal data: no activity made",
            );
            return;
        }
        // The organisation's role for the system.
        let mut roles: Vec<(String, String)> = list(&s.responsibility)
            .iter()
            .filter_map(Text::get)
            .map(|r| (r.to_string(), format!("{at}.responsibility")))
            .collect();
        if let Some(r) = text(&s.data_responsibility_title) {
            roles.push((r.to_string(), format!("{at}.data_responsibility_title")));
        }
        let mut processor_record = false;
        let mut role_notes = Vec::new();
        let mut kinds = std::collections::BTreeSet::new();
        for (r, path) in &roles {
            let place = self.place(f, path);
            match r.to_lowercase().replace(['-', '_', ' '], "").as_str() {
                "controller" => {
                    kinds.insert("controller");
                }
                "processor" | "subprocessor" => {
                    kinds.insert("processor");
                }
                _ => {
                    self.unmapped(
                        place,
                        r,
                        "not a responsibility ropa knows (Controller, Processor, Sub-Processor)",
                    );
                    continue;
                }
            }
            role_notes.push(quote(r, &place));
        }
        if kinds.len() > 1 {
            let place = self.place(f, &format!("{at}.responsibility"));
            let both = roles
                .iter()
                .map(|(r, _)| r.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            self.unmapped(place, &both, "both controller and processor: the activities are recorded as the controller's; split off what you process for another controller");
        } else if kinds.contains("processor") {
            processor_record = true;
        }

        // The business that runs the system: our processor, when we are
        // the controller (a guess fides cannot confirm: see the note).
        let operator = self.operator(s);
        let mut processor = None;
        if let Some(op) = &operator {
            if processor_record {
                let place = self.place(f, &format!("{at}.legal_name"));
                self.unmapped(place, op, "the activities are a processor's: fides does not say whether this business is the controller you act for (add it to `controllers`) or your sub-processor");
            } else {
                let id = self.operator_party(f, &at, s, op, &system_name);
                processor = Some((id, op.clone()));
            }
        }

        // Transfers of the system (and of the datasets it uses).
        let transfers = self.transfers(f, &at, s, processor.as_ref(), processor_record);
        let measure = text(&s.data_security_practices).map(|t| {
            let place = self.place(f, &format!("{at}.data_security_practices"));
            let m = self
                .draft
                .measures
                .entry(&format!("Security practices of {system_name}"));
            if m.description.is_none() {
                m.description = Some(t.to_string());
                m.notes.push(quote(t, &place));
            }
            m.id.clone()
        });
        self.system_unmapped(f, &at, s);
        self.prepared.insert(
            key.to_string(),
            Prepared {
                system_name,
                processor_record,
                role_notes,
                processor,
                transfers,
                measure,
            },
        );
    }

    fn system(&mut self, key: &str, f: usize, s: &'a System, names: &HashMap<String, usize>) {
        let Some(p) = self.prepared.get(key) else {
            return;
        };
        let Prepared {
            system_name,
            processor_record,
            role_notes,
            processor,
            transfers,
            measure,
        } = p.clone();
        let at = format!("system[{key}]");
        let declarations = list(&s.privacy_declarations);
        if declarations.is_empty() {
            let place = self.place(f, &format!("{at}.privacy_declarations"));
            self.unmapped(
                place,
                &system_name,
                "the system has no privacy declaration, so no activity",
            );
        }
        for (i, d) in declarations.iter().enumerate() {
            self.report.rows += 1;
            let dat = format!("{at}.privacy_declarations[{i}]");
            let use_key = text(&d.data_use).unwrap_or("");
            let use_name = if use_key.is_empty() {
                None
            } else {
                Some(
                    self.taxonomy_name(Kind::Use, use_key)
                        .unwrap_or_else(|| name_from_key(use_key)),
                )
            };
            let mut name = text(&d.name)
                .map(str::to_string)
                .or_else(|| use_name.as_ref().map(|u| format!("{u} in {system_name}")))
                .unwrap_or_else(|| system_name.clone());
            if text(&d.name).is_some_and(|n| names.get(&n.to_lowercase()).copied().unwrap_or(0) > 1)
            {
                name = format!("{name} ({system_name})");
            }
            let id = self.draft.activity_ids.make(&name);
            let mut a = ActivityDraft {
                id,
                name,
                processor_record,
                owner: text(&s.administrating_department)
                    .filter(|d| !d.eq_ignore_ascii_case("not defined"))
                    .map(str::to_string),
                description: text(&s.description)
                    .map(|d| format!("Processing in the system *{system_name}*: {d}")),
                ..ActivityDraft::default()
            };
            a.notes.push(format!(
                "Imported from fides system `{key}`, privacy declaration {i} ({}).",
                self.place(f, &dat)
            ));
            a.notes.extend(role_notes.iter().cloned());
            push_unique(&mut a.systems, system_name.clone());
            match (&use_name, use_key) {
                (Some(u), k) => {
                    a.purposes.push(u.clone());
                    let known = self.taxonomy_name(Kind::Use, k).is_some();
                    a.notes.push(format!(
                        "The purpose is fides data use `{k}`{} ({}).",
                        if known {
                            ""
                        } else {
                            ", which no taxonomy read names: its name is made from the key"
                        },
                        self.place(f, &format!("{dat}.data_use"))
                    ));
                }
                (None, _) => {
                    let place = self.place(f, &format!("{dat}.data_use"));
                    self.unmapped(
                        place,
                        "",
                        "the declaration has no data use: the activity has no purpose",
                    );
                }
            }
            self.declaration(
                f,
                &dat,
                s,
                d,
                &mut a,
                processor.as_ref().map(|(id, _)| id.as_str()),
                &transfers,
            );
            if let Some(m) = &measure {
                push_unique(&mut a.measures, m.clone());
            }
            self.draft.activities.push(a);
        }
    }

    /// What a system says that the record has no key for.
    fn system_unmapped(&mut self, f: usize, at: &str, s: &System) {
        let report = |im: &mut Self, field: &str, value: &str, why: &str| {
            let place = im.place(f, &format!("{at}.{field}"));
            im.unmapped(place, value, why);
        };
        if yes(&s.exempt_from_privacy_regulations) == Some(true) {
            let why = text(&s.reason_for_exemption).unwrap_or("true");
            report(
                self,
                "exempt_from_privacy_regulations",
                why,
                "fides marks the system exempt from privacy law; the activities were imported all the same: check the exemption",
            );
        }
        if yes(&s.uses_profiling) == Some(true) {
            let bases: Vec<&str> = list(&s.legal_basis_for_profiling)
                .iter()
                .filter_map(Text::get)
                .collect();
            report(
                self,
                "uses_profiling",
                &bases.join(", "),
                "profiling with a legal effect: say whether it is an Art. 22 decision (`automated_decision_making`, `automated_decision_note`)",
            );
        }
        if let Some(j) = text(&s.joint_controller_info) {
            report(
                self,
                "joint_controller_info",
                j,
                "joint controllers are recorded on a joint-controller activity: set `role` and `joint_controllers` by hand",
            );
        }
        if let Some(p) = text(&s.privacy_policy) {
            report(
                self,
                "privacy_policy",
                p,
                "the registry has no key for a privacy policy link",
            );
        }
    }

    /// The processor entry for the business that runs a system.
    fn operator_party(
        &mut self,
        f: usize,
        at: &str,
        s: &System,
        op: &str,
        system_name: &str,
    ) -> String {
        let address = text(&s.legal_address);
        let country = address
            .and_then(|a| a.rsplit([',', '\n']).next())
            .and_then(words::country)
            .map(str::to_string);
        let name_place = self.place(f, &format!("{at}.legal_name"));
        let address_place = self.place(f, &format!("{at}.legal_address"));
        let dpo = text(&s.dpo);
        let p = self.draft.parties.entry(op, true);
        if p.service.is_none() {
            p.service = Some(format!("Runs the system {system_name}"));
            p.notes.push(format!(
                "Recorded as the processor that runs the system {system_name}, named by {} (a guess: fides does not say whether it processes the data on your behalf; if it uses the data for its own purposes, it is a recipient of kind `controller` instead). Describe the service.",
                quote(op, &name_place)
            ));
        }
        if p.country.is_none() {
            p.country = country.clone();
            if let Some(a) = address {
                if country.is_some() {
                    p.notes.push(format!(
                        "`country` is read from the end of its address: {}",
                        quote(a, &address_place)
                    ));
                } else {
                    p.notes.push(format!(
                        "The country could not be read from its address: {}",
                        quote(a, &address_place)
                    ));
                }
            }
        }
        if let Some(c) = &p.country
            && !p.locations.contains(c)
        {
            p.locations.insert(0, c.clone());
        }
        if p.contact.is_none() {
            p.contact = dpo.map(str::to_string);
        }
        p.id.clone()
    }

    /// The countries the system (or a dataset it uses) sends data to,
    /// each a transfer to the system's operator. Returns the transfer ids.
    fn transfers(
        &mut self,
        f: usize,
        at: &str,
        s: &System,
        to: Option<&(String, String)>,
        processor_record: bool,
    ) -> Vec<String> {
        let mut countries: Vec<(String, String, String)> = Vec::new(); // code, written, place
        for (i, c) in list(&s.third_country_transfers).iter().enumerate() {
            if let Some(t) = c.get() {
                let place = self.place(f, &format!("{at}.third_country_transfers[{i}]"));
                match words::country(t) {
                    Some(code) => countries.push((code.to_string(), t.to_string(), place)),
                    None => self.unmapped(place, t, "not a country ropa recognises (fides writes ISO 3166-1 alpha-3 codes: USA, GBR)"),
                }
            }
        }
        let mut refs: Vec<&str> = list(&s.dataset_references)
            .iter()
            .filter_map(Text::get)
            .collect();
        for d in list(&s.privacy_declarations) {
            refs.extend(list(&d.dataset_references).iter().filter_map(Text::get));
        }
        refs.sort_unstable();
        refs.dedup();
        for r in refs {
            let Some(&(df, ds)) = self.datasets.get(r) else {
                continue;
            };
            let dkey = text(&ds.fides_key).unwrap_or(r).to_string();
            for (i, c) in list(&ds.third_country_transfers).iter().enumerate() {
                if let Some(t) = c.get() {
                    let place =
                        self.place(df, &format!("dataset[{dkey}].third_country_transfers[{i}]"));
                    match words::country(t) {
                        Some(code) => countries.push((code.to_string(), t.to_string(), place)),
                        None => self.unmapped(place, t, "not a country ropa recognises (fides writes ISO 3166-1 alpha-3 codes: USA, GBR)"),
                    }
                }
            }
        }
        {
            let mut seen = std::collections::HashSet::new();
            countries.retain(|(c, _, _)| seen.insert(c.clone()));
        }
        let international = yes(&s.does_international_transfers);
        if countries.is_empty() {
            if international == Some(true) {
                let place = self.place(f, &format!("{at}.does_international_transfers"));
                self.unmapped(
                    place,
                    "true",
                    "fides names no country the data goes to: add the transfers by hand",
                );
            }
            return Vec::new();
        }
        // The mechanisms named for the system.
        let mut mechanisms = Vec::new();
        let mut basis_quotes = Vec::new();
        for (i, b) in list(&s.legal_basis_for_transfers).iter().enumerate() {
            let Some(t) = b.get() else { continue };
            let place = self.place(f, &format!("{at}.legal_basis_for_transfers[{i}]"));
            match words::mechanism(t) {
                Some(m) => {
                    if !mechanisms.contains(&m) {
                        mechanisms.push(m);
                    }
                    basis_quotes.push(quote(t, &place));
                }
                None if t.to_lowercase().contains("supplementary") => self.unmapped(place, t, "supplementary measures are not a transfer mechanism: list them in the transfer's `supplementary_measures`"),
                None => self.unmapped(place, t, "no transfer mechanism ropa recognises"),
            }
        }
        let Some((to, party)) = to.cloned() else {
            for (_, written, place) in countries {
                self.unmapped(place, &written, "fides names no business that receives the data there (`legal_name`): add the processor or recipient and its transfer");
            }
            return Vec::new();
        };
        // The receiving party is located where the data goes, so the
        // coverage rule asks for a transfer even where none is mapped.
        let p = self.draft.parties.entry(&party, true);
        for (c, _, _) in &countries {
            if !p.locations.contains(c) {
                p.locations.push(c.clone());
            }
        }
        let [(mechanism, derogation)] = mechanisms[..] else {
            let why = if mechanisms.is_empty() {
                "no transfer mechanism is named for the system (`legal_basis_for_transfers`): add the transfer by hand"
            } else {
                "the system names several transfer mechanisms and fides does not say which covers which country: add the transfer by hand"
            };
            for (_, written, place) in countries {
                self.unmapped(place, &written, why);
            }
            return Vec::new();
        };
        let safeguard = mechanism
            .safeguard_kind()
            .map(|kind| self.safeguard(kind, &party, processor_record, &basis_quotes));
        let mut ids = Vec::new();
        for (code, written, place) in countries {
            let key = TransferKey {
                to: to.clone(),
                country: Some(code.clone()),
                mechanism,
                derogation,
                safeguard: safeguard.clone(),
            };
            let i = self.draft.transfer(key, || {
                let mut notes = vec![quote(&written, &place)];
                notes.extend(basis_quotes.iter().cloned());
                (None, Vec::new(), notes)
            });
            ids.push(self.draft.transfers[i].id.clone());
        }
        ids
    }

    /// The document a mechanism rests on, one per party and kind. For
    /// SCCs the module follows from the roles: controller to processor
    /// is module 2, processor to sub-processor module 3.
    fn safeguard(
        &mut self,
        kind: SafeguardKind,
        party: &str,
        processor_record: bool,
        quotes: &[String],
    ) -> String {
        let label = match kind {
            SafeguardKind::Scc => "Standard contractual clauses",
            SafeguardKind::Bcr => "Binding corporate rules",
            _ => kind.as_str(),
        };
        let name = format!("{label} with {party}");
        if let Some(id) = self.safeguard_ids.get(&name) {
            return id.clone();
        }
        let mut notes: Vec<String> = quotes.to_vec();
        let modules = if kind == SafeguardKind::Scc {
            notes.push(format!(
                "Module {} is a guess from the roles ({}); fides does not say which clauses were signed. Add `signed` and `document`.",
                if processor_record { 3 } else { 2 },
                if processor_record { "processor to sub-processor" } else { "controller to processor" }
            ));
            vec![if processor_record { 3 } else { 2 }]
        } else {
            Vec::new()
        };
        let id = self.draft.safeguard_ids.make(&name);
        self.safeguard_ids.insert(name.clone(), id.clone());
        self.draft.safeguards.push(SafeguardEntry {
            id: id.clone(),
            name,
            kind,
            scc_version: None,
            modules,
            signed: None,
            notes,
        });
        id
    }

    /// One privacy declaration's content, into activity `a`.
    #[allow(clippy::too_many_arguments)]
    fn declaration(
        &mut self,
        f: usize,
        dat: &str,
        s: &System,
        d: &PrivacyDeclaration,
        a: &mut ActivityDraft,
        processor: Option<&str>,
        transfers: &[String],
    ) {
        // Legal basis.
        if let Some(t) = text(&d.legal_basis_for_processing) {
            let place = self.place(f, &format!("{dat}.legal_basis_for_processing"));
            let (bases, rest) = words::legal_bases(t);
            for b in bases {
                if !a.legal_bases.contains(&b) {
                    a.legal_bases.push(b);
                }
            }
            if rest.is_empty() {
                a.notes.push(quote(t, &place));
            } else {
                self.unmapped(place, t, "not an Art. 6(1) basis ropa recognises");
            }
        }
        if let Some(t) = text(&d.special_category_legal_basis) {
            let place = self.place(f, &format!("{dat}.special_category_legal_basis"));
            match words::special_condition(t) {
                Some(c) => {
                    a.special_condition = Some(c);
                    a.notes.push(quote(t, &place));
                }
                None => self.unmapped(place, t, "not an Art. 9(2) condition ropa recognises"),
            }
        }
        // Datasets the declaration (or else its system) uses.
        let mut refs: Vec<String> = list(&d.dataset_references)
            .iter()
            .filter_map(Text::get)
            .map(str::to_string)
            .collect();
        if refs.is_empty() {
            refs = list(&s.dataset_references)
                .iter()
                .filter_map(Text::get)
                .map(str::to_string)
                .collect();
        }
        // Categories, and subjects.
        let mut categories: Vec<(String, String)> = list(&d.data_categories)
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.get().map(|k| {
                    (
                        k.to_string(),
                        self.place(f, &format!("{dat}.data_categories[{i}]")),
                    )
                })
            })
            .collect();
        let from_datasets = categories.is_empty();
        for r in &refs {
            match self.datasets.get(r.as_str()) {
                Some(&(df, ds)) => {
                    self.used_datasets.insert(r.clone());
                    let dname = text(&ds.name).unwrap_or(r).to_string();
                    push_unique(&mut a.systems, dname.clone());
                    let mut keys = Vec::new();
                    dataset_categories(ds, &mut keys);
                    if from_datasets {
                        let place = self.place(df, &format!("dataset[{r}]"));
                        categories.extend(keys.into_iter().map(|k| (k, place.clone())));
                    }
                    if text(&d.retention_period).is_none() {
                        self.dataset_retention(df, r, ds, a);
                    }
                }
                None => {
                    let place = self.place(f, &format!("{dat}.dataset_references"));
                    self.unmapped(
                        place,
                        r,
                        "no dataset with this `fides_key` in the files read",
                    );
                }
            }
        }
        if from_datasets && !categories.is_empty() {
            a.notes.push("The declaration lists no data categories: they are taken from the datasets it uses.".to_string());
        }
        let mut seen = std::collections::HashSet::new();
        categories.retain(|(k, _)| seen.insert(k.clone()));
        for (k, place) in &categories {
            let id = self.category(k, place);
            push_unique(&mut a.categories, id);
        }
        for (i, subject) in list(&d.data_subjects).iter().enumerate() {
            if let Some(k) = subject.get() {
                let place = self.place(f, &format!("{dat}.data_subjects[{i}]"));
                let id = self.subject(k, &place);
                push_unique(&mut a.subjects, id);
            }
        }
        if yes(&d.processes_special_category_data) == Some(true) {
            let special = a.categories.iter().any(|id| self.special_ids.contains(id));
            if !special {
                a.notes.push(format!(
                    "fides says this declaration processes special category data ({}), but none of its categories is one: mark the categories concerned `special = true`.",
                    self.place(f, &format!("{dat}.processes_special_category_data"))
                ));
            }
        }
        // Retention.
        if let Some(t) = text(&d.retention_period) {
            let place = self.place(f, &format!("{dat}.retention_period"));
            let rule = self.retention(t, &place, a);
            a.retention.insert(0, rule);
        }
        // Parties.
        if let Some(p) = processor {
            push_unique(&mut a.processors, p.to_string());
        }
        for t in transfers {
            push_unique(&mut a.transfers, t.clone());
        }
        if let Some(t) = text(&d.third_parties) {
            let place = self.place(f, &format!("{dat}.third_parties"));
            for name in words::split_list(t) {
                let r = self.draft.parties.entry(&name, false);
                if r.kind.is_none() {
                    r.kind = Some(crate::model::RecipientKind::Category);
                    r.notes
                        .push(format!("A category of recipients: {}", quote(t, &place)));
                }
                let id = r.id.clone();
                push_unique(&mut a.recipients, id);
            }
        } else if yes(&d.data_shared_with_third_parties) == Some(true) {
            let place = self.place(f, &format!("{dat}.data_shared_with_third_parties"));
            self.unmapped(place, "true", "fides says the data is shared with third parties but not with whom (`third_parties`): add the recipients");
        }
        self.flows(f, dat, s, d, a);
        // DPIA.
        let dpia = s.data_protection_impact_assessment.as_ref();
        let required = yes(&s.requires_data_protection_assessments)
            .or_else(|| dpia.and_then(|x| yes(&x.is_required)));
        if required == Some(true) {
            a.dpia_required = Some(true);
        }
        if let Some(p) = text(&s.dpa_progress).or_else(|| dpia.and_then(|x| text(&x.progress))) {
            let at = dat.split(".privacy_declarations").next().unwrap_or(dat);
            a.dpia_note = Some(quote(p, &self.place(f, &format!("{at}.dpa_progress"))));
        }
        if let Some(l) = text(&s.dpa_location).or_else(|| dpia.and_then(|x| text(&x.link))) {
            a.dpia_reference = Some(l.to_string());
        }
        let report = |im: &mut Self, field: &str, value: &str, why: &str| {
            let place = im.place(f, &format!("{dat}.{field}"));
            im.unmapped(place, value, why);
        };
        if let Some(l) = text(&d.impact_assessment_location) {
            report(
                self,
                "impact_assessment_location",
                l,
                "the registry has no key for the legitimate interests assessment's location",
            );
        }
        let features: Vec<&str> = list(&d.features).iter().filter_map(Text::get).collect();
        if !features.is_empty() {
            report(
                self,
                "features",
                &features.join(", "),
                "the registry has no key for fides features",
            );
        }
        let shared: Vec<&str> = list(&d.shared_categories)
            .iter()
            .filter_map(Text::get)
            .collect();
        if !shared.is_empty() {
            report(
                self,
                "shared_categories",
                &shared.join(", "),
                "the registry does not record which categories go to which recipient",
            );
        }
    }

    /// Egress and ingress: data flows to and from other systems, datasets
    /// and the users. A declaration's own list names flows of its system;
    /// without one, the system's flows are taken.
    fn flows(
        &mut self,
        f: usize,
        dat: &str,
        s: &System,
        d: &PrivacyDeclaration,
        a: &mut ActivityDraft,
    ) {
        let at = dat
            .split(".privacy_declarations")
            .next()
            .unwrap_or(dat)
            .to_string();
        for (direction, own, system_flows) in [
            ("egress", &d.egress, &s.egress),
            ("ingress", &d.ingress, &s.ingress),
        ] {
            let keys: Vec<(String, String)> = match own {
                Some(keys) => keys
                    .iter()
                    .enumerate()
                    .filter_map(|(i, k)| {
                        k.get()
                            .map(|k| (k.to_string(), format!("{dat}.{direction}[{i}]")))
                    })
                    .collect(),
                None => list(system_flows)
                    .iter()
                    .enumerate()
                    .filter_map(|(i, fl)| {
                        text(&fl.fides_key)
                            .map(|k| (k.to_string(), format!("{at}.{direction}[{i}]")))
                    })
                    .collect(),
            };
            // Each flow's kind by its key, found once (the first flow of a
            // key, as a scan would find it).
            let mut kinds: HashMap<&str, &str> = HashMap::new();
            for fl in list(system_flows) {
                if let (Some(k), Some(kind)) = (text(&fl.fides_key), text(&fl.kind)) {
                    kinds.entry(k).or_insert(kind);
                }
            }
            for (key, path) in keys {
                let place = self.place(f, &path);
                let kind = kinds.get(key.as_str()).map(|k| k.to_lowercase());
                let kind = kind.unwrap_or_else(|| {
                    if key == "user" {
                        "user".into()
                    } else if self.systems.contains_key(&key) {
                        "system".into()
                    } else {
                        "dataset".into()
                    }
                });
                match kind.as_str() {
                    "user" => {
                        if direction == "ingress" {
                            push_unique(
                                &mut a.sources,
                                "The data subjects themselves (fides: `user`)".to_string(),
                            );
                        }
                    }
                    "system" => {
                        match self.systems.get(&key).copied() {
                            Some((_, other)) => {
                                let other_name = text(&other.name).unwrap_or(&key).to_string();
                                if direction == "ingress" {
                                    push_unique(&mut a.sources, format!("The system {other_name}"));
                                } else if let Some((p, (id, op))) = self
                                    .prepared
                                    .get(&key)
                                    .and_then(|p| p.processor.clone().map(|x| (p.clone(), x)))
                                {
                                    push_unique(&mut a.processors, id);
                                    for t in p.transfers {
                                        push_unique(&mut a.transfers, t);
                                    }
                                    a.notes.push(format!("The data goes to {op}, which runs the system {other_name}: {}", quote(&key, &place)));
                                } else {
                                    push_unique(&mut a.systems, other_name.clone());
                                    a.notes.push(format!(
                                        "The data goes on to the system {other_name}: {}",
                                        quote(&key, &place)
                                    ));
                                }
                            }
                            None => self.unmapped(
                                place,
                                &key,
                                "no system with this `fides_key` in the files read",
                            ),
                        }
                    }
                    "dataset" => match self.datasets.get(&key).copied() {
                        Some((_, ds)) => {
                            self.used_datasets.insert(key.clone());
                            let dname = text(&ds.name).unwrap_or(&key).to_string();
                            if direction == "ingress" {
                                push_unique(&mut a.sources, format!("The dataset {dname}"));
                            } else {
                                push_unique(&mut a.systems, dname);
                            }
                        }
                        None => self.unmapped(
                            place,
                            &key,
                            "no dataset with this `fides_key` in the files read",
                        ),
                    },
                    other => self.unmapped(
                        place,
                        &key,
                        format!(
                            "a data flow of type `{other}`: fides knows system, dataset and user"
                        ),
                    ),
                }
            }
        }
    }

    /// A dataset's retention (fideslang 2), for the categories of it that
    /// the activity has.
    fn dataset_retention(&mut self, df: usize, key: &str, ds: &Dataset, a: &mut ActivityDraft) {
        let mut rules: Vec<(String, String)> = Vec::new();
        if let Some(t) = text(&ds.retention) {
            rules.push((t.to_string(), format!("dataset[{key}].retention")));
        }
        for (i, c) in list(&ds.collections).iter().enumerate() {
            if let Some(t) = text(&c.retention) {
                let cname = text(&c.name).map_or_else(|| i.to_string(), str::to_string);
                rules.push((
                    t.to_string(),
                    format!("dataset[{key}].collections[{cname}].retention"),
                ));
            }
        }
        for (t, path) in rules {
            let place = self.place(df, &path);
            let rule = self.retention(&t, &place, a);
            a.retention.push(rule);
        }
    }

    fn retention(&mut self, t: &str, place: &str, a: &mut ActivityDraft) -> RetentionRule {
        match words::retention(t) {
            Some((period, from)) => {
                a.notes.push(quote(t, place));
                RetentionRule {
                    period: Some(period),
                    from,
                    categories: Vec::new(),
                    note: None,
                }
            }
            None => {
                self.unmapped(place.to_string(), t, "no single retention period ropa can read: kept as the rule's note; write the period");
                RetentionRule {
                    period: None,
                    from: None,
                    categories: Vec::new(),
                    note: Some(quote(t, place)),
                }
            }
        }
    }

    fn category(&mut self, key: &str, place: &str) -> String {
        if let Some(id) = self.category_ids.get(key) {
            return id.clone();
        }
        let known = self.taxonomy_name(Kind::Category, key);
        let mut name = known.clone().unwrap_or_else(|| name_from_key(key));
        if self
            .draft
            .categories
            .by_name
            .contains_key(&name.trim().to_lowercase())
        {
            name = format!("{name} ({key})");
        }
        let (special, criminal, biometric) = marks(key);
        let e = self.draft.categories.entry(&name);
        e.special |= special;
        e.criminal |= criminal;
        e.notes.push(match known {
            Some(_) => format!("fides data category `{key}` (first named at {place})."),
            None => format!("fides data category `{key}`, which no taxonomy read names: the name is made from the key (first named at {place})."),
        });
        if special {
            e.notes
                .push("Marked special (Art. 9(1)) because of its fides key.".to_string());
        }
        if criminal {
            e.notes
                .push("Marked criminal (Art. 10) because of its fides key.".to_string());
        }
        if biometric {
            e.notes.push("Biometric data is special (Art. 9(1)) when it is processed to identify a person uniquely: if so, set `special = true`.".to_string());
        }
        let id = e.id.clone();
        if e.special {
            self.special_ids.insert(id.clone());
        }
        self.category_ids.insert(key.to_string(), id.clone());
        id
    }

    fn subject(&mut self, key: &str, place: &str) -> String {
        if let Some(id) = self.subject_ids.get(key) {
            return id.clone();
        }
        let known = self.taxonomy_name(Kind::Subject, key);
        let mut name = known.clone().unwrap_or_else(|| name_from_key(key));
        if self
            .draft
            .subjects
            .by_name
            .contains_key(&name.trim().to_lowercase())
        {
            name = format!("{name} ({key})");
        }
        let e = self.draft.subjects.entry(&name);
        e.notes.push(match known {
            Some(_) => format!("fides data subject `{key}` (first named at {place})."),
            None => format!("fides data subject `{key}`, which no taxonomy read names: the name is made from the key (first named at {place})."),
        });
        let id = e.id.clone();
        self.subject_ids.insert(key.to_string(), id.clone());
        id
    }

    fn unused_datasets(&mut self) {
        let unused: Vec<(String, usize, String)> = self
            .datasets
            .iter()
            .filter(|(k, _)| !self.used_datasets.contains(*k))
            .map(|(k, (f, d))| (k.clone(), *f, text(&d.name).unwrap_or(k).to_string()))
            .collect();
        for (k, f, name) in unused {
            let place = self.place(f, &format!("dataset[{k}]"));
            self.unmapped(place, &name, "no privacy declaration uses this dataset: its categories and retention were not imported");
        }
    }
}

/// Every category key a dataset, its collections and fields name, in
/// order, without repeats.
fn dataset_categories(ds: &Dataset, out: &mut Vec<String>) {
    // What `out` holds, hashed: a dataset can name many keys.
    let mut seen: std::collections::HashSet<String> = out.iter().cloned().collect();
    fn add(
        keys: &Option<Vec<Text>>,
        out: &mut Vec<String>,
        seen: &mut std::collections::HashSet<String>,
    ) {
        for k in list(keys).iter().filter_map(Text::get) {
            if seen.insert(k.to_string()) {
                out.push(k.to_string());
            }
        }
    }
    fn fields(
        fs: &Option<Vec<Field>>,
        out: &mut Vec<String>,
        seen: &mut std::collections::HashSet<String>,
    ) {
        for fl in list(fs) {
            add(&fl.data_categories, out, seen);
            fields(&fl.fields, out, seen);
        }
    }
    add(&ds.data_categories, out, &mut seen);
    for c in list(&ds.collections) {
        add(&c.data_categories, out, &mut seen);
        fields(&c.fields, out, &mut seen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LegalBasis, Mechanism, SpecialCategoryCondition as C};

    fn manifest(yaml: &str) -> Manifest {
        serde_saphyr::from_str_with_options(yaml, options()).unwrap()
    }

    fn import(yaml: &str) -> (Files, Report) {
        map(&[Source {
            path: PathBuf::from("m.yml"),
            manifest: manifest(yaml),
        }])
    }

    #[test]
    fn every_fideslang_basis_for_processing_is_read() {
        for (words, basis) in [
            ("Consent", LegalBasis::Consent),
            ("Contract", LegalBasis::Contract),
            ("Legal obligations", LegalBasis::LegalObligation),
            ("Vital interests", LegalBasis::VitalInterests),
            ("Public interest", LegalBasis::PublicTask),
            ("Legitimate interests", LegalBasis::LegitimateInterests),
        ] {
            assert_eq!(words::legal_bases(words), (vec![basis], vec![]), "{words}");
        }
    }

    #[test]
    fn every_fideslang_special_category_basis_is_read() {
        for (words, c) in [
            ("Explicit consent", C::ExplicitConsent),
            (
                "Employment, social security and social protection",
                C::Employment,
            ),
            ("Vital interests", C::VitalInterests),
            ("Not-for-profit bodies", C::NotForProfit),
            ("Made public by the data subject", C::MadePublic),
            ("Legal claims or judicial acts", C::LegalClaims),
            (
                "Reasons of substantial public interest (with a basis in law)",
                C::SubstantialPublicInterest,
            ),
            ("Health or social care (with a basis in law)", C::HealthCare),
            ("Public health (with a basis in law)", C::PublicHealth),
            (
                "Archiving, research and statistics (with a basis in law)",
                C::ArchivingResearch,
            ),
        ] {
            assert_eq!(words::special_condition(words), Some(c), "{words}");
        }
    }

    #[test]
    fn the_transfer_bases_fides_offers() {
        assert_eq!(
            words::mechanism("Adequacy Decision"),
            Some((Mechanism::Adequacy, None))
        );
        assert_eq!(words::mechanism("SCCs"), Some((Mechanism::Scc, None)));
        assert_eq!(words::mechanism("BCRs"), Some((Mechanism::Bcr, None)));
        assert_eq!(words::mechanism("Supplementary Measures"), None);
        assert_eq!(words::mechanism("Other"), None);
        assert_eq!(words::country("USA"), Some("US"));
        assert_eq!(words::country("GBR"), Some("GB"));
    }

    #[test]
    fn taxonomy_names_and_marks() {
        let names = default_names();
        assert_eq!(
            names.get(&(Kind::Category, "user.contact.email")),
            Some(&"User Contact Email")
        );
        assert_eq!(
            names.get(&(Kind::Use, "marketing.advertising")),
            Some(&"Advertising, Marketing or Promotion")
        );
        assert_eq!(names.get(&(Kind::Subject, "customer")), Some(&"Customer"));
        assert_eq!(
            name_from_key("user.custom.loyalty_points"),
            "Loyalty points"
        );
        assert_eq!(
            marks("user.health_and_medical.genetic"),
            (true, false, false)
        );
        assert_eq!(marks("user.criminal_history"), (false, true, false));
        assert_eq!(marks("user.biometric.fingerprint"), (false, false, true));
        assert_eq!(marks("user.contact.email"), (false, false, false));
        // A prefix of a word is not the category.
        assert_eq!(marks("user.health_and_medicalish"), (false, false, false));
    }

    #[test]
    fn a_declaration_becomes_an_activity_with_its_words_quoted() {
        let (files, report) = import(
            "system:\n  - fides_key: app\n    name: App\n    privacy_declarations:\n      - name: Newsletter\n        data_use: marketing.communications.email\n        data_categories: [user.contact.email, user.custom.shoe_size]\n        data_subjects: [customer]\n        legal_basis_for_processing: Legitimate interests\n        retention_period: 2 years after unsubscribing\n",
        );
        assert_eq!(report.rows, 1);
        let a = &files["activities/newsletter.toml"];
        assert!(
            a.contains("purposes = [\"Marketing Email Communications\"]"),
            "{a}"
        );
        assert!(
            a.contains("legal_bases = [\"legitimate-interests\"]"),
            "{a}"
        );
        assert!(a.contains("fides: 'Legitimate interests' (m.yml: system[app].privacy_declarations[0].legal_basis_for_processing)"), "{a}");
        assert!(a.contains("period = \"P2Y\""), "{a}");
        assert!(a.contains("from = \"unsubscribing\""), "{a}");
        let c = &files["categories.toml"];
        assert!(c.contains("name = \"User Contact Email\""), "{c}");
        assert!(
            c.contains("fides data category `user.contact.email`"),
            "{c}"
        );
        assert!(c.contains("name = \"Shoe size\""), "{c}");
        assert!(report.unmapped.is_empty(), "{:?}", report.unmapped);
    }

    #[test]
    fn a_transfer_without_a_receiving_business_is_reported() {
        let (files, report) = import(
            "system:\n  - fides_key: app\n    third_country_transfers: [USA]\n    legal_basis_for_transfers: [SCCs]\n    privacy_declarations:\n      - data_use: analytics\n        data_categories: [user.device.ip_address]\n",
        );
        assert!(!files.keys().any(|k| k.starts_with("transfers/")));
        assert_eq!(report.unmapped.len(), 1);
        assert_eq!(
            report.unmapped[0].address,
            "m.yml: system[app].third_country_transfers[0]"
        );
        assert_eq!(report.unmapped[0].text, "USA");
        // The name comes from the data use and the system.
        assert!(
            files.contains_key("activities/analytics-in-app.toml"),
            "{:?}",
            files.keys()
        );
    }

    #[test]
    fn documents_of_one_file_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("two.yml");
        std::fs::write(
            &file,
            "organization:\n  - fides_key: o\n    name: Org\n---\nsystem:\n  - fides_key: s\n    privacy_declarations: []\n",
        )
        .unwrap();
        let m = read_file(&file).unwrap();
        assert_eq!(list(&m.organization).len(), 1);
        assert_eq!(list(&m.system).len(), 1);
    }

    #[test]
    fn scalars_of_any_type_are_text() {
        let m = manifest(
            "system:\n  - fides_key: 7\n    privacy_declarations:\n      - data_use: analytics\n        retention_period: 30\n",
        );
        let s = &list(&m.system)[0];
        assert_eq!(text(&s.fides_key), Some("7"));
        assert_eq!(
            text(&list(&s.privacy_declarations)[0].retention_period),
            Some("30")
        );
    }

    #[test]
    fn an_alias_bomb_is_refused() {
        let mut y = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9u8 {
            let (p, c) = ((b'a' + i - 1) as char, (b'a' + i) as char);
            y.push_str(&format!(
                "{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
            ));
        }
        y.push_str("system: [*i]\n");
        let r: Result<Manifest, _> = serde_saphyr::from_str_with_options(&y, options());
        assert!(r.is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let y = format!("system: {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let r: Result<Manifest, _> = serde_saphyr::from_str_with_options(&y, options());
        assert!(r.is_err());
    }
}
