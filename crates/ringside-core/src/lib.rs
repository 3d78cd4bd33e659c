//! Ringside's headless domain. Nothing here knows about a window or a terminal:
//! the CLI and the desktop shell are thin layers over these modules.
//!
//! - [`phone`]: caller input (phone number or email) → a normalised query.
//! - [`lookup`]: the screen-pop search against Salesforce and the ranking of matches.
//! - [`config`]: the Ringside home and the admin config file.
//! - [`settings`]: where the default phone region comes from.

pub mod config;
pub mod lookup;
pub mod phone;
pub mod settings;

pub use lookup::{CallerLookup, CallerMatch, CallerObject, LookupError, LookupResult, QueryKind};
pub use settings::LookupSettings;
