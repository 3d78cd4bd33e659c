//! End-to-end tests of the demo org over real loopback HTTP with reqwest: versions and
//! auth, the limit header, describe, SOQL with paging, SOSL semantics, sObject CRUD and
//! validation, upsert, composite, every fault kind, and the `/__demo/` control API.

use demo_org::seed;
use demo_org::{DemoOrg, DemoOrgConfig, LATEST_API_VERSION};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Harness {
    org: DemoOrg,
    client: Client,
    token: String,
}

impl Harness {
    async fn start() -> Self {
        let org = demo_org::start(DemoOrgConfig::default())
            .await
            .expect("the demo org starts on a free port");
        // No pooling: fault tests close connections, and a pooled dead socket would
        // blur which request saw the fault.
        let client = Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("reqwest client builds");
        let token = org.issue_access_token();
        Harness { org, client, token }
    }

    fn url(&self, rest: &str) -> String {
        format!(
            "{}/services/data/v{LATEST_API_VERSION}/{rest}",
            self.org.base_url()
        )
    }

    async fn get(&self, rest: &str) -> Response {
        self.client
            .get(self.url(rest))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("GET reaches the org")
    }

    async fn query(&self, soql: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(self.url("query"))
            .query(&[("q", soql)])
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("query reaches the org");
        let status = r.status();
        (status, r.json().await.expect("query answers JSON"))
    }

    async fn search(&self, sosl: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(self.url("search"))
            .query(&[("q", sosl)])
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("search reaches the org");
        let status = r.status();
        (status, r.json().await.expect("search answers JSON"))
    }

    async fn send(&self, method: reqwest::Method, rest: &str, body: Value) -> Response {
        self.client
            .request(method, self.url(rest))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("request reaches the org")
    }
}

fn error_code(body: &Value) -> &str {
    body[0]["errorCode"].as_str().unwrap_or("<no errorCode>")
}

fn ids(search: &Value) -> Vec<String> {
    search["searchRecords"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["Id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn usage(r: &Response) -> u64 {
    let h = r
        .headers()
        .get("Sforce-Limit-Info")
        .and_then(|v| v.to_str().ok())
        .expect("every data response has Sforce-Limit-Info");
    let n = h
        .strip_prefix("api-usage=")
        .and_then(|s| s.split('/').next())
        .expect("api-usage=N/M format");
    n.parse().expect("N is a number")
}

mod versions_and_auth {
    use super::*;

    #[tokio::test]
    async fn versions_list_and_unknown_version() {
        let h = Harness::start().await;
        let r = h
            .client
            .get(format!("{}/services/data/", h.org.base_url()))
            .send()
            .await
            .expect("versions");
        assert_eq!(r.status(), 200, "the versions list needs no token");
        let body: Value = r.json().await.expect("JSON");
        let versions: Vec<&str> = body
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|v| v["version"].as_str())
            .collect();
        assert!(
            versions.contains(&"60.0") && versions.contains(&"66.0"),
            "v60..v66 are listed: {versions:?}"
        );
        let r = h
            .client
            .get(format!("{}/services/data/v99.0/sobjects", h.org.base_url()))
            .bearer_auth(&h.token)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 404, "an unknown version is 404");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(error_code(&body), "NOT_FOUND", "with NOT_FOUND");
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn missing_unknown_and_expired_tokens_are_401() {
        let h = Harness::start().await;
        let r = h.client.get(h.url("sobjects")).send().await.expect("GET");
        assert_eq!(r.status(), 401, "no token → 401");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(
            body,
            json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]),
            "Salesforce's exact 401 body"
        );
        let r = h
            .client
            .get(h.url("sobjects"))
            .bearer_auth("00Dbogus!token")
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 401, "unknown token → 401");
        assert_eq!(
            h.get("sobjects").await.status(),
            200,
            "the issued token works"
        );
        h.org.faults().expire_tokens();
        let r = h.get("sobjects").await;
        assert_eq!(r.status(), 401, "an expired token → 401");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(
            error_code(&body),
            "INVALID_SESSION_ID",
            "expired sessions say INVALID_SESSION_ID"
        );
        let fresh = h.org.issue_access_token();
        let r = h
            .client
            .get(h.url("sobjects"))
            .bearer_auth(&fresh)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 200, "a token issued after expiry works");
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn limit_header_counts_calls_and_composite_is_one() {
        let h = Harness::start().await;
        let a = usage(&h.get("limits").await);
        let b = usage(&h.get("sobjects/Contact/describe").await);
        assert_eq!(b, a + 1, "each call counts once");
        let sub = |i: usize| json!({"method": "GET", "url": format!("/services/data/v{LATEST_API_VERSION}/sobjects/Contact/{}", seed::JANE_CALLER_ID), "referenceId": format!("r{i}")});
        let r = h
            .send(
                reqwest::Method::POST,
                "composite",
                json!({"compositeRequest": (0..5).map(sub).collect::<Vec<_>>()}),
            )
            .await;
        assert_eq!(usage(&r), b + 1, "a composite of five counts as one call");
        let r = h.get("sobjects/Nope__c/describe").await;
        assert_eq!(r.status(), 404, "unknown object");
        assert_eq!(usage(&r), b + 2, "errors carry the header too");
        h.org.shutdown().await;
    }
}

mod describe {
    use super::*;

    fn field<'a>(d: &'a Value, name: &str) -> &'a Value {
        d["fields"]
            .as_array()
            .and_then(|f| f.iter().find(|x| x["name"] == name))
            .unwrap_or_else(|| panic!("describe lists {name}"))
    }

    #[tokio::test]
    async fn describes_match_salesforce_shapes() {
        let h = Harness::start().await;
        let d: Value = h
            .get("sobjects/Contact/describe")
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(d["keyPrefix"], "003", "Contact key prefix");
        assert_eq!(
            field(&d, "Name")["createable"],
            false,
            "compound Name is not createable"
        );
        assert_eq!(
            field(&d, "LastName")["nillable"],
            false,
            "LastName is required"
        );
        assert_eq!(field(&d, "Phone")["type"], "phone", "phone type");
        assert_eq!(field(&d, "Email")["type"], "email", "email type");
        assert_eq!(
            field(&d, "AccountId")["referenceTo"],
            json!(["Account"]),
            "reference target"
        );
        assert_eq!(
            field(&d, "AccountId")["relationshipName"],
            "Account",
            "relationship name"
        );
        let lead_source = &field(&d, "LeadSource")["picklistValues"];
        assert!(
            lead_source
                .as_array()
                .is_some_and(|v| v.iter().any(|p| p["value"] == "Web" && p["active"] == true)),
            "picklist values"
        );
        let t: Value = h
            .get("sobjects/Task/describe")
            .await
            .json()
            .await
            .expect("JSON");
        let subtype = field(&t, "TaskSubtype");
        assert!(
            subtype["createable"] == true && subtype["updateable"] == false,
            "TaskSubtype is create-only"
        );
        assert_eq!(
            field(&t, "Description")["length"],
            32000,
            "Task Description holds 32,000"
        );
        assert_eq!(
            field(&t, "WhoId")["referenceTo"],
            json!(["Contact", "Lead"]),
            "WhoId is polymorphic"
        );
        let c: Value = h
            .get("sobjects/Call_Log__c/describe")
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            field(&c, "External_Id__c")["externalId"],
            true,
            "call log external id"
        );
        assert_eq!(
            field(&c, "Started_At__c")["type"],
            "datetime",
            "datetime type"
        );
        assert_eq!(
            (
                field(&c, "Subject__c")["type"].clone(),
                field(&c, "Subject__c")["length"].clone()
            ),
            (json!("string"), json!(255)),
            "the call log's subject is Text(255), like Task.Subject"
        );
        assert_eq!(
            (
                field(&c, "Notes__c")["type"].clone(),
                field(&c, "Notes__c")["length"].clone()
            ),
            (json!("textarea"), json!(32000)),
            "the call log's notes are a Long Text Area(32,000), like Task.Description"
        );
        for object in ["Lead", "Account", "Opportunity", "Case", "User"] {
            assert_eq!(
                h.get(&format!("sobjects/{object}/describe")).await.status(),
                200,
                "{object} is described"
            );
        }
        h.org.shutdown().await;
    }
}

mod query {
    use super::*;

