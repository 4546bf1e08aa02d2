"""The inbox page: one queue across sources and brands, a conversation view, the reply box.

Layout only: every number and every change goes through `monitor.inbox.queue`, `monitor.inbox.actions`
and `monitor.inbox.outbox`. Customer words (post texts, author names) and anything a network sent
back are shown with `st.text`, `st.code` or in data frames: never as markdown or HTML.
"""
from __future__ import annotations

import functools
import hashlib
import uuid
import zlib
from array import array
from datetime import UTC, datetime
from typing import Any

import polars as pl
import streamlit as st

from monitor.inbox import actions, queue
from monitor.inbox.display import queue_table, sla_text, waiting_text
from monitor.inbox.outbox import requeue
from monitor.reports.display import time_text
from monitor.trust.auth import LOCAL_ADMIN
from responders import build_responders, length_limit, responder_for
from views.common import config as _config
from views.common import engine as _engine
from views.common import filters as global_filters
from views.common import require_role, show
from views.common import tz as _tz

ANY = "(any)"
SAFE_SCHEMES = ("https://", "http://")


@st.cache_resource
def _responders() -> list[Any]:
    return build_responders(_config().responders)


VIEW_LABELS = {"needs-reply": "Needs a reply", "waiting-on-customer": "Waiting on the customer", "all": "All"}
QUEUE_ROWS = 500  # scrollable; the table shows 50 at once (35 px a row)


@st.cache_data(ttl=15)
def _queue(filters: queue.QueueFilter, sla_minutes: int, view: str) -> pl.DataFrame:
    return queue.queue(_engine(), sla_minutes, filters, view=view, weights=_config().settings.inbox.urgency)


def plain(text: str) -> str:
    """Text made inert for the few markdown widgets (warnings) that show names we did not write."""
    return "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|~$" else c for c in str(text))


def _changed() -> None:
    _queue.clear()


def _token(name: str) -> str:
    """One token per form: stored with what the form writes, so a double click or a second
    submission of the same form stores nothing more. `_spent` makes the next form a new one."""
    return st.session_state.setdefault(f"token_{name}", uuid.uuid4().hex)


def _spent(name: str) -> None:
    st.session_state.pop(f"token_{name}", None)


def _who() -> str:
    """The signed-in user acts; only with sign-in switched off (one person's machine) is the
    acting name picked here, and the actions below check that name's role themselves."""
    user = require_role("agent")
    if user is not LOCAL_ADMIN:
        name = user.name
    elif agents := [agent.name for agent in _config().settings.agents]:
        name = st.sidebar.selectbox("You are", agents, key="inbox_agent")
    else:
        name = st.sidebar.text_input("Your name", value="agent", key="inbox_agent").strip() or "agent"
    st.session_state["acting_agent"] = name  # for the callbacks below, signed in or not
    return name


def _filters() -> queue.QueueFilter:
    """Brand, source, language and sentiment come from the sidebar (every page shares them);
    status, tag and assignee are the inbox's own."""
    shared = global_filters()
    choices = queue.filter_choices(_engine())
    status_column, tag_column, assignee_column = st.columns(3)
    status = status_column.multiselect("Status", queue.STATUSES, default=["open", "pending"], key="filter_status")
    tag = tag_column.selectbox("Tag", [ANY] + choices["tag"], key="filter_tag")
    assignee = assignee_column.selectbox("Assignee", [ANY, "unassigned"] + choices["assignee"], key="filter_assignee")
    return queue.QueueFilter(status=tuple(status), brands=shared.brands, sources=shared.sources, langs=shared.langs,
                             sentiments=shared.sentiments, tag=None if tag == ANY else tag,
                             assignee=None if assignee == ANY else assignee)


def _view() -> str:
    return st.segmented_control("Show", list(VIEW_LABELS), default="needs-reply", format_func=VIEW_LABELS.get,
                                key="queue_view") or "needs-reply"


