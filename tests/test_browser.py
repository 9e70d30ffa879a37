"""The HTML check report in a real headless Chromium: the script runs, deep links, keys and clicks open
the detail boxes, nothing injected from the document runs, and a draft reads as a document.

Two ways to drive the browser, neither needing a Python package: `--dump-dom` for the page as loaded,
and the DevTools protocol over `--remote-debugging-pipe` for key presses, clicks and a screenshot
(`--screenshot` does not follow the page's own scrolling to a #m-N link).
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO
from test_htmlreport import DRAFT_ONLY, INJECTION, SAMPLE_DRAFT, SAMPLE_TEXT, Page, sample_report

from drafter.check.engine import run_check
from drafter.check.review_page import render_html
from drafter.document import parse_draft

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
BROWSER = next((found for name in BROWSERS if (found := shutil.which(name))), None)
TIMEOUT = 60
# No network at all: the report has no external assets, and the browser must not phone home.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-dev-shm-usage", "--disable-crash-reporter",
         "--no-default-browser-check")

if BROWSER is None and os.environ.get("DRAFTER_REQUIRE_BROWSER"):
    # CI installs chromium and sets this: a browser test that silently skipped would prove nothing.
    raise RuntimeError("DRAFTER_REQUIRE_BROWSER is set but no chromium/chrome binary was found")

pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="没有找到 chromium / chromium-browser / google-chrome，跳过浏览器测试"
                            "（Debian：apt-get install chromium fonts-noto-cjk）")
needs_posix = pytest.mark.skipif(os.name != "posix", reason="DevTools 管道需要 POSIX 文件描述符")


def stop(proc: subprocess.Popen) -> None:
    """End the browser and the helper processes of its session (all started by this test)."""
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    else:
        proc.kill()
    proc.wait()


def headless(tmp_path: Path, url: str, *args: str) -> str:
    """Run the browser headless on url with args; return its stdout (the DOM with --dump-dom)."""
    command = [BROWSER, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000",
               *args, url]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            encoding="utf-8", errors="replace", start_new_session=os.name == "posix")
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"浏览器 {TIMEOUT} 秒内没有结束")
    finally:
        stop(proc)
    return out


class DevTools:
    """A page in headless Chromium driven over the DevTools protocol (JSON messages ending in NUL)."""

    def __init__(self, tmp_path: Path):
        to_browser, commands = os.pipe()
        replies, from_browser = os.pipe()

        def fds_3_and_4():
            # The browser reads commands from fd 3 and writes replies to fd 4.
            read, write = os.dup(to_browser), os.dup(from_browser)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.proc = subprocess.Popen(
            [BROWSER, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={tmp_path / 'profile'}",
             "about:blank"], preexec_fn=fds_3_and_4, close_fds=False, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)
        self.commands, self.replies = commands, replies
        self.buffer, self.last, self.events = b"", 0, []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Emulation.setDeviceMetricsOverride", width=1200, height=900, deviceScaleFactor=1,
                  mobile=False)
        self.send("Page.enable")

    def close(self) -> None:
        """Close the browser and its pipes."""
        try:
            self.call("Browser.close")
        except (OSError, EOFError, TimeoutError, RuntimeError):
            pass
        stop(self.proc)
        os.close(self.commands)
        os.close(self.replies)

    def call(self, method: str, session: str | None = None, **params) -> dict:
        """Send a command and return its result."""
        self.last += 1
        message = {"id": self.last, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.last:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def send(self, method: str, **params) -> dict:
        """A command to the page."""
        return self.call(method, self.session, **params)

    def receive(self) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                raise TimeoutError(f"浏览器 {TIMEOUT} 秒内没有回应")
            chunk = os.read(self.replies, 1 << 16)
            if not chunk:
                raise EOFError("浏览器退出了")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self.events.clear()
        self.send("Page.navigate", url=url)
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self.receive())

    def js(self, expression: str):
        """Evaluate expression in the page and return its value."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def key(self, key: str, code: int) -> None:
        """Press and release a key, as the keyboard would."""
        name = {" ": "Space"}.get(key, key)
        for kind in ("rawKeyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=name, windowsVirtualKeyCode=code)

    def mouse(self, kind: str, x: float, y: float) -> None:
        """Move the mouse to, or click at, a point of the viewport."""
        if kind == "click":
            for event in ("mousePressed", "mouseReleased"):
                self.send("Input.dispatchMouseEvent", type=event, x=x, y=y, button="left", clickCount=1)
        else:
            self.send("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)

    def center(self, element_id: str) -> tuple[float, float]:
        """The viewport point at the middle of an element's first line box."""
        # A mention wrapped over two lines has a bounding box whose middle is outside the text.
        return tuple(self.js(f"(r => [r.left + r.width / 2, r.top + r.height / 2])"
                             f"(document.getElementById('{element_id}').getClientRects()[0])"))

    def state(self, mention: str) -> dict:
        """What the reviewer sees of one mention: its box open or not, focus, and the page's link."""
        return self.js(f"""(() => {{ const m = document.getElementById('{mention}');
            const d = document.getElementById('d-{mention}');
            return {{open: !d.hidden, expanded: m.getAttribute('aria-expanded'), hash: location.hash,
                     focused: document.activeElement === m, text: d.innerText,
                     visible: d.getBoundingClientRect().top < innerHeight}}; }})()""")


@pytest.fixture
def devtools(tmp_path):
    browser = DevTools(tmp_path)
    yield browser
    browser.close()


def write_report(tmp_path: Path, text: str, name: str = "总结.txt") -> tuple[Path, object]:
    """Check text (saved as name) against the sample facts and write report.html; return (path, report)."""
    report, text = sample_report(tmp_path, text, name)
    page = tmp_path / "report.html"
    page.write_text(render_html(report, text, document_name=name, facts_name="facts.yaml"),
                    encoding="utf-8")
    return page, report


def mention_id(report, text: str) -> str:
    """The element id of the first mention written as text."""
    return next(f"m-{n}" for n, m in enumerate(report.mentions, 1) if m.text == text)


def test_browser_deep_link_opens_the_detail_box(tmp_path):
    path, report = write_report(tmp_path, SAMPLE_TEXT)
    target = mention_id(report, "11篇")
    dom = Page(headless(tmp_path, f"{path.as_uri()}#{target}", "--dump-dom"))
    assert "js" in dom.find("html")[0].get("class", "").split(), "报告中的脚本没有运行"
    # Highlights and summary as the reviewer sees them, after the script ran.
    per_verdict: dict[str, int] = {}
    for h in dom.highlights:
        per_verdict[h["data-verdict"]] = per_verdict.get(h["data-verdict"], 0) + 1
    assert per_verdict == {k: v for k, v in report.counts.items() if v} | {"placeholder": 2}
    counts = {k: int(dom.text(f"count-{k}")) for k in [*report.counts, "placeholder"]}
    assert counts == {**report.counts, "placeholder": 2}
    assert dom.text("result") == f"有 {len(report.flagged)} 处需要核对"
    # The linked mention is open and says what it was compared with, where, and why.
    assert "hidden" not in dom.find("div", id=f"d-{target}")[0]
    detail = dom.text(f"d-{target}")
    assert "张冠李戴" in detail and "facts.yaml:11" in detail
    assert "市级媒体刊登信息36篇，省级媒体刊登信息11篇" in detail
    assert dom.find("span", id=target)[0]["aria-expanded"] == "true"
    others = [a for a in dom.find("div") if a.get("id", "").startswith("d-") and a["id"] != f"d-{target}"]
    assert others and all("hidden" in a for a in others)


def test_browser_injected_markup_does_not_run(tmp_path):
    path, _ = write_report(tmp_path, SAMPLE_TEXT + INJECTION)
    out = headless(tmp_path, path.as_uri(), "--dump-dom")
    dom = Page(out)
    classes = dom.find("html")[0].get("class", "").split()
    assert "js" in classes, "报告中的脚本没有运行"
    assert "pwned" not in classes  # what the injected onerror would have set
    assert "<title>数字核对报告：总结.txt</title>" in out  # the injected script would have set PWNED
    assert dom.find("img") == [] and len(dom.find("script")) == 1
    assert "<script>document.title='PWNED'</script>" in "".join(dom.doc_text)


@needs_posix
def test_browser_keyboard_opens_and_closes_details(tmp_path, devtools):
    path, report = write_report(tmp_path, SAMPLE_TEXT)
    devtools.open(path.as_uri())
    devtools.key("Tab", 9)
    assert devtools.js("document.activeElement.id") == "p-1"  # mentions are in the tab order
    target = mention_id(report, "11篇")
    devtools.js(f"document.getElementById('{target}').focus()")
    devtools.key("Enter", 13)
    state = devtools.state(target)
    assert state["open"] and state["expanded"] == "true" and state["hash"] == f"#{target}"
    assert "facts.yaml:11" in state["text"] and "张冠李戴" in state["text"] and state["visible"]
    devtools.key("Escape", 27)
    state = devtools.state(target)
    assert not state["open"] and state["focused"] and state["hash"] == ""
    devtools.key(" ", 32)
    assert devtools.state(target)["open"]
    devtools.key("Enter", 13)
    assert not devtools.state(target)["open"]


@needs_posix
def test_browser_hover_click_and_link_open_details(tmp_path, devtools):
    path, report = write_report(tmp_path, SAMPLE_TEXT)
    devtools.open(path.as_uri())
    hovered, clicked = mention_id(report, "25人次"), mention_id(report, "11篇")
    devtools.mouse("move", *devtools.center(hovered))
    assert devtools.state(hovered)["open"]
    devtools.mouse("move", 5, 890)
    assert not devtools.state(hovered)["open"]  # a hover box closes when the mouse leaves
    devtools.mouse("click", *devtools.center(clicked))
    assert devtools.state(clicked)["open"]
    devtools.mouse("move", 5, 890)
    assert devtools.state(clicked)["open"]  # a clicked box stays
    devtools.mouse("click", 5, 890)
    assert not devtools.state(clicked)["open"]
    derived = mention_id(report, "9.5分")
    devtools.js(f"location.hash = '#{derived}'")
    state = devtools.state(derived)
    assert state["open"] and "可推算" in state["text"] and "85.5分 − 76.0分" in state["text"]


@needs_posix
def test_browser_draft_reads_as_a_document_with_the_report_line_numbers(tmp_path, devtools, run):
    # A new user's first day: an offline draft with one wrong number, and its review page.
    facts = tmp_path / "篇一.yaml"
    shutil.copyfile(FIXTURES / "facts" / "篇一.yaml", facts)
    draft = tmp_path / "草稿.md"
    assert run("draft", facts, "-o", draft).exit_code == 0
    text = draft.read_text(encoding="utf-8")
    draft.write_text(text.replace("<!-- section: intro -->\n", "<!-- section: intro -->\n全乡新建宣传栏99个。", 1),
                     encoding="utf-8")
    page = tmp_path / "核对 报告.html"
    assert run("check", draft, "--format", "html", "-o", page).exit_code == 1
    meta = parse_draft(text).meta
    devtools.open(page.as_uri())
    seen = devtools.js("""(() => { const lines = [...document.querySelectorAll('#doc .ln')];
        return {page: document.body.innerText, doc: document.getElementById('doc').innerText,
                lines: lines.map(e => [e.tagName, e.className, e.dataset.line || null, e.innerText,
                                       getComputedStyle(e).textAlign,
                                       getComputedStyle(e, '::before').content])}; })()""")
    assert [marker for marker in DRAFT_ONLY if marker in seen["doc"]] == []
    assert meta["facts_sha256"] not in seen["page"] and "backend" not in seen["page"]
    title, *rest = seen["lines"]
    assert title[:4] == ["H3", "ln k-title", "47", meta["title"]] and title[4] == "center"
    headings = [line[3] for line in rest if line[0] == "H4"]
    assert headings[0] == "一、" + meta["sections"]["leadership"]["title"] and len(headings) == 6
    file_lines = draft.read_text(encoding="utf-8").split("\n")
    for _, _, number, shown, _, gutter in seen["lines"]:
        # Each line shows its number in the margin: the line of the file the text report names.
        assert gutter.startswith(f'"{number}"') and file_lines[int(number) - 1].endswith(shown)
        assert not shown.startswith(("#", "<!--", " "))
    report = run_check(draft, None)
    wrong = next(n for n, m in enumerate(report.mentions, 1) if m.text == "99个")
    assert report.mentions[wrong - 1].flagged and report.mentions[wrong - 1].line == 50
    assert devtools.js(f"document.getElementById('m-{wrong}').closest('.ln').dataset.line") == "50"
    devtools.js(f"location.hash = '#m-{wrong}'")
    state = devtools.state(f"m-{wrong}")
    assert state["open"] and "第 50 行" in state["text"] and "篇一.yaml:37" in state["text"]


@needs_posix
def test_browser_screenshot_shows_the_report(tmp_path, devtools):
    path, report = write_report(tmp_path, SAMPLE_DRAFT, "总结.md")
    devtools.open(path.as_uri())
    devtools.js(f"document.getElementById('{mention_id(report, '11篇')}').focus()")
    devtools.key("Enter", 13)
    data = base64.b64decode(devtools.send("Page.captureScreenshot", format="png")["data"])
    shot = tmp_path / "check-report.png"
    shot.write_bytes(data)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1200, 900)
    assert len(data) > 50_000, "截图几乎是空白的"
    if os.environ.get("DRAFTER_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, REPO / "docs" / "check-report.png")
