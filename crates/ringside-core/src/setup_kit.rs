//! The Salesforce org setup kit (`salesforce/` in the repository, an sfdx project in source
//! format): the call-log object with every default field of DESIGN §4, the Task's lookup to
//! it and the "Ringside Agent" permission set. The files are compiled into the binary and
//! read here by one parser, which `ringside org setup --check` ([`check`]) and the kit's
//! own tests share, so what the check expects is exactly what an admin deploys.
//!
//! Metadata API source format: <https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customfield.htm>,
//! `customobject.htm`, `meta_permissionset.htm`.

pub mod check;
pub mod xml;

use xml::Element;

/// The namespace every Metadata API file declares on its root.
pub const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";

/// Where the kit's metadata lives inside the sfdx project (`salesforce/`).
pub const SOURCE_DIR: &str = "force-app/main/default";

/// One kit file: its path under [`SOURCE_DIR`] and its text.
#[derive(Debug, Clone, Copy)]
pub struct KitFile {
    pub path: &'static str,
    pub text: &'static str,
}

macro_rules! kit_files {
    ($($path:literal),* $(,)?) => {
        /// Every metadata file of the kit, compiled in (a test checks none on disk is missing).
        pub const FILES: &[KitFile] = &[$(KitFile {
            path: $path,
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../salesforce/force-app/main/default/",
                $path
            )),
        }),*];
    };
}

kit_files![
    "objects/Call_Log__c/Call_Log__c.object-meta.xml",
    "objects/Call_Log__c/fields/External_Id__c.field-meta.xml",
    "objects/Call_Log__c/fields/Direction__c.field-meta.xml",
    "objects/Call_Log__c/fields/Duration_Seconds__c.field-meta.xml",
    "objects/Call_Log__c/fields/From_Number__c.field-meta.xml",
    "objects/Call_Log__c/fields/To_Number__c.field-meta.xml",
    "objects/Call_Log__c/fields/Started_At__c.field-meta.xml",
    "objects/Call_Log__c/fields/Dialed_At__c.field-meta.xml",
    "objects/Call_Log__c/fields/Answered_At__c.field-meta.xml",
    "objects/Call_Log__c/fields/Ended_At__c.field-meta.xml",
    "objects/Call_Log__c/fields/Ring_Seconds__c.field-meta.xml",
    "objects/Call_Log__c/fields/Recording_Url__c.field-meta.xml",
    "objects/Call_Log__c/fields/Summary__c.field-meta.xml",
    "objects/Call_Log__c/fields/Key_Topics__c.field-meta.xml",
    "objects/Call_Log__c/fields/Disposition__c.field-meta.xml",
    "objects/Call_Log__c/fields/Subject__c.field-meta.xml",
    "objects/Call_Log__c/fields/Notes__c.field-meta.xml",
    "objects/Call_Log__c/fields/Memo__c.field-meta.xml",
    "objects/Call_Log__c/fields/Contact__c.field-meta.xml",
    "objects/Call_Log__c/fields/Lead__c.field-meta.xml",
    "objects/Call_Log__c/fields/Account__c.field-meta.xml",
    "objects/Call_Log__c/fields/Opportunity__c.field-meta.xml",
    "objects/Call_Log__c/fields/Case__c.field-meta.xml",
    "objects/Activity/fields/Call_Log__c.field-meta.xml",
    "objects/Opportunity/fields/Ringside_Call_Id__c.field-meta.xml",
    "permissionsets/Ringside_Agent.permissionset-meta.xml",
];

/// A kit file that cannot be read as the metadata its name says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KitError {
    #[error("{path}: {reason}")]
    Malformed { path: String, reason: String },
    #[error("{path}: the root element is <{found}>, but a {suffix} file holds <{expected}>")]
    WrongRoot {
        path: String,
        suffix: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("{path}: the root element must declare xmlns=\"{NAMESPACE}\" (found {found:?})")]
    WrongNamespace { path: String, found: Option<String> },
    #[error("{path}: <fullName> is {full_name:?}, but the file is named for {file_name:?}")]
    NameMismatch {
        path: String,
        full_name: String,
        file_name: String,
    },
    #[error("{path}: <{element}> is missing or empty")]
    Missing { path: String, element: &'static str },
    #[error("{path}: <{element}> holds {value:?}, which the kit does not use ({expected})")]
    Unexpected {
        path: String,
        element: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error(
        "{path}: not a kit file (expected *.object-meta.xml, *.field-meta.xml or *.permissionset-meta.xml)"
    )]
    UnknownKind { path: String },
    #[error("the kit has no {what}")]
    Incomplete { what: &'static str },
}

/// The kind of metadata a file holds, from its suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    CustomObject,
    CustomField,
    PermissionSet,
}

