"""Complaints officers enter for citizens: received face to face, by phone, radio or newspaper."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from aduan.models.api import TEXT_MAX, Line, LocationIn, Prose, Strict


class DeskReporter(Strict):
    name: Line | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=30, description="Indonesian or E.164; gets SMS updates")
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    address: Line | None = Field(default=None, max_length=500)


class DeskComplaint(Strict):
    channel: Literal["desk", "phone", "radio", "newspaper"] = Field(
        description="How it reached us: desk (face to face), phone (call centre), radio (on-air), newspaper")
    title: Line = Field(min_length=3, max_length=200)
    text: Prose = Field(min_length=10, max_length=TEXT_MAX)
    category_id: str | None = Field(default=None, max_length=64)
    location: LocationIn | None = None
    reporter: DeskReporter = Field(default_factory=DeskReporter)
    anonymous: bool = Field(default=False, strict=True)
    confidential: bool = Field(default=False, strict=True)
    source_reference: Line | None = Field(default=None, max_length=300,
                                         description="e.g. the newspaper, edition and page, or the call id")

    @model_validator(mode="after")
    def _reporter_for_personal_channels(self) -> DeskComplaint:
        if self.channel in ("desk", "phone") and not (self.reporter.name or self.reporter.phone or self.anonymous):
            raise ValueError("a desk or phone complaint needs the reporter's name or phone, or anonymous=true")
        return self
