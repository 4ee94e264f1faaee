//! `ropa import ico` on spreadsheets as other programs write them: the
//! ICO controller template in Excel's XLSX, the same layout as a European
//! Excel's semicolon CSV and as a LibreOffice ODS, and a fides datamap
//! export. The files are in tests/fixtures/import (made by
//! make_fixtures.py there); each test runs the real binary on one and reads
//! the registry it wrote.

mod common;

use std::path::{Path, PathBuf};

use common::{check, manifest_dir, parse_json, run_in};

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures/import").join(name)
}

/// Imports the fixture into a new folder; the import's stdout and the
/// folder.
fn import(name: &str) -> (String, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "ropa-import-layouts-{}-{}",
        std::process::id(),
        name.replace('.', "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("registry");
    let file = fixture(name);
    let run = run_in(
        &manifest_dir(),
        &[
            "import",
            "ico",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    run.assert_exit(0);
    (run.stdout.clone(), out)
}

fn toml_of(path: &Path) -> toml::Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
}

fn strs(v: &toml::Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// `ropa check` on the imported registry: what it finds is work for the
/// DPO, but no entry may break the format (no `schema` error).
fn assert_no_schema_errors(registry: &Path) {
    let run = check(registry, "json", &[]);
    let diags = parse_json(&run.stdout);
    let schema: Vec<_> = diags.iter().filter(|d| d.code == "schema").collect();
    assert!(schema.is_empty(), "{schema:#?}");
}

#[test]
fn the_ico_controller_template_in_xlsx() {
    let (stdout, out) = import("ico-controller.xlsx");
    assert!(stdout.contains("imported 4 rows"), "{stdout}");
    assert_eq!(
        files_in(&out.join("activities")),
        [
            "email-newsletter.toml",
            "invoicing-and-accounts.toml",
            "payroll.toml",
            "recruitment.toml"
        ]
    );
    // The contact block of rows 1-6; the DPO's address has no key in
    // `[dpo]` and the representative's phone none in `[representative]`:
    // both are kept in the note.
    let org = toml_of(&out.join("organisation.toml"));
    assert_eq!(org["name"].as_str(), Some("Harbour Lane Bakery Ltd"));
    assert_eq!(org["phone"].as_str(), Some("0117 496 0000"));
    assert_eq!(org["country"].as_str(), Some("GB"));
    assert_eq!(org["dpo"]["name"].as_str(), Some("Priya Shah"));
    assert_eq!(
        org["dpo"]["email"].as_str(),
        Some("dpo@harbourlane.example")
    );
    assert!(org["dpo"].get("address").is_none());
    assert_eq!(
        org["representative"]["address"].as_str(),
        Some("1 Merrion Square, Dublin 2, Ireland")
    );
    assert!(org["representative"].get("phone").is_none());
    let note = org["note"].as_str().unwrap();
    assert!(note.contains("read from the end of the address"), "{note}");
    assert!(
        note.contains("representative's phone: +353 1 555 0100"),
        "{note}"
    );

    let payroll = toml_of(&out.join("activities/payroll.toml"));
    assert_eq!(payroll["owner"].as_str(), Some("Human resources"));
    assert_eq!(
        strs(&payroll["legal_bases"]),
        ["contract", "legal-obligation"]
    );
    assert_eq!(
        strs(&payroll["data_subjects"]),
        ["employees", "contractors"]
    );
    assert_eq!(payroll["data_categories"].as_array().unwrap().len(), 4);
    assert_eq!(strs(&payroll["processors"]), ["cloudpay-ltd"]);
    assert_eq!(strs(&payroll["recipients"]), ["hm-revenue-customs"]);
    assert_eq!(strs(&payroll["transfers"]), ["cloudpay-ltd-us"]);
    assert_eq!(strs(&payroll["systems"]), ["Sage HR"]);
    assert_eq!(payroll["automated_decision_making"].as_bool(), Some(false));
    let rule = &payroll["retention"].as_array().unwrap()[0];
    assert_eq!(rule["period"].as_str(), Some("P7Y"));
    assert_eq!(rule["from"].as_str(), Some("the end of employment"));
    let note = payroll["note"].as_str().unwrap();
    assert!(
        note.contains("Spreadsheet: '7 years after the end of employment' (Controller!J10)"),
        "{note}"
    );
    assert!(
        note.contains("Art. 6(1)(b) - performance of contract"),
        "{note}"
    );

    // "USA (CloudPay Ltd): SCCs": a transfer to the processor, resting on
    // SCCs whose module the sheet does not give.
    let transfer = toml_of(&out.join("transfers/cloudpay-ltd-us.toml"));
    assert_eq!(transfer["to"].as_str(), Some("cloudpay-ltd"));
    assert_eq!(transfer["country"].as_str(), Some("US"));
    assert_eq!(transfer["mechanism"].as_str(), Some("scc"));
    let cloudpay = toml_of(&out.join("processors/cloudpay-ltd.toml"));
    assert_eq!(cloudpay["country"].as_str(), Some("GB"));
    assert_eq!(
        cloudpay["dpa_signed"].as_datetime().map(|d| d.to_string()),
        Some("2023-04-01".into())
    );
    assert_eq!(cloudpay["dpa_reference"].as_str(), Some("contract CP-114"));

    // The business function is merged over rows 10 and 11; the DPIA's
    // progress is a date stored as a number.
    let recruitment = toml_of(&out.join("activities/recruitment.toml"));
    assert_eq!(recruitment["owner"].as_str(), Some("Human resources"));
    assert_eq!(strs(&recruitment["legal_bases"]), ["legitimate-interests"]);
    assert_eq!(
        recruitment["legitimate_interest"].as_str(),
        Some("Choosing the right candidate")
    );
    assert_eq!(recruitment["dpia"]["required"].as_bool(), Some(true));
    assert_eq!(
        recruitment["dpia"]["completed"]
            .as_datetime()
            .map(|d| d.to_string()),
        Some("2024-03-01".into())
    );
    let rule = &recruitment["retention"].as_array().unwrap()[0];
    assert_eq!(rule["period"].as_str(), Some("P6M"));
    assert_eq!(
        rule["from"].as_str(),
        Some("the end of the recruitment campaign")
    );
    // "Processor: TalentHub Ltd, Ireland" in the recipients column.
    assert_eq!(strs(&recruitment["processors"]), ["talenthub-ltd"]);
    let talenthub = toml_of(&out.join("processors/talenthub-ltd.toml"));
    assert_eq!(talenthub["country"].as_str(), Some("IE"));

    let newsletter = toml_of(&out.join("activities/email-newsletter.toml"));
    assert_eq!(strs(&newsletter["transfers"]), ["mailchimp-us"]);
    let transfer = toml_of(&out.join("transfers/mailchimp-us.toml"));
    assert_eq!(transfer["mechanism"].as_str(), Some("scc"));

    // Every cell left out, with its address; India has no safeguard line.
    assert!(stdout.contains("3 cells not mapped:"), "{stdout}");
    assert!(
        stdout.contains("Controller!P10: 'Access, rectification, erasure': ropa derives the rights from the legal basis (docs/rights.md): compare them with this cell after the import"),
        "{stdout}"
    );
    assert!(stdout.contains("Controller!X10: 'No'"), "{stdout}");
    assert!(
        stdout.contains("Controller!H13: 'India': a transfer to India needs its mechanism"),
        "{stdout}"
    );
    assert_no_schema_errors(&out);
}

/// fides wrote one row per system, data use, data subject and data
/// category; the rows of one system and purpose are one activity.
#[test]
fn a_fides_datamap_export() {
    let (stdout, out) = import("fides-datamap.xlsx");
    assert!(stdout.contains("imported 8 rows"), "{stdout}");
    assert!(stdout.contains("  3 activities\n"), "{stdout}");
    assert_eq!(
        files_in(&out.join("activities")),
        [
            "advertising-marketing-or-promotion-newsletter-tool.toml",
            "payroll-payroll-service.toml",
            "provide-the-capability-crm.toml"
        ]
    );
    // The Organization block, on its side in C2:H6.
    let org = toml_of(&out.join("organisation.toml"));
    assert_eq!(org["name"].as_str(), Some("Example Org Ltd"));
    assert_eq!(org["email"].as_str(), Some("hello@example.com"));
    assert_eq!(org["phone"].as_str(), Some("+44 20 7946 0000"));
    assert_eq!(org["country"].as_str(), Some("GB"));
    assert_eq!(org["dpo"]["name"].as_str(), Some("Sam Lee"));
    assert_eq!(org["dpo"]["phone"].as_str(), Some("+44 20 7946 0001"));
    assert_eq!(
        org["representative"]["name"].as_str(),
        Some("EU Representation GmbH")
    );

    // Four rows, four data categories, one activity; the system is its
    // grouping key and goes to `systems` with the dataset; the owner stays
    // the business function.
    let crm = toml_of(&out.join("activities/provide-the-capability-crm.toml"));
    assert_eq!(crm["name"].as_str(), Some("Provide the capability (CRM)"));
    assert_eq!(crm["owner"].as_str(), Some("Sales"));
    assert_eq!(strs(&crm["purposes"]), ["Provide the capability"]);
    assert_eq!(strs(&crm["legal_bases"]), ["contract"]);
    assert_eq!(strs(&crm["data_subjects"]), ["customer"]);
    assert_eq!(
        strs(&crm["data_categories"]),
        [
            "user-contact-email",
            "name",
            "cookie-id",
            "bank-account-information"
        ]
    );
    assert_eq!(strs(&crm["systems"]), ["CRM", "CRM database"]);
    assert_eq!(strs(&crm["sources"]), ["CRM database"]);
    assert_eq!(strs(&crm["measures"]), ["security-policy"]);
    assert!(crm.get("role").is_none());
    // Two retention cells, each for its rows' data categories.
    let rules = crm["retention"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["period"].as_str(), Some("P30D"));
    assert_eq!(strs(&rules[0]["data_categories"]), ["cookie-id"]);
    assert_eq!(rules[1]["period"].as_str(), Some("P7Y"));
    assert_eq!(rules[1]["from"].as_str(), Some("the end of the contract"));
    assert_eq!(
        strs(&rules[1]["data_categories"]),
        ["bank-account-information"]
    );
    // The note quotes the basis once, not once per row.
    let note = crm["note"].as_str().unwrap();
    assert_eq!(note.matches("'Contract'").count(), 1, "{note}");

    // fides keys get the taxonomy's names; the key stays in the note.
    let cats = toml_of(&out.join("categories.toml"));
    let email = &cats["data_categories"]["user-contact-email"];
    assert_eq!(email["name"].as_str(), Some("User Contact Email"));
    assert_eq!(
        email["note"].as_str(),
        Some("fides key: `user.contact.email`")
    );
    assert_eq!(
        cats["data_categories"]["cookie-id"]["name"].as_str(),
        Some("Cookie ID")
    );

    // "Role or Responsibility": a sub-processor's activity is in the
    // processor record. Its data use was a fides key.
    let payroll = toml_of(&out.join("activities/payroll-payroll-service.toml"));
    assert_eq!(payroll["role"].as_str(), Some("processor"));
    assert_eq!(strs(&payroll["purposes"]), ["Payroll"]);
    assert_eq!(strs(&payroll["legal_bases"]), ["legal-obligation"]);
    let note = payroll["note"].as_str().unwrap();
    assert!(note.contains("`employment.payroll`"), "{note}");
    assert!(note.contains("'Sub-Processor' (sheet1!N16)"), "{note}");

    // The processor named in the recipients and contract columns.
    let newsletter =
        toml_of(&out.join("activities/advertising-marketing-or-promotion-newsletter-tool.toml"));
    assert_eq!(strs(&newsletter["data_subjects"]), ["customer", "prospect"]);
    assert_eq!(strs(&newsletter["processors"]), ["mailchimp"]);
    let mailchimp = toml_of(&out.join("processors/mailchimp.toml"));
    assert_eq!(mailchimp["country"].as_str(), Some("US"));
    assert_eq!(mailchimp["dpa_reference"].as_str(), Some("DPA-2024-07"));

    // Alpha-3 countries with no safeguard: reported, once per activity
    // and wording ("USA, N/A" and "USA" are two wordings).
    assert!(
        stdout.contains("sheet1!J10: 'USA, N/A': a transfer to United States needs its mechanism"),
        "{stdout}"
    );
    assert!(stdout.contains("sheet1!J12: 'USA'"), "{stdout}");
    assert!(
        stdout.contains("sheet1!J16: 'GBR': a transfer to United Kingdom"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("No data subject rights listed").count(), 3);
    assert!(stdout.contains("7 cells not mapped:"), "{stdout}");
    assert!(!out.join("transfers").exists());
    assert_no_schema_errors(&out);
}

/// A European Excel's CSV: BOM, `;`, CRLF, a quoted cell with new lines,
/// the contact block above the header, UTF-8 names.
#[test]
fn the_ico_layout_as_a_semicolon_csv() {
    let (stdout, out) = import("ico-semicolon.csv");
    assert!(stdout.contains("imported 2 rows"), "{stdout}");
    assert!(stdout.contains("every cell was mapped"), "{stdout}");
    let org = toml_of(&out.join("organisation.toml"));
    assert_eq!(org["name"].as_str(), Some("Bäckerei Müller GmbH"));
    assert_eq!(org["country"].as_str(), Some("DE"));
    assert_eq!(org["dpo"]["name"].as_str(), Some("Jana Novák"));
    assert!(org.get("representative").is_none());
    let shop = toml_of(&out.join("activities/online-shop-orders.toml"));
    assert_eq!(shop["owner"].as_str(), Some("Vertrieb"));
    assert_eq!(strs(&shop["legal_bases"]), ["contract"]);
    assert_eq!(
        strs(&shop["data_categories"]),
        ["name", "delivery-address", "order-history"]
    );
    assert_eq!(strs(&shop["processors"]), ["swiss-hosting-ag"]);
    assert_eq!(strs(&shop["recipients"]), ["parcel-carriers"]);
    assert_eq!(strs(&shop["measures"]), ["tls", "daily-backups"]);
    let rule = &shop["retention"].as_array().unwrap()[0];
    assert_eq!(rule["period"].as_str(), Some("P10Y"));
    assert_eq!(rule["from"].as_str(), Some("the end of the calendar year"));
    let transfer = toml_of(&out.join("transfers/swiss-hosting-ag-ch.toml"));
    assert_eq!(transfer["country"].as_str(), Some("CH"));
    assert_eq!(transfer["mechanism"].as_str(), Some("adequacy"));
    assert!(transfer.get("safeguard").is_none());
    let sick = toml_of(&out.join("activities/sick-leave.toml"));
    assert_eq!(
        sick["special_category_condition"].as_str(),
        Some("employment")
    );
    let note = sick["note"].as_str().unwrap();
    assert!(
        note.contains("'Art. 9(2)(b) employment' (ico-semicolon.csv!M8)"),
        "{note}"
    );
    let rule = &sick["retention"].as_array().unwrap()[0];
    assert_eq!(rule["period"].as_str(), Some("P3Y"));
    assert!(rule.get("from").is_none());
    assert_no_schema_errors(&out);
}

/// The ICO layout as LibreOffice writes it (odfpy): a date cell and a
/// number cell.
#[test]
fn the_ico_layout_as_an_ods() {
    let (stdout, out) = import("ico-controller.ods");
    assert!(stdout.contains("imported 2 rows"), "{stdout}");
    let org = toml_of(&out.join("organisation.toml"));
    assert_eq!(org["name"].as_str(), Some("Harbour Lane Bakery Ltd"));
    assert_eq!(org["country"].as_str(), Some("GB"));
    let access = toml_of(&out.join("activities/building-access-control.toml"));
    assert_eq!(access["owner"].as_str(), Some("Facilities"));
    assert_eq!(strs(&access["data_subjects"]), ["employees", "visitors"]);
    assert_eq!(
        strs(&access["data_categories"]),
        ["name", "badge-number", "entry-times"]
    );
    assert_eq!(
        access["dpia"]["completed"]
            .as_datetime()
            .map(|d| d.to_string()),
        Some("2024-03-01".into())
    );
    let rule = &access["retention"].as_array().unwrap()[0];
    assert_eq!(rule["period"].as_str(), Some("P90D"));
    // "30" alone has no unit: kept as words for a person, not a period.
    let cctv = toml_of(&out.join("activities/cctv.toml"));
    let rule = &cctv["retention"].as_array().unwrap()[0];
    assert!(rule.get("period").is_none());
    assert!(
        rule["note"]
            .as_str()
            .unwrap()
            .contains("'30' (Controller!J10)"),
        "{cctv:?}"
    );
    assert_no_schema_errors(&out);
}

/// The later fides Data map report, exported as CSV: its default column
/// names, booleans as `true`/`false`, data uses and categories as fides
/// keys, the older and newer fideslang labels of the bases.
#[test]
fn a_fides_data_map_report() {
    let dir =
        std::env::temp_dir().join(format!("ropa-import-layouts-{}-report", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("report.csv");
    std::fs::write(
        &file,
        "System,Data use,Data categories,Data subject,Declaration name,Legal basis for processing,Special category legal basis,Responsibility,Does international transfers,Legal basis for transfers,Retention period,Destination\n\
         Zendesk,essential.service.operations.support,user.contact.email,customer,Customer support tickets,Legitimate interests,,Controller,true,SCCs,2 years,analytics_db\n\
         Zendesk,essential.service.operations.support,user.contact.phone_number,customer,Customer support tickets,Legitimate interests,,Controller,true,SCCs,2 years,analytics_db\n\
         Clinic App,provide.service,user.health_and_medical,patient,Appointments,Contract,Medical,\"Controller, Processor\",true,,N/A,\n\
         Clinic App,functional.storage,user.contact.email,patient,,Legal obligations,,Processor,false,,N/A,\n",
    )
    .unwrap();
    let out = dir.join("registry");
    let run = run_in(
        &manifest_dir(),
        &[
            "import",
            "ico",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    run.assert_exit(0);
    let stdout = &run.stdout;
    assert!(stdout.contains("imported 4 rows"), "{stdout}");
    assert!(stdout.contains("  3 activities\n"), "{stdout}");
    // Two rows, one per data category: one activity named for its
    // declaration; one retention rule (the same cell twice).
    let support = toml_of(&out.join("activities/customer-support-tickets.toml"));
    assert_eq!(
        strs(&support["purposes"]),
        ["Essential for Operations Support"]
    );
    assert_eq!(
        strs(&support["data_categories"]),
        ["user-contact-email", "user-contact-phone-number"]
    );
    assert_eq!(strs(&support["systems"]), ["Zendesk"]);
    let rules = support["retention"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["period"].as_str(), Some("P2Y"));
    assert!(rules[0].get("data_categories").is_none());
    let appointments = toml_of(&out.join("activities/appointments.toml"));
    assert_eq!(
        appointments["special_category_condition"].as_str(),
        Some("health-care")
    );
    assert!(appointments.get("role").is_none());
    // Its fides key marks the category as Art. 9 data.
    let cats = toml_of(&out.join("categories.toml"));
    let (_, health) = cats["data_categories"]
        .as_table()
        .unwrap()
        .iter()
        .find(|(_, c)| {
            c["note"]
                .as_str()
                .is_some_and(|n| n.contains("`user.health_and_medical`"))
        })
        .expect("the health category");
    assert_eq!(health["special"].as_bool(), Some(true), "{health:?}");
    assert!(
        health["note"]
            .as_str()
            .unwrap()
            .contains("Marked special (Art. 9(1)) because of its fides key."),
        "{health:?}"
    );
    let storage = toml_of(&out.join("activities/local-data-storage-clinic-app.toml"));
    assert_eq!(storage["role"].as_str(), Some("processor"));
    assert_eq!(strs(&storage["legal_bases"]), ["legal-obligation"]);
    // A mechanism without its country and recipient, two roles, transfers
    // said but not named, a column with no registry key: reported once
    // each, at the first row.
    assert!(
        stdout.contains("report.csv!J2: 'SCCs': names the mechanism (Standard contractual clauses (Art. 46(2)(c))) but not the country and the recipient it covers"),
        "{stdout}"
    );
    assert!(!stdout.contains("report.csv!J3"), "{stdout}");
    assert!(
        stdout.contains("report.csv!H4: 'Controller, Processor': names two roles"),
        "{stdout}"
    );
    assert!(
        stdout.contains("report.csv!I4: 'true': says data goes outside the EEA, but the row names no country and no safeguard"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("report.csv!L2: 'analytics_db': column `Destination` is not one ropa reads"),
        "{stdout}"
    );
    assert!(stdout.contains("4 cells not mapped:"), "{stdout}");
    // The report has no Organization block: written as a person would.
    assert!(!out.join("organisation.toml").exists());
    std::fs::write(
        out.join("organisation.toml"),
        "name = \"Clinic Ltd\"\ncountry = \"NL\"\n",
    )
    .unwrap();
    assert_no_schema_errors(&out);
    let _ = std::fs::remove_dir_all(&dir);
}
