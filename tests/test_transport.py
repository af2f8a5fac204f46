"""Flood windows: at most ``limit`` messages in any ``period`` per key, counted to the answer."""

from __future__ import annotations

import asyncio

from bot.tg.transport import TELEGRAM_LIMITS, FloodLimits, FloodWindow, RetryingRateLimiter


async def send_through(window: FloodWindow, key: object, count: int, took: float = 0.0) -> list[float]:
    """Hold ``count`` places one after another; when each was had."""
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(count):
        async with window.hold(key):
            times.append(loop.time())
            await asyncio.sleep(took)
    return times


async def test_a_full_window_waits_for_its_first_message_to_age_out() -> None:
    window = FloodWindow(limit=3, period=0.1, margin=0.01)
    times = await send_through(window, "group", 7)
    assert [b - a >= 0.1 for a, b in zip(times, times[3:], strict=False)] == [True] * 4
    assert times[2] - times[0] < 0.05  # the first three at once


async def test_a_message_counts_until_its_answer_came_back() -> None:
    window = FloodWindow(limit=1, period=0.1, margin=0.0)
    times = await send_through(window, "group", 2, took=0.1)
    assert times[1] - times[0] > 0.19  # 0.1 in flight, then the period


async def test_keys_have_windows_of_their_own() -> None:
    window = FloodWindow(limit=1, period=10.0, margin=0.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for key in range(20):
        await send_through(window, key, 1)
    assert loop.time() - started < 1


def test_the_limits_are_telegram_s_unless_given() -> None:
    assert (TELEGRAM_LIMITS.overall, TELEGRAM_LIMITS.overall_period) == (30, 1.0)
    assert (TELEGRAM_LIMITS.group, TELEGRAM_LIMITS.group_period) == (20, 60.0)
    assert RetryingRateLimiter().limits == TELEGRAM_LIMITS
    short = FloodLimits(group=4, group_period=1.0)
    assert RetryingRateLimiter(short).limits is short
