"""How the sentiment model labels the demo's first posts, by the kind the generator wrote them as.

    python benchmarks/demo_labels.py [--per-cell 150] [--artifacts DIR] [--json]

The demo generator opens each conversation as a complaint, an outage report, a question, praise or
chatter ("neutral") in one of eight languages. This scores up to `--per-cell` first posts of each
kind and language with the shipped model and prints the share labelled negative / positive: the
complaints a marketer would miss and the praise that would land among the Complaint themes. The
texts are our own generated ones (not held out the way `benchmarks/reviews.py --held-out` is), so
read them as a check of what a demo user sees, not as the model's accuracy.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LANGS = ("pl", "ro", "el", "it", "en", "de", "es", "fr")
KINDS = ("complaint", "outage", "question", "praise", "neutral")


def first_posts(per_cell: int, seed: int = 7) -> dict[tuple[str, str], list[str]]:
    """Up to `per_cell` distinct first-post texts per (kind, language), in generation order."""
    from monitor.demo.generator import conversations

    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for conversation in conversations(seed):
        post = conversation.posts[0]
        texts = cells[(conversation.kind, post.lang)]
        if len(texts) < per_cell and post.text not in texts:
            texts.append(post.text)
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-cell", type=int, default=150)
    parser.add_argument("--artifacts", type=Path, default=None,
                        help="a model directory (head, n-gram model, encoder delta) to compare; "
                             "default: the model in use")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentiment import SentimentSettings, load_scorer
    from sentiment.heads import HEAD_FILE
    from sentiment.model import BuiltinBackend, Scorer

    cells = first_posts(args.per_cell)
    settings = SentimentSettings()
    scorer = (Scorer(BuiltinBackend(settings, head_path=args.artifacts / HEAD_FILE, artifacts=args.artifacts),
                     settings, str(args.artifacts)) if args.artifacts else load_scorer(settings))
    table: dict[str, dict[str, dict]] = {kind: {} for kind in KINDS}
    examples: dict[str, list[str]] = defaultdict(list)
    missed: dict[str, list[str]] = defaultdict(list)  # complaints and outage reports read as positive
    for (kind, lang), texts in sorted(cells.items()):
        labels = [r.label for r in scorer.classify(texts, [lang] * len(texts))]
        counts = Counter(labels)
        table[kind][lang] = {"n": len(texts), **{label: round(100 * counts[label] / len(texts), 1)
                                                  for label in ("negative", "neutral", "positive")}}
        if kind == "praise":
            examples[lang] += [t for t, label in zip(texts, labels) if label == "negative"][:2]
        elif kind in ("complaint", "outage"):
            missed[lang] += [t for t, label in zip(texts, labels) if label == "positive"][:1]
    if args.json:
        print(json.dumps({"shares_percent": table, "praise_labelled_negative": examples,
                          "complaints_labelled_positive": missed}, ensure_ascii=False, indent=2))
        return
    print("demo first posts: % labelled negative / positive (distinct texts scored)")
    print(f"{'kind':10}" + "".join(f"{lang:>16}" for lang in LANGS))
    for kind in KINDS:
        row = table[kind]
        print(f"{kind:10}" + "".join(
            f"{row[lang]['negative']:>6.0f} /{row[lang]['positive']:>4.0f} ({row[lang]['n']:>3})" if lang in row
            else f"{'-':>16}" for lang in LANGS))
    for title, found in (("praise labelled negative", examples),
                         ("complaints and outage reports labelled positive", missed)):
        print(f"\n{title}, examples:")
        for lang in LANGS:
            for text in found.get(lang, []):
                print(f"  {lang}: {text}")


if __name__ == "__main__":
    main()
