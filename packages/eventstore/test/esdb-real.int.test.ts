// The EventStoreDB adapter against a real EventStoreDB / KurrentDB server, when ESDB_CONNECTION_STRING names
// one (e.g. esdb://127.0.0.1:2113?tls=false; see the README for a one-line Docker start). Without it the suite
// is skipped: this machine cannot run the server, and the gRPC double (esdb-double.int.test.ts) stands in.
import { describe, vi } from "vitest";
import { openEsdbStore } from "../src/index.js";
import { runEventStoreContract } from "./contract.js";
import { runEsdbAdapterCases } from "./esdb-cases.js";

const url = process.env.ESDB_CONNECTION_STRING;
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 }); // a real server over the network: 10,000-event batches
if (!url) {
  console.info(
    "esdb-real.int.test.ts: skipped — set ESDB_CONNECTION_STRING (e.g. esdb://127.0.0.1:2113?tls=false) to run the suite against a real EventStoreDB",
  );
}

describe.skipIf(!url)(
  url
    ? `EventStoreDB adapter on a real server (${url.replace(/\/\/[^@/]*@/, "//***@")})`
    : "EventStoreDB adapter on a real server — SKIPPED: set ESDB_CONNECTION_STRING (e.g. esdb://127.0.0.1:2113?tls=false) to run it",
  () => {
    runEventStoreContract("esdb (real server)", async () => {
      const store = openEsdbStore(url!);
      return { store, cleanup: () => store.close() };
    });
    runEsdbAdapterCases("real server", () => url!);
  },
);
