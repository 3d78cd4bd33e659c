// Test harness: serves the built UI (ui/dist) on a loopback port, starts Debian's Chromium
// through playwright-core with a fresh profile, and installs Tauri's own `mockIPC` (from
// @tauri-apps/api/mocks) before the app's scripts run, so `invoke` answers from the test.
import { createServer } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const repo = fileURLToPath(new URL("../../", import.meta.url));
export const distDir = join(repo, "ui", "dist");
const mocksFile = join(repo, "ui", "node_modules", "@tauri-apps", "api", "mocks.js");
const localesDir = join(repo, "ui", "src", "i18n", "locales");

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** Serves ui/dist on 127.0.0.1 (a free port). Resolves to { url, close }. */
export async function serveDist() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(distDir, path === "/" ? "index.html" : path));
    // Why: never serve outside dist, whatever the request path says.
    if (!file.startsWith(distDir + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Chromium with a fresh user-data-dir; `locale` becomes navigator.language. */
export async function launchBrowser({ locale = "en-US" } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "ringside-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    locale,
    viewport: { width: 480, height: 600 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The init script: Tauri's real mocks.js (its ESM `export` turned into a global), then
 * `mockIPC` with a handler answering `lookup_caller` from `scenario`:
 *   { result } → resolves with it; { error } → rejects with it (as Tauri does with IpcError);
 *   hold: true → waits until the page calls `window.__releaseLookup()` (to see "Searching…");
 *   delayMs → answers after that long; byQuery: { [query]: answer } → a different answer per query.
 *   commands: { [cmd]: answer } → what other commands answer (default: `current_org` says demo org,
 *   `record_to_show` null).
 * Each lookup_caller call is recorded in `window.__ipcCalls`, every call in `window.__allIpcCalls`.
 */
export async function ipcMockScript(scenario) {
  const mocks = await readFile(mocksFile, "utf8");
  const asGlobal = mocks.replace(/^export \{([^}]*)\};?\s*$/m, "window.__tauriMocks = {$1};");
  if (asGlobal === mocks) throw new Error("mocks.js no longer ends in one `export {…}`: update the harness");
  return `(() => {
${asGlobal}
const scenario = ${JSON.stringify(scenario)};
window.__ipcCalls = [];
window.__allIpcCalls = [];
const otherCommands = {
  current_org: { org: { alias: null, username: null, instance_url: "http://127.0.0.1:1", demo: true }, problem: null },
  // The shell's answer when Enter in the pop-up left no record for a new main window.
  record_to_show: null,
  ...scenario.commands,
};
let release;
const released = new Promise((resolve) => { release = resolve; });
window.__releaseLookup = () => release();
// shouldMockEvents: \`listen\` (the record panel's show-record) is answered by Tauri's mock event bus.
window.__tauriMocks.mockIPC(async (cmd, args) => {
  window.__allIpcCalls.push({ cmd, args });
  if (cmd !== "lookup_caller") {
    if (cmd in otherCommands) return otherCommands[cmd];
    throw "command " + cmd + " not allowed";
  }
  window.__ipcCalls.push({ cmd, args });
  const answer = scenario.byQuery?.[args.query] ?? scenario;
  if (answer.hold) await released;
  if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
  if (answer.error) throw answer.error;
  return answer.result;
}, { shouldMockEvents: true });
})();`;
}

/**
 * The pop-up window's init script: mocks.js as above, `mockIPC` with Tauri's mock event bus, and
 * answers for the pop-up's commands: `current_pop` → `scenario.current` (null if absent),
 * `dismiss_pop` and `open_caller_record` → null (or `scenario.openError`, rejected); other commands
 * from `scenario.commands` ({ result } | { error }; hold: true waits for `window.__releaseCommand()`). Every
 * command is recorded in `window.__ipcCalls`; `window.__sendPop(update)` emits a `pop-update`.
 */
export async function popupMockScript(scenario) {
  const mocks = await readFile(mocksFile, "utf8");
  const asGlobal = mocks.replace(/^export \{([^}]*)\};?\s*$/m, "window.__tauriMocks = {$1};");
  if (asGlobal === mocks) throw new Error("mocks.js no longer ends in one `export {…}`: update the harness");
  return `(() => {
${asGlobal}
const scenario = ${JSON.stringify(scenario)};
window.__ipcCalls = [];
window.__tauriMocks.mockIPC(async (cmd, args) => {
  window.__ipcCalls.push({ cmd, args });
  switch (cmd) {
    case "current_pop": return scenario.current ?? null;
    case "dismiss_pop": return null;
    case "open_caller_record": if (scenario.openError) throw scenario.openError; return null;
    default: {
      // scenario.commands: { [cmd]: { result } | { error } | { hold: true, result } } for other commands.
      const answer = scenario.commands?.[cmd];
      if (answer === undefined) throw "command " + cmd + " not allowed";
      if (answer.hold) await new Promise((resolve) => { window.__releaseCommand = resolve; });
      if (answer.error) throw answer.error;
      return answer.result ?? null;
    }
  }
}, { shouldMockEvents: true });
window.__sendPop = (update) =>
  window.__TAURI_INTERNALS__.invoke("plugin:event|emit", { event: "pop-update", payload: update });
})();`;
}

/** Opens the pop-up page (popup.html) with its mocked commands installed first. */
export async function openPopup(browser, url, scenario = {}) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.addInitScript({ content: await popupMockScript(scenario) });
  await page.goto(new URL("popup.html", url).href);
  await page.waitForSelector("#popup[data-state]");
  // The pop-up listens before it asks for the current pop; wait until both happened.
  await page.waitForFunction(() => window.__ipcCalls.some((call) => call.cmd === "current_pop"));
  return { page, errors };
}

/** Opens the app in a new page with the given IPC scenario installed first. */
export async function openApp(browser, url, scenario) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(err));
  await page.addInitScript({ content: await ipcMockScript(scenario) });
  await page.goto(url);
  await page.waitForSelector("#search-input");
  return { page, errors };
}

export async function catalog(locale) {
  return JSON.parse(await readFile(join(localesDir, `${locale}.json`), "utf8"));
}

// Catalog messages filled as the UI fills them: shared with the desktop tests.
export { FSI, PDI, fill, plain } from "../i18n-fill.mjs";
