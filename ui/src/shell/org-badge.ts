// The header's org badge can be refreshed from anywhere (after a sign-in, a switch or a
// sign-out) without importing main.ts, which draws the page when imported.

let refresher: () => void = () => {};

/** main.ts registers how the badge re-reads the org in use. */
export function setOrgBadgeRefresher(refresh: () => void): void {
  refresher = refresh;
}

/** Re-reads which org is in use and redraws the header badge. */
export function refreshOrgBadge(): void {
  refresher();
}
