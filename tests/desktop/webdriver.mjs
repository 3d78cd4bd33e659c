// A minimal W3C WebDriver client over HTTP (node fetch): just the endpoints the desktop
// tests use. tauri-driver forwards them to WebKitWebDriver, which drives the real window.

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
export const KEY_ENTER = "\uE007";
export const KEY_ESCAPE = "\uE00C";

export class WebDriverError extends Error {}

async function call(base, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let payload;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new WebDriverError(`${method} ${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!response.ok || payload?.value?.error) {
    const { error, message } = payload?.value ?? {};
    throw new WebDriverError(`${method} ${path}: ${error ?? response.status}: ${message ?? text.slice(0, 300)}`);
  }
  return payload.value;
}

/** The id in a W3C element reference; throws rather than letting `undefined` compare equal. */
function elementId(reference, what) {
  const id = reference?.[ELEMENT];
  if (typeof id !== "string" || id === "") {
    throw new WebDriverError(`no element reference for ${what}: ${JSON.stringify(reference)}`);
  }
  return id;
}

export class Session {
  static async create(base, capabilities) {
    const value = await call(base, "POST", "/session", { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, value.sessionId);
  }

  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  #call(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(css) {
    return elementId(await this.#call("POST", "/element", { using: "css selector", value: css }), css);
  }

  async findAll(css) {
    const value = await this.#call("POST", "/elements", { using: "css selector", value: css });
    return value.map((element) => elementId(element, css));
  }

  /** Polls until `css` matches at least one element; the app answers asynchronously. */
  async waitFor(css, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.findAll(css);
      if (found.length > 0) return found;
      if (Date.now() > deadline) throw new WebDriverError(`nothing matched ${css} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async activeElement() {
    return elementId(await this.#call("GET", "/element/active"), "the active element");
  }

  text(element) {
    return this.#call("GET", `/element/${element}/text`);
  }

  attribute(element, name) {
    return this.#call("GET", `/element/${element}/attribute/${name}`);
  }

  /**
   * Finds `css` and clicks it; when the page re-rendered between the two (a list refreshed by a
   * backend event replaces its nodes: "stale element reference"), finds it again, up to 5 s.
   */
  async clickFresh(css, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.click(await this.find(css));
      } catch (err) {
        if (!/stale element/i.test(err.message) || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  click(element) {
    return this.#call("POST", `/element/${element}/click`, {});
  }

  clear(element) {
    return this.#call("POST", `/element/${element}/clear`, {});
  }

  type(element, text) {
    return this.#call("POST", `/element/${element}/value`, { text });
  }

  execute(script, args = []) {
    return this.#call("POST", "/execute/sync", { script, args });
  }

  /** Handles of every top-level window the session knows (the main window, the pop-up…). */
  windowHandles() {
    return this.#call("GET", "/window/handles");
  }

  windowHandle() {
    return this.#call("GET", "/window");
  }

  /** Sends later commands to another window. */
  switchToWindow(handle) {
    return this.#call("POST", "/window", { handle });
  }

  /** Sends keys to whatever has focus in the current window (W3C actions, one key). */
  async pressKey(key) {
    await this.#call("POST", "/actions", {
      actions: [
        {
          type: "key",
          id: "keyboard",
          actions: [
            { type: "keyDown", value: key },
            { type: "keyUp", value: key },
          ],
        },
      ],
    });
  }

  /** The window's content as PNG bytes. */
  async screenshot() {
    return Buffer.from(await this.#call("GET", "/screenshot"), "base64");
  }

  delete() {
    return this.#call("DELETE", "");
  }
}

/**
 * Starts tauri-driver (on a free port pair) with `env` added to this process's environment,
 * so the app it launches gets it too (e.g. its own RINGSIDE_HOME), and opens a session on the
 * app (started with `args`, if given), waiting up to `readyTimeoutMs` for `readySelector`. Resolves to { session, log() (the
 * driver's and the app's output so far), driverPid (the app runs below it), relaunch() (a new
 * session, so a new app, on the same driver: after the app was killed), close() }.
 */
export async function launchApp({ app, driver, env = {}, args, readySelector = "#search-input", readyTimeoutMs = 15_000 }) {
  const { spawn } = await import("node:child_process");
  const { createServer } = await import("node:net");
  const free = (port) =>
    new Promise((resolve) => {
      const probe = createServer().once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
  let port = 0;
  for (let attempt = 0; attempt < 50 && port === 0; attempt++) {
    const candidate = 20000 + Math.floor(Math.random() * 20000);
    if ((await free(candidate)) && (await free(candidate + 1))) port = candidate;
  }
  if (port === 0) throw new WebDriverError("no free port pair on 127.0.0.1");
  const base = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(driver, ["--port", String(port), "--native-port", String(port + 1)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/status`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null) throw new WebDriverError(`tauri-driver exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new WebDriverError(`tauri-driver did not start within 20 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const open = async () => {
    const session = await Session.create(base, { browserName: "wry", "tauri:options": { application: app, ...(args ? { args } : {}) } });
    await session.waitFor(readySelector, readyTimeoutMs);
    return session;
  };
  const running = {
    session: await open(),
    log: () => output.replace(/\x1b\[[0-9;]*m/g, ""),
    driverPid: child.pid,
    relaunch: async () => {
      running.session = await open();
      return running.session;
    },
    close: () => closeDriverSession(child, running.session),
  };
  return running;
}

/** Pids of `root`'s descendants (from /proc), to find the app tauri-driver started. */
export async function descendantPids(root) {
  const { readdir, readFile } = await import("node:fs/promises");
  const children = new Map();
  for (const entry of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Ends a WebDriver session and its tauri-driver `driver` (a spawned child) so that nothing
 * outlives the test: the app the session started gets 10 s to quit after the session ends,
 * then is stopped (a copy left running would own the single-instance name, and since it
 * holds the driver's output pipes it would also keep this node process alive for ever);
 * the driver is stopped and its pipes closed without waiting on them.
 */
export async function closeDriverSession(driver, session) {
  const { readFile } = await import("node:fs/promises");
  const alive = async (pid) => (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => null)) !== null;
  const started = driver ? await descendantPids(driver.pid) : [];
  await session?.delete().catch((err) => console.error(`# closing the session: ${err.message}`));
  for (const pid of started) {
    const comm = (await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "")).trim();
    if (!comm.startsWith("ringside-deskto")) continue;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await alive(pid))) await new Promise((resolve) => setTimeout(resolve, 200));
    if (await alive(pid)) {
      console.log(`# the app (pid ${pid}) did not exit within 10 s of the session's end; stopping it`);
      process.kill(pid, "SIGKILL");
    }
  }
  if (driver && driver.exitCode === null && driver.signalCode === null) {
    const exited = new Promise((resolve) => driver.once("exit", resolve));
    driver.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  driver?.stdout?.destroy();
  driver?.stderr?.destroy();
}

/** Polls until `predicate()` is truthy (it may be async); throws `what` after `timeoutMs`. */
export async function waitUntil(predicate, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new WebDriverError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until the demo org at `url` refuses connections (a `refuse_connections` fault closes
 * its socket a moment after answering 204): a step that must happen while the org is down
 * starts only once it is, however loaded the machine.
 */
export async function untilRefused(url, timeoutMs = 15_000) {
  await waitUntil(
    () =>
      fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        () => false,
        () => true,
      ),
    `${url} to refuse connections`,
    timeoutMs,
  );
}

/** Waits until the demo org at `url` answers HTTP again (after a `refuse_connections` fault). */
export async function untilAnswering(url, timeoutMs) {
  await waitUntil(
    () =>
      fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        () => true,
        () => false,
      ),
    `${url} to answer again`,
    timeoutMs,
  );
}

// Catalog messages filled as the UI fills them (values isolated with FSI…PDI).
/**
 * Types `number` into the main window's search box, presses Enter and waits until the search
 * has finished; returns the status's `data-state` ("found" or "failed").
 */
export async function searchNumber(session, number) {
  const input = await session.find("#search-input");
  await session.clear(input);
  await session.type(input, number + KEY_ENTER);
  await waitUntil(
    async () => ["found", "failed"].includes(await session.attribute(await session.find("#status"), "data-state")),
    "the search to finish",
  );
  return session.attribute(await session.find("#status"), "data-state");
}

export { fill } from "../i18n-fill.mjs";
