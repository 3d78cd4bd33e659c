//! The demo org's deterministic seed: ~80 Accounts, ~200 Contacts, ~60 Leads, with open
//! and closed Opportunities and Cases, call Tasks and Call Logs, all owned by the demo
//! user. Phones are stored the many ways people type them, across a dozen countries;
//! names are in Latin, Japanese, Arabic, Turkish and German scripts.
//!
//! Everything derives from a fixed date base and fixed lists (no clock, no randomness),
//! so ids and values are identical run to run. The records tests rely on are inserted
//! first and listed in [`WELL_KNOWN`] with their ids; `seed_has_well_known_ids` checks
//! the constants against the seed.

use crate::clock;
use crate::schema;
use crate::store::Store;
use serde_json::{Map, Value, json};

/// A record the tests and the demo rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WellKnown {
    /// Stable key for lookups in tests.
    pub key: &'static str,
    pub object: &'static str,
    pub id: &'static str,
    pub name: &'static str,
    pub phone: Option<&'static str>,
    pub email: Option<&'static str>,
    /// What makes it special.
    pub note: &'static str,
}

/// The demo user (owner of every seeded record; the user behind every issued token).
pub const DEMO_USER_ID: &str = "005Dm0000000001IAA";
pub const ACME_ACCOUNT_ID: &str = "001Dm0000000002IAA";
pub const JANE_CALLER_ID: &str = "003Dm0000000003IAA";
pub const JANE_OPEN_OPPORTUNITY_ID: &str = "006Dm0000000004IAA";
pub const JANE_OPEN_CASE_ID: &str = "500Dm0000000005IAA";
pub const YAMADA_CONTACT_ID: &str = "003Dm0000000007IAA";
pub const SHARED_NUMBER_CONTACT_ID: &str = "003Dm0000000008IAA";
pub const SHARED_NUMBER_LEAD_ID: &str = "00QDm0000000009MAA";
pub const CONVERTED_TWIN_CONTACT_ID: &str = "003Dm000000000AIAQ";
pub const CONVERTED_LEAD_ID: &str = "00QDm000000000BMAQ";
pub const GLOBEX_ACCOUNT_ID: &str = "001Dm000000000CIAQ";
pub const GLOBEX_CONTACT_1_ID: &str = "003Dm000000000DIAQ";
pub const GLOBEX_CONTACT_2_ID: &str = "003Dm000000000EIAQ";
pub const ALOTAIBI_CONTACT_ID: &str = "003Dm000000000FIAQ";
pub const LEGACY_DUP_ACCOUNT_1_ID: &str = "001Dm000000000GIAQ";
pub const LEGACY_DUP_ACCOUNT_2_ID: &str = "001Dm000000000HIAQ";

/// The duplicated `Account.Legacy_Id__c` value: upserting by it answers 300.
pub const LEGACY_DUP_VALUE: &str = "LEGACY-DUP-1";
/// Jane Caller's phone as stored.
pub const JANE_PHONE: &str = "(415) 555-0123";
/// Jane Caller's email as stored (mixed case on purpose).
pub const JANE_EMAIL: &str = "Jane.Caller@example.com";
/// The number shared by a Contact and an unconverted Lead.
pub const SHARED_NUMBER: &str = "+44 20 7946 0958";
/// The number shared by a Contact and a converted Lead.
pub const CONVERTED_TWIN_NUMBER: &str = "+55 11 91234-5678";
/// Globex's main number, also the Phone of two of its Contacts.
pub const GLOBEX_MAIN_NUMBER: &str = "+49 30 901820";

