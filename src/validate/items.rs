//! Syntax rules for list items: origins and URL patterns, server names, zone sites.
//! Each check returns the problem (code, message, hint) or the lints the item triggers.

use super::grammar::{self, content_settings as cs, scheme_host_port as shp, zone_site as zs};
use crate::catalog::ItemKind;
use crate::diag;

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
        ItemKind::ZoneSite => zone_site(item).map(|(_, lints)| lints),
        ItemKind::CertificateIssuer => certificate_issuer(item),
    }
}

/// The hint for a malformed origin: never a public-suffix wildcard.
const ORIGIN_HINT: &str =
    "write scheme://host[:port], e.g. https://example-trust.nhs.uk or https://[*.]example-trust.nhs.uk";

/// Parses a Chromium content-settings pattern (see `grammar::content_settings`).
pub fn content_pattern(item: &str) -> Result<cs::Pattern, Problem> {
    // `https:/host` reads as the host `https` with a bad port: name the real slip.
    if let Some(i) = item.find(":/") {
        if !item[i..].starts_with("://") {
            return Err(problem(
                diag::INVALID_ORIGIN,
                format!(
                    "`{item}` is not a valid URL pattern: the scheme must be followed by `://`"
                ),
                Some(ORIGIN_HINT.into()),
            ));
        }
    }
    cs::parse(item).map_err(|e| {
        problem(
            diag::INVALID_ORIGIN,
            format!("`{item}` is not a valid URL pattern: {}", e.0),
            Some(ORIGIN_HINT.into()),
        )
    })
}

fn wildcard_lint(item: &str, what: &str) -> Problem {
    problem(
        diag::WILDCARD_ALL_SITES,
        format!("`{item}` opens {what} to every site"),
        Some("list the exact origins; if this is really intended, add `acknowledge: [wildcard-all-sites]` to the setting".into()),
    )
}

/// A wildcard over a public suffix (`[*.]nhs.uk`, `*.co.uk`): every site registered under it,
/// whoever runs it. A one-label suffix (`[*.]com`) stays `wildcard-all-sites`.
fn public_suffix_lint(item: &str, domain: &str, what: &str) -> Problem {
    problem(
        diag::PUBLIC_SUFFIX_WILDCARD,
        format!("`{item}` opens {what} to every site under the public suffix `{domain}`, whoever runs it"),
        Some(format!(
            "list the Trust's own hosts (e.g. a wildcard over your registrable domain such as example-trust.{domain}); if this is really intended, add `acknowledge: [public-suffix-wildcard]` to the setting"
        )),
    )
}

/// The breadth lint for a wildcard over `domain`, if any.
fn breadth_lint(item: &str, domain: &str, what: &str) -> Option<Problem> {
    let d = domain.trim_end_matches('.');
    if !d.contains('.') && !grammar::is_loopback_host(d) {
        Some(wildcard_lint(item, what))
    } else if grammar::is_public_suffix(d) {
        Some(public_suffix_lint(item, d, what))
    } else {
        None
    }
}

fn no_path(p: &cs::Pattern, item: &str) -> Result<(), Problem> {
    if p.path.is_some() && !item.contains("://") {
        // `htps//host`: no `://`, so the text before the first `/` is the host and the rest a
        // path; suggesting that "origin" would be wrong.
        return Err(problem(
            diag::INVALID_ORIGIN,
            format!(
                "`{item}` has no `scheme://`, so `{}` is read as the host and the rest as a path",
                p.origin()
            ),
            Some(ORIGIN_HINT.into()),
        ));
    }
    if p.path.is_some() {
        return Err(problem(
            diag::PATH_IN_ORIGIN,
            format!("`{item}` has a path; this policy takes origins only, and Chromium ignores the path and grants the whole origin"),
            Some(format!(
                "use the origin `{}` (note: it allows every page of that origin)",
                p.origin()
            )),
        ));
    }
    Ok(())
}

