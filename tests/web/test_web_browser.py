"""Lesson 05's page in a real browser: Debian's Chromium driven by Playwright against the running app.

Each test starts the app on 127.0.0.1, replaying a recording, and reads the page as a student
would see it: the answer growing, Stop, the model's HTML kept inert, an error midway. The page
may only ever ask the app's own address; screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from running_app import answer_of, body_size, prompt_of, running_app, wait_for
from test_browser import ARTIFACTS, CHROMIUM_ARGS, TextOf, browser_path, words  # noqa: F401

from helpers.views.markdown_blocks import render_markdown
from helpers.web import BackgroundServer
from helpers.web.blocks import without_images

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(browser_path: Path) -> Iterator:  # noqa: F811 (the browser test's fixture: skips without Chromium, fails in CI)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(browser_path), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser, server: BackgroundServer, requests: list[str]):
    """The page, ready, with every URL it requests collected (and anything off the app's address aborted)."""
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.set_default_timeout(20_000)
    page.on("request", lambda request: requests.append(request.url))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url) else route.abort())
    page.goto(server.url)
    page.wait_for_selector("body[data-ready=true]")
    return page


def ask(page, prompt: str) -> None:
    page.fill("#prompt", prompt)
    page.click("#send")


def shown_text(page) -> str:
    return page.locator("#answer").inner_text()


def expected_words(name: str) -> str:
    return words("".join(TextOf(without_images(render_markdown(answer_of(name)))).parts))


def test_the_answer_grows_in_many_steps_and_ends_as_the_rendered_recording(browser):
    with running_app(speed=1) as server:
        page = open_page(browser, server, [])
        ask(page, prompt_of("web_markdown"))
        lengths = []
        while page.get_attribute("#answer", "data-state") == "streaming":
            lengths.append(len(shown_text(page)))
            time.sleep(0.1)
        page.screenshot(path=ARTIFACTS / "web-complete.png", full_page=True)
        assert page.get_attribute("#answer", "data-state") == "complete"
        growth = [b > a for a, b in itertools.pairwise(lengths)]
        assert sum(growth) >= 5, f"the answer did not grow in steps: {lengths}"
        assert all(b >= a for a, b in itertools.pairwise(lengths)), f"the answer shrank: {lengths}"
        assert words(page.locator("#answer").text_content() or "") == expected_words("web_markdown")
        assert page.locator("#answer h2").count() == 1 and page.locator("#answer pre code").count() == 1
        assert page.locator("#answer a[href^='https://developer.mozilla.org']").get_attribute("rel") == "noopener noreferrer"
        assert int(page.get_attribute("#answer", "data-draws") or 0) > 5
        assert "Complete (stop reason: end_turn; 314 output tokens)" in page.inner_text("#status")


def test_stop_halts_the_answer_keeps_it_and_the_server_closes_the_upstream(browser):
    with running_app(speed=1) as server:
        page = open_page(browser, server, [])
        ask(page, prompt_of("web_long"))
        page.wait_for_function("() => document.querySelector('#answer').innerText.length > 200")
        page.click("#stop")
        page.wait_for_selector("#answer[data-state=stopped]")
        at_stop = shown_text(page)
        outcome = wait_for(lambda: server.app.state.relayed[-1] if server.app.state.relayed else None, "the relay to end")
        time.sleep(1.0)  # the recording would have sent more by now
        page.screenshot(path=ARTIFACTS / "web-stopped.png", full_page=True)
        assert shown_text(page) == at_stop and len(at_stop) > 200, "the partial answer must stay, and stop growing"
        assert "Stopped" in page.inner_text("#status")
        assert page.is_enabled("#send") and not page.is_enabled("#stop")
    assert outcome.ended == "page left" and outcome.upstream_closed is True
    assert outcome.upstream_bytes < body_size("web_long") / 2, f"read {outcome.upstream_bytes} of {body_size('web_long')} bytes"


def test_the_models_html_runs_nothing_and_loads_nothing(browser):
    requests: list[str] = []
    with running_app(speed=0) as server:
        page = open_page(browser, server, requests)
        ask(page, prompt_of("web_untrusted"))
        page.wait_for_selector("#answer[data-state=complete]")
        page.screenshot(path=ARTIFACTS / "web-untrusted.png", full_page=True)
        text = shown_text(page)
        assert '<script>window.injected = "script tag"</script>' in text
        assert '<img src="/pixel.png" onerror="window.injected = \'img onerror\'">' in text
        assert page.evaluate("() => window.injected") is None, "the model's HTML ran in the page"
        assert page.locator("#answer img, #answer script, #answer [onerror]").count() == 0
        assert page.locator("#answer a[href^='javascript']").count() == 0
        assert page.locator("#answer a.image-link").get_attribute("href") == "/pixel.png?from=markdown"
    assert [url for url in requests if "pixel" in url] == [], "an image loaded by itself"
    assert all(url.startswith(server.url) for url in requests), requests


def test_an_error_midway_keeps_the_partial_answer_marks_it_interrupted_and_offers_retry(browser):
    with running_app(speed=0, fault="error@after=40") as server:
        page = open_page(browser, server, [])
        ask(page, prompt_of("web_markdown"))
        page.wait_for_selector("#answer[data-state=interrupted]")
        page.screenshot(path=ARTIFACTS / "web-interrupted.png", full_page=True)
        partial = words(page.locator("#answer").text_content() or "")
        assert 0 < len(partial) < len(expected_words("web_markdown"))
        assert expected_words("web_markdown").startswith(partial[:40])
        assert "Overloaded (overloaded_error)" in page.inner_text("#status")
        assert page.is_visible("#retry")
        page.click("#retry")  # the same request again, and the same fault again: a new partial answer, interrupted again
        page.wait_for_selector("#answer[data-state=interrupted]")
        assert server.app.state.relayed[-1].ended == "error: overloaded_error" and len(server.app.state.relayed) == 2


def test_reveal_when_complete_shows_nothing_until_the_answer_is_whole(browser):
    with running_app(speed=2) as server:
        page = open_page(browser, server, [])
        page.select_option("#reveal", "complete")
        ask(page, prompt_of("web_markdown"))
        page.wait_for_function("() => document.querySelector('#answer').textContent.length > 100")
        assert shown_text(page).strip() == "" and page.is_visible("#withheld")
        page.wait_for_selector("#answer[data-state=complete]")
        assert words(shown_text(page)) == expected_words("web_markdown") and not page.is_visible("#withheld")
