// Ringside in the tray: started with `--hidden` (as a login item starts it) there is no window
// and no WebKit process; a ring pops the caller in a pop-up of its own, its end is logged without
// opening the main window, Esc hides the pop-up and `[pop] keep_loaded_secs` later closes it
// with its web process (and WebKit's network process); Enter on a pop opens the main window.
// The desk is German: the pop-up's title comes from the OS language before any page exists.
// No WebDriver (there is no window to attach to at the start): the app is spawned directly,
// seen through X (xdotool) and /proc, and rung with the real `ringside call` CLI. Run inside Xvfb and its own D-Bus session (run.sh).
// TRAY_DEBUG=1 prints the app's log at the end.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP, demoOrg, run, ringside } from "./call-log-app.mjs";
import { descendantPids, waitUntil } from "./webdriver.mjs";

const NUMBER = "+1 415 555 0123"; // the demo org's Jane Caller, stored as "(415) 555-0123"
const POPUP_TITLE = "^Ringside ?: "; // "Ringside: caller" in any language the UI sets
const MAIN_TITLE = "^Ringside$";

let home;
let app;
let output = "";

/** X windows whose title matches `name` (visible ones unless `all`). */
async function windows(name, { all = false } = {}) {
  const found = await run("xdotool", ["search", ...(all ? [] : ["--onlyvisible"]), "--name", name]);
  return found.code === 0 ? found.stdout.split(/\s+/).filter(Boolean) : [];
}

