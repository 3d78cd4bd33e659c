// The main window's views, in tab order. A feature adds its view with ONE import and ONE entry.

import { callerView } from "../features/caller/view";
import { historyView } from "../features/history/view";
import { todayView } from "../features/today/view";
import { queueView } from "../features/queue/view";
import { settingsView } from "../features/settings/view";
import { adminView } from "../features/admin/view";
import type { View } from "./view";

export const VIEWS: readonly View[] = [callerView, todayView, historyView, queueView, settingsView, adminView];
