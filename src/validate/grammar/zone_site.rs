//! Windows Site to Zone Assignment List entries (the Internet Explorer Zonemapping Group Policy
//! extension, which also feeds Edge and Chrome on Windows through the Windows security zones).
//!
//! Sources: the policy's own text (inetres.admx / InetRes.adml `IZ_ExplainZonemaps`: "A host for
//! an intranet site, or a fully qualified domain name for other sites", an optional protocol,
//! "an IP address (e.g., 127.0.0.1) or range (e.g., 127.0.0.1-10)", no trailing slash or path);
//! Microsoft's "Description of Event ID 1085 from Internet Explorer Zonemapping" (an invalid entry
//! makes Group Policy log event 1085, error 87, "The parameter is incorrect", at every refresh).
//!
//! - an optional protocol (`http://`, `https://`, `*://`...);
//! - a host: one label (`localhost`), a domain name, or a domain name whose leftmost label is
//!   the wildcard `*` (`*.example.nhs.uk`); no other wildcard, and none directly over a
//!   top-level domain (`*.com`), which Windows refuses;
//! - or an IPv4 address, a range in its last part (`192.168.0.1-50`) or `*` as its last part;
//! - no user name, port or path: Windows strips a port or path, so the entry would not mean
//!   what it says (and two entries differing only by path conflict).

