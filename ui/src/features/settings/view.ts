// The settings view: the Salesforce orgs of this computer (the built-in demo org first), which
// one is in use, and signing in (browser + deep link), switching, signing out and removing.
// Errors are shown in the user's language from the code, with the backend's sentence below.

import "./settings.css";
import { isolate, onLocaleChange, t, type MessageKey } from "../../i18n";
import { refreshOrgBadge } from "../../shell/org-badge";
import type { IpcCode } from "../../ipc";
import type { UpdateNoticeKind } from "../../bindings/UpdateNoticeKind";
import type { View } from "../../shell/view";
import { createUsageSection } from "./usage";
import {
  cancelSignIn,
  listOrgs,
  onSignInLinkRefused,
  removeOrg,
  signIn,
  signOutOrg,
  useDemoOrg,
  useOrg,
  type IpcError,
  type OrgEntry,
  type OrgsOverview,
  type UpdateNotice,
  updateNotice,
} from "./backend";

const PRODUCTION = "https://login.salesforce.com";
const SANDBOX = "https://test.salesforce.com";
type Host = "production" | "sandbox" | "myDomain" | "demo";
const HOSTS: readonly Host[] = ["production", "sandbox", "myDomain", "demo"];

/** The error codes with their own message; any other code gets `settings.error.other`. */
/**
 * Each update notice's message (`UpdateNotice.kind`). Why a table: `Record<UpdateNoticeKind, …>`
 * must name every kind of the generated type, so `tsc` fails when the Rust enum gains one.
 */
const UPDATE_MESSAGES: Readonly<Record<UpdateNoticeKind, MessageKey>> = {
  refused: "settings.update.refused",
  not_installable: "settings.update.not_installable",
  install_failed: "settings.update.install_failed",
  installed: "settings.update.installed",
};

/** The message of an update notice; `null` for a kind this page does not know (a newer shell). */
function updateKey(kind: string): MessageKey | null {
  return Object.hasOwn(UPDATE_MESSAGES, kind) ? UPDATE_MESSAGES[kind as UpdateNoticeKind] : null;
}

const ERROR_CODES = [
  "access_denied",
  "foreign_link",
  "malformed_link",
  "timeout",
  "abandoned",
  "api_disabled",
  "keyring_unavailable",
  "keyring_refused",
  "unknown_client",
  "signed_out",
  "invalid_input",
  "browser",
  "redirect_port",
  "salesforce_unreachable",
] as const satisfies readonly IpcCode[];

type Notice =
  | { kind: "success" | "info"; key: MessageKey; params?: Record<string, string> }
  | { kind: "error"; key: MessageKey; error: NoticeError };

/** An IPC error, or the one failure only this view words: signed out here, not revoked there. */
type NoticeError = Omit<IpcError, "code"> & { code: IpcCode | "not_revoked" };

function errorKey(code: IpcCode): MessageKey {
  return (ERROR_CODES as readonly IpcCode[]).includes(code)
    ? (`settings.error.${code}` as MessageKey)
    : "settings.error.other";
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  return element;
}

