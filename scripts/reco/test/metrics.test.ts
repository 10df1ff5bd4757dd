import test from "ava";
import { ndcgAtK, precisionAtK, recallAtK } from "../metrics.js";

const relevant = new Set(["a", "c", "x"]);
const ranked = ["a", "b", "c", "d"];

test("precision@k counts relevant titles among the first k, over k", (t) => {
  t.is(precisionAtK(ranked, relevant, 4), 2 / 4);
  t.is(precisionAtK(ranked, relevant, 1), 1);
  t.is(precisionAtK(ranked, relevant, 10), 2 / 10, "a short list still divides by k");
  t.is(precisionAtK([], relevant, 10), 0);
});

test("recall@k is the share of relevant titles found", (t) => {
  t.is(recallAtK(ranked, relevant, 4), 2 / 3);
  t.is(recallAtK(ranked, relevant, 2), 1 / 3);
  t.is(recallAtK(ranked, new Set(), 4), 0);
});

test("NDCG@k: hand-computed example", (t) => {
  // DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal (3 relevant, k=4) = 1 + 1/log2(3) + 1/2.
  const expected = 1.5 / (1 + 1 / Math.log2(3) + 0.5);
  t.true(Math.abs(ndcgAtK(ranked, relevant, 4) - expected) < 1e-12);
  t.is(ndcgAtK(["a", "c", "x"], relevant, 3), 1, "the ideal order scores 1");
  t.is(ndcgAtK(["b", "d"], relevant, 2), 0);
  // With k=2 only two relevant titles fit in the ideal list.
  t.true(Math.abs(ndcgAtK(["b", "a"], relevant, 2) - 1 / Math.log2(3) / (1 + 1 / Math.log2(3))) < 1e-12);
});

test("a relevant title lower in the list is worth less", (t) => {
  const one = new Set(["a"]);
  t.true(ndcgAtK(["a", "b", "c"], one, 3) > ndcgAtK(["b", "a", "c"], one, 3));
  t.true(ndcgAtK(["b", "a", "c"], one, 3) > ndcgAtK(["b", "c", "a"], one, 3));
});
