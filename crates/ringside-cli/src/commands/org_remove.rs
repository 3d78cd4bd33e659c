//! `ringside org remove ALIAS`: forget an org on this device. Revokes its sign-in at
//! Salesforce if it is still signed in, deletes the keyring entry and drops the record from
//! `orgs.toml` (the active org falls back to none: commands then use the built-in demo org).

use anyhow::bail;
use ringside_core::login::{SignOut, remove_org};

use crate::org::{home, keyring, keyring_namespace};

pub async fn run(alias: &str) -> anyhow::Result<()> {
    let home = home()?;
    // The keyring is needed even for a signed-out org: a stored sign-in must not be orphaned.
    let secrets = keyring()?;
    let (record, signed_out) =
        remove_org(&home, alias, secrets.as_ref(), &keyring_namespace()).await?;
    match signed_out {
        SignOut::AlreadySignedOut => {
            eprintln!(
                "ringside: removed {alias} ({}) from this device",
                record.username
            );
        }
        SignOut::Revoked => eprintln!(
            "ringside: removed {alias} ({}) from this device; its sign-in was revoked at Salesforce",
            record.username
        ),
        SignOut::NotRevoked { reason } => bail!(
            "removed {alias} from this device, but Salesforce could not revoke the sign-in ({reason}); an admin can revoke it under Setup > Connected Apps OAuth Usage"
        ),
    }
    Ok(())
}
