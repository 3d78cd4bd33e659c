//! The demo org's metadata: which sObjects exist and what their fields are (type, length,
//! createable/updateable, picklist values, references). The describe endpoint renders it,
//! and every write and query is validated against it, as Salesforce validates against its
//! own metadata.

use serde_json::{Value, json};
use std::sync::OnceLock;

/// Salesforce field types this org uses (the `type` value in describe).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Id,
    String,
    Phone,
    Email,
    Picklist,
    /// A multi-select picklist: its value is the chosen values joined by `;`.
    MultiPicklist,
    Reference,
    Textarea,
    Datetime,
    Date,
    Boolean,
    Int,
    Double,
    Currency,
    Url,
}

impl FieldType {
    pub fn wire_name(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::String => "string",
            FieldType::Phone => "phone",
            FieldType::Email => "email",
            FieldType::Picklist => "picklist",
            FieldType::MultiPicklist => "multipicklist",
            FieldType::Reference => "reference",
            FieldType::Textarea => "textarea",
            FieldType::Datetime => "datetime",
            FieldType::Date => "date",
            FieldType::Boolean => "boolean",
            FieldType::Int => "int",
            FieldType::Double => "double",
            FieldType::Currency => "currency",
            FieldType::Url => "url",
        }
    }

    fn soap_type(self) -> &'static str {
        match self {
            FieldType::Id | FieldType::Reference => "tns:ID",
            FieldType::Datetime => "xsd:dateTime",
            FieldType::Date => "xsd:date",
            FieldType::Boolean => "xsd:boolean",
            FieldType::Int => "xsd:int",
            FieldType::Double | FieldType::Currency => "xsd:double",
            _ => "xsd:string",
        }
    }

    /// Whether values are text (string-like on the wire and in comparisons).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldType::Id
                | FieldType::String
                | FieldType::Phone
                | FieldType::Email
                | FieldType::Picklist
                | FieldType::MultiPicklist
                | FieldType::Reference
                | FieldType::Textarea
                | FieldType::Url
        )
    }
}

/// One field of an sObject.
#[derive(Clone, Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub label: &'static str,
    pub ty: FieldType,
    pub length: u32,
    pub createable: bool,
    pub updateable: bool,
    pub nillable: bool,
    /// Must be given on create (REQUIRED_FIELD_MISSING otherwise).
    pub required: bool,
    pub external_id: bool,
    pub unique: bool,
    pub picklist: &'static [&'static str],
    pub default_value: Option<&'static str>,
    /// A bad value is rejected (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST) only when restricted;
    /// unrestricted picklists accept any text, as in Salesforce.
    pub restricted: bool,
    pub reference_to: &'static [&'static str],
    pub relationship_name: Option<&'static str>,
    pub name_field: bool,
    pub auto_number: bool,
    /// Derived by the org (compound Name, IsClosed, …): never writable.
    pub calculated: bool,
}

