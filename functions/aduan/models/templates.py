"""Notification templates and settings: data a city edits (infra/config/templates/*.json), validated at load.

A template is plain text with `{name}` placeholders. Rendering substitutes known variables only: no
attribute access, indexing, format specs or conversions are accepted, so a template can never run code
or reach into objects. A placeholder that names a variable the notifier does not supply for that audience
is a load-time error, never a blank in a citizen's message.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from aduan.models.base import Model
from aduan.models.config import ConfigError

Language = Literal["id", "en"]
Audience = Literal["citizen", "officer", "supervisor"]
LANGUAGES: tuple[Language, ...] = ("id", "en")

# What the notifier supplies. Officers' and supervisors' messages never carry the reporter's identity
# when the report is anonymous (`reporter` is then the word for "anonymous").
CITIZEN_VARIABLES = frozenset({"tracking_code", "title", "status", "category", "agency", "due", "response",
                               "note", "link", "parent_code", "city", "stage"})
OFFICER_VARIABLES = CITIZEN_VARIABLES | {"reporter", "address", "score"}
VARIABLES: dict[str, frozenset[str]] = {"citizen": CITIZEN_VARIABLES, "officer": OFFICER_VARIABLES,
                                        "supervisor": OFFICER_VARIABLES}
# Messages about many complaints at once (the officers' daily rating digest, logic/rating_digest.py): the
# message's own variables, then those of its `item` (one line per complaint listed into {items}) and `more`
# (after the listed lines when some were left out).
LIST_VARIABLES: dict[str, dict[str, frozenset[str]]] = {
    "RatingDigest": {
        "message": frozenset({"agency", "date", "count", "average", "low_score", "low_count", "items", "link",
                               "city"}),
        "item": frozenset({"tracking_code", "score", "comment", "link"}),
        "more": frozenset({"count", "link"}),
    },
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def placeholders(text: str) -> list[str]:
    """The variable names in `text`; raises ValueError for anything but a bare `{name}`."""
    names = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(f"unbalanced braces ({exc}); write {{{{ or }}}} for a literal brace") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{name}{'!' + conversion if conversion else ''}"
                             f"{':' + spec if spec else ''}}} is not a plain {{name}}")
        names.append(name)
    return names


def fill(text: str, values: Mapping[str, str]) -> str:
    """Substitute placeholders with values (already validated names; values are plain strings)."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(clean(values.get(name, "")))
    return "".join(out)


def clean(value: object) -> str:
    """A variable's value as safe plain text: no control characters (newlines and tabs kept)."""
    return _CONTROL.sub("", "" if value is None else str(value))


class _Frozen(Model):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MessageTemplate(_Frozen):
    """What one audience is told about one kind of event (optionally only for one target status)."""

    event: str = Field(pattern=r"^[A-Z][A-Za-z]+$", description="domain/SLA event type, e.g. TicketResolved")
    status: str | None = Field(default=None, description="only when the event moves the ticket to this status")
    audience: Audience
    subject: dict[Language, str]
    text: dict[Language, str]
    # Only for a message listing complaints (LIST_VARIABLES): one line per complaint, joined into {items};
    # what {items} says when none is listed; what follows the lines when some were left out.
    item: dict[Language, str] | None = None
    empty: dict[Language, str] | None = None
    more: dict[Language, str] | None = None

    @model_validator(mode="after")
    def _complete(self) -> MessageTemplate:
        listing = LIST_VARIABLES.get(self.event)
        parts: dict[str, frozenset[str]] = {"subject": VARIABLES[self.audience], "text": VARIABLES[self.audience]}
        if listing is not None:
            parts = {"subject": listing["message"], "text": listing["message"], "item": listing["item"],
                     "empty": listing["message"] - {"items"}, "more": listing["more"]}
        else:
            extra = [part for part in ("item", "empty", "more") if getattr(self, part) is not None]
            if extra:
                raise ValueError(f"{extra} only belong to a message that lists complaints ({sorted(LIST_VARIABLES)})")
        for part, allowed in parts.items():
            values: dict[str, str] = getattr(self, part) or {}
            missing = [language for language in LANGUAGES if not values.get(language, "").strip()]
            if missing:
                raise ValueError(f"{part} has no text for language(s) {missing}")
            for language, text in values.items():
                try:
                    unknown = sorted(set(placeholders(text)) - allowed)
                except ValueError as exc:
                    raise ValueError(f"{part}.{language}: {exc}") from None
                if unknown:
                    raise ValueError(f"{part}.{language} uses unknown variable(s) {unknown}; "
                                     f"a {self.audience} message can use {sorted(allowed)}")
        return self

    @property
    def key(self) -> tuple[str, str | None, str]:
        return self.event, self.status, self.audience

    def render(self, language: Language, values: Mapping[str, str]) -> tuple[str, str]:
        """(subject, text) in `language`."""
        return fill(self.subject[language], values).strip(), fill(self.text[language], values).strip()

    def render_part(self, part: Literal["item", "empty", "more"], language: Language,
                    values: Mapping[str, str]) -> str:
        """One of a listing message's parts in `language` (validated present at load)."""
        texts = getattr(self, part)
        assert texts is not None, f"{self.event} has no {part}"
        return fill(texts[language], values).strip()