def _queue_table(frame: pl.DataFrame) -> None:
    """The queue; a click on a row (any cell) opens that conversation below (`_on_row_click`)."""
    shown = queue_table(frame, QUEUE_ROWS)
    ids = tuple(frame["conversation_id"].head(QUEUE_ROWS).to_list())
    # A grid is drawn afresh (a new key) after every click it reported and whenever its rows change.
    # Kept across a reordered queue, the browser's grid let the first click after an answer pass
    # without a selection event, and a selection that outlived a reorder pointed at the row's new
    # occupant; a fresh grid has no selection and takes every click.
    rows_digest = zlib.crc32(array("q", ids).tobytes())
    key = f"queue_rows_{st.session_state.get('queue_clicks', 0)}_{rows_digest:08x}"
    st.dataframe(shown.to_pandas(), hide_index=True, width="stretch", height=35 * 51 + 3, key=key,
                 on_select=functools.partial(_on_row_click, key, ids), selection_mode=["single-row", "single-cell"])


def _on_row_click(key: str, ids: tuple[int, ...]) -> None:
    """Runs before the rerun the click starts: `ids` are the rows as they were drawn, so a queue
    reordered since then never opens the row's new occupant; the drop-down follows the click."""
    selection = st.session_state[key].selection
    rows = [*selection.rows, *(cell[0] for cell in selection.cells)]
    st.session_state["queue_clicks"] = st.session_state.get("queue_clicks", 0) + 1
    if rows and rows[0] < len(ids):
        st.query_params["conversation"] = str(ids[rows[0]])
        st.session_state.pop("open_conversation", None)


def _pick_conversation(frame: pl.DataFrame) -> int | None:
    ids = frame["conversation_id"].to_list()[:QUEUE_ROWS]
    labels = {row["conversation_id"]: f"#{row['conversation_id']} · {row['source']} · @{row['author']}"
              for row in frame.head(QUEUE_ROWS).iter_rows(named=True)}
    wanted = st.query_params.get("conversation")
    if wanted and wanted.isdigit() and int(wanted) not in labels:
        ids, labels = [int(wanted), *ids], {int(wanted): f"#{wanted}", **labels}
    index = ids.index(int(wanted)) if wanted and wanted.isdigit() else None
    chosen = st.selectbox("Open conversation", ids, index=index, format_func=lambda i: labels.get(i, f"#{i}"),
                          placeholder="pick a conversation from the queue", key="open_conversation")
    if chosen is not None:
        st.query_params["conversation"] = str(chosen)
    return chosen


def _sla(conversation_id: int) -> None:
    status = queue.sla_status(_engine(), conversation_id, _config().settings.sla_minutes)
    if not status["running"]:
        answered = status["answered_at"]
        st.metric("SLA", "stopped", f"answered {time_text(answered, _tz())}" if answered else "no customer message",
                  delta_color="off")
    elif status["breached"]:
        st.metric("SLA", sla_text(status["left_s"]), f"waiting {waiting_text(-status['left_s'])} past the target",
                  delta_color="inverse")
    else:
        st.metric("SLA", sla_text(status["left_s"]), "running", delta_color="off")


@st.fragment(run_every=30)
def _presence(conversation_id: int, agent: str) -> None:
    """Beat while the conversation is open, and say who else is on it."""
    drafting = bool(st.session_state.get(f"draft_{conversation_id}", "").strip())
    actions.heartbeat(_engine(), conversation_id, agent, drafting)
    for other in actions.others_present(_engine(), conversation_id, agent):
        doing = "is writing a reply" if other["drafting"] else "has this conversation open"
        st.warning(f"{plain(other['agent'])} {doing}", icon="👀")


def _thread(conversation_id: int) -> pl.DataFrame:
    posts = queue.thread(_engine(), conversation_id)
    for post in posts.iter_rows(named=True):
        with st.container(border=True):
            who = post["author"] if post["kind"] == "customer" else f"{post['author']} (brand)"
            state = f" · {post['state']}" if post["state"] else ""
            st.text(f"{who} · {time_text(post['created_at'], _tz())}{state}")
            st.text(post["text"])
            if post["kind"] == "customer":
                _sentiment_box(post)
            if post["state"] == "failed":
                st.text(f"Not sent: {post['error']}")
                if st.button("Try again", key=f"requeue_{post['id']}"):
                    requeue(_engine(), post["id"], st.session_state["acting_agent"])
                    _changed()
                    st.rerun()
            elif post["state"] == "queued" and post["error"]:
                st.text(post["error"])
    return posts


