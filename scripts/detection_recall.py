#!/usr/bin/env python3
"""Where a detector misses: untyped mention recall broken down by gold type and by the kind of sentence.

A gold mention counts as found when a predicted mention has its boundaries, whatever their types (as
`nertool eval --untyped`). Sentence kinds: all-caps (headlines, team names in capitals), tables (a fifth of the words
or more hold a digit, or no word is lower-case: sports scores and results) and prose (the rest). The last line is the
recall if a leading "the" were dropped from every predicted mention of two words or more (OntoNotes 5.0 puts the
article inside many names; CoNLL-2003 leaves it out).
Example: nertool predict --model runs/ousia/source --input test.txt > pred.txt && scripts/detection_recall.py pred.txt
"""
import argparse
import collections
import json
import sys


def mentions(labels):
    """(start, end, type) of each IOB2 mention; an I- of another type, or after O, starts one (as seqeval)."""
    out, start, kind = [], None, None
    for i, label in enumerate(labels + ["O"]):
        begins = label.startswith("B-") or (label.startswith("I-") and label[2:] != kind)
        if start is not None and (label == "O" or begins):
            out.append((start, i, kind))
            start, kind = None, None
        if label != "O" and begins:
            start, kind = i, label[2:]
    return out


def sentences(path):
    """Each sentence's rows (split columns), -DOCSTART- lines left out; every row needs 3 columns or more."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                if rows:
                    yield rows
                rows = []
            elif fields[0] != "-DOCSTART-":
                if len(fields) < 3:
                    sys.exit(f"error: {path}:{number}: expected a token, a gold and a predicted label")
                rows.append(fields)
    if rows:
        yield rows


def sentence_kind(words):
    letters = [c for w in words for c in w if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return "all-caps"
    with_digit = sum(any(c.isdigit() for c in w) for w in words)
    if 5 * with_digit >= len(words) or not any(w.isalpha() and w.islower() for w in words):
        return "tables"
    return "prose"


def recall_table(path):
    found, total = collections.Counter(), collections.Counter()
    without_the = 0
    for rows in sentences(path):
        words = [r[0] for r in rows]
        predicted = {(a, b) for a, b, _ in mentions([r[-1] for r in rows])}
        trimmed = {(a + 1, b) if b - a > 1 and words[a].lower() == "the" else (a, b) for a, b in predicted}
        kind = sentence_kind(words)
        for a, b, gold_type in mentions([r[-2] for r in rows]):
            for key in ("type " + gold_type, kind, "all"):
                total[key] += 1
                found[key] += (a, b) in predicted
            without_the += (a, b) in trimmed
    return {key: {"found": found[key], "mentions": total[key],
                  "recall": found[key] / total[key]} for key in sorted(total)}, without_the


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("predicted", help="`nertool predict` output on a labelled CoNLL file: the gold IOB2 label "
                        "next to last, the predicted one last (its types may differ: a source-taxonomy model's)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    try:
        table, without_the = recall_table(args.predicted)
    except (OSError, UnicodeDecodeError) as err:
        sys.exit(f"error: {args.predicted}: {err}")
    all_mentions = table.get("all", {"mentions": 0})["mentions"]
    if not all_mentions:
        sys.exit(f"error: {args.predicted}: no gold mentions")
    if args.json:
        print(json.dumps({"recall": table, "recall_without_leading_the": without_the / all_mentions}, indent=1))
        return
    print("| gold mentions | found | total | recall (%) |\n| --- | --- | --- | --- |")
    for key, row in table.items():
        share = f" ({100 * row['mentions'] / all_mentions:.0f}% of mentions)" if key != "all" else ""
        print(f"| {key}{share} | {row['found']} | {row['mentions']} | {100 * row['recall']:.1f} |")
    print(f"\nRecall with a leading \"the\" dropped from predicted mentions: {100 * without_the / all_mentions:.1f}")


if __name__ == "__main__":
    main()
