//! Links handed to the app by the OS: `ringside://oauth/callback?…` finishes a sign-in
//! ([`crate::signin`]), `ringside://call?…` with this install's `secret` is a call event on
//! the intake's stream (ringside-core's [`LinkIntake`] decides), and `tel:+1…` or a
//! `ringside://call` ring/answer without the secret only pops the caller (any web page can
//! open a link, so such a link is no call: no log form, no auto-log; the pop-up opens even
//! when pops are set to manual, like the tray's "Show caller").
//!
//! On Linux and Windows the OS starts a new copy of the app with the link as its argument;
//! the single-instance plugin (registered first, with its `deep-link` feature) hands it to the
//! running copy, where the deep-link plugin raises `on_open_url`. A link that started the
//! app is read once with `get_current()`. A malformed link is logged with its reason and
//! never crashes anything; only sign-in links are shown to the user (they wait for one).
//! The link itself is never logged: a sign-in callback carries a code and a state.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ringside_core::events::CallerId;
use ringside_core::events::EventStream;
use ringside_core::events::link::{LinkIntake, LinkOutcome};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

use crate::org::ActiveOrg;
use crate::popup::{self, LatestPop, PopUpdate};

/// Registers the schemes (Linux, Windows: the `.desktop` handler / registry entries),
/// listens for links and handles the one the app was started with, if any.
pub fn install<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(any(target_os = "linux", windows))]
    if let Err(err) = app.deep_link().register_all() {
        // Links opened by the browser will not reach the app; a second launch still does.
        tracing::warn!(%err, "could not register the ringside: and tel: link handlers");
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            dispatch(&handle, url.as_str());
        }
    });
    match app.deep_link().get_current() {
        Ok(Some(urls)) => {
            for url in urls {
                dispatch(app, url.as_str());
            }
        }
        Ok(None) => {}
        Err(err) => tracing::warn!(%err, "could not read the link the app was started with"),
    }
}

/// What kind of link it is, by scheme and host alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    SignIn,
    Call,
}

fn kind_of(link: &str) -> LinkKind {
    let lower = link.trim().to_ascii_lowercase();
    if lower.starts_with("ringside://oauth/") || lower == "ringside://oauth" {
        LinkKind::SignIn
    } else {
        LinkKind::Call
    }
}

/// Handles one link.
pub fn dispatch<R: Runtime>(app: &AppHandle<R>, link: &str) {
    match kind_of(link) {
        LinkKind::SignIn => {
            tracing::info!("sign-in link received");
            tauri::async_runtime::spawn(crate::signin::complete_from_link(
                app.clone(),
                link.to_owned(),
            ));
        }
        LinkKind::Call => {
            // Without the intake no secret is known, so every link only pops.
            let handled = match app.try_state::<LinkIntake>() {
                Some(links) => links.handle(link),
                None => LinkIntake::new(None, EventStream::new()).handle(link),
            };
            match handled {
                Ok(LinkOutcome::Published) => {}
                Ok(LinkOutcome::Pop(caller)) => show_caller(app, caller),
                Err(reason) => tracing::warn!(%reason, "ignored a link"),
            }
        }
    }
}

/// Pops the caller of a link in the pop-up, as a call's ring would (under its own id, so
/// it never touches a real call's pop or log form).
fn show_caller<R: Runtime>(app: &AppHandle<R>, caller: CallerId) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let searching = PopUpdate {
        call_id: format!("tel-link-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        caller,
        pop: None,
        ended: None,
    };
    app.state::<LatestPop>().begin(searching.clone());
    popup::send(app, &searching);
    popup::show(app);
    let screen_pop = Arc::clone(&app.state::<ActiveOrg>().current().screen_pop);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let pop = screen_pop.pop(&searching.caller).await;
        if let Some(done) = app.state::<LatestPop>().finish(&searching.call_id, pop) {
            popup::send(&app, &done);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_links_are_told_apart_from_call_links() {
        for link in [
            "ringside://oauth/callback?code=c&state=s",
            "RINGSIDE://OAUTH/callback",
            "ringside://oauth/elsewhere",
        ] {
            assert_eq!(
                kind_of(link),
                LinkKind::SignIn,
                "{link} goes to the sign-in"
            );
        }
        for link in [
            "ringside://call?event=ring&call_id=c&from=1",
            "tel:+14155550123",
            "ringside://oauthx",
            "garbage",
        ] {
            assert_eq!(
                kind_of(link),
                LinkKind::Call,
                "{link} is parsed (and refused if bad) as a call link"
            );
        }
    }
}
