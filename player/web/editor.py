"""The routine editor on the phone page (docs/web.md): write a routine from a blank one or as a
copy of any routine, check it as `routine-player check` does, save it, and share it.

Rules: the page never writes a routine itself; it asks the player over the control socket,
which checks the routine again and writes it in its phone-routines folder (routines/phone.py).
Every page needs a paired device; every change needs its CSRF token and the same origin, as the
rest of the page; a routine is named only by an id the library lists, never by a path.
"""

from __future__ import annotations

import functools
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import bottle

from player.core import routine
from player.core.errors import RoutineError
from player.routines import library, phone
from player.web import draft as drafts
from player.web.app import EDIT_BODY, Web, WebError, action, answered, paired, same_origin
from player.web.devices import Device

request, response = bottle.request, bottle.response
REFRESH_SECONDS = 2  # the saved page looks again this often while the speech is prepared


def checking(handler: Callable) -> Callable:
    """A paired device's own page asking for a check: CSRF and origin as an action, but not
    counted against the actions' rate (it changes nothing, and the page asks as you type)."""

    @paired
    @functools.wraps(handler)
    def wrapped(self: Editor, device: Device, *args: Any, **kwargs: Any) -> Any:
        same_origin(request)
        given = request.forms.get("csrf") or ""
        if not hmac.compare_digest(given.encode(), device.csrf.encode()):
            raise WebError(403, "This form has expired: open the page again and retry.")
        return handler(self, device, *args, **kwargs)

    return wrapped