LABELS = ["negative", "neutral", "positive"]


def _sentiment_box(post: dict) -> None:
    """The model's label, which an agent corrects here; `nasluch model train` learns from it."""
    current = post["sentiment"]
    options = LABELS if current in LABELS else ["scoring pending", *LABELS]
    key = f"sentiment_{post['id']}"
    st.selectbox("Sentiment (correct it if the model is wrong)", options, index=options.index(current or options[0]),
                 key=key, on_change=_on_label, args=(post["id"], key))


def _on_label(mention_id: int, key: str) -> None:
    from monitor.jobs.scoring import correct_label

    label = st.session_state[key]
    if label in LABELS:
        correct_label(_engine(), mention_id, label, st.session_state["acting_agent"],
                      **_config().settings.priority_inputs())
        _changed()


def _link(url: str | None, label: str) -> None:
    if url and url.startswith(SAFE_SCHEMES):
        st.link_button(label, url)


def _on_status(conversation_id: int, agent: str) -> None:
    actions.set_status(_engine(), conversation_id, st.session_state[f"status_{conversation_id}"], agent)
    _changed()


def _on_close(conversation_id: int, agent: str) -> None:
    actions.set_status(_engine(), conversation_id, "closed", agent)
    _changed()


def _on_assign(conversation_id: int, agent: str, assignee: str | None) -> None:
    settings = _config().settings
    try:
        actions.assign(_engine(), conversation_id, assignee, agent, cap=settings.inbox.max_open_per_agent,
                       teams=list(settings.inbox.teams))
        st.session_state.pop(f"assign_error_{conversation_id}", None)
    except actions.CapReached as error:
        st.session_state[f"assign_error_{conversation_id}"] = str(error)
    _changed()


def _on_tags(conversation_id: int, agent: str) -> None:
    actions.set_tags(_engine(), conversation_id, st.session_state[f"tags_{conversation_id}"], agent)
    _changed()


def _controls(conversation_id: int, current: dict[str, Any], agent: str) -> None:
    """Status, assignee and tags; widgets show what is stored and write through callbacks."""
    settings = _config().settings
    left, middle, right = st.columns(3)
    st.session_state[f"status_{conversation_id}"] = current["status"]
    left.selectbox("Status", queue.STATUSES, key=f"status_{conversation_id}", on_change=_on_status,
                   args=(conversation_id, agent))
    # a callback: a double click closes (and audits) once, the second click finds it closed
    left.button("Close conversation", key=f"close_{conversation_id}", disabled=current["status"] == "closed",
                on_click=_on_close, args=(conversation_id, agent))
    people = {a.name for a in settings.agents} | set(settings.inbox.teams) | {agent}
    options = ["(unassigned)"] + sorted(people | ({current["assignee"]} if current["assignee"] else set()))
    st.session_state[f"assignee_{conversation_id}"] = current["assignee"] or "(unassigned)"
    middle.selectbox("Assignee", options, key=f"assignee_{conversation_id}", on_change=lambda: _on_assign(
        conversation_id, agent, None if st.session_state[f"assignee_{conversation_id}"] == "(unassigned)"
        else st.session_state[f"assignee_{conversation_id}"]))
    middle.button("Claim", key=f"claim_{conversation_id}", disabled=current["assignee"] == agent,
                  on_click=_on_assign, args=(conversation_id, agent, agent))
    if st.session_state.get(f"assign_error_{conversation_id}"):
        middle.error(plain(st.session_state[f"assign_error_{conversation_id}"]))
    tags = queue.conversation_tags(_engine(), conversation_id)
    st.session_state[f"tags_{conversation_id}"] = tags
    right.multiselect("Tags", sorted(set(queue.all_tags(_engine())) | set(tags)), accept_new_options=True,
                      key=f"tags_{conversation_id}", on_change=_on_tags, args=(conversation_id, agent))


