//! Synthetic specs for the benchmark: `n` settings values spread over every
//! setting of the catalog.
//!
//! The catalog has ten setting ids and refuses the same id twice in one scope, so
//! a spec cannot grow by repeating settings. It grows the way a real one does: by
//! list entries and zone sites. Five settings are single values; the other
//! `n - 5` values are split evenly over the five list settings (Local Network
//! Access origins, cookie patterns, zone sites, authentication servers and
//! certificate issuers). Each list entry becomes one or more registry writes
//! (an LNA origin: 2 browsers x 2 policies = 4 numbered values; a cookie pattern:
//! 2; a zone site: 1; the comma/semicolon-joined lists stay 1 value per browser
//! or key, growing in length).

/// The most entries one Settings Catalog list instance takes (the Chrome and Edge Local
/// Network Access definitions' `maximumCount` in the built-in snapshot); a longer list is
/// an `intune-definition-mismatch` error there, so larger specs use the custom profile.
const SETTINGS_CATALOG_MAX_ENTRIES: usize = 1000;

/// A valid spec with `n` (at least 10) setting values.
pub fn spec(n: usize) -> String {
    assert!(
        n >= 10,
        "a synthetic spec has at least the 10 settings of the catalog"
    );
    let lists = n - 5;
    let per = lists / 5;
    let counts = [per + lists % 5, per, per, per, per];
    let profile = if counts[0] > SETTINGS_CATALOG_MAX_ENTRIES {
        "intune_profile: custom\n"
    } else {
        ""
    };
    let mut s = String::from(
        "policyc: 1\nbundle:\n  name: synthetic\n  display_name: Synthetic benchmark spec\n  \
         version: 1.0.0\n  publisher: policyc benchmark\nproducts: [chrome, edge]\n\
         min_browser_version: 140\nclients:\n  smartcard-connect: \"3.13\"\nsettings:\n  \
         - id: intranet-auto-detect\n    value: false\n  - id: intranet-include-local-sites\n    \
         value: true\n  - id: intranet-include-proxy-bypass\n    value: true\n  \
         - id: intranet-include-unc-paths\n    value: true\n  \
         - id: oberthur-enable-nhs-enrollment\n    value: 0\n",
    );
    s.insert_str(s.find("settings:").expect("settings"), profile);
    let list = |s: &mut String, id: &str, count: usize, item: &dyn Fn(usize) -> String| {
        s.push_str(&format!("  - id: {id}\n    value:\n"));
        for i in 0..count {
            s.push_str(&format!("      - {}\n", item(i)));
        }
    };
    list(&mut s, "lna-allowed-origins", counts[0], &|i| {
        format!("https://app{i}.example.nhs.uk")
    });
    list(&mut s, "cookies-allowed-for-urls", counts[1], &|i| {
        format!("https://c{i}.example.nhs.uk")
    });
    list(&mut s, "auth-server-allowlist", counts[2], &|i| {
        format!("a{i}.example.nhs.uk")
    });
    list(
        &mut s,
        "smartcard-connect-trusted-certificate-issuers",
        counts[3],
        &|i| format!("CN=Issuer {i}, OU=CA, O=nhs"),
    );
    s.push_str("  - id: intranet-zone-sites\n    value:\n");
    for i in 0..counts[4] {
        s.push_str(&format!(
            "      \"https://z{i}.example.nhs.uk\": intranet\n"
        ));
    }
    s
}
