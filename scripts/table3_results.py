#!/usr/bin/env python3
"""Results of scripts/reproduce_table3.sh: `record` one run, `summary` of the rows of one invocation.

record:  RESULTS/<name>.json (valid/test F1 of the best-on-dev epoch and how it was made), a row appended to
         RESULTS/table3.md, and the run's F1-per-epoch plot copied to RESULTS/plots/<name>.png.
summary: the Markdown table of nertool's F1 beside the seed's and the best published one (stdout, and --table
         FILE), then the regression gate: with --tolerance, exit 1 when a row falls more than that many F1 points
         below its recorded expectation (--expect FILE).
Standard library only; every file is written atomically.
"""
import argparse
import json
import os
import shutil
import sys


def write_atomic(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def pct(x):
    return None if x is None else round(100 * x if x <= 1.0 else x, 2)


def number_or_none(text):
    return float(text) if text else None


def best_epoch(run):
    path = os.path.join(run, "metrics.jsonl")
    epochs = [json.loads(line) for line in open(path) if line.strip()]
    epochs = [e for e in epochs if "dev_f1" in e]
    if not epochs:
        sys.exit("error: no epochs in " + path)
    top = max(e["dev_f1"] for e in epochs)
    return next(e for e in epochs if e["dev_f1"] == top), len(epochs)  # the first best, as the trainer keeps it


def record(a):
    best, epochs = best_epoch(a.run)
    res = {"row": a.name, "table_row": a.row, "recipe": a.recipe, "run_dir": a.run,
           "valid_f1": pct(best["dev_f1"]), "test_f1": pct(best.get("test_f1")), "best_epoch": best["epoch"],
           "epochs": epochs, "wall_seconds": a.wall, "seed_test_f1": number_or_none(a.seed_test),
           "published_best_f1": number_or_none(a.best), "published_source": a.best_source, "command": a.command}
    write_atomic(os.path.join(a.results, a.name + ".json"), json.dumps(res, indent=2) + "\n")
    log = os.path.join(a.results, "table3.md")
    lines = open(log).read().splitlines() if os.path.exists(log) else [
        "| run | valid F1 | test F1 | best epoch | epochs | wall time |", "|---|---|---|---|---|---|"]
    lines.append("| %s | %s | %s | %d | %d | %dh%02dm |" % (a.name, res["valid_f1"], res["test_f1"], res["best_epoch"],
                 epochs, a.wall // 3600, a.wall % 3600 // 60))
    write_atomic(log, "\n".join(lines) + "\n")
    png = os.path.join(a.run, "f1.png")
    if os.path.exists(png):
        dest = os.path.join(a.results, "plots", a.name + ".png")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(png, dest + ".tmp")
        os.replace(dest + ".tmp", dest)
    else:
        print("table3_results: no plot in %s (gnuplot missing?)" % a.run, file=sys.stderr)
    print(json.dumps(res), file=sys.stderr)  # stdout carries the table only


def cell(x):
    return "—" if x is None else "%.2f" % x


def summary(a):
    rows = [json.load(open(os.path.join(a.results, n + ".json"))) for n in a.names]
    lines = ["| row | recipe | run | nertool valid F1 | nertool test F1 | seed's test F1 | best published test F1 "
             "| epochs | wall time |", "|---|---|---|---|---|---|---|---|---|"]
    sources = {}
    for r in rows:
        sources[r["table_row"]] = r["published_source"]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %d | %dh%02dm |" % (
            r["table_row"], r["recipe"], r["row"], cell(r["valid_f1"]), cell(r["test_f1"]), cell(r["seed_test_f1"]),
            cell(r["published_best_f1"]), r["epochs"], r["wall_seconds"] // 3600, r["wall_seconds"] % 3600 // 60))
    for row in a.skipped:
        lines.append("| %s | — | skipped: no weights (scripts/get_pretrained.sh) | — | — | — | — | — | — |" % row)
    lines.append("")
    lines.append("F1 of the epoch with the best valid F1. Best published: " +
                 "; ".join("%s: %s" % (k, v) for k, v in sources.items()) + ".")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.table:
        write_atomic(a.table, text)
    return gate(rows, a)


def gate(rows, a):
    if a.tolerance is None:
        return 0
    expected = json.load(open(a.expect))
    checked, failed = 0, 0
    for r in rows:
        exp = expected.get(r["row"])
        if exp is None:
            print("gate: %s has no recorded expectation in %s" % (r["row"], a.expect), file=sys.stderr)
            continue
        checked += 1
        for key in ("valid_f1", "test_f1"):
            if key in exp and (r[key] is None or r[key] < exp[key] - a.tolerance):
                print("gate: FAIL %s %s %s is more than %g below the expected %s" % (
                    r["row"], key, r[key], a.tolerance, exp[key]), file=sys.stderr)
                failed += 1
    if not failed:
        print("gate: passed: %d row(s) checked, each within %g F1 of its expectation" % (checked, a.tolerance),
              file=sys.stderr)
    return 1 if failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    for flag in ("--run", "--results", "--name", "--row", "--recipe", "--seed-test", "--best", "--best-source",
                 "--command"):
        r.add_argument(flag, required=True)
    r.add_argument("--wall", type=int, required=True)
    s = sub.add_parser("summary")
    s.add_argument("--results", required=True)
    s.add_argument("--names", nargs="*", default=[])
    s.add_argument("--skipped", nargs="*", default=[])
    s.add_argument("--expect", required=True)
    s.add_argument("--tolerance", type=float)
    s.add_argument("--table")
    a = p.parse_args()
    sys.exit(record(a) if a.cmd == "record" else summary(a))


if __name__ == "__main__":
    main()
