//! The one place ADMX names and ids are made. The ADMX emitter, the ADML emitter
//! and the Intune emitter (`<data id="...">` in OMA-URI payloads, and the
//! `{AppName}~Policy~{category path}/{policy name}` URI) all call these, so a
//! policy name, element id or presentation id can never differ between files.
//!
//! Every name is ASCII letters, digits and `_`: the schema's `itemName` and
//! `resourceID` types allow `[\p{L}\p{N}_]+` (BaseTypes.xsd), and Intune builds
//! OMA-URI paths from category and policy names, where plain ASCII is the safe subset
//! (win32-and-centennial-app-policy-configuration: "URI format for configuring an app policy").

use crate::reg::Hive;

/// `lna-allowed-origins` -> `LnaAllowedOrigins`; `ZoneMap\Domains` -> `ZoneMapDomains`;
/// `TrustedCertificateIssuers (Group Policy)` -> `TrustedCertificateIssuersGroupPolicy`.
/// Non-ASCII letters are dropped, so the result may be empty; callers give a fallback.
pub fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().unwrap().to_ascii_uppercase();
            std::iter::once(first).chain(cs).collect::<String>()
        })
        .collect()
}

fn or_fallback(s: String, fallback: &str) -> String {
    if s.is_empty() {
        fallback.to_string()
    } else {
        s
    }
}

/// The ADMX target namespace, stable for a bundle name: `Policyc.NhsCredentialManagement`.
/// GPMC loads one ADMX per namespace from a store, so two bundles must not share one
/// (MS-GPREG 3.1.5.2: a file whose target namespace was already loaded is ignored).
pub fn target_namespace(bundle_name: &str) -> String {
    format!("Policyc.{}", or_fallback(pascal(bundle_name), "Bundle"))
}

/// The target prefix (an `itemName`): `policyc_nhs_credential_management`.
pub fn target_prefix(bundle_name: &str) -> String {
    let tail: String = bundle_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("policyc_{tail}")
}

/// ADMX/ADML `revision` and `resources minRequiredRevision` from the bundle version:
/// the first two parts, `1.2.3` -> `1.2`, `4` -> `4.0`. The schema's `versionString` is
/// `[0-9]{1,4}\.[0-9]{1,5}` (BaseTypes.xsd), so a first part above 9999 has no revision.
/// The ADMX, both ADMLs and `minRequiredRevision` all carry this one value, so GPMC
/// never pairs an ADMX with an older ADML of the same bundle.
pub fn revision(version: &str) -> Result<String, String> {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or("");
    let minor = parts.next().unwrap_or("0");
    let num = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    match (num(major), num(minor)) {
        (Some(a), Some(b)) if a <= 9999 && b <= 99999 => Ok(format!("{a}.{b}")),
        _ => Err(format!(
            "bundle version `{version}` has no ADMX revision: the schema allows at most 4 digits before the dot and 5 after (`[0-9]{{1,4}}\\.[0-9]{{1,5}}`)"
        )),
    }
}

/// `Machine` or `User`, the policy `class` for a hive.
pub fn class(hive: Hive) -> &'static str {
    match hive {
        Hive::Hklm => "Machine",
        Hive::Hkcu => "User",
    }
}

/// The policy `name`: setting, product, vendor location and class, e.g.
/// `LnaAllowedOrigins_Chrome_LocalNetworkAccessAllowedForUrls_Machine`. A spec may hold
/// one setting twice only with different scopes, and a location name is unique within
/// its catalog entry, so the four parts identify one policy. It is also the Intune
/// `{PolicyName}` in `./Device/Vendor/MSFT/Policy/Config/{Area}/{PolicyName}`.
pub fn policy_name(setting: &str, product: &str, location: &str, hive: Hive) -> String {
    format!(
        "{}_{}_{}_{}",
        or_fallback(pascal(setting), "Setting"),
        or_fallback(pascal(product), "Product"),
        or_fallback(pascal(location), "Location"),
        class(hive)
    )
}

/// What a policy element is for; its id is the policy name plus a role suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    /// The `list` element of a list policy (Chromium numbered list, Site to Zone list).
    List,
    /// The n-th (from 1) `text` element carrying a string longer than the schema's fixed
    /// `string` allows.
    Text(usize),
}

/// The element `id`: also the ADML presentation control's `refId` and the Intune `<data id>`.
pub fn element_id(policy: &str, e: Element) -> String {
    match e {
        Element::List => format!("{policy}_List"),
        Element::Text(1) => format!("{policy}_Text"),
        Element::Text(n) => format!("{policy}_Text{n}"),
    }
}

/// The ADML presentation id of a policy (`$(presentation.X)`).
pub fn presentation_id(policy: &str) -> String {
    policy.to_string()
}

/// The ADML string id of a policy's display name (`$(string.X)`).
pub fn display_string_id(policy: &str) -> String {
    policy.to_string()
}

