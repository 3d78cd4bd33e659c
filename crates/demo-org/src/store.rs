//! The org's records in memory, and the DML rules Salesforce applies to them: field
//! validation against the schema (types, lengths, required, createable/updateable,
//! references, restricted picklists, unique external ids), derived fields (compound
//! Name, IsClosed, auto-numbers), timestamps, deletes and upserts; validation rules a test
//! adds ([`ValidationRule`]); and how many updates each record took ([`Store::updates_applied`]).
//!
//! Records keep every field of their describe, `null` when unset, in describe order,
//! so rendering a record needs no further lookups.
//!
//! A deleted record goes to the Recycle Bin, as in Salesforce: it is gone for reads,
//! writes, `query` and search (`ENTITY_IS_DELETED` by id), and kept with `IsDeleted`
//! true for the `queryAll` resource, which "returns records that are soft deleted due to a
//! merge or delete" (<https://developer.salesforce.com/docs/platform/api-rest/guide/resources-queryall.html>).
//! Nothing is ever purged from it here (Salesforce empties it after 15 days); there is no
//! undelete.

use crate::api_error::ApiError;
use crate::clock;
use crate::ids;
use crate::schema::{self, FieldDef, FieldType, ObjectDef};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};

/// One stored record.
#[derive(Clone, Debug)]
pub struct Record {
    pub object: &'static ObjectDef,
    pub fields: Map<String, Value>,
}

impl Record {
    pub fn id(&self) -> &str {
        self.fields
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// A field's value by canonical name (`Value::Null` when unset).
    pub fn get(&self, name: &str) -> &Value {
        self.fields.get(name).unwrap_or(&Value::Null)
    }

    /// Whether the record is in the Recycle Bin (what SOQL's `IsDeleted` reads).
    pub fn is_deleted(&self) -> bool {
        self.fields.get(IS_DELETED) == Some(&Value::Bool(true))
    }

    pub fn attributes(&self, version: &str) -> Value {
        attributes(self.object.name, self.id(), version)
    }

    /// The record as `GET sobjects/{Object}/{id}` returns it: attributes, then every field.
    pub fn to_json(&self, version: &str) -> Value {
        let mut out = Map::new();
        out.insert("attributes".into(), self.attributes(version));
        for (k, v) in &self.fields {
            out.insert(k.clone(), v.clone());
        }
        Value::Object(out)
    }
}

/// The field every sObject has that says a record is in the Recycle Bin. Not in the
/// schema's describe (records do not carry it while live); SOQL resolves it (`soql::eval`).
pub const IS_DELETED: &str = "IsDeleted";

/// `{"type","url"}` as Salesforce puts on every record.
pub fn attributes(object: &str, id: &str, version: &str) -> Value {
    json!({"type": object, "url": format!("/services/data/v{version}/sobjects/{object}/{id}")})
}

/// What an upsert did.
#[derive(Debug, PartialEq)]
pub enum UpsertOutcome {
    Created(String),
    Updated(String),
    /// Several records carry the external id value; nothing was written.
    Multiple(Vec<String>),
}

/// All records of the org. A composite or graph that is all-or-none runs inside
/// [`Store::all_or_none`], which undoes its changes when it fails.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// Per object name, by 18-character id. Ids grow with creation, so iteration is creation order.
    records: HashMap<&'static str, BTreeMap<String, Record>>,
    deleted: HashMap<String, &'static str>,
    /// Deleted records, per object name, by id, with `IsDeleted` set: read only by `queryAll`.
    recycle_bin: HashMap<&'static str, BTreeMap<String, Record>>,
    next_number: u64,
    next_case_number: u64,
    next_call_log_number: u64,
    /// Owner given to records created without OwnerId: the demo user.
    pub default_owner: String,
    /// Updates committed per record id. Part of the store, so a rolled-back composite or
    /// graph takes its updates back with it: what is left is what the org applied.
    updates: HashMap<String, u32>,
    /// Validation rules a test added (an org's admin-written rules, in miniature).
    validation_rules: Vec<ValidationRule>,
    /// While an all-or-none request runs: how to undo each change it made, oldest first.
    /// (A journal, not a copy of the store: copying every record for each request made the
    /// built-in demo org's cost — CPU and the app's memory — grow with every call logged.)
    journal: Option<Vec<Undo>>,
}

