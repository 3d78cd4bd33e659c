// Benchmark, not a test (skipped unless RINGSIDE_MEMORY_BENCH=1): where the desktop app's
// memory grows (issue 16, item 5). Prints, per process of this app (the app, its WebKit web
// process), PSS and anonymous memory from /proc/PID/smaps_rollup. Read growth from the
// ANONYMOUS column: PSS moves by tens of MiB when other programs on the machine map the same
// libraries. Runs differ by ±15 MiB on a shared 2-core machine: compare several runs made under
// the same conditions.
//
// - "per call": BENCH_CALLS calls (ring + end, one every 100 ms; the idle rule logs each after
//   1 s) in four rounds, waiting after each round until the demo org has the calls' Tasks.
// - "per command": BENCH_COMMANDS invokes of BENCH_COMMAND (default current_org), four times,
//   from the main window, with no call: what one IPC round trip leaves behind.
//
//   RINGSIDE_MEMORY_BENCH=1 BENCH_CALLS=200 bash tests/desktop/run.sh tests/desktop/memory-bench.test.mjs
// Other knobs: BENCH_ENV='{"NAME":"value"}' (environment for the app, e.g. RINGSIDE_POP_ON=manual),
// BENCH_SMAPS=DIR (saves each process's /proc/PID/smaps at each report, to compare mappings),
// BENCH_IDLE_WAITS=N (reports N more times, 30 s apart, after the calls),
// RINGSIDE_BENCH_APP=target/release/ringside-desktop (measures another build).

import { after, test } from "node:test";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchApp, waitUntil } from "./webdriver.mjs";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const APP = process.env.RINGSIDE_BENCH_APP
  ? resolve(repo, process.env.RINGSIDE_BENCH_APP)
  : (process.env.RINGSIDE_APP ?? join(repo, "target", "debug", "ringside-desktop"));
const DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";
const SKIP = process.env.RINGSIDE_MEMORY_BENCH !== "1" && "set RINGSIDE_MEMORY_BENCH=1 to measure";
const ROUNDS = 4;

let app;
let home;
after(async () => {
  await app?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

/** PSS and anonymous MiB of each process of the app under test (found by its RINGSIDE_HOME). */
async function usage() {
  const out = {};
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (!environ.split("\0").includes(`RINGSIDE_HOME=${home}`)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, "utf8").catch(() => "")).trim();
    if (!comm.startsWith("ringside") && !comm.startsWith("WebKit")) continue;
    const rollup = await readFile(`/proc/${entry}/smaps_rollup`, "utf8").catch(() => "");
    const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? 0);
    out[`${comm}:${entry}`] = { pss: +(kib("Pss") / 1024).toFixed(1), anon: +(kib("Anonymous") / 1024).toFixed(1) };
  }
  return out;
}

async function report(label) {
  const found = await usage();
  console.log(label, JSON.stringify(found));
  if (!process.env.BENCH_SMAPS) return;
  for (const key of Object.keys(found)) {
    const pid = key.split(":")[1];
    const smaps = await readFile(`/proc/${pid}/smaps`, "utf8").catch(() => "");
    await writeFile(join(process.env.BENCH_SMAPS, `${label.replace(/\W+/g, "-")}-${key.replace(/\W+/g, "-")}.smaps`), smaps);
  }
}

async function start() {
  home = await mkdtemp(join(tmpdir(), "ringside-memory-"));
  // The idle rule logs each call a second after it ends: the soak includes the logging.
  await writeFile(join(home, "ringside.toml"), "[logging]\nauto_log_after_secs = 1\n");
  const env = { RINGSIDE_HOME: home, RINGSIDE_POP_ON: "", RINGSIDE_EVENT_PORT: "" };
  app = await launchApp({ app: APP, driver: DRIVER, env: { ...env, ...JSON.parse(process.env.BENCH_ENV ?? "{}") } });
  return app.session;
}

async function stop() {
  await app?.close();
  app = undefined;
  await rm(home, { recursive: true, force: true });
  home = undefined;
}

