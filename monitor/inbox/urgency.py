"""How urgent a conversation that needs a reply is, computed when the queue is read.

The stored per-mention priority (`sentiment.priority`) stops counting waiting time at the SLA, so
on its own a thank-you at priority 60 outranks a complaint left for six days at 55. Urgency puts
waiting first, in bands, and lets priority decide only inside a band:

    band 0   the customer only thanked us or said goodbye (offered for closing)
    band 1   still within the SLA
    band 2   overdue by less than `band_hours`
    band 2+n overdue by n more whole bands (days, with the default 24 h)

    urgency = band × 1000 + min(999, priority_weight × priority + waiting_weight × share of the band waited)

where priority is the highest stored priority (0..100: P(negative), reach, complaint phrases)
among the customer's unanswered messages. So a conversation overdue by days always ranks above
one overdue by hours, and that above one still within the SLA, whatever their priorities.
Config: `inbox.urgency: {band_hours, priority_weight, waiting_weight}`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import polars as pl

BAND_POINTS = 1000.0


class UrgencyWeights(BaseModel):
    """The `inbox.urgency:` config block; every key has a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    band_hours: float = Field(24.0, gt=0, description="width of one overdue band, hours")
    priority_weight: float = Field(1.0, ge=0, description="points per point of stored priority, within a band")
    waiting_weight: float = Field(10.0, ge=0, description="points for waiting through a whole band, within a band")


def urgency(sla_minutes: float, weights: UrgencyWeights | None = None) -> pl.Expr:
    """The urgency of each row of a queue frame with `waiting_s` (null: nobody waits on us),
    `closing` and `priority` columns; null where nobody waits on us."""
    import polars as pl  # noqa: PLC0415  (the config loads this module; polars only for a queue)

    w = weights or UrgencyWeights()
    sla_s, band_s = sla_minutes * 60.0, w.band_hours * 3600.0
    waiting = pl.col("waiting_s").cast(pl.Float64)
    overdue = (waiting - sla_s) / band_s  # in bands; negative: within the SLA
    band = (pl.when(pl.col("closing")).then(0.0)
            .when(overdue < 0).then(1.0)
            .otherwise(2.0 + overdue.floor()))
    share = (pl.when(pl.col("closing") | (overdue < 0)).then(waiting / sla_s if sla_s else 1.0)
             .otherwise(overdue - overdue.floor()))
    within = (w.priority_weight * pl.col("priority").fill_null(0.0) + w.waiting_weight * share.clip(0.0, 1.0))
    return (pl.when(pl.col("waiting_s").is_null()).then(None)
            .otherwise(band * BAND_POINTS + within.clip(0.0, BAND_POINTS - 1.0))).alias("urgency")
