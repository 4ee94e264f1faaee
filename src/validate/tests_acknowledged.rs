//! Cases for acknowledged warnings (contract 1.1): each fires on a realistic registry, and a near
//! miss stays quiet. Read by `tests::every_rule_fires_and_passes`.

use super::tests::{ACTIVITY, Case, HOST, case};

/// The base registry's processor without its Art. 28 contract: `dpa-missing`.
fn host_without_dpa() -> String {
    HOST.replace("dpa_signed = 2025-01-01\n", "")
}

fn ack(code: &str, until: Option<&str>) -> String {
    let until = until.map_or(String::new(), |u| format!("until = {u}\n"));
    format!(
        "\n[[acknowledged]]\ncode = \"{code}\"\nreason = \"The DPA is the provider's online terms, accepted 2024; no signature date exists.\"\n{until}"
    )
}

pub(super) fn cases() -> Vec<Case> {
    let unsigned = host_without_dpa();
    let accepted = format!("{unsigned}{}", ack("dpa-missing", None));
    vec![
        // The processor has its signed contract now: the acknowledgement accepts nothing.
        case(
            "acknowledgement-unused",
            &[(
                "processors/host.toml",
                &format!("{HOST}{}", ack("dpa-missing", None)),
            )],
            &[("processors/host.toml", &accepted)],
        ),
        // `dpa-missing` is reported in the processor's file, not the activity's.
        case(
            "acknowledgement-unused",
            &[
                ("processors/host.toml", &unsigned),
                (
                    "activities/accounts.toml",
                    &format!("{ACTIVITY}{}", ack("dpa-missing", None)),
                ),
            ],
            &[("processors/host.toml", &accepted)],
        ),
        // As of 2026-11-24: accepted until the day before, not until the day itself.
        case(
            "acknowledgement-expired",
            &[(
                "processors/host.toml",
                &format!("{unsigned}{}", ack("dpa-missing", Some("2026-11-23"))),
            )],
            &[(
                "processors/host.toml",
                &format!("{unsigned}{}", ack("dpa-missing", Some("2026-11-24"))),
            )],
        ),
        // Errors cannot be acknowledged, nor can unknown codes; a reason is required.
        case(
            "schema",
            &[(
                "processors/host.toml",
                &format!("{unsigned}{}", ack("dangling-reference", None)),
            )],
            &[("processors/host.toml", &accepted)],
        ),
        case(
            "schema",
            &[(
                "processors/host.toml",
                &format!("{unsigned}{}", ack("dpa-mising", None)),
            )],
            &[],
        ),
        case(
            "schema",
            &[(
                "processors/host.toml",
                &format!("{unsigned}\n[[acknowledged]]\ncode = \"dpa-missing\"\n"),
            )],
            &[],
        ),
        case(
            "schema",
            &[(
                "processors/host.toml",
                &format!("{unsigned}\n[[acknowledged]]\ncode = \"dpa-missing\"\nreason = \" \"\n"),
            )],
            &[],
        ),
        case(
            "schema",
            &[(
                "processors/host.toml",
                &format!("{unsigned}\n[[acknowledged]]\nreason = \"Accepted\"\n"),
            )],
            &[],
        ),
    ]
}
