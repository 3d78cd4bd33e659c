// Outcome actions from the real app window (issue 17 item 2): a call logged with "Demo booked"
// (configured in this run's ringside.toml) updates the Lead and creates exactly one follow-up
// Event in the demo org; with the follow-up unticked on the form, it creates none; "Qualified"
// appends the BANT notes typed on the form to the Lead's Description, once. Calls come from
// the real `ringside call ring|end` CLI; what landed is read back from the app's demo org over
// HTTP. Run inside Xvfb and its own D-Bus session (run.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { appWithConfig, demoOrgQuery, ringside } from "./call-log-app.mjs";
import { plain } from "../i18n-fill.mjs";

// Olivia Bennett's number: the demo org's seeded Lead shares it with a Contact, so the form
// offers both and the agent picks the Lead.
const SHARED_NUMBER = "+44 20 7946 0958";
const LEAD = "00QDm0000000009MAA";
const run = Date.now().toString(36);
// The outcome's placeholders carry the call's subject, so each test's records are its own.
const OUTCOMES = `
[logging]
auto_log_after_secs = 600

[outcomes."Demo booked"]
lead = { Status = "Working - Contacted", Description = "Demo booked: {subject}" }
follow_up = { kind = "Event", subject = "Product demo: {subject}", in_days = 2, at = "10:00", minutes = 30 }

[outcomes."Qualified"]
lead_notes = "Description"
`;

let session;
const running = appWithConfig(OUTCOMES, (app) => {
  session = app.session;
});
const demoOrg = () => demoOrgQuery(running.app);

/** Rings and ends a call with Olivia (`disposition`, "Demo booked" by default), picks her Lead and types the subject. */
async function demoBookedCall(callId, subject, disposition = "Demo booked") {
  const rang = await ringside(["call", "ring", "--call-id", callId, "--from", SHARED_NUMBER, "--to", "+1 415 555 0100"]);
  assert.equal(rang.code, 0, `ringside call ring failed:\n${rang.stderr}`);
  const ended = await ringside([
    "call", "end", "--call-id", callId, "--from", SHARED_NUMBER, "--to", "+1 415 555 0100", "--duration", "120", "--disposition", disposition,
  ]);
  assert.equal(ended.code, 0, `ringside call end failed:\n${ended.stderr}`);
  await session.click(await session.find("#nav-caller"));
  const form = `.call-log-form[data-call-id="${callId}"]`;
  await session.waitFor(`${form} .call-log-who option[value="${LEAD}"]`, 20_000);
  await session.click(await session.find(`${form} .call-log-who option[value="${LEAD}"]`));
  if (disposition === "Demo booked") {
    // Picking the Lead re-renders the form; its Lead update can run once the call is with her.
    await session.waitFor(`${form} .call-log-action[data-action="lead"] .call-log-action-run:not([disabled])`, 15_000);
    await session.waitFor(`${form} .call-log-action[data-action="follow_up"] .call-log-action-run`);
  } else {
    // The form re-rendered for the Lead: its lead_notes action names her.
    await session.waitFor(`${form} .call-log-action[data-action="lead_notes"][data-record-id="${LEAD}"]`, 15_000);
  }
  await session.type(await session.find(`${form} .call-log-subject`), subject);
  return form;
}

async function delivered(callId) {
  await session.waitFor(`.call-log-result[data-call-id="${callId}"][data-state="delivered"]`, 30_000);
}

