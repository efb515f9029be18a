"""Put each provider's secrets from a local JSON file into SSM as one SecureString per provider.

    python -m infra.deploy.channel_secrets --stage prod secrets.json            # put them
    python -m infra.deploy.channel_secrets --stage prod secrets.json --dry-run  # check, print names only

The file has the shape of infra/deploy/channel-secrets.example.json: {"<provider>": {key: value}}.
Each provider becomes `/aduan/<stage>/channels/<provider>` (the CHANNEL_SECRETS_PREFIX the template
gives the functions), encrypted with the account's SSM key or `--kms-key-id`. Keys beginning with
"_" are comments and are dropped; values are never printed. Keep the file out of git and delete it
once the parameters exist.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# What each provider's adapter reads (docs/channels.md, Secrets); optional keys are not listed.
REQUIRED_KEYS: dict[str, frozenset[str]] = {
    "whatsapp": frozenset({"app_secret", "verify_token", "access_token"}),
    "messenger": frozenset({"app_secret", "verify_token", "page_token"}),
    "instagram": frozenset({"app_secret", "verify_token", "page_token"}),
    "telegram": frozenset({"secret_token", "bot_token"}),
    "twilio": frozenset({"account_sid", "auth_token"}),
    "email": frozenset({"topic_arns"}),
    "x": frozenset({"consumer_secret", "user_access_token"}),
    "generic": frozenset({"integrations"}),
    "ses": frozenset({"from_address"}),
    "sns_sms": frozenset(),
    "sns_push": frozenset(),
    "lapor": frozenset({"token"}),  # SP4N-LAPOR!'s Bearer token (docs/lapor.md)
}
# A body the city forwards to by webhook: forward-<name>, its signing key (docs/organisation.md).
FORWARD_PREFIX, FORWARD_KEYS = "forward-", frozenset({"signing_key"})
# Development-only settings that must never reach AWS (local mode trusts these certificates).
LOCAL_ONLY_KEYS = frozenset({"signing_certificates"})
# SSM's limit for an advanced parameter; standard parameters stop at 4 KB.
MAX_VALUE_BYTES = 8192
STANDARD_VALUE_BYTES = 4096


def parameter_name(stage: str, provider: str) -> str:
    return f"/aduan/{stage}/channels/{provider}"


def _without_comments(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_comments(v) for k, v in value.items() if not str(k).startswith("_")}
    return value


def documents(secrets: Mapping[str, Any]) -> dict[str, str]:
    """Provider -> the JSON document to store. Raises ValueError listing every problem found."""
    problems = []
    found = {}
    for provider, values in _without_comments(secrets).items():
        required = FORWARD_KEYS if provider.startswith(FORWARD_PREFIX) else REQUIRED_KEYS.get(provider)
        if required is None:
            problems.append(f"{provider}: unknown provider (known: {', '.join(sorted(REQUIRED_KEYS))}, "
                            f"{FORWARD_PREFIX}<body>)")
            continue
        if not isinstance(values, Mapping):
            problems.append(f"{provider}: expected an object of keys, got {type(values).__name__}")
            continue
        if missing := required - set(values):
            problems.append(f"{provider}: missing {', '.join(sorted(missing))}")
        if local := LOCAL_ONLY_KEYS & set(values):
            problems.append(f"{provider}: {', '.join(sorted(local))} is for local mode only; remove it")
        empty = sorted(key for key, value in values.items() if value in ("", None, [], {}))
        if empty:
            problems.append(f"{provider}: empty {', '.join(empty)}")
        document = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        if len(document.encode()) > MAX_VALUE_BYTES:
            problems.append(f"{provider}: {len(document.encode())} bytes is over SSM's {MAX_VALUE_BYTES}")
        found[provider] = document
    if problems:
        raise ValueError("\n".join(problems))
    return found


def put(ssm: Any, stage: str, docs: Mapping[str, str], kms_key_id: str | None = None) -> list[str]:
    """Create or overwrite each provider's parameter; returns the names written."""
    written = []
    for provider, document in sorted(docs.items()):
        request: dict[str, Any] = {
            "Name": parameter_name(stage, provider),
            "Value": document,
            "Type": "SecureString",
            "Overwrite": True,
            "Tier": "Advanced" if len(document.encode()) > STANDARD_VALUE_BYTES else "Standard",
        }
        if kms_key_id:
            request["KeyId"] = kms_key_id
        ssm.put_parameter(**request)
        written.append(request["Name"])
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy.channel_secrets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="local JSON file with each provider's secrets")
    parser.add_argument("--stage", required=True, help="the stack's Stage parameter (dev, prod, ...)")
    parser.add_argument("--region", help="AWS region (default: the AWS CLI configuration)")
    parser.add_argument("--profile", help="AWS CLI profile")
    parser.add_argument("--kms-key-id", help="KMS key for the SecureStrings (default: alias/aws/ssm)")
    parser.add_argument("--dry-run", action="store_true", help="validate and list the names, write nothing")
    args = parser.parse_args(argv)
    try:
        docs = documents(json.loads(args.file.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 1
    if args.dry_run:
        for provider in sorted(docs):
            print(f"would put {parameter_name(args.stage, provider)} (SecureString)")
        return 0
    import boto3  # only here: validating a file needs no AWS SDK session

    session = boto3.Session(region_name=args.region, profile_name=args.profile)
    for name in put(session.client("ssm"), args.stage, docs, args.kms_key_id):
        print(f"put {name} (SecureString)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
