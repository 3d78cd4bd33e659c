// What a main-window view is: a tab in the navigation and a section it fills. Its own module so
// features can implement `View` without importing the registry (which imports them).

import type { MessageKey } from "../i18n";

export interface View {
  /** Stable id: the tab is `#nav-<id>`, the section `#view-<id>` (tests select by these). */
  readonly id: string;
  /** The tab's label. */
  readonly label: MessageKey;
  /** Builds the view's content into its section, once, at start. */
  mount(section: HTMLElement): void;
  /** Called each time the view is shown (e.g. to refresh data); optional. */
  onShow?(): void;
}
