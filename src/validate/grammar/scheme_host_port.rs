//! Chromium scheme/host/port matcher rules, as `AuthServerAllowlist` and
//! `AuthNegotiateDelegateAllowlist` are read: `HttpAuthFilterAllowlist` hands the policy string
//! to `ProxyBypassRules::ParseFromString` (net/http/http_auth_filter.cc), which splits it on `,`
//! and `;` and parses each rule with `ParseRule` (net/proxy_resolution/proxy_bypass_rules.cc)
//! and `SchemeHostPortMatcherRule::FromUntrimmedRawString`
//! (net/base/scheme_host_port_matcher_rule.cc):
//!
//! - surrounding whitespace is trimmed;
//! - `<local>` matches every host name without a dot; `<-loopback>` removes the implicit
//!   loopback rules;
//! - `scheme://` restricts the rule to that scheme (`http://localhost` does not match
//!   `https://localhost`); an empty scheme drops the rule;
//! - a `/` makes the rule a CIDR block (`10.0.0.0/8`); anything else with a `/` is dropped;
//! - an IPv4 literal or bracketed IPv6 literal, with an optional `:port`, matches that address;
//! - otherwise a host-name pattern with an optional `:port` (0-65535, else the rule is dropped);
//!   a leading `.` means `*.`; `*` and `?` are glob wildcards matched against the lower-cased
//!   host, so `*` matches every host and `*.example.com` every subdomain.
//!
//! A rule Chromium drops is reported as [`Rule::Dropped`] with the reason: Chromium says
//! nothing, the entry simply never matches.

use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// `<local>`: host names without a dot.
    SimpleHostnames,
    /// `<-loopback>`.
    SubtractImplicit,
    /// A CIDR block such as `10.0.0.0/8`.
    IpBlock {
        scheme: Option<String>,
        block: String,
    },
    /// An IP literal with an optional port.
    IpHost {
        scheme: Option<String>,
        ip: IpLiteral,
        port: Option<u16>,
    },
    /// A host-name glob with an optional port.
    Hostname {
        scheme: Option<String>,
        /// Lower-cased; a leading `.` already turned into `*.`.
        pattern: String,
        port: Option<u16>,
    },
    /// Chromium does not add the rule.
    Dropped(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpLiteral {
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

/// Splits a policy string the way `ProxyBypassRules::ParseFromString` does.
pub fn split(policy: &str) -> impl Iterator<Item = &str> {
    policy.split([',', ';']).filter(|t| !t.is_empty())
}

/// Parses one rule as Chromium does.
pub fn parse(raw: &str) -> Rule {
    let raw = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if raw.eq_ignore_ascii_case("<local>") {
        return Rule::SimpleHostnames;
    }
    if raw.eq_ignore_ascii_case("<-loopback>") {
        return Rule::SubtractImplicit;
    }
    let (scheme, rest) = match raw.find("://") {
        Some(0) => return Rule::Dropped("the scheme before :// is empty"),
        Some(i) => (Some(raw[..i].to_ascii_lowercase()), &raw[i + 3..]),
        None => (None, raw),
    };
    if rest.is_empty() {
        return Rule::Dropped("there is no host");
    }
    if rest.contains('/') {
        return match parse_cidr(rest) {
            true => Rule::IpBlock {
                scheme,
                block: rest.to_string(),
            },
            false => Rule::Dropped(
                "a `/` makes the rule an IP block (10.0.0.0/8); a path is not part of this syntax",
            ),
        };
    }
    if let Some((ip, port)) = ip_and_port(rest) {
        return Rule::IpHost { scheme, ip, port };
    }
    let (host, port) = match rest.rfind(':') {
        Some(i) => {
            let p = &rest[i + 1..];
            match p.parse::<u32>() {
                Ok(n) if n <= 0xFFFF && p.bytes().all(|b| b.is_ascii_digit()) => {
                    (&rest[..i], Some(n as u16))
                }
                _ => return Rule::Dropped("the port is not a number from 0 to 65535"),
            }
        }
        None => (rest, None),
    };
    let pattern = match host.strip_prefix('.') {
        Some(_) => format!("*{}", host.to_ascii_lowercase()),
        None => host.to_ascii_lowercase(),
    };
    Rule::Hostname {
        scheme,
        pattern,
        port,
    }
}

/// `ParseHostAndPort` followed by an IP-literal check: `1.2.3.4`, `1.2.3.4:80`, `[::1]`,
/// `[::1]:80`.
fn ip_and_port(s: &str) -> Option<(IpLiteral, Option<u16>)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']')?;
        let ip = rest[..end].parse::<Ipv6Addr>().ok()?;
        let after = &rest[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse::<u16>().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((IpLiteral::V6(ip), port));
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p.parse::<u16>().ok()?)),
            None => (s, None),
        }
    };
    host.parse::<Ipv4Addr>()
        .ok()
        .map(|ip| (IpLiteral::V4(ip), port))
}

