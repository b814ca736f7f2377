//! Syntax rules for list items: origins and URL patterns, server names, zone sites.
//! Each check returns the problem (code, message, hint) or the lints the item triggers.

use crate::catalog::ItemKind;
use crate::diag;
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

fn problem(code: &'static str, message: impl Into<String>, hint: Option<String>) -> Problem {
    Problem {
        code,
        message: message.into(),
        hint,
    }
}

/// Checks one item. `Err` is a hard error; `Ok(lints)` lists acknowledgeable
/// lints (e.g. `wildcard-all-sites`) that are errors unless acknowledged.
pub fn check(kind: ItemKind, item: &str) -> Result<Vec<Problem>, Problem> {
    if item.trim() != item || item.is_empty() {
        return Err(problem(
            diag::INVALID_ORIGIN,
            format!("`{item}` is empty or has leading/trailing spaces"),
            Some("remove the spaces".into()),
        ));
    }
    match kind {
        ItemKind::LnaOrigin => lna_origin(item),
        ItemKind::CookiePattern => cookie_pattern(item),
        ItemKind::AuthServer => auth_server(item),
        ItemKind::ZoneSite => zone_site(item).map(|_| Vec::new()),
        ItemKind::CertificateIssuer => certificate_issuer(item),
    }
}

/// A parsed Chromium URL pattern restricted to scheme, host and port.
#[derive(Debug, PartialEq, Eq)]
pub struct Pattern<'a> {
    pub scheme: Option<&'a str>,
    pub host: &'a str,
    pub port: Option<&'a str>,
    pub path: Option<&'a str>,
}

impl Pattern<'_> {
    fn origin_only(&self) -> String {
        let mut s = String::new();
        if let Some(sc) = self.scheme {
            s.push_str(sc);
            s.push_str("://");
        }
        s.push_str(self.host);
        if let Some(p) = self.port {
            s.push(':');
            s.push_str(p);
        }
        s
    }
    pub fn is_loopback(&self) -> bool {
        let h = self.host.to_ascii_lowercase();
        h == "localhost" || h == "[::1]" || h.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    }
    /// A host that matches every site: `*`, or `[*.]` over a single label such as `[*.]com`.
    fn matches_every_site(&self) -> bool {
        self.host == "*"
            || self
                .host
                .strip_prefix("[*.]")
                .is_some_and(|d| !d.contains('.') && !d.eq_ignore_ascii_case("localhost"))
    }
}

/// Splits `scheme://host:port/path` per Chrome's URL pattern format
/// (https://cloud.google.com/docs/chrome-enterprise/policies/url-patterns).
pub fn parse_pattern(item: &str) -> Result<Pattern<'_>, Problem> {
    let bad = |why: &str| {
        problem(
            diag::INVALID_ORIGIN,
            format!("`{item}` is not a valid URL pattern: {why}"),
            Some(
                "write scheme://host[:port], e.g. https://example.nhs.uk or https://[*.]nhs.uk"
                    .into(),
            ),
        )
    };
    let (scheme, rest) = match item.find("://") {
        Some(i) => (Some(&item[..i]), &item[i + 3..]),
        None => (None, item),
    };
    if let Some(s) = scheme {
        if !matches!(s.to_ascii_lowercase().as_str(), "http" | "https" | "*") {
            return Err(bad("the scheme must be http, https or *"));
        }
    }
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(&rest[i..])),
        None => (rest, None),
    };
    let (host, port) = if hostport.starts_with('[') && !hostport.starts_with("[*.]") {
        // IPv6 literal: [::1] or [::1]:443
        let end = hostport
            .find(']')
            .ok_or_else(|| bad("unclosed IPv6 bracket"))?;
        let (h, rest) = hostport.split_at(end + 1);
        match rest.strip_prefix(':') {
            Some(p) => (h, Some(p)),
            None if rest.is_empty() => (h, None),
            None => return Err(bad("text after the IPv6 address")),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if let Some(p) = port {
        if p != "*" && !p.parse::<u16>().is_ok_and(|n| n > 0) {
            return Err(bad("the port must be 1-65535 or *"));
        }
    }
    if host != "*" && !valid_host(host) {
        return Err(bad(
            "the host is not a domain name, [*.]domain, IPv4 or [IPv6] address",
        ));
    }
    Ok(Pattern {
        scheme,
        host,
        port,
        path,
    })
}

fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && l.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !l.starts_with('-')
        && !l.ends_with('-')
}