    #[tokio::test]
    async fn pages_with_batch_size_and_next_records_url() {
        let h = Harness::start().await;
        let r = h
            .client
            .get(h.url("query"))
            .query(&[("q", "SELECT Id, Name FROM Contact ORDER BY Name")])
            .header("Sforce-Query-Options", "batchSize=200")
            .bearer_auth(&h.token)
            .send()
            .await
            .expect("query");
        let first: Value = r.json().await.expect("JSON");
        let total = first["totalSize"].as_u64().expect("totalSize");
        assert!(total > 200, "more than one page of contacts: {total}");
        assert_eq!(first["done"], false, "first page is not done");
        assert_eq!(
            first["records"].as_array().map(Vec::len),
            Some(200),
            "a page of batchSize rows"
        );
        let next = first["nextRecordsUrl"]
            .as_str()
            .expect("nextRecordsUrl on a partial page");
        assert!(
            next.starts_with(&format!("/services/data/v{LATEST_API_VERSION}/query/01g")),
            "locator url shape: {next}"
        );
        let second: Value = h
            .client
            .get(format!("{}{next}", h.org.base_url()))
            .bearer_auth(&h.token)
            .send()
            .await
            .expect("next page")
            .json()
            .await
            .expect("JSON");
        assert_eq!(second["done"], true, "second page finishes");
        assert_eq!(
            second["records"].as_array().map(Vec::len),
            Some(total as usize - 200),
            "the rest of the rows"
        );
        assert!(
            second.get("nextRecordsUrl").is_none(),
            "no nextRecordsUrl when done"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn parent_fields_are_nested_with_attributes() {
        let h = Harness::start().await;
        let (status, body) = h
            .query("SELECT Id, Name, Title, Account.Name, Owner.Name FROM Contact WHERE Email = 'jane.caller@EXAMPLE.com'")
            .await;
        assert_eq!(status, 200, "valid query: {body}");
        assert_eq!(body["totalSize"], 1, "email equality is case-insensitive");
        let rec = &body["records"][0];
        assert_eq!(rec["attributes"]["type"], "Contact", "record attributes");
        assert_eq!(rec["Id"], seed::JANE_CALLER_ID, "Jane's well-known id");
        assert_eq!(
            rec["Account"]["attributes"]["type"], "Account",
            "parent carries attributes"
        );
        assert_eq!(
            rec["Account"]["Name"], "Acme Corporation",
            "parent field nested"
        );
        assert_eq!(rec["Owner"]["Name"], "Dana Demo", "owner is the demo user");
        let (_, open) = h
            .query(&format!(
                "SELECT Id, Name FROM Opportunity WHERE AccountId = '{}' AND IsClosed = false",
                seed::ACME_ACCOUNT_ID
            ))
            .await;
        assert_eq!(open["totalSize"], 1, "Acme has one open opportunity");
        let (_, cases) = h
            .query(&format!(
                "SELECT Id FROM Case WHERE ContactId = '{}' AND IsClosed = false",
                seed::JANE_CALLER_ID
            ))
            .await;
        assert_eq!(
            cases["records"][0]["Id"],
            seed::JANE_OPEN_CASE_ID,
            "Jane has one open case"
        );
        let (_, count) = h
            .query("SELECT COUNT() FROM Lead WHERE IsConverted = true")
            .await;
        assert!(
            count["totalSize"].as_u64().is_some_and(|n| n >= 1) && count["records"] == json!([]),
            "COUNT() answers totalSize only"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn query_errors_are_salesforce_errors() {
        let h = Harness::start().await;
        for (soql, code) in [
            ("SELECT Id FROM Contact WHERE", "MALFORMED_QUERY"),
            (
                "SELECT Id FROM Contact WHERE Name = 'unterminated",
                "MALFORMED_QUERY",
            ),
            ("SELECT Bogus FROM Contact", "INVALID_FIELD"),
            ("SELECT Id FROM Bogus__c", "INVALID_TYPE"),
            (
                "SELECT Id FROM Lead WHERE IsConverted = 'false'",
                "INVALID_FIELD",
            ),
            (
                "SELECT Id FROM Contact WHERE Name = 'x' OR '1'='1'",
                "MALFORMED_QUERY",
            ),
        ] {
            let (status, body) = h.query(soql).await;
            assert_eq!(status, 400, "{soql} is a 400");
            assert_eq!(error_code(&body), code, "{soql} → {code}: {body}");
        }
        let (status, body) = h
            .query(r"SELECT Id FROM Contact WHERE LastName = 'O\'Brien' OR LastName LIKE '%\_%'")
            .await;
        assert_eq!(
            (status.as_u16(), body["totalSize"].clone()),
            (200, json!(0)),
            "escaped literals are valid and match nothing: {body}"
        );
        h.org.shutdown().await;
    }
}

mod search {
    use super::*;

    #[tokio::test]
    async fn phone_digits_rule() {
        let h = Harness::start().await;
        let (status, by_digits) = h
            .search("FIND {4155550123} IN PHONE FIELDS RETURNING Contact(Id, Name, Phone)")
            .await;
        assert_eq!(status, 200, "valid search: {by_digits}");
        assert!(
            ids(&by_digits).contains(&seed::JANE_CALLER_ID.to_owned()),
            "national digits find (415) 555-0123"
        );
        assert_eq!(
            by_digits["searchRecords"][0]["attributes"]["type"], "Contact",
            "records carry attributes"
        );
        let (_, e164) = h
            .search(r"FIND {\+14155550123} IN PHONE FIELDS RETURNING Contact(Id)")
            .await;
        assert!(
            !ids(&e164).contains(&seed::JANE_CALLER_ID.to_owned()),
            "E.164 does not find a number stored nationally"
        );
        let (_, rendered) = h
            .search(r#"FIND {"(415) 555-0123"} IN PHONE FIELDS RETURNING Contact(Id)"#)
            .await;
        assert!(
            ids(&rendered).contains(&seed::JANE_CALLER_ID.to_owned()),
            "the stored rendering finds it"
        );
        let (_, jp) = h
            .search(r"FIND {\+81312345678} IN PHONE FIELDS RETURNING Contact(Id, Name)")
            .await;
        assert!(
            ids(&jp).contains(&seed::YAMADA_CONTACT_ID.to_owned()),
            "an international stored number matches its E.164 digits"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn screen_pop_search_filters_converted_leads() {
        let h = Harness::start().await;
        let sosl = format!(
            r#"FIND {{"{}" OR "{}"}} IN PHONE FIELDS RETURNING Contact(Id, Name, Account.Name), Lead(Id, Name WHERE IsConverted = false), Account(Id, Name)"#,
            seed::CONVERTED_TWIN_NUMBER,
            seed::SHARED_NUMBER
        );
        let (status, body) = h.search(&sosl).await;
        assert_eq!(status, 200, "valid search: {body}");
        let found = ids(&body);
        assert!(
            found.contains(&seed::CONVERTED_TWIN_CONTACT_ID.to_owned()),
            "the contact twin is found"
        );
        assert!(
            !found.contains(&seed::CONVERTED_LEAD_ID.to_owned()),
            "the converted lead is filtered by WHERE"
        );
        assert!(
            found.contains(&seed::SHARED_NUMBER_CONTACT_ID.to_owned())
                && found.contains(&seed::SHARED_NUMBER_LEAD_ID.to_owned()),
            "a Contact and a Lead share a number"
        );
        let (_, globex) = h
            .search(&format!(
                r#"FIND {{"{}"}} IN PHONE FIELDS RETURNING Contact(Id), Account(Id)"#,
                seed::GLOBEX_MAIN_NUMBER
            ))
            .await;
        let g = ids(&globex);
        assert!(
            g.contains(&seed::GLOBEX_ACCOUNT_ID.to_owned())
                && g.contains(&seed::GLOBEX_CONTACT_1_ID.to_owned())
                && g.contains(&seed::GLOBEX_CONTACT_2_ID.to_owned()),
            "account main number matches the account and two contacts"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn email_case_names_and_malformed() {
        let h = Harness::start().await;
        let (_, email) = h
            .search("FIND {JANE.CALLER@EXAMPLE.COM} IN EMAIL FIELDS RETURNING Contact(Id, Email)")
            .await;
        assert_eq!(
            ids(&email),
            vec![seed::JANE_CALLER_ID.to_owned()],
            "email search is case-insensitive and exact enough"
        );
        assert_eq!(
            email["searchRecords"][0]["Email"],
            seed::JANE_EMAIL,
            "the stored case is returned"
        );
        let (_, name) = h
            .search("FIND {山田} IN NAME FIELDS RETURNING Contact(Id, Name)")
            .await;
        assert!(
            ids(&name).contains(&seed::YAMADA_CONTACT_ID.to_owned()),
            "Japanese name search"
        );
        let (_, turkish) = h
            .search("FIND {öztürk} IN NAME FIELDS RETURNING Contact(Id, Name)")
            .await;
        assert!(
            !ids(&turkish).is_empty(),
            "Turkish names are found case-insensitively"
        );
        for bad in [
            "FIND {+14155550123} IN PHONE FIELDS",
            "FIND {abc",
            "FIND {a}",
            "FIND {ab} RETURNING Contact(Id WHERE",
        ] {
            let (status, body) = h.search(bad).await;
            assert_eq!(
                (status.as_u16(), error_code(&body)),
                (400, "MALFORMED_SEARCH"),
                "{bad} is MALFORMED_SEARCH: {body}"
            );
        }
        h.org.shutdown().await;
    }
}

mod sobjects {
    use super::*;
    use reqwest::Method;

    #[tokio::test]
    async fn delete_by_external_id_removes_the_match() {
        let h = Harness::start().await;
        let path = "sobjects/Call_Log__c/External_Id__c/delete-me";
        let r = h
            .send(Method::PATCH, path, json!({"Direction__c": "Inbound"}))
            .await;
        assert_eq!(r.status(), 201, "upserted");
        let r = h.send(Method::DELETE, path, Value::Null).await;
        assert_eq!(r.status(), 204, "deleted by its external id");
        assert_eq!(h.get(path).await.status(), 404, "gone");
        let r = h.send(Method::DELETE, path, Value::Null).await;
        assert_eq!(r.status(), 404, "nothing left to delete");
    }

    #[tokio::test]
    async fn create_read_update_delete() {
        let h = Harness::start().await;
        let r = h.send(Method::POST, "sobjects/Contact", json!({"FirstName": "İsmail", "LastName": "Testoğlu", "Phone": "+90 212 555 99 99", "AccountId": seed::ACME_ACCOUNT_ID})).await;
        assert_eq!(r.status(), 201, "create answers 201");
        let created: Value = r.json().await.expect("JSON");
        assert_eq!(created["success"], true, "success flag");
        assert_eq!(created["errors"], json!([]), "no errors");
        let id = created["id"].as_str().expect("an id").to_owned();
        assert!(
            id.len() == 18 && id.starts_with("003"),
            "an 18-char Contact id: {id}"
        );
        let rec: Value = h
            .get(&format!("sobjects/Contact/{id}"))
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(rec["Name"], "İsmail Testoğlu", "Name is derived");
        let stamp = rec["LastModifiedDate"]
            .as_str()
            .expect("timestamp")
            .to_owned();
        assert!(
            stamp.ends_with(".000+0000") || stamp.ends_with("+0000"),
            "Salesforce datetime format: {stamp}"
        );
        let some: Value = h
            .get(&format!("sobjects/Contact/{id}?fields=Name,Phone"))
            .await
            .json()
            .await
            .expect("JSON");
        assert!(
            some.get("Title").is_none() && some["Phone"] == "+90 212 555 99 99",
            "?fields= limits the fields"
        );
        let r = h
            .send(
                Method::PATCH,
                &format!("sobjects/Contact/{id}"),
                json!({"Title": "Müdür"}),
            )
            .await;
        assert_eq!(r.status(), 204, "update answers 204");
        let rec: Value = h
            .get(&format!("sobjects/Contact/{id}"))
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(rec["Title"], "Müdür", "update applied");
        let r = h
            .client
            .delete(h.url(&format!("sobjects/Contact/{id}")))
            .bearer_auth(&h.token)
            .send()
            .await
            .expect("DELETE");
        assert_eq!(r.status(), 204, "delete answers 204");
        let r = h.get(&format!("sobjects/Contact/{id}")).await;
        assert_eq!(r.status(), 404, "deleted records are gone");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(error_code(&body), "ENTITY_IS_DELETED", "and say so");
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn validation_errors() {
        let h = Harness::start().await;
        let cases = [
            (
                "sobjects/Contact",
                json!({"FirstName": "No"}),
                "REQUIRED_FIELD_MISSING",
                Some("LastName"),
            ),
            (
                "sobjects/Lead",
                json!({"LastName": "NoCompany"}),
                "REQUIRED_FIELD_MISSING",
                Some("Company"),
            ),
            (
                "sobjects/Contact",
                json!({"LastName": "x".repeat(81)}),
                "STRING_TOO_LONG",
                Some("LastName"),
            ),
            (
                "sobjects/Contact",
                json!({"LastName": "X", "Name": "Y"}),
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                Some("Name"),
            ),
            (
                "sobjects/Task",
                json!({"Subject": "Call", "Description": "d".repeat(32_001)}),
                "STRING_TOO_LONG",
                Some("Description"),
            ),
            (
                "sobjects/Call_Log__c",
                json!({"Subject__c": "s".repeat(256)}),
                "STRING_TOO_LONG",
                Some("Subject__c"),
            ),
            (
                "sobjects/Call_Log__c",
                json!({"Notes__c": "n".repeat(32_001)}),
                "STRING_TOO_LONG",
                Some("Notes__c"),
            ),
            (
                "sobjects/Task",
                json!({"Subject": "Call", "CallType": "Sideways"}),
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                Some("CallType"),
            ),
            (
                "sobjects/Contact",
                json!({"LastName": "X", "Bogus__c": 1}),
                "INVALID_FIELD",
                None,
            ),
        ];
        for (path, body, code, field) in cases {
            let r = h.send(Method::POST, path, body).await;
            assert_eq!(r.status(), 400, "{path} {code} is a 400");
            let err: Value = r.json().await.expect("JSON");
            assert_eq!(error_code(&err), code, "{path}: {err}");
            if let Some(f) = field {
                assert_eq!(err[0]["fields"], json!([f]), "{code} names the field");
            }
        }
        let r = h.send(Method::POST, "sobjects/Task", json!({"Subject": "Call", "Type": "Call", "TaskSubtype": "Call", "WhoId": seed::JANE_CALLER_ID})).await;
        assert_eq!(r.status(), 201, "a call Task is created");
        let id = r.json::<Value>().await.expect("JSON")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let r = h
            .send(
                Method::PATCH,
                &format!("sobjects/Task/{id}"),
                json!({"TaskSubtype": "Task"}),
            )
            .await;
        let err: Value = r.json().await.expect("JSON");
        assert_eq!(
            error_code(&err),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "TaskSubtype cannot be updated"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn upsert_201_200_300() {
        let h = Harness::start().await;
        let body = json!({"Direction__c": "Inbound", "Duration_Seconds__c": 42, "From_Number__c": "+14155550123", "Contact__c": seed::JANE_CALLER_ID});
        let r = h
            .send(
                Method::PATCH,
                "sobjects/Call_Log__c/External_Id__c/call-abc-1",
                body.clone(),
            )
            .await;
        assert_eq!(r.status(), 201, "first upsert creates");
        let created: Value = r.json().await.expect("JSON");
        assert_eq!(created["created"], true, "created flag");
        let r = h
            .send(
                Method::PATCH,
                "sobjects/Call_Log__c/External_Id__c/call-abc-1",
                json!({"Duration_Seconds__c": 43}),
            )
            .await;
        assert_eq!(r.status(), 200, "second upsert updates");
        let updated: Value = r.json().await.expect("JSON");
        assert_eq!(
            (updated["created"].clone(), updated["id"].clone()),
            (json!(false), created["id"].clone()),
            "same record, created=false"
        );
        let r = h
            .send(
                Method::PATCH,
                &format!("sobjects/Account/Legacy_Id__c/{}", seed::LEGACY_DUP_VALUE),
                json!({"Website": "https://x.example"}),
            )
            .await;
        assert_eq!(r.status(), 300, "several matches → 300");
        let urls: Value = r.json().await.expect("JSON");
        assert_eq!(
            urls.as_array().map(Vec::len),
            Some(2),
            "the matching record URLs are listed"
        );
        let r = h
            .send(
                Method::PATCH,
                "sobjects/Call_Log__c/Direction__c/Inbound",
                json!({}),
            )
            .await;
        assert_eq!(r.status(), 404, "a non-external-id field cannot be used");
        h.org.shutdown().await;
    }
}

mod composite {
    use super::*;
    use reqwest::Method;

    fn v(path: &str) -> String {
        format!("/services/data/v{LATEST_API_VERSION}/{path}")
    }

    #[tokio::test]
    async fn references_chain_subrequests() {
        let h = Harness::start().await;
        let body = json!({"allOrNone": true, "compositeRequest": [
            {"method": "POST", "url": v("sobjects/Account"), "referenceId": "acct", "body": {"Name": "Composite Co"}},
            {"method": "POST", "url": v("sobjects/Contact"), "referenceId": "ct", "body": {"LastName": "Ref", "AccountId": "@{acct.id}"}},
            {"method": "GET", "url": v("query?q=SELECT+Id,+Account.Name+FROM+Contact+WHERE+Id+=+'@{ct.id}'"), "referenceId": "q"},
            {"method": "PATCH", "url": v("sobjects/Contact/@{q.records[0].Id}"), "referenceId": "upd", "body": {"Title": "Linked"}},
        ]});
        let r = h.send(Method::POST, "composite", body).await;
        assert_eq!(r.status(), 200, "composite answers 200");
        let out: Value = r.json().await.expect("JSON");
        let codes: Vec<u64> = out["compositeResponse"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|x| x["httpStatusCode"].as_u64())
            .collect();
        assert_eq!(
            codes,
            vec![201, 201, 200, 204],
            "every subrequest succeeded: {out}"
        );
        assert_eq!(
            out["compositeResponse"][2]["body"]["records"][0]["Account"]["Name"], "Composite Co",
            "the reference linked the records"
        );
        assert!(
            out["compositeResponse"][0]["httpHeaders"]["Location"]
                .as_str()
                .is_some_and(|l| l.contains("/sobjects/Account/001")),
            "Location header on create"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn all_or_none_rolls_back() {
        let h = Harness::start().await;
        let body = json!({"allOrNone": true, "compositeRequest": [
            {"method": "POST", "url": v("sobjects/Account"), "referenceId": "acct", "body": {"Name": "Rollback Ltd"}},
            {"method": "POST", "url": v("sobjects/Contact"), "referenceId": "bad", "body": {"FirstName": "NoLastName", "AccountId": "@{acct.id}"}},
            {"method": "GET", "url": v("limits"), "referenceId": "after"},
        ]});
        let out: Value = h
            .send(Method::POST, "composite", body)
            .await
            .json()
            .await
            .expect("JSON");
        let resp = &out["compositeResponse"];
        assert_eq!(
            resp[0]["httpStatusCode"], 400,
            "the successful one is reported halted"
        );
        assert_eq!(
            error_code(&resp[0]["body"]),
            "PROCESSING_HALTED",
            "rolled back"
        );
        assert_eq!(
            error_code(&resp[1]["body"]),
            "REQUIRED_FIELD_MISSING",
            "the failing one keeps its error"
        );
        assert_eq!(
            error_code(&resp[2]["body"]),
            "PROCESSING_HALTED",
            "later ones are not run"
        );
        let (_, q) = h
            .query("SELECT Id FROM Account WHERE Name = 'Rollback Ltd'")
            .await;
        assert_eq!(q["totalSize"], 0, "the account insert was rolled back");

        let body = json!({"allOrNone": false, "compositeRequest": [
            {"method": "POST", "url": v("sobjects/Contact"), "referenceId": "bad", "body": {"FirstName": "NoLastName"}},
            {"method": "PATCH", "url": v("sobjects/Contact/@{bad.id}"), "referenceId": "dependent", "body": {"Title": "x"}},
            {"method": "POST", "url": v("sobjects/Account"), "referenceId": "independent", "body": {"Name": "Kept Inc"}},
        ]});
        let out: Value = h
            .send(Method::POST, "composite", body)
            .await
            .json()
            .await
            .expect("JSON");
        let resp = &out["compositeResponse"];
        assert_eq!(
            error_code(&resp[1]["body"]),
            "PROCESSING_HALTED",
            "a dependent of a failure is not run"
        );
        assert_eq!(
            resp[2]["httpStatusCode"], 201,
            "an independent subrequest still runs"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn more_than_25_subrequests_are_rejected() {
        let h = Harness::start().await;
        let subs: Vec<Value> = (0..26)
            .map(|i| json!({"method": "GET", "url": v("limits"), "referenceId": format!("r{i}")}))
            .collect();
        let r = h
            .send(Method::POST, "composite", json!({"compositeRequest": subs}))
            .await;
        // Salesforce answers 200 with one entry whose referenceId is null (see
        // rest::composite's module doc).
        assert_eq!(r.status(), 200, "26 subrequests are refused inside a 200");
        let out: Value = r.json().await.expect("JSON");
        assert_eq!(
            out["compositeResponse"][0]["body"][0]["errorCode"], "LIMIT_EXCEEDED",
            "26 subrequests exceed the limit: {out}"
        );
        assert_eq!(out["compositeResponse"][0]["referenceId"], Value::Null);
        assert_eq!(
            out["compositeResponse"].as_array().map(Vec::len),
            Some(1),
            "one entry for the whole request"
        );
        let subs: Vec<Value> = (0..25)
            .map(|i| json!({"method": "GET", "url": v("limits"), "referenceId": format!("r{i}")}))
            .collect();
        assert_eq!(
            h.send(Method::POST, "composite", json!({"compositeRequest": subs}))
                .await
                .status(),
            200,
            "25 are fine"
        );
        h.org.shutdown().await;
    }
}

mod faults {
    use super::*;
    use reqwest::Method;

    /// A validation rule refuses its value with FIELD_CUSTOM_VALIDATION_EXCEPTION, the
    /// message and the field, alone or inside a graph (rolling that graph back), and the
    /// org counts only the updates it committed.
    /// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
    #[tokio::test]
    async fn a_validation_rule_refuses_its_value_and_only_committed_updates_count() {
        let h = Harness::start().await;
        let opp = seed::JANE_OPEN_OPPORTUNITY_ID;
        h.org.add_validation_rule(demo_org::ValidationRule {
            object: "Opportunity".into(),
            field: "StageName".into(),
            refused_value: "Qualification".into(),
            message: "Qualify only after a discovery call".into(),
        });
        let path = format!("sobjects/Opportunity/{opp}");
        let r = h
            .send(Method::PATCH, &path, json!({"StageName": "Qualification"}))
            .await;
        assert_eq!(r.status(), 400, "the rule refuses the value");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(
            body,
            json!([{"errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Qualify only after a discovery call", "fields": ["StageName"]}]),
            "Salesforce's shape: code, the rule's message, the field"
        );
        let graph = json!({"graphs": [{"graphId": "g", "compositeRequest": [
            {"method": "PATCH", "url": format!("/services/data/v{LATEST_API_VERSION}/{path}"), "referenceId": "name", "body": {"Description": "first"}},
            {"method": "PATCH", "url": format!("/services/data/v{LATEST_API_VERSION}/{path}"), "referenceId": "stage", "body": {"StageName": "Qualification"}}
        ]}]});
        let out: Value = h
            .send(Method::POST, "composite/graph", graph.clone())
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(out["graphs"][0]["isSuccessful"], false, "{out}");
        assert_eq!(
            h.org.updates_applied(opp),
            0,
            "the refused update and the rolled-back one count nothing"
        );
        h.org.clear_validation_rules();
        let r = h
            .send(Method::PATCH, &path, json!({"StageName": "Qualification"}))
            .await;
        assert_eq!(r.status(), 204, "the rule fixed, the value is taken");
        assert_eq!(h.org.updates_applied(opp), 1, "one committed update");
        h.org.shutdown().await;
    }

    /// A held request waits before its handler until released; other requests go on.
    #[tokio::test]
    async fn a_held_request_waits_for_its_release_while_others_are_served() {
        let h = Harness::start().await;
        let prefix = format!("/services/data/v{LATEST_API_VERSION}/sobjects/Account");
        let held = h.org.faults().hold_next(Some("POST"), &prefix);
        let url = h.url("sobjects/Account");
        let (client, token) = (h.client.clone(), h.token.clone());
        let create = tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"Name": "Held"}))
                .send()
                .await
                .expect("POST")
                .status()
        });
        held.reached().await;
        let (status, found) = h.query("SELECT Id FROM Account WHERE Name = 'Held'").await;
        assert_eq!(status, 200, "other requests are served meanwhile");
        assert_eq!(
            found["totalSize"], 0,
            "the held create has not run: {found}"
        );
        held.release();
        assert_eq!(create.await.unwrap(), 201, "released, it runs");
        let (_, found) = h.query("SELECT Id FROM Account WHERE Name = 'Held'").await;
        assert_eq!(found["totalSize"], 1, "{found}");
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn injected_errors_then_recovery() {
        let h = Harness::start().await;
        let prefix = format!("/services/data/v{LATEST_API_VERSION}/sobjects/Account");
        h.org.faults().fail_next(
            Some("POST"),
            &prefix,
            2,
            503,
            json!([{"message": "try later", "errorCode": "SERVER_UNAVAILABLE"}]),
        );
        for i in 0..2 {
            let r = h
                .send(Method::POST, "sobjects/Account", json!({"Name": "Flaky"}))
                .await;
            assert_eq!(r.status(), 503, "injected error #{i}");
        }
        assert_eq!(
            h.get("sobjects/Account/describe").await.status(),
            200,
            "GETs are not matched by a POST rule"
        );
        assert_eq!(
            h.send(Method::POST, "sobjects/Account", json!({"Name": "Flaky"}))
                .await
                .status(),
            201,
            "after N the org recovers"
        );
        let log = h.org.data_requests();
        assert_eq!(
            log.iter().filter(|l| l.status == 503).count(),
            2,
            "the log records injected statuses"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn drop_before_handler_writes_nothing() {
        let h = Harness::start().await;
        h.org.faults().drop_before_handler(
            Some("PATCH"),
            &format!("/services/data/v{LATEST_API_VERSION}/sobjects/Call_Log__c"),
            1,
        );
        let result = h
            .client
            .patch(h.url("sobjects/Call_Log__c/External_Id__c/drop-before-1"))
            .bearer_auth(&h.token)
            .json(&json!({"Direction__c": "Inbound"}))
            .send()
            .await;
        assert!(
            result.is_err(),
            "the client sees a connection error, not a response: {result:?}"
        );
        let r = h
            .get("sobjects/Call_Log__c/External_Id__c/drop-before-1")
            .await;
        assert_eq!(r.status(), 404, "nothing was written");
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn drop_after_commit_writes_but_never_answers() {
        let h = Harness::start().await;
        h.org.faults().drop_after_commit(
            Some("PATCH"),
            &format!("/services/data/v{LATEST_API_VERSION}/sobjects/Call_Log__c"),
            1,
        );
        let result = h
            .client
            .patch(h.url("sobjects/Call_Log__c/External_Id__c/drop-after-1"))
            .bearer_auth(&h.token)
            .json(&json!({"Direction__c": "Inbound"}))
            .send()
            .await;
        assert!(
            result.is_err(),
            "the client sees a connection error: {result:?}"
        );
        let r = h
            .get("sobjects/Call_Log__c/External_Id__c/drop-after-1")
            .await;
        assert_eq!(r.status(), 200, "the write was committed before the drop");
        let log = h.org.data_requests();
        assert!(
            log.iter()
                .any(|l| l.method == "PATCH" && l.status == 201 && !l.delivered),
            "the log shows the undelivered 201: {log:?}"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn refuse_connections_then_rebind_same_port() {
        let h = Harness::start().await;
        h.org
            .faults()
            .refuse_connections(Duration::from_millis(800));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let refused = h
            .client
            .get(h.url("limits"))
            .bearer_auth(&h.token)
            .send()
            .await;
        assert!(
            refused.as_ref().is_err_and(|e| e.is_connect()),
            "connections are refused: {refused:?}"
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match h
                .client
                .get(h.url("limits"))
                .bearer_auth(&h.token)
                .send()
                .await
            {
                Ok(r) => {
                    assert_eq!(r.status(), 200, "after the outage the same URL answers");
                    break;
                }
                Err(e) => assert!(
                    Instant::now() < deadline,
                    "the org came back within 5 s: {e}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn latency_is_added_and_adjustable() {
        let h = Harness::start().await;
        h.org.faults().set_latency(Duration::from_millis(250));
        let t = Instant::now();
        assert_eq!(h.get("limits").await.status(), 200, "slow but fine");
        assert!(
            t.elapsed() >= Duration::from_millis(250),
            "latency applied: {:?}",
            t.elapsed()
        );
        h.org.faults().set_latency(Duration::ZERO);
        let t = Instant::now();
        h.get("limits").await;
        assert!(
            t.elapsed() < Duration::from_millis(250),
            "latency removed: {:?}",
            t.elapsed()
        );
        h.org.shutdown().await;
    }
}

mod control_api {
    use super::*;

    #[tokio::test]
    async fn tokens_faults_and_request_log_over_http() {
        let h = Harness::start().await;
        let base = h.org.base_url();
        let issued: Value = h
            .client
            .post(format!("{base}/__demo/tokens"))
            .send()
            .await
            .expect("POST tokens")
            .json()
            .await
            .expect("JSON");
        let token = issued["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        assert_eq!(
            issued["instance_url"],
            base.as_str(),
            "instance_url is the base url"
        );
        let ok = h
            .client
            .get(h.url("limits"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("GET");
        assert_eq!(ok.status(), 200, "an HTTP-issued token works");
        let r = h
            .client
            .post(format!("{base}/__demo/faults"))
            .json(&json!({"kind": "expire_tokens"}))
            .send()
            .await
            .expect("POST faults");
        assert_eq!(r.status(), 204, "fault accepted");
        let r = h
            .client
            .get(h.url("limits"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 401, "tokens expired over HTTP");
        let r = h
            .client
            .post(format!("{base}/__demo/faults"))
            .json(&json!({"kind": "nonsense"}))
            .send()
            .await
            .expect("POST faults");
        assert_eq!(r.status(), 400, "unknown fault kinds are rejected");
        let log: Value = h
            .client
            .get(format!("{base}/__demo/requests"))
            .send()
            .await
            .expect("GET requests")
            .json()
            .await
            .expect("JSON");
        let entries = log.as_array().expect("a list");
        assert_eq!(
            entries.len(),
            2,
            "only /services/data requests are logged: {log}"
        );
        assert_eq!(
            entries[0]["path"],
            format!("/services/data/v{LATEST_API_VERSION}/limits"),
            "path logged"
        );
        assert_eq!(
            (entries[0]["status"].clone(), entries[1]["status"].clone()),
            (json!(200), json!(401)),
            "statuses logged"
        );
        assert_eq!(
            h.client
                .delete(format!("{base}/__demo/requests"))
                .send()
                .await
                .expect("DELETE")
                .status(),
            204,
            "log cleared"
        );
        assert!(
            h.org.data_requests().is_empty(),
            "cleared for the library API too"
        );
        h.org.shutdown().await;
    }
}

/// The `/__demo/` control API answers local tools only: a web page must not drive it or read
/// its tokens (issue 14, item 11).
mod control_api_guard {
    use super::*;

    /// One raw request with exactly the headers given; returns the status and the body.
    async fn raw(
        org: &DemoOrg,
        method: &str,
        path: &str,
        headers: &str,
        body: &str,
    ) -> (u16, String) {
        use std::io::{Read, Write};
        let authority = org.base_url().trim_start_matches("http://").to_owned();
        let request = format!(
            "{method} {path} HTTP/1.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        // Blocking I/O off the runtime the org is served on.
        let answer = tokio::task::spawn_blocking(move || {
            let mut stream =
                std::net::TcpStream::connect(&authority).expect("the demo org accepts connections");
            stream.write_all(request.as_bytes()).expect("sent");
            let mut answer = String::new();
            stream.read_to_string(&mut answer).expect("answer");
            answer
        })
        .await
        .expect("the request ran");
        let status = answer[9..12].parse().expect("a status line");
        let body = answer
            .split("\r\n\r\n")
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        (status, body)
    }

    fn local(org: &DemoOrg) -> String {
        format!("Host: {}\r\n", org.base_url().trim_start_matches("http://"))
    }

    #[tokio::test]
    async fn control_api_refuses_text_plain_posts() {
        let h = Harness::start().await;
        let host = local(&h.org);
        let (status, body) = raw(
            &h.org,
            "POST",
            "/__demo/tokens",
            &format!("{host}Content-Type: text/plain\r\n"),
            "{}",
        )
        .await;
        assert_eq!(
            status, 403,
            "a cross-origin simple post gets no token: {body}"
        );
        assert!(
            !body.contains("access_token"),
            "no token in the refusal: {body}"
        );
        let error: Value = serde_json::from_str(&body).expect("a JSON error");
        assert!(
            error["error"]
                .as_str()
                .is_some_and(|e| e.contains("application/json")),
            "says what to send: {body}"
        );
        let (status, _) = raw(
            &h.org,
            "POST",
            "/__demo/faults",
            &format!("{host}Content-Type: text/plain;charset=UTF-8\r\n"),
            r#"{"kind":"expire_tokens"}"#,
        )
        .await;
        assert_eq!(status, 403, "a text/plain fault is refused");
        let r = h.get("limits").await;
        assert_eq!(r.status(), 200, "and it was not applied: tokens still work");
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn control_api_refuses_a_foreign_host() {
        let h = Harness::start().await;
        let port = h.org.base_url().rsplit(':').next().unwrap().to_owned();
        for host in [
            format!("attacker.example:{port}"),
            "attacker.example".to_owned(),
            format!("127.0.0.1.attacker.example:{port}"),
            format!("192.168.1.20:{port}"),
            String::new(),
        ] {
            let (status, body) = raw(
                &h.org,
                "POST",
                "/__demo/tokens",
                &format!("Host: {host}\r\nContent-Type: application/json\r\n"),
                "{}",
            )
            .await;
            assert_eq!(
                status, 403,
                "Host {host:?} (DNS rebinding) is refused: {body}"
            );
            assert!(body.contains("\"error\""), "a JSON error: {body}");
            let (status, _) = raw(
                &h.org,
                "GET",
                "/__demo/requests",
                &format!("Host: {host}\r\n"),
                "",
            )
            .await;
            assert_eq!(status, 403, "reads too: Host {host:?}");
        }
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn control_api_refuses_a_cross_origin_request() {
        let h = Harness::start().await;
        let host = local(&h.org);
        for origin in ["https://attacker.example", "null", "http://127.0.0.1:8080"] {
            let (status, body) = raw(
                &h.org,
                "POST",
                "/__demo/tokens",
                &format!("{host}Origin: {origin}\r\nContent-Type: application/json\r\n"),
                "{}",
            )
            .await;
            assert_eq!(status, 403, "Origin {origin} is a web page: {body}");
            assert!(!body.contains("access_token"), "no token leaks: {body}");
            let (status, _) = raw(
                &h.org,
                "GET",
                "/__demo/usage",
                &format!("{host}Origin: {origin}\r\n"),
                "",
            )
            .await;
            assert_eq!(status, 403, "reads from a page are refused too");
        }
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn control_api_still_serves_local_tools() {
        let h = Harness::start().await;
        let port = h.org.base_url().rsplit(':').next().unwrap().to_owned();
        for host in [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("LOCALHOST:{port}"),
            format!("[::1]:{port}"),
            "127.0.0.1".to_owned(),
        ] {
            let (status, body) = raw(
                &h.org,
                "POST",
                "/__demo/tokens",
                &format!("Host: {host}\r\nContent-Type: application/json; charset=utf-8\r\n"),
                "{}",
            )
            .await;
            assert_eq!(
                status, 200,
                "DESIGN §6: POST /__demo/tokens {{}} (Host {host}): {body}"
            );
            assert!(body.contains("access_token"), "{body}");
        }
        let (status, body) = raw(&h.org, "POST", "/__demo/tokens", &local(&h.org), "").await;
        assert_eq!(
            status, 200,
            "node's fetch posts no body and no Content-Type: {body}"
        );
        let (status, _) = raw(
            &h.org,
            "GET",
            "/services/data",
            &format!("Host: attacker.example:{port}\r\n"),
            "",
        )
        .await;
        assert_eq!(status, 200, "the Salesforce surface is not the control API");
        h.org.shutdown().await;
    }
}

mod oauth {
    use super::*;

    /// RFC 7636 Appendix B's verifier and challenge.
    pub(super) const CHALLENGE_VERIFIER: &str = VERIFIER;
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    pub(super) const REDIRECT: &str = "http://127.0.0.1:7777/oauth/callback";

    pub(super) async fn authorize(h: &Harness, client: &Client, scope: &str) -> String {
        let r = client
            .get(format!("{}/services/oauth2/authorize", h.org.base_url()))
            .query(&[
                ("response_type", "code"),
                ("client_id", demo_org::DEMO_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("state", "st4te"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
                ("scope", scope),
            ])
            .send()
            .await
            .expect("authorize");
        assert_eq!(r.status(), 302, "authorize redirects back to the app");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("Location header")
            .to_owned();
        assert!(
            location.starts_with(REDIRECT) && location.contains("state=st4te"),
            "redirect carries the state: {location}"
        );
        let code = location
            .split("code=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .expect("a code in the redirect");
        code.to_owned()
    }

    pub(super) async fn token(h: &Harness, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let r = h
            .client
            .post(format!("{}/services/oauth2/token", h.org.base_url()))
            .form(form)
            .send()
            .await
            .expect("token endpoint");
        let status = r.status();
        (status, r.json().await.expect("token endpoint answers JSON"))
    }

    #[tokio::test]
    async fn pkce_login_refresh_rotation_and_revoke() {
        let h = Harness::start().await;
        let no_redirects = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let code = authorize(&h, &no_redirects, "api refresh_token offline_access").await;
        let (status, bad) = token(
            &h,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", demo_org::DEMO_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &"x".repeat(43)),
            ],
        )
        .await;
        assert_eq!(
            (status.as_u16(), bad["error"].as_str()),
            (400, Some("invalid_grant")),
            "a wrong verifier is refused: {bad}"
        );
        let code = authorize(&h, &no_redirects, "api refresh_token offline_access").await;
        let (status, t) = token(
            &h,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", demo_org::DEMO_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        assert_eq!(status, 200, "the code is redeemed: {t}");
        assert!(
            t.get("expires_in").is_none(),
            "Salesforce sends no expires_in"
        );
        assert_eq!(t["instance_url"], h.org.base_url().as_str(), "instance_url");
        assert!(
            t["id"]
                .as_str()
                .is_some_and(|id| id.contains(seed::DEMO_USER_ID)),
            "identity URL names the demo user"
        );
        let access = t["access_token"].as_str().expect("access_token").to_owned();
        let refresh1 = t["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned();
        let r = h
            .client
            .get(h.url("limits"))
            .bearer_auth(&access)
            .send()
            .await
            .expect("GET");
        assert_eq!(
            r.status(),
            200,
            "the OAuth access token works on the data API"
        );

        h.org.faults().expire_tokens();
        let r = h
            .client
            .get(h.url("limits"))
            .bearer_auth(&access)
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 401, "expired access token");
        let (status, t2) = token(
            &h,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh1),
                ("client_id", demo_org::DEMO_CLIENT_ID),
            ],
        )
        .await;
        assert_eq!(status, 200, "refresh works after access expiry: {t2}");
        let refresh2 = t2["refresh_token"]
            .as_str()
            .expect("rotation returns a new refresh token")
            .to_owned();
        assert_ne!(refresh1, refresh2, "rotated");
        let access2 = t2["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        assert_eq!(
            h.client
                .get(h.url("limits"))
                .bearer_auth(&access2)
                .send()
                .await
                .expect("GET")
                .status(),
            200,
            "refreshed token works"
        );

        let (status, reuse) = token(
            &h,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh1),
                ("client_id", demo_org::DEMO_CLIENT_ID),
            ],
        )
        .await;
        assert_eq!(
            (status.as_u16(), reuse["error"].as_str()),
            (400, Some("invalid_grant")),
            "a used refresh token is refused"
        );
        assert_eq!(
            h.client
                .get(h.url("limits"))
                .bearer_auth(&access2)
                .send()
                .await
                .expect("GET")
                .status(),
            401,
            "reuse revoked the family"
        );

        let code = authorize(&h, &no_redirects, "api refresh_token").await;
        let (_, t3) = token(
            &h,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", demo_org::DEMO_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        let refresh3 = t3["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned();
        let access3 = t3["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        let r = h
            .client
            .post(format!("{}/services/oauth2/revoke", h.org.base_url()))
            .form(&[("token", refresh3.as_str())])
            .send()
            .await
            .expect("revoke");
        assert_eq!(r.status(), 200, "revoke answers 200");
        assert_eq!(
            h.client
                .get(h.url("limits"))
                .bearer_auth(&access3)
                .send()
                .await
                .expect("GET")
                .status(),
            401,
            "revoking the refresh token kills its access tokens"
        );
        let (status, _) = token(
            &h,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh3),
                ("client_id", demo_org::DEMO_CLIENT_ID),
            ],
        )
        .await;
        assert_eq!(status, 400, "a revoked refresh token cannot refresh");
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn revoke_refresh_tokens_fault_and_missing_pkce() {
        let h = Harness::start().await;
        let no_redirects = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let r = no_redirects
            .get(format!("{}/services/oauth2/authorize", h.org.base_url()))
            .query(&[
                ("response_type", "code"),
                ("client_id", demo_org::DEMO_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("state", "s"),
            ])
            .send()
            .await
            .expect("authorize");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            location.contains("error=invalid_request"),
            "PKCE is required: {location}"
        );
        let code = authorize(&h, &no_redirects, "api refresh_token").await;
        let (_, t) = token(
            &h,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", demo_org::DEMO_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        let refresh = t["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_owned();
        h.org.faults().revoke_refresh_tokens();
        let (status, body) = token(
            &h,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh),
                ("client_id", demo_org::DEMO_CLIENT_ID),
            ],
        )
        .await;
        assert_eq!(
            (status.as_u16(), body["error"].as_str()),
            (400, Some("invalid_grant")),
            "revoked sessions must sign in again"
        );
        h.org.shutdown().await;
    }

    fn no_redirects() -> Client {
        Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    async fn authorize_raw(h: &Harness, params: &[(&str, &str)]) -> reqwest::Response {
        no_redirects()
            .get(format!("{}/services/oauth2/authorize", h.org.base_url()))
            .query(params)
            .send()
            .await
            .expect("authorize answers")
    }

    #[tokio::test]
    async fn unknown_client_and_foreign_callback_get_an_error_page_not_a_redirect() {
        let h = Harness::start().await;
        for (client_id, redirect, error, description) in [
            (
                "3MVGnotregistered",
                REDIRECT,
                "invalid_client_id",
                "client identifier invalid",
            ),
            (
                demo_org::DEMO_CLIENT_ID,
                "https://evil.example/oauth/callback",
                "redirect_uri_mismatch",
                "redirect_uri must match configuration",
            ),
        ] {
            let r = authorize_raw(
                &h,
                &[
                    ("response_type", "code"),
                    ("client_id", client_id),
                    ("redirect_uri", redirect),
                    ("state", "s"),
                    ("code_challenge", CHALLENGE),
                    ("code_challenge_method", "S256"),
                ],
            )
            .await;
            assert_eq!(r.status(), 400, "{error}: no redirect to an untrusted URI");
            assert!(
                r.headers().get("location").is_none(),
                "{error}: no Location"
            );
            let body: Value = r.json().await.expect("JSON error");
            assert_eq!(
                body,
                serde_json::json!({"error": error, "error_description": description}),
                "Salesforce's error shape"
            );
        }
        // The token endpoint refuses an unknown consumer key the same way.
        let (status, body) = token(
            &h,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "3MVGnotregistered"),
                ("refresh_token", "5Aepwhatever"),
            ],
        )
        .await;
        assert_eq!(status, 400);
        assert_eq!(
            body["error"], "invalid_client_id",
            "unknown client on refresh"
        );
        assert_eq!(
            h.org.oauth_counts().refresh_token,
            1,
            "the refused refresh is still counted as a token request"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn consent_page_deny_redirects_with_access_denied_and_userinfo_names_the_user() {
        let h = Harness::start().await;
        let params = [
            ("response_type", "code"),
            ("client_id", demo_org::DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", "st4te"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("scope", "api refresh_token"),
            ("prompt", "consent"),
        ];
        let page = authorize_raw(&h, &params).await;
        assert_eq!(page.status(), 200, "prompt=consent shows a page");
        let html = page.text().await.expect("html");
        let deny = html
            .split("id=\"deny\" href=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a Deny link")
            .replace("&amp;", "&");
        let r = no_redirects()
            .get(format!("{}{deny}", h.org.base_url()))
            .send()
            .await
            .expect("deny");
        assert_eq!(r.status(), 302);
        let location = r.headers()["location"].to_str().expect("ascii").to_owned();
        assert!(
            location.starts_with(REDIRECT)
                && location.contains("error=access_denied")
                && location.contains("error_description=end-user%20denied%20authorization")
                && location.contains("state=st4te"),
            "Deny redirects as Salesforce does: {location}"
        );

        let code = authorize(&h, &no_redirects(), "api refresh_token").await;
        let (status, grant) = token(
            &h,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", demo_org::DEMO_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        assert_eq!(status, 200, "{grant}");
        let access = grant["access_token"].as_str().expect("access token");
        let info: Value = h
            .client
            .get(format!("{}/services/oauth2/userinfo", h.org.base_url()))
            .bearer_auth(access)
            .send()
            .await
            .expect("userinfo")
            .json()
            .await
            .expect("userinfo JSON");
        assert_eq!(info["preferred_username"], demo_org::DEMO_USERNAME);
        assert_eq!(info["organization_id"], demo_org::ORG_ID);
        let refused = h
            .client
            .get(format!("{}/services/oauth2/userinfo", h.org.base_url()))
            .bearer_auth("nope")
            .send()
            .await
            .expect("userinfo");
        assert_eq!(refused.status(), 403, "a bad token is refused");
        assert_eq!(
            h.org.oauth_counts().authorization_code,
            1,
            "one code exchange was counted"
        );
        h.org.shutdown().await;
    }
}

mod sessions {
    //! Sessions end (the session timeout on the org's clock), scopes without `api` are
    //! refused, codes expire after 15 minutes and a replayed code revokes what it produced;
    //! SOSL lags behind writes. See `sessions`' and `sosl::search`'s module docs.
    use super::oauth::{CHALLENGE_VERIFIER as VERIFIER, REDIRECT, authorize, token};
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    async fn get_with(h: &Harness, token: &str, rest: &str) -> (StatusCode, Value) {
        let r = h
            .client
            .get(h.url(rest))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET reaches the org");
        let status = r.status();
        (status, r.json().await.expect("JSON"))
    }

    fn no_redirects() -> Client {
        Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    async fn exchange(h: &Harness, code: &str) -> (StatusCode, Value) {
        token(
            h,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", demo_org::DEMO_CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await
    }

    async fn refresh(h: &Harness, refresh_token: &str) -> (StatusCode, Value) {
        token(
            h,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", demo_org::DEMO_CLIENT_ID),
            ],
        )
        .await
    }

    #[tokio::test]
    async fn an_access_token_ends_two_hours_after_issue_however_much_it_is_used() {
        let h = Harness::start().await;
        for _ in 0..3 {
            h.org.advance_clock(39 * MINUTE);
            assert_eq!(
                h.get("limits").await.status(),
                200,
                "within two hours the token works"
            );
        }
        h.org.advance_clock(3 * MINUTE);
        let (status, body) = get_with(&h, &h.token, "limits").await;
        assert_eq!(
            (status.as_u16(), body),
            (
                401,
                json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
            ),
            "two hours after issue the token is dead, although it was used every 39 minutes"
        );
        let fresh = h.org.issue_access_token();
        assert_eq!(
            get_with(&h, &fresh, "limits").await.0,
            200,
            "a token issued now works"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn the_session_timeout_is_configurable_and_settable_over_http() {
        let org = demo_org::start(DemoOrgConfig {
            session_timeout: 15 * MINUTE,
            ..Default::default()
        })
        .await
        .expect("the demo org starts");
        let client = Client::new();
        let base = org.base_url();
        let token: Value = client
            .post(format!("{base}/__demo/tokens"))
            .send()
            .await
            .expect("POST /__demo/tokens")
            .json()
            .await
            .expect("JSON");
        let token = token["access_token"].as_str().expect("a token").to_owned();
        let limits = format!("{base}/services/data/v{LATEST_API_VERSION}/limits");
        let status = |t: String| {
            let client = client.clone();
            let limits = limits.clone();
            async move {
                client
                    .get(&limits)
                    .bearer_auth(t)
                    .send()
                    .await
                    .expect("GET")
                    .status()
                    .as_u16()
            }
        };
        org.advance_clock(14 * MINUTE);
        assert_eq!(
            status(token.clone()).await,
            200,
            "within the configured 15 minutes"
        );
        org.advance_clock(MINUTE);
        assert_eq!(
            status(token.clone()).await,
            401,
            "past the configured 15 minutes"
        );
        let fresh = org.issue_access_token();
        let r = client
            .post(format!("{base}/__demo/faults"))
            .header("Content-Type", "application/json")
            .body(r#"{"kind":"session_timeout","ms":60000}"#)
            .send()
            .await
            .expect("POST /__demo/faults");
        assert_eq!(r.status(), 204, "the session_timeout command is accepted");
        org.advance_clock(MINUTE);
        assert_eq!(
            status(fresh).await,
            401,
            "the new timeout applies to tokens already issued"
        );
        org.shutdown().await;
    }

    #[tokio::test]
    async fn a_token_without_the_api_scope_is_refused_by_the_rest_api() {
        let h = Harness::start().await;
        let client = no_redirects();
        let code = authorize(&h, &client, "id refresh_token").await;
        let (status, t) = exchange(&h, &code).await;
        assert_eq!(status, 200, "the code is redeemed: {t}");
        assert_eq!(
            t["scope"], "id refresh_token",
            "the scopes asked for are granted"
        );
        let access = t["access_token"].as_str().expect("access_token");
        let (status, body) = get_with(&h, access, "sobjects").await;
        assert_eq!(
            (status.as_u16(), body),
            (
                401,
                json!([{"message": "This session is not valid for use with the REST API", "errorCode": "INVALID_SESSION_ID"}])
            ),
            "Salesforce's answer to a token whose scopes lack api"
        );
        let r = h
            .client
            .get(format!("{}/services/oauth2/userinfo", h.org.base_url()))
            .bearer_auth(access)
            .send()
            .await
            .expect("userinfo");
        assert_eq!(r.status(), 200, "the token is alive: userinfo answers");
        let (_, refreshed) = refresh(&h, t["refresh_token"].as_str().expect("refresh")).await;
        let again = refreshed["access_token"]
            .as_str()
            .expect("a refreshed token");
        assert_eq!(
            get_with(&h, again, "sobjects").await.0,
            401,
            "a refresh keeps the grant's scopes: still no REST API"
        );
        let code = authorize(&h, &client, "api refresh_token").await;
        let (_, t) = exchange(&h, &code).await;
        let with_api = t["access_token"].as_str().expect("access_token");
        assert_eq!(
            get_with(&h, with_api, "sobjects").await.0,
            200,
            "with api it works"
        );
        assert_eq!(
            h.get("sobjects").await.status(),
            200,
            "tokens from the harness keep full scopes"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn authorization_codes_expire_after_fifteen_minutes_on_the_org_clock() {
        let h = Harness::start().await;
        let client = no_redirects();
        let code = authorize(&h, &client, "api refresh_token").await;
        h.org.advance_clock(14 * MINUTE);
        assert_eq!(
            exchange(&h, &code).await.0,
            200,
            "a 14-minute-old code works"
        );
        let code = authorize(&h, &client, "api refresh_token").await;
        h.org.advance_clock(15 * MINUTE);
        let (status, body) = exchange(&h, &code).await;
        assert_eq!(
            (status.as_u16(), body),
            (
                400,
                json!({"error": "invalid_grant", "error_description": "expired authorization code"})
            ),
            "a 15-minute-old code is expired"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn a_replayed_code_is_refused_and_revokes_the_tokens_it_produced() {
        let h = Harness::start().await;
        let client = no_redirects();
        let code = authorize(&h, &client, "api refresh_token").await;
        let (status, t) = exchange(&h, &code).await;
        assert_eq!(status, 200, "first exchange: {t}");
        let access = t["access_token"].as_str().expect("access_token").to_owned();
        let refresh_token = t["refresh_token"].as_str().expect("refresh").to_owned();
        assert_eq!(
            get_with(&h, &access, "limits").await.0,
            200,
            "the token works"
        );
        let (status, body) = exchange(&h, &code).await;
        assert_eq!(
            (status.as_u16(), body["error"].as_str()),
            (400, Some("invalid_grant")),
            "a code is single use: {body}"
        );
        assert_eq!(
            get_with(&h, &access, "limits").await.0,
            401,
            "the replay revoked the first exchange's access token"
        );
        let (status, body) = refresh(&h, &refresh_token).await;
        assert_eq!(
            (status.as_u16(), body["error"].as_str()),
            (400, Some("invalid_grant")),
            "and its refresh token: {body}"
        );
        assert_eq!(
            h.get("limits").await.status(),
            200,
            "other sessions are untouched"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn sosl_finds_a_new_record_only_after_the_index_lag() {
        let h = Harness::start().await;
        let r = h
            .send(
                reqwest::Method::POST,
                "sobjects/Contact",
                json!({"LastName": "Laggard", "Phone": "(212) 555-0987"}),
            )
            .await;
        assert_eq!(r.status(), 201, "created");
        let id = r.json::<Value>().await.expect("JSON")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let sosl = "FIND {2125550987} IN PHONE FIELDS RETURNING Contact(Id)";
        let (_, found) = h.search(sosl).await;
        assert!(
            !ids(&found).contains(&id),
            "the index lags by default: a record created a moment ago is not found"
        );
        let (_, queried) = h
            .query(&format!("SELECT Id FROM Contact WHERE Id = '{id}'"))
            .await;
        assert_eq!(queried["totalSize"], 1, "SOQL sees it at once");
        h.org.advance_clock(demo_org::DEFAULT_INDEX_LAG);
        let (_, found) = h.search(sosl).await;
        assert_eq!(
            ids(&found),
            vec![id.clone()],
            "after the lag (org clock) it is found"
        );

        h.org.faults().set_index_lag(Duration::ZERO);
        let r = h
            .send(
                reqwest::Method::POST,
                "sobjects/Contact",
                json!({"LastName": "Prompt", "Phone": "(212) 555-0988"}),
            )
            .await;
        let prompt = r.json::<Value>().await.expect("JSON")["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let (_, found) = h
            .search("FIND {2125550988} IN PHONE FIELDS RETURNING Contact(Id)")
            .await;
        assert_eq!(ids(&found), vec![prompt], "lag 0: found at once");
        h.org.faults().clear();
        assert_eq!(
            h.org.faults().index_lag(),
            demo_org::DEFAULT_INDEX_LAG,
            "clear goes back to the configured lag, not to none"
        );
        h.org.shutdown().await;
    }
}

mod lifecycle {
    use super::*;

    #[tokio::test]
    async fn shutdown_releases_the_port_and_fixed_ports_work() {
        let h = Harness::start().await;
        let base = h.org.base_url();
        assert!(
            base.starts_with("http://127.0.0.1:") && !base.ends_with('/'),
            "loopback base URL without trailing slash: {base}"
        );
        let port: u16 = base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port");
        h.org.shutdown().await;
        let refused = Client::new()
            .get(format!("{base}/services/data/"))
            .send()
            .await;
        assert!(refused.is_err(), "nothing listens after shutdown");
        let again = demo_org::start(DemoOrgConfig {
            port,
            ..DemoOrgConfig::default()
        })
        .await
        .expect("the same port can be bound again after shutdown");
        assert_eq!(
            again.base_url(),
            base,
            "a fixed port gives the same base URL"
        );
        let busy = demo_org::start(DemoOrgConfig {
            port,
            ..DemoOrgConfig::default()
        })
        .await;
        assert!(
            matches!(busy, Err(demo_org::DemoOrgError::Bind { .. })),
            "a taken port is a Bind error"
        );
        again.shutdown().await;
    }

    #[tokio::test]
    async fn seed_is_identical_across_starts() {
        let a = Harness::start().await;
        let b = Harness::start().await;
        let q = "SELECT Id, Name, Phone, CreatedDate FROM Contact ORDER BY Id LIMIT 50";
        let (_, ra) = a.query(q).await;
        let (_, rb) = b.query(q).await;
        let strip = |v: &Value| {
            v["records"].as_array().map(|r| {
                r.iter()
                    .map(|x| {
                        (
                            x["Id"].clone(),
                            x["Name"].clone(),
                            x["Phone"].clone(),
                            x["CreatedDate"].clone(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            strip(&ra),
            strip(&rb),
            "two orgs seed the same ids, names, phones and dates"
        );
        a.org.shutdown().await;
        b.org.shutdown().await;
    }
}

mod composite_graph_and_collections {
    use super::*;
    use reqwest::Method;

    fn v(path: &str) -> String {
        format!("/services/data/v{LATEST_API_VERSION}/{path}")
    }

    #[tokio::test]
    async fn each_graph_is_all_or_nothing_and_counts_as_one_call() {
        let h = Harness::start().await;
        let before = usage(&h.get("limits").await);
        let body = json!({"graphs": [
            {"graphId": "good", "compositeRequest": [
                {"method": "PATCH", "url": v("sobjects/Call_Log__c/External_Id__c/graph-call-1"), "referenceId": "log", "body": {"Direction__c": "Inbound"}},
                {"method": "POST", "url": v("sobjects/Task"), "referenceId": "task", "body": {"Subject": "Call", "TaskSubtype": "Call", "CallObject": "graph-call-1", "Call_Log__c": "@{log.id}"}},
            ]},
            {"graphId": "bad", "compositeRequest": [
                {"method": "PATCH", "url": v("sobjects/Call_Log__c/External_Id__c/graph-call-2"), "referenceId": "log", "body": {"Direction__c": "Inbound"}},
                {"method": "POST", "url": v("sobjects/Task"), "referenceId": "task", "body": {"Subject": "Call", "CallType": "Sideways"}},
            ]},
        ]});
        let r = h.send(Method::POST, "composite/graph", body).await;
        assert_eq!(usage(&r), before + 1, "a graph request is one API call");
        let out: Value = r.json().await.expect("JSON");
        assert_eq!(
            out["graphs"][0]["isSuccessful"], true,
            "the good graph succeeded: {out}"
        );
        assert_eq!(
            out["graphs"][1]["isSuccessful"], false,
            "the bad graph failed"
        );
        assert_eq!(
            h.get("sobjects/Call_Log__c/External_Id__c/graph-call-1")
                .await
                .status(),
            200,
            "good graph's log exists"
        );
        assert_eq!(
            h.get("sobjects/Call_Log__c/External_Id__c/graph-call-2")
                .await
                .status(),
            404,
            "bad graph's log was rolled back"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn graph_limits_75_graphs_and_halts_after_14_failures() {
        let h = Harness::start().await;
        let graph = |i: usize, direction: &str| {
            json!({"graphId": format!("g{i}"), "compositeRequest": [
                {"method": "PATCH", "url": v(&format!("sobjects/Call_Log__c/External_Id__c/halt-{i}")), "referenceId": "log", "body": {"Direction__c": direction}},
            ]})
        };
        let too_many: Vec<Value> = (0..76).map(|i| graph(i, "Inbound")).collect();
        let r = h
            .send(Method::POST, "composite/graph", json!({"graphs": too_many}))
            .await;
        assert_eq!(r.status(), 400, "76 graphs exceed Salesforce's 75");
        // 16 bad graphs, then a good one: the 15th failure halts everything after it.
        let mut graphs: Vec<Value> = (0..16).map(|i| graph(i, "Sideways")).collect();
        graphs.push(graph(16, "Inbound"));
        let out: Value = h
            .send(Method::POST, "composite/graph", json!({"graphs": graphs}))
            .await
            .json()
            .await
            .expect("JSON");
        let code = |g: usize| {
            out["graphs"][g]["graphResponse"]["compositeResponse"][0]["body"][0]["errorCode"]
                .clone()
        };
        assert_eq!(
            code(14),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "the 15th failure is still run: {out}"
        );
        assert_eq!(
            code(15),
            "PROCESSING_HALTED",
            "after 15 failures the rest is halted"
        );
        assert_eq!(
            out["graphs"][16]["isSuccessful"], false,
            "even a good graph is not run"
        );
        assert_eq!(
            h.get("sobjects/Call_Log__c/External_Id__c/halt-16")
                .await
                .status(),
            404,
            "the halted graph wrote nothing"
        );
        h.org.shutdown().await;
    }

    /// Salesforce: "Maximum number of nodes supported in one payload. 500 (For example, there
    /// can be one graph with 500 nodes, or 50 graphs with 10 nodes each.)"
    /// (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_graph_limits.htm).
    /// The queue cuts its batches by it, so the demo org refuses 501 nodes within 75 graphs
    /// as a whole (nothing written, one API call), and takes 500.
    #[tokio::test]
    async fn graph_limits_500_nodes_per_payload_however_few_the_graphs() {
        let h = Harness::start().await;
        let payload = |prefix: &str, graphs: usize, per_graph: usize| {
            let graphs: Vec<Value> = (0..graphs)
                .map(|g| {
                    let nodes: Vec<Value> = (0..per_graph)
                        .map(|n| json!({"method": "PATCH", "url": v(&format!("sobjects/Call_Log__c/External_Id__c/{prefix}-{g}-{n}")), "referenceId": format!("n{n}"), "body": {"Direction__c": "Inbound"}}))
                        .collect();
                    json!({"graphId": format!("g{g}"), "compositeRequest": nodes})
                })
                .collect();
            json!({ "graphs": graphs })
        };
        // 50 graphs of 10 nodes and one more graph of 1: 501 nodes in 51 graphs.
        let mut over = payload("over", 50, 10);
        over["graphs"]
            .as_array_mut()
            .unwrap()
            .push(json!({"graphId": "extra", "compositeRequest": [
                {"method": "PATCH", "url": v("sobjects/Call_Log__c/External_Id__c/over-extra"), "referenceId": "n0", "body": {"Direction__c": "Inbound"}},
            ]}));
        let r = h.send(Method::POST, "composite/graph", over).await;
        assert_eq!(r.status(), 400, "501 nodes exceed Salesforce's 500");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(body[0]["errorCode"], "LIMIT_EXCEEDED", "{body}");
        assert_eq!(
            h.get("sobjects/Call_Log__c/External_Id__c/over-0-0")
                .await
                .status(),
            404,
            "a refused payload writes nothing"
        );
        let r = h
            .send(Method::POST, "composite/graph", payload("fits", 50, 10))
            .await;
        assert_eq!(r.status(), 200, "500 nodes are allowed");
        let out: Value = r.json().await.expect("JSON");
        assert!(
            out["graphs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g["isSuccessful"] == true),
            "every graph of 500 nodes ran"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn collection_create_reports_per_record() {
        let h = Harness::start().await;
        let body = json!({"allOrNone": false, "records": [
            {"attributes": {"type": "Account"}, "Name": "Coll One"},
            {"attributes": {"type": "Contact"}, "FirstName": "NoLast"},
        ]});
        let out: Value = h
            .send(Method::POST, "composite/sobjects", body)
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(out[0]["success"], true, "first record created: {out}");
        assert_eq!(
            out[1]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING",
            "second record's error"
        );
        h.org.shutdown().await;
    }
}

mod conditional_requests {
    use super::*;
    use reqwest::Method;

    /// `2025-06-01T10:15:30.000+0000` → `Mon, 01 Jun 2025 10:15:30 GMT` (the weekday is not
    /// computed; the org, like most servers, does not check it).
    fn http_date(sf: &str) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month: usize = sf[5..7].parse().expect("month digits");
        format!(
            "Mon, {} {} {} {} GMT",
            &sf[8..10],
            MONTHS[month - 1],
            &sf[0..4],
            &sf[11..19]
        )
    }

    #[tokio::test]
    async fn if_unmodified_since_detects_conflicting_edits() {
        let h = Harness::start().await;
        let path = format!("sobjects/Contact/{}", seed::JANE_CALLER_ID);
        let before: Value = h.get(&path).await.json().await.expect("JSON");
        // The time we read the record: unchanged since then, so the first edit applies;
        // that edit moves LastModifiedDate to now, so a second edit based on the same
        // read is stale.
        let seen = http_date(
            before["LastModifiedDate"]
                .as_str()
                .expect("LastModifiedDate"),
        );
        let later = seen.as_str();
        let r = h
            .client
            .patch(h.url(&path))
            .bearer_auth(&h.token)
            .header("If-Unmodified-Since", later)
            .json(&json!({"Title": "Edited"}))
            .send()
            .await
            .expect("PATCH");
        assert_eq!(r.status(), 204, "unchanged since → the edit applies");
        let old = seen.as_str();
        let r = h
            .client
            .patch(h.url(&path))
            .bearer_auth(&h.token)
            .header("If-Unmodified-Since", old)
            .json(&json!({"Title": "Stale"}))
            .send()
            .await
            .expect("PATCH");
        assert_eq!(r.status(), 412, "the record changed after that time → 412");
        let err: Value = r.json().await.expect("JSON");
        assert_eq!(error_code(&err), "PRECONDITION_FAILED", "conflict code");
        let r = h
            .client
            .patch(h.url(&path))
            .bearer_auth(&h.token)
            .header("If-Unmodified-Since", "yesterday")
            .json(&json!({"Title": "x"}))
            .send()
            .await
            .expect("PATCH");
        assert_eq!(r.status(), 400, "an invalid date is a 400");
        let rec: Value = h.get(&path).await.json().await.expect("JSON");
        assert_eq!(rec["Title"], "Edited", "the stale edit did not apply");
        let r = h
            .client
            .get(h.url(&path))
            .bearer_auth(&h.token)
            .header("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 304, "not modified since a future date");
        let sub = json!({"compositeRequest": [{"method": "PATCH", "url": format!("/services/data/v{LATEST_API_VERSION}/{path}"), "referenceId": "p", "httpHeaders": {"If-Unmodified-Since": old}, "body": {"Title": "Stale"}}]});
        let out: Value = h
            .send(Method::POST, "composite", sub)
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            out["compositeResponse"][0]["httpStatusCode"], 412,
            "subrequest headers are honoured"
        );
        h.org.shutdown().await;
    }
    /// `If-Unmodified-Since` on a Lead's PATCH inside a composite graph (how the queue
    /// writes BANT notes to a Lead whose field it saw empty): unchanged since → applied;
    /// written since → 412 PRECONDITION_FAILED, the graph rolled back, the newer text kept.
    /// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm
    #[tokio::test]
    async fn if_unmodified_since_guards_a_leads_patch_in_a_graph() {
        let h = Harness::start().await;
        let path = format!("sobjects/Lead/{}", seed::SHARED_NUMBER_LEAD_ID);
        let seen: Value = h
            .get(&format!("{path}?fields=Description,LastModifiedDate"))
            .await
            .json()
            .await
            .expect("JSON");
        let since = http_date(seen["LastModifiedDate"].as_str().expect("LastModifiedDate"));
        let graph = |text: &str| {
            json!({"graphs": [{"graphId": "a0", "compositeRequest": [
                {"method": "PATCH", "url": format!("/services/data/v{LATEST_API_VERSION}/{path}"), "referenceId": "notes", "httpHeaders": {"If-Unmodified-Since": since}, "body": {"Description": text}}
            ]}]})
        };
        // Another writer lands first (a second later on the org's clock).
        h.org.advance_clock(std::time::Duration::from_secs(2));
        let r = h
            .send(
                Method::PATCH,
                &path,
                json!({"Description": "The agent's own note"}),
            )
            .await;
        assert_eq!(r.status(), 204);
        let out: Value = h
            .send(Method::POST, "composite/graph", graph("[Ringside call x]"))
            .await
            .json()
            .await
            .expect("JSON");
        let node = &out["graphs"][0]["graphResponse"]["compositeResponse"][0];
        assert_eq!(out["graphs"][0]["isSuccessful"], false, "{out}");
        assert_eq!(node["httpStatusCode"], 412, "{out}");
        assert_eq!(node["body"][0]["errorCode"], "PRECONDITION_FAILED", "{out}");
        let now: Value = h
            .get(&format!("{path}?fields=Description,LastModifiedDate"))
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            now["Description"], "The agent's own note",
            "the newer text is kept"
        );
        // Based on a fresh read, the same PATCH applies.
        let since = http_date(now["LastModifiedDate"].as_str().expect("LastModifiedDate"));
        let fresh = json!({"graphs": [{"graphId": "a0", "compositeRequest": [
            {"method": "PATCH", "url": format!("/services/data/v{LATEST_API_VERSION}/{path}"), "referenceId": "notes", "httpHeaders": {"If-Unmodified-Since": since}, "body": {"Description": "both"}}
        ]}]});
        let out: Value = h
            .send(Method::POST, "composite/graph", fresh)
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(out["graphs"][0]["isSuccessful"], true, "{out}");
        h.org.shutdown().await;
    }
}

mod sharing {
    use super::*;
    use reqwest::Method;

    /// `user`'s token: a GET of `rest` answered as that user.
    async fn get_as(h: &Harness, token: &str, rest: &str) -> Response {
        h.client
            .get(h.url(rest))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET reaches the org")
    }

    async fn query_as(h: &Harness, token: &str, soql: &str) -> Value {
        h.client
            .get(h.url("query"))
            .query(&[("q", soql)])
            .bearer_auth(token)
            .send()
            .await
            .expect("query reaches the org")
            .json()
            .await
            .expect("query answers JSON")
    }

    async fn user_id(h: &Harness, username: &str) -> String {
        let (status, body) = h
            .query(&format!(
                "SELECT Id FROM User WHERE Username = '{username}'"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        body["records"][0]["Id"]
            .as_str()
            .expect("the seeded agent exists")
            .to_owned()
    }

    async fn create(h: &Harness, object: &str, body: Value) -> String {
        let r = h
            .send(Method::POST, &format!("sobjects/{object}"), body)
            .await;
        assert_eq!(r.status(), 201, "{object} is created");
        let v: Value = r.json().await.expect("JSON");
        v["id"].as_str().expect("an id").to_owned()
    }

    #[tokio::test]
    async fn private_call_logs_and_tasks_are_hidden_in_subqueries_and_record_reads() {
        let h = Harness::start().await;
        let lucy = user_id(&h, "lucy.chen@ringside.example").await;
        let marco = user_id(&h, "marco.rossi@ringside.example").await;
        // Lucy's call, with her own Task and one a colleague (Marco) owns.
        let log = create(
            &h,
            "Call_Log__c",
            json!({"External_Id__c": "share-1", "OwnerId": lucy}),
        )
        .await;
        let hers = create(
            &h,
            "Task",
            json!({"Subject": "Lucy's", "OwnerId": lucy, "Call_Log__c": log}),
        )
        .await;
        let his = create(
            &h,
            "Task",
            json!({"Subject": "Marco's", "OwnerId": marco, "Call_Log__c": log}),
        )
        .await;
        let marcos_log = create(
            &h,
            "Call_Log__c",
            json!({"External_Id__c": "share-2", "OwnerId": marco}),
        )
        .await;
        let lucy_token = h.org.issue_access_token_as(&lucy);
        let soql =
            format!("SELECT Id, (SELECT Id FROM Tasks__r) FROM Call_Log__c WHERE Id = '{log}'");
        let as_lucy = query_as(&h, &lucy_token, &soql).await;
        let children: Vec<&str> = as_lucy["records"][0]["Tasks__r"]["records"]
            .as_array()
            .expect("her call lists its Tasks")
            .iter()
            .filter_map(|t| t["Id"].as_str())
            .collect();
        assert_eq!(
            children,
            vec![hers.as_str()],
            "only her own Task, not Marco's: {as_lucy}"
        );
        let (_, as_admin) = h.query(&soql).await;
        assert_eq!(
            as_admin["records"][0]["Tasks__r"]["totalSize"], 2,
            "View All Data sees both Tasks: {as_admin}"
        );

        assert_eq!(
            get_as(&h, &lucy_token, &format!("sobjects/Task/{hers}"))
                .await
                .status(),
            200,
            "her own Task reads"
        );
        let hidden = get_as(&h, &lucy_token, &format!("sobjects/Task/{his}")).await;
        assert_eq!(
            hidden.status(),
            404,
            "a colleague's Task does not exist for her"
        );
        let body: Value = hidden.json().await.expect("JSON");
        assert_eq!(body[0]["errorCode"], "NOT_FOUND", "{body}");
        assert_eq!(
            get_as(
                &h,
                &lucy_token,
                &format!("sobjects/Call_Log__c/{marcos_log}")
            )
            .await
            .status(),
            404,
            "nor a colleague's call log"
        );
        assert_eq!(
            get_as(
                &h,
                &lucy_token,
                "sobjects/Call_Log__c/External_Id__c/share-2"
            )
            .await
            .status(),
            404,
            "nor by its external id"
        );
        assert_eq!(
            get_as(
                &h,
                &lucy_token,
                "sobjects/Call_Log__c/External_Id__c/share-1"
            )
            .await
            .status(),
            200,
            "her own call log by external id"
        );
        assert_eq!(
            h.get(&format!("sobjects/Task/{his}")).await.status(),
            200,
            "the admin reads every Task"
        );
        assert_eq!(
            get_as(
                &h,
                &lucy_token,
                &format!("sobjects/Contact/{}", seed::JANE_CALLER_ID)
            )
            .await
            .status(),
            200,
            "public objects are not limited"
        );
        h.org.shutdown().await;
    }
}

/// What Salesforce refuses, refused here too: the daily API allocation, restricted
/// picklists, long text areas in WHERE/ORDER BY, writes that are not JSON, `If-Match` on
/// Account rows and `?updateOnly=true` upserts. Each test names the page it follows.
mod refusals {
    use super::*;

    /// `Sforce-Limit-Info: api-usage=N/M` as (N, M).
    fn limit_info(r: &Response) -> (u64, u64) {
        let h = r
            .headers()
            .get("Sforce-Limit-Info")
            .and_then(|v| v.to_str().ok())
            .expect("every data response has Sforce-Limit-Info");
        let (n, m) = h
            .strip_prefix("api-usage=")
            .and_then(|s| s.split_once('/'))
            .expect("api-usage=N/M format");
        (n.parse().expect("N"), m.parse().expect("M"))
    }

    async fn harness_with_limit(api_limit: u64) -> Harness {
        let org = demo_org::start(DemoOrgConfig {
            api_limit,
            ..DemoOrgConfig::default()
        })
        .await
        .expect("the demo org starts");
        let token = org.issue_access_token();
        Harness {
            org,
            client: Client::new(),
            token,
        }
    }

    async fn demo_usage(h: &Harness) -> Value {
        h.client
            .get(format!("{}/__demo/usage", h.org.base_url()))
            .send()
            .await
            .expect("usage answers")
            .json()
            .await
            .expect("usage is JSON")
    }

    /// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
    /// (403 REQUEST_LIMIT_EXCEEDED) and resources_limits.htm (DailyApiRequests).
    #[tokio::test]
    async fn the_daily_allocation_is_enforced_and_can_be_raised_again() {
        let h = harness_with_limit(3).await;
        let r = h.get("limits").await;
        assert_eq!(r.status(), 200, "the first call is within the allocation");
        assert_eq!(
            limit_info(&r),
            (1, 3),
            "the header names the configured allocation, not a hard-coded one"
        );
        let limits: Value = r.json().await.expect("limits JSON");
        assert_eq!(
            limits["DailyApiRequests"],
            json!({"Max": 3, "Remaining": 2}),
            "/limits agrees with the header of the same answer (the /limits call counts)"
        );
        assert_eq!(h.get("sobjects/Contact/describe").await.status(), 200);
        assert_eq!(h.query("SELECT Id FROM Account LIMIT 1").await.0, 200);
        // The allocation is used up: every data request is refused, /limits included.
        for rest in ["sobjects/Contact/describe", "limits"] {
            let r = h.get(rest).await;
            assert_eq!(r.status(), 403, "{rest}: past the allocation");
            let (n, m) = limit_info(&r);
            assert!(n > m, "{rest}: refused calls count too: {n}/{m}");
            let body: Value = r.json().await.expect("error JSON");
            assert_eq!(
                body,
                json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]),
                "{rest}: Salesforce's REQUEST_LIMIT_EXCEEDED body"
            );
        }
        let r = h
            .send(
                reqwest::Method::POST,
                "sobjects/Lead",
                json!({"LastName": "Refused", "Company": "Nope"}),
            )
            .await;
        assert_eq!(r.status(), 403, "writes are refused too");
        let (used, _) = limit_info(&r);
        assert_eq!(
            demo_usage(&h).await,
            json!({"api_usage": used, "limit": 3}),
            "/__demo/usage agrees with the header"
        );
        // A test raises the allocation over HTTP, as for a separate `demo-org serve`.
        let raised = h
            .client
            .post(format!("{}/__demo/faults", h.org.base_url()))
            .json(&json!({"kind": "api_limit", "max": used + 2}))
            .send()
            .await
            .expect("fault accepted");
        assert_eq!(raised.status(), 204, "api_limit is a control command");
        let r = h.get("limits").await;
        assert_eq!(r.status(), 200, "calls go through again once raised");
        let (n, m) = limit_info(&r);
        assert_eq!((n, m), (used + 1, used + 2), "header after raising");
        let limits: Value = r.json().await.expect("limits JSON");
        assert_eq!(
            limits["DailyApiRequests"],
            json!({"Max": m, "Remaining": m - n}),
            "/limits agrees with the header after raising"
        );
        assert_eq!(h.org.api_limit(), used + 2, "DemoOrg::api_limit reads it");
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn the_default_allocation_is_a_developer_editions() {
        let h = Harness::start().await;
        let r = h.get("limits").await;
        assert_eq!(
            limit_info(&r).1,
            demo_org::DEFAULT_API_LIMIT,
            "today's default stays"
        );
        assert_eq!(demo_org::DEFAULT_API_LIMIT, 15_000);
        h.org.shutdown().await;
    }

    /// Restricted picklists refuse unknown values ("With a restricted picklist, only an admin
    /// can add or change values; users can't load or remove values through the API"):
    /// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_picklist.htm
    #[tokio::test]
    async fn restricted_picklists_refuse_unknown_values_on_create_update_and_composite() {
        let h = Harness::start().await;
        for (object, field) in [
            ("Task", "Status"),
            ("Lead", "Status"),
            ("Opportunity", "StageName"),
            ("Case", "Status"),
        ] {
            let describe: Value = h
                .get(&format!("sobjects/{object}/describe"))
                .await
                .json()
                .await
                .expect("describe JSON");
            let f = describe["fields"]
                .as_array()
                .and_then(|fs| fs.iter().find(|f| f["name"] == field))
                .unwrap_or_else(|| panic!("{object}.{field} is described"));
            assert_eq!(
                f["restrictedPicklist"], true,
                "{object}.{field} is a restricted picklist"
            );
            assert!(
                f["picklistValues"]
                    .as_array()
                    .is_some_and(|v| !v.is_empty()),
                "{object}.{field} lists its values"
            );
        }
        let body = |object: &str| match object {
            "Task" => json!({"Subject": "x", "Status": "Done-ish"}),
            "Lead" => json!({"LastName": "x", "Company": "y", "Status": "Qualified-ish"}),
            "Opportunity" => {
                json!({"Name": "x", "StageName": "Won-ish", "CloseDate": "2026-12-01"})
            }
            _ => json!({"Subject": "x", "Status": "Open-ish"}),
        };
        for (object, field) in [
            ("Task", "Status"),
            ("Lead", "Status"),
            ("Opportunity", "StageName"),
            ("Case", "Status"),
        ] {
            let r = h
                .send(
                    reqwest::Method::POST,
                    &format!("sobjects/{object}"),
                    body(object),
                )
                .await;
            assert_eq!(r.status(), 400, "{object}: unknown {field} on create");
            let err: Value = r.json().await.expect("error JSON");
            assert_eq!(
                error_code(&err),
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "{object}: {err}"
            );
            assert_eq!(
                err[0]["fields"],
                json!([field]),
                "{object}: names the field"
            );
            assert!(
                err[0]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("bad value for restricted picklist field")),
                "{object}: Salesforce's wording: {err}"
            );
        }
        let r = h
            .send(
                reqwest::Method::PATCH,
                &format!("sobjects/Lead/{}", seed::SHARED_NUMBER_LEAD_ID),
                json!({"Status": "Qualified-ish"}),
            )
            .await;
        assert_eq!(r.status(), 400, "unknown Lead Status on update");
        let r = h
            .send(
                reqwest::Method::PATCH,
                &format!("sobjects/Lead/{}", seed::SHARED_NUMBER_LEAD_ID),
                json!({"Status": "Closed - Not Converted"}),
            )
            .await;
        assert_eq!(r.status(), 204, "a listed value is accepted");
        let r = h
            .send(
                reqwest::Method::PATCH,
                "sobjects/Call_Log__c/External_Id__c/refusal-upsert-1",
                json!({"Direction__c": "Sideways"}),
            )
            .await;
        assert_eq!(
            r.status(),
            400,
            "an upsert validates restricted picklists like a create"
        );
        let r = h
            .send(
                reqwest::Method::POST,
                "composite",
                json!({"compositeRequest": [{"method": "POST", "url": format!("/services/data/v{LATEST_API_VERSION}/sobjects/Task"), "referenceId": "t", "body": {"Subject": "x", "Status": "Done-ish"}}]}),
            )
            .await;
        let body: Value = r.json().await.expect("composite JSON");
        assert_eq!(
            body["compositeResponse"][0]["body"][0]["errorCode"],
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "a composite subrequest is refused the same way: {body}"
        );
        h.org.shutdown().await;
    }

    /// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm
    /// and sforce_api_calls_soql_select_fieldexpression.htm: long text areas can be
    /// neither sorted nor filtered.
    #[tokio::test]
    async fn long_text_areas_cannot_be_filtered_or_sorted() {
        let h = Harness::start().await;
        for (soql, verb) in [
            ("SELECT Id FROM Contact ORDER BY Description", "sorted"),
            ("SELECT Id FROM Contact WHERE Description = 'x'", "filtered"),
            (
                "SELECT Id FROM Call_Log__c ORDER BY Summary__c DESC",
                "sorted",
            ),
            (
                "SELECT Id FROM Call_Log__c WHERE Key_Topics__c LIKE '%a%'",
                "filtered",
            ),
            (
                "SELECT Id, (SELECT Id FROM Tasks__r ORDER BY Description) FROM Call_Log__c",
                "sorted",
            ),
            (
                "SELECT Id FROM Task WHERE Call_Log__r.Summary__c != null",
                "filtered",
            ),
        ] {
            let (status, body) = h.query(soql).await;
            assert_eq!(status, 400, "{soql}");
            assert_eq!(error_code(&body), "INVALID_FIELD", "{soql}: {body}");
            assert!(
                body[0]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&format!("can not be {verb} in a query call"))),
                "{soql}: Salesforce's wording: {body}"
            );
        }
        let (status, body) = h
            .search("FIND {Jane} IN ALL FIELDS RETURNING Contact(Id ORDER BY Description)")
            .await;
        assert_eq!(status, 400, "SOSL ORDER BY on a long text area: {body}");
        let (status, _) = h
            .query("SELECT Id, Description FROM Contact ORDER BY LastName LIMIT 1")
            .await;
        assert_eq!(status, 200, "selecting a long text area is fine");
        let describe: Value = h
            .get("sobjects/Contact/describe")
            .await
            .json()
            .await
            .expect("describe JSON");
        let field = |name: &str| {
            describe["fields"]
                .as_array()
                .and_then(|fs| fs.iter().find(|f| f["name"] == name))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(
            (
                field("Description")["filterable"].clone(),
                field("Description")["sortable"].clone()
            ),
            (json!(false), json!(false)),
            "describe says a long text area is neither filterable nor sortable"
        );
        assert_eq!(
            (
                field("Title")["filterable"].clone(),
                field("Title")["sortable"].clone()
            ),
            (json!(true), json!(true)),
            "a text field is both"
        );
        h.org.shutdown().await;
    }

    /// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (415)
    #[tokio::test]
    async fn writes_that_are_not_json_are_415() {
        let h = Harness::start().await;
        let url = h.url("sobjects/Lead");
        let body = json!({"LastName": "Form", "Company": "Data"}).to_string();
        for content_type in [None, Some("text/plain"), Some("application/xml")] {
            let mut request = h.client.post(&url).bearer_auth(&h.token).body(body.clone());
            if let Some(ct) = content_type {
                request = request.header("Content-Type", ct);
            }
            let r = request.send().await.expect("answers");
            assert_eq!(r.status(), 415, "Content-Type {content_type:?}");
            assert!(
                limit_info(&r).0 > 0,
                "a 415 carries the limit header and counts"
            );
            let err: Value = r.json().await.expect("error JSON");
            assert_eq!(error_code(&err), "UNSUPPORTED_MEDIA_TYPE", "{err}");
        }
        let r = h
            .client
            .patch(h.url(&format!("sobjects/Lead/{}", seed::SHARED_NUMBER_LEAD_ID)))
            .bearer_auth(&h.token)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("Title=Boss")
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), 415, "a form-encoded PATCH");
        let r = h
            .client
            .post(&url)
            .bearer_auth(&h.token)
            .header("Content-Type", "application/json; charset=UTF-8")
            .body(body)
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), 201, "JSON with a charset is accepted");
        h.org.shutdown().await;
    }

    /// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_rest_conditional_requests.htm
    #[tokio::test]
    async fn if_match_is_honoured_on_account_rows() {
        let h = Harness::start().await;
        let row = format!("sobjects/Account/{}", seed::ACME_ACCOUNT_ID);
        let r = h.get(&row).await;
        let etag = r
            .headers()
            .get("ETag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .expect("an Account row answers an ETag");
        let patch = |if_match: &str| {
            h.client
                .patch(h.url(&row))
                .bearer_auth(&h.token)
                .header("If-Match", if_match.to_owned())
                .json(&json!({"Website": "https://acme.example/new"}))
                .send()
        };
        let r = patch("\"stale--gzip\"").await.expect("answers");
        assert_eq!(r.status(), 412, "a mismatched If-Match is refused");
        let err: Value = r.json().await.expect("error JSON");
        assert_eq!(error_code(&err), "PRECONDITION_FAILED", "{err}");
        assert_eq!(
            h.get(&row)
                .await
                .headers()
                .get("ETag")
                .and_then(|v| v.to_str().ok()),
            Some(etag.as_str()),
            "nothing was written"
        );
        let r = patch("not-a-quoted-etag").await.expect("answers");
        assert_eq!(r.status(), 400, "a malformed If-Match is a bad request");
        let r = patch(&format!("\"other--gzip\", {etag}"))
            .await
            .expect("answers");
        assert_eq!(r.status(), 204, "a list holding the ETag matches");
        let new_tag = r
            .headers()
            .get("ETag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .expect("the update answers the new ETag");
        assert_ne!(new_tag, etag, "the ETag changes with the record");
        let r = patch(&etag).await.expect("answers");
        assert_eq!(r.status(), 412, "the old ETag no longer matches");
        let r = h
            .client
            .get(h.url(&row))
            .bearer_auth(&h.token)
            .header("If-None-Match", new_tag.clone())
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), 304, "If-None-Match with the current ETag");
        let contact = format!("sobjects/Contact/{}", seed::JANE_CALLER_ID);
        let r = h.get(&contact).await;
        assert!(
            r.headers().get("ETag").is_none(),
            "only Account rows have ETags"
        );
        let r = h
            .client
            .patch(h.url(&contact))
            .bearer_auth(&h.token)
            .header("If-Match", "\"stale--gzip\"")
            .json(&json!({"Title": "CTO"}))
            .send()
            .await
            .expect("answers");
        assert_eq!(r.status(), 204, "If-Match has no effect on other objects");
        h.org.shutdown().await;
    }

    /// https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html
    #[tokio::test]
    async fn update_only_upserts_never_create() {
        let h = Harness::start().await;
        let r = h
            .send(
                reqwest::Method::PATCH,
                "sobjects/Call_Log__c/External_Id__c/update-only-1?updateOnly=true",
                json!({"Direction__c": "Inbound"}),
            )
            .await;
        assert_eq!(
            r.status(),
            404,
            "no match and updateOnly: nothing is created"
        );
        let err: Value = r.json().await.expect("error JSON");
        assert_eq!(error_code(&err), "NOT_FOUND", "{err}");
        let (_, found) = h
            .query("SELECT Id FROM Call_Log__c WHERE External_Id__c = 'update-only-1'")
            .await;
        assert_eq!(found["totalSize"], 0, "no record was created");
        let r = h
            .send(
                reqwest::Method::PATCH,
                "sobjects/Call_Log__c/External_Id__c/update-only-1",
                json!({"Direction__c": "Inbound"}),
            )
            .await;
        assert_eq!(r.status(), 201, "without updateOnly the upsert creates");
        let r = h
            .send(
                reqwest::Method::PATCH,
                "sobjects/Call_Log__c/External_Id__c/update-only-1?updateOnly=true",
                json!({"Direction__c": "Outbound"}),
            )
            .await;
        assert_eq!(r.status(), 200, "updateOnly updates a match");
        h.org.shutdown().await;
    }
}

/// Query cursors (`nextRecordsUrl`): 15 minutes unused, 10 per user, closed once read, as the
/// SOAP API guide's "QueryLocator" page says
/// (<https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_query_querylocator.htm>).
mod query_locators {
    use super::*;
    use demo_org::CallLogSeed;

    const MINUTE: Duration = Duration::from_secs(60);

    /// What Salesforce answers for a locator it no longer has.
    fn invalid_locator() -> Value {
        json!([{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}])
    }

    /// A harness whose org holds `calls` generated call logs, so a 200-row batch leaves
    /// several pages.
    async fn with_call_logs(calls: usize) -> Harness {
        let h = Harness::start().await;
        h.org
            .seed_call_logs(&CallLogSeed::new(calls, 3))
            .expect("call logs seed");
        h
    }

    /// Runs `soql` in 200-row batches as `token`; returns the `nextRecordsUrl`.
    async fn open_as(h: &Harness, token: &str, soql: &str) -> String {
        let r = h
            .client
            .get(h.url("query"))
            .query(&[("q", soql)])
            .header("Sforce-Query-Options", "batchSize=200")
            .bearer_auth(token)
            .send()
            .await
            .expect("query reaches the org");
        assert_eq!(r.status(), StatusCode::OK, "the query runs");
        let body: Value = r.json().await.expect("JSON");
        body["nextRecordsUrl"]
            .as_str()
            .expect("a partial first batch names its cursor")
            .to_owned()
    }

    async fn open(h: &Harness) -> String {
        open_as(h, &h.token, "SELECT Id FROM Call_Log__c ORDER BY Id").await
    }

    /// Follows a `nextRecordsUrl` as `token`.
    async fn more_as(h: &Harness, token: &str, url: &str) -> (StatusCode, Value) {
        let r = h
            .client
            .get(format!("{}{url}", h.org.base_url()))
            .bearer_auth(token)
            .send()
            .await
            .expect("the next page reaches the org");
        let status = r.status();
        (status, r.json().await.expect("JSON"))
    }

    async fn more(h: &Harness, url: &str) -> (StatusCode, Value) {
        more_as(h, &h.token, url).await
    }

    fn next_of(page: &Value) -> String {
        page["nextRecordsUrl"]
            .as_str()
            .expect("more pages to come")
            .to_owned()
    }

    #[tokio::test]
    async fn a_locator_unused_for_15_minutes_is_invalid() {
        let h = with_call_logs(1000).await;
        let url = open(&h).await;
        h.org.advance_clock(15 * MINUTE);
        let (status, body) = more(&h, &url).await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, invalid_locator()),
            "15 minutes of inactivity expire the cursor, with Salesforce's status and body"
        );
        let (status, _) = more(&h, &url).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "and it stays expired (the org's clock does not go back)"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn reading_a_page_starts_the_15_minutes_again() {
        let h = with_call_logs(1000).await;
        let url = open(&h).await;
        h.org.advance_clock(14 * MINUTE);
        let (status, second) = more(&h, &url).await;
        assert_eq!(status, StatusCode::OK, "14 minutes idle: still open");
        h.org.advance_clock(14 * MINUTE);
        let (status, third) = more(&h, &next_of(&second)).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "28 minutes after the query but 14 after the last read: still open"
        );
        h.org.advance_clock(15 * MINUTE);
        let (status, body) = more(&h, &next_of(&third)).await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, invalid_locator()),
            "15 minutes after the last read: expired"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn an_eleventh_cursor_closes_the_users_oldest() {
        let h = with_call_logs(1000).await;
        let mut urls = Vec::new();
        for _ in 0..10 {
            urls.push(open(&h).await);
        }
        for url in &urls {
            let (status, _) = more(&h, url).await;
            assert_eq!(status, StatusCode::OK, "ten open cursors are allowed");
        }
        // Another user's cursor does not count against the demo user's ten.
        let lucy = h
            .org
            .seed_call_logs(&CallLogSeed::new(1, 4))
            .expect("seeded agents")
            .agents
            .into_iter()
            .find(|a| a.id != seed::DEMO_USER_ID)
            .expect("a seeded agent besides the demo user")
            .id;
        let lucy_token = h.org.issue_access_token_as(&lucy);
        let lucys = open_as(&h, &lucy_token, "SELECT Id FROM Contact ORDER BY Id").await;
        // The eleventh, through another token of the same user: the limit is per user.
        let same_user = h.org.issue_access_token_as(seed::DEMO_USER_ID);
        let eleventh = open_as(&h, &same_user, "SELECT Id FROM Contact ORDER BY Id").await;
        let (status, body) = more(&h, &urls[0]).await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, invalid_locator()),
            "the 11th cursor released the oldest of the ten"
        );
        for url in urls[1..].iter().chain([&eleventh]) {
            let (status, _) = more(&h, url).await;
            assert_eq!(status, StatusCode::OK, "the other ten stay open: {url}");
        }
        let (status, body) = more(&h, &lucys).await;
        assert_eq!(
            (status, body),
            (StatusCode::BAD_REQUEST, invalid_locator()),
            "one user cannot read another user's cursor"
        );
        let (status, _) = more_as(&h, &lucy_token, &lucys).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the other user's cursor is still open for them: it never counted against the ten"
        );
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn a_cursor_read_to_its_end_is_closed() {
        let h = with_call_logs(500).await;
        let first = open(&h).await;
        let (_, second) = more(&h, &first).await;
        let last_url = next_of(&second);
        let (status, last) = more(&h, &last_url).await;
        assert_eq!(status, StatusCode::OK, "the last batch");
        assert_eq!(last["done"], true, "the last batch says done");
        for url in [&last_url, &first] {
            let (status, body) = more(&h, url).await;
            assert_eq!(
                (status, body),
                (StatusCode::BAD_REQUEST, invalid_locator()),
                "a cursor read to its end is closed: {url}"
            );
        }
        h.org.shutdown().await;
    }

    #[tokio::test]
    async fn the_clock_moves_forward_over_http() {
        let h = Harness::start().await;
        let clock = format!("{}/__demo/clock", h.org.base_url());
        let before: Value = h
            .client
            .get(&clock)
            .send()
            .await
            .expect("GET clock")
            .json()
            .await
            .expect("JSON");
        let before = before["now_ms"].as_i64().expect("now_ms");
        let after: Value = h
            .client
            .post(&clock)
            .json(&json!({"advance_ms": 960_000}))
            .send()
            .await
            .expect("POST clock")
            .json()
            .await
            .expect("JSON");
        let after = after["now_ms"].as_i64().expect("now_ms");
        assert!(
            after - before >= 960_000,
            "16 minutes later: {before} → {after}"
        );
        assert!(
            h.org.now_ms() >= after,
            "the org's clock in process is the same clock"
        );
        let r = h
            .client
            .post(&clock)
            .json(&json!({"advance_ms": -5}))
            .send()
            .await
            .expect("POST clock");
        assert_eq!(
            r.status(),
            StatusCode::BAD_REQUEST,
            "the clock never goes back: a negative advance is refused"
        );
        h.org.shutdown().await;
    }
}

/// queryAll and the Recycle Bin, COUNT(), semi-joins and anti-joins, FIELDS(), and
/// `/composite/batch`: each answer and each documented refusal.
mod soql_features {
    use super::*;
    use reqwest::Method;

    async fn query_all(h: &Harness, soql: &str) -> (StatusCode, Value) {
        let r = h
            .client
            .get(h.url("queryAll"))
            .query(&[("q", soql)])
            .bearer_auth(&h.token)
            .send()
            .await
            .expect("queryAll reaches the org");
        let status = r.status();
        (status, r.json().await.expect("queryAll answers JSON"))
    }

    fn row_ids(body: &Value) -> Vec<String> {
        body["records"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["Id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn create(h: &Harness, object: &str, body: Value) -> String {
        let r = h
            .send(Method::POST, &format!("sobjects/{object}"), body)
            .await;
        assert_eq!(r.status(), 201, "{object} is created");
        let v: Value = r.json().await.expect("JSON");
        v["id"].as_str().expect("an id").to_owned()
    }

    async fn delete(h: &Harness, object: &str, id: &str) {
        let r = h
            .client
            .delete(h.url(&format!("sobjects/{object}/{id}")))
            .bearer_auth(&h.token)
            .send()
            .await
            .expect("DELETE reaches the org");
        assert_eq!(r.status(), 204, "{object} {id} is deleted");
    }

    async fn refused(h: &Harness, soql: &str, code: &str) -> String {
        let (status, body) = h.query(soql).await;
        assert_eq!(status, 400, "{soql} is refused: {body}");
        assert_eq!(error_code(&body), code, "{soql}: {body}");
        body[0]["message"].as_str().unwrap_or_default().to_owned()
    }

    #[tokio::test]
    async fn query_all_reads_the_recycle_bin_that_query_and_reads_do_not() {
        let h = Harness::start().await;
        let id = create(
            &h,
            "Contact",
            json!({"LastName": "Recycled", "AccountId": seed::ACME_ACCOUNT_ID}),
        )
        .await;
        delete(&h, "Contact", &id).await;
        let soql = format!("SELECT Id, LastName, IsDeleted FROM Contact WHERE Id = '{id}'");
        let (status, body) = h.query(&soql).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["totalSize"], 0,
            "query leaves deleted rows out: {body}"
        );
        let (status, body) = query_all(&h, &soql).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["totalSize"], 1,
            "queryAll finds the deleted row: {body}"
        );
        assert_eq!(body["records"][0]["IsDeleted"], true, "{body}");
        assert_eq!(body["records"][0]["LastName"], "Recycled", "{body}");
        let (_, body) = query_all(&h, "SELECT Id FROM Contact WHERE IsDeleted = true").await;
        assert_eq!(
            row_ids(&body),
            vec![id.clone()],
            "only the deleted row: {body}"
        );
        let (_, live) = h
            .query("SELECT Id, IsDeleted FROM Contact WHERE IsDeleted = false LIMIT 1")
            .await;
        assert_eq!(live["records"][0]["IsDeleted"], false, "live rows: {live}");
        let (_, count) = query_all(&h, "SELECT COUNT() FROM Contact WHERE IsDeleted = true").await;
        assert_eq!(count["totalSize"], 1, "COUNT() through queryAll: {count}");
        let r = h.get(&format!("sobjects/Contact/{id}")).await;
        assert_eq!(r.status(), 404, "a read by id still says deleted");
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(error_code(&body), "ENTITY_IS_DELETED");
        let (_, found) = h
            .search("FIND {Recycled} IN NAME FIELDS RETURNING Contact(Id)")
            .await;
        assert!(ids(&found).is_empty(), "search does not find it: {found}");
    }

    #[tokio::test]
    async fn query_all_pages_through_query_urls_and_keeps_the_deleted_rows() {
        let h = Harness::start().await;
        let id = create(&h, "Contact", json!({"LastName": "Zz Recycled"})).await;
        delete(&h, "Contact", &id).await;
        let (_, all) = query_all(&h, "SELECT COUNT() FROM Contact").await;
        let total = all["totalSize"].as_u64().expect("a count");
        assert!(total > 200, "enough rows for two pages: {total}");
        let r = h
            .client
            .get(h.url("queryAll"))
            .query(&[(
                "q",
                "SELECT Id, IsDeleted FROM Contact ORDER BY LastName DESC",
            )])
            .header("Sforce-Query-Options", "batchSize=200")
            .bearer_auth(&h.token)
            .send()
            .await
            .expect("queryAll reaches the org");
        let mut page: Value = r.json().await.expect("JSON");
        let mut rows = row_ids(&page);
        while page["done"] == false {
            let next = page["nextRecordsUrl"]
                .as_str()
                .expect("a next page")
                .to_owned();
            assert!(
                next.starts_with(&format!("/services/data/v{LATEST_API_VERSION}/query/")),
                "queryAll's nextRecordsUrl is a query URL, as documented: {next}"
            );
            let r = h
                .client
                .get(format!("{}{next}", h.org.base_url()))
                .bearer_auth(&h.token)
                .send()
                .await
                .expect("next page");
            assert_eq!(r.status(), 200);
            page = r.json().await.expect("JSON");
            rows.extend(row_ids(&page));
        }
        assert_eq!(rows.len() as u64, total, "every row once");
        assert!(rows.contains(&id), "the deleted row included");
    }

    #[tokio::test]
    async fn count_queries_answer_the_documented_shapes() {
        let h = Harness::start().await;
        let of_acme = format!("FROM Contact WHERE AccountId = '{}'", seed::ACME_ACCOUNT_ID);
        let (_, rows) = h.query(&format!("SELECT Id, Email {of_acme}")).await;
        let n = rows["totalSize"].as_u64().expect("a size");
        let with_email = rows["records"]
            .as_array()
            .expect("rows")
            .iter()
            .filter(|r| !r["Email"].is_null())
            .count();
        assert!(n > 0, "Acme has contacts");
        let (status, count) = h.query(&format!("SELECT COUNT() {of_acme}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            count,
            json!({"totalSize": n, "done": true, "records": []}),
            "COUNT(): the size is the count, no records"
        );
        let (status, agg) = h
            .query(&format!("SELECT COUNT(Id), COUNT(Email) emails {of_acme}"))
            .await;
        assert_eq!(status, 200, "{agg}");
        assert_eq!(
            agg,
            json!({"totalSize": 1, "done": true, "records": [
                {"attributes": {"type": "AggregateResult"}, "expr0": n, "emails": with_email}
            ]}),
            "COUNT(field): one AggregateResult, expr0 and the alias"
        );
        let msg = refused(
            &h,
            &format!("SELECT COUNT() {of_acme} ORDER BY Name"),
            "MALFORMED_QUERY",
        )
        .await;
        assert!(msg.contains("ORDER BY"), "{msg}");
        refused(&h, "SELECT COUNT(), Id FROM Contact", "MALFORMED_QUERY").await;
        refused(&h, "SELECT Id, COUNT() FROM Contact", "MALFORMED_QUERY").await;
        let msg = refused(&h, "SELECT Name, COUNT(Id) FROM Contact", "MALFORMED_QUERY").await;
        assert!(
            msg.contains("Field must be grouped or aggregated: Name"),
            "{msg}"
        );
        refused(
            &h,
            "SELECT COUNT(Id) FROM Contact ORDER BY Name",
            "MALFORMED_QUERY",
        )
        .await;
        refused(&h, "SELECT COUNT(Nope__c) FROM Contact", "INVALID_FIELD").await;
    }

    #[tokio::test]
    async fn semi_joins_and_anti_joins_filter_by_the_subquery() {
        let h = Harness::start().await;
        let (_, all) = h.query("SELECT Id FROM Account").await;
        let all = row_ids(&all);
        let (status, with) = h
            .query("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)")
            .await;
        assert_eq!(status, 200, "{with}");
        let with = row_ids(&with);
        let (status, without) = h
            .query("SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)")
            .await;
        assert_eq!(status, 200, "{without}");
        let without = row_ids(&without);
        assert!(
            !with.is_empty() && !without.is_empty(),
            "both kinds of account exist"
        );
        assert!(
            with.contains(&seed::ACME_ACCOUNT_ID.to_owned()),
            "Acme has contacts"
        );
        let mut union: Vec<String> = with.iter().chain(&without).cloned().collect();
        union.sort();
        let mut all_sorted = all.clone();
        all_sorted.sort();
        assert_eq!(
            union, all_sorted,
            "semi-join and anti-join split the accounts"
        );
        let (_, jane) = h
            .query(&format!(
                "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id = '{}')",
                seed::JANE_CALLER_ID
            ))
            .await;
        assert_eq!(
            row_ids(&jane),
            vec![seed::ACME_ACCOUNT_ID.to_owned()],
            "{jane}"
        );
        // A reference on the left: contacts of accounts that have an open case.
        let (status, body) = h
            .query("SELECT Id FROM Contact WHERE AccountId IN (SELECT AccountId FROM Case WHERE IsClosed = false) AND Id NOT IN (SELECT ContactId FROM Case)")
            .await;
        assert_eq!(status, 200, "two joins, child to child: {body}");
    }

    #[tokio::test]
    async fn semi_join_restrictions_are_refused() {
        let h = Harness::start().await;
        for (soql, code) in [
            (
                "SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)",
                "INVALID_FIELD",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)",
                "INVALID_FIELD",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT ContactId FROM Case)",
                "INVALID_FIELD",
            ),
            (
                "SELECT Id FROM Contact WHERE Account.Id IN (SELECT AccountId FROM Case)",
                "INVALID_FIELD",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT Id, AccountId FROM Contact)",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT Id FROM Account)",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN (SELECT ContactId FROM Case))",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact ORDER BY Name)",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact LIMIT 5)",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id FROM Account WHERE Name = 'x' OR Id IN (SELECT AccountId FROM Contact)",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id FROM Account WHERE NOT Id IN (SELECT AccountId FROM Contact)",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) AND Id IN (SELECT AccountId FROM Case) AND Id NOT IN (SELECT AccountId FROM Opportunity)",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id, (SELECT Id FROM Contacts WHERE Id IN (SELECT ContactId FROM Case)) FROM Account",
                "MALFORMED_QUERY",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Nope__c)",
                "INVALID_TYPE",
            ),
        ] {
            refused(&h, soql, code).await;
        }
        // A subquery on an object the user cannot read is refused like a FROM of it.
        h.org.faults().hide_object("Case");
        refused(
            &h,
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Case)",
            "INVALID_TYPE",
        )
        .await;
    }

    #[tokio::test]
    async fn fields_functions_select_groups_and_want_a_limit() {
        let h = Harness::start().await;
        let (status, body) = h
            .query(&format!(
                "SELECT FIELDS(STANDARD) FROM Account WHERE Id = '{}'",
                seed::ACME_ACCOUNT_ID
            ))
            .await;
        assert_eq!(status, 200, "FIELDS(STANDARD) needs no LIMIT: {body}");
        let row = &body["records"][0];
        assert!(
            row.get("Name").is_some() && row.get("Phone").is_some(),
            "{row}"
        );
        assert!(row.get("Legacy_Id__c").is_none(), "no custom field: {row}");
        for soql in [
            "SELECT FIELDS(ALL) FROM Account",
            "SELECT FIELDS(CUSTOM) FROM Account LIMIT 201",
            "SELECT Id, FIELDS(ALL) FROM Account LIMIT 500",
        ] {
            let msg = refused(&h, soql, "MALFORMED_QUERY").await;
            assert_eq!(
                msg, "The SOQL FIELDS function must have a LIMIT of at most 200",
                "{soql}"
            );
        }
        let (status, body) = h.query("SELECT FIELDS(ALL) FROM Account LIMIT 200").await;
        assert_eq!(status, 200, "{body}");
        let row = &body["records"][0];
        assert!(
            row.get("Legacy_Id__c").is_some() && row.get("Name").is_some(),
            "{row}"
        );
        let (_, body) = h.query("SELECT FIELDS(CUSTOM) FROM Account LIMIT 1").await;
        let row = &body["records"][0];
        assert!(
            row.get("Legacy_Id__c").is_some() && row.get("Name").is_none(),
            "{row}"
        );
        let msg = refused(
            &h,
            "SELECT Id, FIELDS(ALL) FROM Account LIMIT 200",
            "MALFORMED_QUERY",
        )
        .await;
        assert!(msg.contains("duplicate field selected: Id"), "{msg}");
        refused(&h, "SELECT FIELDS(SOME) FROM Account", "MALFORMED_QUERY").await;
        // Field-level security: a hidden field is not among them.
        h.org.faults().hide_field("Account", "Phone");
        let (status, body) = h
            .query("SELECT FIELDS(STANDARD) FROM Account LIMIT 5")
            .await;
        assert_eq!(status, 200, "{body}");
        for row in body["records"].as_array().expect("rows") {
            assert!(row.get("Phone").is_none(), "Phone is hidden: {row}");
            assert!(row.get("Name").is_some(), "{row}");
        }
    }

    #[tokio::test]
    async fn fields_respects_sharing() {
        let h = Harness::start().await;
        let (_, agent) = h
            .query("SELECT Id FROM User WHERE Username = 'lucy.chen@ringside.example'")
            .await;
        let lucy = agent["records"][0]["Id"].as_str().expect("Lucy").to_owned();
        let hers = create(&h, "Task", json!({"Subject": "Lucy's", "OwnerId": lucy})).await;
        let token = h.org.issue_access_token_as(&lucy);
        let body: Value = h
            .client
            .get(h.url("query"))
            .query(&[("q", "SELECT FIELDS(STANDARD) FROM Task")])
            .bearer_auth(&token)
            .send()
            .await
            .expect("query")
            .json()
            .await
            .expect("JSON");
        assert_eq!(row_ids(&body), vec![hers], "only her own Task: {body}");
        // A semi-join's subquery reads as the same user: her Task about Jane only.
        create(
            &h,
            "Task",
            json!({"Subject": "About Jane", "OwnerId": lucy, "WhoId": seed::JANE_CALLER_ID}),
        )
        .await;
        let soql = "SELECT Id FROM Contact WHERE Id IN (SELECT WhoId FROM Task)";
        let body: Value = h
            .client
            .get(h.url("query"))
            .query(&[("q", soql)])
            .bearer_auth(&token)
            .send()
            .await
            .expect("query")
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            row_ids(&body),
            vec![seed::JANE_CALLER_ID.to_owned()],
            "only the contact of her own Task: {body}"
        );
        let (_, admin) = h.query(soql).await;
        assert!(
            row_ids(&admin).len() > 1,
            "View All Data sees every Task's contact: {admin}"
        );
    }

    async fn batch(h: &Harness, body: Value) -> (StatusCode, Value) {
        let r = h.send(Method::POST, "composite/batch", body).await;
        let status = r.status();
        (status, r.json().await.expect("JSON"))
    }

    #[tokio::test]
    async fn composite_batch_runs_independent_subrequests() {
        let h = Harness::start().await;
        let v = format!("v{LATEST_API_VERSION}");
        let before = h.org.api_usage();
        let (status, body) = batch(
            &h,
            json!({"batchRequests": [
                {"method": "PATCH", "url": format!("{v}/sobjects/Account/{}", seed::ACME_ACCOUNT_ID), "richInput": {"Phone": "+1 555 0100"}},
                {"method": "GET", "url": format!("{v}/sobjects/Account/{}?fields=Phone", seed::ACME_ACCOUNT_ID)},
                {"method": "GET", "url": format!("{v}/query?q=SELECT+COUNT()+FROM+Account")},
            ]}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["hasErrors"], false, "{body}");
        let results = body["results"].as_array().expect("results");
        assert_eq!(results.len(), 3);
        assert_eq!(
            results[0],
            json!({"statusCode": 204, "result": null}),
            "{body}"
        );
        assert_eq!(results[1]["statusCode"], 200);
        assert_eq!(
            results[1]["result"]["Phone"], "+1 555 0100",
            "a later subrequest sees the earlier commit"
        );
        assert_eq!(results[2]["result"]["done"], true);
        assert_eq!(
            h.org.api_usage() - before,
            4,
            "the batch request and each of its subrequests count"
        );
    }

    #[tokio::test]
    async fn composite_batch_halts_on_error_and_refuses_what_salesforce_refuses() {
        let h = Harness::start().await;
        let v = format!("v{LATEST_API_VERSION}");
        let bad =
            json!({"method": "GET", "url": format!("{v}/sobjects/Account/001000000000000AAA")});
        let good = json!({"method": "GET", "url": format!("{v}/sobjects/Account/{}", seed::ACME_ACCOUNT_ID)});
        let (status, body) = batch(&h, json!({"batchRequests": [bad, good]})).await;
        assert_eq!(status, 200);
        assert_eq!(body["hasErrors"], true);
        assert_eq!(body["results"][0]["statusCode"], 404, "{body}");
        assert_eq!(
            body["results"][1]["statusCode"], 200,
            "without haltOnError the rest runs"
        );
        let (status, body) = batch(
            &h,
            json!({"batchRequests": [bad, good], "haltOnError": true}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["hasErrors"], true);
        assert_eq!(body["results"][1]["statusCode"], 412, "{body}");
        assert_eq!(
            body["results"][1]["result"][0]["errorCode"], "BATCH_PROCESSING_HALTED",
            "{body}"
        );
        let create = json!({"method": "POST", "url": format!("{v}/sobjects/Account"), "richInput": {"Name": "Batch Overflow"}});
        let (status, body) = batch(&h, json!({"batchRequests": vec![create.clone(); 26]})).await;
        assert_eq!(status, 400, "26 subrequests: {body}");
        assert_eq!(error_code(&body), "LIMIT_EXCEEDED");
        let (_, found) = h
            .query("SELECT COUNT() FROM Account WHERE Name = 'Batch Overflow'")
            .await;
        assert_eq!(found["totalSize"], 0, "nothing ran");
        for sub in [
            json!({"method": "POST", "url": format!("{v}/composite/sobjects"), "richInput": {"records": []}}),
            json!({"method": "POST", "url": format!("{v}/composite"), "richInput": {}}),
            json!({"method": "GET", "url": "v99.0/limits"}),
            json!({"method": "GET", "url": format!("{v}/sobjects/Account/@{{x.id}}")}),
            json!({"method": "FETCH", "url": format!("{v}/limits")}),
            json!({"url": format!("{v}/limits")}),
        ] {
            let (status, body) =
                batch(&h, json!({"batchRequests": [create.clone(), sub.clone()]})).await;
            assert_eq!(status, 400, "{sub}: {body}");
            assert_eq!(error_code(&body), "INVALID_API_INPUT", "{sub}: {body}");
        }
        let (_, found) = h
            .query("SELECT COUNT() FROM Account WHERE Name = 'Batch Overflow'")
            .await;
        assert_eq!(
            found["totalSize"], 0,
            "a bad subrequest stops the batch before anything runs"
        );
    }
}
