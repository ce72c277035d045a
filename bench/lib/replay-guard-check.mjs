// Diagnostic of the gateway benchmark: the cost of one signed write's replay check (ReplayGuard.firstTime, from the
// built gateway) as the number of distinct signatures seen within the window grows. Prints one JSON line.
import { ReplayGuard } from "../../services/gateway/dist/http/auth.js";

const now = Date.now();
const out = {};
for (const total of [10_000, 40_000, 60_000, 120_000]) {
  const rg = new ReplayGuard(30_000);
  let mark = 0;
  for (let i = 0; i < total; i++) {
    if (i === total - 1000) mark = performance.now();
    rg.firstTime(`s${i}`, now + i / 10); // 10 signatures per ms: all within the 30 s window
  }
  out[total] = +(((performance.now() - mark) * 1000) / 1000).toFixed(2);
}
console.log(JSON.stringify({ usPerCallAfterSignatures: out }));
