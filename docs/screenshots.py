"""Take the README's screenshots from a running demo with the browser tests' Chromium.

    make run                                   # in one terminal: the seeded demo
    .venv/bin/python docs/screenshots.py       # in another: writes docs/screenshots/*.png

Options: --base-url (default http://127.0.0.1:8000), --out (default docs/screenshots).
Signs in as the demo practitioner (seed_demo's priya) so the pages show a member's view.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's package, as tests/browser/conftest.py uses
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_EMAIL, DEMO_PASSWORD = "priya@demo.familyhubs.example", "family-hubs-demo"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def sign_in(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password", exact=False).first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Sign out").wait_for(state="attached")


def first_thread_url(page) -> str:
    page.goto("/?page=1")
    return page.locator(".thread-title").first.get_attribute("href") + "?page=1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(Path(__file__).parent / "screenshots"))
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            base_url=options.base_url, viewport=DESKTOP, locale="en-GB", color_scheme="light"
        )
        page = context.new_page()
        sign_in(page)
        thread = first_thread_url(page)
        shots = [
            ("home.png", "/", DESKTOP),
            ("thread.png", thread, DESKTOP),
            ("phone-home.png", "/", PHONE),
            ("phone-thread.png", thread, PHONE),
        ]
        for name, path, viewport in shots:
            page.set_viewport_size(viewport)
            page.goto(path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / name), animations="disabled")
            print(f"wrote {out / name}")
        # The phone's header menu, open.
        page.set_viewport_size(PHONE)
        page.goto("/")
        page.locator("summary.menu-button").click()
        page.screenshot(path=str(out / "phone-menu.png"), animations="disabled")
        print(f"wrote {out / 'phone-menu.png'}")
        browser.close()


if __name__ == "__main__":
    main()