impl FieldDef {
    fn new(name: &'static str, label: &'static str, ty: FieldType) -> Self {
        let length = match ty {
            FieldType::Id | FieldType::Reference => 18,
            FieldType::String | FieldType::Email | FieldType::Url => 255,
            FieldType::Phone => 40,
            FieldType::Picklist => 255,
            // Salesforce's limit for a multi-select picklist's whole value.
            FieldType::MultiPicklist => 4099,
            FieldType::Textarea => 255,
            _ => 0,
        };
        FieldDef {
            name,
            label,
            ty,
            length,
            createable: true,
            updateable: true,
            nillable: !matches!(ty, FieldType::Boolean),
            required: false,
            external_id: false,
            unique: false,
            picklist: &[],
            default_value: None,
            restricted: false,
            reference_to: &[],
            relationship_name: None,
            name_field: false,
            auto_number: false,
            calculated: false,
        }
    }
    fn len(mut self, n: u32) -> Self {
        self.length = n;
        self
    }
    fn required(mut self) -> Self {
        self.required = true;
        self.nillable = false;
        self
    }
    fn readonly(mut self) -> Self {
        self.createable = false;
        self.updateable = false;
        self
    }
    fn calculated(mut self) -> Self {
        self.calculated = true;
        self.readonly()
    }
    fn create_only(mut self) -> Self {
        self.updateable = false;
        self
    }
    fn picklist(mut self, values: &'static [&'static str], default: Option<&'static str>) -> Self {
        self.picklist = values;
        self.default_value = default;
        self
    }
    fn restricted(mut self) -> Self {
        self.restricted = true;
        self
    }
    fn refers(mut self, to: &'static [&'static str], rel: &'static str) -> Self {
        self.reference_to = to;
        self.relationship_name = Some(rel);
        self
    }
    fn name_field(mut self) -> Self {
        self.name_field = true;
        self
    }
    fn external_unique(mut self) -> Self {
        self.external_id = true;
        self.unique = true;
        self
    }
    fn external(mut self) -> Self {
        self.external_id = true;
        self
    }
    fn auto_number(mut self) -> Self {
        self.auto_number = true;
        self.nillable = false;
        self.readonly()
    }

    /// A long text area (a text area longer than 255 characters): SOQL can neither filter
    /// nor sort on it, and describe says so (`filterable`/`sortable` false).
    pub fn is_long_text(&self) -> bool {
        self.ty == FieldType::Textarea && self.length > 255
    }

    pub fn to_describe(&self) -> Value {
        let picklist: Vec<Value> = self
            .picklist
            .iter()
            .map(|v| json!({"active": true, "defaultValue": self.default_value == Some(*v), "label": v, "validFor": null, "value": v}))
            .collect();
        let (precision, scale, digits) = match self.ty {
            FieldType::Double => (18, 0, 0),
            FieldType::Currency => (18, 2, 0),
            FieldType::Int => (0, 0, 9),
            _ => (0, 0, 0),
        };
        json!({
            "name": self.name,
            "label": self.label,
            "type": self.ty.wire_name(),
            "soapType": self.ty.soap_type(),
            "length": self.length,
            "byteLength": self.length * 3,
            "precision": precision,
            "scale": scale,
            "digits": digits,
            "createable": self.createable,
            "updateable": self.updateable,
            "nillable": self.nillable,
            "defaultedOnCreate": self.default_value.is_some() || self.auto_number || self.calculated || matches!(self.name, "Id" | "OwnerId" | "CreatedDate" | "LastModifiedDate") || self.ty == FieldType::Boolean,
            "calculated": self.calculated,
            "autoNumber": self.auto_number,
            "externalId": self.external_id,
            "unique": self.unique,
            "idLookup": self.name == "Id" || self.external_id || self.ty == FieldType::Email,
            "nameField": self.name_field,
            // A custom field on a standard object (Task.Call_Log__c) is custom too.
            "custom": self.name.ends_with("__c"),
            "filterable": !self.is_long_text(),
            "sortable": !self.is_long_text(),
            "restrictedPicklist": self.restricted,
            "picklistValues": picklist,
            "referenceTo": self.reference_to,
            "relationshipName": self.relationship_name,
            "polymorphicForeignKey": self.reference_to.len() > 1,
            "defaultValue": self.default_value,
        })
    }
}

/// One sObject type.
#[derive(Clone, Debug)]
pub struct ObjectDef {
    pub name: &'static str,
    pub label: &'static str,
    pub label_plural: &'static str,
    pub key_prefix: &'static str,
    pub custom: bool,
    /// Whether clients may insert/update/delete records (User is read-only here).
    pub writable: bool,
    pub fields: Vec<FieldDef>,
}

