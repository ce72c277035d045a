// Accounts: find an account by id; its balances, positions, open orders and activity (operator reads).
import { get, getAll, type Json } from "../api.js";
import { badge, dec, facts, fill, h, section, table } from "../dom.js";
import type { Page } from "../page.js";

export const accountsPage: Page = (root, ctx) => {
  const input = h("input", {
    id: "account-search",
    name: "accountId",
    required: true,
    pattern: "[A-Za-z0-9._\\-]{1,64}",
    autocomplete: "off",
    value: ctx.param ?? "",
  });
  const out = h("div", { id: "account" });
  const form = h(
    "form",
    {
      class: "inline",
      role: "search",
      onsubmit: (e: Event) => {
        e.preventDefault();
        location.hash = `#/accounts/${encodeURIComponent(input.value.trim())}`;
      },
    },
    h("label", { for: "account-search" }, "Account id "),
    input,
    h("button", { type: "submit" }, "Show"),
  );
  fill(root, h("h1", {}, "Accounts"), form, out);
  if (!ctx.param) {
    input.focus();
    return undefined;
  }
  const enc = encodeURIComponent(ctx.param);
  let stopped = false;
  const refresh = async () => {
    const [account, orders, activity] = await Promise.all([
      get(`/v1/accounts/${enc}`),
      getAll(`/v1/orders?accountId=${enc}&status=open&limit=200`, "orders", 200),
      get(`/v1/account/activity?accountId=${enc}&limit=50`),
    ]);
    if (stopped) return;
    fill(
      out,
      section(
        `Account ${account.accountId}`,
        facts([
          ["cash (free)", dec(account.cash)],
          ["reserved", dec(account.reserved)],
          ["total", dec(account.total)],
        ]),
      ),
      section(
        "Positions",
        table(
          "Positions",
          ["market", "YES", "NO", "leveraged", "loan", "equity", "liq. price", "status", "deadline"],
          account.positions.map((p: Json) => [
            h("a", { href: `#/market/${encodeURIComponent(p.marketId)}` }, p.marketId),
            p.yes,
            p.no,
            p.leveraged ? `yes (${p.outcome})` : "no",
            dec(p.loan),
            dec(p.equity),
            dec(p.liquidationPrice),
            badge(p.status),
            p.marginCallDeadline ?? p.deleverageDeadline ?? "",
          ]),
          { id: "account-positions" },
        ),
      ),
      section(
        "Open orders",
        table(
          "Open orders",
          ["order", "market", "side", "outcome", "price", "qty", "filled", "leverage", "created"],
          orders.map((o: Json) => [
            o.orderId,
            o.marketId,
            o.side,
            o.outcome,
            o.price,
            o.quantity,
            o.filledQuantity,
            o.leverage ?? "1",
            o.createdAt,
          ]),
          { id: "account-orders" },
        ),
      ),
      section(
        "Activity",
        table(
          "Cash changes, newest first",
          ["time", "type", "amount", "cash after", "market"],
          activity.entries.map((e: Json) => [e.at, e.type, e.amount, e.cashAfter, e.marketId ?? ""]),
          { id: "account-activity" },
        ),
      ),
    );
  };
  ctx.every(3000, refresh);
  return () => {
    stopped = true;
  };
};
