#!/usr/bin/env python3
"""The planner's exact oracle: the fewest replica moves that meet the planner's goals, as an
integer program solved to proven optimality by HiGHS (PyPI `highspy`, a test tool only; the
product never uses it).

The model is the planner's goal definition (Sources/BrokerScaling/Planner/PartitionPlanner.swift):
  - x[p, b] = 1 when a movable replica of partition p sits on receiving broker b (active or new);
    replicas on fixed brokers stay, nothing stays on a draining broker;
  - every movable replica is placed, a partition's replicas on distinct brokers and, where racks
    allow (rack-aware, racks >= replicas, more than one rack), on distinct racks;
  - every receiving broker's load within [mean (1 - t) - mean 1e-9, mean (1 + t) + mean 1e-9],
    the mean being the load on non-fixed brokers over the receiving brokers; the load is bytes
    in, else bytes out, else the partition count, as the planner chooses;
  - minimise replicas that change broker.

Commands:
  solve [--tolerance T] [--time-limit S]   a ClusterView JSON on stdin -> the optimum as JSON
  generate --seed N                        a random heavy-partition instance as ClusterView JSON
  instance --seed N                        {"cluster": ..., "optimum": ...} for one seed
  compare --ebb PATH --count N             Ebb's plans against the optimum on N instances
"""
import argparse
import json
import math
import random
import statistics
import subprocess
import sys
import time


def load_kind(partitions):
    def known(key):
        return bool(partitions) and all(p.get(key) is not None for p in partitions)
    if known("bytesInPerSecond") and any((p.get("bytesInPerSecond") or 0) > 0 for p in partitions):
        return "bytesInPerSecond"
    if known("bytesOutPerSecond") and any((p.get("bytesOutPerSecond") or 0) > 0 for p in partitions):
        return "bytesOutPerSecond"
    return None


def solve(cluster, tolerance=0.05, rack_aware=True, time_limit=120.0):
    import highspy
    import numpy as np

    brokers = cluster["brokers"]
    partitions = cluster["partitions"]
    index = {b["id"]: i for i, b in enumerate(brokers)}
    state = [b.get("state") or "active" for b in brokers]
    rack_of = [b.get("rack") for b in brokers]
    racks = sorted({r for r in rack_of if r is not None})
    receiving = [i for i, s in enumerate(state) if s in ("active", "new")]
    column_of = {b: c for c, b in enumerate(receiving)}
    kind = load_kind(partitions)
    weight = [float(p.get(kind) or 0) if kind else 1.0 for p in partitions]
    total = 0.0
    for p, w in zip(partitions, weight):
        total += w * sum(1 for r in p["replicas"] if state[index[r]] != "fixed")
    mean = total / len(receiving)
    low = mean * (1 - tolerance) - mean * 1e-9
    high = mean * (1 + tolerance) + mean * 1e-9

    # Columns: (partition, receiving broker). Rows: replicas placed per partition, rack limits,
    # then the band per receiving broker.
    costs, col_p, col_b = [], [], []
    rows_lower, rows_upper = [], []
    entries = []  # (row, column, value)
    constant = 0
    for p, partition in enumerate(partitions):
        replicas = [index[r] for r in partition["replicas"]]
        movable = [b for b in replicas if state[b] != "fixed"]
        if not movable:
            continue
        fixed = [b for b in replicas if state[b] == "fixed"]
        constant += len(movable)
        first = len(costs)
        for b in receiving:
            if b in fixed:
                continue
            costs.append(-1.0 if b in movable else 0.0)
            col_p.append(p)
            col_b.append(b)
        row = len(rows_lower)
        rows_lower.append(len(movable))
        rows_upper.append(len(movable))
        for c in range(first, len(costs)):
            entries.append((row, c, 1.0))
        racks_required = rack_aware and len(racks) > 1 and len(racks) >= len(replicas)
        if racks_required and len(replicas) > 1:
            used = {rack_of[b] for b in fixed if rack_of[b] is not None}
            for rack in racks:
                members = [c for c in range(first, len(costs)) if rack_of[col_b[c]] == rack]
                if not members:
                    continue
                row = len(rows_lower)
                rows_lower.append(0)
                rows_upper.append(0 if rack in used else 1)
                for c in members:
                    entries.append((row, c, 1.0))
    band_row = {}
    for b in receiving:
        band_row[b] = len(rows_lower)
        rows_lower.append(low)
        rows_upper.append(high)
    for c, (p, b) in enumerate(zip(col_p, col_b)):
        if weight[p] != 0:
            entries.append((band_row[b], c, weight[p]))

    n = len(costs)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 0.999)  # moves are whole numbers: a gap below 1 proves the optimum
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(rows_lower)
    lp.col_cost_ = np.array(costs, dtype=np.double)
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.array(rows_lower, dtype=np.double)
    lp.row_upper_ = np.array(rows_upper, dtype=np.double)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    # Column-wise sparse matrix.
    entries.sort(key=lambda e: (e[1], e[0]))
    starts = np.zeros(n + 1, dtype=np.int32)
    for _, c, _ in entries:
        starts[c + 1] += 1
    starts = np.cumsum(starts).astype(np.int32)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = np.array([e[0] for e in entries], dtype=np.int32)
    lp.a_matrix_.value_ = np.array([e[2] for e in entries], dtype=np.double)
    start = time.monotonic()
    highs.passModel(lp)
    highs.run()
    seconds = time.monotonic() - start
    status = highs.getModelStatus()
    info = highs.getInfo()
    result = {"mean": mean, "low": low, "high": high, "seconds": round(seconds, 3), "variables": n}
    if status == highspy.HighsModelStatus.kOptimal:
        result.update(status="optimal", moves=int(round(constant + info.objective_function_value)),
                      bound=int(round(constant + info.objective_function_value)))
    elif status == highspy.HighsModelStatus.kInfeasible:
        result.update(status="infeasible", moves=None, bound=None)
    else:
        has_solution = info.primal_solution_status == 2
        result.update(
            status="limit",
            moves=int(round(constant + info.objective_function_value)) if has_solution else None,
            bound=int(math.ceil(constant + info.mip_dual_bound - 1e-6)) if math.isfinite(info.mip_dual_bound) else None)
    return result


