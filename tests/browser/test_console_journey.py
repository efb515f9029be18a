"""The whole journey through the web console in a real browser (Debian's Chromium, driven by Playwright).

A verifier signs in and sees complaints filed through the API and through a signed WhatsApp webhook,
verifies one and assigns it; the agency officer accepts, starts and resolves it with a photo; the
citizen opens the tracking link from the outbox message and reads the answer; the supervisor sees
it counted. Every screen is photographed at desktop and phone (360 px) width into
$ADUAN_SCREENSHOTS (default: a temporary folder, printed).

Where Chromium or Playwright is missing the module is skipped, and says so loudly: the skip
reason, a warning in pytest's summary and a line on stderr.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra import channel_samples as samples
from infra.local import LocalStack
from tests.e2e.over_http import call, stack_fixture, token
from tests.e2e.test_channel_journey import post

pytestmark = pytest.mark.e2e
CHROMIUM = os.environ.get("ADUAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}
# A 1x1 PNG: the agency's photo evidence.
LABELS = {"verify": "Verifikasi", "assign": "Disposisi", "accept": "Terima", "start": "Mulai kerjakan",
          "resolve": "Selesaikan", "approve_answer": "Setujui jawaban"}
PHOTO = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIA"
                         "X8jx0gAAAABJRU5ErkJggg==")


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)"
    return None


_WHY = _missing_browser()
if _WHY is not None:
    _LOUD = f"BROWSER TESTS SKIPPED: {_WHY}"
    print(f"\n{'!' * 20} {_LOUD} {'!' * 20}", file=sys.stderr)
    warnings.warn(_LOUD, stacklevel=1)
    pytest.skip(_LOUD, allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

expect.set_options(timeout=20_000)  # each screen is a few Lambda invocations on a shared, busy machine

stack = stack_fixture()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(os.environ.get("ADUAN_SCREENSHOTS") or tempfile.mkdtemp(prefix="aduan-screens-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"console screenshots: {folder}", file=sys.stderr)
    return folder


class Screens:
    """Takes each screen at both widths; page errors (script failures, CSP refusals) fail the test."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder = page, folder
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)
        page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def _console(self, message: Any) -> None:
        # Map tiles cannot load offline (the page then shows area and coordinates): not an error.
        # A failed response is recorded with its address by the response listener instead.
        if message.type == "error" and "ERR_NAME_NOT_RESOLVED" not in message.text \
                and "ERR_INTERNET_DISCONNECTED" not in message.text and "Failed to load resource" not in message.text:
            self.errors.append(message.text)

    def take(self, name: str) -> None:
        for label, size in (("desktop", DESKTOP), ("360", PHONE)):
            self.page.set_viewport_size(size)
            self.page.wait_for_timeout(100)
            self.page.screenshot(path=str(self.folder / f"{name}-{label}.png"), full_page=True)
            width = self.page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"] + 1, f"{name} scrolls sideways at {label} ({width} px)"
        self.page.set_viewport_size(DESKTOP)
        assert not self.errors, self.errors


def sign_in(page: Page, base: str, role: str, agency: str | None = None) -> None:
    page.goto(f"{base}/#/signin")
    page.get_by_label("Peran").select_option(role)
    if agency:
        page.get_by_label("Instansi").select_option(agency)
    page.get_by_label("Nama").fill(f"Petugas {role}")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"#/(desk|agency|supervisor)$"))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", name="Masuk (mode lokal)")).to_be_visible()


def act(page: Page, action: str, fill: Callable[[Any], None] | None = None) -> None:
    """Submit one action's form; a background worker may bump the version first: reload once and retry."""
    for attempt in range(2):
        form = page.locator(f"form.action-{action}")
        expect(form).to_be_visible()
        if fill:
            fill(form)
        form.locator("button[type=submit]").click()
        succeeded = page.locator(".msg.ok", has_text=re.compile(f"^{LABELS[action]}: Berhasil$"))
        expect(succeeded.or_(form.locator(".msg.error")).first).to_be_visible(timeout=20_000)
        if succeeded.count():
            return
        if attempt == 0 and page.get_by_role("button", name="Muat ulang dan coba lagi").count():
            page.get_by_role("button", name="Muat ulang dan coba lagi").click()
            continue
        raise AssertionError(page.locator(".msg.error").first.inner_text())


