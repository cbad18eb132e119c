// Results a task dialog can end with, for the main dialog to act on.

/** The person was not understood three times: the main dialog offers the menu or a message to the CIP. */
export interface WayOut {
  wayOut: true;
}

export const WAY_OUT: WayOut = { wayOut: true };

export function isWayOut(result: unknown): result is WayOut {
  return typeof result === 'object' && result !== null && (result as WayOut).wayOut === true;
}

/** Nothing more to say this turn (after "stop": no menu follows, it would be one more message unasked for). */
export interface Quiet {
  quiet: true;
}

export const QUIET: Quiet = { quiet: true };

export function isQuiet(result: unknown): result is Quiet {
  return typeof result === 'object' && result !== null && (result as Quiet).quiet === true;
}
