//! One module per command; each turns parsed arguments into output.

mod audit;
mod call;
mod config;
mod contact;
mod demo_org;
mod doctor;
mod history;
mod listen;
mod log_call;
mod lookup;
mod org;
mod org_remove;
mod org_setup;
mod org_usage;
mod pop_line;
mod queue;

use crate::args::Command;

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Lookup(args) => lookup::run(args).await,
        Command::DemoOrg(command) => demo_org::run(command).await,
        Command::Call(args) => call::run(args).await,
        Command::Listen(args) => listen::run(args).await,
        Command::Org(command) => org::run(command).await,
        Command::LogCall(args) => log_call::run(*args).await,
        Command::Queue(command) => queue::run(command).await,
        Command::Audit(args) => audit::run(args).await,
        Command::Config(command) => config::run(command).await,
        Command::Contact(command) => contact::run(command).await,
        Command::Doctor(args) => doctor::run(args).await,
        Command::History(args) => history::run(args).await,
    }
}
