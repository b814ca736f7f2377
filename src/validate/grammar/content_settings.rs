//! Chromium content-settings patterns, as `content_settings::PatternParser::Parse` and
//! `ContentSettingsPattern::Builder` read them (components/content_settings/core/common/
//! content_settings_pattern_parser.cc, content_settings_pattern.cc). Used by
//! `CookiesAllowedForUrls`, the Local Network Access lists and every `*ForUrls` content setting.
//!
//! `[scheme://][host][:port][/path]`:
//! - `*` alone matches everything;
//! - the scheme is `http`, `https` or `*`, or absent (any scheme);
//! - the host is `*` (any host), `[*.]domain` (the domain and its subdomains), a domain, an IPv4
//!   literal or a bracketed IPv6 literal; `[*.]` alone is the host wildcard; a trailing dot is
//!   dropped; partial wildcards (`*example.com`, `*.example.com`, `example.*`), `[*.].x` and
//!   `[*.]` before an IP literal are invalid;
//! - the port is a number or `*`, absent meaning `*`;
//! - on http(s) a path is accepted and ignored: the pattern grants the whole origin.
//!
//! `file:` and browser-internal schemes (`chrome-extension:` ...) are outside what these
//! policies take; the parser reports them as not accepted for a web-origin policy.

use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// No scheme or `*://`: every scheme.
    Any,
    Http,
    Https,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// `*` or `[*.]`: every host.
    Any,
    /// A domain name; `subdomains` for `[*.]domain`.
    Domain {
        name: String,
        subdomains: bool,
    },
    Ipv4(Ipv4Addr),
    /// Written in brackets.
    Ipv6(Ipv6Addr),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The whole pattern is `*`.
    pub everything: bool,
    pub scheme: Scheme,
    pub host: Host,
    /// `None` is the port wildcard.
    pub port: Option<u16>,
    /// A path after the host: Chromium accepts it on http(s) and ignores it.
    pub path: Option<String>,
}

/// Why Chromium rejects a pattern (the policy entry is then dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

impl Pattern {
    /// `scheme://host[:port]` without the ignored path, in the author's own spelling of host.
    pub fn origin(&self) -> String {
        let mut s = String::new();
        match self.scheme {
            Scheme::Any => {}
            Scheme::Http => s.push_str("http://"),
            Scheme::Https => s.push_str("https://"),
        }
        match &self.host {
            Host::Any => s.push('*'),
            Host::Domain { name, subdomains } => {
                if *subdomains {
                    s.push_str("[*.]");
                }
                s.push_str(name);
            }
            Host::Ipv4(ip) => s.push_str(&ip.to_string()),
            Host::Ipv6(ip) => s.push_str(&format!("[{ip}]")),
        }
        if let Some(p) = self.port {
            s.push_str(&format!(":{p}"));
        }
        s
    }

    /// Whether the host is loopback (`localhost`, 127/8, `[::1]`).
    pub fn is_loopback(&self) -> bool {
        match &self.host {
            Host::Domain { name, .. } => super::is_loopback_host(name),
            Host::Ipv4(ip) => ip.is_loopback(),
            Host::Ipv6(ip) => ip.is_loopback(),
            Host::Any => false,
        }
    }

    /// The domain a `[*.]` wildcard covers, if any.
    pub fn wildcard_domain(&self) -> Option<&str> {
        match &self.host {
            Host::Domain {
                name,
                subdomains: true,
            } => Some(name),
            _ => None,
        }
    }

