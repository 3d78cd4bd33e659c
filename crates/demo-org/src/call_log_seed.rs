//! Call-log history on demand: thousands of `Call_Log__c` records, each with its call
//! Task, spread over several agents (Users) and days, for the history tests, the demo and
//! the history benchmark. Not part of the default seed, so a normal start stays fast.
//!
//! Deterministic: the same [`CallLogSeed`] gives the same records (values, not ids: ids
//! depend on what was inserted before). The generator is a small SplitMix64, no clock.
//! Matched records are the seed's Contacts, unconverted Leads and Accounts, so non-Latin
//! names (Japanese, Arabic, Turkish) come up among them; a tenth of the calls match
//! nobody (unknown callers).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::clock;
use crate::schema;
use crate::store::Store;

/// The agents a history is spread over: the demo user and the five seeded in
/// [`crate::seed::AGENT_USERS`].
pub fn agents(store: &Store) -> Vec<Agent> {
    let mut agents: Vec<Agent> = store
        .records_of("User")
        .filter(|u| u.get("IsActive").as_bool().unwrap_or(false))
        .map(|u| Agent {
            id: u.id().to_owned(),
            name: u.get("Name").as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    agents.sort_by(|a, b| a.id.cmp(&b.id));
    agents
}

/// What to seed. `POST /__demo/call_logs` takes it as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallLogSeed {
    /// How many calls (each one call log and, unless it matched nobody, one Task).
    pub count: usize,
    /// The generator's seed: the same seed gives the same calls.
    #[serde(default)]
    pub seed: u64,
    /// How many days before `until` the calls spread over.
    #[serde(default = "default_days")]
    pub days: u32,
    /// The end of the window (exclusive), in epoch milliseconds. Default
    /// [`DEFAULT_UNTIL_MS`], a fixed instant, so tests see the same dates every run;
    /// a demo that wants "today" passes the current time.
    #[serde(default)]
    pub until_ms: Option<i64>,
}

fn default_days() -> u32 {
    30
}

/// 2026-10-20T00:00:00Z: before the default seed's own few call logs (late October),
/// so a window over the seeded history holds only generated calls.
pub const DEFAULT_UNTIL_MS: i64 = 1_792_454_400_000;

/// The most calls one request may seed (keeps a typo from eating the machine's memory).
pub const MAX_COUNT: usize = 200_000;

impl CallLogSeed {
    pub fn new(count: usize, seed: u64) -> Self {
        CallLogSeed {
            count,
            seed,
            days: default_days(),
            until_ms: None,
        }
    }
}

/// An agent (a User who owns calls).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Agent {
    pub id: String,
    pub name: String,
}

/// One generated call, as a test computes its expectations from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeededCall {
    pub call_id: String,
    pub call_log_id: String,
    pub task_id: Option<String>,
    pub owner_id: String,
    pub started_at_ms: i64,
    /// `Inbound` / `Outbound`.
    pub direction: &'static str,
    pub disposition: &'static str,
    pub duration_seconds: i64,
    /// `Contact`, `Lead`, `Account`, or none (unknown caller).
    pub matched_object: Option<&'static str>,
    pub matched_id: Option<String>,
    pub matched_name: Option<String>,
    /// The agent's notes on the Task.
    pub notes: Option<String>,
}

/// What [`seed`] created.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeededCallLogs {
    pub agents: Vec<Agent>,
    /// Window start (inclusive) and end (exclusive), epoch ms.
    pub from_ms: i64,
    pub until_ms: i64,
    pub calls: Vec<SeededCall>,
}

/// Why a seed request was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallLogSeedError {
    #[error("count must be 1 to {MAX_COUNT}, not {0}")]
    Count(usize),
    #[error("days must be 1 to 3650, not {0}")]
    Days(u32),
}

const DISPOSITIONS: &[&str] = &[
    "Connected",
    "Connected",
    "Connected",
    "Left voicemail",
    "No answer",
    "Busy",
    "Wrong number",
];

/// Notes in the languages agents write them in; some with CSV's special characters.
const NOTES: &[&str] = &[
    "Asked for pricing on the softphone rollout.",
    "折り返し電話を希望。見積もりを送付予定。",
    "يرغب العميل في عرض سعر جديد",
    "Fiyat teklifi istedi; yarın tekrar aranacak.",
    "Said \"call me after 3pm\", then hung up",
    "Two lines:\r\nfollow up on invoice, then demo",
    "Rückruf vereinbart, Größe des Teams: 40",
];

