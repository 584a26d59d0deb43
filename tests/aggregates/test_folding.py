"""The app folds the item statistics' queue when submissions slow down, not in the middle of a
burst (the work would be the submissions' to wait for), unless the queue grows long."""

from __future__ import annotations

import asyncio

from quiz_api.aggregates import service


def test_the_queue_waits_through_a_burst_and_is_folded_when_it_slows_or_grows_long(monkeypatch):
    # per look: a burst, a lull, a burst, a queue over QUEUE_MAX
    queue_lengths = [200, 400, 420, 420, service.QUEUE_MAX + 1]
    looks: list[int] = []
    folded_at: list[int] = []
    done = asyncio.Event()

    def queued(engine) -> int:
        looks.append(len(looks))
        if len(looks) == len(queue_lengths):
            done.set()
        return queue_lengths[min(len(looks), len(queue_lengths)) - 1]

    async def writer(fn) -> int:
        assert fn is service.fold
        folded_at.append(len(looks))
        return 0

    monkeypatch.setattr(service, "queued", queued)
    monkeypatch.setattr(service, "BUSY", 5_000)  # 50 a look, one look every 0.01 s

    async def run() -> None:
        task = asyncio.create_task(service.keep_folding(writer, None, every=0.01))
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.sleep(0.005)
        task.cancel()

    asyncio.run(run())
    # looks 1-2: 200 arrived each (busy); 3: 20 (quiet) -> fold; 4: 420 since the fold (busy);
    # 5: the queue is over QUEUE_MAX -> fold however busy
    assert folded_at == [3, 5]
