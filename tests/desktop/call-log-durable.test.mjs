// Durable log forms in the real app: a call ends, the agent types notes, the app is killed
// with SIGKILL (no exit handler runs), and the relaunched app shows the form again with the
// notes; "Log call" then lands exactly one Task and one call log in the demo org. Between the
// kill and the relaunch the saved form is read straight from the app's SQLite file.
// Run inside Xvfb and its own D-Bus session (run.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Session, closeDriverSession, descendantPids, waitUntil } from "./webdriver.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const APP = process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const CLI = process.env.RINGSIDE_CLI ?? join(repo, "target", "debug", "ringside");
const HOME = process.env.RINGSIDE_HOME;
const CONFIG = HOME ? join(HOME, "ringside.toml") : null;
const DATABASE = HOME ? join(HOME, "ringside.db") : null;
const JANE = "+1 415 555 0123";
const callId = `durable-${Date.now().toString(36)}`;
const NOTES = "Wants a callback Tuesday — 火曜日に折り返し";

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function run(program, args) {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function appPids() {
  const pids = [];
  for (const pid of await descendantPids(driver.pid)) {
    const comm = (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim();
    if (comm.startsWith("ringside-deskto")) pids.push(pid);
  }
  return pids;
}

let driver;
let driverLog = "";
let base;
let session;
let savedConfig = null;

async function launch() {
  session = await Session.create(base, { browserName: "wry", "tauri:options": { application: APP } });
  await session.waitFor("#call-log-start", 30_000);
}

before(async () => {
  assert.ok(HOME, "run.sh sets RINGSIDE_HOME for the app and the CLI");
  savedConfig = await readFile(CONFIG, "utf8").catch(() => null);
  // A long idle time: the form must still be open when the app is killed and relaunched.
  await writeFile(CONFIG, `${savedConfig ?? ""}\n[logging]\nauto_log_after_secs = 600\n`);
  let port = 0;
  while (port === 0) {
    const candidate = 20000 + Math.floor(Math.random() * 20000);
    if ((await portIsFree(candidate)) && (await portIsFree(candidate + 1))) port = candidate;
  }
  base = `http://127.0.0.1:${port}`;
  driver = spawn(DRIVER, ["--port", String(port), "--native-port", String(port + 1)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RINGSIDE_QUEUE_FAST: "1" },
  });
  driver.stdout.on("data", (chunk) => (driverLog += chunk));
  driver.stderr.on("data", (chunk) => (driverLog += chunk));
  await waitUntil(async () => {
    if (driver.exitCode !== null) throw new Error(`tauri-driver exited (${driver.exitCode}):\n${driverLog}`);
    return fetch(`${base}/status`).then((r) => r.ok).catch(() => false);
  }, "tauri-driver to listen", 20_000);
  await launch();
});

after(async () => {
  await closeDriverSession(driver, session);
  if (CONFIG) {
    if (savedConfig === null) await rm(CONFIG, { force: true });
    else await writeFile(CONFIG, savedConfig);
  }
});

/** The demo org the running app started (the last one its log names) and a SOQL reader. */
async function demoOrg() {
  const all = [...driverLog.replace(/\x1b\[[0-9;]*m/g, "").matchAll(/built-in demo org running.*?(http:\/\/127\.0\.0\.1:\d+)/g)];
  assert.ok(all.length > 0, `the app's log must name its demo org address; log:\n${driverLog.slice(-2000)}`);
  const org = all.at(-1)[1];
  const token = (await (await fetch(`${org}/__demo/tokens`, { method: "POST" })).json()).access_token;
  const versions = await (await fetch(`${org}/services/data`, { headers: { authorization: `Bearer ${token}` } })).json();
  const api = versions.at(-1).url;
  return async (soql) => {
    const response = await fetch(`${org}${api}/query?q=${encodeURIComponent(soql)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, `query failed: ${soql}`);
    return (await response.json()).records;
  };
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
  const rang = await run(CLI, ["call", "ring", "--call-id", callId, "--from", JANE, "--to", "+1 415 555 0100"]);
  assert.equal(rang.code, 0, `ringside call ring failed:\n${rang.stderr}`);
  const ended = await run(CLI, ["call", "end", "--call-id", callId, "--from", JANE, "--to", "+1 415 555 0100", "--duration", "31"]);
  assert.equal(ended.code, 0, `ringside call end failed:\n${ended.stderr}`);
  const form = `.call-log-form[data-call-id="${callId}"]`;
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

  await launch();
  await session.click(await session.find("#nav-caller"));
  await session.waitFor(form, 20_000);
  const notes = await session.execute(`return document.querySelector('${form} .call-log-notes').value;`);
  assert.equal(notes, NOTES, "the relaunched app shows the form with the notes typed before the kill");
  const matched = await session.text(await session.find(`${form} .call-log-matched`));
  assert.match(matched, /Jane Caller/, "with its matched record");

  await session.click(await session.find(`${form} .call-log-submit`));
  await session.waitFor(`.call-log-result[data-call-id="${callId}"][data-state="delivered"]`, 30_000);
  assert.equal(await savedForm(), null, "logging removed the saved form");
  const query = await demoOrg();
  const tasks = await query(`SELECT Id, Description, CallDurationInSeconds FROM Task WHERE CallObject = '${callId}'`);
  const logs = await query(`SELECT Id FROM Call_Log__c WHERE External_Id__c = '${callId}'`);
  assert.equal(tasks.length, 1, `exactly one Task; got ${JSON.stringify(tasks)}`);
  assert.equal(logs.length, 1, `exactly one call log; got ${JSON.stringify(logs)}`);
  assert.equal(tasks[0].Description, NOTES, "the notes typed before the kill are what landed");
  assert.equal(tasks[0].CallDurationInSeconds, 31);
});