def _notes(conversation_id: int, agent: str) -> None:
    st.subheader("Internal notes (never sent)")
    for note in queue.notes(_engine(), conversation_id).iter_rows(named=True):
        st.text(f"{note['agent']} · {time_text(note['created_at'], _tz())}\n{note['text']}")
    # not clear_on_submit: the browser clears the box at once, so the second click of a double
    # click sends an empty box, and when the two submissions are merged into one run (a busy
    # server) the note was lost; the callback clears the box once the note is stored instead
    with st.form(f"note_{conversation_id}"):
        st.text_area("Add a note", key=f"note_text_{conversation_id}")
        # a callback, not code after the button: it runs before any rerun a second click starts
        st.form_submit_button("Save note", on_click=_on_note, args=(conversation_id, agent))


def _on_note(conversation_id: int, agent: str) -> None:
    """Store the note once. Its idempotency token is made of the words themselves (with the
    conversation and the agent), so the second submission of a double click, which still carries
    the words, stores nothing more however Streamlit orders the two runs (a token kept in the
    session was seen to store two notes under load)."""
    box = f"note_text_{conversation_id}"
    text = st.session_state.get(box, "").strip()
    if not text:
        return
    token = hashlib.sha256(f"note\x00{conversation_id}\x00{agent}\x00{text}".encode()).hexdigest()[:32]
    actions.add_note(_engine(), conversation_id, agent, text, token=token)
    st.session_state[box] = ""


def _history(conversation_id: int) -> None:
    earlier = queue.earlier_conversations(_engine(), conversation_id)
    with st.expander(f"Earlier conversations with this author ({earlier.height})"):
        if earlier.height:
            show(earlier, f"earlier_{conversation_id}", id="#", sample="First words")


def _apply_template(key: str, templates: dict[str, str]) -> None:
    title = st.session_state.get(f"tpl_{key}")
    if title in templates:
        st.session_state[f"draft_{key}"] = templates[title]


def _reply_box(conversation_id: int, posts: pl.DataFrame, agent: str) -> None:
    customer = posts.filter(pl.col("kind") == "customer")
    if customer.is_empty():
        return
    last = customer.row(-1, named=True)
    target, brand = actions.reply_target(_engine(), last["id"])
    st.subheader("Reply")
    st.text(f"to @{target.author_handle}'s latest post")
    saved = actions.saved_replies(_engine(), brand, target.lang)
    templates = {f"{s['title']} ({s['lang'] or 'any language'})": s["text"] for s in saved}
    st.selectbox("Saved reply", list(templates), index=None, placeholder="pick a saved reply",
                 key=f"tpl_{conversation_id}", on_change=_apply_template, args=(conversation_id, templates))
    draft = st.text_area("Your reply ({author}, {agent} and {brand} are filled in)", key=f"draft_{conversation_id}")
    text = actions.compose(_engine(), last["id"], draft, agent)
    responder = responder_for(_responders(), target)
    final = responder.prepare(target, text) if responder else text
    limit = length_limit(_responders(), target.source, target)
    if limit:
        st.caption(f"{limit - len(final)} characters left (of {limit} on {target.source})")
    if draft.strip():
        st.caption("Will be posted as:")
        st.text(final)
    if responder is None:
        _copy_and_open(last, text, agent)
    else:
        _send(conversation_id, last["id"], agent, ok=bool(draft.strip()) and (not limit or len(final) <= limit))


def _on_send(conversation_id: int, mention_id: int, agent: str) -> None:
    """Runs before the next rerun, so the reply box can be emptied for the next answer."""
    draft = st.session_state.get(f"draft_{conversation_id}", "")
    if not draft.strip():  # a second click queued behind the first finds the box emptied
        return
    outcome = actions.send_reply(_engine(), mention_id, draft, agent, _responders(),
                                 token=_token(f"send_{conversation_id}"))
    _spent(f"send_{conversation_id}")
    st.session_state[f"opened_{conversation_id}"] = datetime.now(UTC)
    st.session_state[f"last_reply_{conversation_id}"] = outcome.reply_id  # its state is read back on each run
    st.session_state[f"draft_{conversation_id}"] = ""
    st.session_state[f"tpl_{conversation_id}"] = None
    st.session_state[f"confirm_{conversation_id}"] = False
    _changed()


