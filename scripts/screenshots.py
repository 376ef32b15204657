"""Takes the README's screenshots from a running demo (scripts/screenshots).

Logs in to Odoo with JSON-RPC (/web/session/authenticate), finds the records
to show through the same session (a formal notice waiting for validation,
a dispute, a payment plan, an agency case, a debtor's signed link...), then
drives a headless Chromium through the Chrome DevTools protocol (the
``websocket-client`` package Odoo's own browser tests use): the session
cookie is set, each screen is opened by its URL, the page is left to settle
(no request in flight, no loading indicator, nothing changing), a tab is
clicked when the screen needs it, and the viewport is saved as a PNG.

    python3 screenshots.py URL DB OUTPUT_DIR [NAME ...]

Run through scripts/screenshots, which finds the interpreter and Chromium.
Environment: SCREENSHOTS_LOGIN / SCREENSHOTS_PASSWORD (admin / admin),
SCREENSHOTS_SIZE (1280x800), CHROMIUM (chromium, then google-chrome).
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import requests
import websocket

ACTION = "/odoo/action-recouvrement_amiable.{}"
# The screens, in the order they are taken (doc/screenshot-<name>.png).
NAMES = (
    "debtor-account-page",
    "worklist",
    "invoices-in-recovery",
    "cockpit-dashboard",
    "reminder",
    "reminder-document",
    "dispute",
    "payment-plan",
    "agency-case",
    "customer-recouvrement-tab",
)
# Requests whose end the page does not wait for: the bus's shared worker
# loads its script in its own target, the page never sees it finish.
NOT_AWAITED = ("/bus/websocket_worker_bundle",)
# Screens taller than the others (height in pixels): the customer's tab
# with its history.
HEIGHTS = {"customer-recouvrement-tab": 1200}
# What shows while the web client is busy.
BUSY = ".o_loading_indicator, .o_blockUI:not(.o_blockUI_invisible), .o_spinner"


class Odoo:
    """JSON-RPC with the web client's session (the cookie Chromium gets)."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.http = requests.Session()
        try:
            result = self._rpc(
                "/web/session/authenticate",
                {"db": db, "login": login, "password": password},
            )
        except requests.ConnectionError:
            sys.exit(f"No Odoo answers at {url}: serve the demo first (scripts/demo).")
        if not result.get("uid"):
            sys.exit(f"Cannot log in to {url} (database {db}) as {login}.")
        self.session_id = self.http.cookies["session_id"]
        self.uid = result["uid"]

    def _rpc(self, path, params):
        response = self.http.post(
            self.url + path,
            json={"jsonrpc": "2.0", "method": "call", "params": params},
            timeout=120,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            message = body["error"].get("data", {}).get("message") or body["error"]
            sys.exit(f"{path}: {message}")
        return body["result"]

    def call(self, model, method, *args, **kwargs):
        return self._rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def first(self, model, *domains, order="id desc"):
        """The id of the first record found by the first domain that finds
        one (fallbacks when a demo lacks the ideal example), or None."""
        for domain in domains:
            ids = self.call(model, "search", domain, limit=1, order=order)
            if ids:
                return ids[0]
        return None


class Browser:
    """A headless Chromium spoken to through the DevTools protocol."""

    def __init__(self, width, height):
        binary = os.environ.get("CHROMIUM") or next(
            filter(None, map(shutil.which, ("chromium", "google-chrome"))), None
        )
        if not binary:
            sys.exit("No Chromium found: install Debian's chromium package.")
        self.profile = tempfile.mkdtemp(prefix="recouvrement-screenshots-")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",  # root in a container has no user namespace
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile, "DevToolsActivePort")
        for _ in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        else:
            self.close()
            sys.exit(f"{binary} did not start its DevTools server.")
        port = port_file.read_text().split()[0]
        pages = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        target = next(p for p in pages if p["type"] == "page")
        self.ws = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0
        self.in_flight = {}
        self.errors = []
        self.logged_in = False
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Runtime.enable")
        self.resize(width, height)

    def resize(self, width, height):
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not any(path in url for path in NOT_AWAITED):
                self.in_flight[params["requestId"]] = url
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            self.in_flight.pop(params["requestId"], None)
        elif method == "Runtime.exceptionThrown":
            self.errors.append(params["exceptionDetails"].get("text", ""))

    def _pump(self, timeout):
        """Read the events that arrive within ``timeout`` seconds."""
        self.ws.settimeout(timeout)
        try:
            while True:
                self._event(json.loads(self.ws.recv()))
        except websocket.WebSocketTimeoutException:
            pass

    def send(self, method, **params):
        self.next_id += 1
        self.ws.settimeout(60)
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        return result.get("result", {}).get("value")

    def settle(self, ready="true", timeout=30):
        """Wait until the page is loaded, ``ready`` (a JS expression) holds,
        no request is in flight, no loading indicator shows and the page's
        text has not changed for a second."""
        deadline = time.monotonic() + timeout
        quiet_since, last = None, None
        probe = (
            f"document.readyState === 'complete' && !document.querySelector({BUSY!r})"
            f" && Boolean({ready}) ? document.body.innerText.length : -1"
        )
        while time.monotonic() < deadline:
            self._pump(0.25)
            state = self.evaluate(probe)
            if state is None or state < 0 or self.in_flight or state != last:
                quiet_since, last = None, state
                continue
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= 1.0:
                self._pump(0.5)  # animations (charts, fades) end
                return True
        return False

    def open(self, url, ready="true"):
        self.in_flight.clear()
        self.send("Page.navigate", url=url)
        self._pump(0.5)
        return self.settle(ready)

    def capture(self, path):
        # Toasts are not part of the screen (e.g. the bus's "page outdated"
        # when the server restarted since the page's assets were built).
        self.evaluate(
            "document.head.insertAdjacentHTML('beforeend',"
            " '<style>.o_notification_manager {display: none !important}</style>')"
        )
        data = self.send("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def close(self):
        if getattr(self, "ws", None):
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def tab(name, scroll=False):
    """A JS expression opening the notebook page ``name`` of a form (and,
    with ``scroll``, scrolling the form up to the notebook)."""
    selector = f".o_notebook_headers a[name='{name}']"
    return (
        f"(() => {{ const e = document.querySelector({selector!r});"
        " if (!e) return false; e.click();"
        + (
            " e.closest('.o_notebook').scrollIntoView({block: 'start'});"
            if scroll
            else ""
        )
        + " return true; })()"
    )


def set_date(field, value):
    """A JS expression typing ``value`` in the date field ``field``."""
    selector = f".o_field_widget[name='{field}'] input"
    return (
        f"(() => {{ const i = document.querySelector({selector!r});"
        f" if (!i) return false; i.value = {value!r};"
        " i.dispatchEvent(new Event('input', {bubbles: true}));"
        " i.dispatchEvent(new Event('change', {bubbles: true})); return true; })()"
    )


def six_months_ago(odoo):
    """The first day of the month five months back (six months of figures),
    in the date format of the user's language."""
    lang = odoo.call("res.users", "read", [odoo.uid], ["lang"])[0]["lang"]
    lang_ids = odoo.call("res.lang", "search", [("code", "=", lang)], limit=1)
    fmt = odoo.call("res.lang", "read", lang_ids, ["date_format"])[0]["date_format"]
    today = date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - 5, 12)
    return date(year, month + 1, 1).strftime(fmt)


