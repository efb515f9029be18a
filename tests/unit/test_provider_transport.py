"""The senders' transport against a real HTTP server on loopback, and its AWS side under moto: what a
provider answers is read into a Reply the adapters classify (status, parsed body, headers, error code)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from moto import mock_aws

from aduan.adapters import provider_transport
from aduan.adapters.senders.base import ProviderRequest
from aduan.dal import clients

# path -> (status, content type, body, extra headers)
ANSWERS: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
    "/json": (200, "application/json", b'{"ok": true, "result": {"message_id": 7}}', {}),
    "/form": (201, "application/x-www-form-urlencoded", b"sid=SM1&status=queued", {}),
    "/list": (200, "application/json", b"[1, 2]", {}),
    "/busy": (429, "application/json", b'{"error": {"code": 4}}', {"Retry-After": "30"}),
    "/down": (503, "text/html", b"<html>Service Unavailable</html>", {}),
}


class _Provider(BaseHTTPRequestHandler):
    seen: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Provider.seen.append((self.path, dict(self.headers.items()), body))
        status, kind, answer, extra = ANSWERS[self.path.split("?")[0]]
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _post(url: str, **fields: object) -> ProviderRequest:
    return ProviderRequest(provider="test", method="POST", url=url, body='{"text": "Halo"}', **fields)  # type: ignore[arg-type]


def test_json_answer_parsed_and_secrets_used_only_on_the_wire(provider: str) -> None:
    _Provider.seen.clear()
    reply = provider_transport.execute(_post(f"{provider}/json?token=<hidden>", headers={"X-Shown": "1"},
                                             secret_headers={"Authorization": "Bearer s3cret"},
                                             secret_url=f"{provider}/json?token=s3cret"))
    assert reply.status == 200 and reply.error_code is None
    assert reply.body == {"ok": True, "result": {"message_id": 7}}
    [(path, headers, body)] = _Provider.seen
    assert path == "/json?token=s3cret" and headers["Authorization"] == "Bearer s3cret"
    assert headers["X-Shown"] == "1" and body == b'{"text": "Halo"}'


@pytest.mark.parametrize(("path", "status", "body"), [
    ("/form", 201, {"sid": "SM1", "status": "queued"}),  # Twilio-style form answers
    ("/list", 200, {"value": [1, 2]}),  # a JSON answer that is not an object
    ("/busy", 429, {"error": {"code": 4}}),
    ("/down", 503, {"message": "<html>Service Unavailable</html>"}),  # an error page that is not JSON
])
def test_answers_of_every_shape_read_into_a_reply(provider: str, path: str, status: int, body: object) -> None:
    reply = provider_transport.execute(_post(f"{provider}{path}"))
    assert (reply.status, reply.body, reply.error_code) == (status, body, None)
    if path == "/busy":
        assert reply.headers["Retry-After"] == "30"  # the adapters honour it


def test_no_answer_is_a_network_error() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound but not listening: the connection is refused
        reply = provider_transport.execute(_post(f"http://127.0.0.1:{port}/x"), timeout=2)
    assert reply.status == 0 and reply.error_code == "network" and reply.body["message"]


def test_aws_calls_go_through_boto3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        clients.reset()
        try:
            topic = clients.client("sns").create_topic(Name="aduan-push")["TopicArn"]
            sent = provider_transport.execute(ProviderRequest(
                provider="sns", method="POST", url="https://sns", aws_call=(
                    "sns", "publish", {"TopicArn": topic, "Message": json.dumps({"default": "Halo"})})))
            assert sent.status == 200 and sent.body["MessageId"] and "ResponseMetadata" not in sent.body
            missing = provider_transport.execute(ProviderRequest(
                provider="sns", method="POST", url="https://sns", aws_call=(
                    "sns", "publish", {"TopicArn": topic + "-gone", "Message": "Halo"})))
            assert missing.status == 404 and missing.error_code == "NotFound" and missing.body["message"]
        finally:
            clients.reset()
