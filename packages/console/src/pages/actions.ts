// Actions: each operator command as a form; nothing is sent before a confirmation that restates its consequence.
import { api, type Json } from "../api.js";
import { fill, h, section } from "../dom.js";
import type { Page } from "../page.js";

interface Field {
  name: string;
  label: string;
  type?: "text" | "select" | "textarea" | "datetime";
  options?: string[];
  value?: string;
  required?: boolean;
  hint?: string;
}

interface Action {
  id: string;
  title: string;
  fields: Field[];
  /** What happens, in words, with the values filled in: shown in the confirmation. */
  consequence(v: Record<string, string>): string;
  send(v: Record<string, string>): Promise<Json>;
}

const path = (s: string) => encodeURIComponent(s);
const opt = (v: string, key: string, out: Record<string, unknown>, f: (s: string) => unknown = (s) => s) => {
  if (v !== "") out[key] = f(v);
};

function actions(market: string): Action[] {
  const m = { name: "marketId", label: "Market id", value: market, required: true };
  return [
    {
      id: "list-market",
      title: "List a market",
      fields: [
        { name: "marketId", label: "Market id", required: true },
        { name: "question", label: "Question", required: true },
        { name: "tickSize", label: "Tick size", value: "0.01", required: true },
        {
          name: "resolvesAt",
          label: "Resolves at (ISO, UTC)",
          value: "2030-01-01T00:00:00Z",
          required: true,
        },
        { name: "maxLeverage", label: "Max leverage (optional)", hint: "e.g. 5" },
        { name: "takerFeeBps", label: "Taker fee, bps (optional)" },
      ],
      consequence: (v) =>
        `List market "${v.marketId}" ("${v.question}"), tick ${v.tickSize}, resolving at ${v.resolvesAt}` +
        `${v.maxLeverage ? `, up to ${v.maxLeverage}x leverage` : ""}. It opens for trading at once and its listing ` +
        "is permanent in the log.",
      send: (v) => {
        const body: Record<string, unknown> = {
          marketId: v.marketId,
          question: v.question,
          tickSize: v.tickSize,
          resolvesAt: v.resolvesAt,
        };
        opt(v.maxLeverage!, "maxLeverage", body);
        opt(v.takerFeeBps!, "takerFeeBps", body, Number);
        return api("POST", "/v1/markets", body);
      },
    },
    {
      id: "list-event",
      title: "List an event (several outcomes)",
      fields: [
        { name: "eventId", label: "Event id", required: true },
        { name: "title", label: "Title", required: true },
        {
          name: "resolvesAt",
          label: "Resolves at (ISO, UTC)",
          value: "2030-01-01T00:00:00Z",
          required: true,
        },
        {
          name: "outcomes",
          label: "Outcomes, one a line: marketId: question",
          type: "textarea",
          required: true,
        },
      ],
      consequence: (v) =>
        `List event "${v.eventId}" with ${outcomesOf(v.outcomes!).length} mutually exclusive outcomes, each a market ` +
        `of its own, resolving at ${v.resolvesAt}. Exactly one of them will win.`,
      send: (v) =>
        api("POST", "/v1/events", {
          eventId: v.eventId,
          title: v.title,
          resolvesAt: v.resolvesAt,
          outcomes: outcomesOf(v.outcomes!),
        }),
    },
    {
      id: "halt",
      title: "Halt a market",
      fields: [m],
      consequence: (v) =>
        `Halt ${v.marketId}: new orders are refused (MARKET_NOT_OPEN), nothing trades, no position is liquidated; ` +
        "cancels and added margin are still allowed. Resume reopens it through a call auction.",
      send: (v) => api("POST", `/v1/markets/${path(v.marketId!)}/halt`, {}),
    },
    {
      id: "resume",
      title: "Resume a market",
      fields: [m],
      consequence: (v) =>
        `Resume ${v.marketId}: it reopens through a call auction that collects 1x orders, then uncrosses at one price.`,
      send: (v) => api("POST", `/v1/markets/${path(v.marketId!)}/resume`, {}),
    },
    {
      id: "mark",
      title: "Set the mark price",
      fields: [m, { name: "price", label: "YES price", required: true, hint: "e.g. 0.42" }],
      consequence: (v) =>
        `Set the oracle mark of ${v.marketId} to ${v.price}. Margin, fees and liquidations use the risk mark it ` +
        "moves: leveraged positions below maintenance get a margin call, a move beyond the price band starts a call auction.",
      send: (v) => api("POST", `/v1/markets/${path(v.marketId!)}/mark`, { price: v.price }),
    },
    {
      id: "resolve",
      title: "Resolve a market",
      fields: [
        m,
        {
          name: "outcome",
          label: "Outcome",
          type: "select",
          options: ["YES", "NO", "INVALID"],
          required: true,
        },
        { name: "challengeSeconds", label: "Challenge window, seconds (optional)" },
      ],
      consequence: (v) =>
        v.challengeSeconds
          ? `Propose ${v.outcome} for ${v.marketId}: the market halts now and the resolution becomes final in ` +
            `${v.challengeSeconds} s unless challenged.`
          : `Resolve ${v.marketId} as ${v.outcome} now: trading ends, open orders are cancelled, ` +
            `${v.outcome === "INVALID" ? "every share pays its settlement price" : `every ${v.outcome} share pays 1`}, ` +
            "loans are repaid from the payouts. This cannot be undone.",
      send: (v) => {
        const body: Record<string, unknown> = { outcome: v.outcome };
        opt(v.challengeSeconds!, "challengeSeconds", body, Number);
        return api("POST", `/v1/markets/${path(v.marketId!)}/resolve`, body);
      },
    },
    {
      id: "rule",
      title: "Rule on a challenged resolution",
      fields: [m, { name: "outcome", label: "Outcome", type: "select", options: ["YES", "NO", "INVALID"] }],
      consequence: (v) =>
        `Rule ${v.outcome} for ${v.marketId}: the ruling is final; the challengers' bonds go back to them if it ` +
        "differs from the proposal, else to insurance.",
      send: (v) => api("POST", `/v1/markets/${path(v.marketId!)}/rule`, { outcome: v.outcome }),
    },
    {
      id: "resolve-event",
      title: "Resolve an event",
      fields: [
        { name: "eventId", label: "Event id", required: true },
        { name: "winner", label: "Winning market id (empty: INVALID)" },
        { name: "challengeSeconds", label: "Challenge window, seconds (optional)" },
      ],
      consequence: (v) =>
        `${v.challengeSeconds ? "Propose" : "Resolve"} event ${v.eventId} ` +
        (v.winner
          ? `with ${v.winner} winning: that market resolves YES and every other outcome NO, all at once`
          : "as INVALID: every market pays 1/n a YES share and 1 − 1/n a NO share") +
        (v.challengeSeconds
          ? `; its markets halt now and it becomes final in ${v.challengeSeconds} s unless challenged.`
          : ". This cannot be undone."),
      send: (v) => {
        const body: Record<string, unknown> = v.winner ? { winner: v.winner } : { outcome: "INVALID" };
        opt(v.challengeSeconds!, "challengeSeconds", body, Number);
        return api("POST", `/v1/events/${path(v.eventId!)}/resolve`, body);
      },
    },
    {
      id: "rule-event",
      title: "Rule on a challenged event",
      fields: [
        { name: "eventId", label: "Event id", required: true },
        { name: "winner", label: "Winning market id (empty: INVALID)" },
      ],
      consequence: (v) =>
        `Rule event ${v.eventId}: ${v.winner ? `${v.winner} wins` : "INVALID"}. The ruling is final and pays at once.`,
      send: (v) =>
        api(
          "POST",
          `/v1/events/${path(v.eventId!)}/rule`,
          v.winner ? { winner: v.winner } : { outcome: "INVALID" },
        ),
    },
    {
      id: "insurance",
      title: "Seed an insurance fund",
      fields: [
        { name: "fundId", label: "Fund", value: market ? `market:${market}` : "shared", required: true },
        { name: "amount", label: "Amount", required: true },
        { name: "reference", label: "Reference (pays once)", required: true },
      ],
      consequence: (v) =>
        `Deposit ${v.amount} into insurance fund ${v.fundId} (reference ${v.reference}). It then covers bad debt ` +
        "in the waterfall's order and cannot be withdrawn.",
      send: (v) =>
        api("POST", `/v1/insurance/${path(v.fundId!)}/deposits`, {
          amount: v.amount,
          reference: v.reference,
        }),
    },
    {
      id: "cancel-orders",
      title: "Cancel an account's orders",
      fields: [
        { name: "accountId", label: "Account id", required: true },
        { name: "marketId", label: "Only in market (optional)", value: market },
      ],
      consequence: (v) =>
        `Cancel every open order of ${v.accountId}${v.marketId ? ` in ${v.marketId}` : " in every market"}: ` +
        "their reservations are released at once.",
      send: (v) =>
        api(
          "DELETE",
          `/v1/accounts/${path(v.accountId!)}/orders${v.marketId ? `?marketId=${path(v.marketId)}` : ""}`,
        ),
    },
  ];
}

