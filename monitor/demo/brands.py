"""The demo's three fictional brands: the words people use for them, how their care teams
behave, and the queries that find them (what a user would write in `config.yaml`)."""
from __future__ import annotations

from dataclasses import dataclass
from random import Random


@dataclass(frozen=True)
class Brand:
    """A fictional brand: the words people use for it and how its care team behaves."""

    name: str
    slug: str
    names: tuple[str, ...]
    handles: tuple[str, ...]
    tags: tuple[str, ...]
    share: float
    answer_rate: float  # multiplies the per-kind chance that a conversation gets an answer
    reply_minutes: float  # median first response during working hours
    order_format: str
    order_digits: int

    def order_number(self, rng: Random) -> str:
        digits = self.order_digits
        return self.order_format.format(rng.choice(range(10 ** (digits - 1), 10 ** digits)))


BRANDS = (
    Brand("Acme", "acme", ("Acme", "AcmeApp"), ("acme", "AcmeApp"), ("acme", "acmeapp"),
          0.45, 1.05, 25, "AC-{}", 7),
    Brand("Volta", "volta", ("Volta", "VoltaEnergy"), ("volta", "VoltaEnergy"), ("volta", "voltaenergy"),
          0.33, 0.9, 80, "VL-{}", 8),
    Brand("Kawka", "kawka", ("Kawka", "KawkaApp"), ("kawka", "KawkaApp"), ("kawka", "kawkaapp"),
          0.22, 1.0, 40, "K-{}", 5),
)

# The brand queries the demo uses when the config names no brands.
DEMO_BRANDS = {
    "Acme": ["acme OR acmeapp OR @acme OR #acme OR \"acme shop\""],
    "Volta": ["volta OR voltaenergy OR @volta OR #volta"],
    "Kawka": ["kawka OR kawkaapp OR @kawka OR #kawka"],
}
