// The shared setup of the call-log window tests that add to this run's ringside.toml: the
// app launched on it (the toml restored after), the real `ringside` CLI that rings and ends
// their calls, and a SOQL query on the app's built-in demo org to read back what landed.
// Not a *.test.mjs: run.sh runs only those; the tests import this.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchApp } from "./webdriver.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const APP = process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const CLI = process.env.RINGSIDE_CLI ?? join(repo, "target", "debug", "ringside");
const HOME = process.env.RINGSIDE_HOME;
const CONFIG = HOME ? join(HOME, "ringside.toml") : null;

/** Runs the real `ringside` CLI (in the app's RINGSIDE_HOME); never rejects. */
export function ringside(args) {
  return new Promise((resolve) => {
    execFile(CLI, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Registers the test file's before/after: `toml` appended to this run's ringside.toml, the app
 * launched on it and handed to `ready(app)`, and both undone after. Returns the running app,
 * filled in by `before`: `{ app, session }`. (Node 20 does not wait for one file-level
 * `before` to end before starting the next, so the test file takes the app in `ready`.)
 */
export function appWithConfig(toml, ready = () => {}) {
  const running = { app: null, session: null };
  let savedConfig = null;
  before(async () => {
    assert.ok(HOME, "run.sh sets RINGSIDE_HOME for the app and the CLI");
    savedConfig = await readFile(CONFIG, "utf8").catch(() => null);
    await writeFile(CONFIG, `${savedConfig ?? ""}\n${toml}`);
    // RINGSIDE_QUEUE_FAST: the app's worker retries within milliseconds (test timings).
    running.app = await launchApp({ app: APP, driver: DRIVER, env: { RINGSIDE_QUEUE_FAST: "1" }, readySelector: "#call-log-start" });
    running.session = running.app.session;
    ready(running.app);
  });
  after(async () => {
    await running.app?.close();
    if (CONFIG) {
      if (savedConfig === null) await rm(CONFIG, { force: true });
      else await writeFile(CONFIG, savedConfig);
    }
  });
  return running;
}

/** The app's demo org (named in its log) and a SOQL query on it. */
export async function demoOrgQuery(app) {
  const found = /built-in demo org running.*?(http:\/\/127\.0\.0\.1:\d+)/.exec(app.log());
  assert.ok(found, `the app's log must name its demo org address; log:\n${app.log().slice(-2000)}`);
  const org = found[1];
  const token = (await (await fetch(`${org}/__demo/tokens`, { method: "POST" })).json()).access_token;
  const versions = await (await fetch(`${org}/services/data`, { headers: { authorization: `Bearer ${token}` } })).json();
  const api = versions.at(-1).url;
  return async (soql) => {
    const response = await fetch(`${org}${api}/query?q=${encodeURIComponent(soql)}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200, `query failed: ${soql}: ${await response.clone().text()}`);
    return (await response.json()).records;
  };
}
