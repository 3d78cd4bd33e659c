// "Create Lead / Create Contact" for a caller nobody has yet: a small inline form in the
// pop-up (never a dialog, so nothing blocks answering; Esc still dismisses the window). Last
// name required, company required for a Lead, the caller's number prefilled. The record is
// created in Rust (ringside-core's create_caller_record); errors are shown in words.

import type { CallerMatch } from "../../backend";
import { t, type MessageKey } from "../../i18n";
import type { IpcCode } from "../../ipc";
import { el } from "../caller/record-details";
import { createCaller } from "./backend";

/** Salesforce error codes with their own sentence; others get the generic one plus the detail. */
const CREATE_ERRORS: Readonly<Partial<Record<IpcCode, MessageKey>>> = {
  invalid_input: "popup.create.error.invalid_input",
  duplicates_detected: "popup.create.error.duplicates_detected",
  duplicate_value: "popup.create.error.duplicate_value",
  required_field_missing: "popup.create.error.required_field_missing",
  field_custom_validation_exception: "popup.create.error.field_custom_validation_exception",
  string_too_long: "popup.create.error.string_too_long",
  signed_out: "error.signed_out",
  salesforce_unreachable: "error.salesforce_unreachable",
  backend_unavailable: "error.backend_unavailable",
};

export interface CreateForm {
  readonly element: HTMLElement;
  /** Starts over for another call (keeps typing across re-renders of the same call). */
  reset(callId: string, number: string): void;
  /** Re-reads the labels (language switch). */
  render(): void;
}

/** The form; `onCreated` runs with the new record once Salesforce has it. */
export function mountCreateForm(onCreated: (created: CallerMatch) => void): CreateForm {
  const form = el("form", "pop-create");
  form.id = "pop-create";
  form.noValidate = true;
  const heading = el("h2", "pop-create-heading");

  const type = el("fieldset", "pop-create-type");
  const legend = el("legend", "visually-hidden");
  const choice = (value: "Lead" | "Contact"): [HTMLLabelElement, HTMLInputElement, HTMLSpanElement] => {
    const label = el("label", "pop-create-choice");
    const input = el("input", "");
    input.type = "radio";
    input.name = "pop-create-object";
    input.value = value;
    input.id = `pop-create-${value.toLowerCase()}`;
    const text = el("span", "");
    label.append(input, text);
    return [label, input, text];
  };
  const [leadLabel, leadInput, leadText] = choice("Lead");
  const [contactLabel, contactInput, contactText] = choice("Contact");
  type.append(legend, leadLabel, contactLabel);

  const field = (id: string, autocomplete: AutoFill): [HTMLLabelElement, HTMLInputElement, HTMLSpanElement] => {
    const label = el("label", "pop-create-field");
    const text = el("span", "pop-create-label");
    const input = el("input", "");
    input.id = id;
    input.type = "text";
    input.autocomplete = autocomplete;
    label.append(text, input);
    return [label, input, text];
  };
  const [firstLabel, firstInput, firstText] = field("pop-create-first", "given-name");
  const [lastLabel, lastInput, lastText] = field("pop-create-last", "family-name");
  lastInput.required = true;
  const [companyLabel, companyInput, companyText] = field("pop-create-company", "organization");
  const [phoneLabel, phoneInput, phoneText] = field("pop-create-phone", "tel");
  phoneInput.type = "tel";
  phoneInput.dir = "ltr";

  const submit = el("button", "pop-create-submit");
  submit.type = "submit";
  submit.id = "pop-create-submit";
  const message = el("p", "pop-create-message");
  message.id = "pop-create-message";
  message.setAttribute("role", "status");
  const detail = el("p", "pop-create-detail");
  detail.id = "pop-create-detail";
  form.append(heading, type, firstLabel, lastLabel, companyLabel, phoneLabel, submit, message, detail);

  let callId = "";
  let saving = false;
  let messageKey: MessageKey | null = null;

  const render = (): void => {
    heading.textContent = t("popup.create.heading");
    legend.textContent = t("popup.create.type");
    leadText.textContent = t("popup.create.lead");
    contactText.textContent = t("popup.create.contact");
    firstText.textContent = t("popup.create.firstName");
    lastText.textContent = t("popup.create.lastName");
    companyText.textContent = t("popup.create.company");
    phoneText.textContent = t("popup.create.phone");
    // A Contact has no company field of its own; the form only asks what it writes.
    companyLabel.hidden = !leadInput.checked;
    submit.textContent = t(saving ? "popup.create.saving" : "popup.create.submit");
    submit.disabled = saving;
    message.textContent = messageKey === null ? "" : t(messageKey);
    form.dataset["saving"] = String(saving);
  };

  const say = (key: MessageKey | null, text = ""): void => {
    messageKey = key;
    detail.textContent = text;
    render();
  };

  leadInput.addEventListener("change", render);
  contactInput.addEventListener("change", render);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (saving) return;
    const object = contactInput.checked ? "Contact" : "Lead";
    const lastName = lastInput.value.trim();
    const company = companyInput.value.trim();
    if (lastName === "") {
      say("popup.create.needLastName");
      lastInput.focus();
      return;
    }
    if (object === "Lead" && company === "") {
      say("popup.create.needCompany");
      companyInput.focus();
      return;
    }
    saving = true;
    say(null);
    const forCall = callId;
    void createCaller(forCall, {
      object,
      first_name: firstInput.value.trim() === "" ? null : firstInput.value.trim(),
      last_name: lastName,
      company: object === "Lead" ? company : null,
      phone: phoneInput.value.trim(),
    }).then((outcome) => {
      saving = false;
      // Another call replaced this one meanwhile: its form must not show this answer.
      if (forCall !== callId) return;
      if (outcome.ok) {
        form.dataset["created"] = outcome.value.id;
        say("popup.create.created");
        onCreated(outcome.value);
        return;
      }
      const key = CREATE_ERRORS[outcome.error.code] ?? "popup.create.error.other";
      form.dataset["error"] = outcome.error.code;
      say(key, outcome.error.message);
    });
  });

  return {
    element: form,
    reset(nextCallId: string, number: string): void {
      if (nextCallId === callId) return;
      callId = nextCallId;
      saving = false;
      form.reset();
      leadInput.checked = true;
      phoneInput.value = number;
      delete form.dataset["created"];
      delete form.dataset["error"];
      say(null);
    },
    render,
  };
}
