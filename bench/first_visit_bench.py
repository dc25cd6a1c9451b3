"""What a board member's first and repeat visits to the overview transfer, compressed, in Chromium.

Against a server run as in production (hashed, precompressed static files):

    SECRET_KEY=... DEBUG= STATIC_ROOT=/tmp/st ALLOWED_HOSTS=127.0.0.1 \\
        .venv/bin/python manage.py collectstatic --noinput
    SECRET_KEY=... DEBUG= STATIC_ROOT=/tmp/st ALLOWED_HOSTS=127.0.0.1 INSECURE_LOCAL_HTTP=1 \\
        .venv/bin/gunicorn -c gunicorn.conf.py --bind 127.0.0.1:8001 sct_monitor.wsgi &
    .venv/bin/python bench/first_visit_bench.py http://127.0.0.1:8001 board board-demo-pass

Prints every response with the bytes it took on the wire (headers and compressed body); the
repeat visit should fetch no static file at all.
"""

import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


def main(base: str, username: str, password: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.clearBrowserCache")  # the first visit starts from nothing cached
        seen: dict[str, dict] = {}

        def received(event: dict) -> None:
            headers = {name.lower(): value for name, value in event["response"]["headers"].items()}
            seen.setdefault(event["requestId"], {}).update(
                url=event["response"]["url"].removeprefix(base), encoding=headers.get("content-encoding", "")
            )

        def finished(event: dict) -> None:
            seen.setdefault(event["requestId"], {}).update(bytes=event["encodedDataLength"])

        cdp.on("Network.responseReceived", received)
        cdp.on("Network.loadingFinished", finished)
        for visit in ("first visit", "repeat visit"):
            seen.clear()
            page.goto(f"{base}/")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(500)
            fetched = [r for r in seen.values() if r.get("url") and r.get("bytes")]
            static = [r for r in fetched if r["url"].startswith("/static/")]
            print(f"{visit}: {sum(r['bytes'] for r in fetched) / 1024:.0f} KB in {len(fetched)} responses "
                  f"({len(static)} static files)")  # fmt: skip
            for r in fetched:
                print(f"    {r['bytes'] / 1024:7.1f} KB  {r['encoding'] or 'identity':8} {r['url']}")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
