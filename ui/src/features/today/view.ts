// The agent's own day (tab `today`): the signed-in agent's calls since local midnight, the
// missed ones first with one-click call back, and whether each was already called back.
// Call back dials through baresip (its ctrl_tcp `dial`, over the intake's connection) when
// `[pop] baresip` is configured and connected, else hands `tel:<number>` to the system (the
// softphone registered for tel: dials); the note says which path was used.

import { bdi, currentLocale, onLocaleChange, t, type MessageKey } from "../../i18n";
import type { IpcCode } from "../../ipc";
import type { View } from "../../shell/view";
import { agentDay, callBack, type AgentDay, type HistoryRow, type MissedCall } from "../history/backend";
import { formatDuration, formatNumber, formatTime, otherParty, todayStart } from "../history/format";
import "../history/history.css";
import "./today.css";

const KNOWN_ERRORS = new Set<IpcCode>(["signed_out", "salesforce_unreachable", "invalid_input", "opener_failed", "baresip_failed"]);

function errorKey(code: IpcCode): MessageKey {
  return (KNOWN_ERRORS.has(code) ? `today.error.${code}` : "today.error.unknown") as MessageKey;
}

function mountToday(section: HTMLElement): { refresh: () => void } {
  section.classList.add("today-view");
  const header = document.createElement("div");
  header.className = "today-header";
  const title = document.createElement("h2");
  title.className = "today-title";
  const refreshButton = document.createElement("button");
  refreshButton.type = "button";
  refreshButton.id = "today-refresh";
  header.append(title, refreshButton);

  const status = document.createElement("div");
  status.id = "today-status";
  status.className = "today-status";
  status.setAttribute("aria-live", "polite");
  const tiles = document.createElement("div");
  tiles.className = "history-tiles";
  const missedHeading = document.createElement("h3");
  const missedList = document.createElement("ul");
  missedList.id = "today-missed";
  missedList.className = "today-missed";
  const callsHeading = document.createElement("h3");
  const callsList = document.createElement("ol");
  callsList.id = "today-calls";
  callsList.className = "today-calls";
  section.append(header, status, tiles, missedHeading, missedList, callsHeading, callsList);

  let day: AgentDay | null = null;
  let state: "loading" | "ready" | "failed" = "loading";
  let message: { key: MessageKey; params?: Record<string, string>; detail?: string; error: boolean } | null = null;

  const render = (): void => {
    section.dataset["state"] = state;
    title.textContent = t("today.title", {
      date: new Intl.DateTimeFormat(currentLocale(), { dateStyle: "full" }).format(new Date()),
    });
    refreshButton.textContent = t("today.refresh");
    missedHeading.textContent = t("today.missed");
    callsHeading.textContent = t("today.list");
    status.replaceChildren();
    if (state === "loading") status.textContent = t("today.loading");
    if (message !== null) {
      const text = document.createElement("p");
      text.className = message.error ? "today-error" : "today-note";
      text.textContent = t(message.key, message.params ?? {});
      status.append(text);
      if (message.detail) {
        const detail = document.createElement("p");
        detail.className = "history-error-detail";
        detail.textContent = message.detail;
        status.append(detail);
      }
    }
    if (day === null) {
      tiles.replaceChildren();
      missedList.replaceChildren();
      callsList.replaceChildren();
      return;
    }
    if (day.limit_reached) {
      const note = document.createElement("p");
      note.className = "today-note";
      note.textContent = t("today.limit", { count: formatNumber(day.calls.length) });
      status.append(note);
    }
    const talk = day.calls.reduce((sum, call) => sum + call.duration_seconds, 0);
    const open = day.missed.filter((m) => !m.called_back).length;
    tiles.replaceChildren(
      tile("today-tile-calls", t("today.calls"), formatNumber(day.calls.length)),
      tile("today-tile-talk", t("today.talkTime"), formatDuration(talk)),
      tile("today-tile-missed", t("today.missedOpen"), formatNumber(open)),
    );
    missedList.replaceChildren(...(day.missed.length > 0 ? day.missed.map(missedItem) : [empty(t("today.noMissed"))]));
    callsList.replaceChildren(...(day.calls.length > 0 ? day.calls.map(callItem) : [empty(t("today.none"))]));
  };

  const missedItem = (missed: MissedCall): HTMLElement => {
    const li = document.createElement("li");
    li.className = "missed-call";
    li.dataset["callId"] = missed.call.call_id;
    li.dataset["calledBack"] = String(missed.called_back);
    li.dataset["delivery"] = missed.call.delivery;
    const when = document.createElement("span");
    when.className = "missed-time";
    when.textContent = formatTime(missed.call.started_at_ms);
    const who = document.createElement("span");
    who.className = "missed-who";
    const party = otherParty(missed.call);
    if (party === null) who.textContent = t("history.unknownCaller");
    else who.replaceChildren(bdi(party));
    const number = document.createElement("span");
    number.className = "missed-number";
    number.textContent = missed.number ?? t("today.noNumber");
    li.append(when, who, number);
    if (missed.called_back) {
      const done = document.createElement("span");
      done.className = "missed-done";
      done.textContent = t("today.calledBack");
      li.append(done);
    }
    if (missed.number !== null) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "call-back";
      button.textContent = t("today.callBack");
      const dial = missed.number;
      button.addEventListener("click", () => {
        void callBack(dial).then((outcome) => {
          if (!outcome.ok) {
            message = { key: errorKey(outcome.error.code), detail: outcome.error.message, error: true };
          } else if (outcome.value.via === "baresip") {
            message = { key: "today.callingBaresip", params: { number: dial }, error: false };
          } else if (outcome.value.fallback !== null) {
            // baresip is configured but was not connected: say so, and that tel: took over.
            message = {
              key: "today.callingTelFallback",
              params: { number: dial },
              detail: outcome.value.fallback,
              error: false,
            };
          } else {
            message = { key: "today.calling", params: { number: dial }, error: false };
          }
          render();
        });
      });
      li.append(button);
    }
    return li;
  };

  const refresh = (): void => {
    state = "loading";
    message = null;
    render();
    void agentDay(todayStart()).then((outcome) => {
      if (outcome.ok) {
        day = outcome.value;
        state = "ready";
      } else {
        day = null;
        state = "failed";
        message = { key: errorKey(outcome.error.code), detail: outcome.error.message, error: true };
      }
      render();
    });
  };
  refreshButton.addEventListener("click", refresh);
  onLocaleChange(render);
  render();
  return { refresh };
}

