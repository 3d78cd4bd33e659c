// Auto-update of the installed app (/usr/bin/ringside-desktop from the .deb) to a newer signed
// .deb, end to end: tests/package/run.sh builds that newer package (same sources, a higher
// version, signed with a key pair made for this run) and hands it over here. A local update
// server (node:http) offers it; the installed app downloads it, checks the signature against
// the public key in ringside.toml, installs it through the system's package manager (the
// plugin's pkexec → sudo path; `sudo dpkg -i` here) and relaunches into it, with a log queued
// but not yet delivered and an open log form with typed notes. Then:
// - the package database says the newer version, the relaunched process runs the new binary
//   and logs the new version at start;
// - the queue still holds the same log, once, not delivered, not dead (the built-in demo org
//   refuses connections for the whole test, so nothing can be sent);
// - the open form is back with its notes (seen in a fresh WebDriver session, since the
//   relaunched copy is no longer under WebDriver), and the new version does not fetch the
//   update again.
// Run by tests/package/run.sh inside Xvfb and its own D-Bus session (tests/desktop/run.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { readFile, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { launchApp, waitUntil } from "../desktop/webdriver.mjs";

const APP = process.env.RINGSIDE_APP;
const CLI = process.env.RINGSIDE_CLI;
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const HOME = process.env.RINGSIDE_HOME;
const NEWER = process.env.RINGSIDE_NEWER_VERSION;
const NEWER_DEB = process.env.RINGSIDE_NEWER_DEB;
const PUBKEY_FILE = process.env.RINGSIDE_UPDATE_PUBKEY_FILE;
const JANE = "+1 415 555 0123";
const NOTES = "Rückruf am Dienstag — 火曜日に折り返し — يعاود الاتصال";
const stamp = Date.now().toString(36);
const QUEUED_CALL = `update-queued-${stamp}`;
const OPEN_CALL = `update-open-${stamp}`;
// Salesforce unreachable for the whole test (the relaunched copy inherits this environment):
// the queued log can only wait, so "still there, once" is what the relaunch must keep.
const OFFLINE = JSON.stringify([{ kind: "refuse_connections", seconds: 3600 }]);

function run(program, args, env = {}) {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Running copies of the desktop app: pid and the binary each runs. */
async function desktopProcesses() {
  const found = [];
  for (const entry of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, "utf8").catch(() => "")).trim();
    if (!comm.startsWith("ringside-deskto")) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
    found.push({ pid: Number(entry), exe: await readlink(`/proc/${entry}/exe`).catch(() => "?") });
  }
  return found;
}

let server;
let base;
let requests = [];
let offer;
let offerUpdate;
let savedConfig = null;
let app;

before(async () => {
  assert.equal(APP, "/usr/bin/ringside-desktop", "the installed app, not the build tree");
  assert.equal(CLI, "/usr/bin/ringside", "the installed CLI");
  for (const [name, value] of Object.entries({ RINGSIDE_HOME: HOME, NEWER, NEWER_DEB, PUBKEY_FILE })) {
    assert.ok(value, `tests/package/run.sh sets ${name}`);
  }
  const deb = await readFile(NEWER_DEB);
  const signature = (await readFile(`${NEWER_DEB}.sig`, "utf8")).trim();
  const pubkey = (await readFile(PUBKEY_FILE, "utf8")).trim();
  // The update server answers the first check only when the test says so (the app checks at
  // start): by then a log is queued and a form is open.
  offer = new Promise((resolve) => (offerUpdate = resolve));
  server = createServer(async (req, res) => {
    requests.push(req.url);
    if (req.url === "/latest.json") {
      await offer;
      const entry = { url: `${base}/ringside_${NEWER}_amd64.deb`, signature };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        version: NEWER,
        notes: "newer test release",
        pub_date: new Date().toISOString(),
        platforms: { "linux-x86_64-deb": entry, "linux-x86_64": entry },
      }));
      return;
    }
    if (req.url === `/ringside_${NEWER}_amd64.deb`) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": deb.length });
      res.end(deb);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  const config = join(HOME, "ringside.toml");
  savedConfig = await readFile(config, "utf8").catch(() => null);
  // A long idle time: the open form must still be open (not auto-logged) after the relaunch.
  await writeFile(
    config,
    `[update]\npubkey = "${pubkey}"\nendpoint = "${base}/latest.json"\n\n[logging]\nauto_log_after_secs = 3600\n`,
  );
});

after(async () => {
  offerUpdate?.();
  await app?.close().catch(() => {});
  for (const { pid } of await desktopProcesses()) process.kill(pid, "SIGKILL");
  await new Promise((resolve) => server?.close(resolve));
  const config = join(HOME, "ringside.toml");
  if (savedConfig === null) await rm(config, { force: true });
  else await writeFile(config, savedConfig);
});

async function queueItems() {
  const listed = await run(CLI, ["queue", "list", "--json"]);
  assert.equal(listed.code, 0, `ringside queue list failed:\n${listed.stderr}`);
  const parsed = JSON.parse(listed.stdout);
  return Array.isArray(parsed) ? parsed : (parsed.items ?? []);
}

