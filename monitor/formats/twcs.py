"""`twcs`: the Customer Support on Twitter CSV. `inbound=True` rows are mentions, the others brand
replies by agent `author_id`; threads come from the id links. Real exports are dirty (a pandas
index column, float ids, bare carriage returns inside posts): every good row is kept whole and
every malformed one is reported with its line and reason."""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from monitor.formats.common import TWITTER, ImportFormatError, clean_id, tweet_url
from monitor.mention import Author, ImportBatch, ImportedReply, Mention, RejectedRow

_BARE_CR = "\ue000"  # stands in for a carriage return inside a post while csv splits records
TWCS_REQUIRED = ("tweet_id", "author_id", "inbound", "created_at", "text")


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
    return {"id": clean_id(row["tweet_id"]), "author": row["author_id"].strip(), "inbound": inbound == "true",
            "created": created, "text": row["text"], "parent": clean_id(row.get("in_response_to_tweet_id"))}


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
