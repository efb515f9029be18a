"""The daily rating digest, pure: its template is data validated at load, the local day of a rating and of a
digest, the masked excerpt, and the email (both languages, low ratings listed, the rest counted, capped)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from aduan.logic.rating_digest import EVENT, Rated, digest_day, excerpt, expires_at, local_day, render
from aduan.models.templates import MessageTemplate
from tests.unit.test_notification_templates import CONFIG

DAY = date(2026, 12, 2)


def _rated(code: str, score: int, comment: str = "ok", at: str = "2026-12-02T03:00:00.000000Z") -> Rated:
    return Rated(agency_id="dpu", tracking_code=code, score=score, comment=comment, rated_at=at)


def _digest(ratings: list[Rated]) -> tuple[str, str]:
    template = CONFIG.find(EVENT, None, "officer")
    assert template is not None
    return render(template, CONFIG.settings, "DPU", "Kota Semarang", DAY, ratings)


def test_no_email_per_rating_and_the_digest_template_ships() -> None:
    assert CONFIG.find("RatingGiven", None, "officer") is None
    assert CONFIG.find("TicketReopened", None, "officer") is not None  # a reopen still emails at once
    assert CONFIG.settings.console == "https://aduan.semarangkota.go.id/"


@pytest.mark.parametrize(("change", "problem"), [
    ({"item": None}, "item has no text"),
    ({"item": {"id": "{tracking_code} {reporter}", "en": "{tracking_code}"}}, "unknown variable(s) ['reporter']"),
    ({"text": {"id": "{title}", "en": "{items}"}}, "unknown variable(s) ['title']"),
    ({"empty": {"id": "Tidak ada {items}", "en": "None"}}, "unknown variable(s) ['items']"),
])
def test_the_digest_template_is_checked_at_load(change: dict[str, object], problem: str) -> None:
    shipped = CONFIG.find(EVENT, None, "officer")
    assert shipped is not None
    with pytest.raises(ValidationError, match=re.escape(problem)):
        MessageTemplate.model_validate({**shipped.model_dump(), **change})


def test_a_list_part_belongs_only_to_a_listing_message() -> None:
    with pytest.raises(ValidationError, match="only belong to a message that lists complaints"):
        MessageTemplate.model_validate({
            "event": "TicketResolved", "audience": "officer", "subject": {"id": "a", "en": "a"},
            "text": {"id": "b", "en": "b"}, "item": {"id": "{tracking_code}", "en": "{tracking_code}"}})


def test_days_are_the_citys_local_days() -> None:
    late_evening = datetime(2026, 12, 2, 16, 59, tzinfo=UTC)  # 23:59 WIB
    past_midnight = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # 00:00 WIB on the 3rd
    assert local_day(late_evening, "Asia/Jakarta") == DAY
    assert local_day(past_midnight, "Asia/Jakarta") == date(2026, 12, 3)
    assert digest_day(datetime(2026, 12, 3, 0, 0, tzinfo=UTC), "Asia/Jakarta") == DAY  # 07:00 WIB: yesterday
    assert digest_day(datetime(2026, 12, 3, 0, 0, tzinfo=UTC), "Asia/Jayapura") == DAY
    assert expires_at(DAY) == int(datetime(2027, 1, 6, tzinfo=UTC).timestamp())


def test_the_excerpt_masks_contacts_and_is_cut() -> None:
    said = "Belum beres!\nHubungi 0812-3456-7890 atau sari@example.com, NIK 3374010101010001"
    assert excerpt(said, 200) == "Belum beres! Hubungi [disamarkan] atau [disamarkan], NIK [disamarkan]"
    assert excerpt("a" * 50, 20) == "a" * 19 + "…" and excerpt(None, 20) == ""


def test_the_digest_lists_low_ratings_worst_first_in_both_languages() -> None:
    subject, text = _digest([_rated("ADU-AAAA-A1", 5), _rated("ADU-BBBB-B2", 2, "Masih bocor"),
                             _rated("ADU-CCCC-C3", 1, "", "2026-12-02T09:00:00.000000Z"), _rated("ADU-DDDD-D4", 3)])
    assert subject == ("[Aduan] Penilaian warga untuk DPU, 2 Des 2026: 4 aduan, rata-rata 2,8/5 / "
                       "[Aduan] Citizens' ratings for DPU, 2 Dec 2026: rated 4, average 2.8/5")
    indonesian, english = text.split("\n\n----------\n\n")
    assert indonesian.splitlines()[:6] == [
        "Penilaian warga atas penyelesaian aduan oleh DPU pada 2 Des 2026:", "Dinilai: 4 aduan",
        "Rata-rata: 2,8/5", "", "Nilai 1-2 bintang (2):", '- ADU-CCCC-C3: 1/5 "-"']
    assert english.index("ADU-CCCC-C3") < english.index("ADU-BBBB-B2")
    assert '- ADU-BBBB-B2: 2/5 "Masih bocor"\n  https://aduan.semarangkota.go.id/#/c/ADU-BBBB-B2' in english
    assert "ADU-AAAA-A1" not in text and "ADU-DDDD-D4" not in text
    assert english.endswith("DPU's queue: https://aduan.semarangkota.go.id/#/agency")


def test_a_bad_day_is_capped_and_points_to_the_console() -> None:
    many = [_rated(f"ADU-{i:04d}-XX", 1, "x" * 120) for i in range(30)]
    subject, text = _digest(many)
    assert len(text) <= 4096 and len(subject) <= 200
    assert text.count("ADU-0000-XX") == 4  # code and link, in each language
    assert "ADU-0008-XX" not in text  # eight listed (digest_max_listed)
    assert "... dan 22 lainnya: https://aduan.semarangkota.go.id/#/agency" in text
    assert "... and 22 more: https://aduan.semarangkota.go.id/#/agency" in text