fn parse_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    match (ip.parse::<Ipv4Addr>(), ip.parse::<Ipv6Addr>()) {
        (Ok(_), _) => bits <= 32,
        (_, Ok(_)) => bits <= 128,
        _ => false,
    }
}

impl Rule {
    /// The host part a person reads: the glob, or the IP literal.
    pub fn host(&self) -> Option<String> {
        match self {
            Rule::Hostname { pattern, .. } => Some(pattern.clone()),
            Rule::IpHost {
                ip: IpLiteral::V4(ip),
                ..
            } => Some(ip.to_string()),
            Rule::IpHost {
                ip: IpLiteral::V6(ip),
                ..
            } => Some(format!("[{ip}]")),
            _ => None,
        }
    }

    pub fn scheme(&self) -> Option<&str> {
        match self {
            Rule::Hostname { scheme, .. }
            | Rule::IpHost { scheme, .. }
            | Rule::IpBlock { scheme, .. } => scheme.as_deref(),
            _ => None,
        }
    }

    /// Whether the rule matches only loopback hosts (`localhost`, 127/8, `[::1]`).
    pub fn is_loopback(&self) -> bool {
        match self {
            Rule::IpHost {
                ip: IpLiteral::V4(ip),
                ..
            } => ip.is_loopback(),
            Rule::IpHost {
                ip: IpLiteral::V6(ip),
                ..
            } => ip.is_loopback(),
            Rule::Hostname { pattern, .. } => {
                !pattern.contains(['*', '?']) && super::is_loopback_host(pattern)
                    || pattern == "*.localhost"
            }
            _ => false,
        }
    }