/// How to take back one change (see [`Store::all_or_none`]).
#[derive(Clone, Debug)]
enum Undo {
    /// A record was created: remove it.
    Created { object: &'static str, id: String },
    /// A record was updated: put `before` back and its committed-update count.
    Updated {
        before: Record,
        updates_before: Option<u32>,
    },
    /// A record went to the Recycle Bin: bring `before` back.
    Deleted { before: Record },
}

/// The counters an all-or-none request may advance, as they were when it started.
#[derive(Clone, Copy, Debug)]
struct Counters {
    next_number: u64,
    next_case_number: u64,
    next_call_log_number: u64,
}

/// A validation rule: a create or update that sets `object`.`field` to `refused_value`
/// fails with 400 FIELD_CUSTOM_VALIDATION_EXCEPTION, `message` and the field, as a rule
/// whose error shows at the field does
/// (<https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm>).
/// In a composite or graph it fails that subrequest like any other DML error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationRule {
    pub object: String,
    pub field: String,
    pub refused_value: String,
    pub message: String,
}

impl Store {
    pub fn new() -> Self {
        Store {
            next_number: 1,
            next_case_number: 1001,
            next_call_log_number: 1,
            ..Default::default()
        }
    }

    /// Runs `request`; when `all_or_none`, as one unit: when it says `false` (something
    /// failed), every record it created, updated or deleted is as it was before, and the ids
    /// and auto-numbers it took are given back. Returns what `request` returned.
    pub fn all_or_none<T>(
        &mut self,
        all_or_none: bool,
        request: impl FnOnce(&mut Store) -> (T, bool),
    ) -> T {
        if !all_or_none {
            return request(self).0;
        }
        let counters = self.counters();
        let outer = self.journal.replace(Vec::new());
        let (answer, keep) = request(self);
        let changes = self.journal.take().unwrap_or_default();
        self.journal = outer;
        if keep {
            // Inside another all-or-none unit, these changes are that unit's to undo too.
            if let Some(outer) = self.journal.as_mut() {
                outer.extend(changes);
            }
        } else {
            for change in changes.into_iter().rev() {
                self.undo(change);
            }
            self.set_counters(counters);
        }
        answer
    }

    fn counters(&self) -> Counters {
        Counters {
            next_number: self.next_number,
            next_case_number: self.next_case_number,
            next_call_log_number: self.next_call_log_number,
        }
    }

    fn set_counters(&mut self, counters: Counters) {
        self.next_number = counters.next_number;
        self.next_case_number = counters.next_case_number;
        self.next_call_log_number = counters.next_call_log_number;
    }

    fn remember(&mut self, change: impl FnOnce() -> Undo) {
        if let Some(journal) = self.journal.as_mut() {
            journal.push(change());
        }
    }

    fn undo(&mut self, change: Undo) {
        match change {
            Undo::Created { object, id } => {
                if let Some(records) = self.records.get_mut(object) {
                    records.remove(&id);
                }
            }
            Undo::Updated {
                before,
                updates_before,
            } => {
                let id = before.id().to_owned();
                match updates_before {
                    Some(count) => self.updates.insert(id.clone(), count),
                    None => self.updates.remove(&id),
                };
                self.records
                    .entry(before.object.name)
                    .or_default()
                    .insert(id, before);
            }
            Undo::Deleted { before } => {
                let id = before.id().to_owned();
                if let Some(bin) = self.recycle_bin.get_mut(before.object.name) {
                    bin.remove(&id);
                }
                self.deleted.remove(&id);
                self.records
                    .entry(before.object.name)
                    .or_default()
                    .insert(id, before);
            }
        }
    }

    /// How many updates to the record `id` the org committed (creates not counted).
    pub fn updates_applied(&self, id: &str) -> u32 {
        self.updates.get(id).copied().unwrap_or(0)
    }

    /// Adds a validation rule (see [`ValidationRule`]).
    pub fn add_validation_rule(&mut self, rule: ValidationRule) {
        self.validation_rules.push(rule);
    }

    /// Removes every validation rule (the admin fixed them).
    pub fn clear_validation_rules(&mut self) {
        self.validation_rules.clear();
    }