fn valid_domain(d: &str) -> bool {
    !d.is_empty() && d.len() <= 253 && d.split('.').all(valid_label)
}

fn valid_host(h: &str) -> bool {
    if let Some(inner) = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok();
    }
    if let Some(d) = h.strip_prefix("[*.]") {
        // Chrome rejects [*.] before an IP address.
        return valid_domain(d) && d.parse::<Ipv4Addr>().is_err();
    }
    h.parse::<Ipv4Addr>().is_ok()
        || (valid_domain(h) && !h.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn wildcard_lint(item: &str, what: &str) -> Problem {
    problem(
        diag::WILDCARD_ALL_SITES,
        format!("`{item}` opens {what} to every site"),
        Some("list the exact origins; if this is really intended, add `acknowledge: [wildcard-all-sites]` to the setting".into()),
    )
}

fn no_path(p: &Pattern<'_>, item: &str) -> Result<(), Problem> {
    if p.path.is_some() {
        return Err(problem(
            diag::PATH_IN_ORIGIN,
            format!("`{item}` has a path; this policy takes origins only"),
            Some(format!(
                "use the origin `{}` (note: it allows every page of that origin)",
                p.origin_only()
            )),
        ));
    }
    Ok(())
}

fn lna_origin(item: &str) -> Result<Vec<Problem>, Problem> {
    if item == "*" {
        return Ok(vec![wildcard_lint(item, "Local Network Access")]);
    }
    let p = parse_pattern(item)?;
    no_path(&p, item)?;
    let mut lints = Vec::new();
    if p.matches_every_site() {
        lints.push(wildcard_lint(item, "Local Network Access"));
    }
    let https = p.scheme.is_some_and(|s| s.eq_ignore_ascii_case("https"));
    if !https && !p.is_loopback() {
        lints.push(problem(
            diag::INSECURE_ORIGIN,
            format!("`{item}` also allows plain http:// pages to reach the local network"),
            Some(format!(
                "use https://{}",
                p.origin_only().split("://").last().unwrap_or(item)
            )),
        ));
    }
    Ok(lints)
}

fn cookie_pattern(item: &str) -> Result<Vec<Problem>, Problem> {
    let parts: Vec<&str> = item.split(',').collect();
    if parts.len() > 2 {
        return Err(problem(
            diag::INVALID_ORIGIN,
            format!("`{item}` has more than two comma-separated patterns"),
            Some("write one pattern, or a pair `site,top-level-site`".into()),
        ));
    }
    if parts.len() == 1 && item == "*" {
        return Err(problem(
            diag::INVALID_ORIGIN,
            "`*` is not an accepted value for CookiesAllowedForUrls",
            Some("list the sites, e.g. http://localhost".into()),
        ));
    }
    let mut lints = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if *part == "*" {
            if i == 0 {
                lints.push(wildcard_lint(item, "cookies (every site as a third party)"));
            }
            continue;
        }
        let p = parse_pattern(part)?;
        no_path(&p, part)?;
        if i == 0 && p.matches_every_site() {
            lints.push(wildcard_lint(item, "cookies"));
        }
    }
    Ok(lints)
}

fn auth_server(item: &str) -> Result<Vec<Problem>, Problem> {
    // Chromium splits this policy on commas and semicolons (net/http/http_auth_filter.cc),
    // so either inside one entry would silently become two entries.
    if item.contains([',', ';']) {
        return Err(problem(
            diag::LIST_SEPARATOR_IN_ITEM,
            format!("`{item}` contains `,` or `;`, which the browser reads as a separator"),
            Some("write each server as its own list entry".into()),
        ));
    }
    if item == "*" {
        return Ok(vec![wildcard_lint(
            item,
            "integrated Windows authentication",
        )]);
    }
    let bad = |why: &str| {
        problem(
            diag::INVALID_ORIGIN,
            format!("`{item}` is not a server name pattern: {why}"),
            Some("write a host such as localhost, *.example.nhs.uk or http://localhost".into()),
        )
    };
    let rest = match item.find("://") {
        Some(i) => {
            if !matches!(&item[..i], "http" | "https") {
                return Err(bad("the scheme must be http or https"));
            }
            &item[i + 3..]
        }
        None => item,
    };
    if rest.contains('/') {
        return Err(bad("a path makes the browser drop the entry"));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, Some(p)),
        _ => (rest, None),
    };
    if let Some(p) = port {
        if !p.parse::<u16>().is_ok_and(|n| n > 0) {
            return Err(bad("the port must be 1-65535"));
        }
    }
    let bare = host.trim_start_matches('*').trim_start_matches('.');
    if !(valid_host(host) || (host.starts_with('*') && valid_domain(bare))) {
        return Err(bad("the host is not a name, *name, IPv4 or [IPv6] address"));
    }
    if host.starts_with('*') && !bare.contains('.') {
        return Ok(vec![wildcard_lint(
            item,
            "integrated Windows authentication",
        )]);
    }
    Ok(Vec::new())
}