def screens(odoo):
    """(name, path, JS to run once the page has settled or None, CSS
    selector of what the page must show), for the records of this database:
    the file is doc/screenshot-<name>.png."""
    action = odoo.first(
        "recouvrement.action",
        [("state", "=", "to_validate"), ("channel", "=", "formal_notice")],
        [("channel", "=", "formal_notice")],
        [("channel", "=", "letter")],
        [("channel", "=", "email")],
    )
    dispute = odoo.first(
        "recouvrement.dispute",
        [("state", "=", "resolved_justified")],
        [("state", "in", ("open", "in_progress"))],
        [],
    )
    state = dispute and read(odoo, "recouvrement.dispute", dispute, "state")
    plan = odoo.first(
        "recouvrement.plan",
        [("state", "=", "active")],
        [("state", "=", "broken")],
        [("state", "=", "done")],
        [],
    )
    case = odoo.first(
        "recouvrement.case",
        [("state", "in", ("sent", "in_progress"))],
        [],
    )
    # The customer of that reminder: its history climbs the ladder.
    partner = action and read(odoo, "recouvrement.action", action, "partner_id")[0]
    valid = [("revoked", "=", False), ("expires_on", ">=", str(date.today()))]
    access = odoo.first(
        "recouvrement.portal.access",
        [*valid, ("partner_id.is_company", "=", True)],
        valid,
    )
    token = access and read(odoo, "recouvrement.portal.access", access, "token")
    form, view = ".o_form_view .o_form_sheet", ".o_view_controller"
    found = [
        ("worklist", ACTION.format("action_recouvrement_worklist"), None, view),
        (
            "invoices-in-recovery",
            ACTION.format("action_recouvrement_invoices") + "?view_type=kanban",
            None,
            view,
        ),
        (
            "cockpit-dashboard",
            ACTION.format("action_recouvrement_kpi_dashboard"),
            set_date("date_from", six_months_ago(odoo)),
            form,
        ),
    ]
    if action:
        found.append(("reminder", record("action", action), tab("message"), form))
        report = odoo.call("recouvrement.action", "action_preview_document", [action])
        # Until the company's document layout is set, Odoo asks for it first.
        report = report.get("context", {}).get("report_action") or report
        if report.get("report_name"):
            url = f"/report/html/{report['report_name']}/{action}"
            found.append(("reminder-document", url, None, "body"))
    if dispute:
        # The Resolution tab shows once the dispute is closed.
        then = tab("resolution") if state not in ("open", "in_progress") else None
        found.append(("dispute", record("dispute", dispute), then, form))
    if plan:
        found.append(("payment-plan", record("plan", plan), tab("schedule"), form))
    if case:
        found.append(("agency-case", record("case", case), None, form))
    if partner:
        url = f"/odoo/action-account.res_partner_action_customer/{partner}"
        found.append(
            ("customer-recouvrement-tab", url, tab("recouvrement", scroll=True), form)
        )
    if token:
        url = f"/recouvrement/account/{token}"
        found.append(("debtor-account-page", url, None, "body"))
    return found