def wait_until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError("timed out")


def file_complaints(stack: LocalStack) -> tuple[str, str]:
    citizen = token(stack, "role=citizen&sub=warga-console&name=Sari")
    status, filed = call(stack, "POST", "/v1/complaints", {
        "title": "Jalan berlubang di Jl. Pandanaran",
        "text": "Ada lubang besar di depan toko oleh-oleh, berbahaya bagi pengendara motor.",
        "category_id": "jalan-rusak",
        "location": {"lat": -6.9875, "lon": 110.4120, "address": "Jl. Pandanaran, Semarang Tengah"}}, citizen)
    assert status == 201, filed
    phone = "6281100012345"
    message = samples.whatsapp_message({"id": "wamid.console-journey", "type": "text", "text": {
        "body": "Lampu penerangan jalan mati di Jl. Pemuda dekat Lawang Sewu, gelap sekali malam hari."}},
        name="Budi", phone=phone)
    assert post(stack, "whatsapp", message)[0] == 200
    reply = wait_until(lambda: [m for m in outbox(stack)
                                if m.get("recipient") == f"+{phone}" and m.get("tracking_code")], 60)
    verifier = token(stack, "role=verifier&sub=desk-check")
    # The routing worker's suggestion is what the desk works from.
    path = f"/v1/complaints/{filed['tracking_code']}"
    wait_until(lambda: call(stack, "GET", path, token=verifier)[1].get("suggestion"))
    return str(filed["tracking_code"]), str(reply[0]["tracking_code"])


def outbox(stack: LocalStack) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack.api_url}/local/outbox", timeout=15) as answer:
        messages = json.loads(answer.read())["messages"]
    return [json.loads(m["request"]) if isinstance(m.get("request"), str) else m for m in messages]


