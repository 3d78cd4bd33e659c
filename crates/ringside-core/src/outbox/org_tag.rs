//! Which org a queued item (a call log, a record edit) or an API usage count belongs to:
//! the signed-in org's alias, or [`DEMO_ORG_TAG`] for the built-in demo org. One type with
//! one constructor, so the desktop, the CLI and core cannot tag the same org two ways (a log
//! tagged wrongly would wait forever, or go to the wrong org).

use std::fmt;

use super::OrgFilter;

/// The org tag of logs queued for the built-in demo org (`*` is never part of an alias, so
/// it cannot collide with a signed-in org's alias).
pub const DEMO_ORG_TAG: &str = "*demo";

/// The org an item is queued for, as stored in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgTag(String);

impl OrgTag {
    /// The tag of the org signed in as `alias` in `orgs.toml`; `None` is the built-in demo org.
    pub fn of(alias: Option<&str>) -> OrgTag {
        match alias {
            Some(alias) => OrgTag(alias.to_owned()),
            None => OrgTag(DEMO_ORG_TAG.to_owned()),
        }
    }

    /// The tag as stored (the alias, or `*demo`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_demo(&self) -> bool {
        self.0 == DEMO_ORG_TAG
    }

    /// The signed-in org's alias; `None` for the demo org.
    pub fn alias(&self) -> Option<&str> {
        (!self.is_demo()).then_some(self.0.as_str())
    }

    /// Which queued logs this org's worker may send: the demo org only its own, a signed-in
    /// org its own and untagged ones.
    pub fn worker_filter(&self) -> OrgFilter {
        OrgFilter::for_org(self.alias())
    }

    /// A stored tag as a person reads it: the alias, or `demo`.
    pub fn label(stored: &str) -> &str {
        if stored == DEMO_ORG_TAG {
            "demo"
        } else {
            stored
        }
    }
}

impl fmt::Display for OrgTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for OrgTag {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<OrgTag> for String {
    fn from(tag: OrgTag) -> String {
        tag.0
    }
}

impl From<&OrgTag> for String {
    fn from(tag: &OrgTag) -> String {
        tag.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alias_tags_its_org_and_no_alias_is_the_demo_org() {
        let acme = OrgTag::of(Some("acme"));
        assert_eq!(acme.as_str(), "acme");
        assert_eq!(acme.alias(), Some("acme"));
        assert!(!acme.is_demo());
        assert_eq!(acme.worker_filter(), OrgFilter::SignedIn("acme".into()));
        let demo = OrgTag::of(None);
        assert_eq!(demo.as_str(), DEMO_ORG_TAG);
        assert_eq!(demo.alias(), None);
        assert!(demo.is_demo());
        assert_eq!(
            demo.worker_filter(),
            OrgFilter::Only(DEMO_ORG_TAG.into()),
            "the demo org never takes a signed-in org's or an untagged log"
        );
        assert_eq!(OrgTag::label(DEMO_ORG_TAG), "demo");
        assert_eq!(OrgTag::label("acme"), "acme");
    }
}