/** Rings and ends a call through the installed CLI; waits for its log form. */
async function callEnds(session, callId) {
  for (const event of ["ring", "end"]) {
    const extra = event === "end" ? ["--duration", "47"] : [];
    const sent = await run(CLI, ["call", event, "--call-id", callId, "--from", JANE, "--to", "+1 415 555 0100", ...extra]);
    assert.equal(sent.code, 0, `ringside call ${event} failed:\n${sent.stderr}`);
  }
  await session.click(await session.find("#nav-caller"));
  const form = `.call-log-form[data-call-id="${callId}"]`;
  await session.waitFor(form, 20_000);
  return form;
}

test("the installed app updates itself to a newer signed .deb and relaunches with its queue and open log form", async () => {
  const installed = await run("dpkg-query", ["-W", "-f=${Version}", "ringside"]);
  assert.notEqual(installed.stdout, NEWER, "the test starts from the older package");
  app = await launchApp({ app: APP, driver: DRIVER, env: { RINGSIDE_DEMO_FAULTS: OFFLINE }, readySelector: "#call-log-start" });
  const { session } = app;

  // A log queued while Salesforce is unreachable: it waits in the queue.
  const queuedForm = await callEnds(session, QUEUED_CALL);
  await session.click(await session.find(`${queuedForm} .call-log-submit`));
  await session.waitFor(`.call-log-result[data-call-id="${QUEUED_CALL}"]`, 20_000);
  const before = (await queueItems()).filter((item) => item.call_id === QUEUED_CALL);
  assert.equal(before.length, 1, `one queued log before the update: ${JSON.stringify(before)}`);
  assert.notEqual(before[0].state, "delivered", "Salesforce is unreachable: the log waits");

  // A form left open with notes typed in it.
  const openForm = await callEnds(session, OPEN_CALL);
  await session.type(await session.find(`${openForm} .call-log-notes`), NOTES);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the 300 ms save debounce
  const [old] = await desktopProcesses();
  assert.ok(old, "the app runs");

  // Now the server offers the newer version.
  offerUpdate();
  await waitUntil(() => app.log().includes("updates: installed"), "the update to be downloaded, verified and installed", 180_000);
  assert.ok(requests.includes(`/ringside_${NEWER}_amd64.deb`), `the package was downloaded: ${requests}`);
  assert.doesNotMatch(app.log(), /an update was refused|the install failed/, "a signed update installs");
  const upgraded = await run("dpkg-query", ["-W", "-f=${Version}", "ringside"]);
  assert.equal(upgraded.stdout, NEWER, "the package manager now has the newer version");

  // The relaunch waits until the form has been left alone for a minute, then comes by itself.
  const relaunched = await waitUntil(async () => {
    const running = await desktopProcesses();
    return running.length === 1 && running[0].pid !== old.pid ? running[0] : null;
  }, "the app to relaunch into the new version", 150_000);
  assert.equal(relaunched.exe, "/usr/bin/ringside-desktop", "the relaunched copy runs the installed binary, not a deleted one");
  await waitUntil(
    () => new RegExp(`Ringside starting version=${NEWER.replace(/\./g, "\\.")}`).test(app.log()),
    "the relaunched copy to log its version",
    30_000,
  );

  // The queue is intact: the same log, once, still waiting for Salesforce.
  const afterRelaunch = (await queueItems()).filter((item) => item.call_id === QUEUED_CALL);
  assert.equal(afterRelaunch.length, 1, `the queued log is there once: ${JSON.stringify(afterRelaunch)}`);
  assert.equal(afterRelaunch[0].id, before[0].id, "the same queue item, not a copy");
  assert.notEqual(afterRelaunch[0].state, "dead", "an update never dead-letters a log");
  const reached = await run(CLI, ["call", "ring", "--call-id", `update-ping-${stamp}`, "--from", JANE]);
  assert.equal(reached.code, 0, `the relaunched copy hears call events:\n${reached.stderr}`);

  // The relaunched copy is not under WebDriver: stop it, and look at it in a fresh session.
  await app.close().catch(() => {});
  app = null;
  process.kill(relaunched.pid, "SIGTERM");
  await waitUntil(async () => (await desktopProcesses()).length === 0, "the relaunched copy to stop", 20_000);
  const downloads = requests.filter((url) => url.endsWith(".deb")).length;
  app = await launchApp({ app: APP, driver: DRIVER, env: { RINGSIDE_DEMO_FAULTS: OFFLINE }, readySelector: "#call-log-start" });
  await app.session.click(await app.session.find("#nav-caller"));
  await app.session.waitFor(openForm, 20_000);
  const notes = await app.session.execute(`return document.querySelector('${openForm} .call-log-notes').value;`);
  assert.equal(notes, NOTES, "the open form came back with the notes typed before the update");
  await waitUntil(() => app.log().includes("this is the newest version"), "the new version to find itself current", 30_000);
  assert.equal(
    requests.filter((url) => url.endsWith(".deb")).length,
    downloads,
    "the new version does not download itself again",
  );
});
