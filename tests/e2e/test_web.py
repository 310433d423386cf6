"""The web page in headless Chromium: log in with a token, watch jobs change live, open a job's tasks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from cloudinv.plugins.grpc_server import create_plugin_server
from tests.support.browser import chromium, require_browser
from tests.support.server import Server, cloudinv, running_server
from tests.support.slow_plugin import SlowPlugin

pytestmark = pytest.mark.e2e

DOMAIN = "domain-web0000000001"
SLOW_RESOURCES = 40  # one every 0.075 s: a job of about 3 s


@pytest.fixture
def slow_plugin() -> Iterator[str]:
    server, port = create_plugin_server(SlowPlugin(delay=0.075), "127.0.0.1:0")
    server.start()
    yield f"grpc://127.0.0.1:{port}"
    server.stop(grace=None)


def until(check: Callable[[], Any], timeout: float = 30, what: str = "the page") -> Any:
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except Exception:  # e.g. the element was replaced while being read: ask again
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Api:
    def __init__(self, server: Server, token: str) -> None:
        self.http = httpx.Client(base_url=server.rest_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def __call__(self, path: str, body: dict[str, Any]) -> Any:
        response = self.http.post(path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def collect(self, collector_id: str) -> str:
        return str(self("/inventory-v2/v1/collector/collect", {"collector_id": collector_id})["job_id"])

    def wait(self, job_id: str) -> dict[str, Any]:
        def ended() -> Any:
            job = self("/inventory-v2/v1/job/get", {"job_id": job_id})
            return job if job["status"] != "IN_PROGRESS" else None

        return dict(until(ended, what=f"{job_id} to end"))


def row_status(browser: Any, job_id: str) -> str | None:
    rows = browser.find_elements("css selector", f'tr[data-job-id="{job_id}"]')
    return rows[0].get_attribute("data-status") if rows else None


def test_a_job_goes_from_in_progress_to_success_live(tmp_path: Path, slow_plugin: str) -> None:
    require_browser()
    with running_server(tmp_path / "data") as server:
        token = cloudinv("token", "issue", "--domain-id", DOMAIN, "--role", "DOMAIN_ADMIN", data_dir=server.data_dir)
        api = Api(server, token.strip())
        slow = api("/inventory-v2/v1/collector/create", {
            "name": "slow cloud", "resource_group": "DOMAIN",
            "plugin_info": {"plugin_id": slow_plugin, "options": {"resources_per_task": SLOW_RESOURCES}},
        })["collector_id"]  # fmt: skip
        api("/secret/v1/secret/create", {"name": "acct", "schema_id": "synthetic", "data": {"account": "a"},
                                         "resource_group": "DOMAIN"})  # fmt: skip
        flaky = api("/inventory-v2/v1/collector/create", {
            "name": "flaky cloud", "provider": "synthetic", "resource_group": "DOMAIN",
            "plugin_info": {"plugin_id": "synthetic", "options": {"resources_per_task": 6, "failure_rate": 0.5}},
        })["collector_id"]  # fmt: skip
        failed_job = api.collect(flaky)
        assert api.wait(failed_job)["status"] == "FAILURE"

        with chromium() as browser:
            browser.get(f"{server.rest_url}/")
            until(lambda: browser.find_element("id", "token").is_displayed(), what="the login form")
            browser.find_element("id", "token").send_keys(token.strip())
            browser.find_element("id", "login-button").click()
            until(lambda: row_status(browser, failed_job) == "FAILURE", what="the job list")
            assert browser.find_element("id", "daily-chart").find_elements("css selector", "rect.bar.failure")
            browser.execute_script("window.notReloaded = true")

            # The list: a job started now shows IN_PROGRESS, and turns SUCCESS through its watch stream.
            job_id = api.collect(slow)
            browser.execute_script("location.hash = '#/jobs/ALL'")
            until(lambda: row_status(browser, job_id) == "IN_PROGRESS", timeout=5, what="the running job's row")
            until(lambda: row_status(browser, job_id) == "SUCCESS", what="the row to turn SUCCESS")
            assert browser.execute_script("return window.notReloaded") is True  # live, not reloaded

            # The job page: live as well, then its tasks and counts.
            second = api.collect(slow)
            browser.execute_script(f"location.hash = '#/job/{second}'")

            def status() -> str:
                return str(browser.find_element("css selector", "#job-status .badge").get_attribute("data-status"))

            until(lambda: status() == "IN_PROGRESS", timeout=5, what="the job page while it runs")
            until(lambda: status() == "SUCCESS", what="the job page to turn SUCCESS")
            task = until(lambda: browser.find_element("css selector", '#tasks tr[data-status="SUCCESS"]'))
            until(
                lambda: (
                    task.find_element("css selector", "td.created_count").text == str(SLOW_RESOURCES)
                    or browser.find_element("css selector", "#tasks td.updated_count").text == str(SLOW_RESOURCES)
                )
            )
            assert browser.execute_script("return window.notReloaded") is True
            screenshot = tmp_path / "job-page.png"
            browser.save_screenshot(str(screenshot))
            print(f"\nscreenshot of the job page: {screenshot}")

            # A failed job's page lists its task's errors (JobTask get_detail).
            browser.execute_script(f"location.hash = '#/job/{failed_job}'")
            errors = until(lambda: browser.find_element("css selector", "#tasks tr.errors"), what="the task's errors")
            assert "ERROR_PLUGIN" in errors.text and "synthetic failure of resource" in errors.text
            browser.execute_script("location.hash = '#/jobs/FAILURE'")
            until(lambda: row_status(browser, failed_job) == "FAILURE" and row_status(browser, job_id) is None)
            browser.save_screenshot(str(tmp_path / "failure-tab.png"))

        metrics = httpx.get(f"{server.rest_url}/metrics").text
    finished = {
        sample.labels["status"]: sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "cloudinv_jobs_finished_total"
    }
    assert finished == {"SUCCESS": 2, "FAILURE": 1, "CANCELED": 0}


def test_a_refused_token_stays_on_the_login_form(tmp_path: Path) -> None:
    require_browser()
    with running_server(tmp_path / "data") as server, chromium() as browser:
        browser.get(f"{server.rest_url}/")
        until(lambda: browser.find_element("id", "token").is_displayed(), what="the login form")
        browser.find_element("id", "token").send_keys("not-a-token")
        browser.find_element("id", "login-button").click()
        message = until(lambda: browser.find_element("id", "login-error").text, what="the login error")
        assert message.startswith("ERROR_AUTHENTICATE_FAILURE")
        assert browser.execute_script("return localStorage.getItem('cloudinv.token')") is None