fn lna_origin(item: &str) -> Result<Vec<Problem>, Problem> {
    let p = content_pattern(item)?;
    if p.everything || p.host == cs::Host::Any {
        return Ok(vec![wildcard_lint(item, "Local Network Access")]);
    }
    no_path(&p, item)?;
    if p.is_loopback() {
        return Err(problem(
            diag::LNA_LOOPBACK_ORIGIN,
            format!("`{item}` is a loopback origin; this list takes the origin of the page that makes the request, and a page served from loopback is never restricted, so the entry does nothing"),
            Some("list the origin of the web application that calls the local service (e.g. https://manage-care-identities.care-identity-service2.nhs.uk), not the local service itself".into()),
        ));
    }
    let mut lints = Vec::new();
    let breadth = p
        .wildcard_domain()
        .and_then(|d| breadth_lint(item, d, "Local Network Access"));
    if p.scheme != cs::Scheme::Https {
        // Never suggest the https form of a pattern that is itself too broad.
        let hint = match &breadth {
            Some(_) => "use https:// and the Trust's own hosts".to_string(),
            None => format!(
                "use https://{}",
                p.origin().split("://").last().unwrap_or(item)
            ),
        };
        lints.push(problem(
            diag::INSECURE_ORIGIN,
            format!("`{item}` also allows plain http:// pages to reach the local network"),
            Some(hint),
        ));
    }
    lints.extend(breadth);
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
        let p = content_pattern(part)?;
        if p.everything || p.host == cs::Host::Any {
            if i == 0 {
                lints.push(wildcard_lint(item, "cookies (every site as a third party)"));
            }
            continue;
        }
        no_path(&p, part)?;
        if let Some(l) = p
            .wildcard_domain()
            .and_then(|d| breadth_lint(item, d, "cookies"))
        {
            lints.push(l);
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
    let what = "integrated Windows authentication";
    let bad = |why: &str, hint: String| {
        problem(
            diag::INVALID_ORIGIN,
            format!("`{item}` is not a server rule Chromium can use: {why}"),
            Some(hint),
        )
    };
    let usual = || {
        "write a host such as localhost, server.example-trust.nhs.uk, *.example-trust.nhs.uk or http://localhost".to_string()
    };
    let rule = shp::parse(item);
    match &rule {
        shp::Rule::Dropped(why) => return Err(bad(&format!("Chromium drops it ({why})"), usual())),
        shp::Rule::SubtractImplicit => {
            return Err(bad(
                "`<-loopback>` is already added by Chromium for this policy and allows nothing",
                "remove it".into(),
            ))
        }
        _ => {}
    }
    if let Some(s) = rule.scheme() {
        if s != "http" && s != "https" {
            return Err(bad(
                &format!("the rule applies to `{s}://` only, and servers ask for integrated authentication over http or https"),
                "use http:// or https://, or no scheme (every scheme)".into(),
            ));
        }
    }
    if let shp::Rule::Hostname { pattern, .. } = &rule {
        if let Some(d) = pattern.strip_prefix("[*.]") {
            let hint = if grammar::is_public_suffix(d) || !d.contains('.') {
                "list the Trust's own servers, e.g. *.example-trust.nhs.uk".to_string()
            } else {
                format!("write `*.{d}` for its subdomains and `{d}` for the domain itself (two entries)")
            };
            return Err(bad(
                "`[*.]` is content-settings syntax; this policy uses Chromium's proxy-bypass rules, where `[` is a literal character, so the entry matches no server",
                hint,
            ));
        }
        let glob = pattern
            .strip_prefix("*.")
            .or_else(|| pattern.strip_prefix('*'))
            .unwrap_or(pattern);
        if pattern != "*" && glob.contains(['*', '?']) {
            return Err(bad(
                "policyc accepts a wildcard only at the start (*.example-trust.nhs.uk)",
                usual(),
            ));
        }
        if pattern != "*" && !grammar::valid_domain(glob) {
            return Err(bad(
                "the host is not a name, *.name, .name, IPv4 or [IPv6] address, so it matches no server",
                usual(),
            ));
        }
        if let shp::Rule::Hostname { port: Some(0), .. } = rule {
            return Err(bad("port 0 matches no server", usual()));
        }
        if pattern == "*" {
            return Ok(vec![wildcard_lint(item, what)]);
        }
        if pattern.starts_with('*') {
            if let Some(l) = breadth_lint(item, glob, what) {
                return Ok(vec![l]);
            }
        }
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

/// A Site to Zone Assignment List site (see `grammar::zone_site`), with the lints it triggers
/// (a wildcard over a public suffix such as `*.nhs.uk`).
pub fn zone_site(item: &str) -> Result<(zs::Site, Vec<Problem>), Problem> {
    let site = zs::parse(item).map_err(|e| {
        problem(
            diag::INVALID_ZONE_SITE,
            format!("`{item}` is not a Site to Zone Assignment List site: {}", e.0),
            Some(
                "write a host with an optional protocol, e.g. http://localhost or *.example-trust.nhs.uk"
                    .into(),
            ),
        )
    })?;
    let mut lints = Vec::new();
    if let Some(d) = site.wildcard_domain() {
        if grammar::is_public_suffix(d) {
            lints.push(public_suffix_lint(item, d, "this zone"));
        }
    }
    Ok((site, lints))
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
        for ok in [
            "https://manage-care-identities.care-identity-service2.nhs.uk",
            "https://[*.]example-trust.nhs.uk",
            "https://[::2]:443",
            "https://api.service.nhs.uk:443",
        ] {
            assert!(code(LnaOrigin, ok).is_empty(), "{ok}");
        }
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
        assert_eq!(
            code(LnaOrigin, "[*.]example-trust.nhs.uk"),
            [diag::INSECURE_ORIGIN]
        );
        assert_eq!(code(LnaOrigin, "*"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(code(LnaOrigin, "https://*"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(
            code(LnaOrigin, "https://[*.]uk"),
            [diag::WILDCARD_ALL_SITES]
        );
        // Issue 16: public suffixes from the Public Suffix List.
        for ps in [
            "https://[*.]nhs.uk",
            "https://[*.]co.uk",
            "https://[*.]github.io",
        ] {
            assert_eq!(code(LnaOrigin, ps), [diag::PUBLIC_SUFFIX_WILDCARD], "{ps}");
        }
        // Issue 16: the list takes the calling page's origin, never the loopback target.
        for lo in [
            "http://localhost:8182",
            "http://localhost",
            "http://127.0.0.1:8080",
            "https://[::1]:443",
        ] {
            assert_eq!(code(LnaOrigin, lo), [diag::LNA_LOOPBACK_ORIGIN], "{lo}");
        }
        for bad in [
            "ftp://x.nhs.uk",
            "https://",
            "https://exa mple",
            "https://x:0",
            "https://x:99999",
            "https://[*.]127.0.0.1",
            "not a url",
            "https://a..b",
            "https://*.nhs.uk",
            // Slips a new admin makes: the message names the slip, not a port or a path.
            "htps//manage-care-identities.care-identity-service2.nhs.uk",
            "https:/manage-care-identities.care-identity-service2.nhs.uk",
            "example-trust.nhs.uk/path",
        ] {
            assert_eq!(code(LnaOrigin, bad), [diag::INVALID_ORIGIN], "{bad}");
        }
        let message = |s: &str| check(LnaOrigin, s).err().unwrap().message;
        assert!(message("htps//x.nhs.uk").contains("no `scheme://`, so `htps` is read as the host"));
        assert!(message("https:/x.nhs.uk").contains("must be followed by `://`"));
    }

    #[test]
    fn hints_never_suggest_a_public_suffix_wildcard() {
        for s in [
            "not a url",
            "https://[*.]nhs.uk",
            "[*.]nhs.uk",
            "*.nhs.uk",
            "[*.]co.uk",
        ] {
            for kind in [LnaOrigin, CookiePattern, AuthServer, ZoneSite] {
                let problems = match check(kind, s) {
                    Ok(l) => l,
                    Err(p) => vec![p],
                };
                for p in problems {
                    let hint = p.hint.unwrap_or_default();
                    for ps in ["[*.]nhs.uk", "*.nhs.uk", "[*.]co.uk", "*.co.uk"] {
                        assert!(!hint.contains(ps), "{kind:?} {s}: hint {hint}");
                    }
                }
            }
        }
        for code in diag::CODES {
            assert!(
                !diag::fix(code.code).contains("[*.]nhs.uk"),
                "{}",
                code.code
            );
            assert!(!diag::fix(code.code).contains(" *.nhs.uk"), "{}", code.code);
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
        assert_eq!(
            code(CookiePattern, "[*.]nhs.uk"),
            [diag::PUBLIC_SUFFIX_WILDCARD]
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
            "*.nhs.net",
            "*.example-trust.nhs.uk",
            ".example-trust.nhs.uk",
            "*example.com",
            "server:8080",
            "127.0.0.1",
            "[::1]",
            "[::1]:8080",
            "https://[::1]",
            "10.0.0.0/8",
            "<local>",
        ] {
            assert!(
                code(AuthServer, ok).is_empty(),
                "{ok}: {:?}",
                check(AuthServer, ok)
            );
        }
        assert_eq!(code(AuthServer, "a,b"), [diag::LIST_SEPARATOR_IN_ITEM]);
        assert_eq!(code(AuthServer, "a;b"), [diag::LIST_SEPARATOR_IN_ITEM]);
        assert_eq!(code(AuthServer, "*"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(code(AuthServer, "http://*"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(code(AuthServer, "*.uk"), [diag::WILDCARD_ALL_SITES]);
        assert_eq!(code(AuthServer, "*.nhs.uk"), [diag::PUBLIC_SUFFIX_WILDCARD]);
        assert_eq!(code(AuthServer, ".co.uk"), [diag::PUBLIC_SUFFIX_WILDCARD]);
        for bad in [
            "http://localhost/x",
            " localhost",
            "[*.]example-trust.nhs.uk",
            "ftp://server",
            "server:abc",
            "a*b.nhs.uk",
            "<-loopback>",
            "://server",
        ] {
            assert_eq!(code(AuthServer, bad), [diag::INVALID_ORIGIN], "{bad}");
        }
        let p = check(AuthServer, "[*.]example-trust.nhs.uk").unwrap_err();
        assert!(
            p.message.contains("content-settings syntax"),
            "{}",
            p.message
        );
        assert_eq!(
            p.hint.as_deref(),
            Some("write `*.example-trust.nhs.uk` for its subdomains and `example-trust.nhs.uk` for the domain itself (two entries)")
        );
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
            "*.example-trust.nhs.uk",
            "127.0.0.1",
            "10.0.0.1-20",
            "https://x.nhs.uk",
        ] {
            assert!(code(ZoneSite, ok).is_empty(), "{ok}");
        }
        for bad in [
            "http://localhost/",
            "http://localhost:80",
            "a b",
            "http://",
            "*.com",
        ] {
            assert_eq!(code(ZoneSite, bad), [diag::INVALID_ZONE_SITE], "{bad}");
        }
        assert!(check(ZoneSite, "*.com")
            .unwrap_err()
            .message
            .contains("event 1085"));
        for ps in ["*.nhs.uk", "*.co.uk", "http://*.gov.uk"] {
            assert_eq!(code(ZoneSite, ps), [diag::PUBLIC_SUFFIX_WILDCARD], "{ps}");
        }
    }
}
