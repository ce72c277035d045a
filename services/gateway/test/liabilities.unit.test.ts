// The proof-of-liabilities tree (liabilities.ts): every account's proof leads to the root with a total that is the
// sum of all claims; a tampered leaf amount, path sum, sibling hash or root fails, and so does a negative sum.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildTree,
  type Claim,
  EMPTY_NODE,
  type LiabilityProof,
  leafHash,
  nodeHash,
  proofFileProblem,
  proofOf,
  proofProblem,
} from "../src/liabilities.js";

const saltOf = (accountId: string) => `salt-${accountId}`.padEnd(64, "0");

// alice 1000.5, bob 250, carol 0, dave 12.000001: total 1262.500001.
const claims: Claim[] = [
  { accountId: "alice", amount: "1000.5" },
  { accountId: "bob", amount: "250" },
  { accountId: "carol", amount: "0" },
  { accountId: "dave", amount: "12.000001" },
];

/** An amount as the exchange writes it: whole units up to 10^9 and up to 6 places, no trailing zeros. */
const amount = fc
  .tuple(fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([units, micros]) =>
    micros === 0 ? String(units) : `${units}.${String(micros).padStart(6, "0").replace(/0+$/, "")}`,
  );

describe("the liabilities Merkle-sum tree", () => {
  it("given four accounts, then each proof verifies and the total is their sum", () => {
    const tree = buildTree(7, claims, saltOf);
    expect(tree.total).toBe("1262.500001");
    for (const c of claims) {
      const proof = proofOf(tree, c.accountId)!;
      expect(proof.leaf.amount).toBe(c.amount);
      expect(proof.path).toHaveLength(2);
      expect(proofProblem(proof, tree.root)).toBeNull();
    }
    expect(proofOf(tree, "mallory")).toBeNull();
  });

  it("given a proof, when its leaf amount, a path sum, a sibling hash or the root is changed, then it fails", () => {
    const tree = buildTree(7, claims, saltOf);
    const proof = proofOf(tree, "bob")!;
    const tampered = (change: (p: LiabilityProof) => void): LiabilityProof => {
      const copy = structuredClone(proof);
      change(copy);
      return copy;
    };
    // The leaf claims more than was put in the tree (the hash kept): the leaf hash no longer matches.
    expect(
      proofProblem(
        tampered((p) => (p.leaf.amount = "2500")),
        tree.root,
      ),
    ).toContain("leaf hash");
    // Leaf amount and hash both changed consistently: the path no longer leads to the root.
    expect(
      proofProblem(
        tampered((p) => {
          p.leaf.amount = "2500";
          p.leaf.hash = leafHash(p.leaf.salt, p.leaf.accountId, "2500");
        }),
        tree.root,
      ),
    ).toContain("not to the root");
    // An operator changing a sibling's sum (to lower the total, or to make the path fit).
    expect(
      proofProblem(
        tampered((p) => (p.path[0]!.sum = p.path[0]!.sum === "0" ? "1" : "0")),
        tree.root,
      ),
    ).toContain("not to the root");
    expect(
      proofProblem(
        tampered((p) => (p.path[1]!.hash = "0".repeat(64))),
        tree.root,
      ),
    ).toContain("not to the root");
    expect(proofProblem(proof, "f".repeat(64))).toContain("not to the root");
    expect(
      proofProblem(
        tampered((p) => (p.total = "1")),
        tree.root,
      ),
    ).toContain("not the total");
  });

  it("given a sibling with a negative sum (hiding claims), then the proof is refused before any hash", () => {
    // Two leaves: bob's and a forged sibling of −250 that would bring the total to 0.
    const bob = { hash: leafHash("s", "bob", "250"), sum: "250" };
    const forged = { hash: "a".repeat(64), sum: "-250" };
    const root = nodeHash(bob, forged);
    const proof: LiabilityProof = {
      revision: 1,
      root,
      total: "0",
      leaf: { accountId: "bob", amount: "250", salt: "s", hash: bob.hash },
      path: [{ side: "right", ...forged }],
    };
    expect(proofProblem(proof, root)).toContain("not a non-negative amount");
  });

  it("given no account, then the root is the empty node's and no proof exists", () => {
    const tree = buildTree(0, [], saltOf);
    expect(tree.root).toBe(EMPTY_NODE.hash);
    expect(tree.total).toBe("0");
  });

  it("given random claims, then every account's proof verifies, its total is the exact sum, and a changed leaf fails", () => {
    fc.assert(
      fc.property(fc.array(amount, { minLength: 1, maxLength: 40 }), fc.nat(), (amounts, pick) => {
        const list = amounts.map((a, i) => ({ accountId: `acct-${i}`, amount: a }));
        const tree = buildTree(3, list, saltOf);
        const micros = list.reduce((s, c) => {
          const [units, frac = ""] = c.amount.split(".");
          return s + BigInt(units!) * 1_000_000n + BigInt(frac.padEnd(6, "0"));
        }, 0n);
        const expectedTotal = `${micros / 1_000_000n}${
          micros % 1_000_000n === 0n
            ? ""
            : `.${String(micros % 1_000_000n)
                .padStart(6, "0")
                .replace(/0+$/, "")}`
        }`;
        expect(tree.total).toBe(expectedTotal);
        for (const c of list) expect(proofProblem(proofOf(tree, c.accountId)!, tree.root)).toBeNull();
        const target = list[pick % list.length]!;
        const proof = proofOf(tree, target.accountId)!;
        const bigger = `${BigInt(target.amount.split(".")[0]!) + 1n}`;
        proof.leaf.amount = bigger;
        proof.leaf.hash = leafHash(proof.leaf.salt, proof.leaf.accountId, bigger);
        expect(proofProblem(proof, tree.root)).not.toBeNull();
      }),
      { numRuns: 60 },
    );
  });

  it("given a file that is not a proof, then it is a problem, not a crash", () => {
    expect(proofFileProblem("not json", "0".repeat(64))).toContain("not JSON");
    expect(proofFileProblem('{"leaf": 1}', "0".repeat(64))).toContain("not a GET");
  });
});
