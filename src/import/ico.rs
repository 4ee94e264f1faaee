//! The ICO template's layout: which column holds what, and how a row
//! becomes registry entries. Reads the ICO controller and processor
//! templates, `ropa`'s own CSV/XLSX exports (src/export/ico.rs), whose
//! cells it takes apart first (exact labels), before the looser wordings
//! of [`super::words`], and fides datamap exports (the ICO columns with
//! fides' own, one row per data category). CNIL and Belgian column names
//! that are an ICO column are read as that column.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use super::draft::{
    ActivityDraft, Contact, Draft, OrganisationDraft, Party, RetentionRule, SafeguardEntry,
    TransferKey, push_unique,
};
use super::read::Sheet;
use super::{Files, ImportError, Record, Report, Unmapped};
use crate::i18n::Tr;
use crate::model::{
    Date, Derogation, IsoDuration, LegalBasis, MeasureKind, Mechanism, RecipientKind,
    SafeguardKind, SccVersion, SpecialCategoryCondition,
};
use crate::reference::words;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Field {
    /// ropa's own first column: "Name (id)".
    Activity,
    BusinessFunction,
    Purpose,
    JointControllers,
    Individuals,
    PersonalData,
    Recipients,
    ProcessorContracts,
    ThirdCountries,
    Safeguards,
    Retention,
    Measures,
    LawfulBasis,
    SpecialCondition,
    LegitimateInterest,
    AutomatedDecisions,
    Sources,
    Location,
    DpiaRequired,
    DpiaProgress,
    DpiaLink,
    Schedule1Condition,
    /// The Schedule 1 block repeats the Art. 6 basis: read, not kept twice.
    Schedule1LawfulBasis,
    Controllers,
    SubProcessors,
    /// ICO column 16: ropa derives the rights from the legal basis.
    Rights,
    /// ropa's own last column: the activity's description and note.
    Notes,
    /// fides: the system the rows are declared for; with the purpose, it
    /// says which activity a row belongs to (before the business function).
    FidesSystem,
    /// fides: the dataset a row's data category was found in.
    FidesDataset,
    /// fides: a system's or dataset's fides key, kept in the note.
    FidesKey,
    /// fides: the privacy declaration's name, the activity's name.
    DeclarationName,
    /// fides: "Role or Responsibility" (Controller, Processor, Sub-Processor).
    Role,
    /// fides report: "Does international transfers" (true/false).
    InternationalTransfers,
    /// A template column the registry has no key for.
    NotKept,
}

/// Column names, as [`norm`] writes them, with what they hold. The ICO
/// controller template's 30 columns and `ropa`'s processor record are
/// all here (a test checks every exported header), with a few shorter
/// names seen in home-made sheets.
const COLUMNS: &[(&str, Field)] = &[
    ("processingactivity", Field::Activity),
    ("notes", Field::Notes),
    ("businessfunction", Field::BusinessFunction),
    ("purposeofprocessing", Field::Purpose),
    ("purposesofprocessing", Field::Purpose),
    ("purpose", Field::Purpose),
    ("purposes", Field::Purpose),
    ("categoriesofprocessing", Field::Purpose),
    (
        "nameandcontactdetailsofjointcontroller",
        Field::JointControllers,
    ),
    ("categoriesofindividuals", Field::Individuals),
    ("categoriesofdatasubjects", Field::Individuals),
    ("datasubjects", Field::Individuals),
    ("categoriesofpersonaldata", Field::PersonalData),
    ("personaldata", Field::PersonalData),
    ("datacategories", Field::PersonalData),
    ("categoriesofrecipients", Field::Recipients),
    ("recipients", Field::Recipients),
    ("linktocontractwithprocessor", Field::ProcessorContracts),
    (
        "namesofthirdcountriesorinternationalorganisationsthatpersonaldataaretransferredto",
        Field::ThirdCountries,
    ),
    (
        "safeguardsforexceptionaltransfersofpersonaldatatothirdcountriesorinternationalorganisations",
        Field::Safeguards,
    ),
    ("retentionschedule", Field::Retention),
    ("retention", Field::Retention),
    (
        "generaldescriptionoftechnicalandorganisationalsecuritymeasures",
        Field::Measures,
    ),
    ("securitymeasures", Field::Measures),
    (
        "article6lawfulbasisforprocessingpersonaldata",
        Field::LawfulBasis,
    ),
    ("lawfulbasis", Field::LawfulBasis),
    ("legalbasis", Field::LawfulBasis),
    (
        "article9conditionforprocessingspecialcategorydata",
        Field::SpecialCondition,
    ),
    (
        "legitimateinterestsfortheprocessing",
        Field::LegitimateInterest,
    ),
    (
        "linktorecordoflegitimateinterestsassessment",
        Field::NotKept,
    ),
    ("rightsavailabletoindividuals", Field::Rights),
    (
        "existenceofautomateddecisionmakingincludingprofiling",
        Field::AutomatedDecisions,
    ),
    ("thesourceofthepersonaldata", Field::Sources),
    ("linktorecordofconsent", Field::NotKept),
    ("locationofpersonaldata", Field::Location),
    (
        "dataprotectionimpactassessmentrequired",
        Field::DpiaRequired,
    ),
    (
        "dataprotectionimpactassessmentprogress",
        Field::DpiaProgress,
    ),
    ("linktodataprotectionimpactassessment", Field::DpiaLink),
    ("hasapersonaldatabreachoccurred", Field::NotKept),
    ("linktorecordofpersonaldatabreach", Field::NotKept),
    (
        "dataprotectionact2018schedule1conditionforprocessing",
        Field::Schedule1Condition,
    ),
    (
        "gdprarticle6lawfulbasisforprocessing",
        Field::Schedule1LawfulBasis,
    ),
    ("linktoretentionanderasurepolicydocument", Field::NotKept),
    (
        "ispersonaldataretainedanderasedinaccordancewiththepolicydocument",
        Field::NotKept,
    ),
    ("reasonsfornotadheringtopolicydocument", Field::NotKept),
    ("nameandcontactdetailsofcontroller", Field::Controllers),
    (
        "nameandcontactdetailsofcontrollersrepresentative",
        Field::NotKept,
    ),
    ("nameandcontactdetailsofsubprocessors", Field::SubProcessors),
    // fides datamap exports (`DATAMAP_COLUMNS` of fides' export_helpers.py
    // and its xlsx template; the API's names; the dotted keys its CSV wrote).
    ("fidesdataset", Field::FidesDataset),
    ("datasetname", Field::FidesDataset),
    ("fidessystem", Field::FidesSystem),
    ("systemname", Field::FidesSystem),
    ("departmentorbusinessfunction", Field::BusinessFunction),
    ("systemadministratingdepartment", Field::BusinessFunction),
    ("systemprivacydeclarationdatausename", Field::Purpose),
    ("jointcontroller", Field::JointControllers),
    ("systemjointcontroller", Field::JointControllers),
    (
        "systemprivacydeclarationdatasubjectsname",
        Field::Individuals,
    ),
    ("categoriesofpersonaldatafidestaxonomy", Field::PersonalData),
    ("unioneddatacategories", Field::PersonalData),
    (
        "systemprivacydeclarationdatauserecipients",
        Field::Recipients,
    ),
    ("systemlinktoprocessorcontract", Field::ProcessorContracts),
    ("thirdcountrytransfers", Field::ThirdCountries),
    ("thirdcountrycombined", Field::ThirdCountries),
    (
        "safeguardsforexceptionaltransfersofpersonaldata",
        Field::Safeguards,
    ),
    ("safeguardsforexceptionaltransfers", Field::Safeguards),
    ("systemthirdcountrysafeguards", Field::Safeguards),
    ("datasetretention", Field::Retention),
    ("generaldescriptionofsecuritymeasures", Field::Measures),
    ("organizationlinktosecuritypolicy", Field::Measures),
    ("roleorresponsibility", Field::Role),
    ("systemdataresponsibilitytitle", Field::Role),
    ("art6lawfulbasis", Field::LawfulBasis),
    (
        "systemprivacydeclarationdatauselegalbasis",
        Field::LawfulBasis,
    ),
    ("art9condition", Field::SpecialCondition),
    (
        "systemprivacydeclarationdatausespecialcategory",
        Field::SpecialCondition,
    ),
    ("legitimateinterests", Field::LegitimateInterest),
    (
        "systemprivacydeclarationdatauselegitimateinterest",
        Field::LegitimateInterest,
    ),
    ("linktolia", Field::NotKept),
    (
        "systemprivacydeclarationdatauselegitimateinterestimpactassessment",
        Field::NotKept,
    ),
    ("rightsavailable", Field::Rights),
    (
        "systemprivacydeclarationdatasubjectsrightsavailable",
        Field::NotKept,
    ),
    ("automateddecisionmaking", Field::AutomatedDecisions),
    (
        "systemprivacydeclarationdatasubjectsautomateddecisionsorprofiling",
        Field::AutomatedDecisions,
    ),
    ("sourceofthepersonaldata", Field::Sources),
    ("datasetsourcename", Field::Sources),
    ("dpiarequired", Field::DpiaRequired),
    (
        "systemdataprotectionimpactassessmentisrequired",
        Field::DpiaRequired,
    ),
    ("dpiaprogress", Field::DpiaProgress),
    (
        "systemdataprotectionimpactassessmentprogress",
        Field::DpiaProgress,
    ),
    ("linktodpia", Field::DpiaLink),
    ("systemdataprotectionimpactassessmentlink", Field::DpiaLink),
    ("systemfideskey", Field::FidesKey),
    ("datasetfideskey", Field::FidesKey),
    ("fideskey", Field::FidesKey),
    ("descriptionofthesystem", Field::NotKept),
    ("systemdescription", Field::NotKept),
    // The later fides DatamapReport (its default column names; ingress
    // and egress were renamed Sources/Destinations, then Source/Destination).
    ("system", Field::FidesSystem),
    ("datause", Field::Purpose),
    ("datauses", Field::Purpose),
    ("datasubject", Field::Individuals),
    ("declarationname", Field::DeclarationName),
    ("administratingdepartment", Field::BusinessFunction),
    ("legalbasisforprocessing", Field::LawfulBasis),
    ("specialcategorylegalbasis", Field::SpecialCondition),
    ("retentionperiod", Field::Retention),
    ("datasecuritypractices", Field::Measures),
    ("jointcontrollerinfo", Field::JointControllers),
    ("thirdparties", Field::Recipients),
    ("linktoprocessorcontract", Field::ProcessorContracts),
    ("doesinternationaltransfers", Field::InternationalTransfers),
    ("legalbasisfortransfers", Field::Safeguards),
    ("responsibility", Field::Role),
    ("impactassessmentlocation", Field::DpiaLink),
    ("requiresdataprotectionassessments", Field::DpiaRequired),
    ("source", Field::Sources),
    ("sources", Field::Sources),
    // Belgian GBA/APD model (English template): the owner of the business
    // process and the GDPR data category.
    ("businessprocessowner", Field::BusinessFunction),
    ("gdprdatacategory", Field::PersonalData),
    ("gdprdatacategories", Field::PersonalData),
    // CNIL "registre" (French), where the field is the ICO column's.
    ("finalites", Field::Purpose),
    ("finalite", Field::Purpose),
    ("finaliteprincipale", Field::Purpose),
    ("objectifspoursuivis", Field::Purpose),
    ("categoriesdepersonnesconcernees", Field::Individuals),
    ("personnesconcernees", Field::Individuals),
    ("categoriesdedonnees", Field::PersonalData),
    ("categoriesdedonneespersonnelles", Field::PersonalData),
    (
        "categoriesdedonneesacaracterepersonnel",
        Field::PersonalData,
    ),
    ("destinataires", Field::Recipients),
    ("categoriesdedestinataires", Field::Recipients),
    ("dureedeconservation", Field::Retention),
    ("dureesdeconservation", Field::Retention),
    ("mesuresdesecurite", Field::Measures),
    ("basejuridique", Field::LawfulBasis),
    ("baselegale", Field::LawfulBasis),
    ("responsableconjoint", Field::JointControllers),
];

