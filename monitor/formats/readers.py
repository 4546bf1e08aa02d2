"""Readers for historic posts: `twcs`, `twitter-care` and Nasłuch's own `jsonl`.

Each reader turns a file into an `ImportBatch` of plain values and the rows it could not take
(with line and reason); storage does the rest. Readers never drop a good row because a
neighbouring one is broken.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from monitor.mention import Author, ImportBatch, ImportedReply, Mention, RejectedRow
from networks.x import snowflake_time

TWITTER = "x"
_BARE_CR = "\ue000"  # stands in for a carriage return inside a post while csv splits records
TWCS_REQUIRED = ("tweet_id", "author_id", "inbound", "created_at", "text")


class ImportFormatError(ValueError):
    """The file as a whole is not in the format asked for (not one row: the whole file)."""


def tweet_url(handle: str, tweet_id: str) -> str:
    return f"https://x.com/{handle}/status/{tweet_id}"


def _clean_id(value: str | None) -> str | None:
    """Ids in real exports come as `289163`, `289163.0` or empty."""
    value = (value or "").strip()
    if not value:
        return None
    if value.endswith(".0") and value[:-2].isdigit():
        value = value[:-2]
    if not value.isdigit():
        raise ValueError(f"id {value!r} is not a number")
    return value


def _twcs_records(raw: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Split the file into records, keeping a bare CR inside a post instead of ending the record."""
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", _BARE_CR)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip() for column in next(reader, [])]
    missing = [name for name in TWCS_REQUIRED if name not in header]
    if missing:
        raise ImportFormatError(f"not a twcs file: the header lacks {', '.join(missing)}")
    records, line = [], reader.line_num + 1
    for fields in reader:
        if fields:
            values = [value.replace(_BARE_CR, "\r") for value in fields]
            row = dict(zip(header, values))
            if len(values) < len(header):
                row["__short__"] = f"{len(values)} of {len(header)}"
            records.append((line, row))
        line = reader.line_num + 1
    return header, records