impl FileKind {
    const ALL: [(FileKind, &'static str, &'static str); 3] = [
        (FileKind::CustomObject, ".object-meta.xml", "CustomObject"),
        (FileKind::CustomField, ".field-meta.xml", "CustomField"),
        (
            FileKind::PermissionSet,
            ".permissionset-meta.xml",
            "PermissionSet",
        ),
    ];

    /// The kind and the metadata name (the file name without the suffix) of `path`.
    pub fn of(path: &str) -> Option<(FileKind, &str, &'static str, &'static str)> {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        FileKind::ALL.iter().find_map(|(kind, suffix, root)| {
            file_name
                .strip_suffix(suffix)
                .map(|name| (*kind, name, *suffix, *root))
        })
    }
}

/// A parsed, checked metadata file: its kind, its name and its root element.
#[derive(Debug, Clone)]
pub struct MetadataFile {
    pub kind: FileKind,
    pub name: String,
    pub root: Element,
}

/// Parses one metadata file and checks what every file must satisfy: well-formed XML, the
/// root element its suffix calls for, the Metadata API namespace, and (for fields) a
/// `<fullName>` equal to the file name.
pub fn parse_file(path: &str, text: &str) -> Result<MetadataFile, KitError> {
    let (kind, name, suffix, expected_root) =
        FileKind::of(path).ok_or_else(|| KitError::UnknownKind { path: path.into() })?;
    let root = xml::parse(text).map_err(|reason| KitError::Malformed {
        path: path.into(),
        reason,
    })?;
    if root.name != expected_root {
        return Err(KitError::WrongRoot {
            path: path.into(),
            suffix,
            expected: expected_root,
            found: root.name,
        });
    }
    if root.namespace.as_deref() != Some(NAMESPACE) {
        return Err(KitError::WrongNamespace {
            path: path.into(),
            found: root.namespace,
        });
    }
    if kind == FileKind::CustomField {
        let full_name = root.child_text("fullName").unwrap_or_default();
        if full_name != name {
            return Err(KitError::NameMismatch {
                path: path.into(),
                full_name: full_name.to_owned(),
                file_name: name.to_owned(),
            });
        }
    }
    Ok(MetadataFile {
        kind,
        name: name.to_owned(),
        root,
    })
}

/// A custom field's type, with what Salesforce's describe says for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KitFieldType {
    Text {
        length: u32,
    },
    LongTextArea {
        length: u32,
    },
    Number {
        precision: u32,
        scale: u32,
    },
    Phone,
    DateTime,
    Url,
    Picklist,
    /// A multi-select picklist (the memo): `visibleLines` rows shown in Salesforce's editor.
    MultiselectPicklist {
        visible_lines: u32,
    },
    Lookup,
}

impl KitFieldType {
    /// The `type` describe gives a field of this kind.
    pub fn describe_type(&self) -> &'static str {
        match self {
            KitFieldType::Text { .. } => "string",
            KitFieldType::LongTextArea { .. } => "textarea",
            KitFieldType::Number { .. } => "double",
            KitFieldType::Phone => "phone",
            KitFieldType::DateTime => "datetime",
            KitFieldType::Url => "url",
            KitFieldType::Picklist => "picklist",
            KitFieldType::MultiselectPicklist { .. } => "multipicklist",
            KitFieldType::Lookup => "reference",
        }
    }

    /// The `length` describe gives (0 where Salesforce has none): phone fields hold 40, URL
    /// and picklist fields 255, ids 18.
    pub fn describe_length(&self) -> u32 {
        match self {
            KitFieldType::Text { length } | KitFieldType::LongTextArea { length } => *length,
            KitFieldType::Phone => 40,
            KitFieldType::Url | KitFieldType::Picklist => 255,
            // Salesforce's limit for the whole `;`-joined value.
            KitFieldType::MultiselectPicklist { .. } => 4099,
            KitFieldType::Lookup => 18,
            KitFieldType::Number { .. } | KitFieldType::DateTime => 0,
        }
    }

    /// Describe types that take the same values as this kind, for a field an admin made
    /// and named in `[logging.call_log]`: text goes into any text type long enough, a
    /// number into any number.
    pub fn accepts(&self, describe_type: &str) -> bool {
        let alternatives: &[&str] = match self {
            KitFieldType::Text { .. } => &["string", "textarea"],
            KitFieldType::LongTextArea { .. } => &["textarea"],
            KitFieldType::Number { .. } => &["double", "int", "long", "currency"],
            KitFieldType::Phone => &["phone", "string"],
            KitFieldType::DateTime => &["datetime"],
            KitFieldType::Url => &["url", "string"],
            KitFieldType::Picklist => &["picklist", "string"],
            // The memo's values go `;`-joined into text as well (unchecked there).
            KitFieldType::MultiselectPicklist { .. } => &["multipicklist", "string", "textarea"],
            KitFieldType::Lookup => &["reference"],
        };
        alternatives.contains(&describe_type)
    }

    /// Whether the describe `length` must be at least [`Self::describe_length`].
    pub fn has_length(&self) -> bool {
        !matches!(
            self,
            KitFieldType::Number { .. } | KitFieldType::DateTime | KitFieldType::Lookup
        )
    }
}