impl ObjectDef {
    /// Field by name, case-insensitively (Salesforce field names are case-insensitive).
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The reference field whose relationship name is `rel` (case-insensitive).
    pub fn relationship(&self, rel: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| {
            f.relationship_name
                .is_some_and(|r| r.eq_ignore_ascii_case(rel))
        })
    }

    pub fn describe(&self, version: &str) -> Value {
        let base = format!("/services/data/v{version}/sobjects/{}", self.name);
        let mut v = self.global_entry(version);
        v["fields"] = Value::Array(self.fields.iter().map(FieldDef::to_describe).collect());
        v["childRelationships"] = Value::Array(
            CHILD_RELATIONSHIPS
                .iter()
                .filter(|c| c.parent == self.name)
                .map(|c| {
                    json!({
                        "cascadeDelete": false,
                        "childSObject": c.child,
                        "deprecatedAndHidden": false,
                        "field": c.field,
                        "relationshipName": c.name,
                        "restrictedDelete": false,
                    })
                })
                .collect(),
        );
        v["recordTypeInfos"] = json!([]);
        v["urls"]["rowTemplate"] = json!(format!("{base}/{{ID}}"));
        v
    }

    /// The entry for this object in `GET sobjects` (describeGlobal).
    pub fn global_entry(&self, version: &str) -> Value {
        let base = format!("/services/data/v{version}/sobjects/{}", self.name);
        json!({
            "name": self.name,
            "label": self.label,
            "labelPlural": self.label_plural,
            "keyPrefix": self.key_prefix,
            "custom": self.custom,
            "createable": self.writable,
            "updateable": self.writable,
            "deletable": self.writable,
            "queryable": true,
            "searchable": true,
            "retrieveable": true,
            "urls": {"sobject": base, "describe": format!("{base}/describe")},
        })
    }
}

/// A child relationship: the records of `child` whose lookup `field` points at a `parent`
/// record, named `name` in parent-to-child subqueries (`SELECT (SELECT Id FROM Contacts)
/// FROM Account`). Custom ones end in `__r`, as the admin named them when creating the lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChildRelationship {
    pub parent: &'static str,
    pub name: &'static str,
    pub child: &'static str,
    pub field: &'static str,
}

/// The child relationships subqueries can use.
pub const CHILD_RELATIONSHIPS: &[ChildRelationship] = &[
    ChildRelationship {
        parent: "Account",
        name: "Contacts",
        child: "Contact",
        field: "AccountId",
    },
    ChildRelationship {
        parent: "Account",
        name: "Opportunities",
        child: "Opportunity",
        field: "AccountId",
    },
    ChildRelationship {
        parent: "Account",
        name: "Cases",
        child: "Case",
        field: "AccountId",
    },
    ChildRelationship {
        parent: "Contact",
        name: "Cases",
        child: "Case",
        field: "ContactId",
    },
    ChildRelationship {
        parent: "Contact",
        name: "Tasks",
        child: "Task",
        field: "WhoId",
    },
    ChildRelationship {
        parent: "Lead",
        name: "Tasks",
        child: "Task",
        field: "WhoId",
    },
    // The Task's lookup to the call log (DESIGN §4), as a Ringside admin creates it.
    ChildRelationship {
        parent: "Call_Log__c",
        name: "Tasks__r",
        child: "Task",
        field: "Call_Log__c",
    },
];

/// The child relationship `name` (case-insensitive) of `parent`.
pub fn child_relationship(parent: &str, name: &str) -> Option<&'static ChildRelationship> {
    CHILD_RELATIONSHIPS
        .iter()
        .find(|c| c.parent.eq_ignore_ascii_case(parent) && c.name.eq_ignore_ascii_case(name))
}

/// All objects of the demo org.
pub fn objects() -> &'static [ObjectDef] {
    static OBJECTS: OnceLock<Vec<ObjectDef>> = OnceLock::new();
    OBJECTS.get_or_init(build)
}

/// An object by API name, case-insensitively.
pub fn object(name: &str) -> Option<&'static ObjectDef> {
    objects().iter().find(|o| o.name.eq_ignore_ascii_case(name))
}

