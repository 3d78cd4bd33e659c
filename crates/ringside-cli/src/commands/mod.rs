//! One module per command; each turns parsed arguments into output.

mod demo_org;
mod lookup;

use crate::args::Command;

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Lookup(args) => lookup::run(args).await,
        Command::DemoOrg(command) => demo_org::run(command).await,
    }
}
