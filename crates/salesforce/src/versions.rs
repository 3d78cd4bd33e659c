//! `GET /services/data/`: the REST API versions an org serves, newest last. It needs no
//! session, so it can be asked before (or without) a sign-in. See
//! <https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm>:
//! each entry is `{"label":"Spring '26","url":"/services/data/v66.0","version":"66.0"}`.

use std::time::Duration;

use serde::Deserialize;

use crate::error::Error;
use crate::instance::InstanceUrl;
use crate::version::ApiVersion;

#[derive(Debug, Deserialize)]
struct Entry {
    version: String,
}

/// The versions `instance` serves, oldest first. Entries this client cannot read as a
/// version (none are known) are skipped rather than failing the whole list.
pub async fn served_versions(instance: &InstanceUrl) -> Result<Vec<ApiVersion>, Error> {
    const REQUEST: &str = "GET /services/data";
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|err| Error::from_transport(REQUEST.into(), err))?;
    let response = http
        .get(format!("{}/services/data/", instance.as_str()))
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|err| Error::from_transport(REQUEST.into(), err))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response
        .bytes()
        .await
        .map_err(|err| Error::from_transport(REQUEST.into(), err))?;
    if !(200..300).contains(&status) {
        return Err(Error::from_response(
            status,
            REQUEST,
            content_type.as_deref(),
            &body,
            "",
        ));
    }
    let entries: Vec<Entry> = serde_json::from_slice(&body).map_err(|source| {
        Error::unreadable(
            REQUEST,
            status,
            "a list of API versions",
            content_type.as_deref(),
            &body,
            Some(source),
            "",
        )
    })?;
    let mut versions: Vec<ApiVersion> = entries
        .iter()
        .filter_map(|e| ApiVersion::parse(&e.version).ok())
        .collect();
    versions.sort();
    Ok(versions)
}
