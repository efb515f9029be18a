"""Which agency should handle a complaint, and how urgent it is: the city's rules applied in order.

Rules are tried by `order`; the first whose categories and areas match decides. When none matches,
the category's default agency is suggested; when there is no category, the desk. An agency that
already returned the ticket as "not our authority" is never suggested again for it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from aduan.logic.normalise import occurrences, phrase, words
from aduan.models.config import Area, CityConfig
from aduan.models.routing_config import RoutingRule

PRIORITY_ORDER = ("urgent", "high", "normal", "low")
CATEGORY_DEFAULT = "category-default"
DESK_FALLBACK = "desk-fallback"


@dataclass(frozen=True)
class Route:
    agency_id: str
    rule_id: str
    auto_assign: bool
    reason: str


def area_chain(config: CityConfig, area: Area | None) -> list[str]:
    """The area's code and its ancestors' (kelurahan, kecamatan, kota)."""
    chain: list[str] = []
    while area is not None and area.code not in chain:
        chain.append(area.code)
        area = config.area(area.parent_code) if area.parent_code else None
    return chain


def _office(config: CityConfig, chain: list[str], level: str | None) -> str | None:
    """The office of the most detailed area that has one (kelurahan office, else kecamatan office), or
    of the rule's `office_level` only."""
    for code in chain:
        office = config.office_for_area(code)
        if office is not None and level in (None, office.kind):
            return office.id
    return None


def _matches(rule: RoutingRule, category_id: str | None, chain: list[str]) -> bool:
    if rule.categories and category_id not in rule.categories:
        return False
    return not rule.areas or any(code in chain for code in rule.areas)


def route(config: CityConfig, category_id: str | None, area: Area | None, confidence: float,
          excluded: Collection[str] = ()) -> Route:
    chain = area_chain(config, area)
    auto_confidence = config.routing.classifier.auto_assign_confidence
    for rule in config.routing.ordered_rules():
        if not _matches(rule, category_id, chain):
            continue
        agency_id = _office(config, chain, rule.office_level) if rule.to_area_office else rule.agency_id
        if agency_id is None or agency_id in excluded:
            continue  # e.g. the place is unknown, so there is no office to send it to: try the next rule
        sure = confidence >= max(rule.min_confidence, auto_confidence)
        why = rule.description or f"rule {rule.id}"
        return Route(agency_id, rule.id, rule.auto_assign and sure, why)
    category = config.category(category_id) if category_id else None
    if category and category.default_agency_id and category.default_agency_id not in excluded:
        return Route(category.default_agency_id, CATEGORY_DEFAULT, False,
                     f"default agency of category {category.id}")
    return Route(config.desk_agency().id, DESK_FALLBACK, False, "no rule matched: the desk decides")


def priority(config: CityConfig, category_id: str | None, title: str, text: str) -> tuple[str, list[str]]:
    """The highest of the category's priority and any priority keyword found; with the words that raised it."""
    synonyms = config.routing.classifier.synonyms
    body = words(f"{title} {text}", synonyms)
    category = config.category(category_id) if category_id else None
    best = category.priority if category else "normal"
    reasons = [f"category {category.id}"] if category and best != "normal" else []
    for rule in config.routing.priority_keywords:
        found = [keyword for keyword in rule.keywords if occurrences(body, phrase(keyword, synonyms))]
        if found and PRIORITY_ORDER.index(rule.priority) < PRIORITY_ORDER.index(best):
            best, reasons = rule.priority, found
    return best, reasons
