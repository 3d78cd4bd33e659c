// The installed app starts from its desktop entry, as a user's menu starts it: `gio launch` of
// /usr/share/applications/Ringside.desktop (the package's own entry, Exec=ringside-desktop %u)
// starts /usr/bin/ringside-desktop, which then hears call events from the installed CLI.
// Run by tests/package/run.sh after apt-get install, inside Xvfb and its own D-Bus session.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { readFile, readdir, readlink } from "node:fs/promises";
import { waitUntil } from "../desktop/webdriver.mjs";

const CLI = process.env.RINGSIDE_CLI;
const ENTRY = "/usr/share/applications/Ringside.desktop";

function run(program, args) {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function desktopProcesses() {
  const found = [];
  for (const entry of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, "utf8").catch(() => "")).trim();
    if (comm.startsWith("ringside-deskto")) {
      found.push({ pid: Number(entry), exe: await readlink(`/proc/${entry}/exe`).catch(() => "?") });
    }
  }
  return found;
}

after(async () => {
  for (const { pid } of await desktopProcesses()) process.kill(pid, "SIGTERM");
  await waitUntil(async () => (await desktopProcesses()).length === 0, "the app to stop", 20_000).catch(async () => {
    for (const { pid } of await desktopProcesses()) process.kill(pid, "SIGKILL");
  });
});

test("the app starts from the package's desktop entry and hears `ringside call ring`", async () => {
  assert.equal(CLI, "/usr/bin/ringside", "the installed CLI");
  assert.deepEqual(await desktopProcesses(), [], "no copy of the app runs before the launch");
  let launchLog = "";
  const launcher = spawn("gio", ["launch", ENTRY], { stdio: ["ignore", "pipe", "pipe"] });
  launcher.stdout.on("data", (chunk) => (launchLog += chunk));
  launcher.stderr.on("data", (chunk) => (launchLog += chunk));
  const [app] = await waitUntil(async () => {
    const running = await desktopProcesses();
    return running.length > 0 ? running : null;
  }, `the app to start from ${ENTRY}`, 20_000).catch((err) => {
    throw new Error(`${err.message}\ngio launch said:\n${launchLog}`);
  });
  assert.equal(app.exe, "/usr/bin/ringside-desktop", "the entry starts the installed binary");
  // Ready once its event API answers: the CLI hands the ring to the running app.
  const sent = await waitUntil(async () => {
    const attempt = await run(CLI, ["call", "ring", "--call-id", `entry-${Date.now()}`, "--from", "+1 415 555 0123"]);
    return attempt.code === 0 && /sent to the running Ringside/.test(attempt.stderr) ? attempt : null;
  }, "the app started from its entry to hear a call event", 30_000);
  assert.match(sent.stderr, /sent to the running Ringside/);
});