/// An X.500 issuer name as Smartcard Connect lists them (`CN=..., OU=..., O=...`);
/// the list is joined with `;`, so an entry must not hold one.
fn certificate_issuer(item: &str) -> Result<Vec<Problem>, Problem> {
    if item.contains(';') {
        return Err(problem(
            diag::LIST_SEPARATOR_IN_ITEM,
            format!("`{item}` contains `;`, which separates issuers in TrustedCertificateIssuers"),
            Some("write each issuer as its own list entry".into()),
        ));
    }
    let well_formed = item.split(',').map(str::trim).all(|rdn| {
        rdn.split_once('=').is_some_and(|(k, v)| {
            !v.trim().is_empty() && !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic())
        })
    });
    if !well_formed || !item.trim_start().to_ascii_uppercase().starts_with("CN=") {
        return Err(problem(
            diag::INVALID_ISSUER,
            format!("`{item}` is not an issuer name"),
            Some("write it as NHS publishes it, e.g. CN=NHS Level 1C, OU=CA, O=nhs".into()),
        ));
    }
    Ok(Vec::new())
}

/// A Site to Zone Assignment List site (InetRes.adml `IZ_ExplainZonemaps`): an
/// optional protocol, then a host (may start with `*.`), an IPv4 address or range
/// `a.b.c.d-e`; no path, no trailing slash.
pub fn zone_site(item: &str) -> Result<ZoneSite<'_>, Problem> {
    let bad = |why: &str| {
        problem(
            diag::INVALID_ZONE_SITE,
            format!("`{item}` is not a Site to Zone Assignment List site: {why}"),
            Some(
                "write a host with an optional protocol, e.g. http://localhost or *.nhs.uk".into(),
            ),
        )
    };
    let (scheme, host) = match item.find("://") {
        Some(i) => (Some(&item[..i]), &item[i + 3..]),
        None => (None, item),
    };
    if let Some(s) = scheme {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("the protocol must be a word such as http or https"));
        }
    }
    if host.contains('/') {
        return Err(bad("no path or trailing slash is allowed"));
    }
    if host.contains(':') {
        return Err(bad("ports are not part of a zone site"));
    }
    let ip_range = host
        .rsplit_once('-')
        .is_some_and(|(ip, end)| ip.parse::<Ipv4Addr>().is_ok() && end.parse::<u8>().is_ok());
    let name = host.strip_prefix("*.").unwrap_or(host);
    if !(ip_range || host.parse::<Ipv4Addr>().is_ok() || valid_domain(name)) {
        return Err(bad("the host is not a name, *.name, IPv4 address or range"));
    }
    Ok(ZoneSite {
        scheme,
        host,
        single_label: valid_label(host) && !host.contains('.'),
    })
}

