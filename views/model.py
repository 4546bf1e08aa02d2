"""Sentiment model (admin): which model labels the mentions, how well it does per language on
data it never trained on, the agents' corrections it has (not yet) learnt, and the retrained
models kept beside it. Retraining and switching are commands (`nasluch model train|use`): they
rescore the open conversations, which takes the model in memory, so they do not run in a page."""
from __future__ import annotations

import polars as pl
import streamlit as st

from monitor.jobs.scoring import correction_log, corrections
from sentiment.data import NOISY_LABEL_LANGS
from sentiment.heads import SHIPPED, shipped_report, stored_heads
from sentiment.metrics import mean_without_noisy
from sentiment.settings import BUILTIN
from views.common import config, engine, local_naive, require_role, table

LANGUAGE_COLUMNS = {"umsab_val_macro_f1": "UMSAB val macro-F1", "care_test_macro_f1": "care test macro-F1",
                    "care_test_negative_recall": "care test complaint recall"}


@st.cache_data(ttl=30)
def _heads(cache_dir: str | None) -> list[dict]:
    return stored_heads(cache_dir)


def by_language(report: dict) -> pl.DataFrame:
    """One row per language with each held-out figure of `report` (None where not measured)."""
    languages = sorted({lang for key in LANGUAGE_COLUMNS for lang in report.get(key, {})})
    return pl.DataFrame([{"language": lang, **{title: report.get(key, {}).get(lang)
                                               for key, title in LANGUAGE_COLUMNS.items()}}
                         for lang in languages],
                        schema={"language": pl.Utf8, **{title: pl.Float64 for title in LANGUAGE_COLUMNS.values()}})


def _corrections_section(learnt: int | None) -> None:
    st.subheader("Agents' corrections")
    log = correction_log(engine())
    stored = len(corrections(engine()))  # distinct texts: what `model train` learns from
    if log.is_empty():
        st.caption("No corrections yet: agents correct a label in the Inbox.")
        return
    if learnt is not None:
        waiting = max(stored - learnt, 0)
        st.metric("Corrections not yet learnt", waiting)
        if waiting:
            st.caption(f"{stored} corrected texts are stored; the model in use learnt {learnt}. "
                       "`nasluch model train` learns them (about two minutes).")
    table(local_naive(log, "at"), "corrections", previous=st.column_config.TextColumn("model said"),
          label=st.column_config.TextColumn("agent said"))


def render() -> None:
    require_role("admin")
    st.title("Sentiment model")
    settings = config().settings.sentiment
    if settings.model != BUILTIN:
        st.info(f"The configured model is {settings.model} (Hugging Face); measure it on your own labelled "
                "mentions with `nasluch model evaluate FILE`.")
        _corrections_section(None)
        return
    cache_dir = str(settings.cache_dir) if settings.cache_dir else None
    heads = _heads(cache_dir)
    current = next((head for head in heads if head["current"]), None)
    shipped = shipped_report()
    report = current["report"] if current else shipped
    recall = report.get("care_test_negative_recall", {})
    worst = min(recall, key=recall.get) if recall else None
    name, learnt = (current["name"], current["corrections"]) if current else (SHIPPED, 0)
    left, middle, clean, right = st.columns(4)
    left.metric("In use", name)
    middle.metric("UMSAB val mean macro-F1", report.get("umsab_val_mean"))
    clean.metric(f"... without {', '.join(NOISY_LABEL_LANGS)}",
                 mean_without_noisy(report.get("umsab_val_macro_f1", {})))
    right.metric("Worst complaint recall", f"{recall[worst]:.0f}% ({worst})" if worst else "-")
    st.subheader("Per language, on data it never trained on")
    table(by_language(report), "model_by_language")
    st.caption("UMSAB val: public tweets in eight languages (3 labels); its Hindi labels agree with sentiment "
               "barely above chance, so Hindi scores about 33 whatever the model and the mean without it says "
               "more. Care test: the project's own held-out customer-care sentences in pl, ro, el, it, en, de, "
               "es, fr; complaint recall is the share of complaints labelled negative, the error that costs most.")
    _corrections_section(learnt)
    st.subheader("Retrained models")
    rows = [{"name": head["name"], "in use": head["current"], "corrections": head["corrections"],
             "UMSAB val": head["report"].get("umsab_val_mean"), "care test": head["report"].get("care_test_mean"),
             "worst complaint recall": head["report"].get("care_test_negative_recall_min"),
             "usable": head["usable"]} for head in heads]
    rows.append({"name": SHIPPED, "in use": current is None, "corrections": 0,
                 "UMSAB val": shipped.get("umsab_val_mean"), "care test": shipped.get("care_test_mean"),
                 "worst complaint recall": shipped.get("care_test_negative_recall_min"), "usable": True})
    table(pl.DataFrame(rows), "models")
    st.caption("`nasluch model use NAME` (or `shipped`) switches back; a retrain keeps every older model. "
               "Both rescore the conversations still open, and `nasluch run` reloads the model by itself.")


render()
