// The reference book against the OrderBook contract.
import { createReferenceBook } from "../src/index.js";
import { runOrderBookContract } from "./contract.js";

runOrderBookContract("reference book", createReferenceBook);
