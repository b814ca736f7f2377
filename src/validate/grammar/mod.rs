//! The consumers' own grammars, one module per consumer:
//!
//! - [`content_settings`]: Chromium content-settings patterns (`CookiesAllowedForUrls`, the Local
//!   Network Access lists, every `*ForUrls` content setting);
//! - [`scheme_host_port`]: Chromium scheme/host/port matcher rules as the proxy-bypass parser
//!   reads them (`AuthServerAllowlist`, `AuthNegotiateDelegateAllowlist`);
//! - [`zone_site`]: Windows Site to Zone Assignment List entries (Internet Explorer Zonemapping).
//!
//! Each parses what its consumer parses and says what the consumer does with the entry; the
//! validators in `validate::items` turn that into diagnostics. Public suffixes come from the
//! `psl` crate (Mozilla's Public Suffix List, compiled in), never from a hand-written list.

pub mod content_settings;
pub mod scheme_host_port;
pub mod zone_site;

/// Whether `domain` is itself a public suffix on the Public Suffix List (`com`, `uk`, `co.uk`,
/// `nhs.uk`, `github.io`): a wildcard over it covers sites run by unrelated owners. A name the
/// list does not know (its implicit `*` rule, e.g. `localhost`, `corp`) is not one.
pub fn is_public_suffix(domain: &str) -> bool {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty() {
        return false;
    }
    psl::suffix(d.as_bytes()).is_some_and(|s| s.is_known() && s.as_bytes() == d.as_bytes())
}

/// The registrable domain of `host` (`example-trust.nhs.uk` for `www.example-trust.nhs.uk`),
/// when the list knows its suffix.
pub fn registrable_domain(host: &str) -> Option<String> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    let d = psl::domain(h.as_bytes())?;
    if !d.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(d.as_bytes()).ok().map(str::to_string)
}

/// A loopback host as Chromium's `net::IsLocalhost` sees it: `localhost`, `*.localhost`,
/// 127.0.0.0/8 and `[::1]`.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h == "localhost" || h.ends_with(".localhost") {
        return true;
    }
    if let Ok(ip) = h.parse::<std::net::Ipv4Addr>() {
        return ip.is_loopback();
    }
    h.strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .and_then(|x| x.parse::<std::net::Ipv6Addr>().ok())
        .is_some_and(|ip| ip.is_loopback())
}

/// One DNS label as browsers and Windows accept it in these lists: letters (any script: the
/// browser converts them to punycode), digits, `-` and `_`, not starting or ending with `-`.
pub(crate) fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        && !l.starts_with('-')
        && !l.ends_with('-')
}

/// A host name: dot-separated labels (one trailing dot allowed), not all digits.
pub(crate) fn valid_domain(d: &str) -> bool {
    let d = d.strip_suffix('.').unwrap_or(d);
    !d.is_empty()
        && d.len() <= 253
        && d.split('.').all(valid_label)
        && !d.chars().all(|c| c.is_ascii_digit() || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Public Suffix List entries (publicsuffix.org list, ICANN and private sections).
    #[test]
    fn public_suffixes_come_from_the_list() {
        for ps in [
            "com",
            "uk",
            "co.uk",
            "nhs.uk",
            "ac.uk",
            "gov.uk",
            "github.io",
            "NHS.UK.",
        ] {
            assert!(is_public_suffix(ps), "{ps}");
        }
        for not in [
            "example.com",
            "example-trust.nhs.uk",
            "nhs.net",
            "localhost",
            "corp",
            "",
        ] {
            assert!(!is_public_suffix(not), "{not}");
        }
        assert_eq!(
            registrable_domain("www.example-trust.nhs.uk").as_deref(),
            Some("example-trust.nhs.uk")
        );
        assert_eq!(registrable_domain("nhs.uk"), None);
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST",
            "a.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in ["localhost.nhs.uk", "128.0.0.1", "[::2]", "example.com"] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }
}
