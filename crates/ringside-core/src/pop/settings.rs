//! The `[pop]` settings: when the pop-up opens by itself, how long a dismissed pop-up stays
//! loaded while the main window is closed, the loopback event API's port, and the baresip
//! `ctrl_tcp` address to listen to. Validated once
//! when the config is read ([`crate::config`]); the desktop intake only reads them.

/// When the pop-up opens without the agent asking (`[pop] open_on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PopOpenOn {
    /// On the ring (the default): the agent sees who it is before answering.
    #[default]
    Ring,
    /// When the call is answered.
    Answer,
    /// Never by itself; the tray's "Show caller" opens it.
    Manual,
}

impl PopOpenOn {
    /// Reads `ring`, `answer` or `manual`.
    pub fn parse(value: &str) -> Option<PopOpenOn> {
        match value {
            "ring" => Some(PopOpenOn::Ring),
            "answer" => Some(PopOpenOn::Answer),
            "manual" => Some(PopOpenOn::Manual),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PopOpenOn::Ring => "ring",
            PopOpenOn::Answer => "answer",
            PopOpenOn::Manual => "manual",
        }
    }
}

/// `[pop] keep_loaded_secs` when the config leaves it out: five minutes, so the pop-ups of a
/// busy shift open on a loaded page and a quiet desk gives the memory back.
pub const DEFAULT_KEEP_LOADED_SECS: u32 = 300;

/// The longest `[pop] keep_loaded_secs` accepted (a day).
pub const MAX_KEEP_LOADED_SECS: u32 = 86_400;

/// `[pop]`: how calls reach the desktop app and when its pop-up opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopSettings {
    pub open_on: PopOpenOn,
    /// `keep_loaded_secs`: while the main window is closed (Ringside in the tray), how long a
    /// dismissed pop-up keeps its page loaded for the next call before it is closed to give
    /// its memory back (a WebKit web process of its own). 0 closes it at once.
    pub keep_loaded_secs: u32,
    /// `event_port`: the loopback API's port; `None` picks a free port (written
    /// to `RINGSIDE_HOME/event-api.json` for `ringside call`).
    pub event_port: Option<u16>,
    /// `baresip`: `host:port` of baresip's `ctrl_tcp_listen`; `None` runs no adapter.
    pub baresip: Option<String>,
}

impl Default for PopSettings {
    fn default() -> Self {
        PopSettings {
            open_on: PopOpenOn::default(),
            keep_loaded_secs: DEFAULT_KEEP_LOADED_SECS,
            event_port: None,
            baresip: None,
        }
    }
}

/// Checks a `host:port` address: a host (a name, an IPv4 address or a
/// bracketed IPv6 address) and a port from 1 to 65535. Returns why not.
pub fn validate_host_port(value: &str) -> Result<(), String> {
    let Some((host, port)) = value.rsplit_once(':') else {
        return Err("it has no port: write host:port, e.g. \"127.0.0.1:4444\"".into());
    };
    match port.parse::<u16>() {
        Ok(0) | Err(_) => return Err(format!("{port:?} is not a port from 1 to 65535")),
        Ok(_) => {}
    }
    let bracketed = host.starts_with('[') && host.ends_with(']') && host.len() > 2;
    let plain = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if bracketed || plain {
        Ok(())
    } else {
        Err(format!("{host:?} is not a host name or address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_needs_both_parts() {
        for good in ["127.0.0.1:4444", "localhost:14444", "[::1]:4444"] {
            assert_eq!(validate_host_port(good), Ok(()), "{good} is usable");
        }
        for bad in [
            "127.0.0.1",
            "127.0.0.1:0",
            ":4444",
            "host:port",
            "a b:1",
            "h:70000",
        ] {
            assert!(validate_host_port(bad).is_err(), "{bad} is refused");
        }
    }
}
