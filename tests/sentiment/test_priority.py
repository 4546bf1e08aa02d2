from sentiment.priority import priority
from sentiment.settings import PriorityWeights


def test_angry_big_account_waiting_beats_calm_new_mention():
    urgent = priority(0.95, followers=250_000, complaint_match=True, network="x",
                      waiting_minutes=90, sla_minutes=60)
    calm = priority(0.05, followers=12, network="x", waiting_minutes=1)
    assert urgent > 80 > 20 > calm


def test_each_term_raises_priority():
    base = dict(followers=100, complaint_match=False, network="mastodon", waiting_minutes=10)
    p = priority(0.3, **base)
    assert priority(0.9, **base) > p
    assert priority(0.3, **{**base, "followers": 100_000}) > p
    assert priority(0.3, **{**base, "complaint_match": True}) > p
    assert priority(0.3, **{**base, "waiting_minutes": 50}) > p


def test_waiting_is_capped_at_the_sla_and_bounds_hold():
    assert priority(0.5, waiting_minutes=60) == priority(0.5, waiting_minutes=600)
    top = priority(1.0, followers=10**9, complaint_match=True, network="x", waiting_minutes=10**6)
    assert top == 100.0
    assert priority(0.0) == 0.0


def test_network_weights_and_custom_weights():
    assert priority(0.8, network="x") > priority(0.8, network="rss")
    assert priority(0.8, network="unknown-network") == priority(0.8, network="")
    only_reach = PriorityWeights(negative=0, reach=100, complaint_phrase=0, waiting=0,
                                 network={}, default_network=1.0)
    assert priority(1.0, followers=5, weights=only_reach) < priority(
        0.0, followers=50_000, weights=only_reach)


def test_rejects_non_probability():
    import pytest

    with pytest.raises(ValueError):
        priority(1.5)