function outcomesOf(text: string): { marketId: string; question: string }[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(":");
      return i < 0
        ? { marketId: l, question: l }
        : { marketId: l.slice(0, i).trim(), question: l.slice(i + 1).trim() };
    });
}

/** Asks for confirmation in a modal dialog (Escape or Cancel refuse); answers whether the operator confirmed. */
function confirmDialog(title: string, consequence: string): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = h("button", { type: "button", class: "secondary", id: "confirm-cancel" }, "Cancel");
    const ok = h("button", { type: "button", class: "danger", id: "confirm-ok" }, `Confirm: ${title}`);
    const dialog = h(
      "dialog",
      { id: "confirm", "aria-labelledby": "confirm-title", "aria-describedby": "confirm-text" },
      h("h2", { id: "confirm-title" }, `Confirm: ${title}`),
      h("p", { id: "confirm-text" }, consequence),
      h("div", { class: "buttons" }, cancel, ok),
    );
    const done = (yes: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(yes);
    };
    cancel.addEventListener("click", () => done(false));
    ok.addEventListener("click", () => done(true));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

function actionForm(a: Action): HTMLElement {
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  const result = h("output", { class: "result", id: `${a.id}-result`, "aria-live": "polite" });
  const controls = a.fields.map((f) => {
    const fid = `${a.id}-${f.name}`;
    const input =
      f.type === "select"
        ? h(
            "select",
            { id: fid, name: f.name },
            ...(f.options ?? []).map((o) => h("option", { value: o }, o)),
          )
        : f.type === "textarea"
          ? h("textarea", { id: fid, name: f.name, rows: 3, required: f.required })
          : h("input", {
              id: fid,
              name: f.name,
              value: f.value ?? "",
              required: f.required,
              autocomplete: "off",
            });
    if (f.value && f.type === "select") input.value = f.value;
    inputs.set(f.name, input);
    return h(
      "div",
      { class: "field" },
      h("label", { for: fid }, f.label),
      input,
      f.hint ? h("small", {}, f.hint) : null,
    );
  });
  const form = h(
    "form",
    {
      id: `action-${a.id}`,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const v: Record<string, string> = {};
        for (const [k, input] of inputs) v[k] = input.value.trim();
        if (!(await confirmDialog(a.title, a.consequence(v)))) {
          fill(result, "Cancelled: nothing was sent.");
          return;
        }
        try {
          await a.send(v);
          result.className = "result ok";
          fill(result, `Done: ${a.title}.`);
        } catch (error) {
          result.className = "result bad";
          const err = error as { code?: string; message?: string };
          fill(result, `Refused: ${err.code ?? ""} ${err.message ?? String(error)}`);
        }
      },
    },
    ...controls,
    h("button", { type: "submit" }, `${a.title}…`),
    result,
  );
  return section(a.title, form);
}

export const actionsPage: Page = (root, ctx) => {
  const market = ctx.param ?? "";
  fill(
    root,
    h("h1", {}, "Actions"),
    h(
      "p",
      { class: "hint" },
      "Each action asks for a confirmation that says what it will do; nothing is sent before it.",
    ),
    h("div", { class: "grid actions" }, ...actions(market).map(actionForm)),
  );
  return undefined;
};
