// The real app started on a read-only call-log database: it still opens, says what is wrong and
// what to do (above the log form and in the queue view), and a call logged meanwhile is kept as a
// file with the agent's notes, queued as soon as the database works again. Run by run.sh (Xvfb,
// its own D-Bus session, RINGSIDE_HOME in a temp dir).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, readFile } from "node:fs/promises";
import { join } from "node:path";
import { launch, ringside } from "./call-log-app.mjs";

const HOME = process.env.RINGSIDE_HOME;
const DB = HOME ? join(HOME, "ringside.db") : null;
const NOTES = `Customer wants the H2 headset, call back Friday — 金曜日に折り返し (${Date.now()})`;

let app;
let session;

before(async () => {
  assert.ok(HOME, "run.sh sets RINGSIDE_HOME for the app and the CLI");
  // The database exists (the CLI creates it), then is made read-only before the app starts.
  const created = await ringside(["queue", "status"]);
  assert.equal(created.code, 0, created.stderr);
  await chmod(DB, 0o444);
  app = await launch();
  session = app.session;
});

after(async () => {
  await app?.close();
  if (DB) await chmod(DB, 0o644).catch(() => {});
});

test("on a read-only database the app opens, says so, and keeps a logged call's notes until it works again", async () => {
  await session.waitFor("#call-log-problem:not([hidden])");
  const problem = await session.text(await session.find("#call-log-problem"));
  assert.match(problem, /read-only/, `the agent is told what is wrong: ${problem}`);
  assert.match(problem, /chmod u\+w|writable/, `…and what to do: ${problem}`);

  await session.click(await session.find("#call-log-start"));
  const [form] = await session.waitFor('.call-log-form[data-manual="true"]');
  const callId = await session.attribute(form, "data-call-id");
  const inForm = (css) => session.find(`.call-log-form[data-call-id="${callId}"] ${css}`);
  await session.type(await inForm(".call-log-from"), "+14155550123");
  await session.type(await inForm(".call-log-to"), "+14155550100");
  await session.type(await inForm(".call-log-notes"), NOTES);
  await session.click(await inForm(".call-log-submit"));
  await session.waitFor(`.call-log-result[data-call-id="${callId}"][data-state="kept"]`);

  const kept = JSON.parse(await readFile(join(HOME, "unsent", `${callId}.json`), "utf8"));
  assert.equal(kept.notes, NOTES, "the agent's notes are on disk, whole");

  await session.click(await session.find("#nav-queue"));
  await session.waitFor("#queue-problem:not([hidden])");
  assert.match(await session.text(await session.find("#queue-problem")), /read-only/);

  // Writable again: the next open of the queue (here the CLI's) takes the kept log in.
  await chmod(DB, 0o644);
  const list = await ringside(["queue", "list", "--json"]);
  assert.equal(list.code, 0, list.stderr);
  const item = JSON.parse(list.stdout).items.find((i) => i.call_id === callId);
  assert.ok(item, `the kept log is queued once the database works; got ${list.stdout.slice(0, 500)}`);
  assert.equal(item.log.notes, NOTES, "with its notes");
});
