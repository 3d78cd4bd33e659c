// The record panel in the real window: target/debug/ringside-desktop with its in-process demo
// org, driven through tauri-driver → WebKitWebDriver (run.sh: Xvfb, own D-Bus session). The
// agent opens Jane Caller's Contact from the search, edits an allowed field and saves: the demo
// org holds the new value. Email is read-only. A change made behind the agent's back brings the
// conflict prompt with both values. With the org refusing connections a save is pending and the
// app sends it by itself once the org is back. The demo org is read and changed over its REST API.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch } from "./call-log-app.mjs";
import { KEY_ENTER, untilAnswering, untilRefused } from "./webdriver.mjs";

// The demo org seeds Jane Caller (Contact) with this phone, and the default field policy
// ([fields.Contact], no ringside.toml) makes Title editable and Email read-only.
const NUMBER = "(415) 555-0123";
const API = "/services/data/v66.0";
// How long the demo org refuses connections in the offline-save test: long enough for the save
// and the pending row to be seen while it is down, even on a loaded 2-core machine.
const DOWN_SECONDS = 20;

let app;
let session;
let org; // { url, token }: the app's demo org, reached over HTTP like Salesforce
let janeId;

before(async () => {
  app = await launch({ readySelector: "#search-input" });
  session = app.session;

  // Which demo org the app runs: ask the app itself (the header's `current_org` command).
  await session.execute("window.__TAURI_INTERNALS__.invoke('current_org').then((o) => { window.__testOrg = o; })");
  const until = Date.now() + 10_000;
  let current = null;
  while ((current = await session.execute("return window.__testOrg ?? null")) === null && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(current?.org?.demo, `the app must run on its built-in demo org; got ${JSON.stringify(current)}`);
  const url = current.org.instance_url.replace(/\/$/, "");
  const tokens = await fetch(`${url}/__demo/tokens`, { method: "POST" });
  assert.equal(tokens.status, 200, "the demo org's control API issues a token");
  org = { url, token: (await tokens.json()).access_token };
});

after(async () => {
  await app?.close();
});

async function sf(method, path, body) {
  const response = await fetch(`${org.url}${API}${path}`, {
    method,
    headers: { authorization: `Bearer ${org.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : JSON.parse(text) };
}

async function titleInSalesforce() {
  const answer = await sf("GET", `/sobjects/Contact/${janeId}?fields=Title`);
  assert.equal(answer.status, 200, `reading Jane from the demo org: ${JSON.stringify(answer.body)}`);
  return answer.body.Title;
}

async function waitForEditor(states) {
  const selector = states.map((state) => `#record-edit[data-state="${state}"]`).join(", ");
  await session.waitFor(selector, 20_000);
  return session.attribute(await session.find("#record-edit"), "data-state");
}

async function replaceText(css, text) {
  const input = await session.find(css);
  await session.clear(input);
  await session.type(input, text);
}

test("searching Jane's number and clicking her Contact opens her record with the allowed fields", async () => {
  const input = await session.find("#search-input");
  await session.clear(input);
  await session.type(input, NUMBER + KEY_ENTER);
  await session.waitFor('#status[data-state="found"], #status[data-state="failed"]');
  assert.equal(await session.attribute(await session.find("#status"), "data-state"), "found", "the seeded number is found");
  let jane = null;
  for (const match of await session.findAll('.match[data-object="Contact"]')) {
    const id = await session.attribute(match, "data-record-id");
    if ((await session.text(await session.find(`.match[data-record-id="${id}"] .match-name`))) === "Jane Caller") jane = { match, id };
  }
  assert.ok(jane, "Jane Caller's Contact is among the matches");
  janeId = jane.id;
  await session.click(jane.match);

  const state = await waitForEditor(["idle", "failed"]);
  assert.equal(state, "idle", `the record loads: ${await session.text(await session.find("#record-edit-status"))}`);
  assert.equal(await session.text(await session.find("#record-panel .record-name")), "Jane Caller", "the panel shows the opened record");
  const title = await session.find("#record-field-Title");
  assert.equal(await session.execute("return document.getElementById('record-field-Title').tagName"), "INPUT", "Title is editable by default");
  assert.equal(await session.execute("return document.getElementById('record-field-Title').value"), "VP Customer Operations", "the input starts at the value in Salesforce");
  assert.ok(title, "Title has an input");
});

test("Email is shown read-only: no input, marked read-only", async () => {
  const email = await session.find('.record-field[data-field="Email"]');
  assert.equal(await session.attribute(email, "data-editable"), "false", "Email is not editable unless the admin lists it");
  const inputs = await session.findAll('.record-field[data-field="Email"] input, .record-field[data-field="Email"] select, .record-field[data-field="Email"] textarea');
  assert.equal(inputs.length, 0, "a read-only field offers no input");
  assert.equal(await session.text(await session.find("#record-field-Email")), "Jane.Caller@example.com", "its value is still shown");
});

test("editing Title and saving writes it to the demo org", async () => {
  await replaceText("#record-field-Title", "Chief Listening Officer");
  assert.equal(await session.attribute(await session.find('.record-field[data-field="Title"]'), "data-changed"), "true", "the edited field is marked changed");
  await session.click(await session.find("#record-save"));
  const state = await waitForEditor(["saved", "failed", "refused", "conflict"]);
  assert.equal(state, "saved", `the save succeeds: ${await session.text(await session.find("#record-edit-status"))}`);
  assert.equal(await titleInSalesforce(), "Chief Listening Officer", "the demo org holds the agent's value");
});

test("a change made in Salesforce behind the agent's back brings the conflict prompt with both values", async () => {
  // LastModifiedDate has whole seconds (as in Salesforce), so the other change must fall in a
  // later second than the version the panel shows for If-Unmodified-Since to see it.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const behind = await sf("PATCH", `/sobjects/Contact/${janeId}`, { Title: "Changed Behind Your Back" });
  assert.equal(behind.status, 204, `the other change is written: ${JSON.stringify(behind.body)}`);

  await replaceText("#record-field-Title", "Agent's Version");
  await session.click(await session.find("#record-save"));
  const state = await waitForEditor(["conflict", "saved", "failed"]);
  assert.equal(state, "conflict", "the save is refused as a conflict, not written over theirs");
  assert.equal(await titleInSalesforce(), "Changed Behind Your Back", "nothing was overwritten");
  const row = '#record-conflict .conflict-field[data-field="Title"]';
  assert.equal(await session.text(await session.find(`${row} .conflict-theirs .conflict-value`)), "Changed Behind Your Back", "theirs is shown");
  assert.equal(await session.text(await session.find(`${row} .conflict-yours .conflict-value`)), "Agent's Version", "yours is shown");

  // The agent keeps theirs: nothing is written and the field shows Salesforce's value.
  await session.click(await session.find(`${row} input[value="theirs"]`));
  await session.click(await session.find("#record-conflict-apply"));
  await waitForEditor(["idle"]);
  assert.equal(await session.execute("return document.getElementById('record-field-Title').value"), "Changed Behind Your Back", "the field now shows their value");
  assert.equal(await titleInSalesforce(), "Changed Behind Your Back", "keeping theirs writes nothing");
});

test("with Salesforce unreachable the save is pending, then lands by itself once it is back", async () => {
  await replaceText("#record-field-Title", "Saved While Offline");
  const down = await fetch(`${org.url}/__demo/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "refuse_connections", seconds: DOWN_SECONDS }),
  });
  assert.equal(down.status, 204, "the demo org takes the fault");
  const downUntil = Date.now() + DOWN_SECONDS * 1000;
  // Saved only once the org refuses (not a fixed pause that must outlast closing its socket).
  await untilRefused(org.url);
  await session.click(await session.find("#record-save"));
  const state = await waitForEditor(["queued", "saved", "failed", "conflict"]);
  assert.equal(state, "queued", `the edit is queued, not lost: ${await session.text(await session.find("#record-edit-status"))}`);
  await session.waitFor('#record-pending .pending-edit[data-state="pending"]', 15_000);
  // The test means "pending while the org is down": seen inside the window, or it tested nothing.
  assert.ok(Date.now() < downUntil, `the pending edit was seen only after the ${DOWN_SECONDS} s the org was down`);

  // The app's background sender applies it once the org answers again (no agent action).
  await untilAnswering(org.url, DOWN_SECONDS * 1000 + 30_000);
  const deadline = Date.now() + 30_000;
  let title = null;
  while (Date.now() < deadline) {
    try {
      title = await titleInSalesforce();
      if (title === "Saved While Offline") break;
    } catch {
      // Still refusing connections.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.equal(title, "Saved While Offline", "the queued edit reached the demo org");
  await waitForEditor(["saved"]);
  assert.equal((await session.findAll("#record-pending")).length, 0, "nothing is left pending");
});
