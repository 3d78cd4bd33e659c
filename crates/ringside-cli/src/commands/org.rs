//! `ringside org login|list|use|logout` (`remove` and `setup` have their own modules): signing in to Salesforce orgs from a terminal.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use ringside_core::login::{
    LoginError, LoginRequest, LoginStores, LoopbackRedirect, SignOut, login, sign_out,
};
use ringside_core::login::{LoginUrl, OAuthApp, ScopeProfile};
use ringside_core::orgs::OrgRegistry;
use ringside_core::secrets::{SecretKey, SecretStore};
use ringside_core::signin_settings::SignInSettings;
use serde_json::json;

use crate::args::{OrgCommand, OrgLoginArgs};
use crate::org::{home, keyring, keyring_namespace};

/// The loopback port when neither the flag nor the config names one.
const DEFAULT_REDIRECT_PORT: u16 = 1717;

pub async fn run(command: OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::Login(args) => login_command(args).await,
        OrgCommand::List { json } => list(json),
        OrgCommand::Use { alias } => use_org(&alias),
        OrgCommand::Logout { alias } => logout(&alias).await,
        OrgCommand::Remove { alias } => super::org_remove::run(&alias).await,
        OrgCommand::Setup(args) => super::org_setup::run(args).await,
        OrgCommand::Usage(args) => super::org_usage::run(args).await,
    }
}

async fn login_command(args: OrgLoginArgs) -> anyhow::Result<()> {
    let home = home()?;
    let registry = OrgRegistry::load(&home)?;
    let previous = registry.get(&args.alias);
    let settings = SignInSettings::load_from_home(&home)?;
    // Flag, else what this alias used before (signing in again), else the admin's
    // [salesforce] settings, else production.
    let login_url = match (&args.login_url, previous, &settings.login_url) {
        (Some(flag), _, _) => LoginUrl::parse(flag)?,
        (None, Some(previous), _) => LoginUrl::parse(&previous.login_url)?,
        (None, None, Some(configured)) => configured.clone(),
        (None, None, None) => LoginUrl::parse(LoginUrl::PRODUCTION)?,
    };
    let client_id = args
        .client_id
        .clone()
        .or_else(|| previous.map(|p| p.client_id.clone()))
        .or_else(|| settings.client_id.clone())
        .context(
            "give --client-id (or [salesforce] client_id in ringside.toml): the consumer key of your Salesforce External Client App (see the README)",
        )?;
    let scope_profile = match &args.scope_profile {
        Some(name) => name.parse::<ScopeProfile>()?,
        None => settings.scope_profile.unwrap_or_default(),
    };
    let redirect_port = args
        .redirect_port
        .or(settings.redirect_port)
        .unwrap_or(DEFAULT_REDIRECT_PORT);
    let request = LoginRequest {
        alias: args.alias.clone(),
        login_url: login_url.clone(),
        client_id,
        scope_profile,
        timeout: Duration::from_secs(args.timeout_secs),
    };
    ringside_core::orgs::validate_alias(&request.alias)?;
    // Fail before the browser opens if the tokens would have nowhere to go.
    let secrets = keyring()?;
    let namespace = keyring_namespace();
    // A sign-in this one replaces: each sign-in uses one of Salesforce's five approvals per
    // user and app (a sixth silently revokes the oldest, maybe on another PC), so say so,
    // and revoke the replaced one afterwards to give its approval back.
    let replaced = match previous {
        Some(p) => secrets.load(&SecretKey::new(&namespace, &p.org_id, &p.user_id))?,
        None => None,
    };
    if replaced.is_some() {
        eprintln!(
            "ringside: note: {} is already signed in on this device; signing in again uses one of Salesforce's five approvals per user (the replaced sign-in is revoked afterwards)",
            args.alias
        );
    }
    let redirect = LoopbackRedirect::bind(redirect_port).await?;
    let no_browser = args.no_browser;
    let open = |url: &str| -> Result<(), LoginError> {
        if no_browser {
            // The URL alone on its line on stdout, for scripts and remote shells.
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{url}")
                .and_then(|()| stdout.flush())
                .map_err(|e| LoginError::Browser(format!("cannot write to stdout: {e}")))?;
            eprintln!(
                "ringside: open the URL above in a browser to sign in; waiting for the redirect"
            );
            Ok(())
        } else {
            eprintln!("ringside: opening your browser to sign in to {login_url}");
            // The platform's opener, or the program named by RINGSIDE_BROWSER.
            ringside_core::login::open_in_browser(url)
        }
    };
    let signed_in = login(
        &request,
        redirect,
        open,
        LoginStores {
            home: &home,
            namespace: &namespace,
            secrets: secrets.as_ref(),
        },
    )
    .await?;
    let record = signed_in.record;
    if let Some(old) = replaced {
        let app = OAuthApp::new(
            LoginUrl::parse(&record.login_url)?,
            &record.client_id,
            "ringside://oauth/callback",
        )?;
        if let Err(err) = app.revoke(&old.refresh).await {
            eprintln!("ringside: warning: the replaced sign-in could not be revoked ({err})");
        }
    }
    eprintln!(
        "ringside: signed in to {} as {} ({} profile); it is now the active org",
        record.alias, record.username, record.scope_profile
    );
    Ok(())
}