pub const WELL_KNOWN: &[WellKnown] = &[
    WellKnown {
        key: "demo_user",
        object: "User",
        id: DEMO_USER_ID,
        name: "Dana Demo",
        phone: None,
        email: Some("dana.demo@ringside.example"),
        note: "owner of every seeded record",
    },
    WellKnown {
        key: "acme",
        object: "Account",
        id: ACME_ACCOUNT_ID,
        name: "Acme Corporation",
        phone: Some("(415) 555-0100"),
        email: None,
        note: "Jane Caller's account",
    },
    WellKnown {
        key: "jane_caller",
        object: "Contact",
        id: JANE_CALLER_ID,
        name: "Jane Caller",
        phone: Some(JANE_PHONE),
        email: Some(JANE_EMAIL),
        note: "one open Opportunity and one open Case (plus a closed one of each on Acme)",
    },
    WellKnown {
        key: "jane_open_opportunity",
        object: "Opportunity",
        id: JANE_OPEN_OPPORTUNITY_ID,
        name: "Acme - Softphone Rollout",
        phone: None,
        email: None,
        note: "open, on Acme",
    },
    WellKnown {
        key: "jane_open_case",
        object: "Case",
        id: JANE_OPEN_CASE_ID,
        name: "Headset drops calls",
        phone: None,
        email: None,
        note: "open, ContactId = Jane Caller",
    },
    WellKnown {
        key: "yamada",
        object: "Contact",
        id: YAMADA_CONTACT_ID,
        name: "太郎 山田",
        phone: Some("+81 3-1234-5678"),
        email: Some("taro.yamada@example.jp"),
        note: "Japanese name, Japanese number",
    },
    WellKnown {
        key: "shared_number_contact",
        object: "Contact",
        id: SHARED_NUMBER_CONTACT_ID,
        name: "Oliver Bennett",
        phone: Some(SHARED_NUMBER),
        email: Some("oliver.bennett@example.co.uk"),
        note: "shares its number with an unconverted Lead",
    },
    WellKnown {
        key: "shared_number_lead",
        object: "Lead",
        id: SHARED_NUMBER_LEAD_ID,
        name: "Olivia Bennett",
        phone: Some(SHARED_NUMBER),
        email: Some("olivia@bennett-consulting.example"),
        note: "unconverted Lead sharing the Contact's number",
    },
    WellKnown {
        key: "converted_twin_contact",
        object: "Contact",
        id: CONVERTED_TWIN_CONTACT_ID,
        name: "Carla Mendes",
        phone: Some(CONVERTED_TWIN_NUMBER),
        email: Some("carla.mendes@example.com.br"),
        note: "same number as a converted Lead",
    },
    WellKnown {
        key: "converted_lead",
        object: "Lead",
        id: CONVERTED_LEAD_ID,
        name: "Carla Mendes",
        phone: Some(CONVERTED_TWIN_NUMBER),
        email: Some("carla.mendes@example.com.br"),
        note: "IsConverted = true; must be filtered out of screen pops",
    },
    WellKnown {
        key: "globex",
        object: "Account",
        id: GLOBEX_ACCOUNT_ID,
        name: "Globex GmbH",
        phone: Some(GLOBEX_MAIN_NUMBER),
        email: None,
        note: "main number is also two Contacts' Phone",
    },
    WellKnown {
        key: "globex_contact_1",
        object: "Contact",
        id: GLOBEX_CONTACT_1_ID,
        name: "Jürgen Größ",
        phone: Some(GLOBEX_MAIN_NUMBER),
        email: Some("juergen.gross@globex.example"),
        note: "Phone = account main number",
    },
    WellKnown {
        key: "globex_contact_2",
        object: "Contact",
        id: GLOBEX_CONTACT_2_ID,
        name: "Anna Schmidt",
        phone: Some(GLOBEX_MAIN_NUMBER),
        email: Some("anna.schmidt@globex.example"),
        note: "Phone = account main number",
    },
    WellKnown {
        key: "alotaibi",
        object: "Contact",
        id: ALOTAIBI_CONTACT_ID,
        name: "محمد العتيبي",
        phone: Some("+966 11 234 5678"),
        email: Some("m.alotaibi@example.sa"),
        note: "Arabic name, Saudi number",
    },
    WellKnown {
        key: "legacy_dup_1",
        object: "Account",
        id: LEGACY_DUP_ACCOUNT_1_ID,
        name: "Initech Holdings",
        phone: None,
        email: None,
        note: "Legacy_Id__c = LEGACY-DUP-1 (upsert → 300)",
    },
    WellKnown {
        key: "legacy_dup_2",
        object: "Account",
        id: LEGACY_DUP_ACCOUNT_2_ID,
        name: "Initech Services",
        phone: None,
        email: None,
        note: "Legacy_Id__c = LEGACY-DUP-1 (upsert → 300)",
    },
];

