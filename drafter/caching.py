"""A response cache in front of any chat model: an unchanged request is answered from history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from drafter.backends import Completion, Usage


class CachedModel:
    """A ChatModel that answers a request seen before from the history database, else asks `model`."""

    def __init__(self, model, history, settings):
        self.model = model
        self.history = history
        self.settings = settings
        self.hits = 0

    async def aclose(self) -> None:
        """Close the wrapped model's connections."""
        await self.model.aclose()

    def key(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> str:
        """The cache key of a request (model, endpoint, messages, temperature, max_tokens)."""
        return self.history.cache_key(model=self.settings.model, base_url=self.settings.base_url,
                                      messages=messages, temperature=temperature, max_tokens=max_tokens)

    @property
    def load(self):
        """What the run learned about the server's capacity (the wrapped model's)."""
        return self.model.load

    async def capacity(self) -> int | None:
        """Requests the wrapped model's server answers at once (None: no known limit)."""
        return await self.model.capacity()

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.3,
                       on_delta: Callable[[str], None] | None = None,
                       max_chars: int | None = None) -> Completion:
        """The stored answer for this exact request, or a fresh one (then stored).

        Only finished answers get here (an interrupted stream raises), so every stored answer is
        whole; it stays stored when the run is interrupted later, for the next run to reuse.
        """
        key = self.key(messages, max_tokens=max_tokens, temperature=temperature)
        cached = self.history.cached(key)
        if cached is not None:
            self.hits += 1
            if on_delta is not None and cached.text:
                on_delta(cached.text)
            usage = Usage(**{k: (cached.usage or {}).get(k) for k in
                             ("prompt_tokens", "completion_tokens", "cached_tokens")})
            return Completion(cached.text, cached.reasoning, cached.finish_reason, usage, cached.model)
        completion = await self.model.complete(messages, max_tokens=max_tokens, temperature=temperature,
                                               on_delta=on_delta, max_chars=max_chars)
        if completion.text.strip():  # an empty answer is worth asking again next time
            self.history.store(key, text=completion.text, reasoning=completion.reasoning,
                               finish_reason=completion.finish_reason, usage=asdict(completion.usage),
                               model=completion.model)
        return completion
