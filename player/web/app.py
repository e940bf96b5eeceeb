"""The pages and endpoints of the web service, on Bottle (docs/web.md says why Bottle and
Waitress). Every page but pairing needs a paired device's cookie; every action also needs the
device's CSRF token and a same-origin request; actions are rate limited, except stop."""

from __future__ import annotations

import datetime
import functools
import hmac
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import bottle

from player import config
from player.records import notes
from player.web import live
from player.web.catalogue import Catalogue
from player.web.chart import minutes_chart
from player.web.devices import TOKEN_DAYS, Device, Devices
from player.web.pairing import Ask, Asks, Codes, Window
from player.web.poller import Poller
from player.web.records import Records, by_day, stamp, to_csv, to_json, week_of

COOKIE, PAIR_COOKIE = "rp_device", "rp_pair"
STREAMS = 4  # open live pages at once; each holds one of the server's threads
ACTIONS, ACTION_SECONDS = 30, 10.0  # actions in any 10 s, all devices together; stop is exempt
MAX_BODY = 16384  # bytes in a form: a note is at most a few thousand
EDIT_BODY = 65536  # bytes in the routine editor's forms and uploads (editor.py) only
# One list for the process: Bottle caches compiled templates by this list's identity, so a new
# list per page would compile every template again and keep it for ever (issue 27).
VIEWS = [str(resources.files("player.web") / "views")]
STATIC = str(resources.files("player.web") / "static")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send Origin: null
    "Cache-Control": "no-store",
}
STOP_TRIES, STOP_GAP = 10, 0.1  # a stop the player answers "busy" is asked again for a second
request, response = bottle.request, bottle.response
log = logging.getLogger("routine-player-web")
bottle.BaseRequest.MEMFILE_MAX = EDIT_BODY  # each route's own limit is checked first


def answered(reply: dict, saying: str, back: str = "/now") -> dict:
    """The player's reply if it did what was asked; otherwise one line: 503 when it could
    not be reached, 409 when it answered no (a routine or side it refuses, a busy start)."""
    if not reply.get("ok"):
        status = 503 if reply.get("unreachable") else 409
        raise WebError(status, f"{saying}: {reply.get('error')}", back)
    return reply


class WebError(Exception):
    """A request answered with one clear line and a status code."""

    def __init__(self, status: int, message: str, back: str = "/", retry: int = 0) -> None:
        super().__init__(message)
        self.status, self.message, self.back, self.retry = status, message, back, retry


def seconds(wait: float) -> int:
    """A wait in whole seconds, rounded up: the same number in Retry-After and on the page."""
    return max(1, math.ceil(wait))


def peer() -> str:
    """The address the request came from (the socket's: never a header a client can set)."""
    return request.environ.get("REMOTE_ADDR", "")


def device_cookie(token: str) -> None:
    """Set (or refresh) the device's cookie: it lasts TOKEN_DAYS after the device's last use."""
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", path="/", max_age=TOKEN_DAYS * 86400
    )


def paired(handler: Callable) -> Callable:
    """A page for paired devices; others are sent to pairing (or refused, if not a page)."""

    @functools.wraps(handler)
    def wrapped(self: Web, *args: Any, **kwargs: Any) -> Any:
        token = request.get_cookie(COOKIE)
        device = self.devices.find(token)
        if device is None:
            if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
                bottle.redirect("/pair", 303)
            raise WebError(401, "This device is not paired, or no longer: pair it again.", "/pair")
        device_cookie(token)
        return handler(self, device, *args, **kwargs)

    return wrapped


def action(handler: Callable) -> Callable:
    """A POST from a paired device's own page: CSRF token, same origin, within the rate."""

    @paired
    @functools.wraps(handler)
    def wrapped(self: Web, device: Device, *args: Any, **kwargs: Any) -> Any:
        same_origin(request)
        given = request.forms.get("csrf") or ""
        if not hmac.compare_digest(given.encode(), device.csrf.encode()):
            raise WebError(403, "This form has expired: open the page again and retry.")
        if kwargs.get("command") != "stop" and not self.actions.allow(time.monotonic()):
            wait = seconds(self.actions.wait(time.monotonic()))
            raise WebError(429, f"Too many requests at once: wait {wait} s and retry.", retry=wait)
        return handler(self, device, *args, **kwargs)

    return wrapped