/// Looks up a well-known record by key.
pub fn well_known(key: &str) -> Option<&'static WellKnown> {
    WELL_KNOWN.iter().find(|w| w.key == key)
}

/// 2026-11-01T09:00:00Z: every seeded timestamp counts from here.
fn base_ms() -> i64 {
    clock::start_of_day(clock::days_from_civil(2026, 11, 1)) + 9 * 3_600_000
}

struct Seeder {
    store: Store,
    tick: i64,
}

impl Seeder {
    fn add(&mut self, object: &str, values: Value) -> String {
        let object =
            schema::object(object).unwrap_or_else(|| panic!("seed names a known object: {object}"));
        let Value::Object(map) = values else {
            panic!("seed values are JSON objects")
        };
        // Each record is a few minutes younger than the previous one.
        self.tick += 1;
        let at = base_ms() - (100_000 - self.tick) * 7 * 60_000;
        let map: Map<String, Value> = map;
        self.store.insert_raw(object, map, at)
    }
}

fn date(offset_days: i64) -> String {
    clock::format_date(clock::day_of(base_ms()) + offset_days)
}

/// Builds the seeded store.
pub fn build() -> Store {
    let mut s = Seeder {
        store: Store::new(),
        tick: 0,
    };
    let user = s.add(
        "User",
        json!({"Username": "dana.demo@ringside.example", "FirstName": "Dana", "LastName": "Demo", "Email": "dana.demo@ringside.example", "Phone": "+1 415 555 0100", "IsActive": true}),
    );
    s.store.default_owner = user;

    // Well-known records first, in a fixed order, so their ids are the constants above.
    let acme = s.add("Account", json!({"Name": "Acme Corporation", "Phone": "(415) 555-0100", "Website": "https://acme.example", "Industry": "Manufacturing", "BillingCountry": "United States"}));
    let jane = s.add("Contact", json!({"FirstName": "Jane", "LastName": "Caller", "Title": "VP Customer Operations", "Department": "Operations", "Email": JANE_EMAIL, "Phone": JANE_PHONE, "MobilePhone": "415.555.0199", "AccountId": acme, "LeadSource": "Phone Inquiry", "MailingCountry": "United States", "Description": "Prefers calls before noon."}));
    s.add("Opportunity", json!({"Name": "Acme - Softphone Rollout", "StageName": "Proposal/Price Quote", "Amount": 48000.0, "CloseDate": date(45), "AccountId": acme}));
    s.add("Case", json!({"Subject": "Headset drops calls", "Status": "Working", "Priority": "High", "ContactId": jane, "AccountId": acme}));
    let tokyo = s.add_later_account();
    s.add("Contact", json!({"FirstName": "太郎", "LastName": "山田", "Title": "部長", "Email": "taro.yamada@example.jp", "Phone": "+81 3-1234-5678", "MailingCountry": "Japan", "AccountId": tokyo}));
    s.add("Contact", json!({"FirstName": "Oliver", "LastName": "Bennett", "Title": "Head of IT", "Email": "oliver.bennett@example.co.uk", "Phone": SHARED_NUMBER, "MailingCountry": "United Kingdom"}));
    s.add("Lead", json!({"FirstName": "Olivia", "LastName": "Bennett", "Company": "Bennett Consulting Ltd", "Email": "olivia@bennett-consulting.example", "Phone": SHARED_NUMBER, "Status": "Working - Contacted", "Country": "United Kingdom", "LeadSource": "Web"}));
    s.add("Contact", json!({"FirstName": "Carla", "LastName": "Mendes", "Title": "Diretora Comercial", "Email": "carla.mendes@example.com.br", "Phone": CONVERTED_TWIN_NUMBER, "MailingCountry": "Brazil"}));
    s.add("Lead", json!({"FirstName": "Carla", "LastName": "Mendes", "Company": "Mendes Importadora", "Email": "carla.mendes@example.com.br", "Phone": CONVERTED_TWIN_NUMBER, "Status": "Closed - Converted", "IsConverted": true, "Country": "Brazil", "LeadSource": "Partner Referral"}));
    let globex = s.add("Account", json!({"Name": "Globex GmbH", "Phone": GLOBEX_MAIN_NUMBER, "Fax": "+49 30 901821", "Website": "https://globex.example", "Industry": "Technology", "BillingCountry": "Germany"}));
    s.add("Contact", json!({"FirstName": "Jürgen", "LastName": "Größ", "Title": "Geschäftsführer", "Email": "juergen.gross@globex.example", "Phone": GLOBEX_MAIN_NUMBER, "AccountId": globex, "MailingCountry": "Germany"}));
    s.add("Contact", json!({"FirstName": "Anna", "LastName": "Schmidt", "Title": "Einkauf", "Email": "anna.schmidt@globex.example", "Phone": GLOBEX_MAIN_NUMBER, "AccountId": globex, "MailingCountry": "Germany"}));
    s.add("Contact", json!({"FirstName": "محمد", "LastName": "العتيبي", "Title": "مدير المبيعات", "Email": "m.alotaibi@example.sa", "Phone": "+966 11 234 5678", "MailingCountry": "Saudi Arabia"}));
    s.add("Account", json!({"Name": "Initech Holdings", "Legacy_Id__c": LEGACY_DUP_VALUE, "BillingCountry": "United States", "Industry": "Banking"}));
    s.add("Account", json!({"Name": "Initech Services", "Legacy_Id__c": LEGACY_DUP_VALUE, "BillingCountry": "United States", "Industry": "Banking"}));

    // Closed history on Acme (Jane's open ones are above).
    s.add("Opportunity", json!({"Name": "Acme - Pilot", "StageName": "Closed Won", "Amount": 6000.0, "CloseDate": date(-60), "AccountId": acme}));
    s.add("Case", json!({"Subject": "Cannot log in to softphone", "Status": "Closed", "Priority": "Medium", "ContactId": jane, "AccountId": acme}));

    s.bulk(tokyo);
    // Last, so every id above stays as documented.
    for (first, last, username) in AGENT_USERS {
        s.add(
            "User",
            json!({"Username": username, "FirstName": first, "LastName": last, "Email": username, "IsActive": true}),
        );
    }
    s.store
}

