"""What an agent should look at first: a 0..100 priority per mention.

    priority = network_multiplier × (
          w.negative         × P(negative)
        + w.reach            × min(1, log10(1 + followers) / log10(1 + w.reach_cap))
        + w.complaint_phrase × [a complaint phrase from the brand's queries matched]
        + w.waiting          × min(1, minutes waiting / SLA minutes))

clipped to 0..100. With the default weights (40, 20, 15, 25) the terms add up to 100 on the
strongest network. Followers are log-scaled because reach grows by orders of magnitude: 10 → 1,000
followers matters as much as 1,000 → 100,000. Unknown followers count as none. Waiting stops
growing at the SLA: past it every open mention is equally late on this term, and the other terms
decide; the inbox queue adds waiting past the SLA at read time, in bands (`monitor.inbox.urgency`).
Weights come from `SentimentSettings.priority` (config `sentiment: priority:`).
"""
from __future__ import annotations

import math

from .settings import PriorityWeights

_DEFAULT = PriorityWeights()


def reach_term(followers: int | None, cap: int) -> float:
    if not followers or followers <= 0:
        return 0.0
    return min(1.0, math.log10(1 + followers) / math.log10(1 + cap))


def priority(negative: float, *, followers: int | None = None, complaint_match: bool = False,
             network: str = "", waiting_minutes: float = 0.0, sla_minutes: float = 60.0,
             weights: PriorityWeights | None = None) -> float:
    """Priority 0..100; `negative` is the model's probability that the mention is negative."""
    w = weights or _DEFAULT
    if not 0.0 <= negative <= 1.0:
        raise ValueError(f"negative must be a probability, got {negative}")
    waiting = min(1.0, max(0.0, waiting_minutes) / sla_minutes) if sla_minutes > 0 else 1.0
    score = (w.negative * negative
             + w.reach * reach_term(followers, w.reach_cap)
             + w.complaint_phrase * float(complaint_match)
             + w.waiting * waiting)
    multiplier = w.network.get(network.lower(), w.default_network) if network else w.default_network
    return round(max(0.0, min(100.0, multiplier * score)), 3)
