//! `check_value` against field describes served by a real demo org: each type's rule.

use ringside_core::field_value::check_value;
use serde_json::json;

use crate::config_check::demo;

#[tokio::test]
async fn values_are_checked_against_the_live_describe() {
    let (org, client) = demo().await;
    let task = client.describe("Task").await.expect("Task describe");
    let opp = client
        .describe("Opportunity")
        .await
        .expect("Opportunity describe");
    let date = task.field("ActivityDate").expect("ActivityDate");
    assert_eq!(check_value(date, "2026-03-31"), Ok(json!("2026-03-31")));
    let err = check_value(date, "31/12/2026").unwrap_err();
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    let at = opp.field("Demo_Requested_At__c").expect("datetime field");
    assert!(check_value(at, "2026-03-31T14:30:00Z").is_ok());
    assert!(
        check_value(at, "2026-03-31")
            .unwrap_err()
            .contains("YYYY-MM-DDTHH:MM:SSZ")
    );
    let seconds = task.field("CallDurationInSeconds").expect("int field");
    assert_eq!(check_value(seconds, "42"), Ok(json!(42)));
    assert!(
        check_value(seconds, "4.2")
            .unwrap_err()
            .contains("whole number")
    );
    let note = task.field("Description").expect("textarea");
    assert!(
        check_value(note, &"n".repeat(32_000)).is_ok(),
        "exactly the limit fits"
    );
    let err = check_value(note, &"n".repeat(40_000)).unwrap_err();
    assert!(err.contains("40000") && err.contains("32000"), "{err}");
    let closed = task.field("IsClosed").expect("boolean");
    assert_eq!(check_value(closed, "TRUE"), Ok(json!(true)));
    assert!(check_value(closed, "yes").is_err());
    let status = task.field("Status").expect("picklist");
    assert_eq!(check_value(status, "completed"), Ok(json!("Completed")));
    assert!(
        check_value(status, "Done")
            .unwrap_err()
            .contains("Completed")
    );
    let who = task.field("WhoId").expect("reference");
    assert!(check_value(who, "not-an-id").is_err());
    let subject = task.field("Subject").expect("string");
    if !subject.nillable {
        assert!(check_value(subject, "").is_err());
    }
    org.shutdown().await;
}
