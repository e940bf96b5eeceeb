"""The control socket (design §5, §8): one JSON request per line on a Unix socket, one reply.

Requests: {"command": "status" | "pause" | "resume" | "stop" | "skip" | "start",
"routine": "...", "side": "left"}; a start with a side plays that side of the routine alone.
Or {"command": "note", "note": {...}} (notes.py: the web page's notes on past sessions).
The phone's routines (routines/phone.py): {"command": "save-routine", "routine": ID,
"toml": "...", "version": V} ("" for a new one), {"command": "delete-routine", "routine": ID,
"version": V}, {"command": "restore-routine", "trash": NAME}; {"command": "routines"} says which
routines are ready to start and whether the player is still preparing some.
Or {"command": "pair-ask", "word": "river"}: the web page asks for a phone to join, which the
player says while idle and a short press allows (core/joining.py; docs/design.md).
Replies: {"ok": true, "state": ..., ...} or {"ok": false, "error": "..."}.
A request that is malformed, too long or too slow gets an error reply or is dropped; none can
stop or slow the daemon, whose loop only ever sees a finished, checked command.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import struct
import threading
from collections.abc import Callable
from pathlib import Path

from player.core import joining
from player.core.errors import PlayerError, Problem
from player.records import notes
from player.routines.phone import MAX_FILE, check_id

COMMANDS = ("status", "pause", "resume", "stop", "skip", "start", "note", "routines", "pair-ask")
ROUTINE_COMMANDS = ("save-routine", "delete-routine", "restore-routine")
MAX_REQUEST = 2 * MAX_FILE + 4096  # a routine from the phone, every character escaped once
TIMEOUT = 2.0
CONNECTIONS = 8
ANSWER = "control-answer"  # the name of each thread answering a connection; it holds a slot
JOIN = "(join the service's group: sudo adduser $USER routine-player, then log in again)"


def parse(data: bytes) -> dict:
    """A request line as a dict with a known command; ValueError with the reason otherwise."""
    try:
        request = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("expected one JSON object per line") from None
    except RecursionError:  # a few thousand "[" are enough to reach Python's limit
        raise ValueError(
            "expected one JSON object per line, found lists nested too deeply"
        ) from None
    if not isinstance(request, dict) or request.get("command") not in COMMANDS + ROUTINE_COMMANDS:
        raise ValueError("expected a command: " + ", ".join(COMMANDS + ROUTINE_COMMANDS))
    if request["command"] in ROUTINE_COMMANDS:
        return _routine_request(request)
    if request["command"] == "note":
        note = notes.check(request.get("note"))
        return {"command": "note", "routine": None, "side": None, "note": note}
    if request["command"] == "pair-ask":
        if request.get("word") not in joining.WORDS:
            raise ValueError("expected a word: " + ", ".join(joining.WORDS))
        return {"command": "pair-ask", "routine": None, "side": None, "word": request["word"]}
    routine = request.get("routine")
    if routine is not None and (not isinstance(routine, str) or len(routine) > 200):
        raise ValueError("expected a routine id")
    side = request.get("side")
    if side is not None and (not isinstance(side, str) or len(side) > 200):
        raise ValueError("expected a side name, such as left")
    return {"command": request["command"], "routine": routine, "side": side}


def _routine_request(request: dict) -> dict:
    """A change to the phone's routines, its fields checked for type and size (the routine
    itself is checked by the store, as `check` checks a file)."""
    name = request["command"]
    if name == "restore-routine":
        return {"command": name, "routine": None, "side": None, "trash": _short(request, "trash")}
    found = {"command": name, "routine": check_id(request.get("routine")), "side": None}
    found["version"] = _short(request, "version")
    if name == "save-routine":
        toml = request.get("toml")
        if not isinstance(toml, str) or len(toml) > MAX_FILE:
            raise ValueError(f"expected the routine as TOML text of at most {MAX_FILE} bytes")
        found["toml"] = toml
    return found


def _short(request: dict, key: str) -> str:
    value = request.get(key, "")
    if not isinstance(value, str) or len(value) > 100:
        raise ValueError(f"expected {key} as text of at most 100 characters")
    return value


class ControlServer:
    """Accepts connections in a thread; each is answered in a short-lived thread of its own."""

    def __init__(self, path: Path, answer: Callable[[dict], dict]) -> None:
        self.path, self.answer = Path(path), answer
        self._slots = threading.BoundedSemaphore(CONNECTIONS)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._thread: threading.Thread | None = None
        self._bound: tuple[int, int] | None = None  # the socket file we made: (device, inode)

    def start(self) -> None:
        """Bind (replacing a stale socket, never another file, never a live daemon's), allow
        the group, and listen."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._claim()
            self._sock.bind(str(self.path))
            bound = os.stat(self.path)
            self._bound = (bound.st_dev, bound.st_ino)
            os.chmod(self.path, 0o660)
            self._sock.listen(CONNECTIONS)
        except OSError as error:
            found = error.strerror or str(error)
            message = f"expected a place for the control socket, found: {found}"
            raise PlayerError([Problem(str(self.path), message)]) from None
        self._thread = threading.Thread(target=self._accept, name="control", daemon=True)
        self._thread.start()

    def _claim(self) -> None:
        """Remove a stale socket left by a daemon that died; refuse if one still answers."""
        try:
            if not stat.S_ISSOCK(self.path.lstat().st_mode):
                return  # not a socket: bind fails, and the file is left alone
        except FileNotFoundError:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(self.path))
            except ConnectionRefusedError:
                self.path.unlink(missing_ok=True)  # nobody listens: stale
                return
            creds = probe.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        pid = struct.unpack("3i", creds)[0]
        message = (
            f"expected no other daemon on this control socket, found one running (process {pid});"
            " stop it first (sudo systemctl stop routine-player, if it is the service)"
        )
        raise PlayerError([Problem(str(self.path), message)])

    def close(self) -> None:
        """Stop listening, and remove the socket if it is still the one we bound. Shutting the
        socket down wakes the thread blocked in `accept()`, which a bare `close()` leaves
        waiting for ever."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            now = os.stat(self.path)
            if (now.st_dev, now.st_ino) == self._bound:
                self.path.unlink()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed
            if not self._slots.acquire(blocking=False):
                _reply(conn, {"ok": False, "error": "busy: too many requests at once"})
                with contextlib.suppress(OSError):
                    _drain(conn)  # closed with its request unread, the client would get a
                conn.close()  # reset instead of our reply (at most 0.2 s from a silent one)
                continue
            threading.Thread(target=self._serve, args=(conn,), name=ANSWER, daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(TIMEOUT)
            line = _read_line(conn)
            try:
                reply = self.answer(parse(line))
            except ValueError as error:
                reply = {"ok": False, "error": str(error)}
            _reply(conn, reply)
        except (OSError, TimeoutError):
            pass  # slow, gone or too long: dropped
        finally:
            conn.close()
            self._slots.release()


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(MAX_REQUEST + 1 - len(data))
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            _reply(conn, {"ok": False, "error": f"expected at most {MAX_REQUEST} bytes"})
            _drain(conn)
            raise OSError("too long")
    return data.split(b"\n", 1)[0]


def _read_reply(sock: socket.socket) -> bytes:
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def _drain(conn: socket.socket, limit: int = 65536) -> None:
    """Read and drop what a client is still sending, so that it gets our reply, not a reset."""
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(0.2)
    with contextlib.suppress(OSError):
        while limit > 0 and (chunk := conn.recv(4096)):
            limit -= len(chunk)


def _reply(conn: socket.socket, reply: dict) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(reply).encode() + b"\n")


def request(path: Path, payload: dict, timeout: float = 5.0) -> dict:
    """Send one request to a running daemon; one clear line if it cannot be reached."""
    where = str(path)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(where)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(json.dumps(payload).encode() + b"\n")  # a busy daemon may have
            data = _read_reply(sock)  # answered and closed already: its reply is still there
    except FileNotFoundError:
        message = "expected a running daemon, found no control socket (is the service running?)"
        raise PlayerError([Problem(where, message)]) from None
    except PermissionError:
        message = f"expected permission to use the control socket, found none {JOIN}"
        raise PlayerError([Problem(where, message)]) from None
    except (ConnectionRefusedError, TimeoutError, OSError) as error:
        message = f"expected a running daemon to answer, found: {error.strerror or error}"
        raise PlayerError([Problem(where, message)]) from None
    try:
        return json.loads(data)
    except json.JSONDecodeError:
        raise PlayerError(
            [Problem(where, "expected a reply from the daemon, found none")]
        ) from None