/// A column name reduced to lower-case letters and digits, without the
/// template's "(if applicable)" / "(if possible)", so spacing, case and
/// punctuation do not matter.
fn norm(header: &str) -> String {
    let mut s: String = header
        .chars()
        .map(fold_accent)
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    for tail in ["ifapplicable", "ifpossible"] {
        if let Some(t) = s.strip_suffix(tail) {
            s = t.to_string();
        }
    }
    s
}

/// The French letters of the CNIL's column names, without their accents.
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'À' | 'Â' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' => 'e',
        'î' | 'ï' => 'i',
        'ô' | 'ö' => 'o',
        'ù' | 'û' | 'ü' => 'u',
        'ç' | 'Ç' => 'c',
        _ => c,
    }
}

fn field_of(header: &str) -> Option<Field> {
    let n = norm(header);
    COLUMNS.iter().find(|(h, _)| *h == n).map(|&(_, f)| f)
}

/// The header row: a row naming the purpose column and at least one
/// column only the chosen record has.
struct Header {
    sheet: usize,
    row: usize,
    /// Column index → what it holds (`None`: a column ropa does not know).
    fields: Vec<Option<Field>>,
}

fn find_header(sheets: &[Sheet], record: Record) -> Option<Header> {
    let own: &[Field] = match record {
        Record::Controller => &[
            Field::BusinessFunction,
            Field::Individuals,
            Field::PersonalData,
            Field::LawfulBasis,
            Field::Retention,
        ],
        Record::Processor => &[Field::Controllers, Field::SubProcessors],
    };
    // The sheet named for the record first (ropa's XLSX has both records).
    let mut order: Vec<usize> = (0..sheets.len()).collect();
    order.sort_by_key(|&i| !sheets[i].name.eq_ignore_ascii_case(record.sheet_name()));
    for i in order {
        for (r, row) in sheets[i].rows.iter().enumerate().take(100) {
            let fields: Vec<Option<Field>> = row.iter().map(|c| field_of(c)).collect();
            let has = |f: &Field| fields.contains(&Some(*f));
            if has(&Field::Purpose) && own.iter().any(has) {
                return Some(Header {
                    sheet: i,
                    row: r,
                    fields,
                });
            }
        }
    }
    None
}

/// A cell as the record meant it: ropa's CSV export puts a `'` before text
/// a spreadsheet would run as a formula; it is taken off again.
fn unquote(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
    .trim()
}

/// The items of a list cell. ropa's exports join names with "; ", so a
/// cell that has a `;` is split on it only (names keep their commas and
/// line breaks). A cell from ropa's own workbook is otherwise one item;
/// any other is split on new lines, or else on commas.
fn split(cell: &str, own_export: bool) -> Vec<String> {
    if cell.contains(';') {
        pieces(cell, ';')
    } else if own_export {
        pieces(cell, '\u{0}')
    } else if cell.contains('\n') {
        pieces(cell, '\n')
    } else {
        words::split_list(cell)
    }
}

/// The items of a cell of sentences (purposes, sources, systems, laws):
/// as [`split`], but never on commas, which sentences have.
fn split_sentences(cell: &str, own_export: bool) -> Vec<String> {
    if cell.contains(';') {
        pieces(cell, ';')
    } else if own_export {
        pieces(cell, '\u{0}')
    } else {
        pieces(cell, '\n')
    }
}

fn pieces(cell: &str, sep: char) -> Vec<String> {
    cell.split(sep)
        .map(str::trim)
        .filter(|p| !words::is_absent(p))
        .map(str::to_string)
        .collect()
}

/// The lines of a cell, blank ones left out.
fn lines(cell: &str) -> Vec<&str> {
    cell.lines()
        .map(str::trim)
        .filter(|l| !words::is_absent(l))
        .collect()
}

/// The value whose English label (as ropa's exports write it) is `text`.
fn by_label<T: Copy>(
    tr: &Tr,
    group: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    text: &str,
) -> Option<T> {
    let text = text.trim();
    all.iter()
        .copied()
        .find(|&v| tr.label(group, name(v)).eq_ignore_ascii_case(text) || name(v) == text)
}

