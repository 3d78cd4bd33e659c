// All message catalogs, merged per language. A feature adds its catalog with ONE import and
// ONE entry in PARTS; keys are prefixed with the feature's name so parts never collide
// (test/catalogs.test.mjs checks that, and that every language has the same keys).

import type { Locale } from "./locale";
import shell from "./locales/index";
import settings from "../features/settings/locales/index";
import callLog from "../features/call-log/locales/index";
import queue from "../features/queue/locales/index";
import recordEdit from "../features/caller/locales/index";
import popup from "../features/popup/locales/index";
import admin from "../features/admin/locales/index";
import history from "../features/history/locales/index";
import today from "../features/today/locales/index";

const PARTS = [shell, recordEdit, callLog, queue, history, today, settings, admin, popup] as const;

type Part = (typeof PARTS)[number];
// The union of every part's English keys: a key any part defines is a valid `MessageKey`.
type KeysOf<P> = P extends { en: infer English } ? keyof English : never;
export type MessageKey = KeysOf<Part> & string;
export type Catalog = Record<MessageKey, string>;

function merge(locale: Locale): Catalog {
  return Object.assign({}, ...PARTS.map((part) => part[locale])) as Catalog;
}

export const CATALOGS: Record<Locale, Catalog> = {
  en: merge("en"),
  de: merge("de"),
  fr: merge("fr"),
  tr: merge("tr"),
  ja: merge("ja"),
  ar: merge("ar"),
};
