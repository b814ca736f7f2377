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
    UNKNOWN_KEY = "unknown-key", Error, "a key the spec format does not define (often a typo)";
    MISSING_KEY = "missing-key", Error, "a required key is absent";
    WRONG_TYPE = "wrong-type", Error, "a value has the wrong YAML type for its key or setting";
    UNSUPPORTED_FORMAT = "unsupported-format", Error, "the spec's `policyc:` format version is not one this policyc reads";
    INVALID_NAME = "invalid-name", Error, "the bundle name is not a lowercase file-safe slug";
    INVALID_VERSION = "invalid-version", Error, "the bundle version is not dotted numbers (1 to 4 parts)";
    CONTROL_CHARACTER = "control-character", Error, "a string holds a control character (newline, tab, NUL...) that registry formats cannot carry safely";
    UNKNOWN_SETTING = "unknown-setting", Error, "a setting id that is not in the catalog";
    UNKNOWN_PRODUCT = "unknown-product", Error, "a product that policyc does not know";
    NO_PRODUCTS = "no-products", Error, "a browser setting is used but no browser product is selected";
    PRODUCT_NOT_APPLICABLE = "product-not-applicable", Error, "a setting names a product it cannot be written for";
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
    OUTPUT_PATH = "output-path", Error, "the output path is unusable (a file, or a folder policyc did not write)";
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

    /// `error[code]: message` then `  --> file:line:col (path)` and `  = hint: ...`.
    pub fn render_human(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let mut s = format!("{sev}[{}]: {}", self.code, self.message);
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
            let _ = write!(s, "\n  --> {loc}");
        }
        if let Some(h) = &self.hint {
            let _ = write!(s, "\n  = hint: {h}");
        }
        s
    }
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
    fn did_you_mean_finds_typos() {
        assert_eq!(
            did_you_mean("scop", ["id", "value", "scope"]),
            Some("scope")
        );
        assert_eq!(did_you_mean("zzz", ["id", "value", "scope"]), None);
    }
}
