"""Benchmark: 1,000 compiled rule predicates over one sale context, against a tree walk.

    .venv/bin/python benchmarks/rules.py [--rules 1000] [--rounds 2000]

Builds ``--rules`` random conditions in the sale vocabulary (2-6 clauses each,
nested all/any/not, every operator), parses them and compiles them once with
``compile_predicate``. One round evaluates every rule against one sale context
(what price resolution does per offering); the baseline is an interpreted walk of
the same parsed trees (``isinstance`` dispatch per node), measured in the same run
over the same contexts. Prints p50/p95/p99 per round and the ratio; the last line
is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta

from salesdev.engine.rules import (
    SALE_VOCABULARY,
    AllOf,
    AnyOf,
    Condition,
    Not,
    compile_predicate,
    parse_condition,
)

Context = Mapping[str, object]


def interpret(condition: Condition, context: Context) -> bool:
    """The same semantics as compile_predicate, walking the tree on every call."""
    if isinstance(condition, AllOf):
        return all(interpret(p, context) for p in condition.parts)
    if isinstance(condition, AnyOf):
        return any(interpret(p, context) for p in condition.parts)
    if isinstance(condition, Not):
        return not interpret(condition.part, context)
    x = context.get(condition.attribute)
    op, v = condition.op, condition.value
    if op == "is_set":
        return x is not None
    if op == "is_not_set":
        return x is None
    if x is None:
        return False
    if op == "eq":
        return bool(x == v)
    if op == "ne":
        return bool(x != v)
    if op == "lt":
        return bool(x < v)  # type: ignore[operator]
    if op == "le":
        return bool(x <= v)  # type: ignore[operator]
    if op == "gt":
        return bool(x > v)  # type: ignore[operator]
    if op == "ge":
        return bool(x >= v)  # type: ignore[operator]
    if op == "in":
        return x in v  # type: ignore[operator]
    if op == "not_in":
        return x not in v  # type: ignore[operator]
    if op == "between":
        low, high = v  # type: ignore[misc,str-unpack]
        return bool(low <= x < high)  # type: ignore[operator]
    if op == "contains":
        return v in x  # type: ignore[operator]
    if op == "contains_any":
        return not set(v).isdisjoint(x)  # type: ignore[arg-type]
    if op == "contains_all":
        return set(v).issubset(x)  # type: ignore[arg-type]
    raise ValueError(op)


OFFERINGS = [f"OFF-{i:04d}" for i in range(200)]
FAMILIES = ["mobile", "fibre", "tv", "devices", "vas"]


def random_leaf(rng: random.Random) -> dict[str, object]:
    attribute = rng.choice(SALE_VOCABULARY.names)
    spec = SALE_VOCABULARY[attribute]
    op = rng.choice(spec.operators)
    if op in ("is_set", "is_not_set"):
        return {"attribute": attribute, "op": op}
    if spec.type in ("string", "string_set"):
        pool = list(spec.values or (OFFERINGS if "product" in attribute else FAMILIES))
        if op in ("in", "not_in", "contains_any", "contains_all"):
            value: object = rng.sample(pool, min(len(pool), rng.randint(1, 4)))
        else:
            value = rng.choice(pool)
    elif spec.type == "integer":
        low = rng.randint(0, 48)
        value = (
            [low, low + rng.randint(1, 24)]
            if op == "between"
            else ([rng.randint(0, 48) for _ in range(3)] if op in ("in", "not_in") else low)
        )
    elif spec.type == "date":
        start = date(2026, 1, 1) + timedelta(days=rng.randint(0, 364))
        end = start + timedelta(days=rng.randint(1, 90))
        value = [start.isoformat(), end.isoformat()] if op == "between" else start.isoformat()
    else:
        value = rng.random() < 0.5
    return {"attribute": attribute, "op": op, "value": value}


def random_condition(rng: random.Random) -> dict[str, object]:
    leaves = [random_leaf(rng) for _ in range(rng.randint(2, 6))]
    if len(leaves) > 3 and rng.random() < 0.5:
        leaves = [*leaves[:2], {"any": leaves[2:]}]
    if rng.random() < 0.2:
        leaves[0] = {"not": leaves[0]}
    return {"all": leaves}


def context(rng: random.Random) -> dict[str, object]:
    return {
        "customer.code": "C-000123",
        "customer.kind": "customer",
        "customer.segment": rng.choice(["consumer", "small_business"]),
        "customer.credit_class": rng.choice("ABCD"),
        "customer.tenure_months": rng.randint(0, 60),
        "customer.age_band": "35-44",
        "customer.region": "north",
        "customer.products": frozenset(rng.sample(OFFERINGS, 3)),
        "customer.product_families": frozenset({"mobile", "fibre"}),
        "premise.region": "north",
        "premise.technologies": frozenset({"fibre", "5g"}),
        "channel.code": "CH-RETAIL",
        "channel.type": "own_retail",
        "offering.code": rng.choice(OFFERINGS),
        "offering.family": rng.choice(FAMILIES),
        "offering.is_bundle": False,
        "sale.date": date(2026, 10, 15),
        "sale.quantity": 1,
    }


def measure(
    rounds: int, evaluate: Callable[[Context], int], contexts: list[Context]
) -> list[float]:
    timings = []
    for i in range(rounds):
        ctx = contexts[i % len(contexts)]
        start = time.perf_counter_ns()
        evaluate(ctx)
        timings.append((time.perf_counter_ns() - start) / 1e6)
    return timings


def summary(timings: list[float]) -> dict[str, float]:
    q = statistics.quantiles(timings, n=100)
    return {"p50_ms": round(q[49], 4), "p95_ms": round(q[94], 4), "p99_ms": round(q[98], 4)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    start = time.perf_counter()
    conditions = [parse_condition(random_condition(rng)) for _ in range(args.rules)]
    parsed = time.perf_counter()
    predicates = [compile_predicate(c) for c in conditions]
    compiled = time.perf_counter()
    contexts: list[Context] = [context(rng) for _ in range(50)]

    def run_compiled(ctx: Context) -> int:
        return sum(1 for p in predicates if p(ctx))

    def run_interpreted(ctx: Context) -> int:
        return sum(1 for c in conditions if interpret(c, ctx))

    for ctx in contexts:  # same answers, and warm-up
        assert run_compiled(ctx) == run_interpreted(ctx)
    gc.collect()
    gc.freeze()
    fast = summary(measure(args.rounds, run_compiled, contexts))
    slow = summary(measure(args.rounds, run_interpreted, contexts))
    matched = statistics.mean(run_compiled(c) for c in contexts)
    print(
        f"{args.rules} rules: parse {1000 * (parsed - start):.1f} ms, "
        f"compile {1000 * (compiled - parsed):.1f} ms; {matched:.0f} match a context on average"
    )
    print(
        f"compiled predicates   p50 {fast['p50_ms']} ms  p95 {fast['p95_ms']} ms  p99 {fast['p99_ms']} ms"
    )
    print(
        f"tree walk (baseline)  p50 {slow['p50_ms']} ms  p95 {slow['p95_ms']} ms  p99 {slow['p99_ms']} ms"
    )
    ratio = slow["p99_ms"] / fast["p99_ms"]
    print(f"compiled is {ratio:.1f}x faster at p99 (budget: 1 ms for 1,000 rules)")
    print(
        json.dumps(
            {
                "rules": args.rules,
                "compiled": fast,
                "interpreted": slow,
                "p99_ratio": round(ratio, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