def generate(seed, max_brokers=66):
    """Heavy partitions: 20-66 brokers (or up to max_brokers), 400-3000 partitions, 8-30 partitions per receiving broker,
    zipf-skewed loads whose largest is 0.3-0.95 of the mean after the change, replication factor 1;
    scale-out, drain or both (by seed)."""
    rng = random.Random(seed)
    scenario = ("scale-out", "drain", "both")[seed % 3]
    total = rng.randint(20, max_brokers)
    share = rng.uniform(0.05, 0.25)
    change = max(1, round(total * share))
    add = change if scenario != "drain" else 0
    drain = change if scenario == "drain" else (max(1, change // 2) if scenario == "both" else 0)
    if scenario == "both":
        add = max(1, change - drain)
    existing = total - add
    receiving = existing - drain + add
    per_broker = rng.uniform(8, 30)
    count = min(3000, max(400, round(per_broker * receiving)))
    largest = rng.uniform(0.3, 0.95)
    jitter = [0.8 + 0.4 * rng.random() for _ in range(count)]

    def ratio(exponent):
        loads = [j / (k + 1) ** exponent for k, j in enumerate(jitter)]
        return max(loads) / (sum(loads) / receiving), loads

    lo, hi = 0.0, 4.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if ratio(mid)[0] < largest:
            lo = mid
        else:
            hi = mid
    _, loads = ratio(hi)
    rng.shuffle(loads)
    scale = 1e6 * receiving / sum(loads)
    start = rng.randrange(existing)
    brokers = []
    for b in range(total):
        state = "new" if b >= existing else ("draining" if b >= existing - drain else "active")
        brokers.append({"id": b, "state": state})
    partitions = []
    for p, load in enumerate(loads):
        broker = (start + p) % existing
        partitions.append({"topic": "t%d" % (p // 100), "partition": p % 100, "replicas": [broker], "leader": broker,
                           "bytesInPerSecond": load * scale})
    return {"brokers": brokers, "partitions": partitions}, {
        "seed": seed, "scenario": scenario, "brokers": total, "added": add, "draining": drain, "partitions": count,
        "largestOfMean": round(max(loads) * scale / 1e6, 3)}


def ebb_plan(ebb, cluster, extra=()):
    run = subprocess.run([ebb, "plan", "--input", "-", "--output", "json", "--no-leadership-moves", *extra],
                         input=json.dumps(cluster), capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def compare(args):
    known = {}
    if args.optima:
        with open(args.optima) as lines:
            for line in lines:
                if line.startswith("{"):
                    entry = json.loads(line)
                    if entry.get("maxBrokers", 66) != args.max_brokers:
                        sys.exit("%s solved seed %d with --max-brokers %s, not %d" % (args.optima, entry["seed"], entry.get("maxBrokers", 66), args.max_brokers))
                    known[entry["seed"]] = entry["optimum"]
    rows = []
    for seed in range(args.first, args.first + args.count):
        cluster, info = generate(seed, args.max_brokers)
        start = time.monotonic()
        plan = ebb_plan(args.ebb, cluster)["stats"]
        wall = time.monotonic() - start
        optimum = known.get(seed) or solve(cluster, time_limit=args.time_limit)
        row = dict(info, ebbMoves=plan["moves"], lowerBound=plan["lowerBoundMoves"], unmet=plan["unmetGoals"],
                   planningSeconds=plan["planningSeconds"], ebbWall=round(wall, 3), optimum=optimum)
        rows.append(row)
        ratio = "-"
        if optimum["moves"]:
            ratio = "%.3f" % (plan["moves"] / optimum["moves"])
        print("seed %4d %-9s brokers %2d (+%d -%d) partitions %4d largest %.2f: ebb %4d bound %4d oracle %s %s ratio %s%s"
              % (seed, info["scenario"], info["brokers"], info["added"], info["draining"], info["partitions"],
                 info["largestOfMean"], plan["moves"], plan["lowerBoundMoves"], optimum["status"], optimum["moves"],
                 ratio, " UNMET" if plan["unmetGoals"] else ""), flush=True)
    summarize(rows)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


def summarize(rows):
    """Ratios against the optimum where the solver proved it, else against the best proven lower
    bound (the solver's, or Ebb's own, which is checked against every proven optimum): never
    kinder to Ebb than the optimum."""
    proven, bounded, wrong_unmet, bound_invalid, infeasible = [], [], [], [], 0
    for row in rows:
        optimum = row["optimum"]
        if optimum["status"] == "infeasible":
            infeasible += 1
            continue
        if row["unmet"]:
            wrong_unmet.append(row["seed"])
            continue
        if optimum["status"] == "optimal":
            best = optimum["moves"]
            if row["lowerBound"] > best:
                bound_invalid.append(row["seed"])
        else:
            best = max(optimum["bound"] or 0, row["lowerBound"])
        ratio = row["ebbMoves"] / best if best else (1.0 if row["ebbMoves"] == 0 else float("inf"))
        (proven if optimum["status"] == "optimal" else bounded).append(ratio)
    both = proven + bounded
    print("instances %d: solver proved the optimum of %d, infeasible %d, ran out of time on %d"
          % (len(rows), len(proven), infeasible, len(bounded)))
    for name, ratios in (("proven optima", proven), ("all (optimum or best proven bound)", both)):
        if ratios:
            print("moves / %s: median %.3f, mean %.3f, worst %.3f; at the optimum or bound %d of %d"
                  % (name, statistics.median(ratios), statistics.mean(ratios), max(ratios),
                     sum(1 for r in ratios if r <= 1 + 1e-9), len(ratios)))
    print("unmet although the solver meets the goal: %d %s" % (len(wrong_unmet), wrong_unmet))
    print("Ebb's lower bound above a proven optimum: %d %s" % (len(bound_invalid), bound_invalid))
    seconds = [row["planningSeconds"] for row in rows]
    print("Ebb planning: median %.1f ms, worst %.1f ms; solver median %.1f s, worst %.1f s"
          % (statistics.median(seconds) * 1000, max(seconds) * 1000,
             statistics.median(r["optimum"]["seconds"] for r in rows), max(r["optimum"]["seconds"] for r in rows)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    solve_command = commands.add_parser("solve")
    solve_command.add_argument("--tolerance", type=float, default=0.05)
    solve_command.add_argument("--no-rack-aware", action="store_true")
    solve_command.add_argument("--time-limit", type=float, default=120)
    generate_command = commands.add_parser("generate")
    generate_command.add_argument("--seed", type=int, required=True)
    instance_command = commands.add_parser("instance")
    instance_command.add_argument("--seed", type=int, required=True)
    instance_command.add_argument("--max-brokers", type=int, default=66, help="fewer brokers solve faster (tests)")
    instance_command.add_argument("--time-limit", type=float, default=120)
    compare_command = commands.add_parser("compare")
    compare_command.add_argument("--ebb", required=True)
    compare_command.add_argument("--count", type=int, default=200)
    compare_command.add_argument("--first", type=int, default=0)
    compare_command.add_argument("--time-limit", type=float, default=120)
    compare_command.add_argument("--json", help="write every instance's numbers here")
    compare_command.add_argument("--optima", help="optima from `optima` (JSON lines), solved earlier: not solved again")
    compare_command.add_argument("--max-brokers", type=int, default=66, help="as given to `optima`")
    optima_command = commands.add_parser("optima")
    optima_command.add_argument("--count", type=int, default=200)
    optima_command.add_argument("--first", type=int, default=0)
    optima_command.add_argument("--time-limit", type=float, default=120)
    optima_command.add_argument("--max-brokers", type=int, default=66, help="fewer brokers solve faster")
    args = parser.parse_args()
    if args.command == "solve":
        print(json.dumps(solve(json.load(sys.stdin), args.tolerance, not args.no_rack_aware, args.time_limit)))
    elif args.command == "generate":
        print(json.dumps(generate(args.seed)[0]))
    elif args.command == "instance":
        cluster, info = generate(args.seed, args.max_brokers)
        print(json.dumps({"cluster": cluster, "info": info, "optimum": solve(cluster, time_limit=args.time_limit)}))
    elif args.command == "optima":
        # One JSON line per seed, flushed as it is solved: the solve does not depend on Ebb.
        for seed in range(args.first, args.first + args.count):
            cluster, info = generate(seed, args.max_brokers)
            print(json.dumps({"seed": seed, "maxBrokers": args.max_brokers, "optimum": solve(cluster, time_limit=args.time_limit)}), flush=True)
    else:
        compare(args)


if __name__ == "__main__":
    main()