impl std::fmt::Display for KitFieldType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KitFieldType::Text { length } => write!(f, "Text({length})"),
            KitFieldType::LongTextArea { length } => write!(f, "Long Text Area({length})"),
            KitFieldType::Number { precision, scale } => {
                write!(f, "Number({}, {scale})", precision - scale)
            }
            KitFieldType::Phone => f.write_str("Phone"),
            KitFieldType::DateTime => f.write_str("Date/Time"),
            KitFieldType::Url => f.write_str("URL"),
            KitFieldType::Picklist => f.write_str("Picklist"),
            KitFieldType::MultiselectPicklist { .. } => f.write_str("Picklist (Multi-Select)"),
            KitFieldType::Lookup => f.write_str("Lookup"),
        }
    }
}

/// A picklist's values and whether other values are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitPicklist {
    pub restricted: bool,
    pub values: Vec<String>,
}

/// One custom field of the kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitField {
    /// The folder it is defined under: `Call_Log__c`, or `Activity` for Task fields.
    pub object: String,
    pub name: String,
    pub label: String,
    pub field_type: KitFieldType,
    pub external_id: bool,
    pub unique: bool,
    /// For lookups: the object looked up.
    pub reference_to: Option<String>,
    /// For lookups: the child relationship's name on that object (`Call_Logs` →
    /// `Call_Logs__r`).
    pub relationship_name: Option<String>,
    pub picklist: Option<KitPicklist>,
}

/// The custom object of the kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitObject {
    pub name: String,
    pub label: String,
    pub plural_label: String,
    pub sharing_model: String,
    /// The Name field's type (`AutoNumber`) and display format.
    pub name_field_type: String,
    pub name_display_format: Option<String>,
}

/// One `fieldPermissions` entry (`field` is `Object.Field`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPermission {
    pub field: String,
    pub readable: bool,
    pub editable: bool,
}

/// One `objectPermissions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectPermission {
    pub object: String,
    pub create: bool,
    pub read: bool,
    pub edit: bool,
    pub delete: bool,
    pub view_all: bool,
    pub modify_all: bool,
}

/// The kit's permission set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitPermissionSet {
    pub name: String,
    pub label: String,
    pub fields: Vec<FieldPermission>,
    pub objects: Vec<ObjectPermission>,
}

impl KitPermissionSet {
    /// The entry for `Object.Field`, if any.
    pub fn field(&self, object: &str, field: &str) -> Option<&FieldPermission> {
        let wanted = format!("{object}.{field}");
        self.fields
            .iter()
            .find(|p| p.field.eq_ignore_ascii_case(&wanted))
    }

    /// The entry for `object`, if any.
    pub fn object(&self, object: &str) -> Option<&ObjectPermission> {
        self.objects
            .iter()
            .find(|p| p.object.eq_ignore_ascii_case(object))
    }
}

/// The whole kit, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kit {
    pub object: KitObject,
    /// The call-log object's custom fields.
    pub fields: Vec<KitField>,
    /// Custom activity fields (`objects/Activity`), which Tasks have: the call-log lookup.
    pub task_fields: Vec<KitField>,
    /// Custom Opportunity fields: the External ID `create_opportunity` upserts by.
    pub opportunity_fields: Vec<KitField>,
    pub permission_set: KitPermissionSet,
}