/// Agents besides the demo user (first name, last name, username), so call histories
/// spread over a team; names in the scripts the UI must render.
pub const AGENT_USERS: &[(&str, &str, &str)] = &[
    ("Ayşe", "Yılmaz", "ayse.yilmaz@ringside.example"),
    ("健二", "渡辺", "kenji.watanabe@ringside.example"),
    ("عمر", "حداد", "omar.haddad@ringside.example"),
    ("Lucy", "Chen", "lucy.chen@ringside.example"),
    ("Marco", "Rossi", "marco.rossi@ringside.example"),
];

/// A generated person: first name, last name, country index.
const FIRST: &[&str] = &[
    "Emma", "Liam", "Sofia", "Noah", "Mia", "Lucas", "Amelia", "Ethan", "Chloé", "Mateo", "Hannah",
    "Yusuf", "Aiko", "Kenji", "Fatima", "Omar", "Elif", "Mehmet", "Priya", "Arjun", "Isabella",
    "Thiago", "Olivia", "Jack", "Léa", "Lukas", "Zeynep", "Ahmed", "Yuki", "Grace",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Garcia",
    "Miller",
    "Davis",
    "Martin",
    "Dubois",
    "Müller",
    "Schneider",
    "Fischer",
    "Yilmaz",
    "Kaya",
    "Demir",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Al-Harbi",
    "Al-Qahtani",
    "Sharma",
    "Patel",
    "Silva",
    "Santos",
    "Wilson",
    "Taylor",
    "Moreau",
    "Becker",
    "Nakamura",
    "Hughes",
];
/// Names in non-Latin scripts, used every few records: (first, last).
const SCRIPT_NAMES: &[(&str, &str)] = &[
    ("花子", "佐藤"),
    ("健", "鈴木"),
    ("فاطمة", "الحربي"),
    ("عبدالله", "القحطاني"),
    ("Çağla", "Öztürk"),
    ("İsmail", "Şahin"),
    ("Gülşen", "Ağaoğlu"),
    ("Jürgen", "Weiß"),
    ("Björn", "Köhler"),
    ("Ünal", "Çelik"),
];
const COMPANY_WORDS: &[&str] = &[
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Wingtip",
    "Litware",
    "Adatum",
    "Proseware",
    "Lucerne",
    "Woodgrove",
    "Coho",
    "Alpine",
    "Blue Yonder",
    "Fourth Coffee",
    "Humongous",
    "Margie",
    "Trey",
    "VanArsdel",
    "Wide World",
    "Southridge",
];
const COMPANY_SUFFIX: &[&str] = &[
    "Inc.", "Ltd", "GmbH", "S.A.", "K.K.", "A.Ş.", "Pty Ltd", "SARL", "Ltda", "LLC",
];
const INDUSTRIES: &[&str] = &[
    "Banking",
    "Technology",
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Telecommunications",
    "Energy",
    "Education",
];

