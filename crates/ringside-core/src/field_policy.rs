//! What agents may see and change, and where intents write: the `[fields.<Object>]` and
//! `[intents]` tables of `ringside.toml`, parsed once into validated types.
//!
//! ```toml
//! [fields.Contact]
//! visible  = ["Name", "Title", "Email", "Phone", "Description"]
//! editable = ["Title", "Description"]      # each must also be visible
//! [intents]
//! demo_requested = "Opportunity.Demo_Requested_At__c"    # the value follows the field's type
//! qualified = { field = "Lead.Status", value = "Qualified" }  # or a fixed value
//! ```
//!
//! Only the syntax is checked here (API names, known objects, editable ⊆ visible); whether
//! the org has these fields and lets the user write them is [`crate::config_check`]'s job.
//! Email and phone fields are never editable unless the admin lists them: the default
//! lists leave them out, and nothing outside `editable` is ever written.

use std::collections::BTreeMap;

/// The objects whose fields agents see in the record panel.
pub const POLICY_OBJECTS: [&str; 3] = ["Contact", "Lead", "Account"];

/// Visible and editable fields of one object, in the admin's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectFields {
    pub visible: Vec<String>,
    pub editable: Vec<String>,
}

impl ObjectFields {
    fn of(visible: &[&str], editable: &[&str]) -> Self {
        ObjectFields {
            visible: visible.iter().map(|s| (*s).to_owned()).collect(),
            editable: editable.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// Whether agents may see `field` (API names are case-insensitive).
    pub fn is_visible(&self, field: &str) -> bool {
        self.visible.iter().any(|f| f.eq_ignore_ascii_case(field))
    }

    /// Whether agents may change `field`.
    pub fn is_editable(&self, field: &str) -> bool {
        self.editable.iter().any(|f| f.eq_ignore_ascii_case(field))
    }
}

/// `[fields.*]` for Contact, Lead and Account; objects not configured keep the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPolicy {
    objects: BTreeMap<String, ObjectFields>,
}

impl Default for FieldPolicy {
    /// DESIGN §6: the Contact defaults; Lead and Account in the same spirit (no email or
    /// phone editable).
    fn default() -> Self {
        let mut objects = BTreeMap::new();
        objects.insert(
            "Contact".to_owned(),
            ObjectFields::of(
                &[
                    "Name",
                    "Title",
                    "Department",
                    "Email",
                    "Phone",
                    "MobilePhone",
                    "AccountId",
                    "LeadSource",
                    "Description",
                ],
                &["Title", "Department", "LeadSource", "Description"],
            ),
        );
        objects.insert(
            "Lead".to_owned(),
            ObjectFields::of(
                &[
                    "Name",
                    "Company",
                    "Title",
                    "Email",
                    "Phone",
                    "MobilePhone",
                    "Status",
                    "LeadSource",
                    "Description",
                ],
                &["Title", "Status", "LeadSource", "Description"],
            ),
        );
        objects.insert(
            "Account".to_owned(),
            ObjectFields::of(
                &["Name", "Phone", "Website", "Industry", "Description"],
                &["Industry", "Description"],
            ),
        );
        FieldPolicy { objects }
    }
}

impl FieldPolicy {
    /// The fields of `object` (one of [`POLICY_OBJECTS`]); `None` for other objects,
    /// which agents do not edit.
    pub fn object(&self, object: &str) -> Option<&ObjectFields> {
        self.objects
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(object))
            .map(|(_, fields)| fields)
    }

    /// Every configured object and its fields.
    pub fn objects(&self) -> impl Iterator<Item = (&str, &ObjectFields)> {
        self.objects.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Replaces one object's fields after checking them. `object` must be one of
    /// [`POLICY_OBJECTS`]; the error says what is wrong, without the file name.
    pub fn set(&mut self, object: &str, fields: ObjectFields) -> Result<(), String> {
        let Some(canonical) = POLICY_OBJECTS.iter().find(|o| **o == object) else {
            return Err(format!(
                "[fields.{object}]: agents edit only {}; remove this table",
                POLICY_OBJECTS.join(", ")
            ));
        };
        for (key, list) in [("visible", &fields.visible), ("editable", &fields.editable)] {
            for name in list {
                salesforce::validate_api_name("field", name)
                    .map_err(|e| format!("[fields.{object}] {key}: {name:?}: {e}"))?;
            }
        }
        if let Some(hidden) = fields.editable.iter().find(|f| !fields.is_visible(f)) {
            return Err(format!(
                "[fields.{object}] editable lists {hidden:?}, which is not in visible: agents cannot edit a field they cannot see; add it to visible"
            ));
        }
        self.objects.insert((*canonical).to_owned(), fields);
        Ok(())
    }
}

/// One `[intents]` entry: the field an intent button writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentTarget {
    /// The config key, e.g. `demo_requested`.
    pub name: String,
    pub object: String,
    pub field: String,
    /// The value the button writes, as the admin typed it (checked against the describe by
    /// [`crate::config_check`]); `None` lets the field's type decide (see [`crate::intents`]).
    pub value: Option<String>,
}

