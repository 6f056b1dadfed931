"""The dashboard in a real browser (Debian's headless chromium) against ``synthgen serve``.

Pages are driven by their accessible names, as a user (or a screen reader) finds them:
the field labelled ``API key``, the button ``Sign in``, and so on. Every page visited is
also checked for console errors and for inputs without a label.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

from tests.e2e import screenshots
from tests.e2e.processes import SYNTHGEN, Launcher, free_port, key_from, wait_for
from tests.shared_data import DATASETS

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium (make test does)"),
]
sync_api = pytest.importorskip("playwright.sync_api")
TABLE = DATASETS / "taxis.csv"
UNLABELLED = """() => Array.from(
  document.querySelectorAll('input:not([type=hidden]), select, textarea')
).filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name)"""


class Server:
    """One ``synthgen serve`` with embedded defaults, and a way to add owners' keys."""

    def __init__(self, base: str, key: str, env: dict[str, str]) -> None:
        self.base, self.key, self.env = base, key, env

    def new_key(self, owner: str) -> str:
        args = [SYNTHGEN, "keys", "create", "--owner", owner]
        done = subprocess.run(args, env=self.env, capture_output=True, text=True, check=True)
        return done.stdout.strip()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("dashboard")
    launcher = Launcher(tmp / "logs")
    port = free_port()
    env = launcher.env(SYNTHGEN_DATA_DIR=str(tmp / "data"), SYNTHGEN_PORT=str(port))
    serve = launcher.serve(env)
    try:
        key = key_from(serve)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: requests.get(f"{base}/ready", timeout=2).ok, 60, "the service to be ready")
        yield Server(base, key, env)
    finally:
        launcher.stop_all()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


class Tab:
    """A fresh browser context (no cookies) that records console errors as it goes."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(base_url=base)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def checked(self) -> Any:
        """The page, after asserting it has no console errors and no unlabelled input."""
        self.page.wait_for_load_state("networkidle")
        assert self.errors == [], self.page.url
        assert self.page.evaluate(UNLABELLED) == [], self.page.url
        return self.page

    def sign_in(self, key: str) -> Any:
        page = self.page
        page.goto("/")
        page.get_by_label("API key").fill(key)
        page.get_by_role("button", name="Sign in").click()
        return page


def choose_type(page: Any, model_type: str) -> None:
    """Pick a model type and wait until htmx has swapped in that type's options."""
    page.wait_for_load_state("load")  # htmx listens from DOMContentLoaded on
    with page.expect_response(lambda response: "/train?" in response.url):
        page.get_by_label("Model type").select_option(model_type)
    busy = page.locator(".htmx-request, .htmx-swapping, .htmx-settling")
    sync_api.expect(busy).to_have_count(0)


@pytest.fixture
def tab(browser: Any, server: Server) -> Iterator[Tab]:
    opened = Tab(browser, server.base)
    yield opened
    opened.context.close()


def test_sign_in_create_a_project_upload_and_sign_out(tab: Tab, server: Server) -> None:
    page = tab.sign_in(server.key)
    sync_api.expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    tab.checked()
    page.get_by_role("button", name="New project").click()
    tab.checked()
    page.get_by_label("Name").fill("Taxi trips")
    page.get_by_role("button", name="Create").click()
    sync_api.expect(page.get_by_role("heading", name="Taxi trips")).to_be_visible()
    tab.checked()
    page.get_by_role("button", name="Upload dataset").click()
    tab.checked()
    page.get_by_label("Name").fill("Trips")
    page.get_by_label("File").set_input_files(str(TABLE))
    page.get_by_role("button", name="Upload").click()
    row = page.get_by_role("row", name="Trips")
    sync_api.expect(row).to_be_visible()
    frame = pd.read_csv(TABLE)
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[:4] == ["Trips", "1", str(len(frame)), str(len(frame.columns))]
    tab.checked()
    page.get_by_role("link", name="Trips").click()
    sync_api.expect(page.get_by_role("heading", name="Trips v0")).to_be_visible()
    first = frame.columns[0]
    sync_api.expect(page.get_by_role("row", name=first).get_by_role("cell").nth(0)).to_have_text(
        first
    )
    tab.checked()
    page.go_back()
    page.get_by_role("button", name="Sign out").click()
    sync_api.expect(page.get_by_label("API key")).to_be_visible()
    page.goto("/dashboard/projects")
    sync_api.expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    tab.checked()


