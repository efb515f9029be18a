"""Triage of one complaint: category (citizen's, or classified), area (given, point, or address),
agency (routing rules) and priority, with the reasons, as a `Suggestion`. Pure."""

from __future__ import annotations

from collections.abc import Collection

from aduan.logic.classifier import Classifier
from aduan.logic.geo import locate_point, match_address
from aduan.logic.organisation import OUTSIDE_RULE, outside_note
from aduan.logic.routing_rules import Route, priority, route
from aduan.models.config import Area, CityConfig
from aduan.models.ticket import Priority, Suggestion, Ticket

# The classifier of the configuration last asked for: a configuration is loaded once and kept, and a
# classifier keeps its keywords' words (a few hundred phrases) instead of working them out per complaint.
_LAST: list[tuple[CityConfig, Classifier]] = []


def classifier_for(config: CityConfig) -> Classifier:
    settings = config.routing.classifier
    last = _LAST[0][1] if _LAST and _LAST[0][0] is config else None
    if last is not None and (last.categories, last.synonyms, last.min_score) == \
            (config.categories, settings.synonyms, settings.min_score):
        return last
    classifier = Classifier(config.categories, settings.synonyms, settings.min_score)
    _LAST[:] = [(config, classifier)]
    return classifier


def locate(config: CityConfig, ticket: Ticket) -> tuple[Area | None, str | None]:
    location = ticket.location
    if location is None:
        return _in_text(config, ticket)
    if location.area_code and (given := config.area(location.area_code)) is not None:
        return given, "citizen"
    if location.lat is not None and location.lon is not None:
        found = locate_point(config.areas, location.lat, location.lon)
        if found is not None and found.level != "kota":
            return found, "point"
    if location.address:
        matched = match_address(config.areas, location.address)
        if matched is not None:
            return matched.area, "address"
    return _in_text(config, ticket)


def _in_text(config: CityConfig, ticket: Ticket) -> tuple[Area | None, str | None]:
    # Chat complaints name the place in the message ("... di Kelurahan Jomblang") more often than they
    # share a location: the words are the last resort.
    matched = match_address(config.areas, f"{ticket.title}. {ticket.text}")
    return (matched.area, "text") if matched is not None else (None, None)


def suggest(config: CityConfig, ticket: Ticket, cause_event_id: str, now: str,
            excluded: Collection[str] = ()) -> Suggestion:
    classification = classifier_for(config).classify(ticket.title, ticket.text)
    if ticket.category_id:
        # The citizen chose: keep it; confidence is full, and the classifier's words still explain it.
        category_id, source, confidence = ticket.category_id, "citizen", 1.0
        matched = classification.matched if classification.category_id == ticket.category_id else []
    elif classification.category_id:
        category_id, source, confidence = classification.category_id, "classifier", classification.confidence
        matched = classification.matched
    else:
        category_id, source, confidence, matched = None, "none", 0.0, []
    area, method = locate(config, ticket)
    chosen = route(config, category_id, area, confidence, excluded)
    outside = outside_note(config, ticket.location)
    if outside is not None:
        # Not the city's to handle: the desk decides (not our authority, or forward it), never auto-assigned.
        chosen = Route(config.desk_agency().id, OUTSIDE_RULE, False, outside)
    level, reasons = priority(config, category_id, ticket.title, ticket.text)
    return Suggestion(
        category_id=category_id, category_source=source, matched_keywords=matched,
        score=classification.score, confidence=confidence,
        area_code=area.code if area else None, area_name=area.name if area else None, area_method=method,
        agency_id=chosen.agency_id, rule_id=chosen.rule_id, reason=chosen.reason, auto_assign=chosen.auto_assign,
        priority=Priority(level), priority_reasons=reasons, excluded_agency_ids=sorted(excluded),
        outside_city=outside is not None, outside_note=outside,
        cause_event_id=cause_event_id, routed_at=now,
    )


def routed_priority(ticket: Ticket, suggested: Priority) -> Priority:
    """Triage sets the priority, but never below a breach's bump: a complaint whose deadline passed while it
    was (re)routed keeps the priority the SLA engine raised it to."""
    if not ticket.overdue:
        return suggested
    order = list(Priority)  # most urgent first
    return min(ticket.priority, suggested, key=order.index)
