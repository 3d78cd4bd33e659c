//! Desktop sign-in wiring: where a sign-in's tokens and record go (the OS keyring and
//! `orgs.toml` of this home, shared with the `ringside` CLI), and finishing a sign-in from a
//! callback link. The flow itself (pending sign-ins keyed by `state`, code exchange,
//! storing, refusing foreign links) is ringside-core's [`PendingSignIns`].
//!
//! A refused link (forged or reused `state`, malformed) is sent to the main window as the
//! event [`LINK_REFUSED_EVENT`](crate::ipc::LINK_REFUSED_EVENT) so the settings view can say "this sign-in link was not
//! started by Ringside", and kept in [`RefusedLink`] for a view that loads later; the pending
//! sign-in keeps waiting.

use std::path::PathBuf;

use ringside_core::login::{LoginError, LoginStores, PendingSignIns};
use ringside_core::secrets::KeyringStore;
use tauri::{AppHandle, Manager, Runtime};

use crate::error::IpcError;
use crate::org::{home, keyring_namespace};

/// The last refused sign-in link, kept for a window that was not listening yet (a link the
/// app was started with arrives before the UI loads); the settings view reads it once.
#[derive(Debug, Default)]
pub struct RefusedLink(std::sync::Mutex<Option<IpcError>>);

impl RefusedLink {
    /// Takes the refusal, so it is shown once.
    pub fn take(&self) -> Option<IpcError> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    fn keep(&self, refusal: IpcError) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(refusal);
    }
}

/// Owned [`LoginStores`]: this home and its keyring namespace.
#[derive(Debug, Clone)]
pub struct Stores {
    pub home: PathBuf,
    pub namespace: String,
}

impl Stores {
    pub fn of_this_home() -> anyhow::Result<Stores> {
        Ok(Stores {
            home: home()?,
            namespace: keyring_namespace(),
        })
    }

    /// Borrowed for ringside-core. The keyring was probed when the sign-in began, and each
    /// call on it gives up after a timeout, so a keyring locked meanwhile cannot hang this.
    pub fn borrow(&self) -> LoginStores<'_> {
        LoginStores {
            home: &self.home,
            namespace: &self.namespace,
            secrets: &KeyringStore,
        }
    }
}

/// Finishes the pending sign-in `link` belongs to; a refused link is logged with its
/// reason and shown in the main window.
pub async fn complete_from_link<R: Runtime>(app: AppHandle<R>, link: String) {
    let stores = match Stores::of_this_home() {
        Ok(stores) => stores,
        Err(err) => {
            tracing::error!("a sign-in link arrived but there is no Ringside home: {err:#}");
            return;
        }
    };
    let pending = app.state::<std::sync::Arc<PendingSignIns>>();
    match pending.complete(&link, stores.borrow()).await {
        Ok(done) => {
            tracing::info!(id = done.id, alias = %done.alias, ok = done.result.is_ok(), "sign-in link handled");
            // The browser has the focus after a sign-in; the result is shown in the main window.
            crate::main_window::show_or_log(&app, "a sign-in link");
        }
        Err(err) => {
            tracing::warn!(code = %err.code(), "refused a sign-in link: {err}");
            let shown = IpcError::from(err);
            app.state::<RefusedLink>().keep(shown.clone());
            if let Err(e) = crate::ipc::emit_sign_in_link_refused(&app, &shown) {
                tracing::warn!(%e, "could not tell the main window about a refused sign-in link");
            }
            crate::main_window::show_or_log(&app, "a sign-in link");
        }
    }
}

impl From<LoginError> for IpcError {
    fn from(err: LoginError) -> Self {
        IpcError {
            code: err.code(),
            message: err.to_string(),
        }
    }
}