class WhatsAppTemplate(_Frozen):
    """The pre-approved WhatsApp template used outside the 24-hour customer-service window."""

    name: str = Field(pattern=r"^[a-z0-9_]{1,512}$")
    languages: dict[Language, str] = Field(description="our language -> the template's language code")
    parameters: list[str] = Field(min_length=1, description="variables filling {{1}}, {{2}}, … in order")

    @field_validator("parameters")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - CITIZEN_VARIABLES)
        if unknown:
            raise ValueError(f"unknown variable(s) {unknown}")
        return value


class NotificationSettings(_Frozen):
    link_base_url: str = Field(pattern=r"^https?://\S+$", description="tracking page; the code is appended")
    supervisor_emails: list[str] = Field(default_factory=list)
    sms_provider: Literal["twilio", "sns"] = "twilio"
    whatsapp_template: WhatsAppTemplate
    rate_per_second: dict[str, float] = Field(default_factory=dict, description="provider -> sends/second")
    console_url: str | None = Field(default=None, pattern=r"^https?://\S+$",
                                    description="the officers' console; default: the tracking page's origin")
    # The officers' daily rating digest (docs/notifications.md#daily-rating-digest).
    digest_low_score: int = Field(default=2, ge=1, le=4, description="ratings up to this many stars are listed")
    digest_max_listed: int = Field(default=8, ge=1, le=20, description="low ratings listed in one digest")
    digest_excerpt_chars: int = Field(default=120, ge=20, le=400, description="of each listed comment")

    @property
    def console(self) -> str:
        """The console's address, ending in '/': its screens are `#/…` routes."""
        if self.console_url:
            return self.console_url.rstrip("/") + "/"
        scheme, _, rest = self.link_base_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}/"


class NotificationConfig(_Frozen):
    settings: NotificationSettings
    templates: list[MessageTemplate]

    @model_validator(mode="after")
    def _unique(self) -> NotificationConfig:
        seen: set[tuple[str, str | None, str]] = set()
        for template in self.templates:
            if template.key in seen:
                raise ValueError(f"two templates for {template.key}")
            seen.add(template.key)
        return self

    def find(self, event: str, status: str | None, audience: str) -> MessageTemplate | None:
        """The status-specific template if there is one, else the event's general one."""
        by_key = {template.key: template for template in self.templates}
        return by_key.get((event, status, audience)) or by_key.get((event, None, audience))


def parse_notification_config(documents: Mapping[str, Any], *, source: str) -> NotificationConfig:
    """`documents`: {"settings": {...}, "<any name>": [templates…], …}."""
    if "settings" not in documents:
        raise ConfigError(f"{source}: missing settings")
    templates: list[Any] = []
    for name, document in sorted(documents.items()):
        if name == "settings":
            continue
        if not isinstance(document, list):
            raise ConfigError(f"{source}/{name}: must be a list of templates")
        templates.extend(document)
    try:
        return NotificationConfig(settings=documents["settings"], templates=templates)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:10]:
            loc = list(error["loc"])
            if loc[:1] == ["templates"] and len(loc) > 1 and isinstance(loc[1], int):
                item = templates[loc[1]] if loc[1] < len(templates) else {}
                label = (f"template {item.get('event')}/{item.get('status') or '*'}/{item.get('audience')}"
                         if isinstance(item, dict) else f"template {loc[1]}")
                loc = [label, *loc[2:]]
            cause = error.get("ctx", {}).get("error")
            message = str(cause) if isinstance(cause, ValueError) else error["msg"]
            problems.append(f"{'.'.join(map(str, loc))}: {message}" if loc else message)
        raise ConfigError(f"{source}: {'; '.join(problems)}") from None


def load_templates_dir(path: Path) -> NotificationConfig:
    documents: dict[str, Any] = {}
    for file in sorted(path.glob("*.json")):
        try:
            documents[file.stem] = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{file}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    return parse_notification_config(documents, source=str(path))
