// Durable log forms in the real app: a call ends, the agent types notes, the app is killed
// with SIGKILL (no exit handler runs), and the relaunched app shows the form again with the
// notes; "Log call" then lands exactly one Task and one call log in the demo org. Between the
// kill and the relaunch the saved form is read straight from the app's SQLite file.
// Run inside Xvfb and its own D-Bus session (run.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { appWithConfig, demoOrgQuery, ringside, run } from "./call-log-app.mjs";
import { descendantPids, waitUntil } from "./webdriver.mjs";

const HOME = process.env.RINGSIDE_HOME;
const DATABASE = HOME ? join(HOME, "ringside.db") : null;
const JANE = "+1 415 555 0123";
const callId = `durable-${Date.now().toString(36)}`;
const NOTES = "Wants a callback Tuesday — 火曜日に折り返し";

// A long idle time: the form must still be open when the app is killed and relaunched.
const running = appWithConfig("[logging]\nauto_log_after_secs = 600\n", () => {}, { readyTimeoutMs: 30_000 });

async function appPids() {
  const pids = [];
  for (const pid of await descendantPids(running.app.driverPid)) {
    const comm = (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim();
    if (comm.startsWith("ringside-deskto")) pids.push(pid);
  }
  return pids;
}

/** Reads the app's database file with the sqlite3 CLI. A failing sqlite3 (not installed, a
 * missing or locked file) throws with its stderr: a failed read must never look like "no row",
 * or "logging removed the saved form" would pass without reading anything. */
async function sqlite(sql) {
  // .timeout: wait out the app's own write (a checkpoint) instead of failing with "locked".
  const read = await run("sqlite3", ["-readonly", "-cmd", ".timeout 5000", DATABASE, sql]);
  if (read.code !== 0) throw new Error(`sqlite3 failed (apt package sqlite3; exit ${read.code}) on ${sql}:\n${read.stderr}`);
  return read.stdout.trim();
}

/** The saved form's JSON, read from the app's database file (null when there is none). */
async function savedForm() {
  const draft = await sqlite(`SELECT draft FROM open_forms WHERE call_id = '${callId}'`);
  return draft !== "" ? JSON.parse(draft) : null;
}

test("a form with typed notes survives kill -9 of the app; relaunched, Log call lands exactly one Task", async () => {
  const rang = await ringside(["call", "ring", "--call-id", callId, "--from", JANE, "--to", "+1 415 555 0100"]);
  assert.equal(rang.code, 0, `ringside call ring failed:\n${rang.stderr}`);
  const ended = await ringside(["call", "end", "--call-id", callId, "--from", JANE, "--to", "+1 415 555 0100", "--duration", "31"]);
  assert.equal(ended.code, 0, `ringside call end failed:\n${ended.stderr}`);
  const form = `.call-log-form[data-call-id="${callId}"]`;
  let session = running.app.session;
  await session.click(await session.find("#nav-caller"));
  await session.waitFor(form, 20_000);
  await session.type(await session.find(`${form} .call-log-notes`), NOTES);
  // The notes reach the shell debounced (300 ms) and are saved in the database.
  const saved = await waitUntil(async () => {
    const draft = await savedForm();
    return draft?.fields?.notes === NOTES ? draft : null;
  }, "the typed notes to be saved in the open_forms table", 5_000);
  assert.equal(saved.call_id, callId);

  const pids = await appPids();
  assert.equal(pids.length, 1, `one app process to kill; found ${JSON.stringify(pids)}`);
  process.kill(pids[0], "SIGKILL");
  await waitUntil(async () => (await readFile(`/proc/${pids[0]}/comm`, "utf8").catch(() => null)) === null, "the app to die", 10_000);
  await session.delete().catch(() => {});
  const afterKill = await savedForm();
  assert.equal(afterKill?.fields?.notes, NOTES, "after the kill the form is still in the database, notes included");
  const queued = await sqlite(`SELECT COUNT(*) FROM outbox WHERE call_id = '${callId}'`);
  assert.equal(queued, "0", "nothing was queued: the kill came before Log call");

  session = await running.app.relaunch();
  await session.click(await session.find("#nav-caller"));
  await session.waitFor(form, 20_000);
  const notes = await session.execute(`return document.querySelector('${form} .call-log-notes').value;`);
  assert.equal(notes, NOTES, "the relaunched app shows the form with the notes typed before the kill");
  const matched = await session.text(await session.find(`${form} .call-log-matched`));
  assert.match(matched, /Jane Caller/, "with its matched record");

  await session.click(await session.find(`${form} .call-log-submit`));
  await session.waitFor(`.call-log-result[data-call-id="${callId}"][data-state="delivered"]`, 30_000);
  assert.equal(await savedForm(), null, "logging removed the saved form");
  const query = await demoOrgQuery(running.app);
  const tasks = await query(`SELECT Id, Description, CallDurationInSeconds FROM Task WHERE CallObject = '${callId}'`);
  const logs = await query(`SELECT Id FROM Call_Log__c WHERE External_Id__c = '${callId}'`);
  assert.equal(tasks.length, 1, `exactly one Task; got ${JSON.stringify(tasks)}`);
  assert.equal(logs.length, 1, `exactly one call log; got ${JSON.stringify(logs)}`);
  assert.equal(tasks[0].Description, NOTES, "the notes typed before the kill are what landed");
  assert.equal(tasks[0].CallDurationInSeconds, 31);
});
