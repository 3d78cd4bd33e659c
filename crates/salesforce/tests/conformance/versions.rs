//! `GET /services/data/`: the versions an org serves, answered without a session.

use crate::case::org;

const VERSIONS_DOC: &str = "https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm";

#[tokio::test]
async fn the_versions_list_needs_no_session_and_reads_as_versions() {
    let org = org().await;
    let answer = reqwest::get(format!("{}/services/data/", org.base_url()))
        .await
        .expect("the demo org answers");
    assert_eq!(
        answer.status().as_u16(),
        200,
        "no token needed: {VERSIONS_DOC}"
    );
    let body: serde_json::Value = answer.json().await.expect("JSON");
    let first = &body[0];
    assert!(
        first["label"].is_string()
            && first["url"]
                .as_str()
                .is_some_and(|u| u.starts_with("/services/data/v"))
            && first["version"].is_string(),
        "each entry is {{label, url, version}} ({VERSIONS_DOC}): {first}"
    );
    let instance = salesforce::InstanceUrl::parse(&org.base_url()).expect("loopback URL");
    let served = salesforce::served_versions(&instance)
        .await
        .expect("the client reads the list");
    assert_eq!(
        served.last().map(ToString::to_string).as_deref(),
        Some("66.0"),
        "oldest first, newest last: {served:?}"
    );

    // An org not yet on the newest release: the list stops there and newer paths are not found.
    org.faults().serve_api_versions_up_to("62.0");
    let served = salesforce::served_versions(&instance).await.expect("list");
    assert_eq!(
        served.last().map(ToString::to_string).as_deref(),
        Some("62.0")
    );
    let newer = reqwest::Client::new()
        .get(format!("{}/services/data/v66.0/limits", org.base_url()))
        .bearer_auth(org.issue_access_token())
        .send()
        .await
        .expect("answers");
    assert_eq!(
        newer.status().as_u16(),
        404,
        "a version the org does not serve"
    );
}