/// Splits "Name (inside)" at its last balanced parenthesis.
fn trailing_paren(s: &str) -> Option<(&str, &str)> {
    let s = s.trim();
    let body = s.strip_suffix(')')?;
    let mut depth = 1;
    for (i, c) in body.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    return Some((body[..i].trim(), &body[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// `s` split at each `sep` that is not inside parentheses.
fn split_outside_parens<'s>(s: &'s str, sep: &str) -> Vec<&'s str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 && i >= start && s[i..].starts_with(sep) => {
                out.push(&s[start..i]);
                start = i + sep.len();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// "Spreadsheet: 'the words' (Sheet1!G14)".
fn quote(text: &str, address: &str) -> String {
    format!("Spreadsheet: '{}' ({address})", text.trim())
}

/// Everything the rows said, before it is written.
struct Import {
    tr: Tr,
    /// The workbook is ropa's own XLSX export ("Generated by ropa …" on
    /// its Organisation sheet): lists are joined with "; " only.
    own_export: bool,
    draft: Draft,
    by_key: HashMap<(String, String), usize>,
    /// The safeguards by name and kind, as each line names them.
    safeguard_index: HashMap<(String, SafeguardKind), usize>,
    /// (activity, column, text) of the cells already read: rows that
    /// repeat an activity's cells (fides writes one row per data category)
    /// add only what is new, and a cell left out is reported once.
    seen: rustc_hash::FxHashSet<(usize, usize, String)>,
    /// (activity, retention cell) → the rules it gave and the data
    /// categories of the rows that carry it.
    retention_cells: HashMap<(usize, String), (Range<usize>, Vec<String>)>,
    report: Report,
}

/// Maps the sheets of one ICO-layout record to registry files.
pub fn map(file: &Path, sheets: &[Sheet], record: Record) -> Result<(Files, Report), ImportError> {
    if sheets
        .iter()
        .all(|s| s.rows.iter().all(|r| r.iter().all(|c| c.trim().is_empty())))
    {
        return Err(ImportError::file(file, "has no cells: the sheet is empty"));
    }
    let Some(header) = find_header(sheets, record) else {
        let want = match record {
            Record::Controller => "\"Purpose of processing\" and \"Categories of individuals\"",
            Record::Processor => {
                "\"Categories of processing\" and \"Name and contact details of controller\""
            }
        };
        return Err(ImportError::file(
            file,
            format!(
                "has no header row of the ICO {} record: no sheet has a row naming {want} (use --record to choose the other record)",
                match record {
                    Record::Controller => "controller",
                    Record::Processor => "processor",
                }
            ),
        ));
    };
    let own_export = sheets.iter().any(|s| {
        s.rows.iter().any(|r| {
            r.windows(2)
                .any(|w| w[0].trim() == "Generated by" && w[1].starts_with("ropa "))
        })
    });
    let mut im = Import {
        tr: Tr::new(Some("en")),
        own_export,
        draft: Draft::default(),
        by_key: HashMap::new(),
        safeguard_index: HashMap::new(),
        seen: rustc_hash::FxHashSet::default(),
        retention_cells: HashMap::new(),
        report: Report::default(),
    };
    let sheet = &sheets[header.sheet];
    for r in header.row + 1..sheet.rows.len() {
        im.row(sheet, &header, r, record);
    }
    im.limit_retention();
    let organisation = contact_block(sheets, &header);
    let files = im
        .draft
        .files(organisation.as_ref(), &mut im.report.written);
    Ok((files, im.report))
}

/// The contact block (rows above the header, or an "Organisation"
/// sheet): a row "Name | Address | Email | Telephone", then rows labelled
/// controller, DPO, representative; and label/value rows below it.
fn contact_block(sheets: &[Sheet], header: &Header) -> Option<OrganisationDraft> {
    let mut org = OrganisationDraft::default();
    let mut found = false;
    for (i, sheet) in sheets.iter().enumerate() {
        let end = if i == header.sheet {
            header.row
        } else if sheet.name.eq_ignore_ascii_case("organisation")
            || sheet.name.eq_ignore_ascii_case("organization")
        {
            sheet.rows.len()
        } else {
            continue;
        };
        let mut cols: Option<[Option<usize>; 4]> = None;
        for r in 0..end {
            let row = &sheet.rows[r];
            let at = |label: &str| row.iter().position(|c| norm(c) == label);
            let heads = [
                at("name"),
                at("address"),
                at("email").or_else(|| at("emailaddress")),
                at("telephone").or_else(|| at("phone")),
            ];
            if heads.iter().flatten().count() >= 2 {
                cols = Some(heads);
                continue;
            }
            let label = row
                .iter()
                .map(|c| c.trim())
                .find(|c| !c.is_empty())
                .unwrap_or("");
            let value = |c: Option<usize>| {
                c.map(|c| sheet.cell(r, c).trim())
                    .filter(|v| !words::is_absent(v))
                    .map(str::to_string)
            };
            if let Some(cols) = cols {
                let slot = match norm(label).as_str() {
                    "controller"
                    | "processor"
                    | "controllerandprocessor"
                    | "organisation"
                    | "organization"
                    | "nameofcontroller" => Some(&mut org.own),
                    "dataprotectionofficer" | "dpo" => Some(&mut org.dpo),
                    "representative" => Some(&mut org.representative),
                    _ => None,
                };
                if let Some(slot) = slot {
                    *slot = Contact {
                        name: value(cols[0]),
                        address: value(cols[1]),
                        email: value(cols[2]),
                        phone: value(cols[3]),
                    };
                    found = true;
                    continue;
                }
            }
            let key = match norm(label).as_str() {
                "tradingname" => "trading_name",
                "registration" => "registration",
                "website" => "website",
                "countryofmainestablishment" | "country" => "country",
                "supervisoryauthority" => "supervisory_authority",
                _ => continue,
            };
            let v = row
                .iter()
                .skip_while(|c| c.trim() != label)
                .nth(1)
                .map(|c| c.trim())
                .filter(|v| !words::is_absent(v));
            if let Some(v) = v {
                org.details.insert(key, v.to_string());
                found = true;
            }
        }
        found |= fides_contact_block(sheet, end, &mut org);
    }
    (found && !org.own.is_empty()).then_some(org)
}

/// fides' datamap template: the contact block turned on its side. A row
/// names the three parties across ("Organization Name and contact
/// details", "Data Protection Officer (if applicable)", "Representative
/// (if applicable)"); below each, rows of "name | value", "address |
/// value", "email | value", "phone | value".
fn fides_contact_block(sheet: &Sheet, end: usize, org: &mut OrganisationDraft) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Who {
        Own,
        Dpo,
        Representative,
    }
    let mut columns: Vec<(Who, usize)> = Vec::new();
    let mut found = false;
    for r in 0..end {
        let row = &sheet.rows[r];
        let mut heads: Vec<(Who, usize)> = Vec::new();
        for (c, cell) in row.iter().enumerate() {
            let who = match norm(cell).as_str() {
                "organizationnameandcontactdetails"
                | "organisationnameandcontactdetails"
                | "organizationnameandcontactdetail"
                | "organisationnameandcontactdetail" => Who::Own,
                "dataprotectionofficer" => Who::Dpo,
                "representative" => Who::Representative,
                _ => continue,
            };
            // A merged cell repeats its value: its first column counts.
            if !heads.iter().any(|(w, _)| *w == who) {
                heads.push((who, c));
            }
        }
        if heads.len() >= 2 {
            columns = heads;
            continue;
        }
        for &(who, c) in &columns {
            let value = sheet.cell(r, c + 1).trim();
            if words::is_absent(value) {
                continue;
            }
            let contact = match who {
                Who::Own => &mut org.own,
                Who::Dpo => &mut org.dpo,
                Who::Representative => &mut org.representative,
            };
            let slot = match norm(sheet.cell(r, c)).as_str() {
                "name" => &mut contact.name,
                "address" => &mut contact.address,
                "email" => &mut contact.email,
                "phone" | "telephone" => &mut contact.phone,
                _ => continue,
            };
            *slot = Some(value.to_string());
            found = true;
        }
    }
    found
}

impl Import {
    fn unmapped(&mut self, address: String, text: &str, why: impl Into<String>) {
        self.report.unmapped.push(Unmapped {
            address,
            text: text.trim().to_string(),
            why: why.into(),
        });
    }

    fn row(&mut self, sheet: &Sheet, header: &Header, r: usize, record: Record) {
        let cells: Vec<(Option<Field>, usize, &str)> = header
            .fields
            .iter()
            .enumerate()
            .map(|(c, f)| (*f, c, unquote(sheet.cell(r, c))))
            .filter(|(_, _, t)| !words::is_absent(t))
            .collect();
        // Cells right of the header row's last column.
        let extra: Vec<(usize, &str)> = sheet.rows[r]
            .iter()
            .enumerate()
            .skip(header.fields.len())
            .map(|(c, t)| (c, t.trim()))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        if cells.is_empty() && extra.is_empty() {
            return;
        }
        self.report.rows += 1;
        for (c, t) in extra {
            self.unmapped(sheet.address(r, c), t, "the column has no header");
        }
        let get = |f: Field| {
            cells
                .iter()
                .find(|(g, _, _)| *g == Some(f))
                .map(|&(_, c, t)| (c, t))
        };
        let function = get(Field::BusinessFunction).map(|(_, t)| t.to_string());
        let system = get(Field::FidesSystem).map(|(_, t)| t.to_string());
        let purpose = get(Field::Purpose).map(|(_, t)| t.to_string());
        // ropa's own export names the activity: "Name (id)".
        let named = get(Field::Activity).map(|(_, t)| match trailing_paren(t) {
            Some((name, id)) if !name.trim().is_empty() => {
                (name.trim().to_string(), Some(id.trim().to_string()))
            }
            _ => (t.trim().to_string(), None),
        });
        let Some(purpose) = purpose else {
            for &(_, c, t) in &cells {
                self.unmapped(
                    sheet.address(r, c),
                    t,
                    "the row has no purpose of processing, so no activity",
                );
            }
            return;
        };
        // Rows that name the same activity (ropa's own export) are one;
        // otherwise a fides system groups its rows before the business
        // function, with the purpose.
        let key = match (&named, &system, &function) {
            (Some((name, id)), _, _) => (
                "\u{0}activity".to_string(),
                id.clone().unwrap_or_else(|| name.to_lowercase()),
            ),
            (None, Some(s), _) => (
                format!("system\u{0}{}", s.to_lowercase()),
                purpose.to_lowercase(),
            ),
            (None, None, f) => (
                f.clone().unwrap_or_default().to_lowercase(),
                purpose.to_lowercase(),
            ),
        };
        let a = match self.by_key.get(&key) {
            Some(&i) => i,
            None => {
                let mut notes = Vec::new();
                let purposes: Vec<String> = split_sentences(&purpose, self.own_export)
                    .into_iter()
                    .map(|p| match fides_key_name(&p) {
                        Some(readable) => {
                            notes.push(format!("Purpose from the fides data use `{p}`"));
                            readable
                        }
                        None => p,
                    })
                    .collect();
                let first = purposes.first().cloned().unwrap_or_else(|| purpose.clone());
                let (name, given_id) = match (&named, get(Field::DeclarationName), &system) {
                    (Some((name, id)), _, _) => (name.clone(), id.as_deref()),
                    (None, Some((_, declared)), _) => (declared.to_string(), None),
                    (None, None, Some(system)) => (format!("{first} ({system})"), None),
                    (None, None, None) => (first, None),
                };
                let id = self.draft.activity_ids.keep_or_make(given_id, &name);
                self.draft.activities.push(ActivityDraft {
                    id,
                    name,
                    processor_record: record == Record::Processor,
                    owner: function.clone(),
                    purposes,
                    notes,
                    ..ActivityDraft::default()
                });
                self.by_key.insert(key, self.draft.activities.len() - 1);
                self.draft.activities.len() - 1
            }
        };
        // Parties first: the transfer and location cells name them.
        // Then the transfers (safeguards column), which the third-countries
        // column is compared with.
        let order = |f: &Option<Field>| match f {
            Some(Field::Recipients | Field::SubProcessors | Field::ProcessorContracts) => 0,
            Some(Field::Safeguards) => 1,
            Some(Field::ThirdCountries) => 3,
            _ => 2,
        };
        let mut sorted = cells.clone();
        sorted.sort_by_key(|(f, _, _)| order(f));
        for (f, c, t) in sorted {
            if !self.seen.insert((a, c, t.to_string())) {
                continue;
            }
            let address = sheet.address(r, c);
            match f {
                None => {
                    let column = sheet.cell(header.row, c).trim().to_string();
                    self.unmapped(
                        address,
                        t,
                        format!("column `{column}` is not one ropa reads"),
                    );
                }
                Some(f) => self.cell(a, f, t, address),
            }
        }
        // The retention cell speaks for this row's data categories.
        if let Some((_, t)) = get(Field::Retention) {
            let categories = get(Field::PersonalData)
                .map(|(_, t)| self.categories_named(t))
                .unwrap_or_default();
            if let Some((_, cats)) = self.retention_cells.get_mut(&(a, t.to_string())) {
                for c in categories {
                    push_unique(cats, c);
                }
            }
        }
        if let Some((c, t)) = get(Field::InternationalTransfers)
            && yes_no(t) == Some(true)
            && get(Field::ThirdCountries).is_none()
            && get(Field::Safeguards).is_none()
        {
            self.unmapped(
                sheet.address(r, c),
                t,
                "says data goes outside the EEA, but the row names no country and no safeguard: add the transfers by hand",
            );
        }
    }

    /// The ids of the data categories a cell names (once it has been read).
    fn categories_named(&self, t: &str) -> Vec<String> {
        split(t, self.own_export)
            .iter()
            .filter_map(|name| {
                let (name, _, _) = category_marks(name);
                let name = fides_key_name(&name).unwrap_or(name);
                self.draft
                    .categories
                    .by_name
                    .get(&name.trim().to_lowercase())
                    .map(|&i| self.draft.categories.entries[i].id.clone())
            })
            .collect()
    }

    /// Where the rows of one activity give different retention cells (one
    /// row per data category, as fides writes them), each cell's rules
    /// are limited to the data categories of its rows.
    fn limit_retention(&mut self) {
        let mut cells_of: HashMap<usize, usize> = HashMap::new();
        for (a, _) in self.retention_cells.keys() {
            *cells_of.entry(*a).or_default() += 1;
        }
        for ((a, _), (rules, categories)) in &self.retention_cells {
            if cells_of[a] < 2 || categories.is_empty() {
                continue;
            }
            for rule in &mut self.draft.activities[*a].retention[rules.clone()] {
                if rule.categories.is_empty() {
                    rule.categories = categories.clone();
                }
            }
        }
    }

    /// One cell of the activity `a`'s row.
    fn cell(&mut self, a: usize, f: Field, t: &str, address: String) {
        match f {
            Field::Activity
            | Field::BusinessFunction
            | Field::Purpose
            | Field::Schedule1LawfulBasis => {}
            // The same rights follow from the legal basis again.
            Field::Rights if self.own_export => {}
            Field::Rights => self.unmapped(
                address,
                t,
                "ropa derives the rights from the legal basis (docs/rights.md): compare them with this cell after the import",
            ),
            Field::Notes => self.draft.activities[a].notes.insert(0, t.to_string()),
            Field::NotKept => self.unmapped(address, t, "the registry has no key for this column"),
            Field::Individuals => {
                for name in split(t, self.own_export) {
                    let (name, key) = readable(&name);
                    let e = self.draft.subjects.entry(&name);
                    if let Some(key) = key {
                        push_unique(&mut e.notes, key);
                    }
                    let id = e.id.clone();
                    push_unique(&mut self.draft.activities[a].subjects, id);
                }
            }
            Field::PersonalData => {
                for name in split(t, self.own_export) {
                    let (name, mut special, mut criminal) = category_marks(&name);
                    // A fides key says whether it is Art. 9 or Art. 10 data.
                    let by_key = fides_key_name(&name).map(|_| super::fides::marks(name.trim()));
                    if let Some((s, c, _)) = by_key {
                        special |= s;
                        criminal |= c;
                    }
                    let (name, key) = readable(&name);
                    let e = self.draft.categories.entry(&name);
                    if by_key.is_some_and(|(s, _, _)| s) && !e.special {
                        e.notes.push("Marked special (Art. 9(1)) because of its fides key.".to_string());
                    }
                    if by_key.is_some_and(|(_, c, _)| c) && !e.criminal {
                        e.notes.push("Marked criminal (Art. 10) because of its fides key.".to_string());
                    }
                    if by_key.is_some_and(|(_, _, b)| b) && !e.special {
                        push_unique(&mut e.notes, "Biometric data is special (Art. 9(1)) when it is processed to identify a person uniquely: if so, set `special = true`.".to_string());
                    }
                    e.special |= special;
                    e.criminal |= criminal;
                    if let Some(key) = key {
                        push_unique(&mut e.notes, key);
                    }
                    let id = e.id.clone();
                    push_unique(&mut self.draft.activities[a].categories, id);
                }
            }
            Field::FidesSystem | Field::FidesDataset => {
                push_unique(&mut self.draft.activities[a].systems, t.to_string());
            }
            Field::FidesKey => push_unique(
                &mut self.draft.activities[a].notes,
                format!("fides key: `{t}`"),
            ),
            // Read when the row's activity was made: it is the name.
            Field::DeclarationName => {}
            Field::Role => self.role(a, t, &address),
            Field::InternationalTransfers => {
                // "true" is checked against the row's countries (see `row`).
                if yes_no(t).is_none() {
                    self.unmapped(address, t, "expected true or false");
                }
            }
            Field::Recipients => {
                for line in recipient_lines(t, self.own_export) {
                    self.recipient(a, &line, &address);
                }
            }
            Field::SubProcessors => {
                for line in lines(t) {
                    let (main, contact) = match line.rsplit_once("), ") {
                        Some((m, c)) => (format!("{m})"), Some(c.to_string())),
                        None => (line.to_string(), None),
                    };
                    let (name, place) = trailing_paren(&main).unwrap_or((line, ""));
                    let p = self.draft.parties.entry(name, true);
                    set_place(p, place);
                    if p.contact.is_none() {
                        p.contact = contact;
                    }
                    let id = p.id.clone();
                    push_unique(&mut self.draft.activities[a].processors, id);
                }
            }
            Field::ProcessorContracts => {
                for line in lines(t) {
                    // "Processor: Name, reference" names the processor after
                    // the word; "Name (processor): reference" before it.
                    let named = processor_named(line).or_else(|| {
                        line.split_once(": ").map(|(name, rest)| {
                            let name = match trailing_paren(name) {
                                Some((n, role)) if is_processor_word(role) => n,
                                _ => name,
                            };
                            (name.to_string(), rest.to_string())
                        })
                    });
                    let Some((name, rest)) = named else {
                        self.unmapped(address.clone(), line, "no processor named before `:`");
                        continue;
                    };
                    let rest = rest.as_str();
                    let p = self.draft.parties.entry(&name, true);
                    let mut reference = Vec::new();
                    for part in rest.split(", ") {
                        match part.strip_prefix("DPA signed ").and_then(Date::parse) {
                            Some(d) => p.dpa_signed = Some(d.to_string()),
                            None => reference.push(part),
                        }
                    }
                    reference.retain(|r| !r.trim().is_empty());
                    if !reference.is_empty() {
                        p.dpa_reference = Some(reference.join(", "));
                    }
                    let id = p.id.clone();
                    push_unique(&mut self.draft.activities[a].processors, id);
                }
            }
            Field::ThirdCountries => {
                // Read with the safeguards column, which names each transfer
                // with its place; a place without a safeguard line is reported
                // once the row is done (see `Safeguards`).
                for line in lines(t) {
                    let covered = self.draft.activities[a]
                        .places_with_transfer
                        .contains(line.trim());
                    if covered {
                        continue;
                    }
                    // A list of places ("USA, GBR" as fides writes them):
                    // each needs a transfer of this activity to it.
                    let (codes, rest) = words::countries(line);
                    if codes.is_empty() {
                        self.unmapped(
                            address.clone(),
                            line,
                            "a transfer needs its mechanism (safeguards column); none given for this place",
                        );
                        continue;
                    }
                    for code in codes {
                        let transferred = self.draft.activities[a].transfers.iter().any(|id| {
                            self.draft
                                .transfer_by_id(id)
                                .is_some_and(|t| t.key.country.as_deref() == Some(code))
                        });
                        if !transferred {
                            self.unmapped(
                                address.clone(),
                                line,
                                format!("a transfer to {} needs its mechanism and the party that receives the data (safeguards column); none given", country_name(code)),
                            );
                        }
                    }
                    for place in rest {
                        self.unmapped(address.clone(), &place, "not a country ropa recognises");
                    }
                }
            }
            Field::Safeguards => {
                for line in lines(t) {
                    self.transfer(a, line, &address);
                }
            }
            Field::Retention => {
                // A rule's note may run over several lines. In ropa's form
                // ("P7Y from …", "No period given …") only those lines start
                // a rule; a note's line may well mention a period in words.
                let ropa_form = |line: &str| {
                    line.starts_with("No period given")
                        || line
                            .split_whitespace()
                            .next()
                            .is_some_and(|w| IsoDuration::parse(w).is_some())
                };
                let in_ropa_form = lines(t).iter().any(|l| ropa_form(l));
                let starts = |line: &str, _: &str| {
                    ropa_form(line) || (!in_ropa_form && words::retention(line).is_some())
                };
                let start = self.draft.activities[a].retention.len();
                for line in entries(t, starts) {
                    let line = line.as_str();
                    let rule = self.retention(a, line, &address);
                    self.draft.activities[a].retention.push(rule);
                }
                let end = self.draft.activities[a].retention.len();
                self.retention_cells
                    .insert((a, t.to_string()), (start..end, Vec::new()));
            }
            // fides puts the organisation's security policy link here.
            Field::Measures if is_link(t) => {
                let m = self.draft.measures.entry("Security policy");
                if m.description.is_none() {
                    m.description = Some(format!("See {t}"));
                    m.notes.push(format!(
                        "Named for the link the cell holds: {}",
                        quote(t, &address)
                    ));
                }
                let id = m.id.clone();
                push_unique(&mut self.draft.activities[a].measures, id);
            }
            Field::Measures => {
                // A description may run over several lines: a line without
                // "Name: " continues the measure above it.
                let starts = |line: &str, previous: &str| {
                    line.contains(": ") || !previous.contains(": ") || line.ends_with(')')
                };
                for line in entries(t, starts) {
                    let line = line.as_str();
                    let (head, description) = match line.split_once(": ") {
                        Some((h, d)) => (h, Some(d)),
                        None => (line, None),
                    };
                    let (name, kind) = match trailing_paren(head) {
                        Some((n, k)) => match by_label(
                            &self.tr,
                            "measure-kind",
                            MeasureKind::ALL,
                            MeasureKind::as_str,
                            k,
                        ) {
                            Some(kind) => (n, Some(kind)),
                            None => (head, None),
                        },
                        None => (head, None),
                    };
                    let m = self.draft.measures.entry(name);
                    m.kind = m.kind.or(kind);
                    if m.description.is_none() {
                        m.description = description.map(str::to_string);
                    }
                    let id = m.id.clone();
                    push_unique(&mut self.draft.activities[a].measures, id);
                }
            }
            Field::LawfulBasis => self.lawful_basis(a, t, &address),
            Field::SpecialCondition => {
                let tr = &self.tr;
                let c = by_label(
                    tr,
                    "special-condition",
                    SpecialCategoryCondition::ALL,
                    SpecialCategoryCondition::as_str,
                    t,
                )
                .or_else(|| words::special_condition(t))
                .or_else(|| fides_special_condition(t));
                match c {
                    Some(c) => {
                        let act = &mut self.draft.activities[a];
                        act.special_condition = Some(c);
                        act.notes.push(quote(t, &address));
                    }
                    None => self.unmapped(address, t, "not an Art. 9(2) condition ropa recognises"),
                }
            }
            Field::LegitimateInterest => {
                self.draft.activities[a].legitimate_interest = Some(t.to_string());
            }
            Field::AutomatedDecisions => {
                let (head, note) = match t.split_once(": ") {
                    Some((h, n)) => (h, Some(n)),
                    None => (t, None),
                };
                match head.trim().to_lowercase().as_str() {
                    "yes" | "true" => self.draft.activities[a].automated = Some(true),
                    "no" | "false" => self.draft.activities[a].automated = Some(false),
                    _ => {
                        self.draft.activities[a].automated_note = Some(t.to_string());
                        return;
                    }
                }
                self.draft.activities[a].automated_note = note.map(str::to_string);
            }
            Field::Sources => {
                for s in split_sentences(t, self.own_export) {
                    push_unique(&mut self.draft.activities[a].sources, s);
                }
            }
            Field::Location => {
                for (i, line) in lines(t).into_iter().enumerate() {
                    // "Processor: Country, Country" lines repeat the
                    // processors' locations, read from the recipients.
                    let names_processor = line.split_once(": ").is_some_and(|(n, _)| {
                        self.draft.parties.find(n).is_some_and(|p| p.processor)
                    });
                    if names_processor {
                        continue;
                    }
                    if i == 0 {
                        for s in split_sentences(line, self.own_export) {
                            push_unique(&mut self.draft.activities[a].systems, s);
                        }
                    } else {
                        self.unmapped(
                            address.clone(),
                            line,
                            "not a system or a processor's location",
                        );
                    }
                }
            }
            Field::DpiaRequired => match yes_no(t) {
                Some(b) => self.draft.activities[a].dpia_required = Some(b),
                None => self.unmapped(address, t, "expected Yes or No"),
            },
            Field::DpiaProgress => {
                // A date cell alone: the date the DPIA was completed.
                if let Some(d) = Date::parse(t) {
                    self.draft.activities[a].dpia_completed = Some(d.to_string());
                    return;
                }
                let mut notes = Vec::new();
                for part in t.split(". ") {
                    match part.strip_prefix("Completed ").and_then(Date::parse) {
                        Some(d) => self.draft.activities[a].dpia_completed = Some(d.to_string()),
                        None if part == "Not completed" => {}
                        None => notes.push(part),
                    }
                }
                if !notes.is_empty() {
                    self.draft.activities[a].dpia_note = Some(notes.join(". "));
                }
            }
            Field::DpiaLink => self.draft.activities[a].dpia_reference = Some(t.to_string()),
            Field::Schedule1Condition => {
                for p in split_sentences(t, self.own_export) {
                    push_unique(&mut self.draft.activities[a].legal_provisions, p);
                }
            }
            Field::Controllers => {
                for c in lines(t) {
                    push_unique(&mut self.draft.activities[a].controllers, c.to_string());
                }
            }
            Field::JointControllers => {
                for line in lines(t) {
                    let (head, arrangement) = match line.split_once(". Arrangement: ") {
                        Some((h, x)) => (h, Some(x.to_string())),
                        None => (line, None),
                    };
                    let (name, contact) = match head.split_once(", ") {
                        Some((n, c)) => (n, Some(c.to_string())),
                        None => (head, None),
                    };
                    self.draft.activities[a]
                        .joint
                        .push((name.to_string(), contact, arrangement));
                }
            }
        }
    }

    /// fides' "Role or Responsibility": Controller, Processor or
    /// Sub-Processor. A processor's or sub-processor's activity belongs to
    /// the processor record (Art. 30(2)).
    fn role(&mut self, a: usize, t: &str, address: &str) {
        let mut processor = false;
        let mut controller = false;
        for part in split(t, self.own_export) {
            match norm(&part).as_str() {
                "controller" => controller = true,
                "processor" | "subprocessor" => processor = true,
                _ => {
                    self.unmapped(
                        address.to_string(),
                        &part,
                        "not a role ropa knows (Controller, Processor, Sub-Processor)",
                    );
                    return;
                }
            }
        }
        if processor && controller {
            self.unmapped(
                address.to_string(),
                t,
                "names two roles: an activity is in one record; split it into a controller and a processor activity",
            );
        } else if processor {
            let act = &mut self.draft.activities[a];
            act.processor_record = true;
            act.notes.push(quote(t, address));
        }
    }

    fn lawful_basis(&mut self, a: usize, t: &str, address: &str) {
        let mut quoted = false;
        for line in lines(t) {
            if let Some(p) = line.strip_prefix("Legal provisions: ") {
                for p in p.split("; ") {
                    push_unique(
                        &mut self.draft.activities[a].legal_provisions,
                        p.trim().to_string(),
                    );
                }
                continue;
            }
            for part in split(line, self.own_export) {
                let exact = by_label(
                    &self.tr,
                    "legal-basis",
                    LegalBasis::ALL,
                    LegalBasis::as_str,
                    &part,
                );
                let (bases, rest) = match exact {
                    Some(b) => (vec![b], Vec::new()),
                    None => words::legal_bases(&part),
                };
                let act = &mut self.draft.activities[a];
                for b in bases {
                    if !act.legal_bases.contains(&b) {
                        act.legal_bases.push(b);
                    }
                }
                if !quoted {
                    act.notes.push(quote(t, address));
                    quoted = true;
                }
                for r in rest {
                    self.unmapped(
                        address.to_string(),
                        &r,
                        "not an Art. 6(1) basis ropa recognises",
                    );
                }
            }
        }
    }

    /// "Name (processor, Ireland; data in Ireland, India)" or "Name (kind,
    /// Country)"; anything else is a category of recipients, as the
    /// column's title says.
    fn recipient(&mut self, a: usize, line: &str, address: &str) {
        if let Some((name, place)) = processor_named(line) {
            let p = self.draft.parties.entry(&name, true);
            set_place(p, &place);
            p.notes.push(format!(
                "Named as a processor in the recipients column: {}",
                quote(line, address)
            ));
            let id = p.id.clone();
            push_unique(&mut self.draft.activities[a].processors, id);
            return;
        }
        if let Some((name, inside)) = trailing_paren(line) {
            let (kind, place) = match inside.split_once(", ") {
                Some((k, p)) => (k, p),
                None => (inside, ""),
            };
            if is_processor_word(kind) {
                let p = self.draft.parties.entry(name, true);
                set_place(p, place);
                let id = p.id.clone();
                push_unique(&mut self.draft.activities[a].processors, id);
                return;
            }
            let tr = &self.tr;
            let found = RecipientKind::ALL.iter().copied().find_map(|k| {
                let label = tr.label("recipient-kind", k.as_str()).to_lowercase();
                let kind = kind.to_lowercase();
                if kind == label {
                    Some((k, None))
                } else {
                    kind.strip_prefix(&format!("{label} "))
                        .map(|code| (k, Some(code.to_uppercase())))
                }
            });
            if let Some((k, io)) = found {
                let code = (!place.is_empty())
                    .then(|| words::country_code(place))
                    .flatten();
                let r = self.draft.parties.entry(name, false);
                r.kind = Some(k);
                r.international_organisation = r.international_organisation.take().or(io);
                if let Some(c) = code {
                    r.country = Some(c);
                } else if !place.is_empty() {
                    r.notes.push(format!(
                        "The country could not be read: {}",
                        quote(line, address)
                    ));
                }
                let id = r.id.clone();
                push_unique(&mut self.draft.activities[a].recipients, id);
                return;
            }
        }
        let r = self.draft.parties.entry(line, false);
        if r.kind.is_none() {
            r.kind = Some(RecipientKind::Category);
            r.notes.push(format!(
                "Recorded as a category of recipients (the kind is a guess): {}",
                quote(line, address)
            ));
        }
        let id = r.id.clone();
        push_unique(&mut self.draft.activities[a].recipients, id);
    }

    /// "United States (Google, via A → B): Derogation (Art. 49): explicit
    /// consent (Art. 49(1)(a)); supplementary measures: X, Y".
    fn transfer(&mut self, a: usize, line: &str, address: &str) {
        let parsed = line.split_once("): ").and_then(|(head, cover)| {
            let (place, party) =
                trailing_paren(&format!("{head})")).map(|(p, x)| (p.to_string(), x.to_string()))?;
            Some((place, party, cover.to_string()))
        });
        let Some((place, party, cover)) = parsed else {
            let why = match words::mechanism(line) {
                // fides' "Legal basis for transfers" names only the mechanism.
                Some((m, _)) => format!(
                    "names the mechanism ({}) but not the country and the recipient it covers: write `Country (recipient): safeguard`",
                    self.tr.label("mechanism", m.as_str())
                ),
                None => "expected `Country (recipient): safeguard`".to_string(),
            };
            self.unmapped(address.to_string(), line, why);
            return;
        };
        let (party, via) = match party.split_once(", via ") {
            Some((p, v)) => (p.to_string(), v.rsplit(" → ").next().map(str::to_string)),
            None => (party, None),
        };
        let Some(to) = self.draft.parties.find(&party).map(|p| p.id.clone()) else {
            self.unmapped(
                address.to_string(),
                line,
                format!("`{party}` is not a processor or recipient of this row"),
            );
            return;
        };
        let via = via.and_then(|v| self.draft.parties.find(&v).map(|p| p.id.clone()));
        let code = words::country_code(&place);
        let mut sections = cover.split("; ");
        let main = sections.next().unwrap_or("");
        let (label, details) = match main.split_once(": ") {
            Some((l, d)) => (l, d),
            None => (main, ""),
        };
        let tr = &self.tr;
        let exact = by_label(tr, "mechanism", Mechanism::ALL, Mechanism::as_str, label);
        // Only a derogation transfer names its derogation.
        let derogation_in = |text: &str| {
            let text = text.to_lowercase();
            Derogation::ALL
                .iter()
                .copied()
                .find(|d| text.contains(&tr.label("derogation", d.as_str()).to_lowercase()))
        };
        let (mechanism, derogation) = match exact {
            Some(m) if m == Mechanism::Derogation => (m, derogation_in(details)),
            Some(m) => (m, None),
            None => match words::mechanism(&cover) {
                Some(x) => x,
                None => {
                    self.unmapped(
                        address.to_string(),
                        line,
                        "no transfer mechanism ropa recognises",
                    );
                    return;
                }
            },
        };
        let mut measures = Vec::new();
        for s in sections {
            if let Some(m) = s.strip_prefix("supplementary measures: ") {
                for name in m.split(", ") {
                    measures.push(self.draft.measures.entry(name).id.clone());
                }
            }
        }
        let safeguard = SafeguardKind::parse(mechanism.as_str())
            .map(|kind| self.safeguard(kind, details, line, address));
        let key = TransferKey {
            to,
            country: code,
            mechanism,
            derogation,
            safeguard,
        };
        let i = self
            .draft
            .transfer(key, || (via, measures, vec![quote(line, address)]));
        let id = self.draft.transfers[i].id.clone();
        let act = &mut self.draft.activities[a];
        push_unique(&mut act.transfers, id);
        // The place is covered, for the third-countries column.
        act.places_with_transfer
            .insert(format!("{place} ({party})"));
    }

    /// The safeguard document a mechanism rests on: "SCC between A and B
    /// (2021/914, module 3), signed 2024-09-01, ...".
    fn safeguard(
        &mut self,
        kind: SafeguardKind,
        details: &str,
        line: &str,
        address: &str,
    ) -> String {
        let parts = split_outside_parens(details, ", ");
        let head = parts.first().copied().unwrap_or(details);
        let signed = parts
            .iter()
            .find_map(|p| p.strip_prefix("signed ").and_then(Date::parse))
            .map(|d| d.to_string());
        let (mut name, mut version, mut modules) = (head.trim().to_string(), None, Vec::new());
        if let Some((n, inside)) = trailing_paren(head) {
            let mut known = true;
            let (mut v, mut m) = (None, Vec::new());
            for part in inside.split(", ") {
                if let Some(x) = SccVersion::parse(part) {
                    v = Some(x);
                } else if let Some(list) = part
                    .strip_prefix("modules ")
                    .or(part.strip_prefix("module "))
                {
                    m.extend(
                        list.split(", ")
                            .filter_map(|x| x.trim().parse::<i64>().ok()),
                    );
                } else if let Ok(x) = part.trim().parse::<i64>() {
                    m.push(x);
                } else {
                    known = false;
                }
            }
            if known {
                (name, version, modules) = (n.to_string(), v, m);
            }
        }
        if name.is_empty() {
            name = format!(
                "{} (named in the spreadsheet without details)",
                kind.as_str()
            );
        }
        if let Some(&i) = self.safeguard_index.get(&(name.clone(), kind)) {
            return self.draft.safeguards[i].id.clone();
        }
        self.safeguard_index
            .insert((name.clone(), kind), self.draft.safeguards.len());
        let id = self.draft.safeguard_ids.make(&name);
        self.draft.safeguards.push(SafeguardEntry {
            id: id.clone(),
            name,
            kind,
            scc_version: version,
            modules,
            signed,
            notes: vec![quote(line, address)],
        });
        id
    }

    /// "P7Y from the end of the contract (Invoices). Note", "No period given
    /// (from: X)", or words ("7 years after the contract ends").
    fn retention(&mut self, a: usize, line: &str, address: &str) -> RetentionRule {
        let mut rule = RetentionRule::default();
        let (mut main, note) = match line.split_once(". ") {
            Some((m, n)) => (m.to_string(), Some(n.to_string())),
            None => (line.trim_end_matches('.').to_string(), None),
        };
        rule.note = note;
        // "(Name, Name)": the categories the rule is limited to.
        if let Some((rest, inside)) = trailing_paren(&main) {
            let ids: Option<Vec<String>> = inside
                .split(", ")
                .map(|n| {
                    self.draft
                        .categories
                        .by_name
                        .get(&n.trim().to_lowercase())
                        .map(|&i| self.draft.categories.entries[i].id.clone())
                })
                .collect();
            if let Some(ids) = ids
                && !inside.starts_with("from: ")
            {
                rule.categories = ids;
                main = rest.to_string();
            }
        }
        if let Some(rest) = main.strip_prefix("No period given") {
            rule.from = rest
                .trim()
                .strip_prefix("(from: ")
                .and_then(|f| f.strip_suffix(')'))
                .map(str::to_string);
            return rule;
        }
        let (first, from) = match main.split_once(" from ") {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (main.as_str(), None),
        };
        if IsoDuration::parse(first.trim()).is_some() {
            rule.period = Some(first.trim().to_string());
            rule.from = from;
            return rule;
        }
        match words::retention(&main) {
            Some((period, from)) => {
                rule.period = Some(period);
                rule.from = from;
                let act = &mut self.draft.activities[a];
                act.notes.push(quote(line, address));
            }
            None => {
                // Kept as words: the period is for a person to write.
                rule.note = Some(quote(line, address));
            }
        }
        rule
    }
}

/// "Health (special category, Art. 9)" → ("Health", special, criminal).
fn category_marks(name: &str) -> (String, bool, bool) {
    if let Some((base, inside)) = trailing_paren(name) {
        let marks: Vec<&str> = inside.split("; ").collect();
        let special = marks.contains(&"special category, Art. 9");
        let criminal = marks.contains(&"criminal convictions and offences, Art. 10");
        if marks.len() == usize::from(special) + usize::from(criminal) {
            return (base.to_string(), special, criminal);
        }
    }
    (name.to_string(), false, false)
}

/// The items of a cell written one per line, where an item may itself run
/// over several lines: a line starts a new item when `starts(line,
/// previous item)` says so, else it continues the item above.
fn entries(cell: &str, starts: impl Fn(&str, &str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines(cell) {
        match out.last_mut() {
            Some(prev) if !starts(line, prev) => {
                prev.push('\n');
                prev.push_str(line);
            }
            _ => out.push(line.to_string()),
        }
    }
    out
}

/// The recipients cell: one per line, as ropa writes it; a one-line cell
/// of a home-made sheet may list them with commas or semicolons.
fn recipient_lines(cell: &str, own_export: bool) -> Vec<String> {
    let ls = lines(cell);
    if ls.len() == 1 && trailing_paren(ls[0]).is_none() && processor_named(ls[0]).is_none() {
        split(ls[0], own_export)
    } else {
        ls.into_iter().map(str::to_string).collect()
    }
}

/// "Ireland; data in Ireland, India" → country and locations.
fn set_place(p: &mut Party, place: &str) {
    let (home, data) = match place.split_once("; data in ") {
        Some((h, d)) => (h, Some(d)),
        None => (place, None),
    };
    if let Some(code) = words::country_code(home) {
        p.country = Some(code);
    } else if !home.trim().is_empty() {
        p.notes.push(format!("Country not recognised: '{home}'"));
    }
    if let Some(d) = data {
        p.locations = d.split(", ").filter_map(words::country_code).collect();
    } else if let Some(c) = &p.country
        && p.locations.is_empty()
    {
        p.locations = vec![c.clone()];
    }
}

/// "Yes"/"No", "true"/"false" (fides writes booleans so), "Oui"/"Non",
/// "Ja"/"Nee".
fn yes_no(t: &str) -> Option<bool> {
    match t.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "oui" | "ja" => Some(true),
        "no" | "n" | "false" | "non" | "nee" => Some(false),
        _ => None,
    }
}

/// A cell that is one web link.
fn is_link(t: &str) -> bool {
    let t = t.trim();
    (t.starts_with("https://") || t.starts_with("http://")) && !t.contains(char::is_whitespace)
}

fn country_name(code: &str) -> String {
    crate::reference::country_name(code).map_or_else(|| code.to_string(), str::to_string)
}

/// The words that name a processor in free text: English, the French
/// "sous-traitant" and the Dutch "verwerker" (the GDPR's own terms).
const PROCESSOR_WORDS: &[&str] = &[
    "processor",
    "data processor",
    "sub-processor",
    "subprocessor",
    "sub processor",
    "sous-traitant",
    "sous traitant",
    "sous-traitant ultérieur",
    "verwerker",
    "subverwerker",
    "sub-verwerker",
];

fn is_processor_word(s: &str) -> bool {
    PROCESSOR_WORDS.contains(&s.trim().to_lowercase().as_str())
}

/// "Processor: Mailchimp", "sous-traitant : Mailchimp, Ireland" → the
/// processor's name and what follows it (a place, a reference).
fn processor_named(line: &str) -> Option<(String, String)> {
    let (head, tail) = line.split_once(':')?;
    if !is_processor_word(head) {
        return None;
    }
    let tail = tail.trim();
    let (name, rest) = match tail.split_once(", ") {
        Some((n, r)) => (n.trim(), r.trim()),
        None => (tail, ""),
    };
    (!name.is_empty()).then(|| (name.to_string(), rest.to_string()))
}

/// The fides taxonomy roots: data categories (`user`, `system`, and the
/// older `account`) and data uses, old and new.
const FIDES_ROOTS: &[&str] = &[
    "user",
    "system",
    "account",
    "analytics",
    "collect",
    "employment",
    "essential",
    "finance",
    "functional",
    "marketing",
    "personalize",
    "sales",
    "third_party_sharing",
    "train_ai_system",
    "provide",
    "improve",
    "advertising",
];

/// A fides key (`user.contact.email`) → a readable name, the taxonomy's
/// ("Email"). `None` for anything else.
fn fides_key_name(item: &str) -> Option<String> {
    let t = item.trim();
    let (root, _) = t.split_once('.')?;
    let well_formed = t.split('.').all(|s| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    });
    if !well_formed || !FIDES_ROOTS.contains(&root) {
        return None;
    }
    Some(super::fides::key_name(t))
}

/// The labels of the older fideslang `SpecialCategoriesEnum` that the
/// usual wordings do not give: "Medical" is Art. 9(2)(h), "Public by Data
/// Subject" Art. 9(2)(e). (Its "Consent" is not read as explicit consent.)
fn fides_special_condition(t: &str) -> Option<SpecialCategoryCondition> {
    match t.trim() {
        "Medical" => Some(SpecialCategoryCondition::HealthCare),
        "Public by Data Subject" => Some(SpecialCategoryCondition::MadePublic),
        _ => None,
    }
}

/// A name as written, or the readable name of a fides key with a note
/// that keeps the key.
fn readable(name: &str) -> (String, Option<String>) {
    match fides_key_name(name) {
        Some(r) => (r, Some(format!("fides key: `{}`", name.trim()))),
        None => (name.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exported_header_is_read() {
        for record in [Record::Controller, Record::Processor] {
            for h in crate::export::ico::headers(record) {
                assert!(field_of(h).is_some(), "{h}");
            }
        }
    }

    #[test]
    fn headers_ignore_case_and_spacing() {
        assert_eq!(
            field_of("  BUSINESS   function "),
            Some(Field::BusinessFunction)
        );
        assert_eq!(field_of("Retention schedule"), Some(Field::Retention));
        assert_eq!(field_of("Something else"), None);
    }

    #[test]
    fn no_column_name_means_two_things() {
        for (i, (h, f)) in COLUMNS.iter().enumerate() {
            for (g, e) in &COLUMNS[i + 1..] {
                assert!(h != g || f == e, "{h}");
            }
        }
    }

    #[test]
    fn fides_column_names_of_both_generations() {
        // The datamap template (row 9) and the API's names.
        assert_eq!(field_of("Fides system"), Some(Field::FidesSystem));
        assert_eq!(
            field_of("Department or Business Function"),
            Some(Field::BusinessFunction)
        );
        assert_eq!(
            field_of("Categories of personal data (Fides taxonomy)"),
            Some(Field::PersonalData)
        );
        assert_eq!(
            field_of("Third Country Transfers"),
            Some(Field::ThirdCountries)
        );
        assert_eq!(field_of("Role or Responsibility"), Some(Field::Role));
        // The CSV of `fides export datamap --csv`: the dotted keys.
        assert_eq!(
            field_of("system.privacy_declaration.data_use.name"),
            Some(Field::Purpose)
        );
        assert_eq!(
            field_of("third_country_combined"),
            Some(Field::ThirdCountries)
        );
        // The later DatamapReport.
        assert_eq!(field_of("Data use"), Some(Field::Purpose));
        assert_eq!(field_of("Retention period"), Some(Field::Retention));
        assert_eq!(
            field_of("Legal basis for transfers"),
            Some(Field::Safeguards)
        );
        assert_eq!(
            field_of("Does international transfers"),
            Some(Field::InternationalTransfers)
        );
        assert_eq!(field_of("Source"), Some(Field::Sources));
        assert_eq!(field_of("Destination"), None);
    }

    #[test]
    fn cnil_and_belgian_column_names() {
        assert_eq!(field_of("Finalité(s)"), Some(Field::Purpose));
        assert_eq!(
            field_of("Catégories de personnes concernées"),
            Some(Field::Individuals)
        );
        assert_eq!(
            field_of("Catégories de données à caractère personnel"),
            Some(Field::PersonalData)
        );
        assert_eq!(field_of("Durée de conservation"), Some(Field::Retention));
        assert_eq!(
            field_of("Business process owner"),
            Some(Field::BusinessFunction)
        );
        assert_eq!(field_of("GDPR data category"), Some(Field::PersonalData));
        assert_eq!(field_of("Functional data category"), None);
    }

    #[test]
    fn fides_keys_get_readable_names() {
        // The default taxonomy's names, as `ropa import fides` gives them.
        assert_eq!(
            fides_key_name("user.contact.email"),
            Some("User Contact Email".into())
        );
        assert_eq!(
            fides_key_name("marketing.advertising.first_party"),
            Some("First Party Advertising".into())
        );
        // A key the taxonomy lacks: its last segment in words.
        assert_eq!(
            fides_key_name("user.custom.loyalty_points"),
            Some("Loyalty points".into())
        );
        // Not fides keys: a web address, a sentence, a name with capitals.
        assert_eq!(fides_key_name("www.example.com"), None);
        assert_eq!(fides_key_name("user"), None);
        assert_eq!(fides_key_name("User.Contact"), None);
        assert_eq!(fides_key_name("user..email"), None);
    }

    #[test]
    fn processors_named_in_free_text() {
        assert_eq!(
            processor_named("Processor: Mailchimp"),
            Some(("Mailchimp".into(), String::new()))
        );
        assert_eq!(
            processor_named("sous-traitant : OVH, France"),
            Some(("OVH".into(), "France".into()))
        );
        assert_eq!(
            processor_named("Verwerker: Acme BV"),
            Some(("Acme BV".into(), String::new()))
        );
        assert_eq!(processor_named("Mailchimp: DPA signed 2024-01-01"), None);
        assert_eq!(processor_named("Processor:"), None);
        assert!(is_processor_word("Sub-processor"));
        assert!(!is_processor_word("recipient"));
    }

    #[test]
    fn yes_and_no() {
        assert_eq!(yes_no("TRUE"), Some(true));
        assert_eq!(yes_no(" No "), Some(false));
        assert_eq!(yes_no("Oui"), Some(true));
        assert_eq!(yes_no("maybe"), None);
    }

    #[test]
    fn parentheses() {
        assert_eq!(
            trailing_paren("Google (legal entity) (processor, United States)"),
            Some(("Google (legal entity)", "processor, United States"))
        );
        assert_eq!(trailing_paren("no parens"), None);
    }

    #[test]
    fn category_marks_come_off() {
        assert_eq!(
            category_marks("Health (special category, Art. 9)"),
            ("Health".to_string(), true, false)
        );
        assert_eq!(
            category_marks("Notes (free text)"),
            ("Notes (free text)".to_string(), false, false)
        );
    }
}
