//! Lookup settings and where they come from: the admin's config file, else the
//! OS locale, else the United States.

use crate::phone::Region;

/// How lookups read numbers typed without a country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupSettings {
    pub default_region: Region,
}

impl LookupSettings {
    /// Settings with the region named by the OS locale (`ja-JP` → JP), else US.
    pub fn from_environment() -> Self {
        let region = sys_locale::get_locale().and_then(|locale| region_of_locale(&locale));
        LookupSettings {
            default_region: region.unwrap_or(Region::US),
        }
    }

    pub fn with_region(default_region: Region) -> Self {
        LookupSettings { default_region }
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
