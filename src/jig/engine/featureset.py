"""Sets of places with fast membership, and the places in effect during a span, cached.

With a thousand zones, looking at every zone for every incident is what makes judging slow;
zones share few distinct validity windows, so the places in effect during a span are one of
few sets, built once and reused.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from jig.agreement.model import Feature
from jig.times import Span, Window


@dataclass(frozen=True, eq=False)
class FeatureSet:
    features: tuple[Feature, ...]
    member: frozenset[int] = field(default=frozenset())

    @classmethod
    def of(cls, features: Sequence[Feature]) -> FeatureSet:
        return cls(tuple(features), frozenset(id(f) for f in features))

    def __iter__(self) -> Iterator[Feature]:
        return iter(self.features)

    def __len__(self) -> int:
        return len(self.features)

    def __contains__(self, f: object) -> bool:
        return id(f) in self.member


class Windows:
    """The features of one collection grouped by validity window."""

    def __init__(self, features: Sequence[Feature]):
        keys: dict[tuple[float, float], int] = {}
        self.features = tuple(features)
        self.group = [keys.setdefault((f.window.start, f.window.end), len(keys))
                      for f in self.features]
        self.windows = [Window(*w) for w in keys]
        self._sets: dict[tuple[bool, ...], FeatureSet] = {}

    def during(self, span: Span) -> FeatureSet:
        """The features valid at some moment of the span, in collection order."""
        return self.with_mask(tuple(not w.misses(span) for w in self.windows))

    def with_mask(self, mask: tuple[bool, ...]) -> FeatureSet:
        """The features whose window is marked in `mask` (one flag per window), in order."""
        hit = self._sets.get(mask)
        if hit is None:
            hit = FeatureSet.of([f for f, g in zip(self.features, self.group, strict=True)
                                 if mask[g]])
            self._sets[mask] = hit
        return hit
