"""`nasluch classify`, `score` and `model install|train|evaluate|list|use`: the model's side of the CLI.

The model itself (torch, transformers) is loaded only by the commands that score.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from monitor.cli.app import AddParser, App, command, emit, progress_bar

log = logging.getLogger(__name__)
CLASSIFY_BATCH = 256


@command("classify")
def cmd_classify(args: argparse.Namespace, app: App) -> int:
    """Texts on stdin, one per line; one JSON object per line on stdout, in the same order."""
    from monitor.jobs.scoring import load_scorer_for  # noqa: PLC0415  (numpy: only when scoring)

    scorer = load_scorer_for(app.config.settings)
    lines = (line.rstrip("\r\n") for line in sys.stdin)
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == CLASSIFY_BATCH:
            _print_classified(scorer, batch)
            batch = []
    if batch:
        _print_classified(scorer, batch)
    return 0


def _print_classified(scorer: Any, texts: list[str]) -> None:
    for result in scorer.classify(texts):
        sys.stdout.write(json.dumps({"label": result.label, "score": round(float(result.score), 4),
                                     "lang": result.lang}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@command("score")
def cmd_score(args: argparse.Namespace, app: App) -> int:
    # numpy: only when scoring
    from monitor.jobs.scoring import pending_count, rescorable_count, rescore_all_open, score_all  # noqa: PLC0415

    settings = app.config.settings
    if args.rescore_open:
        with progress_bar(rescorable_count(app.engine), "rescoring") as bar:
            result = rescore_all_open(app.engine, settings, bar.update)
        emit(args, result.as_json(), f"rescored {result.scored} mentions of open conversations "
                                     f"in {result.seconds:.1f} s")
        return 0
    pending = pending_count(app.engine) if args.limit is None else min(args.limit, pending_count(app.engine))
    with progress_bar(pending, "scoring", lines=args.progress == "lines") as bar:
        result = score_all(app.engine, settings, args.limit, bar.update)
    emit(args, result.as_json(), f"scored {result.scored:,} mentions in {result.seconds:.1f} s")
    return 0


SUMMARY = ("umsab_val_mean", "care_test_mean", "care_test_negative_recall_min")


@command("model")
def cmd_model(args: argparse.Namespace, app: App) -> int:
    from monitor.jobs.scoring import corrections, load_scorer_for, rescore_all_open  # noqa: PLC0415  (numpy)

    settings = app.config.settings.sentiment
    if args.action == "install":
        from sentiment import install  # noqa: PLC0415  (torch and transformers: only when asked)

        path = install(settings)
        emit(args, {"installed": str(path)}, f"model ready in {path}")
    elif args.action == "train":
        from sentiment import train_head  # noqa: PLC0415  (torch and transformers: only when asked)

        examples = corrections(app.engine)
        log.info("retraining the head on the shipped data and %d corrections", len(examples))
        result = train_head(examples, settings=settings)
        rescored = None
        if result.promoted and not args.no_rescore:  # the open inbox follows the new model at once
            rescored = rescore_all_open(app.engine, app.config.settings).scored
        emit(args, {"promoted": result.promoted, "path": str(result.path) if result.path else None,
                     "corrections": len(examples), "metrics": result.metrics, "rescored": rescored})
    elif args.action == "list":
        from sentiment.heads import SHIPPED, shipped_report, stored_heads  # noqa: PLC0415  (numpy: only when asked)

        heads = stored_heads(settings.cache_dir)
        current = next((head["name"] for head in heads if head["current"]), SHIPPED)
        rows = [{key: head[key] for key in ("name", "corrections", "usable", "current")}
                | {key: head["report"].get(key) for key in SUMMARY} for head in heads]
        report = shipped_report()
        shipped = {"name": SHIPPED, "corrections": 0, "usable": True, "current": current == SHIPPED} | {
            key: report.get(key) for key in SUMMARY}
        lines = [f"{'*' if row['current'] else ' '} {row['name']}  corrections {row['corrections']}  "
                 f"UMSAB val {row['umsab_val_mean']}  care recall min {row['care_test_negative_recall_min']}"
                 + ("" if row["usable"] else "  (for another encoder: unusable)") for row in [*rows, shipped]]
        emit(args, {"current": current, "heads": rows, "shipped": shipped}, "\n".join(lines))
    elif args.action == "use":
        if not args.file:
            log.error("model use: name a stored head (`nasluch model list`) or 'shipped'")
            return 2
        from sentiment.heads import use  # noqa: PLC0415  (numpy: only when asked)

        try:
            path = use(args.file, settings.cache_dir)
        except (LookupError, ValueError) as error:
            log.error("model use: %s", str(error).strip("'\""))
            return 2
        rescored = None if args.no_rescore else rescore_all_open(app.engine, app.config.settings).scored
        emit(args, {"current": args.file, "path": str(path), "rescored": rescored},
             f"in use: {args.file}" + ("" if rescored is None else f"; rescored {rescored} open mentions"))
    else:
        from sentiment import metrics  # noqa: PLC0415  (numpy: only when asked)
        from sentiment.evaluation import evaluation  # noqa: PLC0415  (torch and transformers: only when asked)

        report = evaluation(args.file or "umsab-val", scorer=load_scorer_for(app.config.settings))
        scores = report["macro_f1"]
        mean = metrics.mean(scores) if scores else None
        recall = report["negative_recall"]
        lines = [f"{lang}: {f1:.1f}" + (f"  (negative recall {recall[lang]:.1f})" if lang in recall else "")
                 for lang, f1 in sorted(scores.items())]
        emit(args, {"macro_f1": scores, "mean": mean, "negative_recall": recall, "examples": report["examples"]},
             "\n".join(lines) + f"\nmean: {mean}")
    return 0


def add_parsers(add: AddParser) -> None:
    add("classify", "classify texts on stdin, one per line (JSON lines out)", json_flag=False)
    p = add("score", "score every unscored mention in batches, newest first")
    p.add_argument("--limit", type=int, help="score at most this many (default: all unscored)")
    p.add_argument("--progress", choices=["auto", "lines"], default="auto",
                   help="auto: a progress bar on a terminal, none otherwise; lines: a line on stderr every 10%%")
    p.add_argument("--rescore-open", action="store_true",
                   help="instead, score again every mention of a conversation not yet closed with the model in "
                        "use (labels agents corrected are kept)")
    p = add("model", "prepare, retrain or evaluate the sentiment model")
    p.add_argument("action", choices=["install", "train", "evaluate", "list", "use"],
                   help="install: download and convert the base model; train: retrain the head on agents' "
                        "corrections; evaluate: macro-F1 per language; list: stored heads; use: switch heads")
    p.add_argument("file", nargs="?", help="evaluate: a labelled TSV, a folder of care_*.tsv, "
                                          "'umsab-val' (default) or 'care-test'; use: a stored head's "
                                          "name from `model list`, or 'shipped'")
    p.add_argument("--no-rescore", action="store_true",
                   help="train, use: do not rescore open conversations when the model in use changes")

