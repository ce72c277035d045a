// What /v1/health says of a follower: whether it follows the log, since when it does not, how far behind it is.
import type { FollowState } from "../exchange.js";

/** Why a follower is degraded (not following, or still catching up after a drop), or null while it follows. */
export function followProblem(f: FollowState): string | null {
  const since = f.sinceMs === null ? "" : ` since ${new Date(f.sinceMs).toISOString()}`;
  const behind = f.behind === null ? "" : `; ${f.behind} event${f.behind === 1 ? "" : "s"} behind`;
  switch (f.state) {
    case "following":
      return null;
    case "catching_up":
      return `catching up with the log after its subscription ended${since}${behind}`;
    case "reconnecting":
      return `not following the log${since} (${f.lastError}); subscribing again in ${f.nextAttemptInMs} ms (attempt ${f.attempts + 1})${behind}`;
    case "stopped":
      return `not following the log${since}: ${f.lastError}; not retried (the log needs an operator)`;
    default: {
      const unknown: never = f.state;
      throw new Error(`unknown follow state ${unknown}`);
    }
  }
}

/** The `follow` object of the health answer (fields without a value are left out). */
export function followView(f: FollowState) {
  return {
    state: f.state,
    ...(f.sinceMs === null ? {} : { since: new Date(f.sinceMs).toISOString() }),
    ...(f.behind === null ? {} : { behind: f.behind }),
    ...(f.state === "following" ? {} : { attempts: f.attempts }),
    ...(f.lastError === null ? {} : { lastError: f.lastError }),
  };
}
