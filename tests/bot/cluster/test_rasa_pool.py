"""RasaPool: each conversation to one Rasa instance (hash of the sender), the next when down."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.gateway.rasa_client import RasaPool, RasaUnavailable
from tests.fixtures.fake_rasa import FakeRasa
from tests.fixtures.servers import free_port, serve_fake


@pytest.fixture
def two_rasa():
    first, second = FakeRasa(), FakeRasa()
    gen_a, gen_b = serve_fake(first), serve_fake(second)
    next(gen_a), next(gen_b)
    yield first, second
    for gen in (gen_a, gen_b):
        with pytest.raises(StopIteration):
            next(gen)


async def test_conversations_spread_and_stay_on_their_instance(two_rasa):
    first, second = two_rasa
    pool = RasaPool([first.url, second.url])
    senders = [f"web-session-{n:04d}" for n in range(40)]
    try:
        for _round in range(2):
            for sender in senders:
                await pool.send(sender, "ciao")
    finally:
        await pool.aclose()
    by_instance = {
        fake.url: Counter(body["sender"] for body in fake.received) for fake in (first, second)
    }
    assert all(by_instance.values())  # both instances got conversations
    for sender in senders:
        home = pool.instance_for(sender)
        assert by_instance[home][sender] == 2  # every message of a sender on one instance
        other = next(url for url in by_instance if url != home)
        assert sender not in by_instance[other]
    # the order does not depend on the order of the URLs (every gateway agrees)
    assert RasaPool([second.url, first.url]).order(senders[0]) == pool.order(senders[0])


async def test_a_down_instance_sends_its_conversations_to_the_other(two_rasa):
    first, second = two_rasa
    pool = RasaPool([first.url, second.url], down_seconds=60)
    sender = next(
        s for s in (f"web-x-{n}" for n in range(100)) if pool.instance_for(s) == first.url
    )
    try:
        first.down = True  # answers 503: the message was not processed
        assert (await pool.send(sender, "ciao"))[0]["text"].startswith("Ciao")
        assert [b["sender"] for b in second.received] == [sender] and not first.received
        first.down = False
        await pool.send(sender, "ciao")  # recently refused: still the other one first
        assert len(second.received) == 2
        assert await pool.ping()
    finally:
        await pool.aclose()
    back = RasaPool([first.url, second.url])
    try:
        await back.send(sender, "ciao")  # a fresh client goes home again
        assert [b["sender"] for b in first.received] == [sender]
    finally:
        await back.aclose()


async def test_refused_connections_fail_over_and_all_down_is_unavailable():
    alive = FakeRasa()
    gen = serve_fake(alive)
    next(gen)
    dead = f"http://127.0.0.1:{free_port()}"
    pool = RasaPool([dead, alive.url])
    try:
        for n in range(10):
            await pool.send(f"web-s-{n}", "ciao")
        assert len(alive.received) == 10
        alive.down = True
        with pytest.raises(RasaUnavailable, match="no Rasa instance answered"):
            await pool.send("web-s-0", "ciao")
        assert not await pool.ping()
    finally:
        await pool.aclose()
        with pytest.raises(StopIteration):
            next(gen)