def _send(conversation_id: int, mention_id: int, agent: str, ok: bool) -> None:
    opened = st.session_state.setdefault(f"opened_{conversation_id}", datetime.now(UTC))
    warnings = actions.collision_warnings(_engine(), conversation_id, agent, opened)
    for warning in warnings:
        st.warning(plain(warning), icon="⚠️")
    confirmed = not warnings or st.checkbox("Send anyway: I have read the warning", key=f"confirm_{conversation_id}")
    st.button("Send reply", type="primary", disabled=not (ok and confirmed), key=f"send_{conversation_id}",
              on_click=_on_send, args=(conversation_id, mention_id, agent))
    reply_id = st.session_state.get(f"last_reply_{conversation_id}")
    if reply_id is not None:
        # the reply's state as stored now, not as the click that sent it saw it: the second click of
        # a double click returns the stored reply while the first may still be posting it, and the
        # page then said "sending" under a thread that showed it sent
        result = actions.reply_outcome(_engine(), reply_id).as_json()
        st.text(f"Last reply: {result['state']}" + (f" ({result['error']})" if result["error"] else ""))
        _link(result["url"], "See it on the network")


def _copy_and_open(mention: dict[str, Any], text: str, agent: str) -> None:
    st.info("No responder is configured for this network: copy the reply and post it there.")
    st.code(text, language=None)
    _link(mention["url"], "Open on the network")
    # a callback, so a double click records the answer once instead of losing it to the rerun the
    # second click starts; no form token: the same agent, post and text is the same answer
    st.button("I posted it by hand", disabled=not text.strip(), key=f"manual_{mention['id']}",
              on_click=_on_manual, args=(mention["id"], text, agent))


def _on_manual(mention_id: int, text: str, agent: str) -> None:
    actions.record_manual_reply(_engine(), mention_id, text, agent)
    _changed()


def _conversation(conversation_id: int, agent: str) -> None:
    current = queue.conversation(_engine(), conversation_id)
    if current is None:
        st.error("That conversation no longer exists.")
        return
    head, clock = st.columns([3, 1])
    head.subheader(f"Conversation #{conversation_id} · {current['source']}")
    head.text(f"Brand: {current['brand'] or '-'} · status {current['status']} · assignee {current['assignee'] or '-'}")
    with clock:
        _sla(conversation_id)
    _presence(conversation_id, agent)
    _controls(conversation_id, current, agent)
    posts = _thread(conversation_id)
    customer = posts.filter(pl.col("kind") == "customer")
    if not customer.is_empty():
        _link(customer.row(-1, named=True)["url"], "Open the post on its network")
    _reply_box(conversation_id, posts, agent)
    _notes(conversation_id, agent)
    _history(conversation_id)


def _saved_reply_form(agent: str) -> None:
    """Agents keep their templates here: per brand and language, or for any."""
    with st.sidebar.expander("Add a saved reply"), st.form("saved_reply", clear_on_submit=True):
        title = st.text_input("Title")
        brand = st.selectbox("Brand", [ANY] + [b.name for b in _config().settings.brands])
        lang = st.text_input("Language code (empty: any)", max_chars=8)
        text = st.text_area("Text ({author}, {agent}, {brand})")
        if st.form_submit_button("Save") and title.strip() and text.strip():
            actions.add_saved_reply(_engine(), title.strip(), text.strip(), brand=None if brand == ANY else brand,
                                    lang=lang.strip() or None, actor=agent)


def page() -> None:
    agent = _who()  # refuses a visitor below the agent role before anything is drawn
    st.title("Inbox")
    _saved_reply_form(agent)
    settings = _config().settings
    filters = _filters()
    frame = _queue(filters, settings.sla_minutes, _view())
    numbers = queue.counters(frame)
    st.subheader(f"{numbers['open']} open, {numbers['needs_reply']} need a reply, {numbers['past_sla']} past the SLA",
                 help=f"Open: {queue.WORDS[queue.OPEN]}. Need a reply: {queue.WORDS[queue.NEEDS_REPLY]}.")
    _queue_table(frame)
    chosen = _pick_conversation(frame)
    if chosen is not None:
        st.divider()
        _conversation(chosen, agent)


page()
