"""Read template.yaml and translate it to plain CloudFormation, offline.

This is the one shared reader of the SAM template: tests and the local runner use it so that
template.yaml stays the single source of truth. Only PyYAML and aws-sam-translator are needed.

    from infra.sam import load_template, translate_template
    cfn = translate_template(load_template())
    functions = {k: v for k, v in cfn["Resources"].items() if v["Type"] == "AWS::Lambda::Function"}

`translate_template` never talks to AWS:
- the region is given explicitly (the translator otherwise asks a boto3 session, which reads
  ~/.aws and fails without a region, or with an AWS_PROFILE that does not exist here);
- local CodeUri/ContentUri/DefinitionUri paths become fake s3:// URIs, as `sam package` would
  do, because the translator only accepts S3 locations;
- AWS managed policy names resolve from the map bundled with the translator; the IAM fallback
  lookup is replaced by an empty map, so an unknown name is left as is instead of calling IAM.
AWS::Serverless::Application resources are not supported offline (they call the SAR API).
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

# types-PyYAML is not a dev dependency (yet); `unused-ignore` keeps this line valid once it is.
import yaml  # type: ignore[import-untyped, unused-ignore]

if TYPE_CHECKING:
    from boto3 import Session

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_PATH = REPO / "template.yaml"
# Any name works: nothing is uploaded; the key only has to be stable so logical ids that SAM
# derives from artifact locations (layer versions) do not change between runs.
OFFLINE_ARTIFACT_BUCKET = "aduan-offline-artifacts"

# Serverless resource type -> properties that hold a local path `sam package` would upload.
_ARTIFACT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
}
_GLOBALS_SECTIONS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "StateMachine": "AWS::Serverless::StateMachine",
}
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


# libyaml's parser when PyYAML was built with it (about 8x faster on template.yaml); same constructors.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CloudFormationLoader(_SafeLoader):  # type: ignore[misc, valid-type, unused-ignore]
    """SafeLoader that turns CloudFormation short-form tags into their long (JSON) form."""


# CloudFormation reads an unquoted 2010-09-09 as a string; PyYAML would make it a date.
_CloudFormationLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(cast(yaml.MappingNode, node), deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        # Only the first dot separates: !GetAtt Db.Endpoint.Address -> ["Db", "Endpoint.Address"].
        logical_id, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical_id, attribute]}
    return {f"Fn::{suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _construct_short_form)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Parse a CloudFormation/SAM YAML template into plain dicts with long-form intrinsics.

    Tests provision tables from the template hundreds of times: the parse is kept per file version
    (path, size, modification time) and each caller gets its own copy, free to change."""
    stat = Path(path).stat()
    return copy.deepcopy(_parsed(str(path), stat.st_size, stat.st_mtime_ns))


@cache
def _parsed(path: str, size: int, mtime_ns: int) -> dict[str, Any]:
    with Path(path).open(encoding="utf-8") as stream:
        # A SafeLoader subclass: no arbitrary Python objects are built.
        template = yaml.load(stream, Loader=_CloudFormationLoader)
    if not isinstance(template, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return template


def ref_target(value: Any) -> str | None:
    """The logical id a Ref / GetAtt points at, or None (for reading templates, not resolving them)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def _s3_uri(local_path: str) -> str:
    key = local_path.strip().removeprefix("./").strip("/") or "root"
    return f"s3://{OFFLINE_ARTIFACT_BUCKET}/{key}"


def _is_local_path(value: object) -> bool:
    return isinstance(value, str) and "://" not in value


def _with_s3_artifacts(template: dict[str, Any]) -> dict[str, Any]:
    """Rewrite local artifact paths (in place) to S3 URIs, as `sam package` does."""
    globals_ = template.get("Globals") or {}
    for section, resource_type in _GLOBALS_SECTIONS.items():
        props = globals_.get(section) or {}
        for name in _ARTIFACT_PROPERTIES.get(resource_type, ()):
            if _is_local_path(props.get(name)):
                props[name] = _s3_uri(props[name])
    for resource in (template.get("Resources") or {}).values():
        props = resource.get("Properties") or {}
        for name in _ARTIFACT_PROPERTIES.get(resource.get("Type", ""), ()):
            if _is_local_path(props.get(name)):
                props[name] = _s3_uri(props[name])
    return template


def _no_iam_lookup() -> dict[str, str]:
    # Stands in for samtranslator's ManagedPolicyLoader, whose load() lists policies through IAM.
    return {}


def translate_template(
    template: dict[str, Any],
    region: str = "ap-southeast-3",
    account_id: str = "123456789012",
    parameters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Translate a SAM template (as returned by load_template) to CloudFormation, offline.

    `parameters` override template parameter defaults. The input is not modified. Raises
    samtranslator's InvalidDocumentException when the template is not valid SAM.
    """
    # Imported here so that load_template users do not pay for the translator import.
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # The translator reads only `region_name` from its session; a real boto3 Session would load
    # the shared AWS config for nothing and fail on a missing profile.
    session = cast("Session", SimpleNamespace(region_name=region))
    translator = Translator(managed_policy_map=None, sam_parser=Parser(), boto_session=session)
    values = {"AWS::Region": region, "AWS::AccountId": account_id, **(parameters or {})}
    translated: dict[str, Any] = translator.translate(
        _with_s3_artifacts(copy.deepcopy(template)),
        parameter_values=values,
        # Keep Metadata (e.g. a layer's BuildMethod) on the generated resources, like `sam build`.
        passthrough_metadata=True,
        get_managed_policy_map=_no_iam_lookup,
    )
    return translated
