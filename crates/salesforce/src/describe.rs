//! The parts of an sObject describe this client exposes: the object's flags and, for each
//! field the user can see, what it is and whether it can be written.
//!
//! Shape per <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm>
//! and the `Field` type of <https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm>.
//! Field-level security applies: fields the user cannot see are simply absent.

use serde::{Deserialize, Serialize};

/// An sObject describe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectDescribe {
    /// API name, e.g. `Contact`.
    pub name: String,
    /// Singular label in the user's language.
    pub label: String,
    /// Plural label.
    #[serde(default)]
    pub label_plural: String,
    /// Whether it is a custom object (`__c`).
    #[serde(default)]
    pub custom: bool,
    /// Whether the user may create records.
    #[serde(default)]
    pub createable: bool,
    /// Whether the user may update records.
    #[serde(default)]
    pub updateable: bool,
    /// Whether the user may delete records.
    #[serde(default)]
    pub deletable: bool,
    /// Whether the object can be queried.
    #[serde(default)]
    pub queryable: bool,
    /// The 3-character id prefix (`003` for Contact); absent for some objects.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// The fields visible to this user.
    pub fields: Vec<FieldDescribe>,
}

impl SObjectDescribe {
    /// A field by API name (case-insensitive, as Salesforce names are).
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// One field of a describe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    /// API name, e.g. `LastName`.
    pub name: String,
    /// Label in the user's language.
    pub label: String,
    /// Data type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Maximum length for text fields (0 for others).
    #[serde(default)]
    pub length: u32,
    /// Whether the user may change it on existing records.
    #[serde(default)]
    pub updateable: bool,
    /// Whether the user may set it on create.
    #[serde(default)]
    pub createable: bool,
    /// Whether it may be empty.
    #[serde(default)]
    pub nillable: bool,
    /// Whether it is an External ID (usable for upsert).
    #[serde(default)]
    pub external_id: bool,
    /// Whether values must be unique.
    #[serde(default)]
    pub unique: bool,
    /// Picklist entries (empty for other types).
    #[serde(default, deserialize_with = "null_as_default")]
    pub picklist_values: Vec<PicklistValue>,
    /// For lookups: the object types it may point to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub reference_to: Vec<String>,
    /// For lookups: the relationship name used in dotted paths (`Account` for `AccountId`).
    #[serde(default)]
    pub relationship_name: Option<String>,
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

impl FieldDescribe {
    /// The picklist values that may be written now, in the org's order: inactive ones stay
    /// in the describe (old records hold them) but Salesforce refuses them on write.
    pub fn active_picklist_values(&self) -> impl Iterator<Item = &str> {
        self.picklist_values
            .iter()
            .filter(|v| v.active)
            .map(|v| v.value.as_str())
    }
}

/// One picklist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    /// The stored value.
    pub value: String,
    /// The label shown to users (may be null in the wire format; then the value).
    #[serde(default)]
    pub label: Option<String>,
    /// Whether it may be chosen.
    #[serde(default)]
    pub active: bool,
    /// Whether it is the default.
    #[serde(default)]
    pub default_value: bool,
}

macro_rules! field_types {
    ($( $variant:ident = $wire:literal ),* $(,)?) => {
        /// A field's data type (`soapType` aside). Unknown types are kept in `Other`.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum FieldType {
            $( #[doc = concat!("`", $wire, "`")] $variant, )*
            /// A type this crate does not know, kept verbatim.
            Other(String),
        }

        impl FieldType {
            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(raw) => raw,
                }
            }

            fn from_wire(raw: &str) -> Self {
                match raw {
                    $( $wire => Self::$variant, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }
    };
}

field_types! {
    Id = "id", String = "string", TextArea = "textarea", Boolean = "boolean", Int = "int",
    Long = "long", Double = "double", Currency = "currency", Percent = "percent", Date = "date",
    DateTime = "datetime", Time = "time", Email = "email", Phone = "phone", Url = "url",
    Picklist = "picklist", MultiPicklist = "multipicklist", Combobox = "combobox",
    Reference = "reference", Address = "address", Location = "location", Base64 = "base64",
    EncryptedString = "encryptedstring", AnyType = "anyType", Json = "json",
}

impl Serialize for FieldType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for FieldType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_wire(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_salesforce_shaped_describe() {
        let describe: SObjectDescribe = serde_json::from_str(
            r#"{"name":"Contact","label":"Contact","labelPlural":"Contacts","custom":false,
                "createable":true,"updateable":true,"deletable":true,"queryable":true,"keyPrefix":"003",
                "urls":{"sobject":"/services/data/v66.0/sobjects/Contact"},
                "fields":[
                  {"name":"LastName","label":"Last Name","type":"string","length":80,"updateable":true,
                   "createable":true,"nillable":false,"externalId":false,"picklistValues":[],
                   "referenceTo":[],"relationshipName":null,"soapType":"xsd:string"},
                  {"name":"LeadSource","label":"Lead Source","type":"picklist","length":255,
                   "updateable":true,"createable":true,"nillable":true,"externalId":false,
                   "picklistValues":[{"active":true,"defaultValue":false,"label":"Web","validFor":null,"value":"Web"}],
                   "referenceTo":[],"relationshipName":null},
                  {"name":"AccountId","label":"Account ID","type":"reference","length":18,"updateable":true,
                   "createable":true,"nillable":true,"externalId":false,"picklistValues":[],
                   "referenceTo":["Account"],"relationshipName":"Account"},
                  {"name":"Geo__c","label":"Geo","type":"geolocation_v2","length":0,"picklistValues":null,"referenceTo":null}
                ]}"#,
        )
        .expect("describe fixture must parse");
        assert_eq!(describe.key_prefix.as_deref(), Some("003"));
        let last = describe
            .field("lastname")
            .expect("lookup is case-insensitive");
        assert_eq!(
            (last.field_type.clone(), last.length, last.nillable),
            (FieldType::String, 80, false)
        );
        let source = describe.field("LeadSource").unwrap();
        assert_eq!(
            source.picklist_values[0].value, "Web",
            "picklist values are kept"
        );
        let account = describe.field("AccountId").unwrap();
        assert_eq!(account.reference_to, vec!["Account".to_string()]);
        assert_eq!(account.relationship_name.as_deref(), Some("Account"));
        let geo = describe.field("Geo__c").unwrap();
        assert_eq!(
            geo.field_type,
            FieldType::Other("geolocation_v2".into()),
            "unknown types kept"
        );
        assert!(
            geo.picklist_values.is_empty() && geo.reference_to.is_empty(),
            "null lists read as empty"
        );
    }
}
