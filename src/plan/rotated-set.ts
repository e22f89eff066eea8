// Tells the active log of a rotated set (app.log, beside app.log.1 or app.log-20260101.gz) from the rest.

/** logrotate's names for a rotated copy: BASE.N, BASE-DATE or BASE.DATE, possibly compressed after that. */
const ROTATED = /^[.-]\d/;

/**
 * True when base is the name a writer still logs to: some sibling is one of its rotated copies.
 * Renaming it to base.gz would leave the writer (or logrotate's next run) without its file.
 */
export function isActiveLog(base: string, siblings: readonly string[]): boolean {
  return siblings.some((name) => name.length > base.length && name.startsWith(base) && ROTATED.test(name.slice(base.length)));
}

/** Why --until passes the active log over, and --scan suggests no command for it. */
export const ACTIVE_LOG = 'the active log of a rotated set, a rotated copy beside it: --include-active takes it';
