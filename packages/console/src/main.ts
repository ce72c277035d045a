// The operator console: login with the operator token (sessionStorage only), a hash router over four pages,
// and one WebSocket stream shared by the pages.
import { ApiError, api, token, whenUnauthorized } from "./api.js";
import { fill, h } from "./dom.js";
import type { Page } from "./page.js";
import { accountsPage } from "./pages/accounts.js";
import { actionsPage } from "./pages/actions.js";
import { marketPage } from "./pages/market.js";
import { overview } from "./pages/overview.js";
import { Stream } from "./stream.js";

const app = document.getElementById("app")!;

const ROUTES: { prefix: string; label: string; page: Page }[] = [
  { prefix: "overview", label: "Overview", page: overview },
  { prefix: "market", label: "Market", page: marketPage },
  { prefix: "accounts", label: "Accounts", page: accountsPage },
  { prefix: "actions", label: "Actions", page: actionsPage },
];

function login(message?: string): void {
  const input = h("input", {
    id: "token",
    name: "token",
    type: "password",
    required: true,
    autocomplete: "off",
    "aria-describedby": "login-note",
  });
  const error = h("p", { id: "login-error", class: "error", role: "alert" }, message ?? "");
  const form = h(
    "form",
    {
      id: "login",
      class: "login",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const candidate = input.value.trim();
        try {
          // An operator route: only the operator token is accepted.
          await api("GET", "/v1/audit/state", undefined, candidate);
          token.set(candidate);
          location.hash = "#/overview";
          start();
        } catch (err) {
          fill(
            error,
            err instanceof ApiError && err.status === 401
              ? "Refused: that is not the operator token."
              : `Refused: ${(err as Error).message}`,
          );
          input.select();
        }
      },
    },
    h("h1", {}, "pmx operator console"),
    h("label", { for: "token" }, "Operator token"),
    input,
    h(
      "p",
      { id: "login-note", class: "hint" },
      "Kept in this tab's session storage only; closing the tab forgets it.",
    ),
    h("button", { type: "submit" }, "Log in"),
    error,
  );
  fill(app, form);
  input.focus();
}

let stream: Stream | null = null;
let leave: (() => void) | undefined;
let timers: number[] = [];

function start(): void {
  stream?.close();
  stream = new Stream();
  const status = h("span", { id: "stream-status", class: "badge b-off" }, "stream: connecting");
  stream.onStatus = (live) => {
    status.textContent = live ? "stream: live" : "stream: reconnecting";
    status.className = `badge ${live ? "b-ok" : "b-off"}`;
  };
  stream.connect();
  const nav = h(
    "nav",
    { "aria-label": "Console" },
    h("a", { class: "skip", href: "#main" }, "Skip to content"),
    h("strong", { class: "brand" }, "pmx"),
    ...ROUTES.filter((r) => r.prefix !== "market").map((r) =>
      h("a", { href: `#/${r.prefix}`, "data-route": r.prefix }, r.label),
    ),
    status,
    h(
      "button",
      {
        type: "button",
        class: "secondary",
        id: "logout",
        onclick: () => {
          token.clear();
          stop();
          login();
        },
      },
      "Log out",
    ),
  );
  const main = h("main", { id: "main", tabindex: -1 });
  const errors = h("div", { id: "errors", role: "status", "aria-live": "polite" });
  fill(app, h("header", {}, nav), errors, main);
  const show = () => {
    leave?.();
    for (const t of timers) clearInterval(t);
    timers = [];
    stream?.unsubscribeAll();
    const [, prefix = "overview", param] = location.hash.match(/^#\/([^/]*)\/?(.*)$/) ?? [];
    const route = ROUTES.find((r) => r.prefix === prefix) ?? ROUTES[0]!;
    for (const a of nav.querySelectorAll("a[data-route]"))
      a.toggleAttribute("aria-current", a.getAttribute("data-route") === route.prefix);
    const report = (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) return;
      fill(errors, h("p", { class: "error" }, `Could not refresh: ${(error as Error).message}`));
    };
    leave = route.page(main, {
      stream: stream!,
      param: param ? decodeURIComponent(param) : null,
      report,
      every: (ms, f) => {
        let running = false;
        const run = async () => {
          if (running) return;
          running = true;
          try {
            await f();
            errors.replaceChildren();
          } catch (e) {
            report(e);
          } finally {
            running = false;
          }
        };
        void run();
        timers.push(window.setInterval(run, ms));
      },
    });
    main.focus({ preventScroll: true });
  };
  window.onhashchange = show;
  show();
}

function stop(): void {
  leave?.();
  leave = undefined;
  for (const t of timers) clearInterval(t);
  timers = [];
  window.onhashchange = null;
  stream?.close();
  stream = null;
}

whenUnauthorized(() => {
  token.clear();
  stop();
  login("The gateway refused the token: log in again.");
});

if (token.get()) start();
else login();
