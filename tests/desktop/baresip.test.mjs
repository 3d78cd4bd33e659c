// A real softphone into the real window: baresip (headless, manual answer, ctrl_tcp on a free
// port) rings from a SIPp call by +1 415 555 0123; the desktop app, told where baresip is by
// `[pop] baresip` in its ringside.toml, pops Jane Caller in the pop-up window; the CANCEL marks
// the call missed. The app starts before baresip and outlives a baresip restart (the adapter
// reconnects with backoff). Skipped with the reason when baresip or sipp is missing outside CI.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchApp, waitUntil } from "./webdriver.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const APP = process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const FIXTURES = join(repo, "crates", "ringside-cli", "tests", "cli", "fixtures");

const installed = (tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
// Each tool with its apt package. Without them the tests are skipped, and the tally of
// scripts/test.sh names them as skipped; under CI=true (and in scripts/test.sh, which checks the
// tools first) a missing tool is a failure.
const missing = [["baresip", "baresip"], ["sipp", "sip-tester"]].filter(([tool]) => !installed(tool)).map(([, apt]) => apt);
if (missing.length > 0 && process.env.CI === "true") {
  throw new Error(`CI=true but baresip/sipp are missing: apt-get install ${missing.join(" ")} (scripts/install-deps.sh installs them)`);
}
const skip = missing.length > 0 ? `needs apt-get install ${missing.join(" ")} (scripts/install-deps.sh installs them)` : false;

/** `n` distinct ports free for TCP and UDP on 127.0.0.1, all held until all are chosen. */
async function freePorts(n) {
  const held = [];
  const ports = [];
  while (ports.length < n) {
    const tcp = createServer();
    await new Promise((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    const { port } = tcp.address();
    const udp = createSocket("udp4");
    const udpOk = await new Promise((resolve) => {
      udp.once("error", () => resolve(false));
      udp.bind(port, "127.0.0.1", () => resolve(true));
    });
    // Why: baresip also opens SIP/TLS on the next port (sip_listen + 1); a taken neighbour
    // made it fail with "Address already in use".
    const tls = createServer();
    const tlsOk = await new Promise((resolve) => {
      tls.once("error", () => resolve(false));
      tls.listen(port + 1, "127.0.0.1", () => resolve(true));
    });
    const ok = udpOk && tlsOk;
    held.push(tcp, udp);
    if (tlsOk) held.push(tls);
    if (ok) ports.push(port);
  }
  for (const socket of held) await new Promise((resolve) => socket.close(() => resolve()));
  return ports;
}

let dir;
let ports;
let baresip;
let app;

/** Starts baresip with SOFTPHONES.md's headless config; its output goes to baresip.log. */
async function startBaresip() {
  const [sip, ctrl] = ports;
  const config = join(dir, "baresip");
  await mkdir(config, { recursive: true });
  await writeFile(
    join(config, "config"),
    [
      `sip_listen 127.0.0.1:${sip}`,
      "net_interface 127.0.0.1",
      "audio_player aubridge,nil",
      "audio_source ausine,440",
      "ausrc_srate 48000",
      "ausrc_channels 2",
      "audio_alert aubridge,nil",
      "module_path /usr/lib/baresip/modules",
      "module g711.so",
      "module ausine.so",
      "module aubridge.so",
      "module_tmp uuid.so",
      "module_tmp account.so",
      "module_app contact.so",
      "module_app menu.so",
      "module_app ctrl_tcp.so",
      `ctrl_tcp_listen 127.0.0.1:${ctrl}`,
      "",
    ].join("\n"),
  );
  await writeFile(join(config, "accounts"), "<sip:agent@127.0.0.1>;regint=0;answermode=manual\n");
  await writeFile(join(config, "contacts"), "");
  const child = spawn("baresip", ["-f", config], { stdio: ["ignore", "pipe", "pipe"] });
  child.log = "";
  child.stdout.on("data", (chunk) => (child.log += chunk));
  child.stderr.on("data", (chunk) => (child.log += chunk));
  return child;
}

async function stopBaresip() {
  if (baresip === undefined || baresip.exitCode !== null) return;
  const exited = new Promise((resolve) => baresip.once("exit", resolve));
  baresip.kill("SIGTERM");
  await exited;
}

/** Places one SIPp call (a scenario from the CLI's fixtures) to baresip; resolves when SIPp ends. */
function placeCall(scenario) {
  const [sip, , sippPort, media] = ports;
  return new Promise((resolve) => {
    execFile(
      "timeout",
      ["60", "sipp", "-sf", join(FIXTURES, scenario), `127.0.0.1:${sip}`, "-m", "1", "-s", "agent", "-i", "127.0.0.1", "-nostdin", "-timeout", "30", "-p", String(sippPort), "-mp", String(media)],
      { cwd: dir, timeout: 70_000 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The pop-up's window handle, once it exists beside the main window. */
async function popupWindow(mainHandle) {
  return waitUntil(async () => (await app.session.windowHandles()).find((handle) => handle !== mainHandle), "the pop-up window");
}

const connections = () => (app.log().match(/connected to baresip ctrl_tcp/g) ?? []).length;

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), "ringside-baresip-desktop-"));
  ports = await freePorts(4);
  const home = join(dir, "home");
  await mkdir(home, { recursive: true });
  // The documented way: [pop] in ringside.toml (no environment override).
  await writeFile(join(home, "ringside.toml"), `[pop]\nopen_on = "ring"\nbaresip = "127.0.0.1:${ports[1]}"\n`);
  // The app first: baresip not running yet must not stop it.
  app = await launchApp({ app: APP, driver: DRIVER, env: { RINGSIDE_HOME: home, RINGSIDE_POP_ON: "", RINGSIDE_EVENT_PORT: "" } });
  await waitUntil(() => /cannot reach baresip ctrl_tcp/.test(app.log()), "the adapter to report baresip missing");
  baresip = await startBaresip();
  await waitUntil(() => connections() >= 1, `the adapter to reach baresip; log:\n${app?.log().slice(-2000)}`, 30_000);
});

after(async () => {
  await app?.close();
  await stopBaresip();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("a SIPp call into baresip pops Jane Caller in the pop-up, and its CANCEL shows it missed", { skip }, async () => {
  const { session } = app;
  const mainHandle = await session.windowHandle();
  const call = placeCall("sipp-ring-then-cancel.xml");
  const popup = await popupWindow(mainHandle);
  await session.switchToWindow(popup);
  await session.waitFor('#popup[data-state="found"], #popup[data-state="failed"], #popup[data-state="none"]', 20_000);
  assert.equal(await session.attribute(await session.find("#popup"), "data-state"), "found", `the pop failed: ${await session.text(await session.find("#popup"))}`);
  assert.equal(await session.text(await session.find("#pop-number")), "+14155550123", "the number baresip's peeruri carried");
  assert.equal(await session.text(await session.find("#pop-details .record-name")), "Jane Caller", "the seeded Contact pops from a real softphone call");

  await session.waitFor('#popup[data-ended="missed"]', 20_000);
  const en = JSON.parse(await readFile(join(repo, "ui", "src", "features", "popup", "locales", "en.json"), "utf8"));
  assert.equal(await session.text(await session.find("#pop-ended")), en["popup.ended.missed"], "a call CANCELled before anyone answered is missed");
  const done = await call;
  assert.equal(done.code, 0, `sipp failed:\n${done.stdout}\n${done.stderr}\nbaresip:\n${baresip.log}`);
  await session.switchToWindow(mainHandle);
});

test("baresip restarting does not crash the app: the adapter reconnects and the next call pops again", { skip }, async () => {
  const { session } = app;
  const mainHandle = await session.windowHandle();
  const before = connections();
  await stopBaresip();
  await waitUntil(() => /baresip closed the connection|lost the baresip connection/.test(app.log()), "the adapter to notice baresip is gone");
  assert.equal(await session.execute("return document.readyState"), "complete", "the app still answers with baresip gone");
  baresip = await startBaresip();
  await waitUntil(() => connections() > before, `the adapter to reconnect; log:\n${app.log().slice(-2000)}`, 30_000);

  // Another SIP Call-ID: the pop-up must move on to this call (its missed mark cleared first).
  const call = placeCall("sipp-ring-then-cancel.xml");
  await session.switchToWindow(await popupWindow(mainHandle));
  await session.waitFor('#popup[data-ended=""][data-state="found"]', 20_000);
  assert.equal(await session.text(await session.find("#pop-details .record-name")), "Jane Caller", "the restarted softphone's call pops too");
  await session.waitFor('#popup[data-ended="missed"]', 20_000);
  const done = await call;
  assert.equal(done.code, 0, `sipp failed:\n${done.stdout}\n${done.stderr}`);
  await session.switchToWindow(mainHandle);
});