    /// The first validation rule `values` break on `object`, as Salesforce's error.
    fn check_validation_rules(
        &self,
        object: &ObjectDef,
        values: &Map<String, Value>,
    ) -> Result<(), ApiError> {
        for rule in &self.validation_rules {
            if rule.object.eq_ignore_ascii_case(object.name)
                && values
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&rule.field))
                    .is_some_and(|(_, v)| v.as_str() == Some(rule.refused_value.as_str()))
            {
                return Err(ApiError::bad_request(
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    rule.message.clone(),
                )
                .with_fields(&[rule.field.as_str()]));
            }
        }
        Ok(())
    }

    pub fn records_of(&self, object: &str) -> impl Iterator<Item = &Record> {
        self.records
            .get(object)
            .into_iter()
            .flat_map(|m| m.values())
    }

    /// `object`'s records, and with `include_deleted` its Recycle Bin's too (`queryAll`).
    pub fn rows_of(&self, object: &str, include_deleted: bool) -> impl Iterator<Item = &Record> {
        let deleted = include_deleted
            .then(|| self.recycle_bin.get(object))
            .flatten();
        self.records_of(object)
            .chain(deleted.into_iter().flat_map(|m| m.values()))
    }

    /// A record by id, live or in the Recycle Bin (the rows of a `queryAll` cursor).
    pub fn by_id_including_deleted(&self, id: &str) -> Option<&Record> {
        self.by_id(id).or_else(|| {
            let id = ids::canonical(id)?;
            let object = schema::object_for_id(&id)?;
            self.recycle_bin.get(object.name)?.get(&id)
        })
    }

    /// A live record by (15- or 18-character) id.
    pub fn by_id(&self, id: &str) -> Option<&Record> {
        let id = ids::canonical(id)?;
        let object = schema::object_for_id(&id)?;
        self.records.get(object.name)?.get(&id)
    }

    /// A record for `GET/PATCH/DELETE sobjects/{Object}/{id}`, with Salesforce's errors.
    pub fn find(&self, object: &ObjectDef, id: &str) -> Result<&Record, ApiError> {
        let canonical = ids::canonical(id).ok_or_else(ApiError::not_found)?;
        if self
            .deleted
            .get(&canonical)
            .is_some_and(|o| *o == object.name)
        {
            return Err(ApiError::new(404, "ENTITY_IS_DELETED", "entity is deleted"));
        }
        self.records
            .get(object.name)
            .and_then(|m| m.get(&canonical))
            .ok_or_else(ApiError::not_found)
    }

    fn allocate_id(&mut self, object: &ObjectDef) -> String {
        let id = ids::make_id(object.key_prefix, self.next_number);
        self.next_number += 1;
        id
    }

    /// Inserts a record without DML validation (the seed's own path). Derived fields,
    /// auto-numbers and defaults are still filled in. Returns the new id.
    pub fn insert_raw(
        &mut self,
        object: &'static ObjectDef,
        values: Map<String, Value>,
        at_ms: i64,
    ) -> String {
        let id = self.allocate_id(object);
        let mut fields = Map::new();
        for f in &object.fields {
            fields.insert(f.name.to_owned(), Value::Null);
        }
        fields.insert("Id".into(), json!(id));
        for (k, v) in values {
            if let Some(f) = object.field(&k) {
                fields.insert(f.name.to_owned(), v);
            }
        }
        self.fill_defaults(object, &mut fields, at_ms);
        derive_fields(object, &mut fields);
        self.records
            .entry(object.name)
            .or_default()
            .insert(id.clone(), Record { object, fields });
        self.remember(|| Undo::Created {
            object: object.name,
            id: id.clone(),
        });
        id
    }

    fn fill_defaults(&mut self, object: &ObjectDef, fields: &mut Map<String, Value>, at_ms: i64) {
        let stamp = json!(clock::format_datetime(at_ms));
        for f in &object.fields {
            let current = fields.get(f.name).cloned().unwrap_or(Value::Null);
            if !current.is_null() {
                continue;
            }
            let value = match (f.name, f.ty) {
                ("CreatedDate" | "LastModifiedDate", _) => stamp.clone(),
                ("OwnerId" | "CreatedById", _) if !self.default_owner.is_empty() => {
                    json!(self.default_owner)
                }
                ("CaseNumber", _) => {
                    let n = self.next_case_number;
                    self.next_case_number += 1;
                    json!(format!("{n:08}"))
                }
                ("Name", _) if f.auto_number => {
                    let n = self.next_call_log_number;
                    self.next_call_log_number += 1;
                    json!(format!("CL-{n:06}"))
                }
                (_, FieldType::Boolean) => json!(false),
                _ => match f.default_value {
                    Some(d) => json!(d),
                    None => continue,
                },
            };
            fields.insert(f.name.to_owned(), value);
        }
    }

    /// `POST sobjects/{Object}`: validates like Salesforce and creates the record.
    pub fn create(
        &mut self,
        object: &'static ObjectDef,
        body: &Value,
        now_ms: i64,
    ) -> Result<String, ApiError> {
        check_writable(object)?;
        let values = self.validate(object, body, Mode::Create)?;
        let required: Vec<&str> = object
            .fields
            .iter()
            .filter(|f| f.required && values.get(f.name).is_none_or(Value::is_null))
            .map(|f| f.name)
            .collect();
        if !required.is_empty() {
            return Err(ApiError::bad_request(
                "REQUIRED_FIELD_MISSING",
                format!("Required fields are missing: [{}]", required.join(", ")),
            )
            .with_fields(&required));
        }
        if object.name == "Event" {
            event_times_given(&values)?;
        }
        if object.name == "FeedItem" {
            feed_item_body_given(&values)?;
        }
        self.check_validation_rules(object, &values)?;
        self.check_unique(object, &values, None)?;
        Ok(self.insert_raw(object, values, now_ms))
    }

    /// `PATCH sobjects/{Object}/{id}`.
    pub fn update(
        &mut self,
        object: &'static ObjectDef,
        id: &str,
        body: &Value,
        now_ms: i64,
    ) -> Result<String, ApiError> {
        check_writable(object)?;
        let id = self.find(object, id)?.id().to_owned();
        let values = self.validate(object, body, Mode::Update)?;
        for f in object.fields.iter().filter(|f| f.required) {
            if values.get(f.name).is_some_and(Value::is_null) {
                return Err(ApiError::bad_request(
                    "REQUIRED_FIELD_MISSING",
                    format!("Required fields are missing: [{}]", f.name),
                )
                .with_fields(&[f.name]));
            }
        }
        self.check_validation_rules(object, &values)?;
        self.check_unique(object, &values, Some(&id))?;
        let updates_before = self.updates.get(&id).copied();
        let record = self
            .records
            .get_mut(object.name)
            .and_then(|m| m.get_mut(&id))
            .ok_or_else(ApiError::not_found)?;
        if let Some(journal) = self.journal.as_mut() {
            journal.push(Undo::Updated {
                before: record.clone(),
                updates_before,
            });
        }
        *self.updates.entry(id.clone()).or_default() += 1;
        for (k, v) in values {
            record.fields.insert(k, v);
        }
        record.fields.insert(
            "LastModifiedDate".into(),
            json!(clock::format_datetime(now_ms)),
        );
        derive_fields(object, &mut record.fields);
        Ok(id)
    }

    /// `DELETE sobjects/{Object}/{id}`.
    pub fn delete(&mut self, object: &'static ObjectDef, id: &str) -> Result<(), ApiError> {
        check_writable(object)?;
        let id = self.find(object, id)?.id().to_owned();
        if let Some(mut record) = self
            .records
            .get_mut(object.name)
            .and_then(|m| m.remove(&id))
        {
            self.remember(|| Undo::Deleted {
                before: record.clone(),
            });
            record.fields.insert(IS_DELETED.into(), Value::Bool(true));
            self.recycle_bin
                .entry(object.name)
                .or_default()
                .insert(id.clone(), record);
        }
        self.deleted.insert(id, object.name);
        Ok(())
    }

    /// Records whose external id field equals `value`. Salesforce matches text external
    /// ids case-insensitively (unless the field is case-sensitive unique; ours are not).
    pub fn by_external_id(
        &self,
        object: &ObjectDef,
        field: &FieldDef,
        value: &str,
    ) -> Vec<&Record> {
        self.records_of(object.name)
            .filter(|r| {
                r.get(field.name)
                    .as_str()
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
            })
            .collect()
    }

    /// `PATCH sobjects/{Object}/{ExternalIdField}/{value}`; with `update_only`
    /// (`?updateOnly=true`) no record is created: no match is 404 NOT_FOUND.
    pub fn upsert(
        &mut self,
        object: &'static ObjectDef,
        field_name: &str,
        value: &str,
        body: &Value,
        now_ms: i64,
        update_only: bool,
    ) -> Result<UpsertOutcome, ApiError> {
        let field = object
            .field(field_name)
            .filter(|f| f.external_id)
            .ok_or_else(|| ApiError::not_found().with_fields(&[]))?;
        let matches: Vec<String> = self
            .by_external_id(object, field, value)
            .iter()
            .map(|r| r.id().to_owned())
            .collect();
        // The external id comes from the URL; a different value in the body is a conflict.
        if let Some(in_body) = body.get(field.name).and_then(Value::as_str)
            && !in_body.eq_ignore_ascii_case(value)
        {
            return Err(ApiError::bad_request(
                "INVALID_FIELD",
                format!(
                    "The value of the {} field in the body doesn't match the value in the URL",
                    field.name
                ),
            ));
        }
        match matches.as_slice() {
            [] if update_only => Err(ApiError::not_found()),
            [] => {
                let mut with_key = body.as_object().cloned().ok_or_else(|| {
                    ApiError::json_parser("The request body must be a JSON object")
                })?;
                with_key.insert(field.name.to_owned(), json!(value));
                self.create(object, &Value::Object(with_key), now_ms)
                    .map(UpsertOutcome::Created)
            }
            [one] => {
                let mut without_key = body.as_object().cloned().ok_or_else(|| {
                    ApiError::json_parser("The request body must be a JSON object")
                })?;
                without_key.retain(|k, _| !k.eq_ignore_ascii_case(field.name));
                let id = one.clone();
                self.update(object, &id, &Value::Object(without_key), now_ms)
                    .map(UpsertOutcome::Updated)
            }
            _ => Ok(UpsertOutcome::Multiple(matches)),
        }
    }

    fn check_unique(
        &self,
        object: &ObjectDef,
        values: &Map<String, Value>,
        except: Option<&str>,
    ) -> Result<(), ApiError> {
        for f in object.fields.iter().filter(|f| f.unique) {
            let Some(v) = values.get(f.name).and_then(Value::as_str) else {
                continue;
            };
            if let Some(other) = self
                .by_external_id(object, f, v)
                .into_iter()
                .find(|r| Some(r.id()) != except)
            {
                return Err(ApiError::bad_request(
                    "DUPLICATE_VALUE",
                    format!(
                        "duplicate value found: {} duplicates value on record with id: {}",
                        f.name,
                        other.id()
                    ),
                )
                .with_fields(&[f.name]));
            }
        }
        Ok(())
    }

    /// Checks a write body field by field, returning the values keyed by canonical field name.
    fn validate(
        &self,
        object: &ObjectDef,
        body: &Value,
        mode: Mode,
    ) -> Result<Map<String, Value>, ApiError> {
        let body = body.as_object().ok_or_else(|| {
            ApiError::json_parser("Can not deserialize SObject out of non-object token")
        })?;
        let mut out = Map::new();
        let mut not_writable = Vec::new();
        for (key, value) in body {
            if key == "attributes" {
                continue;
            }
            let field = object.field(key).ok_or_else(|| {
                ApiError::bad_request(
                    "INVALID_FIELD",
                    format!("No such column '{key}' on sobject of type {}", object.name),
                )
            })?;
            let writable = match mode {
                Mode::Create => field.createable,
                Mode::Update => field.updateable,
            };
            if !writable {
                not_writable.push(field.name);
                continue;
            }
            out.insert(
                field.name.to_owned(),
                self.check_value(object, field, value)?,
            );
        }
        if !not_writable.is_empty() {
            let verb = match mode {
                Mode::Create => "create",
                Mode::Update => "update",
            };
            return Err(ApiError::bad_request(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                format!(
                    "Unable to {verb}/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                    not_writable.join(", ")
                ),
            )
            .with_fields(&not_writable));
        }
        Ok(out)
    }

    fn check_value(
        &self,
        object: &ObjectDef,
        field: &FieldDef,
        value: &Value,
    ) -> Result<Value, ApiError> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let wrong_type = || {
            ApiError::json_parser(format!(
                "Cannot deserialize instance of {} from {} value {} or request may be missing a required field",
                field.ty.wire_name(),
                json_kind(value),
                value
            ))
        };
        match field.ty {
            FieldType::Boolean => value.as_bool().map(Value::Bool).ok_or_else(wrong_type),
            FieldType::Int => value
                .as_i64()
                .filter(|n| i32::try_from(*n).is_ok())
                .map(|n| json!(n))
                .ok_or_else(wrong_type),
            FieldType::Double | FieldType::Currency => {
                value.as_f64().map(|n| json!(n)).ok_or_else(wrong_type)
            }
            FieldType::Date => {
                let s = value.as_str().ok_or_else(wrong_type)?;
                clock::parse_date(s)
                    .map(|d| json!(clock::format_date(d)))
                    .ok_or_else(wrong_type)
            }
            FieldType::Datetime => {
                let s = value.as_str().ok_or_else(wrong_type)?;
                clock::parse_datetime(s)
                    .map(|t| json!(clock::format_datetime(t)))
                    .ok_or_else(wrong_type)
            }
            FieldType::Reference | FieldType::Id => {
                let s = value.as_str().ok_or_else(wrong_type)?;
                if s.is_empty() {
                    return Ok(Value::Null);
                }
                let malformed = || {
                    ApiError::bad_request(
                        "MALFORMED_ID",
                        format!("{}: id value of incorrect type: {s}", field.label),
                    )
                    .with_fields(&[field.name])
                };
                let id = ids::canonical(s).ok_or_else(malformed)?;
                let target = schema::object_for_id(&id).ok_or_else(malformed)?;
                if !field.reference_to.contains(&target.name) {
                    return Err(malformed());
                }
                if self.by_id(&id).is_none() {
                    return Err(ApiError::bad_request(
                        "INVALID_CROSS_REFERENCE_KEY",
                        "invalid cross reference id",
                    )
                    .with_fields(&[field.name]));
                }
                Ok(json!(id))
            }
            _ => {
                let s = value.as_str().ok_or_else(wrong_type)?;
                let chars = s.chars().count();
                if field.length > 0 && chars > field.length as usize {
                    return Err(ApiError::bad_request(
                        "STRING_TOO_LONG",
                        format!(
                            "{}: data value too large: {} (max length={})",
                            field.label,
                            preview(s),
                            field.length
                        ),
                    )
                    .with_fields(&[field.name]));
                }
                if field.ty == FieldType::Email && !s.is_empty() && !looks_like_email(s) {
                    return Err(ApiError::bad_request(
                        "INVALID_EMAIL_ADDRESS",
                        format!("{}: invalid email address: {}", field.label, preview(s)),
                    )
                    .with_fields(&[field.name]));
                }
                if field.ty == FieldType::Picklist
                    && field.restricted
                    && !field.picklist.contains(&s)
                {
                    return Err(ApiError::bad_request(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        format!(
                            "{}: bad value for restricted picklist field: {}",
                            field.label,
                            preview(s)
                        ),
                    )
                    .with_fields(&[field.name]));
                }
                // A restricted multi-select picklist checks each `;`-separated value.
                if field.ty == FieldType::MultiPicklist
                    && field.restricted
                    && let Some(bad) = s
                        .split(';')
                        .find(|v| !v.is_empty() && !field.picklist.contains(v))
                {
                    return Err(ApiError::bad_request(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        format!(
                            "{}: bad value for restricted picklist field: {}",
                            field.label,
                            preview(bad)
                        ),
                    )
                    .with_fields(&[field.name]));
                }
                let _ = object;
                Ok(json!(s))
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Create,
    Update,
}

fn check_writable(object: &ObjectDef) -> Result<(), ApiError> {
    if object.writable {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "INSUFFICIENT_ACCESS_OR_READONLY",
            format!(
                "entity type cannot be inserted, updated or deleted: {}",
                object.name
            ),
        ))
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "VALUE_STRING",
        Value::Number(_) => "VALUE_NUMBER",
        Value::Bool(_) => "VALUE_BOOLEAN",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
        Value::Null => "VALUE_NULL",
    }
}

