"""App and web citizens: their notification profile and devices, and how the notifier reaches them.

Email and phone come from the user pool: the token's `email` / `phone_number` with their `*_verified`
flags. A value the citizen sets here that the token does not show as verified is kept, but no message
goes to it until it is verified (the app verifies it through the user pool: UpdateUserAttributes and
VerifyUserAttribute with the citizen's own access token; the next token then says so).

Devices: the FCM or APNs token becomes an SNS platform endpoint under the platform application whose
ARN the template passes in (`PUSH_FCM_APPLICATION_ARN`, `PUSH_APNS_APPLICATION_ARN`). In local mode,
without those, the device gets a local endpoint name and its pushes go to the outbox like every other
provider's messages. An endpoint SNS reports disabled (the token was invalidated) is forgotten.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aduan import settings
from aduan.dal import people
from aduan.dal.people import PeopleRepository
from aduan.logic import clock
from aduan.logic.access import Principal
from aduan.logic.errors import Conflict, NotFound, Unprocessable
from aduan.logic.status_machine import Role
from aduan.models.contact import Contact
from aduan.models.person import Device, DeviceRegistration, DeviceView, MeUpdate, MeView, Profile
from aduan.models.ticket import Channel

LOCAL_ENDPOINT = "local-push:"
CONTACT_PREFIX = "me:"


def device_id(platform: str, token: str) -> str:
    """The same token registered twice is one device."""
    return "D" + hashlib.sha256(f"{platform}|{token}".encode()).hexdigest()[:25].upper()


def verified(claims: Mapping[str, Any], name: str) -> str | None:
    """The token's value of a user-pool attribute, if the pool marked it verified."""
    flag = claims.get(f"{name}_verified")
    value = claims.get(name)
    return str(value) if value and (flag is True or str(flag).lower() == "true") else None


def device_contact_id(sub: str, device: str) -> str:
    return f"{CONTACT_PREFIX}{sub}:device:{device}"


CLEARABLE = frozenset({"name", "email", "phone"})  # profile fields a PUT may set to null


@dataclass
class MeService:
    people: PeopleRepository
    local_outbox: bool = False

    def view(self, principal: Principal, claims: Mapping[str, Any]) -> MeView:
        profile, devices = self._load(principal, claims)
        return _view(profile, devices)

    def update(self, principal: Principal, claims: Mapping[str, Any], change: MeUpdate) -> MeView:
        profile, devices = self._load(principal, claims)
        # null clears what may be empty (name, email, phone); for a language or a switch it means "unchanged".
        given = {key: value for key, value in change.model_dump(exclude_unset=True).items()
                 if value is not None or key in CLEARABLE}
        if given.get("email") is not None:
            given["email"] = given["email"].strip().lower()
        profile = profile.model_copy(update={**given, "updated_at": clock.to_storage(clock.now())})
        profile = _with_verification(profile, claims)
        self.people.put_profile(profile)
        return _view(profile, devices)

    def remember(self, principal: Principal, claims: Mapping[str, Any]) -> None:
        """On a citizen's first complaint: keep what the user pool verified, so they hear back by email or
        SMS even if they never open their profile."""
        if Role.CITIZEN not in principal.roles or not (verified(claims, "email") or verified(claims, "phone_number")):
            return
        profile, _ = self.people.get(principal.sub)
        if profile is None:
            profile, _ = self._load(principal, claims)
            self.people.put_profile(profile.model_copy(update={"updated_at": clock.to_storage(clock.now())}))

    def add_device(self, principal: Principal, registration: DeviceRegistration) -> DeviceView:
        _citizen(principal)
        identifier = device_id(registration.platform, registration.token)
        application = settings.push_applications().get(registration.platform)
        if application:
            endpoint = people.create_endpoint(application, registration.token, principal.sub)
        elif self.local_outbox:
            endpoint = f"{LOCAL_ENDPOINT}{registration.platform}:{identifier}"
        else:
            raise Conflict(f"push to {registration.platform} is not configured for this city",
                           code="push_not_configured")
        _, devices = self.people.get(principal.sub)
        if len(devices) >= people.MAX_DEVICES and all(d.id != identifier for d in devices):
            raise Unprocessable(f"at most {people.MAX_DEVICES} devices; remove an old one first")
        device = Device(id=identifier, sub=principal.sub, platform=registration.platform, token=registration.token,
                        endpoint_arn=endpoint, created_at=clock.to_storage(clock.now()))
        self.people.put_device(device)
        return DeviceView(id=device.id, platform=device.platform, created_at=device.created_at)

    def remove_device(self, principal: Principal, identifier: str) -> None:
        removed = self.people.delete_device(principal.sub, identifier)
        if removed is None:
            raise NotFound(f"no device {identifier}")
        _forget_endpoint(removed.endpoint_arn)

    def forget(self, contact_id: str) -> bool:
        """A device whose endpoint SNS disabled (the token is no longer valid): remove it."""
        if not contact_id.startswith(CONTACT_PREFIX) or ":device:" not in contact_id:
            return False
        sub, identifier = contact_id.removeprefix(CONTACT_PREFIX).rsplit(":device:", 1)
        removed = self.people.delete_device(sub, identifier)
        if removed is not None:
            _forget_endpoint(removed.endpoint_arn)
        return removed is not None

    def contacts(self, sub: str) -> list[Contact]:
        """How the notifier reaches this citizen: their devices (newest first), then the verified email,
        then the verified phone by SMS, as far as they asked for them."""
        profile, devices = self.people.get(sub)
        if profile is None and not devices:
            return []
        profile = profile or Profile(sub=sub)
        stamp = profile.updated_at or clock.to_storage(clock.now())
        found = [(device_contact_id(sub, d.id), Channel.APP, d.endpoint_arn) for d in devices]
        if profile.email and profile.email_verified and profile.notify_by_email:
            found.append((f"{CONTACT_PREFIX}{sub}:email", Channel.EMAIL, profile.email))
        if profile.phone and profile.phone_verified and profile.notify_by_sms:
            found.append((f"{CONTACT_PREFIX}{sub}:sms", Channel.SMS, profile.phone))
        return [Contact(id=cid, channel=channel, address=address, display_name=profile.name,
                        language=profile.language, created_at=stamp, updated_at=stamp)
                for cid, channel, address in found]

    def _load(self, principal: Principal, claims: Mapping[str, Any]) -> tuple[Profile, list[Device]]:
        _citizen(principal)
        profile, devices = self.people.get(principal.sub)
        if profile is None:
            profile = Profile(sub=principal.sub, name=principal.name,
                              email=verified(claims, "email"), phone=verified(claims, "phone_number"))
        return _with_verification(profile, claims), devices


def _citizen(principal: Principal) -> None:
    if Role.CITIZEN not in principal.roles:
        raise NotFound("only citizens' accounts have a notification profile")


def _with_verification(profile: Profile, claims: Mapping[str, Any]) -> Profile:
    """Verified only while the user pool says so for this very value."""
    email, phone = verified(claims, "email"), verified(claims, "phone_number")
    return profile.model_copy(update={
        "email_verified": bool(profile.email and email and profile.email.lower() == email.lower()),
        "phone_verified": bool(profile.phone and phone and profile.phone == phone)})


def _view(profile: Profile, devices: list[Device]) -> MeView:
    return MeView(**profile.model_dump(exclude={"updated_at"}),
                  devices=[DeviceView(id=d.id, platform=d.platform, created_at=d.created_at) for d in devices])


def _forget_endpoint(endpoint: str) -> None:
    if not endpoint.startswith(LOCAL_ENDPOINT):
        people.delete_endpoint(endpoint)