/// The ADML string id of a policy's explain text.
pub fn explain_string_id(policy: &str) -> String {
    format!("{policy}_Explain")
}

/// Category names, root first: publisher, then bundle. The Intune area of a policy is
/// `{AppName}~Policy~{publisher}~{bundle}` (categories joined by `~` from the root).
/// A publisher and bundle with the same name (publisher "NHS Credential Management",
/// bundle `nhs-credential-management`) would give one category name twice (compared
/// case-insensitively, as Intune's paths are), which the schema's unique names forbid;
/// the bundle's category then takes a `_Bundle` suffix.
pub fn category_path(publisher: &str, bundle_name: &str) -> [String; 2] {
    let publisher = format!("Cat_{}", or_fallback(pascal(publisher), "Publisher"));
    let mut bundle = format!("Cat_{}", or_fallback(pascal(bundle_name), "Bundle"));
    if bundle.eq_ignore_ascii_case(&publisher) {
        bundle.push_str("_Bundle");
    }
    [publisher, bundle]
}

/// The ADML string id of a category's display name.
pub fn category_string_id(category: &str) -> String {
    category.to_string()
}

/// A `supportedOn` definition name for a product and an optional version range as the
/// catalog writes it (`139-`, `140-145`, `-3.13.5.0`).
pub fn supported_name(product: &str, range: Option<&str>) -> String {
    let p = or_fallback(pascal(product), "Product");
    match range {
        None => format!("SUPPORTED_{p}"),
        Some(r) => {
            let (lo, hi) = r.split_once('-').unwrap_or((r, ""));
            let v = |s: &str| s.replace('.', "_");
            match (lo.is_empty(), hi.is_empty()) {
                (false, true) => format!("SUPPORTED_{p}_{}_OrLater", v(lo)),
                (true, false) => format!("SUPPORTED_{p}_UpTo_{}", v(hi)),
                _ => format!("SUPPORTED_{p}_{}_To_{}", v(lo), v(hi)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publisher_and_bundle_categories_never_collide() {
        let [p, b] = category_path("NHS Credential Management", "nhs-credential-management");
        assert_ne!(p, b);
        assert_eq!(b, "Cat_NhsCredentialManagement_Bundle");
        let [p, b] = category_path("Example NHS Trust", "nhs-credential-management");
        assert_eq!(
            (p.as_str(), b.as_str()),
            ("Cat_ExampleNHSTrust", "Cat_NhsCredentialManagement")
        );
    }

    #[test]
    fn names_are_item_names() {
        assert_eq!(pascal("lna-allowed-origins"), "LnaAllowedOrigins");
        assert_eq!(pascal("ZoneMap\\Domains"), "ZoneMapDomains");
        assert_eq!(
            pascal("TrustedCertificateIssuers (Group Policy)"),
            "TrustedCertificateIssuersGroupPolicy"
        );
        assert_eq!(pascal("Trust <&> ü"), "Trust");
        assert_eq!(
            target_namespace("nhs-credential-management"),
            "Policyc.NhsCredentialManagement"
        );
        assert_eq!(
            target_prefix("nhs-credential-management"),
            "policyc_nhs_credential_management"
        );
        assert_eq!(
            category_path("Example NHS Trust", "nhs-x"),
            ["Cat_ExampleNHSTrust".to_string(), "Cat_NhsX".to_string()]
        );
        assert_eq!(category_path("ÉÉ", "x")[0], "Cat_Publisher");
        assert_eq!(
            policy_name(
                "lna-allowed-origins",
                "chrome",
                "LocalNetworkAccessAllowedForUrls",
                Hive::Hklm
            ),
            "LnaAllowedOrigins_Chrome_LocalNetworkAccessAllowedForUrls_Machine"
        );
        assert_eq!(element_id("P", Element::List), "P_List");
        assert_eq!(element_id("P", Element::Text(1)), "P_Text");
        assert_eq!(element_id("P", Element::Text(2)), "P_Text2");
        assert_eq!(
            supported_name("chrome", Some("139-")),
            "SUPPORTED_Chrome_139_OrLater"
        );
        assert_eq!(
            supported_name("edge", Some("140-145")),
            "SUPPORTED_Edge_140_To_145"
        );
        assert_eq!(
            supported_name("smartcard-connect", Some("-3.13.5.0")),
            "SUPPORTED_SmartcardConnect_UpTo_3_13_5_0"
        );
        assert_eq!(supported_name("windows", None), "SUPPORTED_Windows");
    }

    #[test]
    fn revision_takes_two_parts_within_the_schema_pattern() {
        assert_eq!(revision("1.0.0").unwrap(), "1.0");
        assert_eq!(revision("4").unwrap(), "4.0");
        assert_eq!(revision("2.65535.1.1").unwrap(), "2.65535");
        assert_eq!(revision("9999.1").unwrap(), "9999.1");
        assert!(revision("10000.1").is_err());
    }
}