    /// What Chromium matches with the rule, in one phrase.
    pub fn describe(&self) -> String {
        let sch = |s: &Option<String>| {
            s.as_ref()
                .map_or("any scheme".to_string(), |s| format!("{s} only"))
        };
        let port = |p: &Option<u16>| p.map_or("any port".to_string(), |p| format!("port {p}"));
        match self {
            Rule::SimpleHostnames => "every host name without a dot".into(),
            Rule::SubtractImplicit => "removes the implicit loopback rules".into(),
            Rule::IpBlock { scheme, block } => format!("{}, addresses in {block}", sch(scheme)),
            Rule::IpHost {
                scheme, port: p, ..
            } => {
                format!(
                    "{}, {}, {}",
                    sch(scheme),
                    self.host().unwrap_or_default(),
                    port(p)
                )
            }
            Rule::Hostname {
                scheme,
                pattern,
                port: p,
            } => {
                let host = if pattern == "*" {
                    "every host".to_string()
                } else if let Some(d) = pattern.strip_prefix("*.") {
                    format!("every subdomain of {d}")
                } else {
                    format!("hosts matching {pattern}")
                };
                format!("{}, {host}, {}", sch(scheme), port(p))
            }
            Rule::Dropped(why) => format!("dropped: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rules and what they match. Source: chromium/chromium
    /// `net/base/scheme_host_port_matcher_rule_unittest.cc` (HostOnlyRule, BasicDomain,
    /// BasicDomainWithPort, MatchAll, HttpScheme, HttpOnlyWithWildcard, PunnyCodeHostname,
    /// IPHostRule IPv4/IPv6 with port and scheme) and
    /// `net/proxy_resolution/proxy_bypass_rules_unittest.cc` (`<local>`, `<-loopback>`, CIDR,
    /// separators).
    const VECTORS: &[(&str, &str)] = &[
        (
            "wWw.gOogle.com",
            "any scheme, hosts matching www.google.com, any port",
        ),
        (
            ".gOOgle.com",
            "any scheme, every subdomain of google.com, any port",
        ),
        (
            "*.GOOGLE.com:80",
            "any scheme, every subdomain of google.com, port 80",
        ),
        ("*", "any scheme, every host, any port"),
        (
            "http://www.google.com",
            "http only, hosts matching www.google.com, any port",
        ),
        (
            "http://*www.GOOGLE.com",
            "http only, hosts matching *www.google.com, any port",
        ),
        (
            "*.xn--flw351e.cn",
            "any scheme, every subdomain of xn--flw351e.cn, any port",
        ),
        ("192.168.1.1", "any scheme, 192.168.1.1, any port"),
        ("192.168.1.1:33", "any scheme, 192.168.1.1, port 33"),
        ("http://192.168.1.1", "http only, 192.168.1.1, any port"),
        (
            "[3ffe:2a00:100:7031:0:0::1]",
            "any scheme, [3ffe:2a00:100:7031::1], any port",
        ),
        (
            "[3ffe:2a00:100:7031:0:0::1]:33",
            "any scheme, [3ffe:2a00:100:7031::1], port 33",
        ),
        (
            "https://[3ffe:2a00:100:7031:0:0::1]",
            "https only, [3ffe:2a00:100:7031::1], any port",
        ),
        ("[::1]", "any scheme, [::1], any port"),
        ("<local>", "every host name without a dot"),
        ("<-loopback>", "removes the implicit loopback rules"),
        ("192.168.1.1/16", "any scheme, addresses in 192.168.1.1/16"),
        ("a:b:c:d::/48", "any scheme, addresses in a:b:c:d::/48"),
        ("*.org:443", "any scheme, every subdomain of org, port 443"),
        (
            "  foo.com  ",
            "any scheme, hosts matching foo.com, any port",
        ),
        (
            "http://localhost",
            "http only, hosts matching localhost, any port",
        ),
        // `[` is kept as a literal character of the glob: the rule matches no host.
        (
            "[*.]example.com",
            "any scheme, hosts matching [*.]example.com, any port",
        ),
    ];

    /// Rules Chromium drops (same files: ParseInvalidPort, BadInputs; a path).
    const DROPPED: &[&str] = &[
        "://",
        "  ",
        "http://",
        "*.foo.com:-34",
        "*.com:+443",
        "*.com:-443",
        "://x.com",
        "foo.com:abc",
        "foo.com:70000",
        "http://localhost/x",
        "foo.com/path",
    ];

    #[test]
    fn chromium_vectors() {
        for (s, what) in VECTORS {
            assert_eq!(parse(s).describe(), *what, "{s}");
        }
        for s in DROPPED {
            assert!(matches!(parse(s), Rule::Dropped(_)), "{s}: {:?}", parse(s));
        }
    }

    #[test]
    fn separators_are_comma_and_semicolon() {
        let rules: Vec<&str> = split("a.com,b.com;c.com").collect();
        assert_eq!(rules, ["a.com", "b.com", "c.com"]);
        // proxy_bypass_rules_unittest.cc MultipleRules: entries are trimmed.
        let rules: Vec<String> = split(".google.com , .foobar.com:30")
            .map(|r| parse(r).describe())
            .collect();
        assert_eq!(
            rules,
            [
                "any scheme, every subdomain of google.com, any port",
                "any scheme, every subdomain of foobar.com, port 30"
            ]
        );
    }

    #[test]
    fn loopback() {
        for s in ["http://localhost", "127.0.0.1", "[::1]", "localhost:8080"] {
            assert!(parse(s).is_loopback(), "{s}");
        }
        for s in ["*", "*localhost", "server.nhs.uk", "10.0.0.1"] {
            assert!(!parse(s).is_loopback(), "{s}");
        }
    }
}
