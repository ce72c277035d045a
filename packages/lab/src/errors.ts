// Errors that cross a worker boundary as text: the decider's exceptions and refusals keep the command that caused them.
import { DeciderError } from "./exchange.js";
import { ScenarioRefused } from "./simulate.js";

export function describeError(error: unknown): string {
  if (error instanceof ScenarioRefused) return error.message;
  if (error instanceof DeciderError)
    return `${error.message}\n  command: ${JSON.stringify(error.command)}${
      error.cause instanceof Error && error.cause.stack ? `\n  ${error.cause.stack}` : ""
    }`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
