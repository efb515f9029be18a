"""The officers' daily rating digest: what is kept of a rating, and the one email per agency and local day.

Pure. Replaces an email per rating (inbox noise, and an SES email per complaint): at 07:00 in the city's
zone each agency that was rated the previous local day gets how many complaints were rated, the average,
and every low rating (up to `digest_low_score` stars) with its tracking code, stars and the citizen's
comment (contact details masked, cut to an excerpt) and a console link. No ratings, no email. Indonesian
first, then English, in one email, as the periodic reports do (the same heads read both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from aduan.logic.masking import mask_contacts
from aduan.logic.notifications import MONTHS
from aduan.models.templates import LANGUAGES, Language, MessageTemplate, NotificationSettings

EVENT = "RatingDigest"
MAX_SUBJECT, MAX_TEXT = 200, 4096
LANGUAGE_BREAK = "\n\n----------\n\n"
# A digest for day D goes out on D+1 at 07:00; a schedule retried or run by hand days later still finds it.
KEEP_DAYS = 35


@dataclass(frozen=True)
class Rated:
    """One rating as the digest needs it."""

    agency_id: str
    tracking_code: str
    score: int
    comment: str  # already an excerpt with contact details masked
    rated_at: str  # stored UTC


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def digest_day(moment: datetime, zone: str) -> date:
    """The local day a digest sent at `moment` reports on: the day before."""
    return local_day(moment, zone) - timedelta(days=1)


def expires_at(day: date) -> int:
    """When a kept rating of `day` may go (epoch seconds, DynamoDB TTL)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) + KEEP_DAYS * 86400


def excerpt(comment: str | None, limit: int) -> str:
    """The citizen's words as the agency may read them in an email: contact details masked, one line,
    at most `limit` characters."""
    text = " ".join(mask_contacts(comment or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _date_words(day: date, language: Language) -> str:
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def _average(ratings: Sequence[Rated], language: Language) -> str:
    shown = f"{sum(r.score for r in ratings) / len(ratings):.1f}"
    return shown.replace(".", ",") if language == "id" else shown


def render(template: MessageTemplate, settings: NotificationSettings, agency_name: str, city_name: str,
           day: date, ratings: Sequence[Rated]) -> tuple[str, str]:
    """(subject, text) of one agency's digest for `day`; `ratings` is not empty."""
    low = sorted((r for r in ratings if r.score <= settings.digest_low_score),
                 key=lambda r: (r.score, r.rated_at, r.tracking_code))
    listed, left_out = low[:settings.digest_max_listed], len(low) - settings.digest_max_listed
    queue = f"{settings.console}#/agency"  # the officer's own agency's queue
    subjects, texts = [], []
    for language in LANGUAGES:
        lines = [template.render_part("item", language, {
            "tracking_code": r.tracking_code, "score": str(r.score), "comment": r.comment or "-",
            "link": f"{settings.console}#/c/{r.tracking_code}"}) for r in listed]
        if left_out > 0:
            lines.append(template.render_part("more", language, {"count": str(left_out), "link": queue}))
        values = {"agency": agency_name, "date": _date_words(day, language), "count": str(len(ratings)),
                  "average": _average(ratings, language), "low_score": str(settings.digest_low_score),
                  "low_count": str(len(low)), "link": queue, "city": city_name}
        items = "\n".join(lines) if lines else template.render_part("empty", language, values)
        subject, text = template.render(language, {**values, "items": items})
        subjects.append(subject)
        texts.append(text)
    return " / ".join(subjects)[:MAX_SUBJECT], LANGUAGE_BREAK.join(texts)[:MAX_TEXT]