def _twcs_row(row: dict[str, str]) -> dict[str, Any]:
    if "__short__" in row:
        raise ValueError(f"the row has {row['__short__']} fields: a post split across lines, or cut short")
    for name in TWCS_REQUIRED:
        if not (row.get(name) or "").strip() and name != "text":
            raise ValueError(f"{name} is empty")
    try:
        created = datetime.strptime(row["created_at"].strip(), "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        raise ValueError(f"created_at {row['created_at']!r} is not a date like 'Wed Oct 11 06:55:44 +0000 2017'") from None
    inbound = row["inbound"].strip().lower()
    if inbound not in ("true", "false"):
        raise ValueError(f"inbound {row['inbound']!r} is neither True nor False")
    return {"id": _clean_id(row["tweet_id"]), "author": row["author_id"].strip(), "inbound": inbound == "true",
            "created": created, "text": row["text"], "parent": _clean_id(row.get("in_response_to_tweet_id"))}


def _thread_roots(posts: dict[str, dict[str, Any]]) -> dict[str, str]:
    roots: dict[str, str] = {}
    for post_id in posts:
        chain, current = [], post_id
        while current in posts and current not in roots and current not in chain:
            chain.append(current)
            parent = posts[current]["parent"]
            if parent is None or parent not in posts:
                break
            current = parent
        root = roots.get(current, chain[-1] if chain else post_id)
        for item in chain:
            roots[item] = root
    return roots


def read_twcs(raw: bytes, brand: str | None = None) -> ImportBatch:
    """The Customer Support on Twitter CSV: inbound rows are mentions, the others brand replies."""
    _, records = _twcs_records(raw)
    batch, posts = ImportBatch(read=len(records)), {}
    for line, row in records:
        try:
            post = _twcs_row(row)
        except (ValueError, KeyError) as error:
            batch.rejected.append(RejectedRow(line, str(error)))
            continue
        posts[post["id"]] = post
    roots = _thread_roots(posts)
    brands = {roots[p["id"]]: p["author"] for p in sorted(posts.values(), key=lambda p: p["created"]) if not p["inbound"]}
    for post in posts.values():
        key, owner = roots[post["id"]], brand or brands.get(roots[post["id"]])
        url = tweet_url(post["author"], post["id"])
        if post["inbound"]:
            batch.mentions.append(Mention(
                source=TWITTER, external_id=post["id"], text=post["text"], created_at=post["created"],
                author=Author(handle=post["author"]), url=url, in_reply_to=post["parent"],
                conversation_key=key, brand=owner, source_name="import:twcs"))
        else:
            batch.replies.append(ImportedReply(
                source=TWITTER, external_id=post["id"], agent=post["author"], text=post["text"],
                created_at=post["created"], in_reply_to=post["parent"], conversation_key=key,
                brand=owner, url=url))
    return batch


def _care_turn(turn: dict[str, Any]) -> tuple[str, str]:
    for key in turn:
        if key.startswith("client"):
            return "client", str(turn[key])
    if "agent" in turn:
        return "agent", str(turn["agent"])
    raise ValueError("a turn has neither a client nor an agent key")


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _care_conversation(conversation: dict[str, Any], batch: ImportBatch) -> None:
    company = str(conversation["dialogHeader"]["company"])
    turns = conversation["dialogContent"]
    if not turns:
        raise ValueError("the conversation has no turns")
    key, previous = str(turns[0]["tweet_ID"]), None
    for turn in turns:
        role, handle = _care_turn(turn)
        tweet_id = str(turn["tweet_ID"])
        created = _parse_iso(turn["datetime"]) if turn.get("datetime") else snowflake_time(tweet_id)
        url = tweet_url(handle, tweet_id)
        if role == "client":
            batch.mentions.append(Mention(
                source=TWITTER, external_id=tweet_id, text=str(turn["message"]), created_at=created,
                author=Author(handle=handle), url=url, in_reply_to=previous, conversation_key=key,
                brand=company, source_name="import:twitter-care"))
        else:
            batch.replies.append(ImportedReply(
                source=TWITTER, external_id=tweet_id, agent=handle, text=str(turn["message"]),
                created_at=created, in_reply_to=previous, conversation_key=key, brand=company, url=url))
        previous = tweet_id
    final = conversation.get("agentURL") or {}
    if final.get("tweet_ID") and all(str(final["tweet_ID"]) != r.external_id for r in batch.replies[-len(turns):]):
        tweet_id = str(final["tweet_ID"])
        batch.replies.append(ImportedReply(
            source=TWITTER, external_id=tweet_id, agent=company, text=str(final.get("url_utterance", "")),
            created_at=snowflake_time(tweet_id), in_reply_to=previous, conversation_key=key, brand=company,
            url=tweet_url(company, tweet_id)))


def read_twitter_care(raw: bytes, brand: str | None = None) -> ImportBatch:
    """IBM's conversation JSON: client turns are mentions; agent turns and `agentURL` are replies."""
    try:
        conversations = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ImportFormatError(f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    except UnicodeDecodeError as error:  # json.loads decodes bytes itself, and says so differently
        raise ImportFormatError(f"not UTF-8 text: byte {raw[error.start]:#04x} at offset {error.start}") from None
    if not isinstance(conversations, list):
        raise ImportFormatError("not a twitter-care file: expected a list of conversations")
    batch = ImportBatch(read=len(conversations))
    for index, conversation in enumerate(conversations, start=1):
        mark = (len(batch.mentions), len(batch.replies))
        try:
            _care_conversation(conversation, batch)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            del batch.mentions[mark[0]:], batch.replies[mark[1]:]
            reason = f"missing key {error}" if isinstance(error, KeyError) else str(error)
            batch.rejected.append(RejectedRow(index, f"conversation {index}: {reason}"))
    if brand:
        batch.mentions = [_with_brand(m, brand) for m in batch.mentions]
    # `read` counts posts (turns and final replies), as the other formats count rows, so that
    # read = inserted + duplicates + rejected holds for every format.
    batch.read = len(batch.mentions) + len(batch.replies) + len(batch.rejected)
    return batch


def _with_brand(mention: Mention, brand: str) -> Mention:
    from dataclasses import replace

    return replace(mention, brand=brand)


def _require(data: dict[str, Any], *names: str) -> None:
    for name in names:
        if data.get(name) in (None, ""):
            raise KeyError(name)


def mention_from_json(data: dict[str, Any]) -> Mention:
    _require(data, "source", "external_id", "created_at", "author")
    author = data["author"]
    if isinstance(author, str):
        author = {"handle": author}
    return Mention(
        source=str(data["source"]), external_id=str(data["external_id"]), text=str(data["text"]),
        created_at=_parse_iso(str(data["created_at"])),
        author=Author(handle=str(author["handle"]), name=author.get("name"), followers=author.get("followers")),
        url=data.get("url"), lang=data.get("lang"), in_reply_to=data.get("in_reply_to"),
        conversation_key=data.get("conversation_key"), brand=data.get("brand"), source_name=data.get("source_name"))


def reply_from_json(data: dict[str, Any]) -> ImportedReply:
    _require(data, "source", "external_id", "agent", "created_at")
    return ImportedReply(
        source=str(data["source"]), external_id=str(data["external_id"]), agent=str(data["agent"]),
        text=str(data["text"]), created_at=_parse_iso(str(data["created_at"])), in_reply_to=data.get("in_reply_to"),
        conversation_key=data.get("conversation_key"), brand=data.get("brand"), url=data.get("url"))


def read_jsonl(raw: bytes, brand: str | None = None) -> ImportBatch:
    """Nasłuch's own export: one object per line, `"kind": "mention"` or `"reply"`."""
    batch = ImportBatch()
    for line_number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        batch.read += 1
        try:
            data = json.loads(line)
            kind = data.get("kind", "mention")
            if kind == "reply":
                batch.replies.append(reply_from_json(data))
            elif kind == "mention":
                mention = mention_from_json(data)
                batch.mentions.append(_with_brand(mention, brand) if brand else mention)
            else:
                raise ValueError(f"unknown kind {kind!r}: expected mention or reply")
        except json.JSONDecodeError as error:
            batch.rejected.append(RejectedRow(line_number, f"not JSON: {error.msg} at column {error.colno}"))
        except KeyError as error:
            batch.rejected.append(RejectedRow(line_number, f"missing field {error}"))
        except (ValueError, TypeError, AttributeError) as error:
            batch.rejected.append(RejectedRow(line_number, str(error)))
    return batch


READERS: dict[str, Callable[[bytes, str | None], ImportBatch]] = {
    "twcs": read_twcs, "twitter-care": read_twitter_care, "jsonl": read_jsonl,
}


def read_file(path: str | Path, fmt: str, brand: str | None = None) -> ImportBatch:
    if fmt not in READERS:
        raise ImportFormatError(f"unknown format {fmt!r}: expected one of {', '.join(READERS)}")
    return READERS[fmt](Path(path).read_bytes(), brand)
