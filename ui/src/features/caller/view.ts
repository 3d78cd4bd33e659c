// The caller view: the record opened from the pop-up above the caller search.

import { showView } from "../../shell/navigation";
import type { View } from "../../shell/view";
import { mountCallLog } from "../call-log/call-log";
import { mountCallerSearch } from "./caller-search";
import { mountRecordPanel } from "./record-panel";

export const callerView: View = {
  id: "caller",
  label: "nav.caller",
  mount(section) {
    mountRecordPanel(section, () => showView("caller"));
    // The log form sits right under the caller the agent just talked to.
    mountCallLog(section);
    mountCallerSearch(section);
  },
  onShow() {
    // Keyboard-first: coming to this view, the agent types a number without clicking.
    document.getElementById("search-input")?.focus();
  },
};