/** Pids of the app's processes whose name starts with `prefix` (from /proc). */
async function helpers(prefix) {
  const found = [];
  for (const pid of await descendantPids(app.pid)) {
    const comm = (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim();
    if (comm.startsWith(prefix)) found.push(pid);
  }
  return found;
}

/** Pids of the app's WebKit web processes (one per page that is not shared). */
const webProcesses = () => helpers("WebKitWebProces");
/** Pids of WebKit's network process (one while any page is open). */
const networkProcesses = () => helpers("WebKitNetworkPr");

/** Presses `key` in the pop-up, as the agent does. */
async function pressInPopup(key) {
  const [popup] = await windows(POPUP_TITLE);
  assert.ok(popup, "the pop-up is on screen to take the key");
  await run("xdotool", ["windowfocus", "--sync", popup]);
  const pressed = await run("xdotool", ["key", key]);
  assert.equal(pressed.code, 0, `xdotool key ${key}: ${pressed.stderr}`);
}

/** How many Tasks the app's built-in demo org holds for `callId`. */
async function tasksOf(callId) {
  const { query } = await demoOrg({ log: () => output });
  return (await query(`SELECT Id FROM Task WHERE CallObject = '${callId}'`)).length;
}

/** `ringside call KIND` for `callId` from Jane's number, to the app in this test's home. */
const call = (kind, callId, extra = []) =>
  ringside(["call", kind, "--call-id", callId, "--from", NUMBER, ...extra], { RINGSIDE_HOME: home });

before(async () => {
  home = await mkdtemp(join(tmpdir(), "ringside-tray-"));
  // A 1 s idle rule logs the forms by themselves; a dismissed pop-up stays loaded 1 s.
  await writeFile(join(home, "ringside.toml"), "[logging]\nauto_log_after_secs = 1\n[pop]\nkeep_loaded_secs = 1\n");
  // A German desk: the tray and the pop-up's title start in the OS language, with no page yet.
  app = spawn(APP, ["--hidden"], {
    env: { ...process.env, RINGSIDE_HOME: home, RUST_LOG: "info", LANGUAGE: "de", LANG: "de_DE.UTF-8" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  app.stderr.on("data", (chunk) => (output += chunk.toString().replace(/\x1b\[[0-9;]*m/g, "")));
  await waitUntil(() => output.includes("tray ready") || app.exitCode !== null, "the app's tray", 60_000);
  assert.equal(app.exitCode, null, `the app exited at start:\n${output}`);
});

after(async () => {
  if (process.env.TRAY_DEBUG) console.log(output);
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app.once("exit", resolve));
    app.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (app.exitCode === null && app.signalCode === null) app.kill("SIGKILL");
  }
  app?.stderr?.destroy();
  if (home) await rm(home, { recursive: true, force: true });
});

test("started with --hidden, Ringside waits in the tray with no window and no WebKit web process", async () => {
  assert.deepEqual(await windows(MAIN_TITLE, { all: true }), [], "no main window was made");
  assert.deepEqual(await windows(POPUP_TITLE, { all: true }), [], "no pop-up before a call");
  assert.deepEqual(await webProcesses(), [], "no web page is loaded, so no web process runs");
  assert.deepEqual(await networkProcesses(), [], "nor WebKit's network process");
});

test("a ring pops the caller in a pop-up of its own; the call's end is logged without opening the main window", async () => {
  const rang = await call("ring", "TRAY-1");
  assert.equal(rang.code, 0, `ringside call ring failed:\n${rang.stderr}`);
  assert.match(rang.stderr, /sent to the running Ringside/, "the CLI reached the app in the tray");
  await waitUntil(async () => (await windows(POPUP_TITLE)).length === 1, "the pop-up window", 30_000);
  const [popup] = await windows(POPUP_TITLE);
  const title = await run("xdotool", ["getwindowname", popup]);
  assert.equal(title.stdout.trim(), "Ringside: Anrufer", "titled from the German catalog before any page sent the labels");
  await waitUntil(async () => (await webProcesses()).length === 1, "the pop-up's page in a web process of its own", 15_000);

  const ended = await call("end", "TRAY-1", ["--duration", "42"]);
  assert.equal(ended.code, 0, `ringside call end failed:\n${ended.stderr}`);
  await waitUntil(async () => (await tasksOf("TRAY-1")) === 1, "the ended call's Task in the demo org (1 s idle rule)", 30_000);
  assert.deepEqual(await windows(MAIN_TITLE, { all: true }), [], "the log form waits for the main window; it does not open it");
  assert.equal((await windows(POPUP_TITLE)).length, 1, "the pop-up stays until the agent dismisses it");
});

test("Esc hides the pop-up, and keep_loaded_secs later it is closed and its web process is gone", async () => {
  await pressInPopup("Escape");
  await waitUntil(async () => (await windows(POPUP_TITLE)).length === 0, "the pop-up hiding on Esc", 15_000);
  await waitUntil(async () => (await windows(POPUP_TITLE, { all: true })).length === 0, "the hidden pop-up closed after 1 s", 20_000);
  await waitUntil(async () => (await webProcesses()).length === 0, "its web process exiting", 20_000);
  await waitUntil(async () => (await networkProcesses()).length === 0, "WebKit's network process stopped with no page open", 20_000);
  assert.match(output, /stopped WebKit's network process/, "the app says why the process went");
  assert.equal(app.exitCode, null, "closing the last window leaves Ringside running in the tray");
});

test("the next ring makes a new pop-up (WebKit starts a new network process); Enter on its caller opens the main window and hides the pop-up", async () => {
  const rang = await call("ring", "TRAY-2");
  assert.equal(rang.code, 0, `ringside call ring failed:\n${rang.stderr}`);
  await waitUntil(async () => (await windows(POPUP_TITLE)).length === 1, "a new pop-up window", 30_000);
  await waitUntil(async () => (await networkProcesses()).length === 1, "a new network process for the new page", 20_000);
  // Enter opens a found caller: by the time the call's log lands the pop has long been found.
  const ended = await call("end", "TRAY-2", ["--duration", "7"]);
  assert.equal(ended.code, 0, `ringside call end failed:\n${ended.stderr}`);
  await waitUntil(async () => (await tasksOf("TRAY-2")) === 1, "the second call's Task", 30_000);

  await pressInPopup("Return");
  await waitUntil(async () => (await windows(MAIN_TITLE)).length === 1, "the main window opened for the record", 30_000);
  await waitUntil(async () => (await windows(POPUP_TITLE)).length === 0, "the pop-up hidden once the record opened", 15_000);
  // The pop-up had a web process of its own; hidden, it is closed after 1 s and the main
  // window's is the one left.
  await waitUntil(async () => (await webProcesses()).length === 1, "one web process left: the main window's", 20_000);
  assert.deepEqual(await windows(POPUP_TITLE, { all: true }), [], "the hidden pop-up was closed");
});

test("a second launch hands over to the running Ringside instead of opening another main window", async () => {
  const second = await run(APP, [], { env: { ...process.env, RINGSIDE_HOME: home } });
  assert.equal(second.code, 0, `the second launch exits at once:\n${second.stderr}`);
  assert.equal((await windows(MAIN_TITLE, { all: true })).length, 1, "still one main window");
  assert.equal(app.exitCode, null, "the first Ringside runs on");
});
