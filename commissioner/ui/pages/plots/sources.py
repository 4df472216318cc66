"""Where the Plots page's channels come from: stream pipelines (the Console page's, or any object
offering sample listeners). A subscription only appends to the store; it never touches widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from commissioner.core.streams.parsers import ParseResult, Sample
from commissioner.core.streams.pipeline import StreamPipeline
from commissioner.ui.pages.plots.series import SeriesStore


class ConsoleLike(Protocol):
    def pipelines(self) -> dict[str, StreamPipeline]: ...


class Subscription:
    """A pipeline's values into the store, until :meth:`close` (then late calls are ignored)."""

    def __init__(self, store: SeriesStore, name: str, pipeline: Any) -> None:
        self.store = store
        self.name = name
        self.pipeline = pipeline
        self.active = True
        self.batched = hasattr(pipeline, "add_batch_listener")
        if self.batched:
            pipeline.add_batch_listener(self.on_batch)
        else:
            pipeline.add_sample_listener(self.on_samples)

    def on_batch(self, result: ParseResult) -> None:
        if self.active:
            self.store.add_columns(self.name, result.t, result.values)

    def on_samples(self, samples: list[Sample]) -> None:
        if self.active:
            self.store.add_samples(self.name, samples)

    def unit_of(self, channel: str) -> str:
        parser = getattr(self.pipeline, "parser", None)
        found = parser.channel(channel) if parser is not None else None
        return str(found.unit) if found is not None else ""

    def close(self) -> None:
        self.active = False
        if self.batched:
            remove = getattr(self.pipeline, "remove_batch_listener", None)
            callback: Callable[..., None] = self.on_batch
        else:
            remove = getattr(self.pipeline, "remove_sample_listener", None)
            callback = self.on_samples
        if remove is not None:
            remove(callback)
