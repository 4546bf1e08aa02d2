"""`twitter-care`: IBM's conversation JSON. Client turns are mentions, agent turns and `agentURL`
are replies; times from `datetime`, else from the tweet id (a snowflake)."""
from __future__ import annotations

import json
from typing import Any

from monitor.formats.common import TWITTER, ImportFormatError, parse_iso, tweet_url, with_brand
from monitor.mention import Author, ImportBatch, ImportedReply, Mention, RejectedRow
from networks.x import snowflake_time


def _care_turn(turn: dict[str, Any]) -> tuple[str, str]:
    for key in turn:
        if key.startswith("client"):
            return "client", str(turn[key])
    if "agent" in turn:
        return "agent", str(turn["agent"])
    raise ValueError("a turn has neither a client nor an agent key")


def _care_conversation(conversation: dict[str, Any], batch: ImportBatch) -> None:
    company = str(conversation["dialogHeader"]["company"])
    turns = conversation["dialogContent"]
    if not turns:
        raise ValueError("the conversation has no turns")
    key, previous = str(turns[0]["tweet_ID"]), None
    for turn in turns:
        role, handle = _care_turn(turn)
        tweet_id = str(turn["tweet_ID"])
        created = parse_iso(turn["datetime"]) if turn.get("datetime") else snowflake_time(tweet_id)
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
        batch.mentions = [with_brand(m, brand) for m in batch.mentions]
    # `read` counts posts (turns and final replies), as the other formats count rows, so that
    # read = inserted + duplicates + rejected holds for every format.
    batch.read = len(batch.mentions) + len(batch.replies) + len(batch.rejected)
    return batch
