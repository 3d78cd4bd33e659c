// The admin view in Chromium with Tauri IPC mocked: fields picked from the describe (200+
// custom fields stay searchable), editable implies visible, intents with type-aware value
// pickers, Save listing each problem with key, field and reason, a successful save, import and
// export, and the Check connection panel. Texts come from the catalogs.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fill, ipcMockScript, launchBrowser, plain, serveDist } from "./harness.mjs";

const f = (name, label, type, extra = {}) => ({ name, label, type, updateable: true, custom: name.endsWith("__c"), length: 0, picklist: [], ...extra });
// Contact as a wide org has it: the standard fields and 220 custom ones.
const CONTACT = [
  f("Name", "Full Name", "string", { updateable: false, length: 121 }),
  f("Title", "Title", "string", { length: 128 }),
  f("Email", "Email", "email", { length: 80 }),
  f("Phone", "Business Phone", "phone", { length: 40 }),
  f("LeadSource", "Lead Source", "picklist", { picklist: ["Web", "Phone Inquiry"] }),
  f("Description", "Contact Description", "textarea", { length: 32000 }),
  ...Array.from({ length: 220 }, (_, i) => f(`Field_${String(i + 1).padStart(3, "0")}__c`, `Custom ${i + 1}`, i % 2 ? "date" : "string", { length: i % 2 ? 0 : 255 })),
];
const LEAD = [f("Name", "Full Name", "string", { updateable: false }), f("Status", "Status", "picklist", { picklist: ["Open - Not Contacted", "Working - Contacted"] })];
const OPPORTUNITY = [f("Name", "Name", "string", { length: 120 }), f("StageName", "Stage", "picklist", { picklist: ["Prospecting", "Qualification", "Closed Won"] })];
const SETTINGS = {
  objects: [
    { object: "Contact", visible: ["Name", "Title", "Email"], editable: ["Title"] },
    { object: "Lead", visible: ["Name", "Status"], editable: ["Status"] },
    { object: "Account", visible: ["Name"], editable: [] },
  ],
  intents: [{ name: "qualified", target: "Lead.Status", value: null }],
  logging_mode: "task_and_call_log",
  scope_profile: null,
};
const VIEW = { settings: SETTINGS, path: "/home/agent/.config/ringside/ringside.toml", problem: null, policy_path: null, sources: [] };
const POLICY = "/etc/ringside/ringside.toml";
// The same settings with a system policy file: the logging mode and Contact's editable list
// locked, Contact's visible list set (not locked) by the policy, the intents from this desk.
const LOCKED_VIEW = {
  ...VIEW,
  policy_path: POLICY,
  sources: [
    { key: "fields.Contact.visible", source: "policy", locked: null },
    { key: "fields.Contact.editable", source: "policy", locked: "fields.Contact.editable" },
    { key: "intents", source: "user", locked: null },
    { key: "intents.qualified", source: "user", locked: null },
    { key: "logging.mode", source: "policy", locked: "logging.mode" },
    { key: "salesforce.scope_profile", source: "default", locked: null },
  ],
};

