"""Solve the Solomon VRPTW instances with Google OR-Tools' routing solver.

Same instances, same rules as the Rust benchmark: Euclidean distances, travel time =
distance, service may start at `ready` (wait if early) and must start by `due`, vehicles
return to the depot by its due date, capacity, fleet = the instance's VEHICLE NUMBER.

OR-Tools needs integers, so everything is scaled by SCALE = 100. Arc costs (the distance
objective) are truncated, int(100 * d); travel *times* are rounded up, ceil(100 * d), so
that a plan OR-Tools finds on time is also on time in real doubles (with truncated times
one RC208 plan came out 0.04 late). Every route is still re-checked in doubles by the Rust
validator (solomon_bench --ortools) before its distance counts. Service times and
windows are integers in the files, so scaling them is exact. Objective: a fixed cost per used vehicle larger than
any total distance, plus the scaled distance, i.e. fewest vehicles first, then distance
(the same hierarchy as BKS.json's NAME entries and our solver). Search:
PARALLEL_CHEAPEST_INSERTION first solution (PATH_CHEAPEST_ARC and AUTOMATIC find no
first solution within seconds on tight instances such as R101 and RC101), then
GUIDED_LOCAL_SEARCH, a wall-clock limit per instance (default 10 s).

Writes {"NAME": {"routes": [[customer numbers]], "seconds": s, "objective": o}} as JSON.
"""

import argparse
import glob
import json
import math
import os
import sys
import time

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

SCALE = 100


def parse(path):
    lines = open(path).read().splitlines()
    vehicles = capacity = None
    customers = []
    for i, line in enumerate(lines):
        if line.strip().upper().startswith("NUMBER"):
            vehicles, capacity = map(int, lines[i + 1].split())
        f = line.split()
        if len(f) == 7 and all(x.replace(".", "", 1).isdigit() for x in f):
            customers.append(tuple(float(x) for x in f))
    return vehicles, capacity, customers


def solve(path, seconds):
    vehicles, capacity, cust = parse(path)
    n = len(cust)
    real = [[math.hypot(a[1] - b[1], a[2] - b[2]) for b in cust] for a in cust]
    dist = [[int(SCALE * d) for d in row] for row in real]
    travel = [[int(math.ceil(SCALE * d)) for d in row] for row in real]
    service = [int(SCALE * c[6]) for c in cust]
    manager = pywrapcp.RoutingIndexManager(n, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def arc(i, j):
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def transit_time(i, j):
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return service[a] + travel[a][b]

    arc_cb = routing.RegisterTransitCallback(arc)
    routing.SetArcCostEvaluatorOfAllVehicles(arc_cb)
    routing.SetFixedCostOfAllVehicles(SCALE * 100_000)

    time_cb = routing.RegisterTransitCallback(transit_time)
    horizon = int(SCALE * cust[0][5])
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    tdim = routing.GetDimensionOrDie("Time")
    for node, c in enumerate(cust):
        lo, hi = int(math.ceil(SCALE * c[4])), int(SCALE * c[5])
        if node == 0:
            for v in range(vehicles):
                tdim.CumulVar(routing.Start(v)).SetRange(lo, hi)
                tdim.CumulVar(routing.End(v)).SetRange(lo, hi)
        else:
            tdim.CumulVar(manager.NodeToIndex(node)).SetRange(lo, hi)

    demand_cb = routing.RegisterUnaryTransitCallback(lambda i: int(cust[manager.IndexToNode(i)][3]))
    routing.AddDimensionWithVehicleCapacity(demand_cb, 0, [capacity] * vehicles, True, "Capacity")

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    t0 = time.perf_counter()
    sol = routing.SolveWithParameters(params)
    elapsed = time.perf_counter() - t0
    if sol is None:
        return {"routes": [], "seconds": elapsed, "objective": None}
    routes = []
    for v in range(vehicles):
        i = routing.Start(v)
        route = []
        while not routing.IsEnd(i):
            node = manager.IndexToNode(i)
            if node != 0:
                route.append(int(cust[node][0]))
            i = sol.Value(routing.NextVar(i))
        if route:
            routes.append(route)
    return {"routes": routes, "seconds": elapsed, "objective": sol.ObjectiveValue()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(__file__), "../../../shared/benchmarks/solomon"))
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default="/tmp/hagukumi-solomon/ortools.json")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    paths = sorted(glob.glob(os.path.join(args.dir, "*.txt")))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    results = {}
    for path in paths:
        name = os.path.basename(path)[:-4]
        if only and name not in only:
            continue
        results[name] = solve(path, args.seconds)
        r = results[name]
        print(f"{name:8} vehicles {len(r['routes']):3}  {r['seconds']:.1f}s", file=sys.stderr)
        with open(args.out, "w") as f:
            json.dump(results, f)


if __name__ == "__main__":
    main()