/// SplitMix64: tiny, fast and good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Party {
    object: &'static str,
    id: String,
    name: String,
    phone: String,
    /// The Account of a Contact (the Task's WhatId).
    account: Option<String>,
}

fn parties(store: &Store) -> Vec<Party> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let mut out = Vec::new();
    for object in ["Contact", "Lead", "Account"] {
        for r in store.records_of(object) {
            if object == "Lead" && r.get("IsConverted").as_bool() == Some(true) {
                continue;
            }
            let (Some(name), Some(phone)) = (text(r.get("Name")), text(r.get("Phone"))) else {
                continue;
            };
            out.push(Party {
                object,
                id: r.id().to_owned(),
                name,
                phone,
                account: text(r.get("AccountId")),
            });
        }
    }
    out
}

/// Inserts `spec.count` calls into `store`.
pub fn seed(store: &mut Store, spec: &CallLogSeed) -> Result<SeededCallLogs, CallLogSeedError> {
    if spec.count == 0 || spec.count > MAX_COUNT {
        return Err(CallLogSeedError::Count(spec.count));
    }
    if spec.days == 0 || spec.days > 3650 {
        return Err(CallLogSeedError::Days(spec.days));
    }
    let (Some(log_object), Some(task_object)) =
        (schema::object("Call_Log__c"), schema::object("Task"))
    else {
        unreachable!("the schema defines Call_Log__c and Task");
    };
    let agents = agents(store);
    let parties = parties(store);
    let until_ms = spec.until_ms.unwrap_or(DEFAULT_UNTIL_MS);
    let from_ms = until_ms - i64::from(spec.days) * 86_400_000;
    let mut rng = Rng(spec.seed ^ 0x5EED_CA11_0000_0000);
    let mut calls = Vec::with_capacity(spec.count);
    for i in 0..spec.count {
        let agent = &agents[rng.below(agents.len())];
        // Office hours mostly (8:00–18:59 UTC), some early and late calls.
        let day = rng.below(spec.days as usize) as i64;
        let hour = if rng.below(10) < 8 {
            8 + rng.below(11)
        } else {
            rng.below(24)
        } as i64;
        let started = (until_ms - (day + 1) * 86_400_000).div_euclid(86_400_000) * 86_400_000
            + hour * 3_600_000
            + rng.below(3_600_000) as i64;
        let started = started.clamp(from_ms, until_ms - 1);
        let inbound = rng.below(100) < 55;
        let missed = inbound && rng.below(10) == 0;
        let disposition = if missed {
            "Missed"
        } else {
            DISPOSITIONS[rng.below(DISPOSITIONS.len())]
        };
        let duration = if missed || matches!(disposition, "No answer" | "Busy") {
            0
        } else {
            15 + rng.below(1800) as i64
        };
        let party = (rng.below(10) != 0).then(|| &parties[rng.below(parties.len())]);
        let agent_line = format!("+1 415 555 {:04}", 100 + rng.below(50));
        let customer = party
            .map(|p| p.phone.clone())
            .unwrap_or_else(|| format!("+1 212 555 {:04}", rng.below(10_000)));
        let (from, to) = if inbound {
            (customer, agent_line)
        } else {
            (agent_line, customer)
        };
        let call_id = format!("demo-{}-{i:06}", spec.seed);
        let direction = if inbound { "Inbound" } else { "Outbound" };
        let mut log = json!({
            "External_Id__c": call_id,
            "Direction__c": direction,
            "Duration_Seconds__c": duration as f64,
            "From_Number__c": from,
            "To_Number__c": to,
            "Started_At__c": clock::format_datetime(started),
            "Disposition__c": disposition,
            "OwnerId": agent.id,
        });
        if rng.below(3) == 0 {
            // The key topic follows from the summary (no extra draw: the seeded data stays
            // what it was for every other field).
            let (what, topic) = [
                ("pricing", "Pricing"),
                ("an invoice", "Billing"),
                ("a demo", "Demo"),
                ("a support case", "Support"),
            ][rng.below(4)];
            log["Summary__c"] = json!(format!("Caller discussed {what}."));
            log["Key_Topics__c"] = json!(topic);
        }
        if duration > 0 && rng.below(2) == 0 {
            log["Recording_Url__c"] = json!(format!("https://recordings.example/{call_id}.wav"));
        }
        if let Some(p) = party {
            let field = match p.object {
                "Contact" => "Contact__c",
                "Lead" => "Lead__c",
                _ => "Account__c",
            };
            log[field] = json!(p.id);
        }
        let at = started + duration * 1000;
        let log_id = store.insert_raw(log_object, into_map(log), at);
        let notes = (rng.below(4) != 0).then(|| NOTES[rng.below(NOTES.len())]);
        let subject = match (missed, inbound) {
            (true, _) => "Missed call".to_owned(),
            (false, true) => format!("Call from {}", party.map_or("unknown caller", |p| &p.name)),
            (false, false) => format!("Call to {}", party.map_or("unknown number", |p| &p.name)),
        };
        let mut task = json!({
            "Subject": subject,
            "Status": "Completed",
            "Type": "Call",
            "TaskSubtype": "Call",
            "CallType": direction,
            "CallDurationInSeconds": duration,
            "CallDisposition": disposition,
            "CallObject": call_id,
            "ActivityDate": clock::format_date(started.div_euclid(86_400_000)),
            "Call_Log__c": log_id,
            "OwnerId": agent.id,
        });
        if let Some(n) = notes {
            task["Description"] = json!(n);
        }
        if let Some(p) = party {
            match p.object {
                "Account" => task["WhatId"] = json!(p.id),
                _ => {
                    task["WhoId"] = json!(p.id);
                    if let Some(a) = &p.account {
                        task["WhatId"] = json!(a);
                    }
                }
            }
        }
        let task_id = store.insert_raw(task_object, into_map(task), at);
        calls.push(SeededCall {
            call_id,
            call_log_id: log_id,
            task_id: Some(task_id),
            owner_id: agent.id.clone(),
            started_at_ms: started,
            direction,
            disposition,
            duration_seconds: duration,
            matched_object: party.map(|p| p.object),
            matched_id: party.map(|p| p.id.clone()),
            matched_name: party.map(|p| p.name.clone()),
            notes: notes.map(str::to_owned),
        });
    }
    tracing::info!(count = spec.count, seed = spec.seed, "call logs seeded");
    Ok(SeededCallLogs {
        agents,
        from_ms,
        until_ms,
        calls,
    })
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_calls() {
        let strip = |s: SeededCallLogs| {
            s.calls
                .into_iter()
                .map(|c| {
                    (
                        c.call_id,
                        c.owner_id,
                        c.started_at_ms,
                        c.disposition,
                        c.matched_name,
                    )
                })
                .collect::<Vec<_>>()
        };
        let a = seed(&mut crate::seed::build(), &CallLogSeed::new(300, 7)).expect("seeds");
        let b = seed(&mut crate::seed::build(), &CallLogSeed::new(300, 7)).expect("seeds");
        assert!(a.agents.len() >= 6, "calls spread over several agents");
        let (from, until) = (a.from_ms, a.until_ms);
        let a = strip(a);
        assert_eq!(a, strip(b), "deterministic run to run");
        assert!(
            a.iter().all(|c| (from..until).contains(&c.2)),
            "every call starts inside the window"
        );
        let owners: std::collections::HashSet<_> = a.iter().map(|c| &c.1).collect();
        assert!(owners.len() >= 5, "several agents own calls: {owners:?}");
        assert!(
            a.iter()
                .filter_map(|c| c.4.as_deref())
                .any(|n| !n.is_ascii()),
            "some matched records have non-Latin names"
        );
    }

    #[test]
    fn absurd_requests_are_refused() {
        let mut store = crate::seed::build();
        assert_eq!(
            seed(&mut store, &CallLogSeed::new(0, 1)).unwrap_err(),
            CallLogSeedError::Count(0)
        );
        let mut spec = CallLogSeed::new(1, 1);
        spec.days = 0;
        assert_eq!(
            seed(&mut store, &spec).unwrap_err(),
            CallLogSeedError::Days(0)
        );
    }
}
