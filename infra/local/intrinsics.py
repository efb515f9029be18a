"""CloudFormation intrinsic functions, resolved against the resources local mode created.

Supported: Ref (resources, parameters, pseudo parameters, AWS::NoValue), Fn::GetAtt, Fn::Sub (both
forms), Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition,
Fn::FindInMap, Fn::GetAZs and Fn::Base64. A reference to a resource that is not created yet raises
Unresolved, which lets the provisioner create resources in dependency order.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from infra.local.errors import LocalStackError
from infra.local.registry import Registry

_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


class Unresolved(Exception):
    """A Ref/GetAtt names a template resource that has no physical resource yet."""

    def __init__(self, logical_id: str) -> None:
        super().__init__(f"{logical_id} is not created yet")
        self.logical_id = logical_id


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()


class Resolver:
    def __init__(
        self,
        template: Mapping[str, Any],
        parameters: Mapping[str, Any],
        pseudo: Mapping[str, str],
        registry: Registry,
    ) -> None:
        self._resources: Mapping[str, Any] = template.get("Resources") or {}
        self._conditions: Mapping[str, Any] = template.get("Conditions") or {}
        self._mappings: Mapping[str, Any] = template.get("Mappings") or {}
        self._registry = registry
        self._pseudo = dict(pseudo)
        self.parameters = _parameter_values(template.get("Parameters") or {}, parameters)
        self._condition_cache: dict[str, bool] = {}

    def resolve(self, value: Any) -> Any:
        """A deep copy of value with every intrinsic function evaluated."""
        if isinstance(value, list):
            items = [self.resolve(item) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, Mapping):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument)
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self._function(key, argument)
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def condition(self, name: str) -> bool:
        if name not in self._condition_cache:
            if name not in self._conditions:
                raise LocalStackError(f"condition {name} is not defined")
            self._condition_cache[name] = bool(self.resolve(self._conditions[name]))
        return self._condition_cache[name]

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self._physical(name).ref

    def _physical(self, logical_id: str) -> Any:
        resource = self._registry.get(logical_id)
        if resource is not None:
            return resource
        if logical_id in self._resources:
            raise Unresolved(logical_id)
        raise LocalStackError(f"reference to {logical_id}, which is neither a resource nor a parameter")

    def _get_att(self, logical_id: str, attribute: str) -> str:
        resource = self._physical(logical_id)
        if attribute not in resource.attributes:
            raise LocalStackError(f"local mode does not provide {logical_id}.{attribute}")
        return str(resource.attributes[attribute])

    def _function(self, name: str, argument: Any) -> Any:
        if name == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else self.resolve(argument)
            return self._get_att(parts[0], parts[1])
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::Join":
            separator, items = self.resolve(argument)
            return str(separator).join(str(item) for item in items)
        if name == "Fn::Select":
            index, items = self.resolve(argument)
            return items[int(index)]
        if name == "Fn::Split":
            separator, text = self.resolve(argument)
            return str(text).split(separator)
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(condition) else when_false)
        if name == "Fn::Equals":
            left, right = self.resolve(argument)
            return str(left) == str(right)
        if name == "Fn::Not":
            return not self._truth(argument[0])
        if name == "Fn::And":
            return all(self._truth(item) for item in argument)
        if name == "Fn::Or":
            return any(self._truth(item) for item in argument)
        if name == "Fn::FindInMap":
            mapping, top, second = self.resolve(argument)
            return self._mappings[mapping][top][second]
        if name == "Fn::GetAZs":
            region = self._pseudo["AWS::Region"]
            return [f"{region}{zone}" for zone in "abc"]
        if name == "Fn::Base64":
            return base64.b64encode(str(self.resolve(argument)).encode()).decode()
        raise LocalStackError(f"{name} is not supported in local mode")

    def _truth(self, value: Any) -> bool:
        if isinstance(value, Mapping) and set(value) == {"Condition"}:
            return self.condition(value["Condition"])
        return bool(self.resolve(value))

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
        values = {key: self.resolve(value) for key, value in variables.items()}

        def replace(match: re.Match[str]) -> str:
            token = match.group(1)
            if token.startswith("!"):
                return "${" + token[1:] + "}"  # ${!Literal} is an escaped literal
            if token in values:
                return str(values[token])
            if "." in token and token.split(".", 1)[0] in self._resources:
                logical_id, attribute = token.split(".", 1)
                return self._get_att(logical_id, attribute)
            return str(self._ref(token))

        return _SUB_VARIABLE.sub(replace, str(text))


def _parameter_values(declared: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in given:
            value = given[name]
        elif "Default" in spec:
            value = spec["Default"]
        else:
            raise LocalStackError(f"template parameter {name} has no default; pass it explicitly")
        if str(spec.get("Type", "")).startswith(("List<", "CommaDelimitedList")) and isinstance(value, str):
            value = [item.strip() for item in value.split(",")]
        elif not isinstance(value, list):
            value = str(value)
        values[name] = value
    unknown = set(given) - set(declared)
    if unknown:
        raise LocalStackError(f"unknown template parameters: {', '.join(sorted(unknown))}")
    return values