use std::net::Ipv4Addr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A host or domain; `wildcard` for `*.domain` (the domain's subdomains).
    Name {
        name: String,
        wildcard: bool,
    },
    Ipv4(Ipv4Addr),
    /// `a.b.c.d-e`, or `a.b.c.*` (first = 0, last = 255).
    Ipv4Range {
        base: [u8; 3],
        first: u8,
        last: u8,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// `None`: every protocol.
    pub scheme: Option<String>,
    pub host: Host,
}

/// Why Windows refuses an entry, or why policyc refuses what Windows would silently change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

impl Site {
    /// A one-label host such as `localhost` (the only kind policyc writes in preference form).
    pub fn single_label(&self) -> bool {
        matches!(&self.host, Host::Name { name, wildcard: false } if !name.contains('.'))
    }

    /// The domain a `*.` wildcard covers.
    pub fn wildcard_domain(&self) -> Option<&str> {
        match &self.host {
            Host::Name {
                name,
                wildcard: true,
            } => Some(name),
            _ => None,
        }
    }

    /// What Windows assigns with this entry, in one phrase.
    pub fn describe(&self) -> String {
        let scheme = self
            .scheme
            .as_ref()
            .map_or("every protocol".to_string(), |s| format!("{s} only"));
        let host = match &self.host {
            Host::Name {
                name,
                wildcard: true,
            } => format!("every host under {name}"),
            Host::Name { name, .. } => name.clone(),
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv4Range { base, first, last } => {
                format!(
                    "{}.{}.{}.{first} to {}.{}.{}.{last}",
                    base[0], base[1], base[2], base[0], base[1], base[2]
                )
            }
        };
        format!("{scheme}, {host}")
    }
}

pub fn parse(s: &str) -> Result<Site, Invalid> {
    let (scheme, rest) = match s.find("://") {
        Some(i) => {
            let sc = &s[..i];
            if sc.is_empty() || !(sc == "*" || sc.chars().all(|c| c.is_ascii_alphanumeric())) {
                return Err(Invalid(
                    "the protocol must be a word such as http or https, or *",
                ));
            }
            (Some(sc.to_ascii_lowercase()), &s[i + 3..])
        }
        None => (None, s),
    };
    let scheme = scheme.filter(|s| s != "*");
    if rest.contains('@') {
        return Err(Invalid("a user name is not allowed"));
    }
    if rest.contains('/') {
        return Err(Invalid(
            "no path or trailing slash is allowed (Windows strips it, so the entry would cover the whole host)",
        ));
    }
    if rest.contains(':') {
        return Err(Invalid(
            "a port is not part of a zone site (Windows strips it, so the entry would cover every port)",
        ));
    }
    if rest.is_empty() {
        return Err(Invalid("there is no host"));
    }
    if let Some(host) = ipv4(rest)? {
        return Ok(Site { scheme, host });
    }
    let (name, wildcard) = match rest.strip_prefix("*.") {
        Some(d) => (d, true),
        None => (rest, false),
    };
    if name.contains('*') {
        return Err(Invalid(
            "a wildcard is allowed only as the whole leftmost label (*.example.nhs.uk)",
        ));
    }
    if !super::valid_domain(name) {
        return Err(Invalid(
            "the host is not a name, *.name, IPv4 address or range",
        ));
    }
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if wildcard && !name.contains('.') {
        return Err(Invalid(
            "Windows refuses a wildcard over a top-level domain (Group Policy logs Internet Explorer Zonemapping event 1085, error 87, at every refresh)",
        ));
    }
    Ok(Site {
        scheme,
        host: Host::Name { name, wildcard },
    })
}

/// `a.b.c.d`, `a.b.c.d-e`, `a.b.c.*`; `Ok(None)` when the text is not IPv4-shaped.
fn ipv4(s: &str) -> Result<Option<Host>, Invalid> {
    let parts: Vec<&str> = s.split('.').collect();
    let numeric = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 4 || !parts[..3].iter().all(|p| numeric(p)) {
        return Ok(None);
    }
    let last = parts[3];
    if !(numeric(last)
        || last == "*"
        || last
            .split_once('-')
            .is_some_and(|(a, b)| numeric(a) && numeric(b)))
    {
        return Ok(None);
    }
    let bad = Invalid("each part of an IPv4 address is a number from 0 to 255");
    let mut base = [0u8; 3];
    for (i, p) in parts[..3].iter().enumerate() {
        base[i] = p.parse().map_err(|_| bad.clone())?;
    }
    if last == "*" {
        return Ok(Some(Host::Ipv4Range {
            base,
            first: 0,
            last: 255,
        }));
    }
    if let Some((a, b)) = last.split_once('-') {
        let (first, end): (u8, u8) = (
            a.parse().map_err(|_| bad.clone())?,
            b.parse().map_err(|_| bad.clone())?,
        );
        if first > end {
            return Err(Invalid("the range's start is above its end"));
        }
        return Ok(Some(Host::Ipv4Range {
            base,
            first,
            last: end,
        }));
    }
    let d: u8 = last.parse().map_err(|_| bad)?;
    Ok(Some(Host::Ipv4(Ipv4Addr::new(
        base[0], base[1], base[2], d,
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries Windows accepts, with what they assign. Sources: InetRes.adml
    /// `IZ_ExplainZonemaps` (`http://www.contoso.com`, `www.contoso.com`, `127.0.0.1`,
    /// `127.0.0.1-10`); Microsoft's Event ID 1085 article (wildcard in the leftmost label).
    const VALID: &[(&str, &str)] = &[
        ("http://www.contoso.com", "http only, www.contoso.com"),
        ("www.contoso.com", "every protocol, www.contoso.com"),
        ("127.0.0.1", "every protocol, 127.0.0.1"),
        ("127.0.0.1-10", "every protocol, 127.0.0.1 to 127.0.0.10"),
        (
            "192.168.0.1-50",
            "every protocol, 192.168.0.1 to 192.168.0.50",
        ),
        ("10.1.2.*", "every protocol, 10.1.2.0 to 10.1.2.255"),
        (
            "*.contoso.com",
            "every protocol, every host under contoso.com",
        ),
        (
            "https://*.contoso.com",
            "https only, every host under contoso.com",
        ),
        ("*://intranet", "every protocol, intranet"),
        ("http://localhost", "http only, localhost"),
    ];

    /// Entries Windows refuses (event 1085) or strips, which policyc rejects.
    const INVALID: &[&str] = &[
        "*.com",
        "http://*.uk",
        "www.*.contoso.com",
        "*contoso.com",
        "contoso.*",
        "http://localhost/",
        "http://www.contoso.com/mail",
        "http://localhost:80",
        "http://user@contoso.com",
        "127.0.0.300",
        "127.0.0.10-1",
        "a b",
        "http://",
        "://x",
    ];

    #[test]
    fn windows_vectors() {
        for (s, what) in VALID {
            let site = parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!(site.describe(), *what, "{s}");
        }
        for s in INVALID {
            assert!(parse(s).is_err(), "{s} should be invalid");
        }
        assert!(parse("http://localhost").unwrap().single_label());
        assert!(!parse("x.nhs.uk").unwrap().single_label());
        assert_eq!(parse("*.nhs.uk").unwrap().wildcard_domain(), Some("nhs.uk"));
    }
}
