"""The console bench renders complaints shaped exactly as the desk queue returns them."""

from __future__ import annotations

from aduan.models.api import ComplaintView
from infra.bench.web import synthetic_queue


def test_synthetic_desk_page_is_valid_complaint_views() -> None:
    page = synthetic_queue(100)
    views = [ComplaintView.model_validate(item) for item in page["items"]]
    assert len(views) == 100
    assert len({view.tracking_code for view in views}) == 100
    assert any(view.overdue for view in views) and not all(view.overdue for view in views)
