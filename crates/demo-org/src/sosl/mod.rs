//! SOSL: the parser ([`parser`]) and the search that runs it ([`search`]).

pub mod parser;
pub mod search;

pub use parser::parse;