impl Kit {
    /// The kit compiled into this binary.
    pub fn builtin() -> Result<Kit, KitError> {
        Kit::from_files(FILES.iter().map(|f| (f.path, f.text)))
    }

    /// Builds the kit from `(path under force-app/main/default, text)` pairs.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Kit, KitError> {
        let mut object = None;
        let mut fields = Vec::new();
        let mut task_fields = Vec::new();
        let mut opportunity_fields = Vec::new();
        let mut permission_set = None;
        for (path, text) in files {
            let file = parse_file(path, text)?;
            match file.kind {
                FileKind::CustomObject => object = Some(read_object(path, &file)?),
                FileKind::CustomField => {
                    // objects/<Object>/fields/<Field>.field-meta.xml
                    let parent = path.rsplit('/').nth(2).ok_or_else(|| KitError::Malformed {
                        path: path.into(),
                        reason: "a field file lives in objects/<Object>/fields/".into(),
                    })?;
                    let field = read_field(path, parent, &file)?;
                    if parent == "Activity" {
                        task_fields.push(field);
                    } else if parent == "Opportunity" {
                        opportunity_fields.push(field);
                    } else {
                        fields.push(field);
                    }
                }
                FileKind::PermissionSet => permission_set = Some(read_permission_set(path, &file)?),
            }
        }
        let object = object.ok_or(KitError::Incomplete {
            what: "custom object",
        })?;
        if let Some(stray) = fields.iter().find(|f| f.object != object.name) {
            return Err(KitError::Malformed {
                path: format!("objects/{}/fields/{}", stray.object, stray.name),
                reason: format!("the kit's only custom object is {}", object.name),
            });
        }
        Ok(Kit {
            object,
            fields,
            task_fields,
            opportunity_fields,
            permission_set: permission_set.ok_or(KitError::Incomplete {
                what: "permission set",
            })?,
        })
    }

    /// A call-log field by name (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&KitField> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

fn required<'a>(path: &str, element: &'a Element, name: &'static str) -> Result<&'a str, KitError> {
    element
        .child_text(name)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| KitError::Missing {
            path: path.into(),
            element: name,
        })
}

fn flag(path: &str, element: &Element, name: &'static str) -> Result<bool, KitError> {
    match element.child_text(name) {
        None => Ok(false),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(KitError::Unexpected {
            path: path.into(),
            element: name,
            value: other.into(),
            expected: "true or false",
        }),
    }
}

fn number(path: &str, element: &Element, name: &'static str) -> Result<u32, KitError> {
    let text = required(path, element, name)?;
    text.parse().map_err(|_| KitError::Unexpected {
        path: path.into(),
        element: name,
        value: text.into(),
        expected: "a whole number",
    })
}

fn read_object(path: &str, file: &MetadataFile) -> Result<KitObject, KitError> {
    let root = &file.root;
    let name_field = root.child("nameField").ok_or(KitError::Missing {
        path: path.into(),
        element: "nameField",
    })?;
    Ok(KitObject {
        name: file.name.clone(),
        label: required(path, root, "label")?.into(),
        plural_label: required(path, root, "pluralLabel")?.into(),
        sharing_model: required(path, root, "sharingModel")?.into(),
        name_field_type: required(path, name_field, "type")?.into(),
        name_display_format: name_field.child_text("displayFormat").map(str::to_owned),
    })
}