/// The `[intents]` map, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentMap {
    intents: Vec<IntentTarget>,
}

impl Default for IntentMap {
    /// DESIGN §6 defaults.
    fn default() -> Self {
        let mut map = IntentMap {
            intents: Vec::new(),
        };
        for (name, target) in [
            ("demo_requested", "Opportunity.Demo_Requested_At__c"),
            ("qualified", "Lead.Status"),
            ("call_summary", "Task.Description"),
        ] {
            // The defaults are well-formed; a failure here would be a typo in this table.
            if let Ok(intent) = IntentTarget::parse(name, target) {
                map.intents.push(intent);
            }
        }
        map.intents.sort_by(|a, b| a.name.cmp(&b.name));
        map
    }
}

impl IntentTarget {
    /// Reads `name = "Object.Field"`; the error names the key and says what to write.
    pub fn parse(name: &str, target: &str) -> Result<IntentTarget, String> {
        let valid_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_name {
            return Err(format!(
                "[intents] {name:?}: an intent name uses lowercase letters, digits and _ (e.g. demo_requested)"
            ));
        }
        let Some((object, field)) = target.split_once('.') else {
            return Err(format!(
                "[intents] {name} = {target:?}: write \"Object.Field\", e.g. \"Lead.Status\""
            ));
        };
        for (what, value) in [("object", object), ("field", field)] {
            salesforce::validate_api_name(what, value)
                .map_err(|e| format!("[intents] {name} = {target:?}: {e}"))?;
        }
        Ok(IntentTarget {
            name: name.to_owned(),
            object: object.to_owned(),
            field: field.to_owned(),
            value: None,
        })
    }

    /// The same target writing a fixed `value`.
    pub fn with_value(mut self, value: Option<String>) -> Self {
        self.value = value;
        self
    }
}

impl IntentMap {
    /// Builds the map from the admin's table (which replaces the defaults entirely).
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<IntentMap, String> {
        let mut intents = entries
            .into_iter()
            .map(|(name, target)| IntentTarget::parse(name, target))
            .collect::<Result<Vec<_>, _>>()?;
        intents.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(IntentMap { intents })
    }

    /// Builds the map from already parsed targets (e.g. with fixed values).
    pub fn from_targets(mut intents: Vec<IntentTarget>) -> IntentMap {
        intents.sort_by(|a, b| a.name.cmp(&b.name));
        IntentMap { intents }
    }

    pub fn iter(&self) -> impl Iterator<Item = &IntentTarget> {
        self.intents.iter()
    }

    pub fn get(&self, name: &str) -> Option<&IntentTarget> {
        self.intents.iter().find(|i| i.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_never_make_email_or_phone_editable() {
        let policy = FieldPolicy::default();
        for object in POLICY_OBJECTS {
            let fields = policy
                .object(object)
                .expect("every policy object has defaults");
            for field in ["Email", "Phone", "MobilePhone"] {
                assert!(
                    !fields.is_editable(field),
                    "{object}.{field} must not be editable by default"
                );
            }
        }
        assert!(policy.object("contact").unwrap().is_editable("title"));
    }

    #[test]
    fn set_refuses_unknown_objects_bad_names_and_hidden_editables() {
        let mut policy = FieldPolicy::default();
        let err = policy
            .set("Opportunity", ObjectFields::of(&["Name"], &[]))
            .unwrap_err();
        assert!(err.contains("Contact, Lead, Account"), "{err}");
        let err = policy
            .set("Contact", ObjectFields::of(&["Bad Name"], &[]))
            .unwrap_err();
        assert!(err.contains("visible") && err.contains("Bad Name"), "{err}");
        let err = policy
            .set("Contact", ObjectFields::of(&["Name"], &["Title"]))
            .unwrap_err();
        assert!(err.contains("not in visible"), "{err}");
    }

    #[test]
    fn intent_targets_are_object_dot_field() {
        let intent = IntentTarget::parse("qualified", "Lead.Status").unwrap();
        assert_eq!(
            (intent.object.as_str(), intent.field.as_str()),
            ("Lead", "Status")
        );
        assert!(
            IntentTarget::parse("qualified", "LeadStatus")
                .unwrap_err()
                .contains("Object.Field")
        );
        assert!(IntentTarget::parse("Demo Requested", "Lead.Status").is_err());
        assert_eq!(IntentMap::default().iter().count(), 3);
    }
}
