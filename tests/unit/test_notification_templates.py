"""Templates are data: validated at load (unknown variables, unsafe placeholders, missing languages),
rendered in Bahasa Indonesia and English without running anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aduan.logic.notifications import format_due, status_words
from aduan.models.config import ConfigError
from aduan.models.templates import MessageTemplate, load_templates_dir, parse_notification_config

TEMPLATES = Path(__file__).resolve().parents[2] / "infra" / "config" / "templates"
CONFIG = load_templates_dir(TEMPLATES)
SETTINGS = json.loads((TEMPLATES / "settings.json").read_text())


def _template(**overrides: object) -> dict[str, object]:
    return {"event": "TicketResolved", "audience": "citizen",
            "subject": {"id": "Aduan {tracking_code}", "en": "Complaint {tracking_code}"},
            "text": {"id": "Selesai: {response}", "en": "Resolved: {response}"}, **overrides}


def test_the_shipped_templates_load_and_cover_the_lifecycle() -> None:
    for event in ("TicketVerified", "TicketAssigned", "TicketStatusChanged", "TicketResolved", "TicketClosed"):
        assert CONFIG.find(event, None, "citizen") is not None
    assert CONFIG.find("TicketAssigned", None, "officer") is not None
    assert CONFIG.find("SlaEscalated", None, "supervisor") is not None
    # a status-specific template wins over the event's general one
    assert CONFIG.find("TicketStatusChanged", "need_info", "citizen").status == "need_info"  # type: ignore[union-attr]
    assert CONFIG.find("TicketStatusChanged", "accepted", "citizen").status is None  # type: ignore[union-attr]


@pytest.mark.parametrize(("language", "expected"), [
    ("id", ("Aduan ADU-7K3Q-9G selesai ditindaklanjuti",
            "Aduan ADU-7K3Q-9G selesai ditindaklanjuti oleh DPU.\nTanggapan: Lubang sudah ditambal {x} <b>")),
    ("en", ("Complaint ADU-7K3Q-9G resolved",
            "Complaint ADU-7K3Q-9G was resolved by DPU.\nResponse: Lubang sudah ditambal {x} <b>")),
])
def test_renders_in_both_languages_and_values_are_never_templates(language: str, expected: tuple[str, str]) -> None:
    template = CONFIG.find("TicketResolved", None, "citizen")
    assert template is not None
    # A value containing braces or markup is text, not a placeholder or code.
    subject, text = template.render(language, {"tracking_code": "ADU-7K3Q-9G", "agency": "DPU",  # type: ignore[arg-type]
                                               "response": "Lubang sudah ditambal {x} <b>\x07", "link": "L"})
    assert subject == expected[0]
    assert text.startswith(expected[1])


@pytest.mark.parametrize(("text", "problem"), [
    ("Hello {reporter}", "unknown variable(s) ['reporter']"),  # citizens' templates cannot name the reporter
    ("Hello {missing_thing}", "unknown variable(s) ['missing_thing']"),
    ("Hello {ticket.__class__}", "is not a plain {name}"),
    ("Hello {tracking_code!r}", "is not a plain {name}"),
    ("Hello {tracking_code:>99}", "is not a plain {name}"),
    ("Hello {0}", "is not a plain {name}"),
    ("Hello {", "unbalanced braces"),
])
def test_bad_placeholders_are_load_time_errors(text: str, problem: str) -> None:
    with pytest.raises(ConfigError, match="template TicketResolved/\\*/citizen") as error:
        parse_notification_config({"settings": SETTINGS, "citizen": [_template(text={"id": text, "en": "ok"})]},
                                  source="test")
    assert problem in str(error.value)


def test_both_languages_are_required_and_keys_are_unique() -> None:
    with pytest.raises(ConfigError, match=r"no text for language\(s\) \['en'\]"):
        parse_notification_config({"settings": SETTINGS, "c": [_template(text={"id": "x"})]}, source="t")
    with pytest.raises(ConfigError, match="two templates"):
        parse_notification_config({"settings": SETTINGS, "c": [_template(), _template()]}, source="t")
    with pytest.raises(ConfigError, match="missing settings"):
        parse_notification_config({"c": [_template()]}, source="t")


def test_officer_templates_may_name_the_reporter() -> None:
    MessageTemplate.model_validate(_template(audience="officer", text={"id": "{reporter}", "en": "{reporter}"}))


def test_due_time_is_shown_in_jakarta_time_and_status_in_words() -> None:
    assert format_due("2026-11-24T08:00:00.000000Z", "Asia/Jakarta", "id") == "24 Nov 2026 15:00 WIB"
    assert format_due("2026-08-16T18:30:00Z", "Asia/Jakarta", "en") == "17 Aug 2026 01:30 WIB"
    assert format_due(None, "Asia/Jakarta", "id") == "belum ditetapkan"
    assert status_words("in_progress", "id") == "Sedang ditindaklanjuti"
    assert status_words("in_progress", "en") == "In progress"


def test_local_mode_points_tracking_and_console_links_at_the_console_it_serves() -> None:
    """A link in a local-mode message (a citizen's tracking link, an officer's digest link) opens this stack's
    console, never the city's real domain."""
    import os
    from unittest import mock

    from moto import mock_aws

    from aduan.dal.template_store import clear_cache, load_templates
    from infra import emulation
    from infra.seed import point_tracking_links

    with mock.patch.dict(os.environ, emulation.credentials()), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        emulation.create_table("TicketsTable", "aduan-links-test", stream=False)
        point_tracking_links("aduan-links-test", "http://127.0.0.1:3999/")
        clear_cache()
        settings = load_templates("aduan-links-test").settings
        clear_cache()
    assert settings.link_base_url == "http://127.0.0.1:3999/lacak"
    assert settings.console == "http://127.0.0.1:3999/"
