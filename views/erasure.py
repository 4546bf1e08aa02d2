"""Privacy (admin): a data subject's export, and erasure of everything stored about an author.

Erasure cannot be undone, so it asks for the handle to be typed twice; the counts it reports are
what was deleted or anonymised, and the action is written to the audit log without the handle.
"""
from __future__ import annotations

import json

import streamlit as st

from monitor.trust.privacy import erase_author, export_author
from views.common import engine, require_role


def _export() -> None:
    st.subheader("Export one author's data (access request)")
    with st.form("export_author"):
        handle = st.text_input("Author handle", key="export_handle")
        source = st.text_input("Source (empty: all)", key="export_source")
        go = st.form_submit_button("Prepare export")
    if go and handle.strip():
        data = export_author(engine(), handle.strip(), source.strip() or None)
        st.text(f"{len(data['mentions'])} posts, {len(data['replies'])} replies, {len(data['notes'])} notes, "
                f"{len(data['audit'])} audit entries")
        st.download_button("Download JSON", json.dumps(data, ensure_ascii=False, indent=2, default=str).encode(),
                           file_name="author-export.json", mime="application/json")


def _erase(admin_name: str) -> None:
    st.subheader("Erase an author")
    with st.form("erase_author"):
        handle = st.text_input("Author handle", key="erase_handle")
        again = st.text_input("Type the handle again to confirm", key="erase_again")
        source = st.text_input("Source (empty: all)", key="erase_source")
        go = st.form_submit_button("Erase for good", type="primary")
    if not go:
        return
    if not handle.strip() or handle.strip() != again.strip():
        st.error("The two handles differ: nothing was erased.")
        return
    counts = erase_author(engine(), handle.strip(), source.strip() or None, actor=admin_name)
    st.success("Erased. " + ", ".join(f"{name}: {n}" for name, n in counts.items()))
    st.cache_data.clear()


def render() -> None:
    admin = require_role("admin")
    st.title("Privacy")
    _export()
    st.divider()
    _erase(admin.name)


render()
