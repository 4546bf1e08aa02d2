"""Users (admin): who may sign in, with which role. Passwords are typed here and stored only as
argon2id hashes; users from the config's `agents:` are managed there and shown read-only."""
from __future__ import annotations

import polars as pl
import streamlit as st

from monitor.trust import auth
from views.common import engine, require_role, show, tz


def _add_form() -> None:
    with st.form("add_user", clear_on_submit=True):
        st.subheader("Add a user")
        name = st.text_input("Name")
        role = st.selectbox("Role", auth.ROLES)
        email = st.text_input("E-mail at the identity provider (optional)")
        password = st.text_input(f"Password (at least {auth.MIN_PASSWORD} characters; empty: provider sign-in only)",
                                 type="password")
        if st.form_submit_button("Add"):
            try:
                auth.add_user(engine(), name, role, password or None, email=email.strip() or None)
                st.success(f"Added {name}.")
            except ValueError as error:
                st.error(str(error))


def _change_form(admin: auth.User, names: list[str]) -> None:
    with st.form("change_user"):
        st.subheader("Change a user")
        name = st.selectbox("User", names)
        role = st.selectbox("New role", ["(keep)", *auth.ROLES])
        password = st.text_input("New password (empty: keep)", type="password")
        action = st.radio("Account", ["keep", "disable", "enable", "remove"], horizontal=True)
        if not st.form_submit_button("Apply"):
            return
        if name == admin.name and (action in ("disable", "remove") or role not in ("(keep)", "admin")):
            st.error("You cannot lock yourself out: ask another admin.")
            return
        try:
            _apply(name, role, password, action)
            st.success(f"Changed {name}.")
        except (ValueError, LookupError) as error:
            st.error(str(error))


def _apply(name: str, role: str, password: str, action: str) -> None:
    if action == "remove":
        auth.remove_user(engine(), name)
        return
    auth.update_user(engine(), name, role=None if role == "(keep)" else role, password=password or None,
                     disabled={"disable": True, "enable": False}.get(action))


def render() -> None:
    admin = require_role("admin")
    st.title("Users")
    users = auth.list_users(engine())
    frame = pl.DataFrame(users, infer_schema_length=None) if users else pl.DataFrame()
    if "created_at" in frame.columns and frame.schema["created_at"] == pl.Datetime("us"):
        frame = frame.with_columns(pl.col("created_at").dt.replace_time_zone("UTC"))  # stored as UTC
    show(frame, "users", has_password="Password set", managed_by="Managed by", email="E-mail",
         created_at=f"Created ({tz()})")
    left, right = st.columns(2)
    with left:
        _add_form()
    with right:
        _change_form(admin, [u["name"] for u in users if u["managed_by"] != "config"])


render()
