//! The admin's auto-update settings: the `[update]` table of `ringside.toml`. The app only
//! installs an update whose signature matches the organisation's public key, fetched from
//! the organisation's endpoint; both come from here at run time, so no key ships in the
//! package and each organisation signs its own builds.
//!
//! ```toml
//! [update]
//! pubkey = "dW50cnVzdGVkIGNvbW1lbnQ6…"   # the .pub file `tauri signer generate` wrote, as is
//! endpoint = "https://updates.example.com/ringside/latest.json"
//! check = "daily"                        # daily (at start and every 24 h, the default) | off
//! ```
//!
//! The endpoint is `https`; plain `http` is accepted only on a loopback address (a test
//! server on the same machine), since the manifest it serves decides which version is
//! fetched. A URL with a user name or password is refused: it would end up in logs.

use base64::Engine;
use serde::Deserialize;
use url::{Host, Url};

/// The raw `[update]` table, read by [`crate::config`]'s single parse.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUpdate {
    pubkey: Option<String>,
    endpoint: Option<String>,
    check: Option<String>,
}

/// `check`: when the app looks for an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UpdateCheck {
    /// At start and every 24 hours after.
    Daily,
    /// Never (the package manager or the admin updates Ringside).
    Off,
}

/// The validated `[update]` table with checking on (`check = "off"` or no table: none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateSettings {
    /// The organisation's minisign public key, exactly as the plugin takes it (base64 of
    /// the `.pub` file).
    pub pubkey: UpdatePublicKey,
    /// Where `latest.json` is served.
    pub endpoint: UpdateEndpoint,
}

/// A minisign public key in the form `tauri signer generate` writes it: the base64 text of
/// the `.pub` file (an untrusted comment line, then the key line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePublicKey(String);