let server;
let browser;
let en;
before(async () => {
  server = await serveDist();
  browser = await launchBrowser({ locale: "en-US" });
  en = JSON.parse(await readFile(fileURLToPath(new URL("../../ui/src/features/admin/locales/en.json", import.meta.url)), "utf8"));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The app with the admin commands answering from `answers` (lists used in order, the last repeats). */
async function openAdmin(answers) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.addInitScript({ content: await ipcMockScript({ result: null }) });
  await page.addInitScript({
    content: `(() => {
      const answers = ${JSON.stringify({ admin_settings: [{ result: VIEW }], ...answers })};
      const describes = ${JSON.stringify({ Contact: CONTACT, Lead: LEAD, Account: [f("Name", "Account Name", "string")], Task: [], Opportunity: OPPORTUNITY })};
      const used = {};
      window.__adminCalls = [];
      const fallback = window.__TAURI_INTERNALS__.invoke;
      window.__tauriMocks.mockIPC(async (cmd, args) => {
        if (cmd === "describe_fields") { window.__adminCalls.push({ cmd, args }); return describes[args.object] ?? []; }
        if (!(cmd in answers)) return fallback(cmd, args);
        window.__adminCalls.push({ cmd, args: JSON.parse(JSON.stringify(args)) });
        const list = answers[cmd];
        const answer = list[Math.min(used[cmd] ?? 0, list.length - 1)];
        used[cmd] = (used[cmd] ?? 0) + 1;
        if (answer.error) throw answer.error;
        return answer.result;
      }, { shouldMockEvents: true });
    })();`,
  });
  await page.goto(server.url);
  await page.click("#nav-admin");
  await page.waitForSelector('#admin-fields .admin-field[data-field="Field_220__c"]');
  return { page, errors };
}

const calls = (page, cmd) => page.evaluate((c) => window.__adminCalls.filter((call) => call.cmd === c).map((call) => call.args), cmd);

test("the Contact fields come from the describe with type hints, and the search narrows 226 fields", async () => {
  const { page, errors } = await openAdmin({});
  assert.equal(await page.$$eval("#admin-fields .admin-field", (rows) => rows.length), CONTACT.length, "every described field is listed");
  assert.equal(await page.textContent('.admin-field[data-field="Title"] .admin-field-type'), "string (128)", "the type and length are hinted");
  assert.equal(await page.isChecked('.admin-field[data-field="Title"] .admin-editable'), true, "Title is editable as configured");
  assert.equal(await page.isChecked('.admin-field[data-field="Email"] .admin-editable'), false, "Email is visible, not editable");
  assert.equal(await page.isDisabled('.admin-field[data-field="Name"] .admin-editable'), true, "a read-only field cannot be made editable");

  await page.fill("#admin-field-search", "custom 21");
  const shown = await page.$$eval("#admin-fields .admin-field:not([hidden])", (rows) => rows.map((r) => r.dataset.field));
  assert.deepEqual(shown, ["Field_021__c", "Field_210__c", "Field_211__c", "Field_212__c", "Field_213__c", "Field_214__c", "Field_215__c", "Field_216__c", "Field_217__c", "Field_218__c", "Field_219__c"], "the search matches labels");
  assert.ok(plain(await page.textContent("#admin-field-count")).startsWith("11 of 226"), "the count says how many are shown");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "admin-field-search", "filtering keeps the focus in the search box");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("ticking editable makes a field visible too; Save sends it and lists each problem with key, field and reason", async () => {
  const { page } = await openAdmin({
    save_admin_settings: [
      { result: { kind: "invalid", issues: [{ key: "[fields.Contact] editable", field: "Contact.Field_218__c", reason: "is read-only for this user (not updateable)" }] } },
    ],
  });
  await page.fill("#admin-field-search", "Field_218");
  await page.check('.admin-field[data-field="Field_218__c"] .admin-editable');
  assert.equal(await page.isChecked('.admin-field[data-field="Field_218__c"] .admin-visible'), true, "an editable field must be visible");
  await page.selectOption("#admin-logging-mode", "call_log_only");
  await page.click("#admin-save");
  await page.waitForSelector("#admin-issues .admin-issue");
  const [sent] = await calls(page, "save_admin_settings");
  const contact = sent.settings.objects.find((o) => o.object === "Contact");
  assert.ok(contact.visible.includes("Field_218__c") && contact.editable.includes("Field_218__c"), "the field is sent visible and editable");
  assert.equal(sent.settings.logging_mode, "call_log_only", "the logging mode is sent");
  assert.equal(await page.textContent("#admin-status .admin-error"), en["admin.invalid"], "the view says nothing was saved");
  assert.equal(await page.getAttribute(".admin-issue", "data-key"), "[fields.Contact] editable", "the issue names the key");
  assert.equal(await page.textContent(".admin-issue .admin-issue-field"), "Contact.Field_218__c", "and the field");
  assert.equal(await page.textContent(".admin-issue .admin-issue-reason"), "is read-only for this user (not updateable)", "and why");
  await page.close();
});

test("a valid save says where it was written and re-reads the file", async () => {
  const { page } = await openAdmin({ save_admin_settings: [{ result: { kind: "saved", path: VIEW.path } }] });
  await page.click("#admin-save");
  await page.waitForSelector('#admin-status[data-state="saved"]');
  assert.equal(await page.textContent("#admin-status .admin-saved"), fill(en["admin.saved"], { path: VIEW.path }), "the path is said, and that its comments are kept");
  await page.waitForFunction(() => window.__adminCalls.filter((c) => c.cmd === "admin_settings").length >= 2);
  await page.close();
});

test("an intent on a picklist offers the describe's values; the chosen value is saved", async () => {
  const { page } = await openAdmin({ save_admin_settings: [{ result: { kind: "saved", path: VIEW.path } }] });
  await page.waitForSelector('.admin-intent .admin-intent-field option[value="Status"]', { state: "attached" });
  assert.deepEqual(
    await page.$$eval(".admin-intent .admin-intent-fixed option", (options) => options.map((o) => o.value)),
    ["", "Open - Not Contacted", "Working - Contacted"],
    "the value picker lists the picklist (empty: the agent picks)",
  );
  await page.selectOption(".admin-intent .admin-intent-fixed", "Working - Contacted");
  await page.click("#admin-intent-add");
  await page.fill('.admin-intent[data-index="1"] .admin-intent-name', "title_note");
  await page.waitForSelector('.admin-intent[data-index="1"] .admin-intent-field option[value="Title"]', { state: "attached" });
  await page.selectOption('.admin-intent[data-index="1"] .admin-intent-field', "Title");
  await page.click("#admin-save");
  await page.waitForSelector('#admin-status[data-state="saved"]');
  const [sent] = await calls(page, "save_admin_settings");
  assert.deepEqual(
    sent.settings.intents,
    [
      { name: "qualified", target: "Lead.Status", value: "Working - Contacted" },
      { name: "title_note", target: "Contact.Title", value: null },
    ],
    "the intents are sent with their targets and fixed values",
  );
  await page.close();
});

test("Check connection lists each check with pass or fail and the fix", async () => {
  const { page } = await openAdmin({
    run_doctor: [
      {
        result: [
          { name: "api access", status: "pass", detail: "API v66.0 answers" },
          { name: "task type", status: "fail", detail: "Task.Type is not visible", fix: "make Task Type visible" },
        ],
      },
    ],
  });
  await page.click("#admin-doctor-run");
  await page.waitForSelector("#admin-doctor .doctor-check");
  assert.deepEqual(await page.$$eval("#admin-doctor .doctor-check", (items) => items.map((i) => i.dataset.status)), ["pass", "fail"], "each check's status is shown");
  assert.equal(await page.textContent('.doctor-check[data-name="task type"] .doctor-fix'), fill(en["admin.doctor.fix"], { fix: "make Task Type visible" }), "a failure shows its fix");
  await page.close();
});

test("export shows the file to download or copy; import sends the chosen file's text", async () => {
  const text = "[logging]\nmode = \"call_log_only\"\n";
  const { page } = await openAdmin({ export_config: [{ result: text }], import_config: [{ result: { kind: "saved", path: VIEW.path } }] });
  await page.click("#admin-export");
  await page.waitForSelector("#admin-export-text");
  assert.equal(await page.inputValue("#admin-export-text"), text, "the file's text is shown");
  assert.equal(await page.getAttribute(".admin-export-link", "download"), "ringside.toml", "and offered as a download");

  const dir = await mkdtemp(join(tmpdir(), "ringside-admin-"));
  const file = join(dir, "ringside.toml");
  await writeFile(file, text);
  await page.setInputFiles("#admin-import-file", file);
  await page.waitForSelector('#admin-status[data-state="saved"]');
  assert.deepEqual(await calls(page, "import_config"), [{ text }], "the file's text is imported");
  assert.equal(await page.textContent("#admin-status .admin-saved"), fill(en["admin.imported"], { path: VIEW.path }), "the import is confirmed");
  await rm(dir, { recursive: true, force: true });
  await page.close();
});

test("a value the policy file locks is read-only and says it is set by the organisation's policy; each value says where it comes from", async () => {
  const { page, errors } = await openAdmin({ admin_settings: [{ result: LOCKED_VIEW }] });
  assert.equal(plain(await page.textContent("#admin-policy")), plain(fill(en["admin.policy"], { path: POLICY })), "the view names the policy file");
  assert.equal(await page.isDisabled("#admin-logging-mode"), true, "the locked logging mode cannot be changed");
  assert.equal(
    plain(await page.textContent("#admin-source-logging-mode .admin-locked")),
    plain(fill(en["admin.locked"], { path: POLICY })),
    "and says it is set by the organisation's policy, with the file",
  );
  assert.equal(await page.getAttribute("#admin-source-logging-mode", "data-source"), "policy");
  assert.equal(await page.isDisabled("#admin-scope-profile"), false, "an unlocked value stays editable");
  assert.equal(await page.textContent("#admin-source-scope-profile"), en["admin.source.default"], "and says it is the default");
  assert.equal(await page.isDisabled('.admin-field[data-field="Title"] .admin-editable'), true, "Contact's locked editable list is read-only");
  assert.equal(await page.isDisabled('.admin-field[data-field="Title"] .admin-visible'), false, "its visible list is the policy's but not locked");
  assert.equal(await page.getAttribute("#admin-source-visible", "data-source"), "policy", "and says it comes from the policy file");
  assert.equal(await page.getAttribute("#admin-source-editable", "data-locked"), "true");
  assert.equal(await page.getAttribute('.admin-intent[data-index="0"] .admin-source', "data-source"), "user", "an intent from this desk's file says so");

  await page.selectOption("#admin-object", "Lead");
  await page.waitForSelector('#admin-fields .admin-field[data-field="Status"]');
  assert.equal(await page.isDisabled('.admin-field[data-field="Status"] .admin-editable'), false, "another object's lists are not locked");
  assert.equal(await page.getAttribute("#admin-source-visible", "data-source"), "default");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("the locked note is in every language", async () => {
  for (const lang of ["de", "fr", "tr", "ja", "ar"]) {
    const catalog = JSON.parse(await readFile(fileURLToPath(new URL(`../../ui/src/features/admin/locales/${lang}.json`, import.meta.url)), "utf8"));
    for (const key of ["admin.policy", "admin.locked", "admin.source.default", "admin.source.policy", "admin.source.user"]) {
      assert.ok(typeof catalog[key] === "string" && catalog[key] !== en[key], `${lang} translates ${key}`);
      if (key === "admin.locked" || key === "admin.policy") assert.ok(catalog[key].includes("{path}"), `${lang} ${key} names the file`);
    }
  }
});

// Issue 17 item 1: outcome actions edited in the Admin tab as a form (one block per action,
// typed inputs from the describe), sent as a typed value and checked against the org; the TOML
// stays behind "Edit as TOML". Each problem is shown next to the input it concerns.
const EMPTY_FORM = { lead: null, opportunity: null, follow_up: null, create_opportunity: null, lead_notes: null, chatter: null };
const OUTCOMES_VIEW = {
  ...VIEW,
  policy_path: POLICY,
  outcomes: [
    {
      name: "Demo booked",
      actions: ["lead", "follow_up"],
      text: 'lead = { Status = "Working - Contacted" }\nfollow_up = { kind = "Event", subject = "Product demo", in_days = 2, at = "10:00", minutes = 30 }\n',
      source: "user",
      locked: null,
      form: {
        ...EMPTY_FORM,
        lead: [{ field: "Status", value: "Working - Contacted" }],
        follow_up: { kind: "Event", subject: "Product demo", in_days: 2, at: "10:00", minutes: 30 },
      },
    },
    {
      name: "Qualified",
      actions: ["opportunity"],
      text: 'opportunity = { StageName = "Qualification" }\n',
      source: "policy",
      locked: "outcomes.Qualified",
      form: { ...EMPTY_FORM, opportunity: [{ field: "StageName", value: "Qualification" }] },
    },
  ],
};

test("outcome form: each outcome shown as blocks of typed inputs from the describe; a locked one is read-only", async () => {
  const { page, errors } = await openAdmin({ admin_settings: [{ result: OUTCOMES_VIEW }] });
  const demo = page.locator('#admin-outcomes .admin-outcome[data-name="Demo booked"]');
  const qualified = page.locator('#admin-outcomes .admin-outcome[data-name="Qualified"]');
  await demo.locator('[data-action="lead"] select.admin-form-value').waitFor();
  assert.equal(plain(await page.textContent("#admin-outcomes .admin-title")), en["admin.outcomes.title"]);
  assert.deepEqual(await demo.locator(".admin-outcome-action").allTextContents(), ["lead", "follow_up"], "its actions are listed");
  assert.deepEqual(
    await demo.locator(".admin-action > legend").allTextContents(),
    [en["admin.outcomes.action.lead"], en["admin.outcomes.action.follow_up"]],
    "one block per action, named in words",
  );
  const lead = demo.locator('[data-action="lead"]');
  assert.equal(await lead.locator(".admin-form-field-pick").inputValue(), "Status", "the field is picked from the Lead describe");
  assert.deepEqual(
    await lead.locator("select.admin-form-value option").allTextContents(),
    [en["admin.outcomes.chooseValue"], "Open - Not Contacted", "Working - Contacted"],
    "a picklist field offers its values",
  );
  assert.equal(await lead.locator("select.admin-form-value").inputValue(), "Working - Contacted");
  const followUp = demo.locator('[data-action="follow_up"]');
  assert.equal(await followUp.locator(".admin-form-kind").inputValue(), "Event");
  assert.equal(await followUp.locator(".admin-form-time").inputValue(), "10:00");
  assert.equal(await followUp.locator('[data-slot="minutes"] input').inputValue(), "30");
  // Every input has a label (its for= points at it).
  const unlabelled = await page.$$eval("#admin-outcomes .admin-outcome-form input, #admin-outcomes .admin-outcome-form select, #admin-outcomes .admin-outcome-form textarea", (controls) =>
    controls.filter((c) => c.labels === null || c.labels.length === 0).map((c) => c.outerHTML),
  );
  assert.deepEqual(unlabelled, [], "every input of the form is labelled");

  assert.equal(await qualified.getAttribute("data-locked"), "true");
  assert.equal(await qualified.locator(".admin-outcome-form").getAttribute("disabled"), "", "a locked outcome's form is read-only");
  assert.equal(await qualified.locator(".admin-form-field-pick").isDisabled(), true, "its inputs too");
  assert.equal(await qualified.locator(".admin-outcome-save").count(), 0, "and has no save or remove");
  assert.equal(await qualified.locator(".admin-action-add").count(), 0, "nor an add");
  assert.equal(plain(await qualified.locator(".admin-locked").textContent()), plain(fill(en["admin.locked"], { path: POLICY })), "and says the policy sets it");

  // The TOML fallback, behind "Edit as TOML": left to right in every language, read-only when locked.
  await demo.locator(".admin-outcome-toml > summary").click();
  assert.equal(await demo.locator(".admin-outcome-text").inputValue(), OUTCOMES_VIEW.outcomes[0].text, "its TOML is there");
  assert.equal(await demo.locator(".admin-outcome-text").getAttribute("dir"), "ltr", "TOML reads left to right in every language");
  await qualified.locator(".admin-outcome-toml > summary").click();
  assert.equal(await qualified.locator(".admin-outcome-text").getAttribute("readonly"), "", "a locked outcome's TOML is read-only");
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("outcome form: a new outcome with a Lead Status and a follow-up Event is sent typed; refused values are shown next to their inputs and nothing typed is lost", async () => {
  const saved = { kind: "saved", path: VIEW.path };
  const { page, errors } = await openAdmin({
    admin_settings: [{ result: OUTCOMES_VIEW }],
    save_outcome_form: [
      {
        result: {
          kind: "invalid",
          issues: [
            { key: '[outcomes."Meeting booked"] lead', field: "Lead.Status", reason: '"Working - Contacted" is not one of the picklist values: Open - Not Contacted' },
            { key: '[outcomes."Meeting booked"] follow_up', field: "follow_up.subject", reason: "uses {acount}, which is not a placeholder Ringside fills" },
            { key: '[outcomes."Meeting booked"] follow_up', field: "Event.DurationInMinutes", reason: "cannot be set by this user when creating a Event" },
          ],
        },
      },
      { result: saved },
    ],
  });
  const fresh = page.locator("#admin-outcomes .admin-outcome-new");
  await fresh.locator(".admin-action-pick").waitFor();
  await page.fill("#admin-outcome-new-name", "Meeting booked");

  // Add a lead block by keyboard: pick the action, press the button.
  await fresh.locator(".admin-action-pick").selectOption("lead");
  await fresh.locator(".admin-action-add-button").focus();
  await page.keyboard.press("Enter");
  const lead = fresh.locator('[data-action="lead"]');
  assert.equal(
    await page.evaluate(() => document.activeElement?.closest("[data-action]")?.dataset.action),
    "lead",
    "the keyboard goes on in the new block",
  );
  await lead.locator(".admin-form-field-pick").selectOption("Status");
  await lead.locator("select.admin-form-value").selectOption("Working - Contacted");

  await fresh.locator(".admin-action-pick").selectOption("follow_up");
  await fresh.locator(".admin-action-add-button").click();
  const followUp = fresh.locator('[data-action="follow_up"]');
  assert.equal(await followUp.locator(".admin-form-time").count(), 0, "a Task has no start time");
  await followUp.locator(".admin-form-kind").selectOption("Event");
  await followUp.locator('[data-slot="subject"] input').fill("Demo for {acount}");
  await followUp.locator('[data-slot="in_days"] input').fill("1.5");
  await followUp.locator(".admin-form-time").fill("10:00");

  // Not a whole number: said next to it, nothing sent.
  await page.click("#admin-outcome-add");
  await followUp.locator('[data-slot="in_days"] .admin-field-issue').waitFor();
  assert.equal(plain(await followUp.locator('[data-slot="in_days"] .admin-field-issue').textContent()), en["admin.outcomes.wholeNumber"]);
  assert.deepEqual(await calls(page, "save_outcome_form"), [], "nothing is sent with a number that is not one");
  await followUp.locator('[data-slot="in_days"] input').fill("2");

  await page.click("#admin-outcome-add");
  await followUp.locator('[data-slot="subject"] .admin-field-issue').waitFor();
  assert.deepEqual(
    await calls(page, "save_outcome_form"),
    [
      {
        name: "Meeting booked",
        form: { ...EMPTY_FORM, lead: [{ field: "Status", value: "Working - Contacted" }], follow_up: { kind: "Event", subject: "Demo for {acount}", in_days: 2, at: "10:00", minutes: 30 } },
      },
    ],
    "the outcome goes as a typed value, not TOML",
  );
  assert.match(await lead.locator(".admin-form-row .admin-field-issue").textContent(), /not one of the picklist values/, "the Status problem sits in the Status row");
  assert.equal(await lead.locator(".admin-form-field-pick").getAttribute("aria-invalid"), "true");
  assert.match(await followUp.locator('[data-slot="subject"] .admin-field-issue').textContent(), /\{acount\}/, "the placeholder problem sits under the subject");
  assert.match(
    await followUp.locator(":scope > .admin-field-issue").textContent(),
    /cannot be set/,
    "a problem no input holds is shown in its action's block",
  );
  assert.equal(await fresh.locator(".admin-outcome-status .admin-issue").count(), 0, "placed problems are not listed twice");
  assert.equal(plain(await fresh.locator(".admin-outcome-status .admin-error").textContent()), en["admin.invalid"]);
  // Nothing the admin typed is lost.
  assert.equal(await page.inputValue("#admin-outcome-new-name"), "Meeting booked");
  assert.equal(await lead.locator("select.admin-form-value").inputValue(), "Working - Contacted");
  assert.equal(await followUp.locator('[data-slot="subject"] input').inputValue(), "Demo for {acount}");
  assert.equal(await followUp.locator('[data-slot="in_days"] input').inputValue(), "2");

  // Fixed and saved: the view re-reads the file and the new-outcome form is emptied.
  await followUp.locator('[data-slot="subject"] input').fill("Product demo");
  await page.click("#admin-outcome-add");
  await page.waitForFunction(() => window.__adminCalls.filter((c) => c.cmd === "admin_settings").length >= 2);
  assert.equal((await calls(page, "save_outcome_form"))[1].form.follow_up.subject, "Product demo");
  await fresh.locator('.admin-outcome-status[data-state="saved"]').waitFor({ state: "detached" }).catch(() => {});
  assert.equal(await page.inputValue("#admin-outcome-new-name"), "", "the new-outcome form is emptied once saved");
  assert.equal(await fresh.locator(".admin-action").count(), 0);
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("outcome form: an edit of an existing outcome is sent whole; an action removed is left out", async () => {
  const { page, errors } = await openAdmin({ admin_settings: [{ result: OUTCOMES_VIEW }], save_outcome_form: [{ result: { kind: "saved", path: VIEW.path } }] });
  const demo = page.locator('#admin-outcomes .admin-outcome[data-name="Demo booked"]');
  await demo.locator('[data-action="follow_up"] .admin-action-remove').click();
  assert.equal(await page.evaluate(() => document.activeElement?.className), "admin-action-pick", "after a removal the keyboard goes on at the action picker");
  await demo.locator(".admin-action-pick").selectOption("create_opportunity");
  await demo.locator(".admin-action-add-button").click();
  const create = demo.locator('[data-action="create_opportunity"]');
  await create.locator('[data-slot="StageName"] select').selectOption("Prospecting");
  await demo.locator(".admin-outcome-save").click();
  await demo.locator('.admin-outcome-status[data-state="saved"]').waitFor();
  assert.deepEqual(await calls(page, "save_outcome_form"), [
    {
      name: "Demo booked",
      form: {
        ...EMPTY_FORM,
        lead: [{ field: "Status", value: "Working - Contacted" }],
        create_opportunity: { name: "{account} – {date}", stage_name: "Prospecting", close_in_days: 30, fields: [] },
      },
    },
  ]);
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("outcome TOML: an edit is checked and its problems listed under the outcome; what was typed is kept", async () => {
  const saved = { kind: "saved", path: VIEW.path };
  const { page, errors } = await openAdmin({
    admin_settings: [{ result: OUTCOMES_VIEW }],
    save_outcome: [
      { result: { kind: "invalid", issues: [{ key: '[outcomes."Demo booked"]', field: "", reason: "is not TOML: expected `}`" }] } },
      { result: saved },
    ],
  });
  const demo = page.locator('#admin-outcomes .admin-outcome[data-name="Demo booked"]');
  await demo.locator(".admin-outcome-toml > summary").click();
  await demo.locator(".admin-outcome-text").fill('lead = { Status = "Hot lead"\n');
  await demo.locator(".admin-outcome-save-toml").click();
  await demo.locator(".admin-outcome-status .admin-issue").waitFor();
  assert.deepEqual(await calls(page, "save_outcome"), [{ name: "Demo booked", text: 'lead = { Status = "Hot lead"\n' }]);
  assert.equal(await demo.locator(".admin-issue").getAttribute("data-key"), '[outcomes."Demo booked"]', "the issue names the outcome");
  assert.equal(await demo.locator(".admin-outcome-text").inputValue(), 'lead = { Status = "Hot lead"\n', "what the admin typed is kept to fix");
  await demo.locator(".admin-outcome-text").fill('lead = { Status = "Working - Contacted" }\n');
  await demo.locator(".admin-outcome-save-toml").click();
  await demo.locator('.admin-outcome-status[data-state="saved"]').waitFor();
  assert.deepEqual(errors, [], "no script errors");
  await page.close();
});

test("in Arabic the outcome form reads right to left in Arabic; the org's problems and the TOML stay left to right", async () => {
  const { page, errors } = await openAdmin({
    admin_settings: [{ result: OUTCOMES_VIEW }],
    save_outcome_form: [{ result: { kind: "invalid", issues: [{ key: '[outcomes."Demo booked"] lead', field: "Lead.Status", reason: "is not one of the picklist values" }] } }],
  });
  const ar = JSON.parse(await readFile(fileURLToPath(new URL("../../ui/src/features/admin/locales/ar.json", import.meta.url)), "utf8"));
  await page.selectOption("#language-select", "ar");
  await page.waitForFunction(() => document.documentElement.dir === "rtl");
  const demo = page.locator('#admin-outcomes .admin-outcome[data-name="Demo booked"]');
  await demo.locator('[data-action="follow_up"]').waitFor();
  assert.deepEqual(
    (await demo.locator(".admin-action > legend").allTextContents()).map(plain),
    [ar["admin.outcomes.action.lead"], ar["admin.outcomes.action.follow_up"]],
    "the blocks are named in Arabic",
  );
  assert.equal(await demo.locator('[data-action="lead"]').evaluate((el) => getComputedStyle(el).direction), "rtl", "the blocks follow the page's direction");
  await demo.locator(".admin-outcome-save").click();
  const issue = demo.locator('[data-action="lead"] .admin-field-issue');
  await issue.waitFor();
  assert.equal(await issue.getAttribute("dir"), "ltr", "the org's words (English) read left to right");
  assert.equal(await demo.locator(".admin-outcome-text").getAttribute("dir"), "ltr", "so does the TOML");
  assert.deepEqual(errors, []);
  await page.close();
});

test("removing an outcome sends it with no form", async () => {
  const { page } = await openAdmin({ admin_settings: [{ result: OUTCOMES_VIEW }], save_outcome_form: [{ result: { kind: "saved", path: VIEW.path } }] });
  await page.click('#admin-outcomes .admin-outcome[data-name="Demo booked"] .admin-outcome-remove');
  await page.waitForFunction(() => window.__adminCalls.some((c) => c.cmd === "save_outcome_form"));
  assert.deepEqual(await calls(page, "save_outcome_form"), [{ name: "Demo booked", form: null }]);
  await page.close();
});

test("the outcome editor's texts are in every language", async () => {
  const keys = Object.keys(en).filter((key) => key.startsWith("admin.outcomes."));
  assert.ok(keys.length >= 10, "the section's texts are in the catalog");
  for (const lang of ["de", "fr", "tr", "ja", "ar"]) {
    const catalog = JSON.parse(await readFile(fileURLToPath(new URL(`../../ui/src/features/admin/locales/${lang}.json`, import.meta.url)), "utf8"));
    for (const key of keys) {
      assert.ok(typeof catalog[key] === "string" && catalog[key] !== "", `${lang} has ${key}`);
      for (const placeholder of en[key].match(/\{\w+\}/g) ?? []) {
        assert.ok(catalog[key].includes(placeholder), `${lang} ${key} keeps ${placeholder}`);
      }
    }
  }
});
