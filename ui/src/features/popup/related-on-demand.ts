// Open Opportunities and Cases for a match the pop did not bring them for (the pop fetches them
// for its top match only, in its single request): asked once per record when the agent picks
// it, "Loading…" meanwhile, then the records, or a failure with "Try again". Used by the pop-up
// and the main window's caller search.

import "./related.css";
import type { CallerMatch } from "../../backend";
import { t } from "../../i18n";
import type { IpcCode } from "../../ipc";
import { errorMessageKey } from "../caller/error-message";
import { el, renderRecordDetails, renderRelated } from "../caller/record-details";
import { relatedRecords } from "./backend";

type Loading = { kind: "loading" } | { kind: "loaded"; match: CallerMatch } | { kind: "failed"; code: IpcCode };

/** Related records loaded on demand, by record id; `onChange` re-renders when an answer arrives. */
export class RelatedOnDemand {
  readonly #loads = new Map<string, Loading>();
  readonly #onChange: () => void;
  // Why: a late answer from before `reset` (a new call) must not land in the new call's state.
  #generation = 0;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  /** Forgets every load (a new call). */
  reset(): void {
    this.#loads.clear();
    this.#generation += 1;
  }

  /** The match as it can be shown now; starts loading its related records if it needs them. */
  #state(match: CallerMatch): Loading {
    if (match.related_loaded) return { kind: "loaded", match };
    const known = this.#loads.get(match.id);
    if (known !== undefined) return known;
    this.#load(match);
    return { kind: "loading" };
  }

  #load(match: CallerMatch): void {
    const generation = this.#generation;
    this.#loads.set(match.id, { kind: "loading" });
    void relatedRecords(match.object, match.id).then((outcome) => {
      if (generation !== this.#generation) return;
      this.#loads.set(
        match.id,
        outcome.ok
          ? { kind: "loaded", match: { ...match, ...outcome.value, related_loaded: true } }
          : { kind: "failed", code: outcome.error.code },
      );
      this.#onChange();
    });
  }

  /** The pop-up's details of `match`, its related records included (or loading). */
  details(match: CallerMatch): HTMLElement {
    const state = this.#state(match);
    if (state.kind === "loaded") return renderRecordDetails(state.match);
    const section = renderRecordDetails(match);
    section.querySelector(".record-related-unknown")?.replaceWith(this.#note(match, state));
    return section;
  }

  /** Just the related records of `match` (or loading). */
  related(match: CallerMatch): HTMLElement[] {
    const state = this.#state(match);
    return state.kind === "loaded" ? renderRelated(state.match) : [this.#note(match, state)];
  }

  #note(match: CallerMatch, state: Loading): HTMLElement {
    if (state.kind !== "failed") {
      const loading = el("p", "related-loading", t("popup.related.loading"));
      loading.setAttribute("role", "status");
      return loading;
    }
    const failed = el("div", "related-failed");
    const retry = el("button", "related-retry", t("popup.related.retry"));
    retry.type = "button";
    retry.addEventListener("click", () => {
      this.#load(match);
      this.#onChange();
    });
    failed.append(
      el("p", "status-error", `${t("popup.related.failed")} ${t(errorMessageKey(state.code))}`),
      retry,
    );
    return failed;
  }
}
