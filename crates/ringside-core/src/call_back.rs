//! Calling a number back (from the agent's day or the history): through baresip's `dial`
//! when baresip is configured and connected, else by handing `tel:<E.164>` to the system's
//! opener, which starts the softphone registered for `tel:`. And opening a call's
//! recording, only as a web link. Both are what the desktop's buttons do; the shell forwards.

use crate::ipc_code::IpcCode;
use serde::Serialize;

use crate::events::baresip::{BaresipCommandError, BaresipControl};
use crate::login::open_in_browser;
use crate::phone::normalize_phone;
use crate::settings::LookupSettings;

/// How a call back was started.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CallBack {
    /// `baresip`: baresip accepted its `dial` command (over the adapter's ctrl_tcp
    /// connection). `tel`: the `tel:` link was handed to the system's opener (the softphone
    /// registered for `tel:` dials).
    pub via: String,
    /// The number as a link, e.g. `tel:+14155550123` (opened when `via` is `tel`).
    pub uri: String,
    /// Set when baresip is configured but `tel:` was used: why (it was not connected).
    pub fallback: Option<String>,
}

/// Why a call back or a recording was not opened.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The input is not what can be opened (the user's to fix).
    #[error("{0}")]
    Invalid(&'static str),
    /// baresip refused the dial or did not answer: nothing is tried through `tel:` then,
    /// since the call may be ringing already.
    #[error("{0}")]
    Baresip(BaresipCommandError),
    /// The system's opener could not be started.
    #[error("the {what} could not be opened: {why}")]
    Opener { what: &'static str, why: String },
}

impl LinkError {
    /// The stable code a UI branches on: `invalid_input`, `baresip_failed`, `opener_failed`.
    pub fn code(&self) -> IpcCode {
        match self {
            LinkError::Invalid(_) => IpcCode::InvalidInput,
            LinkError::Baresip(_) => IpcCode::BaresipFailed,
            LinkError::Opener { .. } => IpcCode::OpenerFailed,
        }
    }
}

/// Calls `number` back: checks it is a phone number, then, when `baresip` is given, sends
/// `dial <E.164>` over the adapter's connection; without baresip (or while it is not
/// connected: nothing was sent, so nothing can ring twice) hands `tel:<E.164>` to the
/// system's opener (`xdg-open`, or the program in `RINGSIDE_BROWSER`). A dial baresip
/// refused or did not answer is an error, not a second attempt through `tel:`.
pub async fn call_back(
    number: &str,
    baresip: Option<&BaresipControl>,
) -> Result<CallBack, LinkError> {
    let uri = tel_uri(number)?;
    let e164 = uri.trim_start_matches("tel:").to_owned();
    let fallback = match baresip {
        Some(control) => match control.dial(&e164).await {
            Ok(_) => {
                tracing::info!("call back started through baresip");
                return Ok(CallBack {
                    via: "baresip".into(),
                    uri,
                    fallback: None,
                });
            }
            Err(BaresipCommandError::NotConnected) => {
                Some(BaresipCommandError::NotConnected.to_string())
            }
            Err(err) => return Err(LinkError::Baresip(err)),
        },
        None => None,
    };
    open_in_browser(&uri).map_err(|err| LinkError::Opener {
        what: "phone link",
        why: err.to_string(),
    })?;
    tracing::info!(
        baresip_not_connected = fallback.is_some(),
        "call back started through tel:"
    );
    Ok(CallBack {
        via: "tel".into(),
        uri,
        fallback,
    })
}

/// Opens a call's recording in the browser: only `https://` and `http://` links, so a
/// recording URL from Salesforce's data can never start a local program or script.
pub fn open_recording(url: &str) -> Result<(), LinkError> {
    let parsed =
        url::Url::parse(url.trim()).map_err(|_| LinkError::Invalid("that is not a link"))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(LinkError::Invalid("only web links (https://) are opened"));
    }
    open_in_browser(parsed.as_str()).map_err(|err| LinkError::Opener {
        what: "recording",
        why: err.to_string(),
    })
}

/// `tel:` and the E.164 form of `number` (in the OS locale's region when it has no `+`).
fn tel_uri(number: &str) -> Result<String, LinkError> {
    let region = LookupSettings::from_environment().default_region;
    let phone = normalize_phone(number, region)
        .map_err(|_| LinkError::Invalid("that is not a phone number to call back"))?;
    Ok(format!("tel:{}", phone.e164()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_back_links_are_e164_and_refuse_what_is_no_number() {
        assert_eq!(
            tel_uri("+1 (415) 555-0123").expect("a number"),
            "tel:+14155550123"
        );
        assert_eq!(
            tel_uri("call me; rm -rf").expect_err("not a number").code(),
            "invalid_input"
        );
    }

    #[test]
    fn recordings_open_only_as_web_links() {
        for bad in ["file:///etc/passwd", "javascript:alert(1)", "not a link"] {
            assert_eq!(
                open_recording(bad)
                    .expect_err("refused before anything is opened")
                    .code(),
                "invalid_input",
                "{bad} must not reach the opener"
            );
        }
    }
}
