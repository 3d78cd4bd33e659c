//! Lookup settings and where they come from: the admin's config file, else the
//! OS locale, else the United States; the object priority of ranking; and the
//! admin's custom phone fields searched besides the standard ones.

use serde::{Deserialize, Serialize};

use crate::phone::Region;

/// The Salesforce object a caller was found on, in default rank order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum CallerObject {
    Contact,
    Lead,
    Account,
}

impl CallerObject {
    /// The sObject API name.
    pub fn api_name(self) -> &'static str {
        match self {
            CallerObject::Contact => "Contact",
            CallerObject::Lead => "Lead",
            CallerObject::Account => "Account",
        }
    }
}

/// How lookups read numbers typed without a country code, which object ranks
/// first, and which custom phone fields are searched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupSettings {
    pub default_region: Region,
    /// Which object's matches come first (default Contact > Lead > Account).
    pub object_priority: ObjectPriority,
    /// `[lookup] phone_fields.<Object>`: custom phone fields, after the standard ones.
    pub phone_fields: CustomPhoneFields,
    /// `[api]`: when the lookup holds back optional requests (the governor's threshold).
    /// Carried here so every lookup built from the config obeys the admin's threshold.
    pub api: crate::api_usage::ApiSettings,
}

/// Admin-configured phone fields per object (`Work_Phone__c`…), searched and
/// compared after the standard ones. Names are validated API names, never
/// caller input; a standard field named again is left out (it is searched anyway).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomPhoneFields {
    contact: Vec<String>,
    lead: Vec<String>,
    account: Vec<String>,
}

impl CustomPhoneFields {
    /// Adds `fields` to `object`'s list. Refuses a name that is not a Salesforce
    /// API name; drops standard fields and repeats (compared case-insensitively,
    /// as Salesforce compares API names).
    pub fn set(&mut self, object: CallerObject, fields: &[String]) -> Result<(), String> {
        let standard = standard_phone_fields(object);
        let list = self.list_mut(object);
        for field in fields {
            salesforce::validate_api_name("field", field).map_err(|err| err.to_string())?;
            let known = standard
                .iter()
                .copied()
                .chain(list.iter().map(String::as_str))
                .any(|f| f.eq_ignore_ascii_case(field));
            if !known {
                list.push(field.clone());
            }
        }
        Ok(())
    }

    /// The custom phone fields of `object`, in the admin's order.
    pub fn of(&self, object: CallerObject) -> &[String] {
        match object {
            CallerObject::Contact => &self.contact,
            CallerObject::Lead => &self.lead,
            CallerObject::Account => &self.account,
        }
    }

    fn list_mut(&mut self, object: CallerObject) -> &mut Vec<String> {
        match object {
            CallerObject::Contact => &mut self.contact,
            CallerObject::Lead => &mut self.lead,
            CallerObject::Account => &mut self.account,
        }
    }

    /// Every phone field compared on `object`: the standard ones (main number
    /// first), then the custom ones.
    pub fn all(&self, object: CallerObject) -> Vec<&str> {
        standard_phone_fields(object)
            .iter()
            .copied()
            .chain(self.of(object).iter().map(String::as_str))
            .collect()
    }
}

/// The standard phone fields of each object, in the order a match on them
/// ranks (the main number first).
pub fn standard_phone_fields(object: CallerObject) -> &'static [&'static str] {
    match object {
        CallerObject::Contact => &[
            "Phone",
            "MobilePhone",
            "HomePhone",
            "OtherPhone",
            "AssistantPhone",
        ],
        CallerObject::Lead => &["Phone", "MobilePhone"],
        CallerObject::Account => &["Phone"],
    }
}

/// The order in which matches on each object are listed: every object exactly
/// once, so an admin's config can only reorder, never hide, a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectPriority([CallerObject; 3]);

impl Default for ObjectPriority {
    fn default() -> Self {
        ObjectPriority([
            CallerObject::Contact,
            CallerObject::Lead,
            CallerObject::Account,
        ])
    }
}

impl ObjectPriority {
    /// `order` must name each of Contact, Lead and Account exactly once.
    pub fn new(order: [CallerObject; 3]) -> Option<Self> {
        let all_distinct = order[0] != order[1] && order[1] != order[2] && order[0] != order[2];
        all_distinct.then_some(ObjectPriority(order))
    }

    /// 0 for the object listed first.
    pub fn rank(&self, object: CallerObject) -> usize {
        self.0
            .iter()
            .position(|o| *o == object)
            .unwrap_or(self.0.len())
    }

    pub fn order(&self) -> [CallerObject; 3] {
        self.0
    }
}

impl LookupSettings {
    /// Settings with the region named by the OS locale (`ja-JP` → JP), else US.
    pub fn from_environment() -> Self {
        let region = sys_locale::get_locale().and_then(|locale| region_of_locale(&locale));
        LookupSettings::with_region(region.unwrap_or(Region::US))
    }

    pub fn with_region(default_region: Region) -> Self {
        LookupSettings {
            default_region,
            object_priority: ObjectPriority::default(),
            phone_fields: CustomPhoneFields::default(),
            api: crate::api_usage::ApiSettings::default(),
        }
    }

    /// The same settings under the admin's `[api]` table.
    pub fn with_api_settings(mut self, api: crate::api_usage::ApiSettings) -> Self {
        self.api = api;
        self
    }

    /// The same settings with custom phone fields.
    pub fn with_phone_fields(mut self, phone_fields: CustomPhoneFields) -> Self {
        self.phone_fields = phone_fields;
        self
    }

    /// The same settings with another object priority.
    pub fn with_object_priority(mut self, object_priority: ObjectPriority) -> Self {
        self.object_priority = object_priority;
        self
    }
}

/// The region part of a locale tag: `ja-JP`, `de_DE.UTF-8`, `ar-SA@calendar` →
/// JP, DE, SA. Tags without a region (`C`, `POSIX`, `en`) name none.
pub fn region_of_locale(locale: &str) -> Option<Region> {
    let tag = locale.split(['.', '@']).next().unwrap_or_default();
    tag.split(['-', '_'])
        .skip(1)
        .find(|part| part.len() == 2)
        .and_then(Region::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_phone_fields_follow_the_standard_ones_once_each() {
        let mut fields = CustomPhoneFields::default();
        fields
            .set(
                CallerObject::Contact,
                &[
                    "Work_Phone__c".to_owned(),
                    "phone".to_owned(),
                    "work_phone__c".to_owned(),
                ],
            )
            .expect("valid API names");
        assert_eq!(
            fields.all(CallerObject::Contact).last(),
            Some(&"Work_Phone__c"),
            "custom after standard; a standard field or a repeat is not added twice"
        );
        assert_eq!(fields.of(CallerObject::Contact).len(), 1);
        assert!(fields.of(CallerObject::Lead).is_empty(), "per object");
        let err = fields
            .set(CallerObject::Lead, &["Work Phone".to_owned()])
            .expect_err("a space is not in an API name");
        assert!(err.contains("Work Phone"), "names the bad value: {err}");
    }

    #[test]
    fn locale_tags_name_their_region() {
        for (tag, region) in [
            ("ja-JP", "JP"),
            ("de_DE.UTF-8", "DE"),
            ("ar-SA@calendar", "SA"),
            ("zh-Hant-TW", "TW"),
        ] {
            let found = region_of_locale(tag).map(|r| r.code().to_owned());
            assert_eq!(found.as_deref(), Some(region), "{tag} names {region}");
        }
        for tag in ["C", "POSIX", "en", ""] {
            assert_eq!(region_of_locale(tag), None, "{tag:?} names no region");
        }
    }
}