pub struct ZoneSite<'a> {
    pub scheme: Option<&'a str>,
    pub host: &'a str,
    /// A one-label host such as `localhost` (the only kind written in preference form).
    pub single_label: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ItemKind::*;

    fn code(kind: ItemKind, s: &str) -> Vec<&'static str> {
        match check(kind, s) {
            Ok(l) => l.into_iter().map(|p| p.code).collect(),
            Err(p) => vec![p.code],
        }
    }

    #[test]
    fn lna_origins() {
        assert!(code(
            LnaOrigin,
            "https://manage-care-identities.care-identity-service2.nhs.uk"
        )
        .is_empty());
        assert!(code(LnaOrigin, "https://[*.]nhs.uk").is_empty());
        assert!(code(LnaOrigin, "http://localhost:8080").is_empty());
        assert!(code(LnaOrigin, "https://[::1]:443").is_empty());
        assert_eq!(
            code(LnaOrigin, "https://api.service.nhs.uk/signing-service"),
            [diag::PATH_IN_ORIGIN]
        );
        assert_eq!(
            code(LnaOrigin, "https://example.nhs.uk/"),
            [diag::PATH_IN_ORIGIN]
        );
        assert_eq!(
            code(LnaOrigin, "http://example.nhs.uk"),
            [diag::INSECURE_ORIGIN]
        );
        assert_eq!(code(LnaOrigin, "[*.]nhs.uk"), [diag::INSECURE_ORIGIN]);
        assert_eq!(code(LnaOrigin, "*"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(code(LnaOrigin, "https://*"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(
            code(LnaOrigin, "https://[*.]uk"),
            [diag::WILDCARD_ALL_SITES]
        );
        for bad in [
            "ftp://x.nhs.uk",
            "https://",
            "https://exa mple",
            "https://x:0",
            "https://x:99999",
            "https://[*.]127.0.0.1",
            "not a url",
            "https://a..b",
        ] {
            assert_eq!(code(LnaOrigin, bad), [diag::INVALID_ORIGIN], "{bad}");
        }
    }

    #[test]
    fn cookie_patterns() {
        assert!(code(CookiePattern, "http://localhost").is_empty());
        assert!(code(CookiePattern, "https://a.nhs.uk,https://b.nhs.uk").is_empty());
        assert!(code(CookiePattern, "http://localhost,*").is_empty());
        assert_eq!(code(CookiePattern, "*"), [diag::INVALID_ORIGIN]);
        assert_eq!(
            code(CookiePattern, "*,https://top.nhs.uk"),
            [diag::WILDCARD_ALL_SITES]
        );
        assert_eq!(code(CookiePattern, "a,b,c"), [diag::INVALID_ORIGIN]);
        assert_eq!(
            code(CookiePattern, "http://localhost/x"),
            [diag::PATH_IN_ORIGIN]
        );
    }

    #[test]
    fn auth_servers() {
        for ok in [
            "http://localhost",
            "localhost",
            "*.nhs.uk",
            "*example.com",
            "server:8080",
            "127.0.0.1",
        ] {
            assert!(code(AuthServer, ok).is_empty(), "{ok}");
        }
        assert_eq!(code(AuthServer, "a,b"), [diag::LIST_SEPARATOR_IN_ITEM]);
        assert_eq!(code(AuthServer, "a;b"), [diag::LIST_SEPARATOR_IN_ITEM]);
        assert_eq!(code(AuthServer, "*"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(code(AuthServer, "*.uk"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(
            code(AuthServer, "http://localhost/x"),
            [diag::INVALID_ORIGIN]
        );
        assert_eq!(code(AuthServer, " localhost"), [diag::INVALID_ORIGIN]);
    }

    #[test]
    fn certificate_issuers() {
        assert!(code(CertificateIssuer, "CN=NHS Level 1C, OU=CA, O=nhs").is_empty());
        assert!(code(
            CertificateIssuer,
            "CN=NHS Authentication G2, OU=CA, O=nhs, C=GB"
        )
        .is_empty());
        assert_eq!(
            code(CertificateIssuer, "CN=a;CN=b"),
            [diag::LIST_SEPARATOR_IN_ITEM]
        );
        assert_eq!(
            code(CertificateIssuer, "NHS Level 1C"),
            [diag::INVALID_ISSUER]
        );
        assert_eq!(
            code(CertificateIssuer, "OU=CA, CN=x"),
            [diag::INVALID_ISSUER]
        );
    }

    #[test]
    fn zone_sites() {
        for ok in [
            "http://localhost",
            "localhost",
            "*.nhs.uk",
            "127.0.0.1",
            "10.0.0.1-20",
            "https://x.nhs.uk",
        ] {
            assert!(zone_site(ok).is_ok(), "{ok}");
        }
        for bad in ["http://localhost/", "http://localhost:80", "a b", "http://"] {
            assert!(zone_site(bad).is_err(), "{bad}");
        }
        assert!(zone_site("http://localhost").unwrap().single_label);
        assert!(!zone_site("x.nhs.uk").unwrap().single_label);
    }
}
