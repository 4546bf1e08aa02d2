"""Phrase tables for `monitor.demo.generator`: every sentence is our own, one module per language, so a
translator edits one file and never touches generator code.

A language module holds plain constants (see `pl.py` for the fullest example). Mention texts are
built from a frame and a clause: the frame carries the tone ("{X} and nobody answers."), the clause
the brand-specific content ("the parcel arrived damaged"). `{X}` is the clause with its first letter
raised, `{x}` as written; `{b}` is a brand name or @handle in a spot where no grammar bends it.
Other slots: {order}, {product}, {in_city}, {days} (2-9), {hours} (5-9), {amount}.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from types import ModuleType

from . import de, el, en, es, fr, it, pl, ro

Phrases = tuple[str, ...]


@dataclass(frozen=True)
class Language:
    """Everything the demo writes in one language; built from a module's constants."""

    code: str
    female: Phrases
    male: Phrases
    surnames: tuple[str | tuple[str, str], ...]  # (masculine, feminine) where the form differs
    cities: Phrases  # "in <city>" with the preposition the language needs
    currency: str
    mastodon: Phrases  # instances people of this language are on
    subreddit: str
    products: dict[str, Phrases]
    agents: dict[str, Phrases]  # per brand: the care team answering in this language
    prefixes: Phrases
    frames: dict[str, Phrases]
    clauses: dict[str, dict[str, Phrases]]  # brand -> kind -> clauses
    followups: dict[str, Phrases]
    reply_hello: Phrases
    reply_frames: Phrases
    replies: dict[str, Phrases]

    @classmethod
    def from_module(cls, code: str, module: ModuleType) -> Language:
        """A missing constant fails at import, not halfway through generating 200,000 posts."""
        names = [field.name for field in fields(cls) if field.name != "code"]
        return cls(code=code, **{name: getattr(module, name.upper()) for name in names})


LANGUAGES: dict[str, Language] = {
    code: Language.from_module(code, module)
    for code, module in (("pl", pl), ("ro", ro), ("el", el), ("it", it), ("en", en), ("de", de),
                         ("es", es), ("fr", fr))
}
