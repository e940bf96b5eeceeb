"""The control socket's answers, and the status that `routine-player status` and systemd show.

Every request is answered from the loop's own thread (the one thread that touches the session),
within two seconds or with a line that says so; pause and stop silence first, in the socket's
thread, exactly as a press does. Before start-up is over every request is told to ask again.
A change to the phone's routines is written on the socket's thread too (the loop never waits
for a disk), and then the routines are read again and prepared in the background.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from player.core import routine
from player.core.errors import RoutineError
from player.core.events import AskToJoin, Command, State
from player.core.session import Session
from player.records.notes import NoteBook
from player.routines import library
from player.routines.phone import PhoneRoutines
from player.service.control import ROUTINE_COMMANDS
from player.service.runner import Runner

ANSWER_SECONDS = 2.0


class Answers:
    """Answers control-socket requests once `attach` gave it the running session."""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._runner: Runner | None = None
        self._session: Session | None = None
        self._notes: NoteBook | None = None
        self._library: Callable[[], library.Library] = lambda: library.Library({}, {})
        self._silence: Callable[[], None] = lambda: None
        self._phone: PhoneRoutines | None = None
        self._reread: Callable[[], None] = lambda: None
        self._preparing: Callable[[], bool] = lambda: False
        self.fallback = ""  # why the default output plays instead of the chosen sound device

    def attach(
        self,
        runner: Runner,
        notes: NoteBook,
        library_now: Callable[[], library.Library],
        silence: Callable[[], None],
    ) -> None:
        """The running loop and what it needs: from here on requests are answered."""
        self._runner, self._session, self._notes = runner, runner.session, notes
        self._library, self._silence = library_now, silence
        self._ready.set()

    def attach_phone(
        self, phone: PhoneRoutines, reread: Callable[[], None], preparing: Callable[[], bool]
    ) -> None:
        """The phone's routines; `reread` has the routines read and prepared again (in the
        loop's thread), `preparing` says whether any are still being prepared."""
        self._phone, self._reread, self._preparing = phone, reread, preparing

    def __call__(self, request: dict) -> dict:
        """One request (already checked by the socket), answered as a reply dict."""
        if not self._ready.is_set():
            return {"ok": False, "error": "the player is starting; ask again in a moment"}
        assert self._runner is not None and self._session is not None and self._notes is not None
        name = request["command"]
        why = _cannot(request, self._session, self._library())
        if why:
            return {"ok": False, **why}
        if name == "note":
            return self._notes.write(request["note"])  # on this thread: the loop never waits
        if name in ROUTINE_COMMANDS:
            return self._change_routines(request)
        if name in ("pause", "stop"):
            self._silence()  # the same silence-first path as the button
        return self._in_loop(request)

    def _change_routines(self, request: dict) -> dict:
        """Save, delete or restore a phone's routine, then read the routines again."""
        if self._phone is None:
            return {"ok": False, "error": "this player keeps no routines from the phone"}
        name, rid = request["command"], request["routine"]
        try:
            if name == "save-routine":
                reply = {"version": self._phone.save(rid, request["toml"], request["version"])}
            elif name == "delete-routine":
                reply = {"trash": self._phone.delete(rid, request["version"])}
            else:
                rid, reply = self._phone.restore(request["trash"]), {}
        except RoutineError as error:
            return {"ok": False, "error": error.lines()[0], "problems": error.lines()}
        except (ValueError, OSError) as error:
            return {"ok": False, "error": str(error)}
        self._reread()
        return {"ok": True, "routine": rid, **reply}

    def _in_loop(self, request: dict) -> dict:
        """Carry out the request in the loop's thread and wait for its status."""
        runner, session = self._runner, self._session
        assert runner is not None and session is not None
        done, reply = threading.Event(), {}

        def work() -> None:
            if request["command"] == "routines":
                reply.update(ready=sorted(session.plans), preparing=self._preparing())
                reply["broken"] = self._library().broken
            elif request["command"] != "status":
                before = session.state
                runner.handle(_event(request), runner.clock())
                reply["changed"] = session.state is not before
            reply.update(status_of(session, time.monotonic()), fallback=self.fallback or None)
            done.set()

        runner.call(work)
        if not done.wait(ANSWER_SECONDS):
            return {"ok": False, "error": "the player did not answer in time"}
        return {"ok": True, **reply}


def _event(request: dict) -> Command | AskToJoin:
    """The session's event for a checked request."""
    if request["command"] == "pair-ask":
        return AskToJoin(request["word"])
    return Command(request["command"], request["routine"], request.get("side"))


def _cannot(request: dict, session: Session, found: library.Library) -> dict | None:
    """Why a start cannot be carried out (the routine, or its side), as reply fields."""
    wanted = request["routine"]
    if request["command"] != "start":
        return None
    if wanted is not None:
        why = library.cannot_start(wanted, session.plans, found.broken, found.routines)
        if why:
            return {"error": why, "routine": wanted}
    side = request.get("side")
    plan = session.plans.get(wanted or session.selected)
    wrong = routine.side_problem(plan.routine, side) if side is not None and plan else None
    return {"error": f"side: {wrong}"} if wrong else None


def status_of(session: Session, now: float) -> dict:
    """What `routine-player status` shows, as plain data."""
    s = session.status(now)
    plan = session.plans.get(s.routine) or session.plan
    return {
        "state": s.state.value,
        "routine": s.routine if s.state not in (State.IDLE, State.ASKING) else None,
        "selected": session.selected,
        "title": plan.routine.title if plan else "",
        "step": s.step or None,
        "steps": len(plan.routine.steps) if plan else 0,
        "side": s.side,
        "hold_left": s.hold_left,
        "routine_left": s.routine_left,
        "asking": session.asking,  # the word of a phone asking to join, while one asks
        "allowed": session.allowed,  # the word of the phone the button last allowed
    }


def status_line(session: Session, now: float) -> str:
    """The session in a few words, for systemd's status line."""
    s = session.status(now)
    if s.state is State.IDLE:
        return f"idle, {session.selected} selected"
    if s.state is State.ASKING:
        return f"a phone asks to join (its word: {session.asking}); press the button to allow it"
    where = f", step {s.step}" + (f", {s.side} side" if s.side else "") if s.step else ""
    return f"{s.state.value} {s.routine}{where}"