test("Demo booked from the window updates the Lead and creates exactly one follow-up Event", async () => {
  const callId = `act-${run}-booked`;
  const subject = `Pricing ${run}`;
  const form = await demoBookedCall(callId, subject);
  const lead = plain(await session.text(await session.find(`${form} .call-log-action[data-action="lead"] .call-log-action-text`)));
  assert.match(lead, /Status: Working - Contacted/, `the Lead update is listed: ${lead}`);
  const followUp = plain(await session.text(await session.find(`${form} .call-log-action[data-action="follow_up"] .call-log-action-text`)));
  assert.match(followUp, /Product demo/, `the follow-up Event is listed: ${followUp}`);
  await session.click(await session.find(`${form} .call-log-submit`));
  await delivered(callId);

  const query = await demoOrg();
  const tasks = await query(`SELECT Id, WhoId, CallDisposition FROM Task WHERE CallObject = '${callId}'`);
  assert.equal(tasks.length, 1, `one Task for the call: ${JSON.stringify(tasks)}`);
  assert.equal(tasks[0].WhoId, LEAD, "the call is with the Lead the agent picked");
  assert.equal(tasks[0].CallDisposition, "Demo booked");
  const leads = await query(`SELECT Status, Description FROM Lead WHERE Id = '${LEAD}'`);
  assert.equal(leads[0].Status, "Working - Contacted");
  assert.equal(leads[0].Description, `Demo booked: ${subject}`, "the Lead was updated by this call's outcome");
  const events = await query(`SELECT Id, WhoId, DurationInMinutes FROM Event WHERE Subject = 'Product demo: ${subject}'`);
  assert.equal(events.length, 1, `exactly one follow-up Event: ${JSON.stringify(events)}`);
  assert.equal(events[0].WhoId, LEAD, "the Event is with the Lead");
  assert.equal(events[0].DurationInMinutes, 30);
});

test("with the follow-up unticked, the Lead is updated and no Event is created", async () => {
  const callId = `act-${run}-unticked`;
  const subject = `No demo ${run}`;
  const form = await demoBookedCall(callId, subject);
  await session.click(await session.find(`${form} .call-log-action[data-action="follow_up"] .call-log-action-run`));
  await session.waitFor(`${form} .call-log-action[data-action="follow_up"][data-run="false"]`);
  await session.click(await session.find(`${form} .call-log-submit`));
  await delivered(callId);

  const query = await demoOrg();
  const leads = await query(`SELECT Description FROM Lead WHERE Id = '${LEAD}'`);
  assert.equal(leads[0].Description, `Demo booked: ${subject}`, "the ticked Lead update still ran");
  const events = await query(`SELECT Id FROM Event WHERE Subject = 'Product demo: ${subject}'`);
  assert.equal(events.length, 0, `the unticked follow-up created no Event: ${JSON.stringify(events)}`);
  const tasks = await query(`SELECT Id FROM Task WHERE CallObject = '${callId}'`);
  assert.equal(tasks.length, 1, "the call itself is logged once");
});

test("Qualified with BANT notes typed on the form appends them to the Lead's Description, once", async () => {
  const callId = `act-${run}-bant`;
  const form = await demoBookedCall(callId, `Qualified ${run}`, "Qualified");
  // No notes yet: the action waits for them and the BANT inputs are shown.
  await session.waitFor(`${form} .call-log-action[data-action="lead_notes"] .call-log-action-run[disabled]`, 15_000);
  await session.waitFor(`${form} .call-log-bant:not([hidden]) input.call-log-bant-budget`);
  await session.type(await session.find(`${form} input.call-log-bant-budget`), `50k ${run}`);
  await session.type(await session.find(`${form} input.call-log-bant-need`), "Headsets for 40 agents");
  await session.waitFor(`${form} .call-log-action[data-action="lead_notes"] .call-log-action-run:not([disabled])`, 15_000);
  const text = plain(await session.text(await session.find(`${form} .call-log-action[data-action="lead_notes"] .call-log-action-text`)));
  assert.match(text, /BANT notes added to Description/, `the action says what it does: ${text}`);
  assert.ok(!text.includes("@{"), "no reference is shown");
  const query = await demoOrg();
  const before = (await query(`SELECT Description FROM Lead WHERE Id = '${LEAD}'`))[0].Description ?? "";
  await session.click(await session.find(`${form} .call-log-submit`));
  await delivered(callId);

  const after = (await query(`SELECT Description FROM Lead WHERE Id = '${LEAD}'`))[0].Description;
  const block = `[Ringside call ${callId}]\nBudget: 50k ${run}\nNeed: Headsets for 40 agents`;
  assert.equal(after, before === "" ? block : `${before}\n\n${block}`, "the notes are appended after what the Lead held, never replacing it");
  const tasks = await query(`SELECT Id FROM Task WHERE CallObject = '${callId}'`);
  assert.equal(tasks.length, 1, "the call itself is logged once");
});