/// The object whose ids start with this key prefix.
pub fn object_for_id(id: &str) -> Option<&'static ObjectDef> {
    let prefix = id.get(..3)?;
    objects().iter().find(|o| o.key_prefix == prefix)
}

use FieldType as T;

const LEAD_SOURCES: &[&str] = &[
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
];

fn common_head() -> Vec<FieldDef> {
    vec![FieldDef::new("Id", "Record ID", T::Id).readonly()]
}

fn common_tail(with_owner: bool) -> Vec<FieldDef> {
    let mut v = Vec::new();
    if with_owner {
        v.push(FieldDef::new("OwnerId", "Owner ID", T::Reference).refers(&["User"], "Owner"));
    }
    v.push(FieldDef::new("CreatedDate", "Created Date", T::Datetime).readonly());
    v.push(FieldDef::new("LastModifiedDate", "Last Modified Date", T::Datetime).readonly());
    v
}

fn object_def(
    name: &'static str,
    label: &'static str,
    label_plural: &'static str,
    key_prefix: &'static str,
    body: Vec<FieldDef>,
    with_owner: bool,
) -> ObjectDef {
    let mut fields = common_head();
    fields.extend(body);
    fields.extend(common_tail(with_owner));
    ObjectDef {
        name,
        label,
        label_plural,
        key_prefix,
        custom: name.ends_with("__c"),
        writable: true,
        fields,
    }
}

