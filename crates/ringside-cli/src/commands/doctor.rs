//! `ringside doctor`: each readiness check on one line, pass/fail/skip with the fix;
//! exit 1 when any check failed.

use std::io::Write;

use ringside_core::describe_cache::DescribeCache;
use ringside_core::doctor::{CheckStatus, Environment, run_checks, without_org};

use crate::args::DoctorArgs;

pub async fn run(args: DoctorArgs) -> anyhow::Result<()> {
    let config = super::config::load(None);
    let keyring = ringside_core::doctor::keyring_state();
    let config = config
        .as_ref()
        .map(|(c, _)| c)
        .map_err(|e| format!("{e:#}"));
    let checks = match crate::org::connect(args.org.as_deref()).await {
        Ok(org) => {
            let sign_in = Ok(if org.is_demo() {
                "no org signed in: checking the built-in demo org (`ringside org login` signs in to yours)".to_owned()
            } else {
                "signed in; the stored session works".to_owned()
            });
            let describes = DescribeCache::new(org.client.clone());
            let env = Environment {
                sign_in,
                keyring,
                config,
            };
            let mut checks = run_checks(&describes, env).await;
            let forecast =
                args.agents
                    .zip(args.calls_per_agent)
                    .map(
                        |(agents, calls_per_agent)| ringside_core::doctor::Forecast {
                            agents,
                            calls_per_agent,
                        },
                    );
            let report = match crate::org::home() {
                Ok(home) => super::org_usage::usage_report(&org, &home, false)
                    .await
                    .map_err(|e| {
                        tracing::warn!(error = %format!("{e:#}"), "API usage not read");
                    })
                    .ok(),
                Err(_) => None,
            };
            checks.push(ringside_core::doctor::api_budget(report.as_ref(), forecast));
            org.close().await;
            checks
        }
        // Signed out, no keyring to read the session from, or an unknown alias: say so as
        // a failed check and still run what needs no org.
        Err(err) => without_org(
            &format!("{err:#}"),
            "run `ringside org login --alias A` (or `ringside org list` to see the aliases)",
            Environment {
                sign_in: Err(String::new()),
                keyring,
                config,
            },
        ),
    };
    let mut stdout = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut stdout, &serde_json::json!({"checks": checks}))?;
        writeln!(stdout)?;
    } else {
        for check in &checks {
            let mark = match check.status {
                CheckStatus::Pass => "pass",
                CheckStatus::Fail => "FAIL",
                CheckStatus::Skip => "skip",
            };
            writeln!(stdout, "{mark}  {:16} {}", check.name, check.detail)?;
            if let Some(fix) = &check.fix {
                writeln!(stdout, "      fix: {fix}")?;
            }
        }
    }
    let failed = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .count();
    if failed > 0 {
        anyhow::bail!(
            "{failed} check{} failed",
            if failed == 1 { "" } else { "s" }
        );
    }
    Ok(())
}