fn read_field(path: &str, object: &str, file: &MetadataFile) -> Result<KitField, KitError> {
    let root = &file.root;
    let field_type = match required(path, root, "type")? {
        "Text" => KitFieldType::Text {
            length: number(path, root, "length")?,
        },
        "LongTextArea" => KitFieldType::LongTextArea {
            length: number(path, root, "length")?,
        },
        "Number" => KitFieldType::Number {
            precision: number(path, root, "precision")?,
            scale: number(path, root, "scale")?,
        },
        "Phone" => KitFieldType::Phone,
        "DateTime" => KitFieldType::DateTime,
        "Url" => KitFieldType::Url,
        "Picklist" => KitFieldType::Picklist,
        "MultiselectPicklist" => KitFieldType::MultiselectPicklist {
            visible_lines: number(path, root, "visibleLines")?,
        },
        "Lookup" => KitFieldType::Lookup,
        other => {
            return Err(KitError::Unexpected {
                path: path.into(),
                element: "type",
                value: other.into(),
                expected: "Text, LongTextArea, Number, Phone, DateTime, Url, Picklist, MultiselectPicklist or Lookup",
            });
        }
    };
    let picklist = match root.child("valueSet") {
        None if matches!(
            field_type,
            KitFieldType::Picklist | KitFieldType::MultiselectPicklist { .. }
        ) =>
        {
            return Err(KitError::Missing {
                path: path.into(),
                element: "valueSet",
            });
        }
        None => None,
        Some(set) => {
            let definition = set.child("valueSetDefinition").ok_or(KitError::Missing {
                path: path.into(),
                element: "valueSetDefinition",
            })?;
            let values = definition
                .children_named("value")
                .map(|v| required(path, v, "fullName").map(str::to_owned))
                .collect::<Result<Vec<_>, _>>()?;
            Some(KitPicklist {
                restricted: flag(path, set, "restricted")?,
                values,
            })
        }
    };
    let lookup = field_type == KitFieldType::Lookup;
    Ok(KitField {
        object: object.to_owned(),
        name: file.name.clone(),
        label: required(path, root, "label")?.into(),
        field_type,
        external_id: flag(path, root, "externalId")?,
        unique: flag(path, root, "unique")?,
        reference_to: if lookup {
            Some(required(path, root, "referenceTo")?.into())
        } else {
            None
        },
        relationship_name: if lookup {
            Some(required(path, root, "relationshipName")?.into())
        } else {
            None
        },
        picklist,
    })
}

fn read_permission_set(path: &str, file: &MetadataFile) -> Result<KitPermissionSet, KitError> {
    let root = &file.root;
    let fields = root
        .children_named("fieldPermissions")
        .map(|p| {
            Ok(FieldPermission {
                field: required(path, p, "field")?.into(),
                readable: flag(path, p, "readable")?,
                editable: flag(path, p, "editable")?,
            })
        })
        .collect::<Result<Vec<_>, KitError>>()?;
    let objects = root
        .children_named("objectPermissions")
        .map(|p| {
            Ok(ObjectPermission {
                object: required(path, p, "object")?.into(),
                create: flag(path, p, "allowCreate")?,
                read: flag(path, p, "allowRead")?,
                edit: flag(path, p, "allowEdit")?,
                delete: flag(path, p, "allowDelete")?,
                view_all: flag(path, p, "viewAllRecords")?,
                modify_all: flag(path, p, "modifyAllRecords")?,
            })
        })
        .collect::<Result<Vec<_>, KitError>>()?;
    Ok(KitPermissionSet {
        name: file.name.clone(),
        label: required(path, root, "label")?.into(),
        fields,
        objects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_kit_parses() {
        let kit = Kit::builtin().expect("the compiled-in kit parses");
        assert_eq!(kit.object.name, "Call_Log__c");
        assert_eq!(kit.permission_set.label, "Ringside Agent");
        assert_eq!(
            kit.task_fields.len(),
            1,
            "the Task's lookup to the call log is the one activity field"
        );
        assert_eq!(
            kit.opportunity_fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>(),
            ["Ringside_Call_Id__c"],
            "the External ID create_opportunity upserts by"
        );
    }

    #[test]
    fn a_field_named_differently_from_its_file_is_refused() {
        let text = format!(
            r#"<CustomField xmlns="{NAMESPACE}"><fullName>Other__c</fullName><label>X</label><type>DateTime</type></CustomField>"#
        );
        let err = parse_file(
            "objects/Call_Log__c/fields/Ended_At__c.field-meta.xml",
            &text,
        )
        .expect_err("fullName must match the file name");
        assert!(
            matches!(err, KitError::NameMismatch { .. }),
            "the mismatch is named: {err}"
        );
    }

    #[test]
    fn a_file_without_the_metadata_namespace_or_with_the_wrong_root_is_refused() {
        let no_ns = "<CustomField><fullName>A__c</fullName></CustomField>";
        assert!(matches!(
            parse_file("objects/X__c/fields/A__c.field-meta.xml", no_ns),
            Err(KitError::WrongNamespace { .. })
        ));
        let wrong_root = format!(r#"<CustomObject xmlns="{NAMESPACE}"/>"#);
        assert!(matches!(
            parse_file("objects/X__c/fields/A__c.field-meta.xml", &wrong_root),
            Err(KitError::WrongRoot { .. })
        ));
    }
}
