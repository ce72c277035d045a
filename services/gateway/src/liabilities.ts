// Proof of liabilities: a Merkle-sum tree over every account's claim at a checkpoint, each account's inclusion proof,
// and its verification (`pmx verify-liabilities`). Tree functions are pure; `LiabilityTrees` keeps the latest tree.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Money, money, type State, toAmountString, ZERO } from "@pmx/domain";
import * as t from "io-ts";
import { writeFileDurably } from "./credentials.js";

/** One account's claim: what the exchange owes it now in cash (free cash + cash reserved by its open orders). */
export interface Claim {
  accountId: string;
  /** Decimal string, ≥ 0, at most 6 places. */
  amount: string;
}

/** A node of the tree: its hash (hex SHA-256) and the sum of the claims below it (decimal string). */
export interface SumNode {
  hash: string;
  sum: string;
}

/** One step from a leaf to the root: the sibling node and which side of the pair it is on. */
export interface ProofStep extends SumNode {
  side: "left" | "right";
}

/** What `GET /v1/account/liabilities-proof` answers and `pmx verify-liabilities --proof` reads. */
export interface LiabilityProof {
  revision: number;
  root: string;
  total: string;
  leaf: { accountId: string; amount: string; salt: string; hash: string };
  path: ProofStep[];
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** Leaf hash: SHA-256 of `pmx-liability-leaf:{salt}:{accountId}:{amount}` (the salt hides who a sibling is). */
export const leafHash = (salt: string, accountId: string, amount: string): string =>
  sha256(`pmx-liability-leaf:${salt}:${accountId}:${amount}`);

/** Node hash: SHA-256 of both children's hashes and sums, so a sum cannot change without changing the root. */
export const nodeHash = (left: SumNode, right: SumNode): string =>
  sha256(`pmx-liability-node:${left.hash}:${left.sum}:${right.hash}:${right.sum}`);

/** The node that pads an odd level: sum 0. */
export const EMPTY_NODE: SumNode = { hash: sha256("pmx-liability-empty"), sum: "0" };

const add = (a: string, b: string): string => toAmountString(money(a).plus(money(b)));

function parent(left: SumNode, right: SumNode): SumNode {
  return { hash: nodeHash(left, right), sum: add(left.sum, right.sum) };
}

/** Every level of the tree, leaves first (ordered by leaf hash, so the order says nothing of account ids). */
function levelsOf(leaves: SumNode[]): SumNode[][] {
  const levels: SumNode[][] = [leaves.length > 0 ? leaves : [EMPTY_NODE]];
  while (levels.at(-1)!.length > 1) {
    const below = levels.at(-1)!;
    const above: SumNode[] = [];
    for (let i = 0; i < below.length; i += 2) above.push(parent(below[i]!, below[i + 1] ?? EMPTY_NODE));
    levels.push(above);
  }
  return levels;
}

export interface LiabilityTree {
  revision: number;
  root: string;
  total: string;
  /** Each account's leaf (with its salt), in tree order. */
  leaves: { accountId: string; amount: string; salt: string; hash: string }[];
}

/** The tree over `claims` at `revision`; `saltOf` gives each account's salt (secret until its proof is asked for). */
export function buildTree(
  revision: number,
  claims: Claim[],
  saltOf: (accountId: string) => string,
): LiabilityTree {
  const leaves = claims
    .map((c) => {
      const salt = saltOf(c.accountId);
      return { accountId: c.accountId, amount: c.amount, salt, hash: leafHash(salt, c.accountId, c.amount) };
    })
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const levels = levelsOf(leaves.map((l) => ({ hash: l.hash, sum: l.amount })));
  const root = levels.at(-1)![0]!;
  return { revision, root: root.hash, total: root.sum, leaves };
}

/** The account's inclusion proof in `tree`, or null when it has no leaf there. */
export function proofOf(tree: LiabilityTree, accountId: string): LiabilityProof | null {
  let index = tree.leaves.findIndex((l) => l.accountId === accountId);
  if (index < 0) return null;
  const levels = levelsOf(tree.leaves.map((l) => ({ hash: l.hash, sum: l.amount })));
  const path: ProofStep[] = [];
  for (const level of levels.slice(0, -1)) {
    const sibling = index % 2 === 0 ? (level[index + 1] ?? EMPTY_NODE) : level[index - 1]!;
    path.push({ side: index % 2 === 0 ? "right" : "left", hash: sibling.hash, sum: sibling.sum });
    index = Math.floor(index / 2);
  }
  return {
    revision: tree.revision,
    root: tree.root,
    total: tree.total,
    leaf: tree.leaves.find((l) => l.accountId === accountId)!,
    path,
  };
}

const AMOUNT = /^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$/;

/**
 * Null when the proof leads from its leaf to `root`: the leaf hash is recomputed from its salt, account and amount,
 * every sum is a non-negative amount (a negative sibling could hide claims), each parent is recomputed from its
 * children, and the root's sum is the proof's total (which therefore covers the leaf). Otherwise what is wrong.
 */
export function proofProblem(proof: LiabilityProof, root: string): string | null {
  const { leaf } = proof;
  if (!AMOUNT.test(leaf.amount)) return `the leaf amount ${leaf.amount} is not a non-negative amount`;
  if (leafHash(leaf.salt, leaf.accountId, leaf.amount) !== leaf.hash)
    return "the leaf hash is not SHA-256 of its salt, account and amount";
  let node: SumNode = { hash: leaf.hash, sum: leaf.amount };
  for (const [i, step] of proof.path.entries()) {
    if (!AMOUNT.test(step.sum)) return `step ${i}: the sibling sum ${step.sum} is not a non-negative amount`;
    if (step.side !== "left" && step.side !== "right") return `step ${i}: side is left or right`;
    node = step.side === "right" ? parent(node, step) : parent(step, node);
  }
  if (node.hash !== root) return `the path leads to ${node.hash}, not to the root ${root}`;
  if (node.sum !== proof.total) return `the root's sum is ${node.sum}, not the total ${proof.total}`;
  if (money(node.sum).lt(money(leaf.amount))) return "the total does not cover the leaf";
  return null;
}

const ProofStepCodec = t.type({ side: t.keyof({ left: null, right: null }), hash: t.string, sum: t.string });
const ProofCodec = t.type({
  revision: t.number,
  root: t.string,
  total: t.string,
  leaf: t.type({ accountId: t.string, amount: t.string, salt: t.string, hash: t.string }),
  path: t.array(ProofStepCodec),
});

/** `proofProblem` of a saved proof file's text (a file that is not a proof is a problem too). */
export function proofFileProblem(text: string, root: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "the proof file is not JSON";
  }
  const proof = ProofCodec.decode(parsed);
  if (proof._tag === "Left") return "the proof file is not a GET /v1/account/liabilities-proof answer";
  return proofProblem(proof.right, root);
}

/** Each account's claim in `state`: free cash + reserved cash, the money the exchange owes it now. */
export function claimsOf(state: State): Claim[] {
  const claims: Claim[] = [];
  for (const account of state.accounts.values()) {
    const amount: Money = account.cash.plus(account.reserved);
    claims.push({ accountId: account.accountId, amount: toAmountString(amount.isZero() ? ZERO : amount) });
  }
  return claims;
}

/**
 * The latest tree, built at each checkpoint: in a data folder `liabilities.json` (mode 600: it holds every account's
 * claim and salt), rewritten durably (temp file, fsync, rename); in memory otherwise.
 */
export class LiabilityTrees {
  private current: LiabilityTree | null = null;
  private readonly file: string | null;

  constructor(dataDir: string | null) {
    this.file = dataDir ? join(dataDir, "liabilities.json") : null;
    if (this.file && existsSync(this.file))
      this.current = JSON.parse(readFileSync(this.file, "utf8")) as LiabilityTree;
  }

  get latest(): LiabilityTree | null {
    return this.current;
  }

  keep(tree: LiabilityTree): void {
    if (this.file) writeFileDurably(this.file, JSON.stringify(tree));
    this.current = tree;
  }
}
