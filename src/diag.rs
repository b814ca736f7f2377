//! Diagnostics: every problem policyc reports has a stable kebab-case code, a
//! message naming the exact key, a position (`file:line:col`) where known, the
//! spec path (`settings[3].value[1]`) and a hint saying what to do.

use serde::Serialize;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Information the build reports, such as a setting left out and why.
    Note,
}

/// One row of the code table: the code, its default severity and a one-line description.
pub struct Code {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! codes {
    ($($name:ident = $code:literal, $sev:ident, $summary:literal;)*) => {
        $(pub const $name: &str = $code;)*
        /// Every diagnostic code policyc can emit, in one table (`policyc explain`).
        pub const CODES: &[Code] = &[$(Code { code: $code, severity: Severity::$sev, summary: $summary },)*];
    };
}

codes! {
    IO_ERROR = "io-error", Error, "a file could not be read or written";
    INVALID_ENCODING = "invalid-encoding", Error, "the spec is not UTF-8 text";
    YAML_SYNTAX = "yaml-syntax", Error, "the spec is not well-formed YAML";
    YAML_LIMIT = "yaml-limit", Error, "the spec nests deeper or expands aliases further than the YAML reader allows (runaway nesting or an alias bomb)";
    UNKNOWN_KEY = "unknown-key", Error, "a key the spec format does not define (often a typo)";
    MISSING_KEY = "missing-key", Error, "a required key is absent";
    WRONG_TYPE = "wrong-type", Error, "a value has the wrong YAML type for its key or setting";
    UNSUPPORTED_FORMAT = "unsupported-format", Error, "the spec's `policyc:` format version is not one this policyc reads";
    INVALID_NAME = "invalid-name", Error, "the bundle name is not a lowercase file-safe slug";
    INVALID_VERSION = "invalid-version", Error, "the bundle version is not dotted numbers (1 to 4 parts)";
    CONTROL_CHARACTER = "control-character", Error, "a string holds a character the output formats cannot carry safely (newline, tab, NUL and other control characters; U+FFFE/U+FFFF, which XML forbids)";
    UNKNOWN_SETTING = "unknown-setting", Error, "a setting id that is not in the catalog";
    UNKNOWN_PRODUCT = "unknown-product", Error, "a product that policyc does not know";
    NO_PRODUCTS = "no-products", Error, "a browser setting is used but no browser product is selected";
    PRODUCT_NOT_APPLICABLE = "product-not-applicable", Error, "a setting names a product it cannot be written for";
    PRODUCT_NOT_LISTED = "product-not-listed", Warning, "a vendor policy of a browser the spec's `products:` does not list (written anyway)";
    SCOPE_NOT_SUPPORTED = "scope-not-supported", Error, "the setting cannot be applied in the requested scope (machine/user)";
    FORM_NOT_SUPPORTED = "form-not-supported", Error, "the setting has no registry form of that kind (policy/preference)";
    VALUE_OUT_OF_RANGE = "value-out-of-range", Error, "a number outside the values the setting accepts";
    EMPTY_LIST = "empty-list", Error, "a list setting with no entries";
    DUPLICATE_ITEM = "duplicate-item", Error, "the same entry appears twice in one list";
    DUPLICATE_SETTING = "duplicate-setting", Error, "the same setting appears twice for the same scope";
    CONFLICTING_SETTINGS = "conflicting-settings", Error, "two settings write the same registry value";
    INVALID_ORIGIN = "invalid-origin", Error, "an entry that is not a valid origin or URL pattern for this policy";
    PATH_IN_ORIGIN = "path-in-origin", Error, "an origin pattern with a path; the browser policy expects an origin only";
    INSECURE_ORIGIN = "insecure-origin", Error, "an http:// origin other than localhost in a Local Network Access allowlist";
    LIST_SEPARATOR_IN_ITEM = "list-separator-in-item", Error, "an entry contains the separator its comma-joined policy uses";
    WILDCARD_ALL_SITES = "wildcard-all-sites", Error, "a wildcard that opens the policy to every site (needs `acknowledge`)";
    UNKNOWN_ACKNOWLEDGEMENT = "unknown-acknowledgement", Error, "`acknowledge` names a code that cannot be acknowledged";
    UNUSED_ACKNOWLEDGEMENT = "unused-acknowledgement", Warning, "`acknowledge` names a code the setting does not trigger";
    INVALID_ISSUER = "invalid-issuer", Error, "an entry that is not a certificate issuer name (CN=..., OU=..., O=...)";
    INVALID_ZONE_SITE = "invalid-zone-site", Error, "an entry that is not a site the Site to Zone Assignment List accepts";
    PUBLIC_SUFFIX_WILDCARD = "public-suffix-wildcard", Error, "a wildcard over a public suffix ([*.]nhs.uk, *.co.uk) in any list: every site registered under it, whoever runs it (needs `acknowledge`)";
    LNA_LOOPBACK_ORIGIN = "lna-loopback-origin", Error, "a loopback origin (http://localhost:8182) in a Local Network Access allowlist, which takes the calling page's origin; a loopback page is never restricted, so the entry does nothing";
    AUTH_ALLOWLIST_LOOPBACK_ONLY = "auth-allowlist-loopback-only", Error, "AuthServerAllowlist holds only loopback: once it is set, Chrome and Edge stop using Windows zones for integrated sign-in, so the Trust's intranet servers lose it (needs the Trust's servers or `acknowledge`)";
    UNKNOWN_CLIENT = "unknown-client", Error, "`clients` names a client policyc does not know, or a version that is not dotted numbers";
    LEFT_OUT = "left-out", Note, "a setting or one of its policies was left out for the spec's client or browser versions (with the reason)";
    DRIFT_MISSING = "drift-missing", Error, "verify: a value the spec requires is absent from the export";
    DRIFT_WRONG_VALUE = "drift-wrong-value", Error, "verify: a value has other data than the spec requires";
    DRIFT_WRONG_TYPE = "drift-wrong-type", Error, "verify: a value has another registry type than the spec requires";
    DRIFT_EXTRA = "drift-extra", Error, "verify: a list key the spec replaces holds an entry the spec does not list";
    DRIFT_NOT_COVERED = "drift-not-covered", Error, "verify: no export given includes a key the spec writes";
    URL_BLOCKLIST_BLOCKS_LOCALHOST = "url-blocklist-blocks-localhost", Error, "verify: a Chrome/Edge URLBlocklist entry blocks http://localhost (Credential Management)";
    LNA_ORIGIN_BLOCKED = "lna-origin-blocked", Error, "verify: a Local Network Access blocked-list entry matches an origin the spec allows";
    THIRD_PARTY_COOKIES_BLOCKED = "third-party-cookies-blocked", Error, "verify: third-party (or all) cookies are blocked without an http://localhost exception";
    AUTH_ALLOWLIST_MISSING_LOCALHOST = "auth-allowlist-missing-localhost", Error, "verify: AuthServerAllowlist is set without http://localhost (NTLM prompt)";
    INTRANET_AUTO_DETECT_ON = "intranet-auto-detect-on", Error, "verify: automatic intranet detection is on, overriding the Local intranet options";
    ZONE_PREFERENCE_INACTIVE = "zone-preference-inactive", Error, "verify: a Site to Zone Assignment List policy applies, so Windows ignores the site-to-zone preference the spec writes (and the policy does not map the site to that zone)";
    ZONE_SETTINGS_MACHINE_ONLY = "zone-settings-machine-only", Error, "verify: Security_HKLM_only = 1 (\"Security Zones: Use only machine settings\"), so the per-user Internet Settings the spec writes are ignored";
    USER_POLICY_NOT_IN_REG = "user-policy-not-in-reg", Note, "per-user policy values (HKCU\\Software\\Policies) are left out of user.reg, which a standard user imports and cannot write them; the GPO User Registry.pol, the Intune ./User profile or apply.ps1 as SYSTEM deliver them";
    LIST_REPLACED = "list-replaced", Note, "the bundle replaces a list key wholesale (Chromium list policies): entries other GPOs or users set there are deleted";
    LIST_LOSES_ENTRIES = "list-loses-entries", Warning, "with --against: a list key the bundle replaces holds entries on the machine today that the spec does not list";
    USER_POLICY_OVERRIDDEN = "user-policy-overridden", Error, "verify: the same Chrome/Edge policy is set for the machine (HKLM) with other data, and machine policy wins over the user policy the spec writes";
    ADMX_UNREPRESENTABLE = "admx-unrepresentable", Error, "the spec holds something no ADMX/ADML file can carry (a character XML 1.0 forbids, a version with no ADMX revision)";
    ADMX_DUPLICATE_ID = "admx-duplicate-id", Error, "an ADMX/ADML name (policy, category, element, string, presentation) is defined twice";
    ADMX_UNRESOLVED_REFERENCE = "admx-unresolved-reference", Error, "an ADMX/ADML reference ($(string.X), $(presentation.X), refId, category, supportedOn) names nothing";
    ADMX_USING_NOT_SHIPPED = "admx-using-not-shipped", Warning, "the ADMX uses a namespace from another ADMX file that the bundle does not ship";
    ADMX_LONG_STRING = "admx-long-string", Note, "a value longer than an ADMX fixed string allows (255) is carried as a pre-filled text box";
    INTUNE_INGESTION_BLOCKED_PATH = "intune-ingestion-blocked-path", Note, "an ADMX policy writes where Intune refuses ingested ADMX (System, Software\\Microsoft, Software\\Policies\\Microsoft); the hint names the route that works";
    INTUNE_NO_ROUTE = "intune-no-route", Note, "a setting has no Intune MDM route (no Policy CSP, ingestion refused or not a policy value); the Intune profile leaves it out and the PowerShell remediation delivers it";
    INTUNE_UNREPRESENTABLE = "intune-unrepresentable", Error, "a list entry holds U+F000, the separator of Intune OMA-URI list payloads";
    INTUNE_VENDOR_ADMX = "intune-vendor-admx", Note, "the Intune profile sets a product's policies through the vendor's own ADMX, which must be ingested (or built in) first";
    INTUNE_DEFINITIONS = "intune-definitions", Error, "the Intune setting definitions file (--intune-definitions, intune_definitions:) cannot be read or is not a Graph configurationSettings list";
    INTUNE_SETTINGS_CATALOG = "intune-settings-catalog", Note, "a value is delivered by the Intune Settings Catalog profile (intune/settings-catalog/), not the custom OMA-URI profile";
    INTUNE_CUSTOM_PROFILE = "intune-custom-profile", Note, "a value is delivered by the custom OMA-URI profile (intune/<scope>.json): its policy has no Settings Catalog definition, or the spec chose `intune_profile: custom`";
    INTUNE_DEFINITION_MISMATCH = "intune-definition-mismatch", Error, "a value does not fit Intune's Settings Catalog definition of its policy (option, value type, length or number of entries)";
    OUTPUT_PATH = "output-path", Error, "the output path is unusable (a file, or a folder policyc did not write)";
    BUNDLE_OUT_OF_DATE = "bundle-out-of-date", Error, "build --check: a bundle file is missing, differs from what the spec compiles to, or is one the spec does not write";
    OLD_BUNDLE_LEFT = "old-bundle-left", Warning, "the new bundle is in place, but the previous one, moved aside beside it, could not be deleted";
    REG_LINE_SKIPPED = "reg-line-skipped", Warning, "a .reg line Windows' import skips (malformed, or no open key); the rest of the file is read";
    REG_OTHER_ROOT = "reg-other-root", Warning, "a .reg export holds keys under HKEY_USERS (or another root) that verify and import do not read as HKEY_LOCAL_MACHINE or HKEY_CURRENT_USER";
    POL_RECORD_MISFIT = "pol-record-misfit", Warning, "a Registry.pol record whose data does not fit its type (or a type policyc does not model); kept as the bytes Windows stores";
    CONVERT_LOSS = "convert-loss", Warning, "convert: the target format cannot hold something the input says; the message names what is left out";
    ADMX_UNREADABLE = "admx-unreadable", Warning, "a file of the central store (`--templates`) could not be read; the rest of the store was";
    TEMPLATES_REQUIRED = "templates-required", Error, "a `policy:` setting is used but no central store is given (`templates:` in the spec or `--templates`)";
    UNKNOWN_POLICY = "unknown-policy", Error, "`policy:` names no policy of the central store (NAMESPACE:NAME, the ADMX target namespace and the policy's name)";
    INVALID_ELEMENT_VALUE = "invalid-element-value", Error, "a vendor policy's value does not fit its ADMX definition (element kind, length, enum item, required element, a value for a policy without elements)";
}

/// How to fix each code, for `policyc explain` and SARIF rule descriptions.
const FIXES: &[(&str, &str)] = &[
    ("io-error", "check the path exists and is readable/writable, and that the disk has space"),
    ("invalid-encoding", "save the spec as UTF-8 (a BOM is allowed)"),
    ("yaml-syntax", "fix the YAML at the position shown: indentation, an unclosed quote, a missing colon"),
    ("yaml-limit", "flatten the nesting, or write the values out instead of repeating anchors (*alias) of anchors"),
    ("unknown-key", "correct the key's spelling (see the did-you-mean hint) or remove it"),
    ("missing-key", "add the key; the README's spec format lists the required keys"),
    ("wrong-type", "give the value the type shown in the message (true/false, a number, a list of strings...)"),
    ("unsupported-format", "set `policyc: 1`"),
    ("invalid-name", "use 1-64 lowercase letters, digits and single hyphens"),
    ("invalid-version", "use 1 to 4 dot-separated numbers, e.g. 1.0.0"),
    ("control-character", "remove line breaks, tabs and other control characters from the string"),
    ("unknown-setting", "use an id from `policyc catalog` (see the did-you-mean hint)"),
    ("unknown-product", "use chrome or edge"),
    ("no-products", "add `products: [chrome, edge]` (or the browsers you manage) to the spec"),
    ("product-not-applicable", "remove the product from the setting's `products`, or `products` from a non-browser setting"),
    ("scope-not-supported", "use a scope the setting supports (see `policyc catalog`)"),
    ("form-not-supported", "choose another `form` or scope; `policyc catalog` lists the setting's registry forms"),
    ("value-out-of-range", "use a value in the range the message gives"),
    ("empty-list", "add entries, or remove the setting"),
    ("duplicate-item", "remove the repeated entry"),
    ("duplicate-setting", "merge the two entries, or give them different scopes"),
    ("conflicting-settings", "keep only one of the settings that write this value"),
    ("invalid-origin", "write an origin or URL pattern such as https://example-trust.nhs.uk or https://[*.]example-trust.nhs.uk; for auth-server-allowlist a host such as server.example-trust.nhs.uk or *.example-trust.nhs.uk"),
    ("path-in-origin", "drop the path and list the origin (scheme://host[:port])"),
    ("insecure-origin", "use https://, or acknowledge `insecure-origin` on the setting if plain http is really needed"),
    ("list-separator-in-item", "write each entry as its own list item"),
    ("wildcard-all-sites", "list the exact sites, or acknowledge `wildcard-all-sites` on the setting"),
    ("unknown-acknowledgement", "acknowledge only wildcard-all-sites, insecure-origin, public-suffix-wildcard or auth-allowlist-loopback-only"),
    ("unused-acknowledgement", "remove the acknowledgement the setting does not need"),
    ("invalid-issuer", "write the issuer as NHS publishes it, e.g. CN=NHS Level 1C, OU=CA, O=nhs"),
    ("invalid-zone-site", "write a host with an optional protocol (http://localhost, *.example-trust.nhs.uk) or an IPv4 address/range (192.168.0.1-50), no port or path, no wildcard over a top-level domain"),
    ("public-suffix-wildcard", "list the Trust's own hosts or a wildcard over its registrable domain ([*.]example-trust.nhs.uk), or acknowledge `public-suffix-wildcard` on the setting"),
    ("lna-loopback-origin", "list the origin of the web page that calls the local service (the NHS application's https:// origin), not the loopback address it calls"),
    ("auth-allowlist-loopback-only", "add the Trust's intranet servers that use Windows sign-in (server.example-trust.nhs.uk, *.example-trust.nhs.uk) to auth-server-allowlist, or acknowledge `auth-allowlist-loopback-only` if none needs it"),
    ("unknown-client", "use a known client (smartcard-connect) and a dotted version such as \"3.13\""),
    ("left-out", "nothing to fix: the setting or policy is not needed for the versions the spec names; change `clients` or `min_browser_version` to include it"),
    ("drift-missing", "deploy the bundle to the machine (GPO, Intune or the apply script), then export again"),
    ("drift-wrong-value", "find what else sets this value (another GPO, a script) and redeploy the bundle"),
    ("drift-wrong-type", "delete the value and redeploy the bundle so it is written with the right type"),
    ("drift-extra", "remove the entry (or redeploy: the bundle replaces the whole list)"),
    ("drift-not-covered", "export the key named (or a parent) with `reg export` and verify again"),
    ("url-blocklist-blocks-localhost", "remove the entry from URLBlocklist, or add http://localhost to URLAllowlist"),
    ("lna-origin-blocked", "remove the entry from the blocked list"),
    ("third-party-cookies-blocked", "add http://localhost to CookiesAllowedForUrls (setting cookies-allowed-for-urls)"),
    ("auth-allowlist-missing-localhost", "add http://localhost to AuthServerAllowlist (setting auth-server-allowlist)"),
    ("intranet-auto-detect-on", "set AutoDetect to 0 (setting intranet-auto-detect: false)"),
    ("zone-preference-inactive", "add the site with its zone to the Site to Zone Assignment List policy that applies (or use `form: policy` in the spec and deliver it by GPO), instead of relying on the preference"),
    ("zone-settings-machine-only", "write these settings with `scope: machine`, or have Security_HKLM_only turned off"),
    ("user-policy-not-in-reg", "nothing to fix: deploy the setting with Group Policy (User Configuration), the Intune ./User profile, or powershell/apply.ps1 run as SYSTEM, not with user.reg"),
    ("list-replaced", "nothing to fix if the spec's list is complete; otherwise carry the entries you need into the spec (`policyc import EXPORT`, `build --against EXPORT`)"),
    ("list-loses-entries", "add the entries you still need to the setting's value, or accept that the bundle removes them"),
    ("user-policy-overridden", "set the value in the machine policy that wins (or remove it there), or give the setting `scope: machine`"),
    ("admx-unrepresentable", "change the value the message names so XML 1.0 can carry it"),
    ("admx-duplicate-id", "this is a policyc bug: report it with the spec"),
    ("admx-unresolved-reference", "this is a policyc bug: report it with the spec"),
    ("admx-using-not-shipped", "ship the named ADMX with the bundle's, or ingest it first in Intune"),
    ("admx-long-string", "nothing to fix: the value is kept as a pre-filled text box"),
    ("intune-ingestion-blocked-path", "deliver this setting through the route the hint names (built-in Policy CSP or the PowerShell remediation)"),
    ("intune-no-route", "nothing to fix in the spec: deploy powershell/detect.ps1 and remediate.ps1 as an Intune Remediation with the intune/*.json profiles"),
    ("intune-unrepresentable", "remove the U+F000 character from the entry"),
    ("intune-vendor-admx", "ingest the vendor's ADMX under the App name shown (or use Intune's built-in template) before assigning the profile"),
    ("intune-definitions", "give the JSON saved from GET /beta/deviceManagement/configurationSettings with every page merged into one `value` array (README: Intune Settings Catalog), or leave the option out to use the built-in snapshot"),
    ("intune-settings-catalog", "import intune/settings-catalog/*.json as Settings Catalog policies; set `intune_profile: custom` to keep every value in the custom OMA-URI profile"),
    ("intune-custom-profile", "import intune/<scope>.json as a custom configuration profile (with any vendor ADMX it names ingested first)"),
    ("intune-definition-mismatch", "change the value to fit the definition the message names, or set `intune_profile: custom` to deliver it by the custom OMA-URI profile"),
    ("output-path", "give --out a new folder, an empty folder, or a folder policyc built before"),
    ("bundle-out-of-date", "run the same `policyc build` without --check to rebuild the bundle (move out first any file the folder's manifest.json does not list: a build refuses to replace those)"),
    ("old-bundle-left", "delete the `.policyc-old-*` folder the message names (check who owns the files policyc could not remove); the new bundle needs nothing more"),
    ("product-not-listed", "add the browser to the spec's `products:`, or remove the `policy:` setting if the endpoints do not run that browser"),
    ("reg-other-root", "export the user's keys as HKEY_CURRENT_USER: run `reg export HKCU\\<key> file.reg` as that user (HKEY_USERS\\<SID> is another user's hive, so policyc does not guess whose it is)"),
    ("reg-line-skipped", "fix or remove the line named; Windows imports the file without it, so policyc reads it the same way"),
    ("pol-record-misfit", "rewrite the value with its right type and size (e.g. 4 bytes for REG_DWORD), or remove the record"),
    ("convert-loss", "keep the input file for what the message names, or convert to a format that holds it (Registry.pol holds every type)"),
    ("admx-unreadable", "fix the file at the line named (or remove it from the store); GPMC also refuses a template it cannot parse"),
    ("templates-required", "add `templates: PATH` to the spec (a PolicyDefinitions folder, relative to the spec's folder) or pass `--templates PATH`"),
    ("unknown-policy", "write NAMESPACE:NAME as `policyc catalog --templates DIR` lists it (see the did-you-mean hint), or add the vendor's ADMX and ADML to the store"),
    ("invalid-element-value", "give each element the kind of value its ADMX defines; `policyc catalog --templates DIR --policy NAMESPACE:NAME` shows the elements and their limits"),
];

/// The fix text for a code (empty when none is recorded).
pub fn fix(code: &str) -> &'static str {
    FIXES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, f)| f)
}

