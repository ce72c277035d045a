// What a page of the console gets: the stream, a periodic refresher that stops with the page, error reporting.
import type { Stream } from "./stream.js";

export interface PageContext {
  stream: Stream;
  /** Runs `f` now and every `ms` while the page is shown (its errors go to `report`). */
  every(ms: number, f: () => Promise<void> | void): void;
  report(error: unknown): void;
  /** The route's parameter (market or account id), if any. */
  param: string | null;
}

/** Renders into `root`; answers what to undo when the page is left. */
export type Page = (root: HTMLElement, ctx: PageContext) => (() => void) | undefined;