/// Country name and a formatter for the n-th generated number in that country's habits.
const COUNTRIES: &[&str] = &[
    "United States",
    "United Kingdom",
    "Japan",
    "Turkey",
    "Saudi Arabia",
    "Germany",
    "France",
    "Brazil",
    "India",
    "Australia",
    "Canada",
    "Spain",
];

/// The n-th generated phone for a country, in one of that country's common renderings.
/// Numbers stay in fictional/test ranges and never collide with the well-known ones.
fn phone(country: usize, n: usize) -> String {
    let a = 2000 + (n * 37) % 8000;
    let b = 10 + (n * 13) % 90;
    let style = n % 3;
    match country {
        0 => match style {
            0 => format!("(212) 555-{a:04}"),
            1 => format!("212.555.{a:04}"),
            _ => format!("+1 212 555 {a:04}"),
        },
        1 => match style {
            0 => format!("+44 161 496 {a:04}"),
            1 => format!("0161 496 {a:04}"),
            _ => format!("+441614960{}", a % 1000),
        },
        2 => match style {
            0 => format!("+81 6-6{}-{a:04}", 100 + b),
            1 => format!("06-6{}-{a:04}", 100 + b),
            _ => format!("+81 90-{a:04}-{:04}", (a * 3) % 10000),
        },
        3 => match style {
            0 => format!("+90 312 555 {:02} {b:02}", a % 100),
            1 => format!("0312 555 {:02} {b:02}", a % 100),
            _ => format!("+90 532 555 {a:04}"),
        },
        4 => match style {
            0 => format!("+966 12 345 {a:04}"),
            1 => format!("012 345 {a:04}"),
            _ => format!("+966 50 555 {a:04}"),
        },
        5 => match style {
            0 => format!("+49 89 {a:04}{b:02}"),
            1 => format!("089 {a:04}{b:02}"),
            _ => format!("+49 (0)89 {a:04}-{b:02}"),
        },
        6 => match style {
            0 => format!("+33 4 91 {:02} {:02} {b:02}", a / 100, a % 100),
            1 => format!("04 91 {:02} {:02} {b:02}", a / 100, a % 100),
            _ => format!("+33491{a:04}{b:02}"),
        },
        7 => match style {
            0 => format!("+55 21 3{a:03}-{b:02}{b:02}", a = a % 1000),
            1 => format!("(21) 3{:03}-{b:02}{b:02}", a % 1000),
            _ => format!("+55 21 9{a:04}-{b:02}{b:02}"),
        },
        8 => match style {
            0 => format!("+91 22 {a:04} {b:02}{b:02}"),
            1 => format!("022 {a:04} {b:02}{b:02}"),
            _ => format!("+91 9{a:04} {b:02}{b:03}", b = b * 3),
        },
        9 => match style {
            0 => format!("+61 3 9{a:03} {b:02}{b:02}", a = a % 1000),
            1 => format!("(03) 9{:03} {b:02}{b:02}", a % 1000),
            _ => format!("+61 412 {a:03} {b:03}", a = a % 1000),
        },
        10 => format!("+1 604 555 {a:04}"),
        _ => match style {
            0 => format!("+34 91 {a:03} {b:02} {b:02}", a = a % 1000),
            1 => format!("91{:03}{b:02}{b:02}", a % 1000),
            _ => format!("+34 600 {a:03} {b:03}", a = a % 1000),
        },
    }
}

impl Seeder {
    /// The Japanese account Yamada works for (inserted among the well-known ones).
    fn add_later_account(&mut self) -> String {
        self.add("Account", json!({"Name": "東京商事株式会社", "Phone": "03-1234-5699", "Industry": "Retail", "BillingCountry": "Japan"}))
    }