fn build() -> Vec<ObjectDef> {
    let account = object_def(
        "Account",
        "Account",
        "Accounts",
        "001",
        vec![
            FieldDef::new("Name", "Account Name", T::String)
                .required()
                .name_field(),
            FieldDef::new("Phone", "Account Phone", T::Phone),
            FieldDef::new("Fax", "Account Fax", T::Phone),
            FieldDef::new("Website", "Website", T::Url),
            FieldDef::new("Industry", "Industry", T::Picklist).picklist(
                &[
                    "Banking",
                    "Technology",
                    "Manufacturing",
                    "Retail",
                    "Healthcare",
                    "Telecommunications",
                    "Energy",
                    "Education",
                ],
                None,
            ),
            FieldDef::new("BillingCountry", "Billing Country", T::String).len(80),
            FieldDef::new("Description", "Account Description", T::Textarea).len(32000),
            // A non-unique external id, so upserts can meet the 300 "several match" case.
            FieldDef::new("Legacy_Id__c", "Legacy Id", T::String)
                .len(40)
                .external(),
        ],
        true,
    );
    let contact = object_def(
        "Contact",
        "Contact",
        "Contacts",
        "003",
        vec![
            FieldDef::new("FirstName", "First Name", T::String).len(40),
            FieldDef::new("LastName", "Last Name", T::String)
                .len(80)
                .required(),
            FieldDef::new("Name", "Full Name", T::String)
                .len(121)
                .calculated()
                .name_field(),
            FieldDef::new("Title", "Title", T::String).len(128),
            FieldDef::new("Department", "Department", T::String).len(80),
            FieldDef::new("Email", "Email", T::Email).len(80),
            FieldDef::new("Phone", "Business Phone", T::Phone),
            FieldDef::new("MobilePhone", "Mobile Phone", T::Phone),
            FieldDef::new("HomePhone", "Home Phone", T::Phone),
            FieldDef::new("OtherPhone", "Other Phone", T::Phone),
            FieldDef::new("AssistantPhone", "Asst. Phone", T::Phone),
            // A custom phone field, as admins add them (`[lookup] phone_fields.Contact`).
            FieldDef::new("Work_Phone__c", "Work Phone", T::Phone),
            FieldDef::new("AccountId", "Account ID", T::Reference).refers(&["Account"], "Account"),
            FieldDef::new("LeadSource", "Lead Source", T::Picklist).picklist(LEAD_SOURCES, None),
            FieldDef::new("Description", "Contact Description", T::Textarea).len(32000),
            FieldDef::new("MailingCountry", "Mailing Country", T::String).len(80),
        ],
        true,
    );
    let lead = object_def(
        "Lead",
        "Lead",
        "Leads",
        "00Q",
        vec![
            FieldDef::new("FirstName", "First Name", T::String).len(40),
            FieldDef::new("LastName", "Last Name", T::String)
                .len(80)
                .required(),
            FieldDef::new("Name", "Full Name", T::String)
                .len(121)
                .calculated()
                .name_field(),
            FieldDef::new("Company", "Company", T::String).required(),
            FieldDef::new("Title", "Title", T::String).len(128),
            FieldDef::new("Email", "Email", T::Email).len(80),
            FieldDef::new("Phone", "Phone", T::Phone),
            FieldDef::new("MobilePhone", "Mobile Phone", T::Phone),
            FieldDef::new("Status", "Status", T::Picklist)
                .picklist(
                    &[
                        "Open - Not Contacted",
                        "Working - Contacted",
                        "Closed - Converted",
                        "Closed - Not Converted",
                    ],
                    Some("Open - Not Contacted"),
                )
                .restricted(),
            // Lead.Rating as Salesforce ships it: Hot, Warm, Cold, no default, unrestricted
            // (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm).
            FieldDef::new("Rating", "Rating", T::Picklist).picklist(&["Hot", "Warm", "Cold"], None),
            FieldDef::new("IsConverted", "Converted", T::Boolean).readonly(),
            FieldDef::new("LeadSource", "Lead Source", T::Picklist).picklist(LEAD_SOURCES, None),
            FieldDef::new("Country", "Country", T::String).len(80),
            FieldDef::new("Description", "Description", T::Textarea).len(32000),
        ],
        true,
    );
    let opportunity = object_def(
        "Opportunity",
        "Opportunity",
        "Opportunities",
        "006",
        vec![
            FieldDef::new("Name", "Name", T::String)
                .len(120)
                .required()
                .name_field(),
            FieldDef::new("StageName", "Stage", T::Picklist)
                .picklist(
                    &[
                        "Prospecting",
                        "Qualification",
                        "Needs Analysis",
                        "Proposal/Price Quote",
                        "Negotiation/Review",
                        "Closed Won",
                        "Closed Lost",
                    ],
                    None,
                )
                .restricted()
                .required(),
            FieldDef::new("Amount", "Amount", T::Currency),
            FieldDef::new("CloseDate", "Close Date", T::Date).required(),
            FieldDef::new("IsClosed", "Closed", T::Boolean).calculated(),
            FieldDef::new("AccountId", "Account ID", T::Reference).refers(&["Account"], "Account"),
            FieldDef::new("Demo_Requested_At__c", "Demo Requested At", T::Datetime),
            // The setup kit's External ID: `create_opportunity` upserts by the call id, so a
            // retried call never creates a second Opportunity.
            FieldDef::new("Ringside_Call_Id__c", "Ringside Call Id", T::String)
                .len(255)
                .external_unique(),
        ],
        true,
    );
    let case = object_def(
        "Case",
        "Case",
        "Cases",
        "500",
        vec![
            FieldDef::new("CaseNumber", "Case Number", T::String)
                .len(30)
                .auto_number()
                .name_field(),
            FieldDef::new("Subject", "Subject", T::String),
            FieldDef::new("Status", "Status", T::Picklist)
                .picklist(&["New", "Working", "Escalated", "Closed"], Some("New"))
                .restricted(),
            FieldDef::new("Priority", "Priority", T::Picklist)
                .picklist(&["High", "Medium", "Low"], Some("Medium")),
            FieldDef::new("IsClosed", "Closed", T::Boolean).calculated(),
            FieldDef::new("ContactId", "Contact ID", T::Reference).refers(&["Contact"], "Contact"),
            FieldDef::new("AccountId", "Account ID", T::Reference).refers(&["Account"], "Account"),
            FieldDef::new("Description", "Description", T::Textarea).len(32000),
        ],
        true,
    );
    let task = object_def(
        "Task",
        "Task",
        "Tasks",
        "00T",
        vec![
            FieldDef::new("Subject", "Subject", T::String),
            FieldDef::new("Status", "Status", T::Picklist)
                .picklist(
                    &[
                        "Not Started",
                        "In Progress",
                        "Completed",
                        "Waiting on someone else",
                        "Deferred",
                    ],
                    Some("Not Started"),
                )
                .restricted(),
            FieldDef::new("Priority", "Priority", T::Picklist)
                .picklist(&["High", "Normal", "Low"], Some("Normal")),
            FieldDef::new("IsClosed", "Closed", T::Boolean).calculated(),
            FieldDef::new("Type", "Type", T::Picklist)
                .picklist(&["Call", "Email", "Meeting", "Other"], None),
            FieldDef::new("TaskSubtype", "Task Subtype", T::Picklist)
                .picklist(
                    &["Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"],
                    Some("Task"),
                )
                .restricted()
                .create_only(),
            FieldDef::new("CallType", "Call Type", T::Picklist)
                .picklist(&["Internal", "Inbound", "Outbound"], None)
                .restricted(),
            FieldDef::new("CallDurationInSeconds", "Call Duration", T::Int),
            FieldDef::new("CallDisposition", "Call Result", T::String),
            FieldDef::new("CallObject", "Call Object Identifier", T::String),
            FieldDef::new("Description", "Comments", T::Textarea).len(32000),
            FieldDef::new("WhoId", "Name ID", T::Reference).refers(&["Contact", "Lead"], "Who"),
            FieldDef::new("WhatId", "Related To ID", T::Reference)
                .refers(&["Account", "Opportunity", "Case", "Call_Log__c"], "What"),
            FieldDef::new("ActivityDate", "Due Date Only", T::Date),
            FieldDef::new("Call_Log__c", "Call Log", T::Reference)
                .refers(&["Call_Log__c"], "Call_Log__r"),
        ],
        true,
    );
    // Event: a calendar meeting (an outcome's follow-up). Salesforce requires a start
    // (StartDateTime or ActivityDateTime) and, unless it is an all-day event, a length
    // (DurationInMinutes or EndDateTime); see `Store::create`'s Event rule.
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm
    let event = object_def(
        "Event",
        "Event",
        "Events",
        "00U",
        vec![
            FieldDef::new("Subject", "Subject", T::String),
            FieldDef::new("StartDateTime", "Start", T::Datetime),
            FieldDef::new("EndDateTime", "End", T::Datetime),
            FieldDef::new("ActivityDateTime", "Due Date Time", T::Datetime),
            FieldDef::new("ActivityDate", "Due Date Only", T::Date),
            FieldDef::new("DurationInMinutes", "Duration", T::Int),
            FieldDef::new("IsAllDayEvent", "All-Day Event", T::Boolean),
            FieldDef::new("Description", "Description", T::Textarea).len(32000),
            FieldDef::new("WhoId", "Name ID", T::Reference).refers(&["Contact", "Lead"], "Who"),
            FieldDef::new("WhatId", "Related To ID", T::Reference)
                .refers(&["Account", "Opportunity", "Case"], "What"),
        ],
        true,
    );
    // FeedItem: a post in a record's Chatter feed (an outcome's `chatter`). Per the object
    // reference: ParentId (the record whose feed it is) is required; Body is a text area of
    // 10,000 characters, "Create, Nillable, Sort, Update" (not Filter: it cannot be in a
    // WHERE), required when Type is TextPost (see `Store::create`'s FeedItem rule); Type is a
    // restricted picklist, TextPost when not given; ParentId and Type are set on create only.
    // https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_feeditem.htm
    let feed_item = object_def(
        "FeedItem",
        "Feed Item",
        "Feed Items",
        "0D5",
        vec![
            FieldDef::new("ParentId", "Parent ID", T::Reference)
                .refers(
                    &["Account", "Contact", "Lead", "Opportunity", "Case", "User"],
                    "Parent",
                )
                .required()
                .create_only(),
            FieldDef::new("Type", "Feed Item Type", T::Picklist)
                .picklist(
                    &["TextPost", "AdvancedTextPost", "LinkPost", "ContentPost"],
                    Some("TextPost"),
                )
                .restricted()
                .create_only(),
            FieldDef::new("Body", "Body", T::Textarea).len(10000),
            FieldDef::new("IsRichText", "Is Rich Text", T::Boolean),
            FieldDef::new("LinkUrl", "Link Url", T::Url).len(1000),
            FieldDef::new("Title", "Title", T::String),
            FieldDef::new("CreatedById", "Created By ID", T::Reference)
                .refers(&["User"], "CreatedBy")
                .readonly(),
        ],
        false,
    );
    let mut user = object_def(
        "User",
        "User",
        "Users",
        "005",
        vec![
            FieldDef::new("Username", "Username", T::String)
                .len(80)
                .readonly(),
            FieldDef::new("FirstName", "First Name", T::String)
                .len(40)
                .readonly(),
            FieldDef::new("LastName", "Last Name", T::String)
                .len(80)
                .readonly(),
            FieldDef::new("Name", "Full Name", T::String)
                .len(121)
                .calculated()
                .name_field(),
            FieldDef::new("Email", "Email", T::Email)
                .len(128)
                .readonly(),
            FieldDef::new("Phone", "Phone", T::Phone).readonly(),
            FieldDef::new("IsActive", "Active", T::Boolean).readonly(),
        ],
        false,
    );
    user.writable = false;
    let call_log = object_def(
        "Call_Log__c",
        "Call Log",
        "Call Logs",
        "a01",
        vec![
            FieldDef::new("Name", "Call Log Name", T::String)
                .len(80)
                .auto_number()
                .name_field(),
            FieldDef::new("External_Id__c", "External Id", T::String).external_unique(),
            FieldDef::new("Direction__c", "Direction", T::Picklist)
                .picklist(&["Inbound", "Outbound"], None)
                .restricted(),
            FieldDef::new("Duration_Seconds__c", "Duration (seconds)", T::Double),
            FieldDef::new("From_Number__c", "From Number", T::Phone),
            FieldDef::new("To_Number__c", "To Number", T::Phone),
            FieldDef::new("Started_At__c", "Started At", T::Datetime),
            FieldDef::new("Dialed_At__c", "Dialed At", T::Datetime),
            FieldDef::new("Answered_At__c", "Answered At", T::Datetime),
            FieldDef::new("Ended_At__c", "Ended At", T::Datetime),
            FieldDef::new("Ring_Seconds__c", "Ring Time (seconds)", T::Double),
            FieldDef::new("Recording_Url__c", "Recording URL", T::Url),
            FieldDef::new("Summary__c", "Summary", T::Textarea).len(32768),
            FieldDef::new("Key_Topics__c", "Key Topics", T::Textarea).len(1000),
            // Where "call log only" mode keeps the agent's subject and notes (no Task
            // holds them): Text(255) and Long Text Area(32,000), as on the Task.
            FieldDef::new("Subject__c", "Subject", T::String).len(255),
            FieldDef::new("Notes__c", "Notes", T::Textarea).len(32000),
            // The memo as MiiTel writes it: a restricted multi-select picklist, so the
            // client must offer and check the org's values (an unlisted one is refused).
            FieldDef::new("Memo__c", "Memo", T::MultiPicklist)
                .picklist(
                    &[
                        "Pricing",
                        "Demo requested",
                        "Competitor mentioned",
                        "Budget confirmed",
                        "Follow-up needed",
                    ],
                    None,
                )
                .restricted(),
            // A picklist, not restricted: the log form offers its values, and a softphone's
            // own outcome words are still accepted.
            FieldDef::new("Disposition__c", "Disposition", T::Picklist).picklist(
                &[
                    "Resolved",
                    "Call back",
                    "Left voicemail",
                    "Missed",
                    "No answer",
                ],
                None,
            ),
            FieldDef::new("Contact__c", "Contact", T::Reference).refers(&["Contact"], "Contact__r"),
            FieldDef::new("Lead__c", "Lead", T::Reference).refers(&["Lead"], "Lead__r"),
            FieldDef::new("Account__c", "Account", T::Reference).refers(&["Account"], "Account__r"),
            FieldDef::new("Opportunity__c", "Opportunity", T::Reference)
                .refers(&["Opportunity"], "Opportunity__r"),
            FieldDef::new("Case__c", "Case", T::Reference).refers(&["Case"], "Case__r"),
        ],
        true,
    );
    vec![
        account,
        contact,
        lead,
        opportunity,
        case,
        task,
        event,
        feed_item,
        user,
        call_log,
        customer_profile(),
    ]
}

