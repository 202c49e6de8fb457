"""How well mailbot reads notes and answers: precision and recall on the labelled set.

    .venv/bin/python bench/judgement.py            # both splits
    .venv/bin/python bench/judgement.py --misses   # and every item read wrongly

The figures that count are the holdout split's: those items were never looked at while
the phrase lists were written. Targets (issue 15): claims -> review >= 95 %; explain
precision >= 95 %; explain recall >= 70 %; "no" answers -> explain >= 90 %; rude and
automatic answers -> no draft, 100 %.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from judgement import FILES, Item, items, judge

from mailbot.rules import EXPLAIN, REVIEW

SPLITS = ("tune", "holdout", "holdout2", "holdout3")


def _rate(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f} % ({hits}/{total})" if total else "    - (0/0)"


def measure(split: str, show_misses: bool, data: Path | None = None) -> dict[str, str]:
    judged = [(item, judge(item)) for item in items(split, data)]
    notes = [(i, p) for i, p in judged if i.kind == "note"]
    answers = [(i, p) for i, p in judged if i.kind == "answer"]
    explained = [(i, p) for i, p in judged if p.draft is not None and p.draft.step == "explain"]
    strangers = [(i, p) for i, p in notes if i.label == "none"] + [
        (i, p) for i, p in answers if i.label == "no"
    ]
    misses: list[tuple[Item, str, str]] = []

    def check(pairs: list[tuple[Item, object]], ok: object, what: str) -> int:
        hits = 0
        for item, p in pairs:
            if ok(p):  # type: ignore[operator]
                hits += 1
            else:
                misses.append((item, what, p.reason))  # type: ignore[attr-defined]
        return hits

    claims = [(i, p) for i, p in notes if i.label == "tie"]
    unclear = [(i, p) for i, p in notes if i.label == "unclear"]
    no_answers = [(i, p) for i, p in answers if i.label == "no"]
    silent = [(i, p) for i, p in answers if i.label in ("rude", "auto")]
    rude = [(i, p) for i, p in answers if i.label == "rude"]
    auto = [(i, p) for i, p in answers if i.label == "auto"]
    rows = {
        "notes claiming a tie -> review": _rate(
            check(claims, lambda p: p.decision == REVIEW, "claim not reviewed"), len(claims)
        ),
        "unclear notes -> review": _rate(
            check(unclear, lambda p: p.decision == REVIEW, "unclear not reviewed"), len(unclear)
        ),
        "explain precision (to real strangers)": _rate(
            sum(1 for i, _ in explained if i.label in ("none", "no")), len(explained)
        ),
        "explain recall (strangers explained)": _rate(
            check(strangers, lambda p: p.decision == EXPLAIN, "stranger not explained"),
            len(strangers),
        ),
        '"no" answers -> explain': _rate(
            sum(1 for _, p in no_answers if p.decision == EXPLAIN), len(no_answers)
        ),
        "rude and automatic answers -> no draft": _rate(
            check(silent, lambda p: p.draft is None, "drafted to rude/auto"), len(silent)
        ),
        "rude answers -> declined (closed)": _rate(
            sum(1 for i, p in rude if p.save is not None and p.save.status == "declined"),
            len(rude),
        ),
        "automatic answers -> conversation unchanged": _rate(
            check(auto, lambda p: p.save is None, "automatic reply moved the conversation"),
            len(auto),
        ),
    }
    for item, _ in explained:
        if item.label not in ("none", "no"):
            misses.append((item, "explained, but it is not a stranger", ""))
    if show_misses:
        for item, what, reason in misses:
            print(f"  [{split}] {what}: {item.kind}/{item.lang}/{item.label}: {item.text[:90]!r}")
            if reason:
                print(f"      -> {reason[:120]}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every item read wrongly")
    parser.add_argument("--split", choices=SPLITS, help="one split only")
    args = parser.parse_args(argv)
    present = {i.split for i in items()} | {s for s, path in FILES.items() if path.exists()}
    splits = [args.split] if args.split else [s for s in SPLITS if s in present]
    counts = Counter(
        (i.split, i.kind) for i in (*items(), *(i for f in FILES.values() for i in items(None, f)))
    )
    results = {split: measure(split, args.misses, FILES.get(split)) for split in splits}
    print(f"\n| measure | {' | '.join(splits)} |")
    print(f"| --- | {' | '.join('---:' for _ in splits)} |")
    for row in results[splits[0]]:
        print(f"| {row} | {' | '.join(results[s][row] for s in splits)} |")
    sizes = ", ".join(
        f"{s}: {counts[s, 'note']} notes, {counts[s, 'answer']} answers" for s in splits
    )
    print(f"\n{sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
