"""One rate-limit pause shared by every request of a run, whichever file it drafts.

The SDK retries a rate-limited request (HTTP 429) after the pause the server asks for, but only
that request waits: the other files' requests would keep arriving while the provider is refusing.
Hooked into the HTTP client, this pause holds every request until the server's pause is over.
"""

from __future__ import annotations

import time

FIRST_PAUSE = 1.0   # seconds, when the server does not say how long to wait
LONGEST_PAUSE = 60.0


class RateLimitPause:
    """Holds every request of the run until the last rate-limit pause has passed."""

    def __init__(self):
        self.until = 0.0     # time.monotonic() before which no request is sent
        self.limited = 0     # 429 answers seen
        self.held = 0        # requests that waited for a pause
        self._streak = 0

    def hooks(self) -> dict:
        """httpx event hooks for the chat model's HTTP client."""
        return {"request": [self._before], "response": [self._after]}

    async def _before(self, request) -> None:
        import asyncio

        delay = self.until - time.monotonic()
        if delay > 0:
            self.held += 1
            await asyncio.sleep(delay)

    async def _after(self, response) -> None:
        if response.status_code != 429:
            self._streak = 0
            return
        self.limited += 1
        pause = server_pause(response.headers)
        if pause is None:
            pause = min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** self._streak)
        self._streak += 1
        self.until = max(self.until, time.monotonic() + min(pause, LONGEST_PAUSE))

    def notice(self) -> str | None:
        """What the user should know after the run, or None."""
        if not self.limited:
            return None
        return (f"模型服务 {self.limited} 次提示请求过于频繁（HTTP 429）：每次所有文件的请求一起暂停，"
                f"等服务商要求的时间过后再继续（{self.held} 个请求因此等待）；经常出现时请调小 --concurrency")


def server_pause(headers) -> float | None:
    """Seconds the server asks to wait: retry-after-ms, or retry-after in seconds."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        try:
            seconds = float(value) / scale if value is not None else None
        except ValueError:
            seconds = None  # an HTTP date: rare, and the SDK's own retry delay still applies
        if seconds is not None and seconds >= 0:
            return seconds
    return None
