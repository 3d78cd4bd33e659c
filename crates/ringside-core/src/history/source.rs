//! Where the history is read from: the call-log object and field names of the admin's
//! `[logging]` config (the same names the queue writes with), and the name of the child
//! relationship from the call log to its Tasks.

use crate::call_log::LoggingSettings;

use super::HistoryError;

/// The child relationship name an admin gives the Task's call-log lookup when creating
/// it (Setup → Activity Custom Fields → Call Log → Child Relationship Name `Tasks`, which
/// SOQL spells `Tasks__r`).
pub const DEFAULT_TASK_RELATIONSHIP: &str = "Tasks__r";

/// The names the history query uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistorySource {
    /// The `[logging]` config: call-log object and field names, and whether Tasks exist.
    pub logging: LoggingSettings,
    /// The call log's child relationship to its Tasks ([`DEFAULT_TASK_RELATIONSHIP`]).
    pub task_relationship: String,
}

impl HistorySource {
    /// The names of this `[logging]` config, with the default Task relationship.
    pub fn new(logging: &LoggingSettings) -> HistorySource {
        HistorySource {
            logging: logging.clone(),
            task_relationship: DEFAULT_TASK_RELATIONSHIP.to_owned(),
        }
    }

    /// Whether rows carry their Task's subject and notes (not in call-log-only mode,
    /// where no Task is written).
    pub fn includes_tasks(&self) -> bool {
        self.logging.mode.writes_task()
    }

    /// Every name is an API name, so none can change the query's shape (config loading
    /// checks them too; a source built in code is checked here).
    pub fn validate(&self) -> Result<(), HistoryError> {
        let names = self
            .logging
            .call_log
            .named()
            .into_iter()
            .chain([("task_relationship", self.task_relationship.as_str())]);
        for (key, value) in names {
            // A switched-off timing field is not queried (nor written).
            if value.is_empty() && crate::call_log::mapping::OPTIONAL_CALL_LOG_KEYS.contains(&key) {
                continue;
            }
            salesforce::validate_api_name(key, value).map_err(|_| HistoryError::Name {
                key,
                value: value.to_owned(),
            })?;
        }
        Ok(())
    }
}

impl Default for HistorySource {
    fn default() -> Self {
        HistorySource::new(&LoggingSettings::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switched_off_timing_field_is_not_a_bad_name() {
        // Regression: `ring_seconds` defaults to "" (off), and the history refused to start.
        assert!(HistorySource::default().validate().is_ok());
        let mut logging = LoggingSettings::default();
        logging.call_log.dialed_at = String::new();
        assert!(HistorySource::new(&logging).validate().is_ok());
        logging.call_log.summary = String::new();
        assert!(
            matches!(
                HistorySource::new(&logging).validate(),
                Err(HistoryError::Name { key: "summary", .. })
            ),
            "only the timing fields may be switched off"
        );
    }
}
