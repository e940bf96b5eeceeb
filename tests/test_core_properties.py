"""Invariants of the session over random routines and random presses at random times.

(a) silence is the first action after every press edge while anything sounds;
(b) with pauses alone, every hold plays its planned frames exactly;
(c) no two sounds overlap unless a silence came between them;
(d) after a session ends, nothing of its routine sounds until a new start;
(e) no sequence of events raises.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player.core.events import ButtonEdge, Command, Ended, Play, Silence, Started, State, Tick
from player.core.session import Session
from player.core.sounds import Speech

from .corekit import plan, routines

GESTURES = {
    "short": [(0.0, True), (0.1, False)],
    "long": [(0.0, True), (2.0, False)],
    "double": [(0.0, True), (0.1, False), (0.25, True), (0.35, False)],
    "bounce": [
        (0.0, True),
        (0.003, False),
        (0.006, True),
        (0.2, False),
        (0.203, True),
        (0.206, False),
    ],
}
COMMANDS = ["pause", "resume", "stop", "start", "skip"]
kinds = st.sampled_from([*GESTURES, *(f"cmd_{c}" for c in COMMANDS)])
scripts = st.lists(st.tuples(st.floats(0.01, 40.0), kinds), max_size=25)
PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def expand(script: list[tuple[float, str]]) -> list[tuple[float, object]]:
    """Gestures into timed edges, commands into events; sorted by time."""
    events, now = [], 0.0
    for gap, kind in script:
        now += gap
        if kind.startswith("cmd_"):
            events.append((now, Command(kind[4:])))
        else:
            events += [(now + dt, ButtonEdge(level)) for dt, level in GESTURES[kind]]
    return sorted(events, key=lambda e: e[0])


class Recorder:
    """Drives a session and checks the invariants on every call."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.busy_until = float("-inf")
        self.ended = False
        plans = session.plans.values()
        self.lengths = {}
        for p in plans:
            self.lengths |= {Speech(t): n / p.rate for t, n in p.speech.items()}
            self.lengths |= {("chime", c): n / p.rate for c, n in p.chimes.items()}

    def handle(self, event, now: float) -> list:
        s = self.session
        sounding, was_up = s.sounding(now), not s.reader.pressed
        acts = s.handle(event, now)
        if isinstance(event, ButtonEdge) and event.pressed and was_up and s.reader.pressed:
            assert acts and acts[0] == Silence(), ("silence first", acts, sounding)
        for act in acts:
            self.check(act, now)
        return acts

    def check(self, act, now: float) -> None:
        if isinstance(act, Silence):
            self.busy_until = now
        elif isinstance(act, Started):
            self.ended = False
        elif isinstance(act, Ended):
            self.ended = True
        elif isinstance(act, Play):
            assert now >= self.busy_until - 1e-6, ("overlap", act, now, self.busy_until)
            assert not (self.ended and act.timeline), ("sound after the end", act)
            key = act.sound if isinstance(act.sound, Speech) else ("chime", act.sound.name)
            self.busy_until = now + self.lengths[key]

    def run(self, events, finish: bool = True) -> float:
        now = 0.0
        for at, event in events:
            now = self.wake(now, at)
            self.handle(event, at)
            now = at
        return self.wake(now, now + 1e6) if finish else now

    def wake(self, now: float, until: float) -> float:
        for _ in range(100_000):
            deadline = self.session.next_deadline()
            if deadline is None or deadline > until:
                return now
            now = max(now, deadline)
            self.handle(Tick(), now)
        raise AssertionError("woken forever")


@PROPERTY
@given(st.lists(routines, min_size=1, max_size=3), scripts)
def test_property_any_presses_and_commands_keep_the_invariants(rs, script):
    rs = [
        r.__class__(**{**{f: getattr(r, f) for f in r.__slots__}, "id": f"r{i}"})
        for i, r in enumerate(rs)
    ]
    recorder = Recorder(Session([plan(r) for r in rs], pause_timeout=120))
    recorder.run(expand(script))
    assert recorder.session.state is State.IDLE


@PROPERTY
@given(
    routines,
    st.lists(
        st.tuples(
            st.floats(1.0, 40.0), st.sampled_from(["short", "bounce", "cmd_pause", "cmd_resume"])
        ),
        max_size=20,
    ),
)
def test_property_holds_play_their_exact_frames_through_any_pauses(r, script):
    # Presses at least 1 s apart: two quicker ones while paused are a double press, a skip.
    timeline = plan(r)
    session = Session([timeline], pause_timeout=1e9)
    recorder = Recorder(session)
    now = recorder.run([(0.0, Command("start")), *expand(script)], finish=False)
    for _ in range(1000):  # then answer every pause and wait until the routine completes
        if session.state is State.IDLE:
            break
        if session.state in (State.PAUSED, State.WAITING):
            now += 1.0
            recorder.handle(Command("resume"), now)
        now = recorder.wake(now, now + 700)
    assert session.state is State.IDLE
    assert session.hold_played == [h.end - h.start for h in timeline.holds]