test("memory per call", { skip: SKIP, timeout: 1_800_000 }, async () => {
  const calls = Number(process.env.BENCH_CALLS ?? 200);
  const session = await start();
  const { port } = JSON.parse(await readFile(join(home, "event-api.json"), "utf8"));
  const apiToken = (await readFile(join(home, "event-api.token"), "utf8")).trim();
  const current = await session.execute("return window.__TAURI_INTERNALS__.invoke('current_org')");
  const org = current.org.instance_url;
  const orgToken = (await (await fetch(`${org}/__demo/tokens`, { method: "POST" })).json()).access_token;
  const query = async (soql) =>
    (await fetch(`${org}/services/data/v66.0/query?q=${encodeURIComponent(soql)}`, { headers: { authorization: `Bearer ${orgToken}` } })).json();
  const phones = (await query("SELECT Phone FROM Contact WHERE Phone != null LIMIT 400")).records.map((r) => `+${r.Phone.replace(/\D/g, "")}`);
  const numbers = [...new Set(phones)];
  const send = (body) =>
    fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await new Promise((r) => setTimeout(r, 5000));
  await report("idle");
  // DOM nodes the main window creates per call (each added node and everything below it):
  // WebKitGTK keeps memory for each node made and dropped (README, performance), so this
  // count is what the web process's growth per call follows.
  await session.execute(
    `window.__nodesAdded = 0; new MutationObserver((changes) => { for (const change of changes) for (const node of change.addedNodes) { const walker = document.createTreeWalker(node); window.__nodesAdded += 1; while (walker.nextNode()) window.__nodesAdded += 1; } }).observe(document.body, { childList: true, subtree: true }); return 1;`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (let n = 0; n < calls / ROUNDS; n++) {
      const call = { call_id: `m-${round}-${n}`, from: numbers[(round * 1000 + n) % numbers.length], direction: "inbound" };
      await send({ event: "ring", ...call });
      await send({ event: "end", ...call, duration: 42 });
      await new Promise((r) => setTimeout(r, 100));
    }
    const logged = async () => (await query(`SELECT COUNT() FROM Task WHERE CallObject LIKE 'm-${round}-%'`)).totalSize >= calls / ROUNDS;
    await waitUntil(logged, `round ${round}'s calls logged`, 300_000);
    await new Promise((r) => setTimeout(r, 5000));
    await report(`after ${((round + 1) * calls) / ROUNDS} calls`);
    const added = await session.execute("return window.__nodesAdded");
    console.log(`main window: ${added} DOM nodes added in ${((round + 1) * calls) / ROUNDS} calls (${(added / (((round + 1) * calls) / ROUNDS)).toFixed(0)} per call)`);
  }
  for (let wait = 1; wait <= Number(process.env.BENCH_IDLE_WAITS ?? 0); wait++) {
    await new Promise((r) => setTimeout(r, 30_000));
    await report(`idle +${wait * 30}s`);
  }
  await stop();
});

test("memory per command", { skip: SKIP, timeout: 1_800_000 }, async () => {
  const count = Number(process.env.BENCH_COMMANDS ?? 300);
  const command = process.env.BENCH_COMMAND ?? "current_org";
  const session = await start();
  await new Promise((r) => setTimeout(r, 8000));
  await report("idle");
  for (let round = 0; round < ROUNDS; round++) {
    // WebKitWebDriver does not wait for a returned promise: the loop runs on, and is polled.
    await session.execute(
      `window.__benchDone = 0; (async () => { try { for (let i = 0; i < ${count}; i++) await window.__TAURI_INTERNALS__.invoke(${JSON.stringify(command)}); window.__benchDone = 1; } catch (e) { window.__benchDone = String(e); } })(); return 1;`,
    );
    await waitUntil(async () => (await session.execute("return window.__benchDone")) !== 0, "the invokes", 300_000);
    const done = await session.execute("return window.__benchDone");
    if (done !== 1) throw new Error(`${command} failed: ${done}`);
    await new Promise((r) => setTimeout(r, 3000));
    await report(`after ${(round + 1) * count} ${command}`);
  }
  await stop();
});