fn list(json_output: bool) -> anyhow::Result<()> {
    let home = home()?;
    let registry = OrgRegistry::load(&home)?;
    // Listing works without a keyring; the signed-in column then says "unknown".
    let secrets = match keyring() {
        Ok(secrets) => Some(secrets),
        Err(err) => {
            eprintln!("ringside: warning: {err:#}");
            None
        }
    };
    let namespace = keyring_namespace();
    let mut rows = Vec::new();
    for record in &registry.orgs {
        let signed_in = match &secrets {
            Some(secrets) => Some(
                secrets
                    .load(&SecretKey::new(&namespace, &record.org_id, &record.user_id))?
                    .is_some(),
            ),
            None => None,
        };
        rows.push((
            record,
            registry.active.as_deref() == Some(&record.alias),
            signed_in,
        ));
    }
    let mut stdout = std::io::stdout().lock();
    if json_output {
        let orgs: Vec<_> = rows
            .iter()
            .map(|(r, active, signed_in)| {
                json!({
                    "alias": r.alias,
                    "username": r.username,
                    "instance_url": r.instance_url,
                    "login_url": r.login_url,
                    "org_id": r.org_id,
                    "user_id": r.user_id,
                    "scope_profile": r.scope_profile,
                    "active": active,
                    "signed_in": signed_in,
                })
            })
            .collect();
        writeln!(stdout, "{}", json!({ "orgs": orgs }))?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(
            stdout,
            "No org signed in on this device; `ringside org login --alias NAME --client-id KEY` signs in (commands use the built-in demo org meanwhile)."
        )?;
        return Ok(());
    }
    for (r, active, signed_in) in rows {
        let state = match signed_in {
            Some(true) => "signed in",
            Some(false) => "signed out",
            None => "unknown",
        };
        writeln!(
            stdout,
            "{} {} · {} · {} · {} profile · {state}",
            if active { "*" } else { " " },
            r.alias,
            r.username,
            r.instance_url,
            r.scope_profile
        )?;
    }
    Ok(())
}

fn use_org(alias: &str) -> anyhow::Result<()> {
    let home = home()?;
    let mut registry = OrgRegistry::load(&home)?;
    registry.set_active(alias)?;
    registry.save(&home)?;
    eprintln!("ringside: {alias} is now the active org");
    Ok(())
}

async fn logout(alias: &str) -> anyhow::Result<()> {
    let home = home()?;
    let registry = OrgRegistry::load(&home)?;
    let record = registry.require(alias)?.clone();
    let secrets: Arc<dyn SecretStore> = keyring()?;
    // Core revokes, counts the revoke request and deletes the local copy either way.
    match sign_out(&home, &record, secrets.as_ref(), &keyring_namespace()).await? {
        SignOut::AlreadySignedOut => {
            eprintln!("ringside: {alias} was already signed out");
            Ok(())
        }
        SignOut::Revoked => {
            eprintln!("ringside: signed out of {alias}; the sign-in was revoked at Salesforce");
            Ok(())
        }
        SignOut::NotRevoked { reason } => bail!(
            "signed out of {alias} on this device, but Salesforce could not revoke the sign-in ({reason}); an admin can revoke it under Setup > Connected Apps OAuth Usage"
        ),
    }
}
