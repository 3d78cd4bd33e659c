// The shared setup of the window tests that drive the app with its built-in demo org: the app
// launched (on this run's ringside.toml with a test's lines added, the toml restored after),
// the real `ringside` CLI that rings and ends their calls, and the demo org the app started,
// to read back what landed and to inject faults.
// Not a *.test.mjs: run.sh runs only those; the tests import this.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchApp, waitUntil } from "./webdriver.mjs";

export const repo = fileURLToPath(new URL("../../", import.meta.url));
export const APP = process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const CLI = process.env.RINGSIDE_CLI ?? join(repo, "target", "debug", "ringside");
const HOME = process.env.RINGSIDE_HOME;
const CONFIG = HOME ? join(HOME, "ringside.toml") : null;

/** Runs `program` (30 s at most); never rejects: `{ code, stdout, stderr }`. */
export function run(program, args, options = {}) {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 30_000, ...options }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs the real `ringside` CLI (in the app's RINGSIDE_HOME unless `env` names another). */
export function ringside(args, env = {}) {
  return run(CLI, args, { env: { ...process.env, ...env } });
}

/**
 * Starts the app under tauri-driver (see webdriver.mjs's launchApp), by default ready once the
 * log form's "Log a call" button is there. `env` is added to the app's environment; `args` are
 * its command line (a link, as the OS passes one).
 */
export function launch({ env = {}, args, readySelector = "#call-log-start", readyTimeoutMs } = {}) {
  return launchApp({ app: APP, driver: DRIVER, env, args, readySelector, readyTimeoutMs });
}

/** Appends `toml` to this run's ringside.toml; resolves to the function that puts it back. */
export async function addToConfig(toml) {
  assert.ok(HOME, "run.sh sets RINGSIDE_HOME for the app and the CLI");
  const saved = await readFile(CONFIG, "utf8").catch(() => null);
  await writeFile(CONFIG, `${saved ?? ""}\n${toml}`);
  return async () => {
    if (saved === null) await rm(CONFIG, { force: true });
    else await writeFile(CONFIG, saved);
  };
}

/**
 * Registers the test file's before/after: `toml` appended to this run's ringside.toml, the app
 * launched on it and handed to `ready(app)` (awaited), and both undone after. Returns the running app,
 * filled in by `before`: `{ app, session }`. (Node 20 does not wait for one file-level
 * `before` to end before starting the next, so the test file takes the app in `ready`.)
 */
export function appWithConfig(toml, ready = () => {}, { readyTimeoutMs } = {}) {
  const running = { app: null, session: null };
  let restoreConfig = null;
  before(async () => {
    restoreConfig = await addToConfig(toml);
    // RINGSIDE_QUEUE_FAST: the app's worker retries within milliseconds (test timings).
    running.app = await launch({ env: { RINGSIDE_QUEUE_FAST: "1" }, readyTimeoutMs });
    running.session = running.app.session;
    await ready(running.app);
  });
  after(async () => {
    await running.app?.close();
    await restoreConfig?.();
  });
  return running;
}

/**
 * The demo org the app started (the last one its log names: a relaunched app starts another),
 * with a SOQL reader and its fault switch: `{ org, query(soql), fault(body) }`.
 */
export async function demoOrg(app) {
  // The app logs its built-in demo org's address as it starts it; tauri-driver passes it on.
  const named = () => [...app.log().matchAll(/built-in demo org running.*?(http:\/\/127\.0\.0\.1:\d+)/g)];
  await waitUntil(() => named().length > 0, "the app's log to name its demo org", 15_000).catch(() =>
    assert.fail(`the app's log must name its demo org address; log:\n${app.log().slice(-2000)}`),
  );
  const org = named().at(-1)[1];
  const token = (await (await fetch(`${org}/__demo/tokens`, { method: "POST" })).json()).access_token;
  const versions = await (await fetch(`${org}/services/data`, { headers: { authorization: `Bearer ${token}` } })).json();
  const api = versions.at(-1).url;
  const query = async (soql) => {
    const response = await fetch(`${org}${api}/query?q=${encodeURIComponent(soql)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, `query failed: ${soql}: ${await response.clone().text()}`);
    return (await response.json()).records;
  };
  const fault = (body) =>
    fetch(`${org}/__demo/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { org, query, fault };
}

/** The app's demo org's SOQL reader (see demoOrg). */
export async function demoOrgQuery(app) {
  return (await demoOrg(app)).query;
}
