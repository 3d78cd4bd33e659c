// The settings view's calls to the Rust shell (commands in src-tauri/src/commands/settings.rs).
// Same `Outcome` shape as ../../backend.ts: components never call `invoke` themselves.

import { call, listenTo } from "../../ipc";
import { LINK_REFUSED_EVENT } from "../../bindings/ipc-contract";
import { type IpcError, type Outcome } from "../../backend";
import type { OrgEntry } from "../../bindings/OrgEntry";
import type { OrgIdentity } from "../../bindings/OrgIdentity";
import type { OrgsOverview } from "../../bindings/OrgsOverview";
import type { SignInDefaults } from "../../bindings/SignInDefaults";
import type { SignInForm } from "../../bindings/SignInForm";
import type { SignOutResult } from "../../bindings/SignOutResult";
import type { UpdateNotice } from "../../bindings/UpdateNotice";

export type { IpcError, OrgEntry, OrgIdentity, OrgsOverview, SignInDefaults, SignInForm, SignOutResult, UpdateNotice };

/** The orgs of orgs.toml with their state, and the sign-in form's defaults (`list_orgs`). */
export function listOrgs(): Promise<Outcome<OrgsOverview>> {
  return call("list_orgs");
}

/** Opens the browser to sign in and waits for the redirect, up to 5 minutes (`sign_in`). */
export function signIn(form: SignInForm): Promise<Outcome<OrgIdentity>> {
  return call("sign_in", { form });
}

/** Ends the sign-in in progress (`cancel_sign_in`). */
export function cancelSignIn(): Promise<Outcome<number>> {
  return call("cancel_sign_in");
}

/** Makes a signed-in org the one in use (`use_org`). */
export function useOrg(alias: string): Promise<Outcome<OrgIdentity>> {
  return call("use_org", { alias });
}

/** Goes back to the built-in demo org (`use_demo_org`). */
export function useDemoOrg(): Promise<Outcome<null>> {
  return call("use_demo_org");
}

/** Revokes and forgets the org's sign-in on this device (`sign_out_org`). */
export function signOutOrg(alias: string): Promise<Outcome<SignOutResult>> {
  return call("sign_out_org", { alias });
}

/** Signs out and removes the org from the list (`remove_org`). */
export function removeOrg(alias: string): Promise<Outcome<SignOutResult>> {
  return call("remove_org", { alias });
}

/** The quiet update notice (a refused signature, an update this copy cannot install), if any (`update_notice`). */
export function updateNotice(): Promise<Outcome<UpdateNotice | null>> {
  return call("update_notice");
}

/** Calls `handler` when a sign-in link was refused (event `sign-in-link-refused`). */
export function onSignInLinkRefused(handler: (error: IpcError) => void): Promise<Outcome<null>> {
  return listenTo(LINK_REFUSED_EVENT, handler);
}