def test_console_journey(stack: LocalStack, browser: Browser, shots: Path, tmp_path: Path) -> None:
    base = stack.api_url
    code, whatsapp_code = file_complaints(stack)
    page = browser.new_page(viewport=DESKTOP)
    screens = Screens(page, shots)

    # The verifier's desk lists both complaints; the first is verified and assigned to DPU.
    sign_in(page, base, "verifier")
    expect(page.get_by_role("link", name=code)).to_be_visible()
    expect(page.get_by_role("link", name=whatsapp_code)).to_be_visible()
    screens.take("01-desk-queue")
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", name="Saran triase")).to_be_visible()
    expect(page.get_by_text("Peta tidak tersedia")).to_be_visible()  # no internet here: area and coordinates
    # The timeline in words, not event type names: "Aduan diterima → Diterima".
    expect(page.locator("ol.timeline li").first).to_contain_text("Aduan diterima → Diterima")
    screens.take("02-desk-complaint")
    # Where tiles are reachable the map is drawn (tiles answered here by the test, as a tile server would).
    page.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(status=200, content_type="image/png",
                                                                               body=PHOTO))
    page.reload()
    expect(page.locator(".map img")).to_have_count(9)
    expect(page.get_by_text("Peta tidak tersedia")).to_have_count(0)
    page.unroute("https://tile.openstreetmap.org/**")
    act(page, "verify", lambda form: form.get_by_label("Catatan").fill("Lengkap"))
    act(page, "assign", lambda form: form.get_by_label("Instansi *").select_option("dpu"))
    expect(page.locator(".meta .badge")).to_have_text("Didisposisikan")
    # Who acted, in words: the role's name, never its code.
    expect(page.locator("ol.timeline")).to_contain_text("Verifikator")
    expect(page.locator("ol.timeline")).not_to_contain_text(re.compile(r"· (verifier|agency_officer|system)\b"))
    page.get_by_role("link", name="Input aduan").click()
    expect(page.get_by_role("heading", name="Input aduan")).to_be_visible()
    screens.take("03-desk-entry")
    sign_out(page)

    # The DPU officer accepts, starts and resolves with a photo.
    sign_in(page, base, "agency_officer", "dpu")
    expect(page.get_by_role("link", name=code)).to_be_visible()
    screens.take("04-agency-queue")
    page.get_by_role("link", name=code).click()
    act(page, "accept")
    act(page, "start")
    photo = tmp_path / "tambalan.png"
    photo.write_bytes(PHOTO)
    act(page, "resolve", lambda form: (form.get_by_label("Jawaban instansi *").fill("Lubang sudah ditambal"),
                                       form.get_by_label("Foto bukti").set_input_files(str(photo))))
    expect(page.locator(".photos img")).to_have_count(1)
    # Semarang's desk reviews an agency's answer before the citizen sees it.
    expect(page.locator(".meta .badge")).to_have_text(re.compile("Jawaban diperiksa verifikator"))
    screens.take("05-agency-resolved")
    sign_out(page)
    sign_in(page, base, "verifier")
    page.goto(f"{base}/#/c/{code}")
    act(page, "approve_answer")
    expect(page.locator(".meta .badge")).to_have_text(re.compile("Selesai"))
    sign_out(page)

    # The citizen follows the link the notification carried.
    link = wait_until(lambda: next((m for m in outbox(stack) if m.get("tracking_code") == code
                                    and f"/lacak/{code}" in (m.get("text") or "")), None))
    # Local mode points tracking links at the console it serves, so the link is opened exactly as sent.
    url = re.search(r"https?://\S+/lacak/[A-Z0-9-]+", link["text"])
    assert url is not None and url.group(0).startswith(base), link["text"]
    page.goto(url.group(0))
    expect(page.get_by_text("Lubang sudah ditambal")).to_be_visible()
    expect(page.locator(".status-words")).to_contain_text("Selesai")
    # The public steps of the timeline: an ordered list under its heading, oldest first, in words.
    steps = page.get_by_role("region", name="Langkah penanganan").get_by_role("listitem")
    expect(steps.first).to_contain_text("Diterima")
    expect(steps.filter(has_text="Didisposisikan ke DPU")).to_have_count(1)
    expect(steps.last).to_contain_text("Selesai ditindaklanjuti oleh DPU")
    expect(steps.last).to_contain_text("Lubang sudah ditambal")
    screens.take("06-public-tracking")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Track a complaint")).to_be_visible()
    page.get_by_role("button", name="Bahasa Indonesia").click()

    # The supervisor sees it counted (statistics are kept from the event stream, so give them a moment).
    sign_in(page, base, "supervisor")
    resolved = page.locator("[data-tile=resolved] strong")

    def counted() -> bool:
        page.reload()
        expect(resolved).to_be_visible(timeout=20_000)
        return resolved.inner_text() != "0"

    wait_until(counted, 60)
    expect(page.get_by_role("img", name="Kepatuhan SLA per instansi")).to_be_visible()
    screens.take("07-supervisor")
    page.get_by_label("Pengirim (mis. whatsapp:+62…)").fill("whatsapp:+6281299999999")
    page.get_by_label("Alasan").fill("Spam berulang")
    page.get_by_role("button", name="Blokir").click()
    expect(page.get_by_role("cell", name="whatsapp:+6281299999999")).to_be_visible()
    page.get_by_role("button", name="Mulai ekspor").click()  # complaints of the last 30 days
    expect(page.get_by_role("link", name="Unduh")).to_be_visible(timeout=60_000)
    assert code in urllib.request.urlopen(page.get_by_role("link", name="Unduh").get_attribute("href") or "",
                                          timeout=15).read().decode()
    page.get_by_role("link", name="Aduan publik").click()
    expect(page.get_by_role("link", name=code)).to_be_visible()
    screens.take("08-public-feed")
    page.get_by_role("link", name="Statistik publik").click()
    expect(page.locator("[data-tile=received]")).to_be_visible()
    screens.take("09-public-stats")


