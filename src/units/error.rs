//! The one error every unit parser returns, so that callers (the scenario
//! loader, the command line) handle a bad value the same way wherever it is.

/// A value that does not parse or is out of range. The message quotes the
/// offending text in backticks and says what was expected, because it reaches
/// the user as is, with the file position added by the YAML reader.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct UnitError(String);

impl UnitError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        UnitError(message.into())
    }
}
