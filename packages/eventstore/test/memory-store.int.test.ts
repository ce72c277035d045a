// Runs the event store contract against the in-process adapter.
import { createMemoryStore } from "../src/index.js";
import { runEventStoreContract } from "./contract.js";

runEventStoreContract("memory", async () => {
  const store = createMemoryStore();
  return { store, cleanup: () => store.close() };
});
