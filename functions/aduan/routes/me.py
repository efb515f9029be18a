"""The signed-in citizen's own account: how they hear back (GET/PUT /v1/me) and their app installations
for push notifications (POST/DELETE /v1/me/devices)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aduan.models.person import DeviceRegistration, DeviceView, MeUpdate, MeView
from aduan.routes.context import caller, claims_of
from aduan.wiring import me_service

router = Router()


@router.get("/v1/me", tags=["citizen"], summary="My notification profile: name, language, email, phone, devices")
def get_me() -> MeView:
    return me_service().view(caller(router), claims_of(router))


@router.put("/v1/me", tags=["citizen"],
            summary="Change my name, language, and how I hear back (email/phone are used once verified)")
def put_me(body: MeUpdate) -> MeView:
    return me_service().update(caller(router), claims_of(router), body)


@router.post("/v1/me/devices", tags=["citizen"], summary="Register this app installation for push (FCM or APNs)",
             responses={201: {"description": "Registered"}})
def add_device(body: DeviceRegistration) -> tuple[DeviceView, int]:
    return me_service().add_device(caller(router), body), 201


@router.delete("/v1/me/devices/<device_id>", tags=["citizen"], summary="Stop push to an app installation",
               responses={204: {"description": "Removed"}})
def remove_device(device_id: Annotated[str, Path(max_length=40)]) -> tuple[None, int]:
    me_service().remove_device(caller(router), device_id)
    return None, 204
