"""Writing the demo's texts from the phrase tables in `monitor.demo.phrases`: people's names and
handles, customer posts, follow-ups and the care team's replies.

Each template's slots are parsed once and cached, and only the slots a template uses are drawn:
200,000 posts in a few seconds leave a few microseconds per text.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from random import Random
from string import Formatter
from typing import Callable

from monitor.demo.brands import Brand
from monitor.demo.phrases import Language

# Greek to the Latin letters Greeks use in handles; ł and ß have no decomposition to strip.
LATIN = str.maketrans({
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "i", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o", "ł": "l", "ß": "ss",
})
HANDLE_STYLES = ("{f}_{l}", "{f}.{l}", "{f}{l1}{yy}", "{l}{f1}", "{f}_{l3}{n}", "{f}{yy}", "{f}{l}",
                 "{f}_{n}")
# Where a post names its brand: "@acme Paczka...", "Halo, @acme? ...", "... #acme", "Acme – ...",
# or not at all (in a brand's own forum it goes without saying).
SOCIAL_STYLES = ((0.35, "prefix"), (0.65, "frame"), (0.92, "suffix"), (1.0, "none"))
FORUM_STYLES = ((0.6, "frame"), (0.75, "lead"), (1.0, "none"))
AFTER_REPLY = ((0.55, "thanks"), (0.85, "unresolved"), (1.0, "info"))
DAYS = tuple(str(n) for n in range(2, 10))  # "{days} dni/zile/μέρες" agrees for 2-9 everywhere
HOURS = tuple(str(n) for n in range(5, 10))  # and "{hours} godzin" for 5-9
AMOUNTS = range(180, 700, 10)
TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def capital(text: str) -> str:
    """Raise the first letter, stepping over ¿, ¡, quotes and digits."""
    if text[:1].isalpha():
        return text[0].upper() + text[1:]
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1:]
    return text


@lru_cache(maxsize=None)
def slot_names(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name)


@lru_cache(maxsize=None)
def ascii_name(name: str) -> str:
    """'Łukasz' -> 'lukasz', 'Γιώργος' -> 'giorgos': handles are ASCII on every network."""
    decomposed = unicodedata.normalize("NFD", name.lower())
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    latin = bare.replace("ου", "ou").replace("αυ", "av").replace("ευ", "ev").translate(LATIN)
    return "".join(char for char in latin if char.isascii() and char.isalnum())


def _style(rng: Random, table: tuple[tuple[float, str], ...]) -> str:
    draw = rng.random()
    for limit, style in table:
        if draw < limit:
            return style
    return table[-1][1]


class Writer:
    """Fills our own templates with slots, so texts vary while their grammar holds."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self._slots: dict[str, Callable[[Language, Brand], str]] = {
            "order": lambda lang, brand: brand.order_number(rng),
            "product": lambda lang, brand: rng.choice(lang.products[brand.name]),
            "in_city": lambda lang, brand: rng.choice(lang.cities),
            "days": lambda lang, brand: rng.choice(DAYS),
            "hours": lambda lang, brand: rng.choice(HOURS),
            "amount": lambda lang, brand: lang.currency.format(rng.choice(AMOUNTS)),
        }

    def fill(self, template: str, lang: Language, brand: Brand, **given: str) -> str:
        """Draw only the slots this template has: most have one or two of the six."""
        names = slot_names(template)
        if not names:
            return template
        slots = self._slots
        return template.format_map({name: given[name] if name in given else slots[name](lang, brand)
                                    for name in names})

    def person(self, lang: Language, female: bool) -> tuple[str, str, str]:
        """A first name, a surname in the right gender, and a handle made from them."""
        rng = self.rng
        first = rng.choice(lang.female if female else lang.male)
        surname = rng.choice(lang.surnames)
        last = surname if isinstance(surname, str) else surname[female]
        f, l = ascii_name(first), ascii_name(last)
        handle = rng.choice(HANDLE_STYLES).format(f=f, l=l, l1=l[0], f1=f[0], l3=l[:3],
                                                  yy=rng.choice(TWO_DIGITS), n=rng.choice(TWO_DIGITS[1:]))
        return first, last, handle

    def display_name(self, first: str, last: str) -> str:
        draw = self.rng.random()
        if draw < 0.45:
            return first
        return f"{first} {last}" if draw < 0.85 else f"{first} {last[0]}."

    def mention(self, lang: Language, brand: Brand, kind: str, social: bool) -> str:
        """A customer's post: a clause about the brand, a frame giving it a tone, the brand's name."""
        rng = self.rng
        clause = self.fill(rng.choice(lang.clauses[brand.name][kind]), lang, brand)
        style = _style(rng, SOCIAL_STYLES if social else FORUM_STYLES)
        if style == "frame" and f"{kind}_b" not in lang.frames:
            style = "prefix" if social else "lead"
        if style == "frame":
            social_word = social and rng.random() < 0.6
            word = "@" + rng.choice(brand.handles) if social_word else rng.choice(brand.names)
            frame = rng.choice(lang.frames[f"{kind}_b"])
            return self.fill(frame, lang, brand, x=clause, X=capital(clause), b=word)
        text = self.fill(rng.choice(lang.frames[kind]), lang, brand, x=clause, X=capital(clause))
        if style == "prefix":
            return rng.choice(lang.prefixes).format(h=rng.choice(brand.handles)) + text
        if style == "lead":
            return f"{rng.choice(brand.names)} – {text}"
        if style == "suffix":
            tag = f"#{rng.choice(brand.tags)}" if rng.random() < 0.5 else f"@{rng.choice(brand.handles)}"
            return f"{text} {tag}"
        return text

    def followup_mood(self, answered: bool, kind: str) -> str:
        """After an answer people thank or push back; before one they nudge or add details."""
        if answered:
            return _style(self.rng, AFTER_REPLY)
        if kind in ("praise", "neutral"):
            return "info"
        return "waiting" if self.rng.random() < 0.7 else "info"

    def followup(self, lang: Language, brand: Brand, mood: str, social: bool) -> str:
        text = self.fill(self.rng.choice(lang.followups[mood]), lang, brand)
        if social and self.rng.random() < 0.6:
            return f"@{self.rng.choice(brand.handles)} {text}"
        return text

    def reply(self, lang: Language, kind: str, name: str, agent: str, handle: str | None) -> str:
        """The care team's answer: greets the author by name and is signed by the agent."""
        rng = self.rng
        body = rng.choice(lang.replies[kind])
        text = rng.choice(lang.reply_frames).format(
            hi=rng.choice(lang.reply_hello), name=name, body=body, Body=capital(body), agent=agent)
        return f"@{handle} {text}" if handle else text