impl UpdatePublicKey {
    /// Checks that `text` decodes to a minisign public key; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(
                "is empty: paste the contents of the .pub file `tauri signer generate` wrote"
                    .into(),
            );
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| {
                "is not base64: paste the contents of the .pub file `tauri signer generate` wrote, unchanged"
                    .to_owned()
            })?;
        let decoded = String::from_utf8(decoded)
            .map_err(|_| "does not decode to a minisign public key (not text)".to_owned())?;
        minisign_verify::PublicKey::decode(&decoded).map_err(|e| {
            format!("does not decode to a minisign public key ({e}): give the .pub file's contents, not the private key")
        })?;
        Ok(UpdatePublicKey(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The update manifest's URL: `https`, or `http` on a loopback address only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateEndpoint(Url);

impl UpdateEndpoint {
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = Url::parse(text.trim()).map_err(|e| format!("is not a URL ({e})"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "must not carry a user name or password: it would be written to logs".into(),
            );
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(
                    "uses plain http off this machine: use https (plain http is accepted only on 127.0.0.1, ::1 or localhost)"
                        .into(),
                );
            }
            other => return Err(format!("uses {other}: use an https URL")),
        }
        if url.host().is_none() {
            return Err("has no host".into());
        }
        Ok(UpdateEndpoint(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// Plain http (only ever on loopback): the updater must be told to accept it.
    pub fn is_plain_http(&self) -> bool {
        self.0.scheme() == "http"
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Validates a raw `[update]` table; the error is `key reason` (the caller adds the file).
pub(crate) fn from_raw(raw: RawUpdate) -> Result<Option<UpdateSettings>, (&'static str, String)> {
    let check = match raw.check.as_deref() {
        None | Some("daily") => UpdateCheck::Daily,
        Some("off") => UpdateCheck::Off,
        Some(other) => {
            return Err((
                "check",
                format!("= {other:?} is not one of \"daily\", \"off\""),
            ));
        }
    };
    let pubkey = raw
        .pubkey
        .map(|k| UpdatePublicKey::parse(&k))
        .transpose()
        .map_err(|reason| ("pubkey", reason))?;
    let endpoint = raw
        .endpoint
        .map(|e| UpdateEndpoint::parse(&e))
        .transpose()
        .map_err(|reason| ("endpoint", reason))?;
    if check == UpdateCheck::Off {
        // Switched off: whatever else is given was still checked above, so a typo shows
        // now rather than on the day the admin switches updates on.
        return Ok(None);
    }
    match (pubkey, endpoint) {
        (Some(pubkey), Some(endpoint)) => Ok(Some(UpdateSettings { pubkey, endpoint })),
        (None, _) => Err((
            "pubkey",
            "is missing: updates are installed only when signed with your organisation's key; give its public key (or set check = \"off\")".into(),
        )),
        (_, None) => Err((
            "endpoint",
            "is missing: give the https URL of your latest.json (or set check = \"off\")".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real public key, as `tauri signer generate` writes it (its private half was thrown away).
    const PUBKEY: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk6IDk5MzA4NTVDMDZBMUQ4NjYKUldSbTJLRUdYSVV3bVpFbWhaOTQzakN0eEpURFAzWTVPOG9paEVlaUNFaVBSQ2daMnRZaHZYWm8K";

    fn raw(pubkey: Option<&str>, endpoint: Option<&str>, check: Option<&str>) -> RawUpdate {
        RawUpdate {
            pubkey: pubkey.map(str::to_owned),
            endpoint: endpoint.map(str::to_owned),
            check: check.map(str::to_owned),
        }
    }

    #[test]
    fn a_tauri_public_key_is_accepted() {
        assert!(
            UpdatePublicKey::parse(PUBKEY).is_ok(),
            "the .pub file's base64 is what the updater takes"
        );
    }

    #[test]
    fn a_key_that_is_not_a_minisign_public_key_is_refused() {
        let not_base64 = UpdatePublicKey::parse("RWTIeeBoI1ayRTYt not base64!").unwrap_err();
        assert!(not_base64.contains("not base64"), "{not_base64}");
        let not_a_key = base64::engine::general_purpose::STANDARD.encode("hello\nworld\n");
        let err = UpdatePublicKey::parse(&not_a_key).unwrap_err();
        assert!(
            err.contains("minisign public key"),
            "text that is not a key must be named as such: {err}"
        );
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let err = UpdateEndpoint::parse("http://updates.example.com/latest.json").unwrap_err();
        assert!(err.contains("use https"), "{err}");
        for local in [
            "http://127.0.0.1:8080/latest.json",
            "http://[::1]:8080/latest.json",
            "http://localhost/latest.json",
        ] {
            assert!(
                UpdateEndpoint::parse(local).unwrap().is_plain_http(),
                "a loopback test server may use http: {local}"
            );
        }
        assert!(
            !UpdateEndpoint::parse("https://u.example.com/latest.json")
                .unwrap()
                .is_plain_http()
        );
    }

    #[test]
    fn endpoints_with_credentials_or_other_schemes_are_refused() {
        let err = UpdateEndpoint::parse("https://user:secret@u.example.com/l.json").unwrap_err();
        assert!(err.contains("user name or password"), "{err}");
        assert!(!err.contains("secret"), "the password is never repeated");
        assert!(UpdateEndpoint::parse("ftp://u.example.com/l.json").is_err());
        assert!(UpdateEndpoint::parse("file:///tmp/latest.json").is_err());
    }

    #[test]
    fn both_key_and_endpoint_are_needed_unless_checking_is_off() {
        let endpoint = Some("https://u.example.com/latest.json");
        assert_eq!(from_raw(raw(None, endpoint, None)).unwrap_err().0, "pubkey");
        assert_eq!(
            from_raw(raw(Some(PUBKEY), None, None)).unwrap_err().0,
            "endpoint"
        );
        assert_eq!(from_raw(raw(None, None, Some("off"))).unwrap(), None);
        let settings = from_raw(raw(Some(PUBKEY), endpoint, None)).unwrap();
        assert!(settings.is_some(), "daily is the default");
        assert_eq!(
            from_raw(raw(Some(PUBKEY), endpoint, Some("off"))).unwrap(),
            None,
            "off means no checks even with a key and endpoint"
        );
        assert_eq!(
            from_raw(raw(None, None, Some("hourly"))).unwrap_err().0,
            "check"
        );
    }

    #[test]
    fn a_bad_key_is_refused_even_when_checking_is_off() {
        // A typo must show now, not on the day the admin switches updates on.
        assert_eq!(
            from_raw(raw(Some("bm9wZQ=="), None, Some("off")))
                .unwrap_err()
                .0,
            "pubkey"
        );
    }
}
