//! A record as Salesforce returns it from query, search and get: `attributes {type, url}`
//! plus its fields, with accessors that follow parent relationships (`Account.Name`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `attributes` object every record carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes {
    /// The sObject type, e.g. `Contact`.
    #[serde(rename = "type")]
    pub sobject_type: String,
    /// The record's REST path (absent on aggregate results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One record: its attributes and every other field as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Type and URL.
    pub attributes: Attributes,
    /// All other fields, by API name. Parent relationships are nested objects (themselves
    /// records with attributes); child relationships are query results.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl Record {
    /// The sObject type from `attributes`.
    pub fn sobject_type(&self) -> &str {
        &self.attributes.sobject_type
    }

    /// The `Id` field, when it was selected.
    pub fn id(&self) -> Option<&str> {
        self.str_field("Id")
    }

    /// A field by API name or dotted relationship path (`Account.Name`, `Account.Owner.Name`).
    /// `None` when any step is missing; `Some(&Value::Null)` when Salesforce sent null.
    /// A null parent (no Account) gives `None` for its fields.
    pub fn field(&self, path: &str) -> Option<&Value> {
        let mut steps = path.split('.');
        let first = steps.next()?;
        let mut value = self.fields.get(first)?;
        for step in steps {
            value = value.as_object()?.get(step)?;
        }
        Some(value)
    }

    /// A text field (string values only; `None` for null, missing or non-text).
    pub fn str_field(&self, path: &str) -> Option<&str> {
        self.field(path)?.as_str()
    }

    /// A checkbox field.
    pub fn bool_field(&self, path: &str) -> Option<bool> {
        self.field(path)?.as_bool()
    }

    /// A number field (number, currency, percent, integer).
    pub fn f64_field(&self, path: &str) -> Option<f64> {
        self.field(path)?.as_f64()
    }

    /// A child relationship (`SELECT (SELECT Id FROM Contacts) FROM Account`) as records.
    /// `None` when absent or null (Salesforce sends null for no children).
    pub fn children(&self, relationship: &str) -> Option<Vec<Record>> {
        let records = self.fields.get(relationship)?.get("records")?;
        serde_json::from_value(records.clone()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Record {
        serde_json::from_str(
            r#"{
                "attributes": {"type": "Contact", "url": "/services/data/v66.0/sobjects/Contact/003000000000001AAA"},
                "Id": "003000000000001AAA",
                "Name": "Ada Lovelace",
                "DoNotCall": false,
                "Score__c": 42.5,
                "Email": null,
                "Account": {
                    "attributes": {"type": "Account", "url": "/services/data/v66.0/sobjects/Account/001000000000001AAA"},
                    "Name": "Analytical Engines",
                    "Owner": {"attributes": {"type": "User"}, "Name": "Charles"}
                },
                "ReportsTo": null,
                "Cases": {"totalSize": 1, "done": true, "records": [
                    {"attributes": {"type": "Case"}, "Id": "500000000000001AAA", "Subject": "Broken"}
                ]}
            }"#,
        )
        .expect("Salesforce-shaped record must parse")
    }

    #[test]
    fn typed_accessors_read_fields() {
        let record = fixture();
        assert_eq!(record.sobject_type(), "Contact");
        assert_eq!(record.id(), Some("003000000000001AAA"));
        assert_eq!(record.str_field("Name"), Some("Ada Lovelace"));
        assert_eq!(record.bool_field("DoNotCall"), Some(false));
        assert_eq!(record.f64_field("Score__c"), Some(42.5));
        assert_eq!(record.str_field("Email"), None, "null is not text");
        assert_eq!(
            record.field("Email"),
            Some(&Value::Null),
            "but the field was sent"
        );
        assert!(
            !record.fields.contains_key("attributes"),
            "attributes are not a field"
        );
    }

    #[test]
    fn dotted_paths_follow_parents_and_stop_at_null() {
        let record = fixture();
        assert_eq!(record.str_field("Account.Name"), Some("Analytical Engines"));
        assert_eq!(record.str_field("Account.Owner.Name"), Some("Charles"));
        assert_eq!(
            record.str_field("ReportsTo.Name"),
            None,
            "a null parent has no fields"
        );
        assert_eq!(record.str_field("Account.Missing"), None);
    }

    #[test]
    fn child_relationships_become_records() {
        let children = fixture().children("Cases").expect("Cases subquery present");
        assert_eq!(children.len(), 1);
        assert_eq!(children[0].str_field("Subject"), Some("Broken"));
    }

    #[test]
    fn serialises_back_with_attributes() {
        let json = serde_json::to_value(fixture()).unwrap();
        assert_eq!(
            json["attributes"]["type"], "Contact",
            "round trip keeps the attributes"
        );
        assert_eq!(json["Name"], "Ada Lovelace", "fields are flattened back");
    }
}