def test_a_stale_version_offers_reload_and_the_desk_works_by_keyboard(stack: LocalStack, browser: Browser,
                                                                       shots: Path) -> None:
    base = stack.api_url
    citizen = token(stack, "role=citizen&sub=warga-conflict")
    status, filed = call(stack, "POST", "/v1/complaints", {
        "title": "Sampah menumpuk di pasar", "text": "Sampah menumpuk di depan pasar sejak tiga hari, bau sekali.",
        "category_id": "sampah"}, citizen)
    assert status == 201, filed
    code = filed["tracking_code"]
    page = browser.new_page(viewport=DESKTOP)
    screens = Screens(page, shots)
    page.goto(f"{base}/#/signin")
    # Keyboard only: the role select has focus order, Enter submits the labelled form.
    page.get_by_label("Peran").focus()
    page.keyboard.press("Tab")  # to the name field (the agency field is hidden for a verifier)
    page.keyboard.type(" Keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#/desk$"))
    page.goto(f"{base}/#/c/{code}")
    expect(page.locator("form.action-hold")).to_be_visible()
    # Someone else moves the complaint on after this page was loaded.
    verifier = token(stack, "role=verifier&sub=desk-other")
    version = call(stack, "GET", f"/v1/complaints/{code}", token=verifier)[1]["version"]
    moved = call(stack, "POST", f"/v1/complaints/{code}/transitions",
                 {"action": "hold", "expected_version": version, "note": "Menunggu foto"}, verifier)
    assert moved[0] == 200, moved
    form = page.locator("form.action-reject")
    form.get_by_label("Alasan *").fill("Bukan aduan")
    form.locator("button[type=submit]").press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("409")
    expect(alert).to_contain_text("Aduan ini sudah diubah orang lain.")
    screens.errors.clear()  # the 409 above is the point of this test
    screens.take("10-version-conflict")
    page.get_by_role("button", name="Muat ulang dan coba lagi").click()
    expect(page.locator(".meta .badge")).to_have_text("Ditunda")
    # Error codes the API answers in English are explained in the officer's language.
    explain = "async (code) => (await import('/js/i18n.js')).errorWords(code)"
    assert page.evaluate(explain, "invalid_transition").startswith("Tindakan ini tidak bisa dilakukan")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()
    assert page.evaluate(explain, "service_unavailable").startswith("The service is busy")
    page.get_by_role("button", name="Bahasa Indonesia").click()

    # A radio complaint typed in at the desk, then handled with the bulk action "accept the suggestion".
    page.get_by_role("link", name="Input aduan").click()
    page.get_by_label("Kanal").select_option("radio")
    page.get_by_label("Judul *").fill("Lampu jalan mati di Jl. Pemuda")
    page.get_by_label("Isi aduan *").fill("Pendengar radio melaporkan lampu penerangan jalan mati sejak kemarin malam.")
    page.get_by_label("Kategori").select_option("pju-mati")  # a category the desk routes by hand
    page.get_by_label("Sumber (koran, edisi, nomor panggilan)").fill("Radio Kota, siaran pagi")
    page.get_by_label("Nama").fill("Pak Darto")
    page.get_by_role("button", name="Kirim").click()
    filed_link = page.locator(".msg.ok + a")
    expect(filed_link).to_be_visible()
    radio_code = filed_link.inner_text()
    routed = wait_until(lambda: call(stack, "GET", f"/v1/complaints/{radio_code}", token=verifier)[1].get("suggestion"))
    assert not routed["auto_assign"]
    page.get_by_role("link", name="Meja verifikasi").click()
    page.get_by_label(f"dipilih {radio_code}").check()
    page.get_by_label("Tindakan").select_option("accept_suggestion")
    page.get_by_role("button", name="Terapkan").click()
    expect(page.locator(".bulk .msg.ok")).to_have_text("Berhasil: 1/1")
    assert call(stack, "GET", f"/v1/complaints/{radio_code}", token=verifier)[1]["status"] == "assigned"