function mountSettings(section: HTMLElement): { refresh(): void } {
  let overview: OrgsOverview | null = null;
  let notice: Notice | null = null;
  let signingIn = false;
  let confirmRemove: string | null = null;
  let update: UpdateNotice | null = null;

  const title = el("h2", { class: "settings-title" });
  const problems = el("div", { id: "settings-problems" });
  const noticeBox = el("div", { id: "settings-notice", role: "status", "aria-live": "polite" });
  const noticeText = el("p", { id: "settings-notice-text" });
  const noticeDetail = el("p", { id: "settings-notice-detail", class: "settings-detail" });
  noticeBox.append(noticeText, noticeDetail);
  const list = el("ul", { id: "settings-orgs", class: "org-list" });
  // Quiet on purpose: never a dialog, only a line here (it may be read in the middle of a call).
  const updateLine = el("p", { id: "settings-update", class: "settings-detail", role: "status" });

  // The sign-in form.
  const signInBox = el("div", { id: "settings-signin", "data-state": "idle" });
  const signInTitle = el("h3");
  const form = el("form", { id: "signin-form", novalidate: "" });
  const aliasLabel = el("label", { for: "signin-alias" });
  const alias = el("input", { id: "signin-alias", name: "alias", autocomplete: "off", required: "", maxlength: "40" });
  const hostLabel = el("label", { for: "signin-host" });
  const host = el("select", { id: "signin-host", name: "host" });
  for (const value of HOSTS) host.append(el("option", { value }));
  const myDomainLabel = el("label", { for: "signin-my-domain" });
  const myDomain = el("input", { id: "signin-my-domain", type: "url", placeholder: "https://acme.my.salesforce.com" });
  const clientIdLabel = el("label", { for: "signin-client-id" });
  const clientId = el("input", { id: "signin-client-id", autocomplete: "off", spellcheck: "false" });
  const clientIdHint = el("p", { class: "settings-detail" });
  const submit = el("button", { id: "signin-submit", type: "submit" });
  const progress = el("p", { id: "signin-progress", hidden: "" });
  const progressText = el("span");
  const cancel = el("button", { id: "signin-cancel", type: "button" });
  progress.append(progressText, cancel);
  form.append(aliasLabel, alias, hostLabel, host, myDomainLabel, myDomain, clientIdLabel, clientId, clientIdHint, submit);
  signInBox.append(signInTitle, form, progress);

  const usage = createUsageSection();

  section.classList.add("settings");
  section.append(title, problems, noticeBox, list, usage.element, signInBox, updateLine);

  const showNotice = (next: Notice | null): void => {
    notice = next;
    render();
  };

  const fail = (error: IpcError): void => showNotice({ kind: "error", key: errorKey(error.code), error });

  const refresh = (): void => {
    usage.refresh();
    void updateNotice().then((outcome) => {
      // A shell without the command (an older backend) simply shows no line.
      update = outcome.ok ? outcome.value : null;
      render();
    });
    void listOrgs().then((outcome) => {
      if (outcome.ok) {
        const first = overview === null;
        overview = outcome.value;
        if (first) applyDefaults();
        // A link refused before this view listened (the one the app was started with); later
        // refusals arrive as events and were shown then, so only the first load shows one.
        if (first && outcome.value.refused_link !== null) {
          notice = { kind: "error", key: errorKey(outcome.value.refused_link.code), error: outcome.value.refused_link };
        }
      } else {
        fail(outcome.error);
      }
      render();
    });
  };

  /** The form starts with the admin's login host and consumer key. */
  const applyDefaults = (): void => {
    if (overview === null) return;
    const url = overview.defaults.login_url;
    host.value = url === PRODUCTION ? "production" : url === SANDBOX ? "sandbox" : "myDomain";
    if (host.value === "myDomain") myDomain.value = url;
    clientId.value = "";
  };

  const loginUrl = (): string => {
    switch (host.value as Host) {
      case "production":
        return PRODUCTION;
      case "sandbox":
        return SANDBOX;
      case "demo":
        return overview?.defaults.demo_login_url ?? "";
      default:
        return myDomain.value.trim();
    }
  };

  host.addEventListener("change", () => {
    if (host.value === "demo" && overview !== null) {
      clientId.value = overview.defaults.demo_client_id;
      if (alias.value.trim() === "") alias.value = "demo";
    } else if (overview !== null && clientId.value === overview.defaults.demo_client_id) {
      clientId.value = "";
    }
    render();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (signingIn) return;
    if (alias.value.trim() === "") {
      alias.focus();
      fail({ code: "invalid_input", message: t("settings.signIn.aliasMissing") });
      return;
    }
    signingIn = true;
    notice = { kind: "info", key: "settings.signIn.progress" };
    render();
    const chosen = clientId.value.trim();
    void signIn({ alias: alias.value.trim(), login_url: loginUrl(), client_id: chosen === "" ? null : chosen }).then(
      (outcome) => {
        signingIn = false;
        if (outcome.ok) {
          const who = outcome.value;
          notice = {
            kind: "success",
            key: "settings.signIn.done",
            params: { alias: who.alias ?? "", username: who.username ?? "" },
          };
          alias.value = "";
        } else {
          notice = { kind: "error", key: errorKey(outcome.error.code), error: outcome.error };
        }
        refreshOrgBadge();
        refresh();
      },
    );
  });

  cancel.addEventListener("click", () => void cancelSignIn());

  // A sign-in link that was forged, reused or came too late: say so where the user looks.
  void onSignInLinkRefused((error) => fail(error));

  const afterChange = (next: Notice): void => {
    confirmRemove = null;
    refreshOrgBadge();
    showNotice(next);
    refresh();
  };

  const act = (action: string, org: OrgEntry | null): void => {
    if (org === null) {
      if (action === "use") {
        void useDemoOrg().then((o) => (o.ok ? afterChange({ kind: "success", key: "settings.use.demoDone" }) : fail(o.error)));
      }
      return;
    }
    const params = { alias: org.alias };
    switch (action) {
      case "use":
        void useOrg(org.alias).then((o) =>
          o.ok ? afterChange({ kind: "success", key: "settings.use.done", params }) : fail(o.error),
        );
        break;
      case "sign-out":
        void signOutOrg(org.alias).then((o) => {
          if (!o.ok) return fail(o.error);
          afterChange(
            o.value.revoked
              ? { kind: "success", key: "settings.signOut.done", params }
              : {
                  kind: "error",
                  key: "settings.signOut.notRevoked",
                  error: { code: "not_revoked", message: o.value.not_revoked_reason ?? "" },
                },
          );
        });
        break;
      case "remove":
        if (confirmRemove !== org.alias) {
          confirmRemove = org.alias;
          render();
          return;
        }
        void removeOrg(org.alias).then((o) =>
          o.ok ? afterChange({ kind: "success", key: "settings.remove.done", params }) : fail(o.error),
        );
        break;
      case "sign-in-again":
        alias.value = org.alias;
        host.value = org.login_url === PRODUCTION ? "production" : org.login_url === SANDBOX ? "sandbox" : org.login_url === overview?.defaults.demo_login_url ? "demo" : "myDomain";
        if (host.value === "myDomain") myDomain.value = org.login_url;
        clientId.value = org.client_id;
        render();
        submit.focus();
        break;
    }
  };

  const button = (action: string, key: MessageKey, org: OrgEntry | null, params: Record<string, string> = {}): HTMLButtonElement => {
    const b = el("button", { type: "button", "data-action": action, class: "org-action" });
    b.textContent = t(key, params);
    b.disabled = signingIn;
    b.addEventListener("click", () => act(action, org));
    return b;
  };

  const badge = (text: string, kind: string): HTMLSpanElement => {
    const span = el("span", { class: `org-state org-state-${kind}` });
    span.textContent = text;
    return span;
  };

  const renderList = (): void => {
    list.replaceChildren();
    if (overview === null) return;
    const demo = el("li", { class: "org-row", "data-demo": "true", "data-in-use": String(overview.demo_in_use) });
    const demoName = el("strong", { class: "org-alias" });
    demoName.textContent = t("settings.demo.name");
    const demoHint = el("span", { class: "org-detail" });
    demoHint.textContent = t("settings.demo.hint");
    demo.append(demoName, demoHint);
    if (overview.demo_in_use) demo.append(badge(t("settings.org.inUse"), "in-use"));
    else demo.append(button("use", "settings.action.use", null));
    list.append(demo);

    for (const org of overview.orgs) {
      const signedIn = org.signed_in === null ? "unknown" : String(org.signed_in);
      const row = el("li", {
        class: "org-row",
        "data-alias": org.alias,
        "data-in-use": String(org.in_use),
        "data-active": String(org.active),
        "data-signed-in": signedIn,
      });
      const name = el("strong", { class: "org-alias" });
      name.textContent = org.alias;
      const who = el("span", { class: "org-detail org-username" });
      who.textContent = org.username;
      const where = el("span", { class: "org-detail org-instance" });
      where.textContent = org.instance_url;
      const profile = el("span", { class: "org-detail org-profile" });
      profile.textContent = t("settings.org.profile", { profile: profileName(org.scope_profile) });
      row.append(name, who, where, profile);
      if (org.in_use) row.append(badge(t("settings.org.inUse"), "in-use"));
      row.append(
        signedIn === "true"
          ? badge(t("settings.org.signedIn"), "signed-in")
          : signedIn === "false"
            ? badge(t("settings.org.signedOut"), "signed-out")
            : badge(t("settings.org.unknownState"), "unknown"),
      );
      const actions = el("span", { class: "org-actions" });
      if (signedIn === "true" && !org.in_use) actions.append(button("use", "settings.action.use", org));
      if (signedIn === "false") actions.append(button("sign-in-again", "settings.action.signInAgain", org));
      if (signedIn === "true") actions.append(button("sign-out", "settings.action.signOut", org));
      actions.append(
        confirmRemove === org.alias
          ? button("remove", "settings.action.confirmRemove", org, { alias: org.alias })
          : button("remove", "settings.action.remove", org),
      );
      row.append(actions);
      list.append(row);
    }
  };

  const render = (): void => {
    title.textContent = t("settings.orgs.title");
    problems.replaceChildren();
    if (overview?.keyring_problem) {
      const p = el("p", { id: "settings-keyring-problem", class: "settings-problem" });
      p.textContent = `${t("settings.keyringProblem")} ${isolate(overview.keyring_problem)}`;
      problems.append(p);
    }
    if (overview?.active_problem) {
      const p = el("p", { id: "settings-active-problem", class: "settings-problem" });
      p.textContent = `${t("settings.activeProblem")} ${isolate(overview.active_problem)}`;
      problems.append(p);
    }

    noticeBox.hidden = notice === null;
    noticeBox.dataset["kind"] = notice?.kind ?? "";
    noticeBox.dataset["code"] = notice?.kind === "error" ? notice.error.code : "";
    noticeText.textContent = notice === null ? "" : t(notice.key, notice.kind === "error" ? {} : (notice.params ?? {}));
    noticeDetail.textContent = notice?.kind === "error" ? notice.error.message : "";
    noticeDetail.hidden = notice?.kind !== "error" || notice.error.message === "";

    renderList();

    const updateMessage = update === null ? null : updateKey(update.kind);
    updateLine.hidden = updateMessage === null;
    updateLine.dataset["kind"] = update?.kind ?? "";
    updateLine.textContent =
      updateMessage === null ? "" : t(updateMessage, { version: update?.version ?? "?" });

    signInBox.dataset["state"] = signingIn ? "signing-in" : notice?.kind === "error" ? "failed" : notice?.key === "settings.signIn.done" ? "signed-in" : "idle";
    signInTitle.textContent = t("settings.signIn.title");
    aliasLabel.textContent = t("settings.signIn.alias");
    hostLabel.textContent = t("settings.signIn.host");
    for (const option of Array.from(host.options)) option.textContent = t(`settings.signIn.${option.value}` as MessageKey);
    myDomainLabel.textContent = t("settings.signIn.myDomainUrl");
    const mine = host.value === "myDomain";
    myDomainLabel.hidden = !mine;
    myDomain.hidden = !mine;
    clientIdLabel.textContent = t("settings.signIn.clientId");
    clientId.placeholder = overview?.defaults.client_id ?? "";
    clientIdHint.textContent = t("settings.signIn.clientIdHint");
    submit.textContent = t("settings.signIn.submit");
    for (const input of [alias, host, myDomain, clientId, submit]) input.disabled = signingIn;
    progress.hidden = !signingIn;
    progressText.textContent = t("settings.signIn.progress");
    cancel.textContent = t("settings.signIn.cancel");
  };

  onLocaleChange(render);
  onLocaleChange(usage.relabel);
  render();
  refresh();
  return { refresh };
}

function profileName(profile: string): string {
  return profile === "extended" || profile === "privileged" || profile === "standard"
    ? t(`settings.profile.${profile}` as MessageKey)
    : profile;
}

let mounted: { refresh(): void } | null = null;

export const settingsView: View = {
  id: "settings",
  label: "settings.nav",
  mount(section) {
    mounted = mountSettings(section);
  },
  onShow() {
    mounted?.refresh();
  },
};