    /// The bulk of the org: accounts with contacts, opportunities, cases, leads, tasks, call logs.
    fn bulk(&mut self, tokyo: String) {
        // Fixed records with the specific renderings the design asks for.
        let specific: &[(&str, &str, &str, usize)] = &[
            ("Ahmet", "Yıldız", "+90 212 555 01 23", 3),
            ("Claire", "Fontaine", "+33 1 42 68 53 00", 6),
            ("Julien", "Moreau", "01 42 68 53 01", 6),
            ("Harry", "Price", "020 7946 0123", 1),
            ("Klaus", "Berger", "030 1234567", 5),
            ("Mark", "Dalton", "415-555-0142", 0),
            ("Susan", "Reyes", "+1 415 555 0177", 0),
            ("Rohan", "Mehta", "+91 98765 43210", 8),
            ("Chloe", "Nguyen", "+61 2 9374 4000", 9),
            ("Çağla", "Öztürk", "+90 216 555 44 10", 3),
            ("İsmail", "Şahin", "+90 232 555 12 34", 3),
            ("Jürgen", "Größ", "+49 40 123456", 5),
        ];
        let mut accounts = vec![tokyo];
        for i in 0..62 {
            let country = i % COUNTRIES.len();
            let name = format!(
                "{} {}",
                COMPANY_WORDS[i % COMPANY_WORDS.len()],
                COMPANY_SUFFIX[(i / 2 + country) % COMPANY_SUFFIX.len()]
            );
            let name = if i >= COMPANY_WORDS.len() {
                format!("{name} {}", COUNTRIES[country])
            } else {
                name
            };
            let id = self.add(
                "Account",
                json!({"Name": name, "Phone": phone(country, 500 + i), "Industry": INDUSTRIES[i % INDUSTRIES.len()], "BillingCountry": COUNTRIES[country], "Website": format!("https://{}.example", COMPANY_WORDS[i % COMPANY_WORDS.len()].to_lowercase().replace(' ', ""))}),
            );
            accounts.push(id);
        }
        let mut contacts = Vec::new();
        for (i, (first, last, number, country)) in specific.iter().enumerate() {
            let account = &accounts[1 + (i * 5) % (accounts.len() - 1)];
            let id = self.add("Contact", json!({"FirstName": first, "LastName": last, "Phone": number, "Email": format!("{}.{}@example.com", ascii(first), ascii(last)), "AccountId": account, "MailingCountry": COUNTRIES[*country], "Title": "Manager"}));
            contacts.push(id);
        }
        for i in 0..190 {
            let country = (i * 7) % COUNTRIES.len();
            let (first, last) = if i % 6 == 0 {
                SCRIPT_NAMES[(i / 6) % SCRIPT_NAMES.len()]
            } else {
                (
                    FIRST[i % FIRST.len()],
                    LAST[(i * 7 + i / FIRST.len()) % LAST.len()],
                )
            };
            let account = &accounts[i % accounts.len()];
            let mut values = json!({
                "FirstName": first,
                "LastName": last,
                "Title": (["Buyer", "CFO", "IT Manager", "Office Manager", "Engineer", "Director of Sales"][i % 6]),
                "Department": (["Purchasing", "Finance", "IT", "Operations", "Engineering", "Sales"][i % 6]),
                "Email": format!("{}.{}{}@example.com", ascii(first), ascii(last), i),
                "Phone": phone(country, i),
                "AccountId": account,
                "LeadSource": (["Web", "Phone Inquiry", "Partner Referral", "Other"][i % 4]),
                "MailingCountry": COUNTRIES[country],
            });
            if i % 3 == 0 {
                values["MobilePhone"] = json!(phone((country + 1) % COUNTRIES.len(), i + 3000));
            }
            if i % 11 == 0 {
                values["HomePhone"] = json!(phone(country, i + 6000));
            }
            contacts.push(self.add("Contact", values));
        }
        for i in 0..56 {
            let country = (i * 5 + 2) % COUNTRIES.len();
            let (first, last) = if i % 5 == 0 {
                SCRIPT_NAMES[(i / 5 + 3) % SCRIPT_NAMES.len()]
            } else {
                (
                    FIRST[(i * 3) % FIRST.len()],
                    LAST[(i * 11 + 4) % LAST.len()],
                )
            };
            let converted = i % 9 == 0;
            self.add(
                "Lead",
                json!({
                    "FirstName": first,
                    "LastName": last,
                    "Company": format!("{} {}", COMPANY_WORDS[(i + 7) % COMPANY_WORDS.len()], (["Labs", "Partners", "Group", "Trading"][i % 4])),
                    "Email": format!("{}.{}.lead{}@example.org", ascii(first), ascii(last), i),
                    "Phone": phone(country, 9000 + i),
                    "MobilePhone": if i % 4 == 0 { json!(phone(country, 9500 + i)) } else { Value::Null },
                    "Status": if converted { "Closed - Converted" } else { ["Open - Not Contacted", "Working - Contacted", "Closed - Not Converted"][i % 3] },
                    "IsConverted": converted,
                    "LeadSource": (["Web", "Purchased List", "Phone Inquiry"][i % 3]),
                    "Country": COUNTRIES[country],
                }),
            );
        }
        let stages = [
            "Prospecting",
            "Qualification",
            "Needs Analysis",
            "Negotiation/Review",
            "Closed Won",
            "Closed Lost",
        ];
        for (i, account) in accounts.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
            for k in 0..(1 + i % 2 + (i / 2) % 2) {
                let stage = stages[(i + k * 3) % stages.len()];
                let offset = if stage.starts_with("Closed") {
                    -((i * 3 + k) as i64) - 5
                } else {
                    (i * 2 + k) as i64 + 10
                };
                self.add("Opportunity", json!({"Name": format!("Deal {} #{}", i, k + 1), "StageName": stage, "Amount": (1000 * (i + 1) * (k + 2)) as f64, "CloseDate": date(offset), "AccountId": account}));
            }
        }
        for (i, contact) in contacts.iter().enumerate().filter(|(i, _)| i % 4 == 1) {
            let status = ["New", "Working", "Escalated", "Closed", "Closed"][i % 5];
            let account = self
                .store
                .by_id(contact)
                .map(|r| r.get("AccountId").clone())
                .unwrap_or(Value::Null);
            self.add("Case", json!({"Subject": (["Invoice question", "Line quality issue", "Password reset", "Feature request", "Billing dispute"][i % 5]), "Status": status, "Priority": (["High", "Medium", "Low"][i % 3]), "ContactId": contact, "AccountId": account}));
        }
        for (i, contact) in contacts.iter().enumerate().filter(|(i, _)| i % 10 == 0) {
            let call_id = format!("seed-call-{i:04}");
            let log = self.add(
                "Call_Log__c",
                json!({"External_Id__c": call_id, "Direction__c": if i % 20 == 0 { "Inbound" } else { "Outbound" }, "Duration_Seconds__c": (60 + i * 7) as f64, "From_Number__c": "+14155550100", "To_Number__c": "+14155550111", "Started_At__c": clock::format_datetime(base_ms() - (i as i64) * 3_600_000), "Summary__c": "Seeded call.", "Contact__c": contact, "Disposition__c": "Connected"}),
            );
            self.add(
                "Task",
                json!({"Subject": "Call", "Status": "Completed", "Type": "Call", "TaskSubtype": "Call", "CallType": "Inbound", "CallDurationInSeconds": 60 + i * 7, "CallDisposition": "Connected", "CallObject": call_id, "WhoId": contact, "ActivityDate": date(-(i as i64)), "Call_Log__c": log, "Description": "Seeded call task."}),
            );
        }
        // Calls with the Japanese and Arabic well-known contacts (notes in their scripts),
        // so the default history and its CSV export show non-Latin text too. Their call
        // logs carry the subject and notes as well (as "call log only" mode writes them), so
        // the history shows them in either logging mode.
        let scripted = [
            (
                "seed-call-yamada",
                YAMADA_CONTACT_ID,
                "Inbound",
                "見積もりの件で折り返し希望",
            ),
            (
                "seed-call-alotaibi",
                ALOTAIBI_CONTACT_ID,
                "Outbound",
                "يرغب في عرض سعر جديد",
            ),
        ];
        for (n, (call_id, contact, direction, notes)) in scripted.into_iter().enumerate() {
            let started = base_ms() - (n as i64 + 1) * 1_800_000;
            let log = self.add(
                "Call_Log__c",
                json!({"External_Id__c": call_id, "Direction__c": direction, "Duration_Seconds__c": 95.0, "From_Number__c": "+14155550100", "To_Number__c": "+14155550111", "Started_At__c": clock::format_datetime(started), "Contact__c": contact, "Disposition__c": "Connected", "Subject__c": "Call", "Notes__c": notes}),
            );
            self.add(
                "Task",
                json!({"Subject": "Call", "Status": "Completed", "Type": "Call", "TaskSubtype": "Call", "CallType": direction, "CallDurationInSeconds": 95, "CallDisposition": "Connected", "CallObject": call_id, "WhoId": contact, "ActivityDate": date(0), "Call_Log__c": log, "Description": notes}),
            );
        }
    }
}

