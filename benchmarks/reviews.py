"""Praise vs complaints on reviews and customer texts, per language.

    python benchmarks/reviews.py [--artifacts DIR] [--max-length 128] [--head-tokens 64]
                                 [--parts test] [--held-out] [--batches] [--json OUT]

Sets: Allegro reviews (pl; dev = the published dev file, which models are chosen on; test =
every 10th review of the train file, never trained or chosen on) and our own sentences in eight
languages (`sentiment/data/reviews_*.tsv`, dev and test parts). Per language: accuracy on the
negative and positive texts (neutral predictions count as wrong), praise labelled negative,
negative recall, the share labelled neutral and the recall of neutral texts. `--held-out` adds
the figures a model is kept or replaced by (`evaluation.held_out_report`: UMSAB val macro-F1,
care test complaint recall per language).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COLUMNS = ("accuracy", "praise_as_negative", "negative_recall", "neutral_share", "neutral_recall",
           "n")


def table(name: str, figures: dict) -> str:
    lines = [f"## {name}", "| lang | " + " | ".join(COLUMNS) + " |",
             "|---" * (len(COLUMNS) + 1) + "|"]
    for lang, row in figures.items():
        lines.append(f"| {lang} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
    return "\n".join(lines)


def batch_report(probs_of, parts: list[str]) -> dict:
    """`review_figures` on our sentences per part and batch of 100 ids, printed as it goes."""
    from sentiment.data import load_reviews
    from sentiment.metrics import review_figures

    report = {}
    for part in parts:
        for start in range(1, 10_000, 100):
            examples = load_reviews(part, ids=range(start, start + 100))
            if not examples:
                break
            name = f"reviews-{part} r{start:03d}-r{start + 99:03d}"
            report[name] = review_figures(examples, probs_of([e.text for e in examples]))
            print(table(name, report[name]), "\n")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--artifacts", type=Path, default=None,
                        help="a model directory (head, n-gram model, encoder delta); default: "
                             "the model in use")
    parser.add_argument("--max-length", type=int, default=None)
    parser.add_argument("--head-tokens", type=int, default=None,
                        help="a longer text keeps this many tokens of its start, the rest of its end")
    parser.add_argument("--held-out", action="store_true",
                        help="also UMSAB val macro-F1 and care test complaint recall")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--parts", nargs="+", default=["dev", "test"])
    parser.add_argument("--batches", action="store_true",
                        help="also our sentences per batch of 100 ids (r001-r100, r101-r200, ...: "
                             "each batch was written for one weakness)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from sentiment import SentimentSettings
    from sentiment.convert import cache_root
    from sentiment.data import Example
    from sentiment.evaluation import held_out_report, review_report
    from sentiment.heads import HEAD_FILE
    from sentiment.model import BuiltinBackend
    from sentiment.train import features_of

    settings = SentimentSettings(threads=args.threads)
    update = {"max_length": args.max_length, "head_tokens": args.head_tokens}
    settings = settings.model_copy(update={k: v for k, v in update.items() if v is not None})
    head = args.artifacts / HEAD_FILE if args.artifacts else None
    backend = BuiltinBackend(settings, head_path=head, artifacts=args.artifacts)
    cache = cache_root(settings.cache_dir) / "features"

    def probs_of(texts):
        feats = features_of(backend, [Example(t, "neutral") for t in texts], cache)
        return backend.probs_from(backend.head, feats, texts)

    started = time.monotonic()
    report = review_report(probs_of, tuple(args.parts))
    for name, figures in report.items():
        print(table(name, figures), "\n")
    if args.batches:
        report.update(batch_report(probs_of, args.parts))
    if args.held_out:
        report["held_out"] = held_out_report(probs_of)
        print(json.dumps(report["held_out"], indent=2))
    print(f"{time.monotonic() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
