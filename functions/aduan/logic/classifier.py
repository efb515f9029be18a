"""Category from complaint text, by the keyword phrases in the city's categories.

Score of a category = sum over its matched phrases of (words in the phrase), so a specific phrase
("lampu jalan mati") outweighs a loose word ("gelap"); a match in the title counts once more.
Confidence = how far the winner is ahead: its share of the two best scores, damped when the
winner's own score is small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from aduan.logic.normalise import Word, occurrences, phrase, words
from aduan.models.config import Category

# A winner with this score or more is not damped for being small.
_SURE_SCORE = 3.0


@dataclass(frozen=True)
class Classification:
    category_id: str | None
    score: float
    confidence: float
    matched: list[str] = field(default_factory=list)
    runner_up: str | None = None


@dataclass(frozen=True)
class Classifier:
    categories: Sequence[Category]
    synonyms: Mapping[str, str] = field(default_factory=dict)
    min_score: float = 1.0

    def classify(self, title: str, text: str) -> Classification:
        body, head = words(f"{title} {text}", self.synonyms), words(title, self.synonyms)
        scored = sorted(((self._score(category, body, head), category.id) for category in self.categories),
                        key=lambda item: (-item[0][0], item[1]))
        (best, matched), best_id = scored[0] if scored else ((0.0, []), None)
        if best < self.min_score or best_id is None:
            return Classification(None, best, 0.0)
        second = scored[1][0][0] if len(scored) > 1 else 0.0
        confidence = best / (best + second) * min(1.0, best / _SURE_SCORE)
        runner_up = scored[1][1] if second > 0 else None
        return Classification(best_id, best, round(confidence, 3), matched, runner_up)

    @cached_property
    def _needles(self) -> dict[str, tuple[Word, ...]]:
        """Every keyword's words, worked out once per classifier rather than for every complaint."""
        return {keyword: phrase(keyword, self.synonyms)
                for category in self.categories for keyword in category.keywords}

    def _score(self, category: Category, body: list[Word], head: list[Word]) -> tuple[float, list[str]]:
        score, matched = 0.0, []
        for keyword in category.keywords:
            needle = self._needles.get(keyword) or phrase(keyword, self.synonyms)
            hits = occurrences(body, needle)
            if hits:
                weight = float(len(needle))
                score += weight + (weight if occurrences(head, needle) else 0.0)
                matched.append(keyword)
        return score, matched
