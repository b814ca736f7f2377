//! Intune ADMX ingestion rules: where an ingested ADMX may not write, and the route
//! that does deliver a setting whose ADMX policy Intune would refuse.
//!
//! Source: Microsoft Learn, "Win32 and Desktop Bridge app ADMX policy Ingestion",
//! https://learn.microsoft.com/en-us/windows/client-management/win32-and-centennial-app-policy-configuration
//! (read 2026 from the stored Learn page and its source,
//! MicrosoftDocs/windows-itpro-docs `windows/client-management/win32-and-centennial-app-policy-configuration.md`
//! at commit 9a70ec2e92bd9006ebdceb6f0562b0474aef961c, `ms.date: 07/08/2024`):
//! "the ingested policies aren't allowed to write to locations within the **System**,
//! **Software\Microsoft**, and **Software\Policies\Microsoft** keys, except for the
//! following locations" (the list in [`ALLOWED`], copied in the page's order and
//! spelling), and "Settings that cannot be configured using custom policy ingestion
//! have to be set by pushing the appropriate registry keys directly (for example, by
//! using PowerShell script)."

/// The refused roots, relative to the hive (as ADMX `key` attributes are).
pub const BLOCKED_ROOTS: &[&str] = &[
    "System",
    "Software\\Microsoft",
    "Software\\Policies\\Microsoft",
];

/// The documented exceptions, verbatim from the Learn page (trailing `\` as written).
pub const ALLOWED: &[&str] = &[
    "Software\\Policies\\Microsoft\\Office\\",
    "Software\\Microsoft\\Office\\",
    "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\",
    "Software\\Microsoft\\Internet Explorer\\",
    "software\\policies\\microsoft\\shared tools\\proofing tools\\",
    "software\\policies\\microsoft\\imejp\\",
    "software\\policies\\microsoft\\ime\\shared\\",
    "software\\policies\\microsoft\\shared tools\\graphics filters\\",
    "software\\policies\\microsoft\\windows\\currentversion\\explorer\\",
    "software\\policies\\microsoft\\softwareprotectionplatform\\",
    "software\\policies\\microsoft\\officesoftwareprotectionplatform\\",
    "software\\policies\\microsoft\\windows\\windows search\\preferences\\",
    "software\\policies\\microsoft\\exchange\\",
    "software\\microsoft\\shared tools\\proofing tools\\",
    "software\\microsoft\\shared tools\\graphics filters\\",
    "software\\microsoft\\windows\\windows search\\preferences\\",
    "software\\microsoft\\exchange\\",
    "software\\policies\\microsoft\\vba\\security\\",
    "software\\microsoft\\onedrive",
    "software\\Microsoft\\Edge",
    "Software\\Microsoft\\EdgeUpdate\\",
];

/// `key` equals `root` or lies below it, compared case-insensitively by whole key
/// names (`Software\Microsoft\EdgeUpdate` is not within `software\Microsoft\Edge`;
/// the page's list mixes entries with and without a trailing `\`, and matching whole
/// names is the stricter reading).
fn within(key: &str, root: &str) -> bool {
    let k = key.trim_matches('\\').to_ascii_lowercase();
    let r = root.trim_matches('\\').to_ascii_lowercase();
    k == r || k.starts_with(&format!("{r}\\"))
}

/// The blocked root `key` falls under, unless an exception covers it.
pub fn blocked_root(key: &str) -> Option<&'static str> {
    let root = BLOCKED_ROOTS.iter().find(|r| within(key, r))?;
    (!ALLOWED.iter().any(|a| within(key, a))).then_some(*root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_roots_and_exceptions() {
        let zone =
            "SOFTWARE\\Policies\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap";
        assert_eq!(blocked_root(zone), Some("Software\\Policies\\Microsoft"));
        assert_eq!(
            blocked_root("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap\\Domains\\localhost"),
            Some("Software\\Microsoft")
        );
        assert_eq!(
            blocked_root("SYSTEM\\CurrentControlSet\\Control"),
            Some("System")
        );
        assert_eq!(
            blocked_root("SOFTWARE\\Policies\\Microsoft\\Edge"),
            Some("Software\\Policies\\Microsoft")
        );
        assert_eq!(
            blocked_root("SOFTWARE\\Policies\\Google\\Chrome\\CookiesAllowedForUrls"),
            None
        );
        assert_eq!(
            blocked_root("SOFTWARE\\Oberthur Technologies\\Minidriver\\PIVMinidriver"),
            None
        );
        assert_eq!(
            blocked_root("SOFTWARE\\Policies\\NHS\\SmartcardConnect"),
            None
        );
        assert_eq!(blocked_root("Software\\Microsoft\\Edge"), None);
        assert_eq!(blocked_root("Software\\Microsoft\\Edge\\Foo"), None);
        assert_eq!(
            blocked_root("Software\\Microsoft\\EdgeWebView"),
            Some("Software\\Microsoft")
        );
        assert_eq!(
            blocked_root("Software\\Microsoft\\Internet Explorer\\Main"),
            None
        );
        assert_eq!(
            blocked_root("Software\\Policies\\Microsoft\\Office\\16.0"),
            None
        );
        assert_eq!(blocked_root("Software\\MicrosoftX"), None);
        assert_eq!(blocked_root("SystemX\\A"), None);
    }
}