def same_origin(req: bottle.BaseRequest) -> None:
    """Refuse a request another site's page made (Origin or Fetch Metadata say so)."""
    origin, host = req.headers.get("Origin"), req.headers.get("Host", "")
    if origin and origin.split("://", 1)[-1] != host:
        raise WebError(403, "Refused: the request came from another site.")
    if req.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise WebError(403, "Refused: the request came from another site.")


def form_text(name: str, limit: int) -> str:
    """A form field as text, refused when longer than `limit` characters."""
    value = request.forms.getunicode(name, default="") or ""
    if len(value) > limit:
        raise WebError(400, f"{name.capitalize()} is too long: at most {limit} characters.")
    return value


def form_score(name: str) -> int:
    """A form field scored from 0 to 10."""
    value = request.forms.getunicode(name, default="") or ""
    if not value.isdecimal() or not 0 <= int(value) <= 10:
        raise WebError(400, f"{name.capitalize()} must be a whole number from 0 to 10.")
    return int(value)


class Web:
    """The web service's application: its routes over the player's socket and history."""

    def __init__(self, settings: config.Config, state: Path) -> None:
        self.settings = settings
        self.devices = Devices(state)
        self.codes = Codes()
        self.asks = Asks()
        self.records = Records(settings.paths.state)
        self.catalogue = Catalogue(settings)
        self.streams = threading.BoundedSemaphore(STREAMS)
        self.poller = Poller(lambda: self._ask({"command": "status"}))
        self.actions = Window(ACTIONS, ACTION_SECONDS)
        self.app = bottle.Bottle()
        self.app.add_hook("after_request", lambda: response.headers.update(HEADERS))
        for method, path, handler in (
            ("GET", "/pair", self.pair_page),
            ("POST", "/pair", self.pair),
            ("POST", "/pair/ask", self.pair_ask),
            ("GET", "/pair/wait", self.pair_wait),
            ("GET", "/", self.routines),
            ("POST", "/start", self.start),
            ("GET", "/now", self.now),
            ("POST", "/control/<command>", self.control),
            ("GET", "/events", self.events),
            ("GET", "/history", self.history),
            ("GET", "/note/<session:int>", self.note_page),
            ("POST", "/note/<session:int>", self.note),
            ("GET", "/export.<kind>", self.export),
            ("GET", "/static/<name>", self.static),
        ):
            self.app.route(path, method, self._answered(handler))
        self.app.error_handler.update({code: self._error for code in (400, 404, 405, 413, 500)})

    def _answered(self, handler: Callable, limit: int = MAX_BODY) -> Callable:
        @functools.wraps(handler)
        def answer(*args: Any, **kwargs: Any) -> Any:
            try:
                if request.content_length > limit:
                    raise WebError(413, "That request is too large.")
                return handler(*args, **kwargs)
            except WebError as refusal:
                return self._refuse(refusal)

        return answer

    def _refuse(self, refusal: WebError) -> str:
        response.status = refusal.status
        if refusal.retry:
            response.set_header("Retry-After", str(refusal.retry))
        return self.page("problem", message=refusal.message, back=refusal.back, title="Problem")

    def _error(self, error: bottle.HTTPError) -> str:
        response.headers.update(HEADERS)
        messages = {
            404: "There is no such page.",
            405: "That is not how this page is used.",
            413: "That request is too large.",
            500: "Something went wrong here.",
        }
        message = messages.get(error.status_code, "That request is not valid.")
        return self.page("problem", message=message, back="/", title="Problem")

    def page(self, name: str, device: Device | None = None, **values: Any) -> str:
        """A page from views/, with the device's CSRF token for its forms and the player's state
        (the stop bar shows unless the player is idle)."""
        if device is not None and "state" not in values:
            values["state"] = live.view(self._ask({"command": "status"}))["state"]
        return bottle.template(
            name, template_lookup=VIEWS, csrf=device.csrf if device else "", **values
        )

    # Pairing -----------------------------------------------------------------------------

    def pair_page(self) -> str:
        nonce = secrets.token_urlsafe(16)
        response.set_cookie(PAIR_COOKIE, nonce, httponly=True, samesite="strict", path="/pair")
        return self.page("pair", title="Pair this phone", nonce=nonce, message="")

    def _pair_form(self) -> str:
        """The pairing page's own nonce, checked against its form; the request's origin."""
        same_origin(request)
        nonce = request.get_cookie(PAIR_COOKIE) or ""
        given = request.forms.get("nonce") or ""
        if not nonce or not hmac.compare_digest(given.encode(), nonce.encode()):
            raise WebError(403, "This form has expired: open the page again and retry.", "/pair")
        return nonce

    def _paired(self) -> str:
        """This phone is paired now: its cookie, and on to the routines."""
        device_cookie(self.devices.add())
        response.delete_cookie(PAIR_COOKIE, path="/pair")
        bottle.redirect("/", 303)
        return ""

    def pair(self) -> str:
        self._pair_form()
        verdict = self.codes.redeem(form_text("code", 20), time.monotonic(), peer())
        if verdict == "limited":
            wait = seconds(self.codes.retry_after(time.monotonic(), peer()))
            raise WebError(429, f"Too many tries: wait {wait} s and retry.", "/pair", wait)
        if verdict != "ok":
            said = {
                "wrong": "That code is not right.",
                "expired": "That code has expired.",
                "spent": "This phone has guessed that code wrong too often.",
            }
            raise WebError(
                403, said[verdict] + " Run `routine-player web pair` for a new one.", "/pair"
            )
        log.info("paired a phone at %s with a code", peer())
        return self._paired()

    def pair_ask(self) -> str:
        """Have the player ask whether this phone may join (docs/web.md)."""
        nonce, now = self._pair_form(), time.monotonic()
        if left := self.asks.wait(peer(), now):
            wait = seconds(left)
            raise WebError(429, f"This phone asked a moment ago: wait {wait} s.", "/pair", wait)
        other = self.asks.current(now)
        if other is not None and other.nonce != nonce and self._still_asking(other):
            wait = seconds(other.until - now)
            message = f"Another phone is asking to join: wait {wait} s and ask again."
            raise WebError(409, message, "/pair", wait)
        ask = self.asks.begin(nonce, peer(), now)
        reply = self._ask({"command": "pair-ask", "word": ask.word})
        if reply.get("asking") != ask.word:
            self.asks.end(ask)
            raise WebError(*self._cannot_ask(reply))
        self.asks.asked(peer(), now)
        bottle.redirect("/pair/wait", 303)
        return ""

    def _still_asking(self, ask: Ask) -> bool:
        """Whether the player still waits for a press for this request."""
        if self._ask({"command": "status"}).get("asking") == ask.word:
            return True
        self.asks.end(ask)
        return False

    @staticmethod
    def _cannot_ask(reply: dict) -> tuple[int, str, str]:
        """Why the player did not ask, as a refusal's status, line and way back."""
        if reply.get("unreachable"):
            return 503, f"The player does not answer: {reply.get('error')}", "/pair"
        if not reply.get("ok"):
            return 409, f"The player said: {reply.get('error')}", "/pair"
        if reply.get("state") in live.ACTIVE:
            return 409, "A routine is playing: ask again when it has ended.", "/pair"
        return 409, "The player is busy: wait a few seconds and ask again.", "/pair"

    def pair_wait(self) -> str:
        """The asking phone's page: its word until the button allows it, then paired."""
        ask = self.asks.current(time.monotonic())
        if ask is None or ask.nonce != (request.get_cookie(PAIR_COOKIE) or ""):
            raise WebError(404, "This phone is not asking to join: ask again.", "/pair")
        status = self._ask({"command": "status"})
        if status.get("allowed") == ask.word:
            self.asks.end(ask)
            log.info("paired a phone at %s: the button allowed it (word %s)", ask.peer, ask.word)
            return self._paired()
        if status.get("asking") != ask.word:
            self.asks.end(ask)
            message = "Nobody allowed this phone in time (a long press refuses): ask again."
            raise WebError(403, message, "/pair")
        return self.page("asking", title="Waiting for the button", word=ask.word)

    # The player --------------------------------------------------------------------------

    def _ask(self, payload: dict) -> dict:
        return live.ask(self.settings.paths.control_socket, payload)

    @paired
    def routines(self, device: Device) -> str:
        status = live.view(self._ask({"command": "status"}))
        return self.page(
            "routines",
            device,
            title="Routines",
            choices=self.catalogue.choices(),
            status=status,
            state=status["state"],
        )

    @action
    def start(self, device: Device) -> str:
        rid = form_text("routine", 200)
        choice = self.catalogue.choices().get(rid)
        if choice is None:
            raise WebError(404, f'There is no routine called "{rid}".')
        side = form_text("side", 20)
        if side and (len(choice.sides) < 2 or side not in choice.sides):
            raise WebError(400, f'"{choice.title}" has no side called "{side}".')
        payload = {"command": "start", "routine": rid, **({"side": side} if side else {})}
        reply = answered(self._ask(payload), "The player said", "/")
        if not reply.get("changed"):
            raise WebError(409, f"Nothing started: the player is {reply['state']}.", "/now")
        bottle.redirect("/now", 303)
        return ""

    @paired
    def now(self, device: Device) -> str:
        shown = live.view(self._ask({"command": "status"}))
        return self.page(
            "now",
            device,
            title="Now",
            view=shown,
            state=shown["state"],
            latest=self.records.latest(),
        )

    @action
    def control(self, device: Device, command: str) -> str:
        if command not in ("pause", "resume", "stop"):
            raise WebError(404, "There is no such command.")
        payload = {"command": command}
        reply = self._ask(payload)
        for _ in range(STOP_TRIES if command == "stop" else 0):
            if not str(reply.get("error", "")).startswith("busy"):
                break
            time.sleep(STOP_GAP)  # the player's socket is full for a moment: stop must get in
            reply = self._ask(payload)
        answered(reply, "The player said")
        bottle.redirect("/now", 303)
        return ""

    @paired
    def events(self, device: Device) -> Any:
        if not self.streams.acquire(blocking=False):
            raise WebError(503, "Too many live pages are open.")
        response.content_type = "text/event-stream"
        response.set_header("X-Accel-Buffering", "no")
        token = request.get_cookie(COOKIE)
        gone = request.environ.get("waitress.client_disconnected", lambda: False)

        def alive() -> bool:
            """The phone is still there and still paired (`web forget` ends its stream)."""
            return not gone() and self.devices.find(token) is not None

        def events() -> Any:
            try:
                with self.poller.watching():
                    poller = self.poller
                    yield from live.stream(poller.latest, poller.wait, alive=alive)
            finally:
                self.streams.release()

        return events()

    # History and notes -------------------------------------------------------------------

    @paired
    def history(self, device: Device) -> str:
        week = request.query.get("week", "0")
        if not week.isdecimal() or int(week) > 520:
            raise WebError(400, "That week is not one this page knows.", "/history")
        days = week_of(int(week))
        sessions = self.records.between(stamp(days[0]), stamp(days[-1] + datetime.timedelta(1)))
        daily = by_day(sessions, days)
        minutes = [(d.strftime("%a"), sum(s.played_seconds for s in daily[d]) / 60) for d in days]
        return self.page(
            "history",
            device,
            title="History",
            days=daily,
            week=int(week),
            chart=minutes_chart(minutes),
            total=sum(m for _, m in minutes),
            clock=live.clock,
            hour=lambda t: time.strftime("%H:%M", time.localtime(t)),
        )

    def _session(self, session: int) -> Any:
        found = self.records.one(session)
        if found is None:
            raise WebError(404, f"There is no session {session} in the history.", "/history")
        return found

    @paired
    def note_page(self, device: Device, session: int) -> str:
        found = self._session(session)
        return self.page(
            "note", device, title="Note", session=found, limits=notes, clock=live.clock
        )

    @action
    def note(self, device: Device, session: int) -> str:
        self._session(session)
        note = {
            "session": session,
            "effort": form_score("effort"),
            "pain": form_score("pain"),
            "where": form_text("where", notes.MAX_WHERE),
            "text": form_text("text", notes.MAX_TEXT),
        }
        back = f"/note/{session}"
        try:
            notes.check(note)
        except ValueError as error:
            raise WebError(400, f"The note was not saved: {error}.", back) from None
        answered(self._ask({"command": "note", "note": note}), "The note was not saved", back)
        bottle.redirect(f"/history#session-{session}", 303)
        return ""

    @paired
    def export(self, device: Device, kind: str) -> str:
        if kind not in ("csv", "json"):
            raise WebError(404, "Exports are .csv or .json.", "/history")
        every = self.records.every()
        response.content_type = {"csv": "text/csv", "json": "application/json"}[kind]
        name = f"routine-player-{datetime.date.today().isoformat()}.{kind}"
        response.set_header("Content-Disposition", f'attachment; filename="{name}"')
        return to_csv(every) if kind == "csv" else to_json(every)

    def static(self, name: str) -> Any:
        return bottle.static_file(name, root=STATIC)
