// The multi-candidate lab (issue 15): the same takers against a market maker that holds its NO shares and one that
// converts every complete NO set. Conversion must be neutral (the same trades, the same P&L at resolution) and free
// exactly 16 of collateral a converted set (17 candidates), the money checks clean after every event.

import { money } from "@pmx/domain";
import { describe, expect, it } from "vitest";
import { loadEventScenario, runEventLab, runEventSeed } from "../src/event-lab.js";

const { spec, csv } = loadEventScenario("election-candidates");
const short = { ...spec, from: "2024-10-28T00:00:00Z", seeds: 2 };

describe("the election-candidates event scenario", () => {
  const report = runEventLab(short, csv);

  it("lists all 17 candidate columns as one event and runs both policies with no money violation", () => {
    expect(report.candidates).toHaveLength(17);
    expect(report.candidates).toContain("Donald Trump");
    for (const run of [...report.policies.hold, ...report.policies.convert]) {
      expect(run.violations).toBe(0);
      expect(run.quotesRefused).toBe(0); // the maker's cash never binds: the two policies see the same trades
      expect(run.trades).toBeGreaterThan(100);
    }
  });

  it("converting is neutral: the same trades and the same P&L at resolution, seed by seed", () => {
    report.policies.hold.forEach((hold, i) => {
      const convert = report.policies.convert[i]!;
      expect(convert.trades).toBe(hold.trades);
      expect(convert.pnl).toBe(hold.pnl);
    });
  });

  it("frees 16 a converted set and lowers the maker's peak and mean committed cash", () => {
    report.policies.convert.forEach((convert, i) => {
      const hold = report.policies.hold[i]!;
      expect(hold.released).toBe("0");
      expect(convert.conversions).toBeGreaterThan(0);
      expect(money(convert.released).mod(16).isZero()).toBe(true);
      expect(money(convert.peakCommitted).lt(hold.peakCommitted)).toBe(true);
      expect(money(convert.meanCommitted).lt(hold.meanCommitted)).toBe(true);
    });
  });

  it("is deterministic: a seed run twice gives the same run", () => {
    expect(runEventSeed(short, csv, short.seed, "convert")).toEqual(report.policies.convert[0]);
  });
});
