// The admin view's calls to the Rust shell (commands in src-tauri/src/commands/admin.rs), in the
// same `Outcome` shape as ../../backend.ts.

import { call } from "../../ipc";
import { type IpcError, type Outcome } from "../../backend";
import type { AdminSettings } from "../../bindings/AdminSettings";
import type { AdminView } from "../../bindings/AdminView";
import type { Check } from "../../bindings/Check";
import type { ConfigIssue } from "../../bindings/ConfigIssue";
import type { ConfigSave } from "../../bindings/ConfigSave";
import type { FieldChoice } from "../../bindings/FieldChoice";
import type { IntentSetting } from "../../bindings/IntentSetting";
import type { KeySource } from "../../bindings/KeySource";
import type { OutcomeFieldValue } from "../../bindings/OutcomeFieldValue";
import type { OutcomeForm } from "../../bindings/OutcomeForm";
import type { OutcomeSetting } from "../../bindings/OutcomeSetting";

export type {
  AdminSettings,
  AdminView,
  Check,
  ConfigIssue,
  ConfigSave,
  FieldChoice,
  IntentSetting,
  IpcError,
  KeySource,
  OutcomeFieldValue,
  OutcomeForm,
  OutcomeSetting,
};

/** The settings from the config file on disk (`admin_settings`). */
export const adminSettings = (): Promise<Outcome<AdminView>> => call("admin_settings");
/** Every field of `object` the user can see, from the live describe (`describe_fields`). */
export const describeFields = (object: string): Promise<Outcome<FieldChoice[]>> => call("describe_fields", { object });
/** Saves the settings if they are valid against the org (`save_admin_settings`). */
export const saveAdminSettings = (settings: AdminSettings): Promise<Outcome<ConfigSave>> =>
  call("save_admin_settings", { settings });
/** Replaces the config file with `text` if it is valid (`import_config`). */
export const importConfig = (text: string): Promise<Outcome<ConfigSave>> => call("import_config", { text });
/** Replaces one outcome's actions with `text` (TOML), or removes it when null, if valid (`save_outcome`). */
export const saveOutcome = (name: string, text: string | null): Promise<Outcome<ConfigSave>> => call("save_outcome", { name, text });
/** Replaces one outcome's actions with the form's (typed), or removes it when null, if valid (`save_outcome_form`). */
export const saveOutcomeForm = (name: string, form: OutcomeForm | null): Promise<Outcome<ConfigSave>> =>
  call("save_outcome_form", { name, form });
/** The config file's text (`export_config`). */
export const exportConfig = (): Promise<Outcome<string>> => call("export_config");
/** The readiness checks (`run_doctor`). */
export const runDoctor = (): Promise<Outcome<Check[]>> => call("run_doctor");
