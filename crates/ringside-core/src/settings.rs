//! Lookup settings and where they come from: the admin's config file, else the
//! OS locale, else the United States; and the object priority of ranking.

use crate::lookup::CallerObject;
use crate::phone::Region;

/// How lookups read numbers typed without a country code, and which object
/// ranks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupSettings {
    pub default_region: Region,
    /// Which object's matches come first (default Contact > Lead > Account).
    pub object_priority: ObjectPriority,
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
        }
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