/// Lower-case ASCII rendering of a name for generated email addresses.
fn ascii(s: &str) -> String {
    let mapped: String = s
        .chars()
        .filter_map(|c| match c {
            'ä' | 'à' | 'á' | 'â' | 'ã' | 'Ä' => Some('a'),
            'ç' | 'Ç' => Some('c'),
            'é' | 'è' | 'ê' | 'É' => Some('e'),
            'ğ' | 'Ğ' => Some('g'),
            'ı' | 'İ' | 'í' => Some('i'),
            'ö' | 'Ö' | 'ó' => Some('o'),
            'ş' | 'Ş' => Some('s'),
            'ü' | 'Ü' | 'ú' => Some('u'),
            'ß' => Some('s'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    if mapped.is_empty() {
        "contact".to_owned()
    } else {
        mapped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_well_known_ids() {
        let store = build();
        for w in WELL_KNOWN {
            let record = store.by_id(w.id).unwrap_or_else(|| {
                panic!("well-known {} ({}) must exist in the seed", w.key, w.id)
            });
            assert_eq!(
                record.object.name, w.object,
                "{} has the documented object",
                w.key
            );
            let name = record
                .get("Name")
                .as_str()
                .or(record.get("Subject").as_str())
                .unwrap_or_default();
            assert_eq!(name, w.name, "{} has the documented name", w.key);
            if let Some(p) = w.phone {
                assert_eq!(
                    record.get("Phone").as_str(),
                    Some(p),
                    "{} has the documented phone",
                    w.key
                );
            }
            if let Some(e) = w.email {
                assert_eq!(
                    record.get("Email").as_str(),
                    Some(e),
                    "{} has the documented email",
                    w.key
                );
            }
        }
    }

    #[test]
    fn seed_sizes_and_determinism() {
        let a = build();
        let b = build();
        let count = |s: &Store, o: &str| s.records_of(o).count();
        for o in [
            "Account",
            "Contact",
            "Lead",
            "Opportunity",
            "Case",
            "Task",
            "Call_Log__c",
        ] {
            assert_eq!(count(&a, o), count(&b, o), "{o} count is deterministic");
        }
        assert!(
            count(&a, "Account") >= 60 && count(&a, "Contact") >= 190 && count(&a, "Lead") >= 50,
            "roughly 80/200/60"
        );
        assert!(
            count(&a, "Account") + count(&a, "Contact") + count(&a, "Lead") >= 200,
            "at least 200 people and companies"
        );
        let open = a
            .records_of("Opportunity")
            .filter(|r| r.get("IsClosed") == &json!(false))
            .count();
        let closed_cases = a
            .records_of("Case")
            .filter(|r| r.get("IsClosed") == &json!(true))
            .count();
        assert!(
            open > 5 && closed_cases > 5,
            "both open and closed opportunities and cases exist"
        );
        let ids_a: Vec<String> = a
            .records_of("Contact")
            .map(|r| format!("{}{}", r.id(), r.get("Phone")))
            .collect();
        let ids_b: Vec<String> = b
            .records_of("Contact")
            .map(|r| format!("{}{}", r.id(), r.get("Phone")))
            .collect();
        assert_eq!(ids_a, ids_b, "ids and phones are identical run to run");
    }
}