def new_project_with_trips(tab: Tab, server: Server, name: str) -> Any:
    page = tab.sign_in(server.key)
    page.get_by_role("button", name="New project").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Create").click()
    page.get_by_role("button", name="Upload dataset").click()
    page.get_by_label("Name").fill("Trips")
    page.get_by_label("File").set_input_files(str(TABLE))
    page.get_by_role("button", name="Upload").click()
    return page


def read_download(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "CSV":
        return pd.read_csv(path)
    if fmt == "Parquet":
        return pd.read_parquet(path)
    return pd.read_json(path, lines=True)


def generate_cash_trips_and_download_them(tab: Tab, out: Path) -> None:
    """From a ready model's page: generate cash trips, watch the job, download each format."""
    page = tab.page
    page.get_by_role("button", name="Generate").click()
    sync_api.expect(page.get_by_label("Rows")).to_have_value("1000")
    tab.checked()
    page.get_by_label("Rows").fill("300")
    page.get_by_label("Seed").fill("7")
    payment = page.get_by_label("payment", exact=True)
    assert payment.locator("option").all_inner_texts() == ["any", "cash", "credit card"]
    payment.select_option("cash")
    page.get_by_role("button", name="Generate").click()
    sync_api.expect(page.get_by_role("heading", name="Generation job")).to_be_visible()
    page.evaluate("window.synthgenMarker = 2")  # gone if the page reloads
    status = page.locator("[data-status]")
    sync_api.expect(status).to_have_text("completed", timeout=120_000)
    assert page.evaluate("window.synthgenMarker") == 2
    sync_api.expect(page.get_by_role("heading", name="Quality of these rows")).to_be_visible()
    sync_api.expect(page.get_by_role("heading", name="Privacy of these rows")).to_be_visible()
    assert page.locator("svg.marginal").count() > 0
    tab.checked()
    for fmt in ("CSV", "Parquet", "JSONL"):
        with page.expect_download() as started:
            page.get_by_role("link", name=f"Download {fmt}").click()
        download = started.value
        assert download.suggested_filename.endswith("." + fmt.lower())
        saved = out / download.suggested_filename
        download.save_as(saved)
        frame = read_download(saved, fmt)
        assert len(frame) == 300, fmt
        assert (frame["payment"] == "cash").all(), fmt
    tab.checked()
    job_url = page.url
    page.get_by_role("link", name="Jobs", exact=True).click()
    page.get_by_label("Status").select_option("completed")
    page.get_by_role("button", name="Filter").click()
    sync_api.expect(page.get_by_label("Status")).to_have_value("completed")
    listed = page.get_by_role("row").filter(has_text="generate")
    sync_api.expect(listed).to_have_count(2)  # this one, and the screenshots' 500 rows
    rows = sorted(row.get_by_role("cell").nth(5).inner_text() for row in listed.all())
    assert rows == ["300", "500"]
    tab.checked()
    page.goto(job_url)


def test_train_a_model_and_watch_it_become_ready(tab: Tab, server: Server, tmp_path: Path) -> None:
    page = new_project_with_trips(tab, server, "Training")
    page.get_by_role("button", name="Train model").click()
    choose_type(page, "ctgan")
    sync_api.expect(page.get_by_label("epochs", exact=True)).to_have_value("300")
    choose_type(page, "gaussian_copula")
    sync_api.expect(page.get_by_label("numerical_distribution")).to_have_value("auto")
    sync_api.expect(page.get_by_label("epochs", exact=True)).to_have_count(0)
    assert page.get_by_label("Dataset version").input_value()  # the newest, preselected
    tab.checked()
    page.get_by_label("Name").fill("Copula")
    page.get_by_role("button", name="Train", exact=True).click()
    sync_api.expect(page.get_by_role("heading", name="Copula")).to_be_visible()
    page.evaluate("window.synthgenMarker = 1")  # gone if the page reloads
    status = page.locator("[data-status]")
    sync_api.expect(status).to_have_text("ready", timeout=120_000)
    assert page.evaluate("window.synthgenMarker") == 1
    sync_api.expect(page.get_by_role("button", name="Generate")).to_be_visible()
    tab.checked()
    screenshots.generate(server.base, server.key, page.url.rsplit("/", 1)[1])
    page.reload()
    chart = page.locator("svg[aria-labelledby=shapes-title]")
    sync_api.expect(chart).to_be_visible()
    columns = pd.read_csv(TABLE, nrows=5).columns
    assert 0 < chart.locator("g.bar").count() <= len(columns)
    tab.checked()
    generate_cash_trips_and_download_them(tab, tmp_path)
    page.get_by_role("link", name="Training").click()
    row = page.get_by_role("row", name="Copula")
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[1:3] == ["gaussian_copula", "ready"]
    assert cells[3].endswith("%")  # the generation's quality score
    tab.checked()


def test_watch_a_training_progress_then_cancel_it(tab: Tab, server: Server) -> None:
    page = new_project_with_trips(tab, server, "Cancelling")
    page.get_by_role("button", name="Train model").click()
    choose_type(page, "ctgan")
    page.get_by_label("Name").fill("Long CTGAN")
    page.get_by_label("epochs", exact=True).fill("300")
    page.get_by_role("button", name="Train", exact=True).click()
    status = page.locator("[data-status]")
    sync_api.expect(status).to_have_text("training", timeout=120_000)
    progress = page.get_by_role("progressbar", name="Training progress")
    sync_api.expect(progress).to_have_attribute("max", "300", timeout=120_000)
    page.get_by_role("button", name="Cancel").click()
    sync_api.expect(status).to_have_text("cancelled", timeout=120_000)
    sync_api.expect(page.get_by_role("button", name="Cancel")).to_have_count(0)
    tab.checked()


def test_train_a_ctgan_for_3_epochs_and_watch_its_loss_curve(tab: Tab, server: Server) -> None:
    page = new_project_with_trips(tab, server, "Loss curve")
    page.get_by_role("button", name="Train model").click()
    choose_type(page, "ctgan")
    page.get_by_label("Name").fill("Three epochs")
    page.get_by_label("epochs", exact=True).fill("3")
    page.get_by_role("button", name="Train", exact=True).click()
    sync_api.expect(page.get_by_role("heading", name="Three epochs")).to_be_visible()
    page.evaluate("window.synthgenMarker = 1")  # gone if the page reloads
    curve = page.get_by_role("img", name=re.compile(r"^Loss per epoch"))
    sync_api.expect(curve).to_be_visible(timeout=180_000)
    sync_api.expect(page.locator("[data-status]")).to_have_text("ready", timeout=180_000)
    sync_api.expect(curve).to_have_accessible_name(re.compile(r"epochs 1 to 3; newest: generator"))
    series = curve.locator("g.series")
    assert [series.nth(i).get_attribute("data-series") for i in range(2)] == [
        "generator",
        "discriminator",
    ]
    assert page.evaluate("window.synthgenMarker") == 1  # the curve came with the live status
    tab.checked()


def test_delete_a_model_a_dataset_and_the_project_after_confirming(
    tab: Tab, server: Server
) -> None:
    page = new_project_with_trips(tab, server, "Deleting")
    page.get_by_role("button", name="Train model").click()
    choose_type(page, "gaussian_copula")
    page.get_by_label("Name").fill("Short-lived")
    page.get_by_role("button", name="Train", exact=True).click()
    sync_api.expect(page.get_by_role("heading", name="Short-lived")).to_be_visible()
    page.get_by_role("button", name="Delete", exact=True).click()
    sync_api.expect(page.get_by_role("heading", name="Delete model Short-lived?")).to_be_visible()
    sync_api.expect(page.get_by_text("This removes its files and jobs.")).to_be_visible()
    tab.checked()
    page.get_by_role("button", name="Cancel").click()  # changes nothing
    sync_api.expect(page.get_by_role("heading", name="Short-lived")).to_be_visible()
    page.get_by_role("link", name="Deleting").click()
    page.get_by_role("row", name="Short-lived").get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Delete", exact=True).click()
    sync_api.expect(page.get_by_role("heading", name="Deleting")).to_be_visible()
    sync_api.expect(page.get_by_text("No models yet.")).to_be_visible()
    tab.checked()
    page.get_by_role("row", name="Trips").get_by_role("button", name="Delete").click()
    sync_api.expect(page.get_by_role("heading", name="Delete dataset Trips?")).to_be_visible()
    tab.checked()
    page.get_by_role("button", name="Delete", exact=True).click()
    sync_api.expect(page.get_by_text("No datasets yet.")).to_be_visible()
    page.get_by_role("button", name="Delete project").click()
    sync_api.expect(page.get_by_role("heading", name="Delete project Deleting?")).to_be_visible()
    page.get_by_role("button", name="Delete", exact=True).click()
    sync_api.expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    sync_api.expect(page.get_by_role("link", name="Deleting", exact=True)).to_have_count(0)
    tab.checked()


def test_the_model_types_page_lists_every_type_with_its_defaults(tab: Tab, server: Server) -> None:
    page = tab.sign_in(server.key)
    page.get_by_role("link", name="Model types").click()
    sync_api.expect(page.get_by_role("heading", name="Model types", exact=True)).to_be_visible()
    ctgan = page.get_by_role("article", name="CTGAN")
    epochs = ctgan.get_by_role("row").filter(
        has=page.get_by_role("cell", name="epochs", exact=True)
    )
    sync_api.expect(epochs.get_by_role("cell").nth(1)).to_have_text("300")
    tab.checked()


def test_an_invalid_option_is_shown_next_to_its_field(tab: Tab, server: Server) -> None:
    page = new_project_with_trips(tab, server, "Options")
    page.get_by_role("button", name="Train model").click()
    choose_type(page, "ctgan")
    page.get_by_label("Name").fill("Too few epochs")
    page.get_by_label("epochs", exact=True).fill("0")
    page.get_by_role("button", name="Train", exact=True).click()
    field = page.get_by_label("epochs", exact=True)
    sync_api.expect(field).to_have_attribute("aria-invalid", "true")
    sync_api.expect(page.locator("#option-epochs_error")).to_contain_text("epochs")
    tab.checked()


def test_the_screenshot_script_shoots_every_main_page(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    shots = screenshots.capture(server.base, server.new_key("screens"), tmp_path, browser)
    assert [path.name for path in shots] == list(screenshots.PAGES)
    for path in shots:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
        assert path.stat().st_size > 5_000, path


def test_a_wrong_key_stays_on_the_sign_in_page(tab: Tab) -> None:
    page = tab.sign_in("sg_this-is-not-a-key")
    sync_api.expect(page.get_by_role("alert")).to_have_text("That API key is unknown or revoked.")
    sync_api.expect(page.get_by_label("API key")).to_be_visible()
    assert "synthgen_session" not in [cookie["name"] for cookie in tab.context.cookies()]
    tab.checked()


def test_a_forged_cookie_is_refused(tab: Tab, server: Server) -> None:
    tab.sign_in(server.key)
    sync_api.expect(tab.page.get_by_role("heading", name="Projects")).to_be_visible()
    (session,) = [c for c in tab.context.cookies() if c["name"] == "synthgen_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    payload, _ = session["value"].split(".")
    forged = {**session, "value": f"{payload}.{'A' * 43}"}
    tab.context.clear_cookies()
    tab.context.add_cookies([forged])
    tab.page.goto("/dashboard/projects")
    sync_api.expect(tab.page.get_by_role("button", name="Sign in")).to_be_visible()


def test_another_owner_sees_nothing(browser: Any, server: Server) -> None:
    alice, bob = Tab(browser, server.base), Tab(browser, server.base)
    try:
        page = alice.sign_in(server.new_key("alice"))
        page.get_by_role("button", name="New project").click()
        page.get_by_label("Name").fill("Alice only")
        page.get_by_role("button", name="Create").click()
        sync_api.expect(page.get_by_role("heading", name="Alice only")).to_be_visible()
        project_url = page.url
        other = bob.sign_in(server.new_key("bob"))
        sync_api.expect(other.get_by_text("No projects yet.")).to_be_visible()
        response = other.goto(project_url)
        assert response is not None
        assert response.status == 404
        sync_api.expect(other.get_by_role("heading", name="Not found")).to_be_visible()
    finally:
        alice.context.close()
        bob.context.close()
