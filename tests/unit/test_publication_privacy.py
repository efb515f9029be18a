"""Property: whatever a ticket holds, the public views (feed, detail, Open311) never carry the
reporter's identity, and confidential or unverified content is never published."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aduan.logic import open311, publication, visibility
from aduan.logic.status_machine import EventType, Status
from aduan.models.config import load_config_dir
from aduan.models.ticket import Actor, Attachment, Channel, Location, Rating, Reporter, Ticket, TimelineEntry

CONFIG = load_config_dir(Path(__file__).resolve().parents[2] / "infra" / "config" / "semarang")
# Consonants absent from the mask "[disamarkan]": a masked text cannot spell a name by accident, and no
# word of the fixed vocabulary (statuses, channels, labels) contains four of them in a row.
NAME_LETTERS = "bcfghjlpqtvwxz"
STAMP = "2026-11-20T03:00:00.000000Z"

names = st.text(NAME_LETTERS, min_size=4, max_size=9).map(str.capitalize)
phones = st.from_regex(r"08[1-9][0-9]{7,10}", fullmatch=True)
emails = st.builds(lambda user, host: f"{user}@{host}.id", st.text("bcfghjlpqtv", min_size=3, max_size=8),
                   st.sampled_from(["gmail", "yahoo", "mail"]))
filler = st.sampled_from(["Jalan berlubang di depan rumah", "Sampah menumpuk", "Lampu mati sejak Senin",
                          "tolong segera", "saya warga RT 03", "—", "Banjir setinggi lutut"])


@st.composite
def tickets(draw: st.DrawFn) -> tuple[Ticket, list[str]]:
    first, last, phone, email = draw(names), draw(names), draw(phones), draw(emails)
    ref = draw(st.sampled_from([f"whatsapp:+62{phone[1:]}", f"email:{email}", f"sub-{first.lower()}{last.lower()}"]))
    identity = [first, last, phone, email, ref]
    pieces = st.lists(st.one_of(filler, st.sampled_from(identity),
                                st.sampled_from([f"{first} {last}", phone.upper(), f"+62 {phone[1:4]}-{phone[4:]}"])),
                      min_size=1, max_size=6)
    text = " ".join(draw(pieces))
    status = draw(st.sampled_from(list(Status)))
    ticket = Ticket(
        id="01JC0000000000000000000000", tracking_code="ADU-7K3Q-9G", title=" ".join(draw(pieces))[:200] or "x",
        text=text, category_id=draw(st.sampled_from([None, "jalan-rusak", "sampah"])),
        location=Location(lat=-6.98754, lon=110.41234, address=" ".join(draw(pieces)), area_code="3374010"),
        channel=draw(st.sampled_from(list(Channel))),
        reporter=Reporter(ref=ref, name=f"{first} {last}", contact=draw(st.sampled_from([phone, email]))),
        anonymous=draw(st.booleans()), confidential=draw(st.booleans()), status=status,
        resume_status=draw(st.sampled_from([None, Status.VERIFIED, Status.RECEIVED])),
        assigned_agency_id=draw(st.sampled_from([None, "dpu", "dlh"])),
        resolution=" ".join(draw(pieces)), rating=Rating(score=4, comment=" ".join(draw(pieces)), given_at=STAMP),
        created_at=STAMP, updated_at=STAMP, status_since=STAMP,
    )
    return ticket, identity


@st.composite
def timelines(draw: st.DrawFn, ticket: Ticket, identity: list[str]) -> list[TimelineEntry]:
    """Entries by the reporter and by named officers, with identity in notes and data, some internal."""
    entries = []
    for n, target in enumerate(draw(st.lists(st.sampled_from(list(Status)), min_size=1, max_size=8))):
        who = draw(st.sampled_from([("citizen", ticket.reporter.ref), ("verifier", "officer-rahasia"),
                                    ("agency_officer", "officer-rahasia")]))
        secret = draw(st.sampled_from(identity))
        entries.append(TimelineEntry(
            event_id=f"01JC00000000000000000000{n:02d}", event_type=draw(st.sampled_from(list(EventType))),
            occurred_at=STAMP, ticket_id=ticket.id, tracking_code=ticket.tracking_code,
            actor=Actor(role=who[0], id=who[1]), from_status=draw(st.sampled_from([None, *Status])),
            to_status=target, note=f"catatan {secret}", internal=draw(st.booleans()), ticket_version=n + 1,
            data={"agency_id": draw(st.sampled_from(["dpu", "dlh", secret])), "reporter_ref": ticket.reporter.ref,
                  "reason": secret}))
    return entries


def _attachments(ticket: Ticket, public: bool) -> list[Attachment]:
    return [Attachment(id="01JC0000000000000000000001", ticket_id=ticket.id, tracking_code=ticket.tracking_code,
                       key="attachments/x/y", filename="rumah-budi.jpg", content_type="image/jpeg", max_bytes=10,
                       uploaded_by=Actor(role="citizen", id=ticket.reporter.ref), created_at=STAMP, public=public)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tickets(), st.booleans(), st.data())
def test_public_views_never_leak_identity_or_confidential_content(case: tuple[Ticket, list[str]],
                                                                 photo_public: bool, data: st.DataObject) -> None:
    ticket, identity = case
    attachments = _attachments(ticket, photo_public)
    entries = data.draw(timelines(ticket, identity))
    steps = publication.public_steps(entries, ticket, "Asia/Jakarta", {"dpu": "DPU", "dlh": "DLH"})
    views = [
        publication.public_complaint(ticket, attachments, "Asia/Jakarta", 2, {"01JC0000000000000000000001": "u"},
                                     steps).model_dump(mode="json"),
        open311.service_request(ticket, CONFIG, 2, None),
    ]
    for view in views:
        raw = json.dumps(view, ensure_ascii=False).lower()
        for secret in identity:
            assert secret.lower() not in raw, (secret, raw)
        assert "rumah-budi" not in raw and "attachments/x/y" not in raw
        assert "officer-rahasia" not in raw and "catatan" not in raw
    public_view, open311_view = views
    if ticket.confidential:
        assert not visibility.listed(ticket) and not visibility.trackable(ticket)
    if not visibility.listed(ticket):
        assert public_view["text"] is None and public_view["title"] is None and public_view["photos"] == []
        assert open311_view["description"] is None and open311_view["lat"] is None
    elif ticket.anonymous:
        assert public_view["location"]["address"] is None and public_view["location"]["lat"] == -6.99
        assert open311_view["address"] is None and open311_view["long"] == 110.41
    assert bool(public_view["photos"]) == (photo_public and visibility.listed(ticket))
    assert len(steps) == sum(1 for e in entries if not e.internal and e.to_status != e.from_status)
    if not visibility.listed(ticket):
        assert all(step.agency_id is None and step.answer is None for step in steps)
