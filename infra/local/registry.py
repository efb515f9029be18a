"""Physical resources by logical id: what `Ref` and `Fn::GetAtt` resolve to in local mode."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PhysicalResource:
    logical_id: str
    type: str
    ref: str  # what `Ref` returns (a name, URL or ARN depending on the type, as in CloudFormation)
    attributes: dict[str, str] = field(default_factory=dict)
    # False for resources local mode does not create (Cognito, IAM, alarms...): they only get
    # plausible identifiers so that references to them still resolve.
    emulated: bool = True


class Registry:
    def __init__(self) -> None:
        self._resources: dict[str, PhysicalResource] = {}

    def add(self, resource: PhysicalResource) -> PhysicalResource:
        self._resources[resource.logical_id] = resource
        return resource

    def get(self, logical_id: str) -> PhysicalResource | None:
        return self._resources.get(logical_id)

    def __contains__(self, logical_id: object) -> bool:
        return logical_id in self._resources

    def __iter__(self) -> Iterator[PhysicalResource]:
        return iter(list(self._resources.values()))

    def find(self, value: str, attribute: str = "Arn") -> PhysicalResource | None:
        """The resource whose attribute (or, with attribute="Ref", whose Ref) equals value."""
        for resource in self._resources.values():
            actual = resource.ref if attribute == "Ref" else resource.attributes.get(attribute)
            if actual == value:
                return resource
        return None

    def of_type(self, resource_type: str) -> list[PhysicalResource]:
        return [resource for resource in self._resources.values() if resource.type == resource_type]
