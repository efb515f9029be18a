"""An app or web citizen (a user-pool account): how they want to hear back, and their devices."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from aduan.models.base import Model
from aduan.models.contact import Language

Platform = Literal["fcm", "apns"]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
E164_PATTERN = r"^\+[1-9]\d{6,14}$"


class Profile(Model):
    """Stored per account (`P#<sub>`). Email and phone are used for notifications only while verified:
    in AWS that is the user pool's `email_verified` / `phone_number_verified` for the same value."""

    model_config = ConfigDict(extra="ignore")
    sub: str
    name: str | None = Field(default=None, max_length=200)
    language: Language = "id"
    email: str | None = Field(default=None, max_length=320)
    email_verified: bool = False
    phone: str | None = Field(default=None, max_length=16)
    phone_verified: bool = False
    notify_by_email: bool = True
    notify_by_sms: bool = False
    updated_at: str | None = None


class Device(Model):
    """One app installation: its FCM or APNs token and the SNS platform endpoint created for it."""

    model_config = ConfigDict(extra="ignore")
    id: str
    sub: str
    platform: Platform
    token: str
    endpoint_arn: str
    created_at: str


class MeView(Model):
    sub: str
    name: str | None
    language: Language
    email: str | None
    email_verified: bool
    phone: str | None
    phone_verified: bool
    notify_by_email: bool
    notify_by_sms: bool
    devices: list[DeviceView] = Field(default_factory=list)


class DeviceView(Model):
    id: str
    platform: Platform
    created_at: str


class MeUpdate(Model):
    """Only what is given changes. An email or phone that the account's token does not show as verified is
    kept but not used until it is (verify it in the app through the user pool first)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    language: Language | None = None
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=320)
    phone: str | None = Field(default=None, pattern=E164_PATTERN, description="E.164, e.g. +6281234567890")
    notify_by_email: bool | None = None
    notify_by_sms: bool | None = None


class DeviceRegistration(Model):
    model_config = ConfigDict(extra="forbid")
    platform: Platform
    token: str = Field(min_length=8, max_length=4096, description="the FCM registration token or APNs device token")
