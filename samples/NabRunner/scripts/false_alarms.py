#!/usr/bin/env python3
"""Counts the false-positive rows of a NabRunner results directory at a fixed threshold, per category, and
names the member detector with the highest score on each of them.

Usage (after `NabRunner --out OUT --detectors ensemble,seasonal,robust,range ...`):
    python3 samples/NabRunner/scripts/false_alarms.py --results OUT --labels LABELS.json --threshold 0.639

A false-positive row is scored under NAB's rules: after the probation period (min(floor(0.15 n), 750) rows),
score >= threshold, timestamp outside every anomaly window of the file (window ends inclusive).
"""
import argparse
import collections
import csv
import json
import math
import os
from datetime import datetime


def parse_time(text):
    return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")


def read_scores(results, detector, category, name):
    path = os.path.join(results, detector, category, f"{detector}_{name}")
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True, help="NabRunner --out directory")
    parser.add_argument("--labels", required=True, help="NAB combined_windows.json")
    parser.add_argument("--threshold", type=float, required=True, help="score at or above which a row is a detection")
    parser.add_argument("--detector", default="ensemble")
    parser.add_argument("--members", default="seasonal,robust,range", help="detectors to attribute each false alarm to")
    parser.add_argument("--verbose", action="store_true", help="also list the false-positive rows of each file")
    args = parser.parse_args()

    with open(args.labels) as f:
        labels = json.load(f)
    members = [m for m in args.members.split(",") if m]
    per_category = collections.Counter()
    attribution = collections.defaultdict(collections.Counter)
    for key in sorted(labels):
        category, name = key.split("/")
        rows = read_scores(args.results, args.detector, category, name)
        if rows is None:
            continue  # a category that was not run
        windows = [(parse_time(a), parse_time(b)) for a, b in labels[key]]
        member_rows = {m: read_scores(args.results, m, category, name) for m in members}
        probation = min(math.floor(0.15 * len(rows)), 750)
        false_rows = []
        for i in range(probation, len(rows)):
            if float(rows[i]["anomaly_score"]) < args.threshold:
                continue
            t = parse_time(rows[i]["timestamp"])
            if any(a <= t <= b for a, b in windows):
                continue
            false_rows.append(i)
            scored = [(float(r[i]["anomaly_score"]), m) for m, r in member_rows.items() if r is not None]
            if scored:
                attribution[category][max(scored)[1]] += 1
        per_category[category] += len(false_rows)
        if args.verbose:
            print(f"{key}: {len(false_rows)} {false_rows}")
    for category in sorted(per_category):
        detail = ", ".join(f"{m} {c}" for m, c in attribution[category].most_common())
        print(f"{category}: {per_category[category]} false-positive rows" + (f" (strongest member: {detail})" if detail else ""))
    print(f"total: {sum(per_category.values())} false-positive rows")


if __name__ == "__main__":
    main()