def read(odoo, model, res_id, field):
    return odoo.call(model, "read", [res_id], [field])[0][field]


def record(model, res_id):
    return ACTION.format(f"action_recouvrement_{model}/{res_id}")


def main(url, db, output, names):
    url = url.rstrip("/")
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        sys.exit(f"Unknown screens: {', '.join(unknown)}; known: {', '.join(NAMES)}")
    width, height = map(int, os.environ.get("SCREENSHOTS_SIZE", "1280x800").split("x"))
    odoo = Odoo(
        url,
        db,
        os.environ.get("SCREENSHOTS_LOGIN", "admin"),
        os.environ.get("SCREENSHOTS_PASSWORD", "admin"),
    )
    names = names or NAMES
    todo = [s for s in screens(odoo) if s[0] in names]
    todo.sort(key=lambda s: NAMES.index(s[0]))
    Path(output).mkdir(parents=True, exist_ok=True)
    browser = Browser(width, height)
    failed = []
    try:
        # The debtor's page, first, is seen as the debtor sees it: without
        # the collector's session, through the signed link alone.
        for name, path, then, ready in todo:
            if name != "debtor-account-page" and not browser.logged_in:
                browser.send(
                    "Network.setCookie",
                    name="session_id",
                    value=odoo.session_id,
                    url=url,
                    httpOnly=True,
                )
                browser.logged_in = True
            started = time.monotonic()
            browser.resize(width, HEIGHTS.get(name, height))
            ok = browser.open(url + path, f"document.querySelector({ready!r})")
            if ok and then:
                ok = browser.evaluate(then) and browser.settle()
            target = Path(output, f"screenshot-{name}.png")
            browser.capture(target)
            took = time.monotonic() - started
            status = "" if ok else "  (did not settle: check it)"
            print(f"{target} {took:.1f} s{status}")
            if not ok:
                failed.append(name)
    finally:
        browser.close()
    if browser.errors:
        print("JavaScript errors:", *sorted(set(browser.errors)), sep="\n  ")
    missing = sorted(set(names) - {s[0] for s in todo})
    if missing:
        print("Not found in this database:", ", ".join(missing))
    return 1 if failed or missing else 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
