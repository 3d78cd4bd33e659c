//! SOQL: tokenizer ([`lexer`]), recursive-descent parser ([`parser`]) and the evaluator
//! that runs a query against the store ([`eval`], parent-to-child subqueries in [`children`]).

pub mod children;
pub mod eval;
pub mod lexer;
pub mod parser;

use crate::api_error::ApiError;
pub use parser::Query;

/// Parses SOQL text.
pub fn parse(text: &str) -> Result<Query, ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::malformed_query(
            "A query is required: the q parameter is empty",
        ));
    }
    parser::Parser::new(lexer::tokenize(text, 0)?).query()
}
