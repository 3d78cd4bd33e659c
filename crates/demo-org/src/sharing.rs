//! Record sharing: which records a user may read. `Call_Log__c` and `Task` have a private
//! organization-wide default here (as call centers set them): a user sees the records they
//! own, unless they have "View All Data" (the demo user, the org's admin; the seeded agents
//! have not). Other objects are public read. Applied to SOQL queries (subquery rows too)
//! and to record reads (by id or external id); writes are not checked.
//! See <https://help.salesforce.com/s/articleView?id=sf.security_sharing_owd_about.htm>.

use crate::store::Record;

/// Objects whose records only their owner (and "View All Data") may see.
pub const PRIVATE_OBJECTS: &[&str] = &["Call_Log__c", "Task"];

/// Who is reading.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub user_id: &'a str,
    /// "View All Data": sharing does not limit this user.
    pub view_all_data: bool,
}

impl Viewer<'_> {
    /// Whether this user may see `record`.
    pub fn sees(&self, record: &Record) -> bool {
        self.view_all_data
            || !PRIVATE_OBJECTS.contains(&record.object.name)
            || record
                .get("OwnerId")
                .as_str()
                .is_some_and(|owner| owner.eq_ignore_ascii_case(self.user_id))
    }
}