function tile(id: string, label: string, value: string): HTMLElement {
  const box = document.createElement("div");
  box.className = "history-tile";
  box.id = id;
  const v = document.createElement("span");
  v.className = "history-tile-value";
  v.textContent = value;
  const l = document.createElement("span");
  l.className = "history-tile-label";
  l.textContent = label;
  box.append(v, l);
  return box;
}

function empty(text: string): HTMLElement {
  const li = document.createElement("li");
  li.className = "today-empty";
  li.textContent = text;
  return li;
}

function callItem(call: HistoryRow): HTMLElement {
  const li = document.createElement("li");
  li.className = "today-call";
  li.dataset["callId"] = call.call_id;
  // Calls still in this computer's queue are listed too (pending or failed).
  li.dataset["delivery"] = call.delivery;
  const parts = [
    formatTime(call.started_at_ms),
    call.direction === "inbound" ? "↓" : call.direction === "outbound" ? "↑" : "·",
    otherParty(call) ?? t("history.unknownCaller"),
    formatDuration(call.duration_seconds),
    call.disposition ?? "",
  ];
  for (const [i, text] of parts.entries()) {
    const span = document.createElement("span");
    span.className = `today-call-${["time", "direction", "with", "duration", "outcome"][i]}`;
    span.textContent = text;
    li.append(span);
  }
  return li;
}

let mounted: { refresh: () => void } | null = null;

export const todayView: View = {
  id: "today",
  label: "today.nav",
  mount(section) {
    mounted = mountToday(section);
  },
  onShow() {
    // Every visit: the day moves on while the app stays open.
    mounted?.refresh();
  },
};