/// How many custom fields [`customer_profile`] has: real orgs often carry 200+ custom
/// fields on one object, and describe-driven features (config validation, the settings
/// field picker) must work at that size.
pub const CUSTOMER_PROFILE_FIELD_COUNT: usize = 220;

/// `Customer_Profile__c`: a wide custom object, fields `Field_001__c` …
/// `Field_220__c` cycling through text, picklist, date, datetime, number, checkbox and a
/// read-only formula, so every type appears many times.
fn customer_profile() -> ObjectDef {
    const TIERS: &[&str] = &["Bronze", "Silver", "Gold"];
    let fields = (1..=CUSTOMER_PROFILE_FIELD_COUNT)
        .map(|n| {
            // The schema is built once per process and lives for the whole run, so the
            // generated names are leaked into the `&'static str` the schema uses.
            let name: &'static str = Box::leak(format!("Field_{n:03}__c").into_boxed_str());
            let label: &'static str = Box::leak(format!("Field {n}").into_boxed_str());
            match n % 7 {
                0 => FieldDef::new(name, label, T::String).len(255),
                1 => FieldDef::new(name, label, T::Picklist).picklist(TIERS, None),
                2 => FieldDef::new(name, label, T::Date),
                3 => FieldDef::new(name, label, T::Datetime),
                4 => FieldDef::new(name, label, T::Double),
                5 => FieldDef::new(name, label, T::Boolean),
                _ => FieldDef::new(name, label, T::String).len(255).calculated(),
            }
        })
        .collect();
    object_def(
        "Customer_Profile__c",
        "Customer Profile",
        "Customer Profiles",
        "a02",
        fields,
        true,
    )
}

/// Field names searched by `IN NAME FIELDS`.
pub fn is_name_search_field(field: &FieldDef) -> bool {
    matches!(field.name, "Name" | "FirstName" | "LastName" | "Company")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_prefixes_are_salesforce_ones() {
        for (obj, prefix) in [
            ("Account", "001"),
            ("Contact", "003"),
            ("Lead", "00Q"),
            ("Opportunity", "006"),
            ("Case", "500"),
            ("Task", "00T"),
            ("User", "005"),
        ] {
            assert_eq!(
                object(obj).map(|o| o.key_prefix),
                Some(prefix),
                "{obj} must use Salesforce's key prefix"
            );
        }
    }

    #[test]
    fn lookups_are_case_insensitive() {
        let c = object("contact").expect("object names are case-insensitive");
        assert!(
            c.field("lastname").is_some(),
            "field names are case-insensitive"
        );
        assert!(
            c.relationship("account").is_some(),
            "relationship names are case-insensitive"
        );
    }
}
