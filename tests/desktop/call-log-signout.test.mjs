// A signed-out org holds its queued logs: signed in to an org (through the real browser flow
// and ringside:// link, as in signin.test.mjs), the agent logs a call while that org is
// unreachable, then signs out. The app falls back to its built-in demo org, whose worker must
// not send the held log there: it stays pending with no attempt spent, and no Task for the
// call appears, even once the org is reachable again. Run inside Xvfb and its own D-Bus
// session with a Secret Service (run.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, demoOrg, launch } from "./call-log-app.mjs";
import { untilAnswering, untilRefused, waitUntil } from "./webdriver.mjs";

const ALIAS = "held-org";
// How long the org refuses connections: the log, its queue row and the sign-out must all happen
// while it is down, with room for a loaded 2-core machine (they take a few seconds unloaded).
const DOWN_SECONDS = 30;
// After the org is back: with RINGSIDE_QUEUE_FAST the app's worker retries an unreachable org
// every 200 ms, so this gives it many passes to send anything it would wrongly send.
const WORKER_PASS_MS = 5_000;

let dir;
let env;
let app;
let session;

const log = () => app?.log() ?? "";
const urlsFile = () => join(dir, "opened-urls.txt");

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "ringside-held-test-"));
  const browser = join(dir, "record-browser.sh");
  // The "browser": records each URL it is asked to open, and opens nothing.
  await writeFile(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urlsFile()}'\n`);
  await chmod(browser, 0o755);
  env = { RINGSIDE_HOME: join(dir, "home"), RINGSIDE_BROWSER: browser, RINGSIDE_QUEUE_FAST: "1" };
  app = await launch({ env, readyTimeoutMs: 30_000 });
  session = app.session;
});

after(async () => {
  console.log(`# app log (last lines):\n${log().split("\n").slice(-30).join("\n")}`);
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A second copy of the app started with `link`, as the OS does for a clicked link. */
function deliver(link) {
  return new Promise((resolve, reject) => {
    const child = spawn(APP, [link], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let said = "";
    child.stdout.on("data", (c) => (said += c));
    child.stderr.on("data", (c) => (said += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the second copy did not hand the link over within 20 s:\n${said}`));
    }, 20_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, said });
    });
  });
}

/** Reads the app's database with the sqlite3 CLI: the rows as text. A failing sqlite3 (not
 * installed, a locked or missing file) throws with its stderr: a read that failed must never
 * look like an answer. */
function sqlite(sql) {
  return new Promise((resolve, reject) =>
    // .timeout: wait out the app's own write (a checkpoint) instead of failing with "locked".
    execFile("sqlite3", ["-readonly", "-cmd", ".timeout 5000", join(env.RINGSIDE_HOME, "ringside.db"), sql], { timeout: 10_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`sqlite3 failed (apt package sqlite3) on ${sql}: ${error.message}\n${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}

/** Clicks `css`, finding it again if the view re-rendered between the find and the click. */
async function clickFresh(css) {
  await waitUntil(async () => {
    try {
      await session.click(await session.find(css));
      return true;
    } catch (err) {
      if (/stale element|no such element/i.test(err.message)) return false;
      throw err;
    }
  }, `a clickable ${css}`, 15_000);
}

async function signIn() {
  await session.click(await session.find("#nav-settings"));
  await session.waitFor('#view-settings .org-row[data-demo="true"]');
  await session.click(await session.find('#signin-host option[value="demo"]'));
  const alias = await session.find("#signin-alias");
  await session.clear(alias);
  await session.type(alias, ALIAS);
  await session.click(await session.find("#signin-submit"));
  const [authorizeUrl] = await waitUntil(async () => {
    const urls = (await readFile(urlsFile(), "utf8").catch(() => "")).split("\n").filter(Boolean);
    return urls.length > 0 ? urls.slice(-1) : null;
  }, "the app to open the authorize URL");
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  assert.equal(consent.status, 302, "the demo org approves and redirects");
  const handed = await deliver(consent.headers.get("location"));
  assert.equal(handed.code, 0, `the second copy exits after handing the link over:\n${handed.said}`);
  await session.waitFor(`.org-row[data-alias="${ALIAS}"][data-in-use="true"][data-signed-in="true"]`, 30_000);
}

test("logs queued for an org that signs out stay pending and never go to the demo org the app falls back to", async () => {
  await signIn();
  const { org, query, fault } = await demoOrg(app);

  // The org goes unreachable; a call is logged by hand meanwhile (queued for the org in use).
  const down = await fault({ kind: "refuse_connections", seconds: DOWN_SECONDS });
  assert.equal(down.status, 204, "the demo org takes the fault");
  const downUntil = Date.now() + DOWN_SECONDS * 1000;
  await untilRefused(org);
  await session.click(await session.find("#nav-caller"));
  await session.click(await session.find("#call-log-start"));
  const form = await session.waitFor('.call-log-form[data-manual="true"]');
  const callId = await session.attribute(form[0], "data-call-id");
  const selector = `.call-log-form[data-call-id="${callId}"]`;
  await session.type(await session.find(`${selector} .call-log-from`), "+14155550199");
  await session.type(await session.find(`${selector} .call-log-to`), "+14155550100");
  await session.type(await session.find(`${selector} .call-log-notes`), "logged while the org was down");
  await session.click(await session.find(`${selector} .call-log-submit`));
  await session.waitFor(`.call-log-result[data-call-id="${callId}"]`);
  const tagged = await sqlite(`SELECT org, state FROM outbox WHERE call_id = '${callId}'`);
  // Pending, or claimed for the moment a refused send takes.
  assert.match(tagged, new RegExp(`^${ALIAS}\\|(pending|in_flight)$`), `queued for the signed-in org: ${tagged}`);

  // Sign out while it is still unreachable (the revoke fails; the local sign-out stands).
  await session.click(await session.find("#nav-settings"));
  await clickFresh(`.org-row[data-alias="${ALIAS}"] button[data-action="sign-out"]`);
  await session.waitFor('.org-row[data-demo="true"][data-in-use="true"]', 20_000);
  // The test means "signed out while the org was down": done inside the window, or it tested nothing.
  assert.ok(Date.now() < downUntil, `the sign-out finished only after the ${DOWN_SECONDS} s the org was down`);

  // The org is back (same server: it is also the demo org the app now uses); give the demo
  // org's worker time to send anything it would send, counted from its return.
  await untilAnswering(org, DOWN_SECONDS * 1000 + 30_000);
  await waitUntil(() => query("SELECT Id FROM Account LIMIT 1").then(() => true).catch(() => false), "the org to answer again");
  await new Promise((resolve) => setTimeout(resolve, WORKER_PASS_MS));
  const probe = await session.execute("return 1;");
  assert.equal(probe, 1, "the app is alive");
  const held = await sqlite(`SELECT org, state, attempts FROM outbox WHERE call_id = '${callId}'`);
  assert.equal(held, `${ALIAS}|pending|0`, "held for its org: still pending, no attempt spent");
  const tasks = await query(`SELECT Id FROM Task WHERE CallObject = '${callId}'`);
  const logs = await query(`SELECT Id FROM Call_Log__c WHERE External_Id__c = '${callId}'`);
  assert.equal(tasks.length + logs.length, 0, "nothing of the held log reached the demo org");
});
