//! The command line, as clap types. Validation beyond syntax happens in the
//! commands, which own their error messages.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ringside",
    version,
    about = "Ringside: a softphone companion for Salesforce",
    long_about = "Ringside finds who is calling in Salesforce and logs every call.\n\
                  With no org configured, commands use the built-in demo org.\n\
                  RINGSIDE_HOME=DIR puts all local state (config, database, logs) under DIR."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the caller for a phone number or email address (the screen-pop query).
    Lookup(LookupArgs),
    /// Run the built-in demo org (a Salesforce-compatible server with seeded data).
    #[command(name = "demo-org", subcommand)]
    DemoOrg(DemoOrgCommand),
}

#[derive(Debug, clap::Args)]
pub struct LookupArgs {
    /// A phone number in any format ("(415) 555-0123", "+44 20 7946 0958", "sip:+1415…@host")
    /// or an email address.
    pub query: String,
    /// The org to search (default: the active org; with none configured, the demo org).
    #[arg(long, value_name = "ALIAS")]
    pub org: Option<String>,
    /// Region for numbers typed without a country code, e.g. JP (default: the config's
    /// [phone] default_region, else the OS locale, else US).
    #[arg(long, value_name = "CC")]
    pub region: Option<String>,
    /// Print the result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DemoOrgCommand {
    /// Serve the demo org on 127.0.0.1 until interrupted; prints its base URL first.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Latency added to every request, in milliseconds.
        #[arg(long, default_value_t = 0, value_name = "MS")]
        latency_ms: u64,
    },
}
