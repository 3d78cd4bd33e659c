// Signed auto-update in the real app, against a local update server (node:http) and a key pair
// made here with `tauri signer generate` (nothing private is in the repository). Each case
// starts the app with its own RINGSIDE_HOME whose ringside.toml names the test's public key and
// the server's latest.json; the app checks at start.
// - a correctly signed newer version is downloaded and its signature accepted; this debug build
//   was not installed from a package, so it says it cannot install it (it must not overwrite its
//   own binary). Installing a .deb over an installed one is tests/package's job.
// - a tampered artifact and an unsigned one are refused, and Settings says so in words;
// - an unreachable server is only logged ("trying again later"): no notice, no dialog.
// Run inside Xvfb and its own D-Bus session (run.sh).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchApp, waitUntil } from "./webdriver.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const APP = process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop");
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const TAURI = join(repo, "ui", "node_modules", ".bin", "tauri");
const NEWER = "99.1.0";
const catalog = JSON.parse(
  await readFile(join(repo, "ui", "src", "features", "settings", "locales", "en.json"), "utf8"),
);

function run(program, args, env = {}) {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let work;
let pubkey;
let server;
let base;
/** What the server answers for /latest.json, and what it was asked for. */
let manifest = null;
let artifacts = new Map();
let requests = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), "ringside-update-test-"));
  // The key pair lives only in this temp dir, for this run.
  const generated = await run(TAURI, ["signer", "generate", "-w", join(work, "update.key"), "--ci", "-p", ""]);
  assert.equal(generated.code, 0, `tauri signer generate failed:\n${generated.stderr}`);
  pubkey = (await readFile(join(work, "update.key.pub"), "utf8")).trim();
  // The "newer version": any bytes will do for the signature; what matters is that they are signed.
  const artifact = join(work, `ringside_${NEWER}_amd64.deb`);
  await writeFile(artifact, `!<arch>\nringside ${NEWER} test payload\n`);
  const signed = await run(TAURI, ["signer", "sign", "-f", join(work, "update.key"), "-p", "", "--app-version", NEWER, artifact]);
  assert.equal(signed.code, 0, `tauri signer sign failed:\n${signed.stderr}`);
  const good = await readFile(artifact);
  const signature = (await readFile(`${artifact}.sig`, "utf8")).trim();
  const tampered = Buffer.from(good);
  tampered[tampered.length - 2] ^= 0x01;
  artifacts = new Map([
    ["/good.deb", good],
    ["/tampered.deb", tampered],
  ]);
  manifest = { signature };

  server = createServer((req, res) => {
    requests.push(req.url);
    if (req.url === "/latest.json" && manifest.body) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(manifest.body));
      return;
    }
    const bytes = artifacts.get(req.url);
    if (bytes) {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
      res.end(bytes);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (work) await rm(work, { recursive: true, force: true });
});

/** latest.json in the plugin's static format: one entry per target, ours is linux-x86_64. */
function latest(url, signature) {
  const entry = { url: `${base}${url}`, signature };
  return {
    version: NEWER,
    notes: "test release",
    pub_date: new Date().toISOString(),
    platforms: { "linux-x86_64": entry, "linux-x86_64-deb": entry, "linux-aarch64": entry },
  };
}

/** Starts the app with a home of its own whose [update] points at `endpoint`. */
async function startApp(name, endpoint) {
  const home = join(work, name);
  await mkdir(home, { recursive: true });
  await writeFile(join(home, "ringside.toml"), `[update]\npubkey = "${pubkey}"\nendpoint = "${endpoint}"\n`);
  requests = [];
  return launchApp({ app: APP, driver: DRIVER, env: { RINGSIDE_HOME: home } });
}

/** Opens Settings and returns the update line's kind and text once it has one. */
async function updateLine(session) {
  await session.click(await session.find("#nav-settings"));
  return waitUntil(async () => {
    // Settings asks again each time it is shown; the check may finish after the first look.
    await session.click(await session.find("#nav-caller"));
    await session.click(await session.find("#nav-settings"));
    const [line] = await session.findAll("#settings-update:not([hidden])");
    if (!line) return null;
    return { kind: await session.attribute(line, "data-kind"), text: await session.text(line) };
  }, "the update line in Settings", 20_000);
}

test("a newer version signed with the organisation's key is downloaded and accepted", async () => {
  manifest.body = latest("/good.deb", manifest.signature);
  const app = await startApp("good", `${base}/latest.json`);
  try {
    await waitUntil(() => app.log().includes("cannot install it"), "the verified update to be logged", 30_000);
    assert.ok(requests.includes("/latest.json") && requests.includes("/good.deb"), `checked and downloaded: ${requests}`);
    assert.doesNotMatch(app.log(), /an update was refused/, "a good signature is accepted");
    const line = await updateLine(app.session);
    assert.equal(line.kind, "not_installable", "a debug build verifies but never overwrites its own binary");
    const plain = (text) => text.replace(/[\u2066-\u2069]/g, "");
    assert.equal(plain(line.text), catalog["settings.update.not_installable"].replace("{version}", NEWER), "said in words");
  } finally {
    await app.close();
  }
});

test("a tampered update is refused and Settings says so in words", async () => {
  manifest.body = latest("/tampered.deb", manifest.signature);
  const app = await startApp("tampered", `${base}/latest.json`);
  try {
    await waitUntil(() => app.log().includes("an update was refused"), "the refusal to be logged", 30_000);
    assert.ok(requests.includes("/tampered.deb"), "the artifact was fetched, then refused");
    const line = await updateLine(app.session);
    assert.equal(line.kind, "refused");
    assert.match(line.text, /its signature does not match your organisation's key/);
  } finally {
    await app.close();
  }
});

test("an unsigned update is refused", async () => {
  manifest.body = latest("/good.deb", "");
  const app = await startApp("unsigned", `${base}/latest.json`);
  try {
    await waitUntil(() => app.log().includes("an update was refused"), "the refusal to be logged", 30_000);
    const line = await updateLine(app.session);
    assert.equal(line.kind, "refused", "no signature is no better than a wrong one");
  } finally {
    await app.close();
  }
});

test("an unreachable update server means a quiet retry later, no notice and no dialog", async () => {
  // A port nobody listens on: take one from the OS, then close it.
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const dead = `http://127.0.0.1:${probe.address().port}/latest.json`;
  await new Promise((resolve) => probe.close(resolve));
  const app = await startApp("offline", dead);
  try {
    await waitUntil(() => app.log().includes("trying again later"), "the quiet retry to be logged", 30_000);
    assert.match(app.log(), /INFO.*could not be reached; trying again later/, "logged at info, not as an error");
    assert.match(app.log(), /retry_in_secs=300/, "the first retry is five minutes later");
    await app.session.click(await app.session.find("#nav-settings"));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await app.session.waitFor("#settings-update[hidden]");
    assert.equal((await app.session.findAll("#settings-update:not([hidden])")).length, 0, "no notice for a missing network");
    const windows = await app.session.windowHandles();
    assert.equal(windows.length, 1, "no dialog window opened");
    // The app is still usable.
    await app.session.click(await app.session.find("#nav-caller"));
    await app.session.waitFor("#search-input");
  } finally {
    await app.close();
  }
});