class Editor:
    """The editor's routes, added to the web service's application."""

    def __init__(self, web: Web) -> None:
        self.web, self.settings = web, web.settings
        self.devices = web.devices  # what `paired` looks devices up in
        self.actions = web.actions  # what `action` counts against
        self.store = phone.PhoneRoutines(
            phone.folder(web.settings), lambda: library.fixed_ids(web.settings)
        )  # read only here: the player writes
        for method, path, handler in (
            ("GET", "/edit", self.home),
            ("GET", "/edit/new", self.new),
            ("GET", "/edit/open/<rid>", self.open),
            ("POST", "/edit", self.submit),
            ("POST", "/edit/check", self.check),
            ("GET", "/edit/saved/<rid>", self.saved),
            ("POST", "/edit/delete", self.delete),
            ("POST", "/edit/restore", self.restore),
            ("GET", "/edit/download/<rid>", self.download),
            ("POST", "/edit/upload", self.upload),
        ):
            web.app.route(path, method, web._answered(handler, EDIT_BODY))

    def _entries(self) -> dict[str, library.Entry]:
        return {e.id: e for e in library.entries(self.settings)}

    def _entry(self, rid: str) -> library.Entry:
        found = self._entries().get(rid)
        if found is None:
            raise WebError(404, f'There is no routine called "{rid[:64]}".', "/edit") from None
        return found

    def _editor(self, device: Device, draft: drafts.Draft, note: str = "", focus: int = 0) -> str:
        """The editor's page, with every problem and advice beside the field it names."""
        checked = drafts.check(draft, self.settings)

        def msgs(key: str) -> list[tuple[str, str]]:
            said = [("problem", line) for line in checked.problems.get(key, [])]
            return said + [("advice", line) for line in checked.advice.get(key, [])]

        return self.web.page(
            "editor",
            device,
            title="Edit",
            draft=draft,
            checked=checked,
            note=note,
            msgs=msgs,
            focus=focus,
        )

    @paired
    def home(self, device: Device) -> str:
        entries = self._entries()
        return self.web.page(
            "edits",
            device,
            title="Edit",
            mine=[(e, self.store.current(e.id)) for e in entries.values() if e.phone],
            others=[e for e in entries.values() if not e.phone],
            trash=self.store.trash(),
            when=lambda t: time.strftime("%a %d %b %H:%M", time.localtime(t)),
            titles=self.web.catalogue.choices(),
        )

    @paired
    def new(self, device: Device) -> str:
        source = request.query.getunicode("from", default="") or ""
        if not source:
            return self._editor(device, drafts.blank())
        entry = self._entry(source)
        try:
            loaded = routine.load(entry.path)
        except RoutineError as error:
            line = f"That routine cannot be copied: {error.lines()[0]}"
            raise WebError(409, line, "/edit") from None
        copy = drafts.from_routine(loaded, self._free(f"{entry.id}-copy"))
        return self._editor(device, replace(copy, title=f"{loaded.title} (my copy)"))

    def _free(self, wanted: str) -> str:
        """`wanted`, or with a number after it, so that no routine has that id yet."""
        base = wanted[:58].strip("-") or "routine"
        taken, n, rid = set(self._entries()), 2, base
        while rid in taken:
            rid, n = f"{base}-{n}", n + 1
        return rid

    @paired
    def open(self, device: Device, rid: str) -> str:
        entry = self._entry(rid)
        if not entry.phone:
            bottle.redirect(f"/edit/new?from={rid}", 303)
        data = entry.path.read_bytes()
        try:
            loaded = routine.parse(data, str(entry.path))
        except RoutineError as error:
            line = f"That routine cannot be opened: {error.lines()[0]}"
            raise WebError(409, line, "/edit") from None
        return self._editor(device, drafts.from_routine(loaded, rid, phone.version(data)))

    @action
    def submit(self, device: Device) -> str:
        draft = drafts.from_form(request.forms.decode())
        op = request.forms.getunicode("op", default="check") or "check"
        if op != "save":
            changed = drafts.operate(draft, op)
            return self._editor(device, changed, focus=_moved_to(op, len(changed.steps)))
        checked = drafts.check(draft, self.settings)
        if not checked.ok:
            return self._editor(device, draft, "Not saved: fix the lines marked below.")
        toml = drafts.to_toml(draft)
        payload = {"command": "save-routine", "routine": draft.id, "toml": toml}
        reply = self.web._ask({**payload, "version": draft.version})
        if not reply.get("ok"):
            return self._editor(device, draft, f"Not saved: {reply.get('error')}")
        bottle.redirect(f"/edit/saved/{draft.id}", 303)
        return ""

    @checking
    def check(self, device: Device) -> dict:
        checked = drafts.check(drafts.from_form(request.forms.decode()), self.settings)
        return {"problems": checked.problems, "advice": checked.advice, "length": checked.length}

    @paired
    def saved(self, device: Device, rid: str) -> str:
        entry = self._entry(rid)
        reply = answered(self.web._ask({"command": "routines"}), "The player said", "/edit")
        ready = rid in reply["ready"] and not reply["preparing"]
        return self.web.page(
            "saved",
            device,
            title="Saved",
            entry=entry,
            choice=self.web.catalogue.choices().get(rid),
            ready=ready,
            broken=reply["broken"].get(rid, ""),
            refresh=0 if ready or rid in reply["broken"] else REFRESH_SECONDS,
        )

    @action
    def delete(self, device: Device) -> str:
        rid = self._entry(request.forms.getunicode("routine", default="") or "").id
        version = request.forms.getunicode("version", default="") or ""
        payload = {"command": "delete-routine", "routine": rid, "version": version}
        answered(self.web._ask(payload), "Not deleted", "/edit")
        bottle.redirect("/edit#deleted", 303)
        return ""

    @action
    def restore(self, device: Device) -> str:
        name = request.forms.getunicode("trash", default="") or ""
        reply = answered(
            self.web._ask({"command": "restore-routine", "trash": name[:100]}),
            "Not brought back",
            "/edit",
        )
        bottle.redirect(f"/edit/saved/{reply['routine']}", 303)
        return ""

    @paired
    def download(self, device: Device, rid: str) -> bytes:
        entry = self._entry(rid)
        response.content_type = "application/toml; charset=utf-8"
        response.set_header("Content-Disposition", f'attachment; filename="{entry.id}.toml"')
        return entry.path.read_bytes()

    @action
    def upload(self, device: Device) -> str:
        sent = request.files.get("file")
        if sent is None:
            raise WebError(400, "Choose a routine's .toml file to upload.", "/edit") from None
        data = sent.file.read(phone.MAX_FILE + 1)
        if len(data) > phone.MAX_FILE:
            line = f"That file is too large: at most {phone.MAX_FILE} bytes."
            raise WebError(413, line, "/edit")
        rid = self._free(_id_from(sent.raw_filename or ""))
        try:
            loaded = routine.parse(data, Path(sent.raw_filename or "upload").name, rid)
        except RoutineError as error:
            more = len(error.problems) - 1
            line = error.lines()[0] + (f" (and {more} more)" if more else "")
            raise WebError(400, f"That file is not a routine: {line}", "/edit") from None
        return self._editor(
            device, drafts.from_routine(loaded, rid), "Uploaded: check it, then save it."
        )


def _id_from(filename: str) -> str:
    """An id from an uploaded file's name: its stem, lower-case, dashes for the rest."""
    stem = Path(filename.replace("\\", "/")).name.removesuffix(".toml").lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:58] or "uploaded"


def _moved_to(op: str, count: int) -> int:
    """The step to put the cursor in after `op`: the one added or moved (0: none)."""
    verb, _, number = op.partition(":")
    if verb == "add":
        return count
    at = int(number) if number.isdecimal() else 0
    return {"up": at - 1, "down": at + 1, "remove": min(at, count)}.get(verb, 0)
