"""Local mode: the whole system on one machine, no AWS account. `python -m infra.local` runs it.

from infra.local import LocalStack
with LocalStack(port=0) as stack:
    token = stack.issue_token("citizen")
    ...  # HTTP to stack.api_url; boto3 calls go to moto through AWS_ENDPOINT_URL
"""

from infra.local.errors import LocalStackError
from infra.local.stack import LocalStack

__all__ = ["LocalStack", "LocalStackError"]