/// The start of a long value for an error message (Salesforce echoes the value).
fn preview(s: &str) -> String {
    let mut p: String = s.chars().take(60).collect();
    if p.len() < s.len() {
        p.push_str("...");
    }
    p
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// Recomputes fields Salesforce derives from others.
fn derive_fields(object: &ObjectDef, fields: &mut Map<String, Value>) {
    let text = |fields: &Map<String, Value>, k: &str| {
        fields
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match object.name {
        "Contact" | "Lead" | "User" => {
            let name = format!("{} {}", text(fields, "FirstName"), text(fields, "LastName"))
                .trim()
                .to_owned();
            fields.insert("Name".into(), json!(name));
        }
        "Opportunity" => {
            let stage = text(fields, "StageName");
            fields.insert("IsClosed".into(), json!(stage.starts_with("Closed")));
        }
        "Case" => {
            let status = text(fields, "Status");
            fields.insert("IsClosed".into(), json!(status == "Closed"));
        }
        "Task" => {
            let status = text(fields, "Status");
            fields.insert("IsClosed".into(), json!(status == "Completed"));
        }
        _ => {}
    }
}

/// Salesforce's rule for a new Event: it needs a start (`StartDateTime` or
/// `ActivityDateTime`), and unless it is an all-day event a length (`DurationInMinutes` or
/// `EndDateTime`); without one the create fails with REQUIRED_FIELD_MISSING.
/// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm
fn event_times_given(values: &Map<String, Value>) -> Result<(), ApiError> {
    let given = |name: &str| values.get(name).is_some_and(|v| !v.is_null());
    let missing = if !(given("StartDateTime") || given("ActivityDateTime")) {
        Some("ActivityDateTime")
    } else if values.get("IsAllDayEvent") != Some(&Value::Bool(true))
        && !(given("DurationInMinutes") || given("EndDateTime"))
    {
        Some("DurationInMinutes")
    } else {
        None
    };
    match missing {
        None => Ok(()),
        Some(field) => Err(ApiError::bad_request(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{field}]"),
        )
        .with_fields(&[field])),
    }
}

/// Salesforce's rule for a new FeedItem: "Body: Required when Type is TextPost or
/// AdvancedTextPost" (Type defaults to TextPost); without it the create fails with
/// REQUIRED_FIELD_MISSING.
/// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_feeditem.htm
fn feed_item_body_given(values: &Map<String, Value>) -> Result<(), ApiError> {
    let text_post = matches!(
        values.get("Type").and_then(Value::as_str),
        None | Some("TextPost" | "AdvancedTextPost")
    );
    let body = values
        .get("Body")
        .and_then(Value::as_str)
        .is_some_and(|b| !b.trim().is_empty());
    if text_post && !body {
        return Err(ApiError::bad_request(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Body]",
        )
        .with_fields(&["Body"]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> &'static ObjectDef {
        schema::object("Contact").expect("Contact exists")
    }

    /// Every record of every object (live and in the Recycle Bin), with its committed-update
    /// count, and the next ids the store would hand out: what a rollback must restore.
    fn state(store: &Store) -> String {
        let mut out = String::new();
        for object in schema::objects() {
            for record in store.rows_of(object.name, true) {
                let updates = store.updates_applied(record.id());
                out.push_str(&format!(
                    "{} {:?} updates={updates}\n",
                    object.name, record.fields
                ));
            }
        }
        let mut probe = store.clone();
        let next = probe.insert_raw(contact(), Map::new(), 0);
        out.push_str(&format!("next id {next} counters {:?}\n", probe.counters()));
        out
    }

    #[test]
    fn a_failed_all_or_none_request_leaves_every_record_and_counter_as_it_was() {
        let mut store = crate::seed::build();
        let account = schema::object("Account").expect("Account");
        let case = schema::object("Case").expect("Case");
        let existing = store
            .records_of("Contact")
            .next()
            .expect("seeded Contacts")
            .id()
            .to_owned();
        let doomed = store
            .records_of("Contact")
            .nth(1)
            .expect("two Contacts")
            .id()
            .to_owned();
        store
            .update(contact(), &existing, &json!({"Title": "Before"}), 0)
            .expect("update");
        let before = state(&store);

        let answer = store.all_or_none(true, |store| {
            store
                .create(contact(), &json!({"LastName": "Yılmaz"}), 1)
                .expect("create");
            store
                .create(account, &json!({"Name": "Acme"}), 1)
                .expect("create");
            store
                .create(case, &json!({"Subject": "Auto-numbered"}), 1)
                .expect("create");
            store
                .update(contact(), &existing, &json!({"Title": "During"}), 1)
                .expect("update");
            store
                .update(contact(), &existing, &json!({"Title": "Twice"}), 1)
                .expect("update");
            store.delete(contact(), &doomed).expect("delete");
            // A nested unit that succeeds is still undone with the one around it.
            store.all_or_none(true, |store| {
                store
                    .create(contact(), &json!({"LastName": "Nested"}), 1)
                    .expect("create");
                ((), true)
            });
            ("failed", false)
        });
        assert_eq!(answer, "failed", "all_or_none returns the request's answer");
        assert_eq!(state(&store), before, "the failed request left a trace");

        store.all_or_none(true, |store| {
            store
                .update(contact(), &existing, &json!({"Title": "Kept"}), 2)
                .expect("update");
            ((), true)
        });
        assert_eq!(
            store.find(contact(), &existing).expect("live").get("Title"),
            &json!("Kept")
        );
        assert_eq!(
            store.updates_applied(&existing),
            2,
            "a kept unit keeps its update count"
        );
        assert_ne!(state(&store), before);
    }

    #[test]
    fn create_requires_last_name() {
        let mut s = Store::new();
        let err = s
            .create(contact(), &json!({"FirstName": "A"}), 0)
            .expect_err("LastName is required on Contact");
        assert_eq!(
            err.code, "REQUIRED_FIELD_MISSING",
            "Salesforce's code for a missing required field"
        );
        assert_eq!(err.fields, vec!["LastName"], "names the missing field");
    }

    #[test]
    fn name_is_not_createable_and_is_derived() {
        let mut s = Store::new();
        let err = s
            .create(contact(), &json!({"LastName": "B", "Name": "x"}), 0)
            .expect_err("Name is compound");
        assert_eq!(
            err.code, "INVALID_FIELD_FOR_INSERT_UPDATE",
            "compound Name is read-only"
        );
        let id = s
            .create(
                contact(),
                &json!({"FirstName": "Ada", "LastName": "Lovelace"}),
                0,
            )
            .expect("valid contact");
        assert_eq!(
            s.by_id(&id).map(|r| r.get("Name").clone()),
            Some(json!("Ada Lovelace")),
            "Name derived from parts"
        );
    }

    #[test]
    fn string_too_long_counts_characters() {
        let mut s = Store::new();
        let ok = "山".repeat(80);
        assert!(
            s.create(contact(), &json!({"LastName": ok}), 0).is_ok(),
            "80 CJK characters fit an 80-char field"
        );
        let err = s
            .create(contact(), &json!({"LastName": "x".repeat(81)}), 0)
            .expect_err("81 chars is too long");
        assert_eq!(
            err.code, "STRING_TOO_LONG",
            "length errors use STRING_TOO_LONG"
        );
    }

    /// Regression: the seed and the generated call history must pass the org's own
    /// restricted picklists (Task/Case Status, Lead Status, Opportunity StageName, …), or
    /// the demo shows data no client could have written.
    #[test]
    fn seeded_records_use_only_listed_values_of_restricted_picklists() {
        let mut store = crate::seed::build();
        crate::call_log_seed::seed(
            &mut store,
            &serde_json::from_value(json!({"count": 200, "seed": 7})).expect("seed spec"),
        )
        .expect("call history seeds");
        let mut checked = 0;
        for object in schema::objects() {
            for record in store.records_of(object.name) {
                for field in object.fields.iter().filter(|f| f.restricted) {
                    if let Some(value) = record.get(field.name).as_str() {
                        assert!(
                            field.picklist.contains(&value),
                            "{}.{} of {} is {value:?}, not one of {:?}",
                            object.name,
                            field.name,
                            record.id(),
                            field.picklist
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(
            checked > 100,
            "the seed sets restricted picklists ({checked})"
        );
    }

    #[test]
    fn wrong_json_types_are_rejected() {
        let mut s = Store::new();
        let err = s
            .create(contact(), &json!({"LastName": 5}), 0)
            .expect_err("a number is not a string");
        assert_eq!(
            err.code, "JSON_PARSER_ERROR",
            "type mismatches are JSON parser errors in Salesforce"
        );
        let err = s
            .create(contact(), &json!({"LastName": "x", "Bogus__c": 1}), 0)
            .expect_err("unknown field");
        assert_eq!(
            err.code, "INVALID_FIELD",
            "unknown fields are INVALID_FIELD"
        );
    }
}
