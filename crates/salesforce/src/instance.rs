//! The org's instance URL, validated once: the only host this client sends a token to.
//!
//! Salesforce serves the REST API on the org's My Domain host (`https://acme.my.salesforce.com`).
//! The Lightning UI host (`acme.lightning.force.com`) looks similar in a browser address bar but
//! does not serve the API, so it is refused with a message that names the right host.
//! See <https://help.salesforce.com/s/articleView?id=sf.domain_name_app_url_changes.htm>.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

use crate::error::Error;

/// A validated instance URL: `https://host[:port]`, or `http://` on a loopback address only
/// (the demo org and tests), with no path, query, fragment or credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct InstanceUrl {
    /// Kept without a trailing slash so `origin + "/services/..."` is always well formed.
    origin: String,
}

impl InstanceUrl {
    /// Parses and validates an instance URL such as `https://acme.my.salesforce.com`.
    ///
    /// A trailing `/` is accepted. Refused: other schemes, plain `http` to a non-loopback host
    /// (the token would travel in clear text), `*.lightning.force.com`, user info, a path other
    /// than `/`, a query or a fragment.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim();
        let url = Url::parse(trimmed).map_err(|e| {
            Error::InvalidInput(format!("the instance URL `{trimmed}` is not a URL: {e}"))
        })?;
        let host = url.host().ok_or_else(|| {
            Error::InvalidInput(format!("the instance URL `{trimmed}` has no host"))
        })?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(Error::InvalidInput(format!(
                    "the instance URL `{trimmed}` uses plain http; use https (plain http is only \
                     allowed to a loopback address such as the demo org)"
                )));
            }
            other => {
                return Err(Error::InvalidInput(format!(
                    "the instance URL must start with https://, not `{other}:`"
                )));
            }
        }
        if let Host::Domain(domain) = &host {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            if domain == "lightning.force.com" || domain.ends_with(".lightning.force.com") {
                let suggestion = domain
                    .strip_suffix(".lightning.force.com")
                    .map(|name| format!(" (probably https://{name}.my.salesforce.com)"))
                    .unwrap_or_default();
                return Err(Error::InvalidInput(format!(
                    "`{domain}` is the Lightning UI host and does not serve the API; use the \
                     org's My Domain host `*.my.salesforce.com`{suggestion}"
                )));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::InvalidInput(
                "the instance URL must not contain a user name or password".into(),
            ));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(Error::InvalidInput(format!(
                "the instance URL `{trimmed}` must be just the scheme and host, without a path, \
                 query or fragment"
            )));
        }
        let origin = url.as_str().trim_end_matches('/').to_owned();
        Ok(Self { origin })
    }

    /// `scheme://host[:port]`, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.origin
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

impl fmt::Display for InstanceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin)
    }
}

impl fmt::Debug for InstanceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InstanceUrl({})", self.origin)
    }
}

impl std::str::FromStr for InstanceUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_my_domain_and_strips_the_trailing_slash() {
        let url = InstanceUrl::parse("https://acme.my.salesforce.com/").unwrap();
        assert_eq!(
            url.as_str(),
            "https://acme.my.salesforce.com",
            "paths are appended to this"
        );
    }

    #[test]
    fn accepts_plain_http_on_loopback_for_the_demo_org() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:9",
            "http://[::1]:1234/",
        ] {
            assert!(
                InstanceUrl::parse(ok).is_ok(),
                "{ok} is loopback and must be accepted"
            );
        }
    }

    #[test]
    fn refuses_lightning_host_and_names_the_my_domain_host() {
        let err = InstanceUrl::parse("https://Acme.Lightning.Force.com").unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("my.salesforce.com") && message.contains("acme.my.salesforce.com"),
            "the error must tell the user which host to use instead: {message}"
        );
    }

    #[test]
    fn refuses_other_schemes_clear_http_paths_and_credentials() {
        for bad in [
            "ftp://acme.my.salesforce.com",
            "http://acme.my.salesforce.com",
            "https://acme.my.salesforce.com/services/data",
            "https://acme.my.salesforce.com/?x=1",
            "https://user:pw@acme.my.salesforce.com",
            "acme.my.salesforce.com",
            "",
        ] {
            assert!(InstanceUrl::parse(bad).is_err(), "`{bad}` must be refused");
        }
    }
}