    /// Whether the pattern matches the origin `scheme://host:port` (lower-case host, explicit
    /// port), as `ContentSettingsPattern::Matches` does for web origins: the scheme unless
    /// wildcard, the host exactly or as a subdomain of a `[*.]` domain, the port unless wildcard.
    pub fn matches(&self, scheme: &str, host: &str, port: u16) -> bool {
        if self.everything {
            return true;
        }
        let scheme_ok = match self.scheme {
            Scheme::Any => true,
            Scheme::Http => scheme == "http",
            Scheme::Https => scheme == "https",
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let host_ok = match &self.host {
            Host::Any => true,
            Host::Domain { name, subdomains } => {
                let name = name.to_ascii_lowercase();
                host == name || (*subdomains && host.ends_with(&format!(".{name}")))
            }
            Host::Ipv4(ip) => host == ip.to_string(),
            Host::Ipv6(ip) => host == format!("[{ip}]"),
        };
        scheme_ok && host_ok && self.port.is_none_or(|p| p == port)
    }

    /// What Chromium matches with this pattern, in one phrase.
    pub fn describe(&self) -> String {
        if self.everything {
            return "every URL".into();
        }
        let scheme = match self.scheme {
            Scheme::Any => "any scheme",
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        let host = match &self.host {
            Host::Any => "any host".to_string(),
            Host::Domain {
                name,
                subdomains: true,
            } => format!("{name} and every subdomain"),
            Host::Domain { name, .. } => name.clone(),
            Host::Ipv4(ip) => ip.to_string(),
            Host::Ipv6(ip) => format!("[{ip}]"),
        };
        let port = self
            .port
            .map_or("any port".to_string(), |p| format!("port {p}"));
        format!("{scheme}, {host}, {port}")
    }
}

/// Parses one pattern as Chromium does.
pub fn parse(s: &str) -> Result<Pattern, Invalid> {
    if s.is_empty() {
        return Err(Invalid("the pattern is empty"));
    }
    if s == "*" {
        return Ok(Pattern {
            everything: true,
            scheme: Scheme::Any,
            host: Host::Any,
            port: None,
            path: None,
        });
    }
    let (scheme, rest) = match s.find("://") {
        Some(i) => {
            let sc = match s[..i].to_ascii_lowercase().as_str() {
                "*" => Scheme::Any,
                "http" => Scheme::Http,
                "https" => Scheme::Https,
                "file" => return Err(Invalid("file: patterns are not web origins")),
                _ => return Err(Invalid("the scheme must be http, https or *")),
            };
            (sc, &s[i + 3..])
        }
        None => (Scheme::Any, s),
    };
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], Some(rest[i..].to_string())),
        None => (rest, None),
    };
    // Host, then an optional `:port`. A bracketed IPv6 literal holds colons of its own.
    let (host_text, port_text) = if hostport.starts_with('[') && !hostport.starts_with("[*.]") {
        let end = hostport
            .find(']')
            .ok_or(Invalid("the IPv6 address has no closing bracket"))?;
        let (h, after) = hostport.split_at(end + 1);
        match after.strip_prefix(':') {
            Some(p) => (h, Some(p)),
            None if after.is_empty() => (h, None),
            None => return Err(Invalid("text follows the IPv6 address")),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match port_text {
        None | Some("*") => None,
        Some(p) => match p.parse::<u16>() {
            Ok(0) => return Err(Invalid("port 0 matches no URL")),
            Ok(n) if !p.starts_with('+') => Some(n),
            _ => return Err(Invalid("the port must be a number from 1 to 65535, or *")),
        },
    };
    let host = parse_host(host_text)?;
    Ok(Pattern {
        everything: false,
        scheme,
        host,
        port,
        path,
    })
}

fn parse_host(h: &str) -> Result<Host, Invalid> {
    if h == "*" || h == "[*.]" {
        return Ok(Host::Any);
    }
    if h.is_empty() {
        return Err(Invalid("the host is empty"));
    }
    if let Some(inner) = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        if !h.starts_with("[*.]") {
            return inner
                .parse::<Ipv6Addr>()
                .map(Host::Ipv6)
                .map_err(|_| Invalid("the bracketed host is not an IPv6 address"));
        }
    }
    let (name, subdomains) = match h.strip_prefix("[*.]") {
        Some(d) => (d, true),
        None => (h, false),
    };
    if subdomains && name.starts_with('.') {
        return Err(Invalid(
            "`[*.]` is followed by a dot (write [*.]example.com)",
        ));
    }
    if name.contains('*') {
        return Err(Invalid(
            "a wildcard must be the whole host (*) or the [*.] prefix; partial wildcards such as *.example.com are not accepted",
        ));
    }
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        if subdomains {
            return Err(Invalid("[*.] cannot precede an IP address"));
        }
        return Ok(Host::Ipv4(ip));
    }
    if !super::valid_domain(name) {
        return Err(Invalid(
            "the host is not a domain name, [*.]domain, IPv4 or [IPv6] address",
        ));
    }
    Ok(Host::Domain {
        name: name.strip_suffix('.').unwrap_or(name).to_string(),
        subdomains,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Patterns Chromium accepts, with what they match. Sources:
    /// `content_settings_pattern_parser_unittest.cc` (ParsePatterns) and
    /// `content_settings_pattern_unittest.cc` (FromString_WithNoWildcards, _WithIPAdresses,
    /// _WithWildcards, TrimEndingDotFromHost, ToDomainWildcardPattern) in chromium/chromium
    /// `components/content_settings/core/common/`.
    const VALID: &[(&str, &str)] = &[
        ("*", "every URL"),
        (
            "http://www.youtube.com:8080",
            "http, www.youtube.com, port 8080",
        ),
        ("*://www.gmail.com:80", "any scheme, www.gmail.com, port 80"),
        ("http://www.gmail.com:*", "http, www.gmail.com, any port"),
        (
            "http://[*.]google.com:80",
            "http, google.com and every subdomain, port 80",
        ),
        ("https://[::1]:8080", "https, [::1], port 8080"),
        ("http://127.0.0.1:8080", "http, 127.0.0.1, port 8080"),
        (
            "www.youtube.com:8080",
            "any scheme, www.youtube.com, port 8080",
        ),
        ("www.youtube.com", "any scheme, www.youtube.com, any port"),
        (
            "[*.]youtube.com",
            "any scheme, youtube.com and every subdomain, any port",
        ),
        (
            "http://www.example.com:80",
            "http, www.example.com, port 80",
        ),
        (
            "https://www.example.com:443",
            "https, www.example.com, port 443",
        ),
        ("192.168.0.1", "any scheme, 192.168.0.1, any port"),
        ("https://192.168.0.1:8080", "https, 192.168.0.1, port 8080"),
        ("[::1]", "any scheme, [::1], any port"),
        ("http://example.com:*", "http, example.com, any port"),
        (
            "*://www.example.com:*",
            "any scheme, www.example.com, any port",
        ),
        ("www.example.com.", "any scheme, www.example.com, any port"),
        ("[*.]", "any scheme, any host, any port"),
        ("http://*", "http, any host, any port"),
        ("http://[*.]", "http, any host, any port"),
        ("http://*:8080", "http, any host, port 8080"),
        ("*://*", "any scheme, any host, any port"),
        // A path on http(s) is accepted and ignored (ToDomainWildcardPattern test input).
        (
            "https://www.google.com:81/temporary/",
            "https, www.google.com, port 81",
        ),
    ];

    /// Patterns Chromium rejects (same files: ParsePatterns "Test invalid patterns",
    /// InvalidPatterns, FromString_WithIPAdresses, TrimEndingDotFromHost).
    const INVALID: &[&str] = &[
        "*youtube.com",
        "*.youtube.com",
        "www.youtube.com*",
        "[*.].youtube.com",
        "",
        "ftp://myhost.org",
        "*example.com",
        "example.*",
        "example.com:abc",
        "[*.]127.0.0.1",
        "..",
        "a..",
        "file:///foo/bar/test.html",
    ];

    #[test]
    fn chromium_vectors() {
        for (s, what) in VALID {
            let p = parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!(p.describe(), *what, "{s}");
        }
        for s in INVALID {
            assert!(parse(s).is_err(), "{s} should be invalid");
        }
    }

    /// Matching, from `content_settings_pattern_unittest.cc` (FromString_WithWildcards,
    /// FromString_WithNoWildcards).
    #[test]
    fn chromium_matching_vectors() {
        let m = |p: &str, s: &str, h: &str, port: u16| parse(p).unwrap().matches(s, h, port);
        assert!(m("[*.]example.com", "http", "example.com", 80));
        assert!(m("[*.]example.com", "http", "foo.example.com", 80));
        assert!(!m("[*.]example.com", "http", "example.org", 80));
        assert!(m("[*.]google.com:80", "http", "mail.google.com", 80));
        assert!(!m("[*.]google.com:80", "http", "mail.google.com", 81));
        assert!(m(
            "*://www.google.com:8080",
            "https",
            "www.google.com",
            8080
        ));
        assert!(!m("example.com", "http", "example.org", 80));
        assert!(!m(
            "http://www.example.com",
            "https",
            "www.example.com",
            443
        ));
    }

    #[test]
    fn path_is_kept_so_the_validator_can_name_it() {
        let p = parse("https://api.service.nhs.uk/signing-service").unwrap();
        assert_eq!(p.path.as_deref(), Some("/signing-service"));
        assert_eq!(p.origin(), "https://api.service.nhs.uk");
    }
}
