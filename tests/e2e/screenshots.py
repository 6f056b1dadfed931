"""Screenshots of the dashboard's main pages, for docs/dashboard.md and the README.

``python -m tests.e2e.screenshots docs/images`` starts its own ``synthgen serve`` (embedded
defaults, a temporary data dir), fills a project through the pages themselves (a Gaussian
copula, then a CTGAN trained for 3 epochs for its loss curve) and saves one PNG per page.
The browser tests call :func:`capture` on their own server, so the script stays working.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import requests

from tests.e2e.processes import Launcher, free_port, key_from, wait_for
from tests.shared_data import DATASETS

CHROMIUM = "/usr/bin/chromium"
TABLE = DATASETS / "taxis.csv"
#: File name -> what it shows, in the order the pages are visited.
PAGES = {
    "sign-in.png": "the sign-in page",
    "projects.png": "the projects page",
    "train.png": "the train form",
    "model.png": "a model's page, once trained",
    "generate.png": "the generate form, with a condition picked",
    "job.png": "a generation's page, with its downloads and report",
    "project.png": "a project with a dataset and a model",
    "dataset.png": "a dataset version's columns",
    "loss-curve.png": "a CTGAN's page after 3 epochs, with its loss curve",
    "model-types.png": "the model types with their options and defaults",
}


def generate(base_url: str, key: str, model_id: str) -> None:
    """Generate 500 rows through the REST API and wait for the job (and its report)."""
    auth = {"Authorization": f"Bearer {key}"}
    url = f"{base_url}/api/synthgen/models/{model_id}/generate"
    created = requests.post(url, json={"num_rows": 500, "seed": 1}, headers=auth, timeout=30)
    assert created.status_code in (200, 201, 202), created.text
    job_url = f"{base_url}/api/synthgen/jobs/{created.json()['synthgen_job_id']}"

    def done() -> bool:
        status = requests.get(job_url, headers=auth, timeout=10).json()["status"]
        assert status not in ("failed", "cancelled"), status
        return bool(status == "completed")

    wait_for(done, 120, "the generation to complete")


def _shoot(page: Any, out: Path, name: str, full_page: bool = True) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / name), full_page=full_page)


def _choose(page: Any, model_type: str, option: str) -> None:
    """Pick a model type on the train form and wait for one of its options to show."""
    page.wait_for_load_state("load")  # htmx listens from DOMContentLoaded on
    with page.expect_response(lambda response: "/train?" in response.url):
        page.get_by_label("Model type").select_option(model_type)
    page.get_by_label(option, exact=True).wait_for()


def _loss_curve(page: Any, out: Path) -> None:
    """Train a CTGAN for 3 epochs from the project page and shoot its loss curve."""
    page.get_by_role("button", name="Train model").click()
    _choose(page, "ctgan", "epochs")
    page.get_by_label("Name").fill("CTGAN, 3 epochs")
    page.get_by_label("epochs", exact=True).fill("3")
    page.get_by_role("button", name="Train", exact=True).click()
    page.locator("[data-status=ready]").wait_for(timeout=300_000)
    _shoot(page, out, "loss-curve.png")


def _generate_cash_trips(page: Any, out: Path) -> None:
    """From a model's page: the generate form with a condition, then the finished job."""
    page.get_by_role("button", name="Generate").click()
    page.get_by_label("Rows").fill("500")
    page.get_by_label("payment", exact=True).select_option("cash")
    _shoot(page, out, "generate.png")
    page.get_by_role("button", name="Generate").click()
    page.locator("[data-status=completed]").wait_for(timeout=120_000)
    _shoot(page, out, "job.png")


def _tour(page: Any, key: str, out: Path) -> None:
    """Sign in, make a project with data and a trained model, shooting each page."""
    page.goto("/")
    _shoot(page, out, "sign-in.png")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="New project").click()
    page.get_by_label("Name").fill("Taxi trips")
    page.get_by_role("button", name="Create").click()
    page.get_by_role("button", name="Upload dataset").click()
    page.get_by_label("Name").fill("Trips")
    page.get_by_label("File").set_input_files(str(TABLE))
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("button", name="Train model").click()
    _choose(page, "gaussian_copula", "numerical_distribution")
    page.get_by_label("Name").fill("Copula, first try")
    _shoot(page, out, "train.png")
    page.get_by_role("button", name="Train", exact=True).click()
    page.locator("[data-status=ready]").wait_for(timeout=120_000)
    generate(page.url.split("/dashboard/")[0], key, page.url.rsplit("/", 1)[1])
    page.reload()
    _shoot(page, out, "model.png")
    model_url = page.url
    _generate_cash_trips(page, out)
    page.goto(model_url)
    page.get_by_role("link", name="Taxi trips").click()
    _shoot(page, out, "project.png")
    page.get_by_role("link", name="Trips").click()
    _shoot(page, out, "dataset.png")
    page.go_back()
    _loss_curve(page, out)
    page.get_by_role("link", name="Model types").click()
    _shoot(page, out, "model-types.png", full_page=False)  # the first type is enough
    page.goto("/dashboard/projects")
    _shoot(page, out, "projects.png")


def capture(base_url: str, key: str, out: Path, browser: Any = None) -> list[Path]:
    """Save the screenshots of :data:`PAGES` under ``out``; returns their paths.

    ``browser``: a launched Playwright browser to use (the tests'); else one is launched.
    """
    out.mkdir(parents=True, exist_ok=True)
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                return capture(base_url, key, out, launched)
            finally:
                launched.close()
    context = browser.new_context(base_url=base_url, viewport={"width": 1100, "height": 700})
    try:
        _tour(context.new_page(), key, out)
    finally:
        context.close()
    return [out / name for name in PAGES]


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        launcher = Launcher(Path(tmp) / "logs")
        port = free_port()
        env = launcher.env(SYNTHGEN_DATA_DIR=str(Path(tmp) / "data"), SYNTHGEN_PORT=str(port))
        try:
            key = key_from(launcher.serve(env))
            base = f"http://127.0.0.1:{port}"
            wait_for(lambda: requests.get(f"{base}/ready", timeout=2).ok, 60, "the service")
            for path in capture(base, key, out):
                print(path)
        finally:
            launcher.stop_all()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