pub fn lookup(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The spec path, e.g. `settings[3].value[1]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        let severity = lookup(code).map_or(Severity::Error, |c| c.severity);
        Diagnostic {
            code,
            severity,
            message: message.into(),
            file: None,
            line: None,
            column: None,
            path: None,
            hint: None,
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A delivery note says how the bundle reaches machines (Intune routes, ADMX
    /// ingestion, lists replaced wholesale); it is the same on every check of a valid
    /// spec. `left-out` notes, which say what the spec's versions leave out of the
    /// bundle, are not delivery notes.
    pub fn is_delivery_note(&self) -> bool {
        self.severity == Severity::Note && self.code != LEFT_OUT
    }

    /// `error[code]: message` then `  --> file:line:col (path)` and `  = hint: ...`.
    pub fn render_human(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let mut s = format!("{sev}[{}]: {}", self.code, visible(&self.message));
        let mut loc = String::new();
        if let Some(f) = &self.file {
            loc.push_str(f);
            if let (Some(l), Some(c)) = (self.line, self.column) {
                let _ = write!(loc, ":{l}:{c}");
            }
        }
        if let Some(p) = &self.path {
            if loc.is_empty() {
                loc = p.clone();
            } else {
                let _ = write!(loc, " ({p})");
            }
        }
        if !loc.is_empty() {
            let _ = write!(s, "\n  --> {}", visible(&loc));
        }
        if let Some(h) = &self.hint {
            let _ = write!(s, "\n  = hint: {}", visible(h));
        }
        s
    }
}

/// Spec text quoted in a diagnostic with its control characters escaped (`\r`,
/// `\u{1b}`), so a hostile spec cannot fake extra diagnostic lines or send
/// terminal escape sequences through the human-readable output.
fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Suggest the closest candidate for a misspelt name (`did you mean ...?`).
pub fn did_you_mean<'a>(
    got: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&got.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "duplicate code {}", c.code);
            assert!(
                c.code
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '-'),
                "{} is not kebab-case",
                c.code
            );
            assert!(!c.summary.is_empty());
        }
    }

    #[test]
    fn every_code_has_a_fix_and_every_fix_a_code() {
        for c in CODES {
            assert!(!fix(c.code).is_empty(), "{} has no fix in FIXES", c.code);
        }
        for (code, _) in FIXES {
            assert!(lookup(code).is_some(), "FIXES names unknown code {code}");
        }
    }

    #[test]
    fn did_you_mean_finds_typos() {
        assert_eq!(
            did_you_mean("scop", ["id", "value", "scope"]),
            Some("scope")
        );
        assert_eq!(did_you_mean("zzz", ["id", "value", "scope"]), None);
    }
}
