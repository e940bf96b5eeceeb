"""The session state machine: every decision about what sounds, and when (design §2, §6).

Theory of operation. The shell feeds events with the time they happened, `handle(event, now)`,
and carries out the actions it gets back in order. It wakes the session at `next_deadline()`
with a `Tick`. The session never reads a clock and never sleeps.

A session plays one `Timeline` by moving a position, in frames, through it. While playing, the
position runs with time from an anchor; paused, it stands still. Sounds start when the position
reaches them. Extra sounds (confirmation tones, the recap, the lead-in ticks, the stop note) are
scheduled in real time ahead of the anchor, never on top of the timeline.

Rules:
1. A press edge silences first: whatever the state, the first action is `Silence`.
2. The press's gesture acts on the state the press began in (the columns of design §6):

   | state   | short press          | long press              | double press |
   |---------|----------------------|-------------------------|--------------|
   | idle    | start selected       | select and announce next| -            |
   | playing | pause                | stop, then stop note    | -            |
   | paused  | resume (recap, ticks)| stop, then stop note    | skip a step  |
   | waiting | go on                | stop, then stop note    | -            |
   | stopping| -                    | -                       | -            |
   | asking  | allow the phone      | refuse the phone        | -            |

3. Holds keep their exact frames: pausing freezes the position; a cue cut by a pause is
   replayed from its start on resume, which never moves the position inside a hold.
4. Paused or waiting longer than the pause timeout ends the session quietly.
5. An event that means nothing in a state changes nothing and returns no actions.
6. A phone's request to join (`AskToJoin`) is said only while idle and quiet, with the button
   up and no gesture pending; then, in a state of its own (asking), a short press that began
   after the announcement ended, within `joining.ASK_SECONDS`, allows that phone alone. A press
   during the announcement, a long press, a stop, or the time running out refuses it. A press
   that began while idle never acts while asking (rule 2), so a press meant to start a routine
   neither starts it nor allows anyone.
6b. The timeline's clock starts when the device really began to play its first sound: a
    `Sounding` event after a start moves the anchor to then, so the wake lead-in is never
    eaten by a slow start.
7. Every start lays its plan out again (`timeline.replan`) with its opening lines: the button's
   explanation (one line for a person who knows it: `brief`), then any safety reminder; and
   with the side a start command asked for, if any.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from player.core import intro, joining
from player.core.events import (
    Action,
    AskToJoin,
    ButtonEdge,
    Changed,
    Command,
    Ended,
    Ending,
    Event,
    Play,
    Selected,
    Shutdown,
    Silence,
    Sounding,
    Started,
    State,
    Status,
)
from player.core.gestures import (
    DoublePress,
    Gesture,
    GestureReader,
    LongPress,
    PressEdge,
    ShortPress,
    Stuck,
)
from player.core.sounds import WAKE, Chime, Sound, Speech
from player.core.timeline import (
    REMINDER,
    STOP_NOTE,
    Span,
    Timeline,
    announce,
    other_side,
    recap,
    replan,
)

LEAD_IN_TICKS = 3
TONE_GAP = 0.15


AFTER_PRESS = {
    State.IDLE: State.IDLE,
    State.PLAYING: State.PAUSED,
    State.PAUSED: State.PAUSED,
    State.WAITING: State.WAITING,
    State.ASKING: State.ASKING,
}


class Session:
    """One player's decisions. See the module's rules."""

    def __init__(
        self,
        plans: Sequence[Timeline],
        *,
        selected: str | None = None,
        hold_seconds: float = 1.5,
        pause_timeout: float = 600.0,
        pressed_at_start: bool = False,
    ) -> None:
        if not plans:
            raise ValueError("a session needs at least one routine")
        self.plans = {plan.routine.id: plan for plan in plans}
        self.selected = selected if selected in self.plans else plans[0].routine.id
        self.pause_timeout = pause_timeout
        self.reader = GestureReader(hold_seconds, pressed_at_start=pressed_at_start)
        self.state = State.IDLE
        self.plan: Timeline | None = None
        self._began = State.IDLE
        self._extras: list[tuple[float, Sound]] = []
        self._extras_end = -math.inf
        self._reset_position(0, 0.0)
        self.hold_played: list[int] = []
        self._side_frames: dict[str, int] = {}
        self._played = 0
        self._paused_at = 0.0
        self.reminders: set[str] = set()  # routines whose next start says the safety reminder
        self.brief = False  # the person knows the button: its one-line reminder will do
        self.asking: str | None = None  # the word of the phone that asks to join, if one does
        self.allowed: str | None = None  # the word of the phone the button last allowed
        self._heard_at = self._ask_until = 0.0  # the announcement's end; the press's deadline

    # The public face ------------------------------------------------------------------

    def handle(self, event: Event, now: float) -> list[Action]:
        """Take one event that happened at `now`; return what the shell must do, in order."""
        if isinstance(event, ButtonEdge):
            gestures = self.reader.edge(event.pressed, now)
        else:
            gestures = self.reader.wake(now)
            if isinstance(event, PressEdge | ShortPress | LongPress | DoublePress):
                gestures.append(event)
        if PressEdge() in gestures:
            # Silence before anything else. Gestures overtaken by this press are dropped.
            later = gestures[gestures.index(PressEdge()) + 1 :]
            return [self._silence(now), *self._press_edge(now), *self._gestures(later, now)]
        if isinstance(event, Command) and event.name in ("pause", "stop"):
            return self._command(event, now)  # silence first, like a press edge
        if isinstance(event, Shutdown):
            return [self._silence(now), *self._end(event.ending, now)]
        if isinstance(event, Sounding):
            self._count_from(now)
        actions = self._tick(now) + self._gestures(gestures, now)
        if isinstance(event, Command):
            actions += self._command(event, now)
        elif isinstance(event, AskToJoin):
            actions += self._ask_to_join(event.word, now)
        return actions

    def next_deadline(self) -> float | None:
        """When the session next needs a `Tick`, or None when only an event can change it."""
        times = [self.reader.next_deadline()]
        if self._extras:
            times.append(self._extras[0][0])
        if self.state is State.PLAYING:
            times.append(self._time_of(self._next_stop()))
        elif self.state in (State.PAUSED, State.WAITING):
            times.append(self._paused_at + self.pause_timeout)
        elif self.state is State.STOPPING:
            times.append(self._extras_end)
        elif self.state is State.ASKING:
            times.append(self._ask_until)
        return min((t for t in times if t is not None), default=None)

    def sounding(self, now: float) -> bool:
        """True when something may be audible at `now`: the routine, or extras not yet over."""
        return self.state in (State.PLAYING, State.STOPPING) or now < self._extras_end

    def status(self, now: float) -> Status:
        """Where the session is now, for people."""
        if self.plan is None:
            return Status(self.state, self.selected, 0, None, None, 0.0)
        plan = self.plan
        position = self._position(now) if self.state is State.PLAYING else self.position
        step = next((s for s in plan.steps if s.start <= position < s.end), None)
        hold = next((h for h in plan.holds if h.start <= position < h.end), None)
        return Status(
            state=self.state,
            routine=plan.routine.id,
            step=step.step if step else 0,
            side=step.side if step else None,
            hold_left=(hold.end - position) / plan.rate if hold else None,
            routine_left=max(0, plan.length - position) / plan.rate,
        )

    def replace_plans(self, plans: Sequence[Timeline], selected: str | None = None) -> None:
        """New routines (after a reload, or rendered in the background); a session that is
        playing keeps its own plan to the end."""
        if plans:
            self.plans = {plan.routine.id: plan for plan in plans}
            keep = selected if selected in self.plans else self.selected
            self.selected = keep if keep in self.plans else plans[0].routine.id

    # Gestures ---------------------------------------------------------------------------

    def _gestures(self, gestures: list[Gesture], now: float) -> list[Action]:
        actions: list[Action] = []
        for gesture in gestures:
            actions += self._gesture(gesture, now)
        return actions

    def _gesture(self, gesture: Gesture, now: float) -> list[Action]:
        if isinstance(gesture, Stuck):
            return [gesture]  # for the shell to say; the press already did all it will
        began = self._began
        if self.state is not AFTER_PRESS.get(began):
            return []  # something else (a command, the timeout) changed the state meanwhile
        if isinstance(gesture, ShortPress):
            table = {
                State.IDLE: self._start,
                State.PLAYING: self._confirm_pause,
                State.PAUSED: self._resume,
                State.WAITING: self._go_on,
                State.ASKING: self._allow,
            }
        elif isinstance(gesture, LongPress):
            table = {
                State.IDLE: self._select_next,
                State.PLAYING: self._stop,
                State.PAUSED: self._stop,
                State.WAITING: self._stop,
                State.ASKING: self._refuse_with_tone,
            }
        else:
            table = {State.PAUSED: self._skip}
        handler = table.get(began)
        return handler(now) if handler else []

    def _press_edge(self, now: float) -> list[Action]:
        """After the silence: freeze what was playing, and remember where the press began."""
        self._began = self.state
        self.reader.double_press_wanted = self.state is State.PAUSED
        if self.state is State.PLAYING:
            self._freeze(now)
            return [Changed(State.PAUSED)]
        if self.state is State.STOPPING:
            return self._to_idle()
        if self.state is State.ASKING and now < self._heard_at:
            return self._refuse(now)  # pressed before the word was said: allows nobody
        return []

    def _command(self, command: Command, now: float) -> list[Action]:
        if command.name == "start":
            return self._start_command(command, now)
        handler = {
            ("pause", State.PLAYING): self._freeze_and_confirm,
            ("resume", State.PAUSED): self._resume,
            ("resume", State.WAITING): self._go_on,
            ("stop", State.PLAYING): self._stop,
            ("stop", State.PAUSED): self._stop,
            ("stop", State.WAITING): self._stop,
            ("skip", State.PAUSED): self._skip,
            ("stop", State.ASKING): self._refuse,
        }.get((command.name, self.state))
        if handler is None:
            return []
        if command.name in ("pause", "stop"):
            return [self._silence(now), *handler(now)]
        return handler(now)

    def _start_command(self, command: Command, now: float) -> list[Action]:
        """Start a routine (the selected one if none is named), for one side if asked."""
        rid = self.selected if command.routine is None else command.routine
        if self.state is not State.IDLE or rid not in self.plans:
            return []
        if command.side is not None and command.side not in self.plans[rid].routine.sides:
            return []
        self.selected = rid
        return self._start(now, command.side)

    # Transitions ------------------------------------------------------------------------

    def _start(self, now: float, side: str | None = None) -> list[Action]:
        """Begin the selected routine: the button's explanation, any reminder, then the title."""
        silence = [self._silence(now)] if self.sounding(now) else []
        base = self.plans[self.selected]
        routine = base.routine
        reminder = (REMINDER,) if routine.id in self.reminders else ()
        self.reminders.discard(routine.id)
        self.plan = replan(
            base, intro.opening(base.opening, self.brief, reminder), side or base.side
        )
        self._reset_position(0, now)
        self.hold_played = [0] * len(self.plan.holds)
        self._side_frames = {s: 0 for s in self.plan.sides}
        self._played = 0
        self.state = State.PLAYING
        started = Started(routine.id, routine.title, self.plan.sides)
        return [*silence, started, Changed(State.PLAYING), *self._tick(now)]

    def _count_from(self, now: float) -> None:
        """Rule 6: run the timeline from `now` while it has not passed its first frame yet
        (a `Sounding` that comes after a press or the next sound changes nothing)."""
        if self.state is State.PLAYING and self._anchor == 0:
            self._anchor_time = max(self._anchor_time, now)

    def _freeze_and_confirm(self, now: float) -> list[Action]:
        self._freeze(now)
        return [Changed(State.PAUSED), *self._confirm_pause(now)]

    def _confirm_pause(self, now: float) -> list[Action]:
        return self._extra([Chime("pause")], now) if self.state is State.PAUSED else []

    def _resume(self, now: float) -> list[Action]:
        assert self.plan is not None
        span = self._current_step()
        sounds: list[Sound] = [Chime("resume")]
        if span is not None:
            step = self.plan.routine.steps[span.step - 1]
            other = other_side(self.plan.routine, span.side)
            said = self.position > span.start  # past the cue's start: past its end (rule 3)
            sounds.append(Speech(recap(step, span.side, other, said)))
        actions = self._extra(sounds, now, ticks=LEAD_IN_TICKS)
        return self._run_from(self._extras_end, now, actions)

    def _go_on(self, now: float) -> list[Action]:
        actions = self._extra([Chime("resume")], now)
        self._passed_wait = self.position
        return self._run_from(self._extras_end, now, actions)

    def _skip(self, now: float) -> list[Action]:
        assert self.plan is not None
        later = [s.start for s in self.plan.steps if s.start > self.position]
        self._move_to(later[0] if later else self.plan.length)
        actions = self._extra([Chime("resume")], now)
        return self._run_from(self._extras_end, now, actions)

    def _stop(self, now: float) -> list[Action]:
        actions = [*self._end(Ending.STOPPED, now)]
        actions += self._extra([Chime("stop"), Speech(STOP_NOTE)], now)
        self.state = State.STOPPING
        return [*actions, Changed(State.STOPPING)]

    def _select_next(self, now: float) -> list[Action]:
        ids = list(self.plans)
        self.selected = ids[(ids.index(self.selected) + 1) % len(ids)]
        routine = self.plans[self.selected].routine
        sounds = [*self._wake(now), Speech(announce(routine))]
        return [Selected(self.selected), *self._extra(sounds, now)]

    def _end(self, ending: Ending, now: float) -> list[Action]:
        if self.plan is None or self.state in (State.IDLE, State.STOPPING):
            return []
        self._advance(now)
        span = self._current_step()
        routine, self.plan = self.plan.routine.id, None
        self.state = State.IDLE
        rate = self.plans[routine].rate
        sides = tuple((side, frames / rate) for side, frames in self._side_frames.items())
        ended = Ended(
            routine=routine,
            ending=ending,
            step=span.step if span and ending is not Ending.COMPLETED else 0,
            side=span.side if span and ending is not Ending.COMPLETED else None,
            played_seconds=self._played / rate,
            side_seconds=sides,
        )
        return [ended, Changed(State.IDLE)]

    def _to_idle(self) -> list[Action]:
        self.state = State.IDLE
        self._extras = []
        return [Changed(State.IDLE)]

    # A phone asks to join ---------------------------------------------------------------

    def _ask_to_join(self, word: str, now: float) -> list[Action]:
        """Say that a phone asks, and its word; then wait for a press (rule 6)."""
        lines = (joining.ASK, joining.word_line(word), joining.ALLOWED)
        speech = self.plans[self.selected].speech
        reading = self.reader.next_deadline() is not None  # held, or a gesture to come
        if self.state is not State.IDLE or self.sounding(now) or reading:
            return []
        if word not in joining.WORDS or any(line not in speech for line in lines):
            return []  # not rendered: a player older than its web page says nothing
        sounds = [*self._wake(now), Speech(lines[0]), Speech(lines[1])]
        self.state, self.asking, self.allowed = State.ASKING, word, None
        self._heard_at = self._ask_until = math.inf  # until the announcement is scheduled
        actions = self._extra(sounds, now)
        self._heard_at = self._extras_end
        self._ask_until = self._heard_at + joining.ASK_SECONDS
        return [Changed(State.ASKING), *actions]

    def _allow(self, now: float) -> list[Action]:
        self.allowed, self.asking, self.state = self.asking, None, State.IDLE
        return [Changed(State.IDLE), *self._extra([Speech(joining.ALLOWED)], now)]

    def _refuse(self, now: float) -> list[Action]:
        self.asking, self.state = None, State.IDLE
        return [Changed(State.IDLE)]

    def _refuse_with_tone(self, now: float) -> list[Action]:
        return [*self._refuse(now), *self._extra([Chime("stop")], now)]

    # The clock --------------------------------------------------------------------------

    def _tick(self, now: float) -> list[Action]:
        """Everything due by `now`: extras, timeline sounds, waits, the end, the timeout."""
        actions: list[Action] = []
        while self._extras and self._extras[0][0] <= now:
            actions.append(Play(self._extras.pop(0)[1], timeline=False))
        if self.state is State.PLAYING:
            actions += self._play_due(now)
        elif self.state in (State.PAUSED, State.WAITING):
            if now >= self._paused_at + self.pause_timeout:
                actions += [self._silence(now), *self._end(Ending.PAUSE_TIMEOUT, now)]
        elif self.state is State.STOPPING and now >= self._extras_end and not self._extras:
            actions += self._to_idle()
        elif self.state is State.ASKING and now >= self._ask_until:
            actions += self._refuse(now)
        return actions

    def _play_due(self, now: float) -> list[Action]:
        assert self.plan is not None
        actions: list[Action] = []
        while True:
            stop = self._next_stop()
            if self._time_of(stop) > now:
                self._advance(now)
                break
            self._advance_to(stop)
            if stop == self.plan.length:
                return actions + self._end(Ending.COMPLETED, now)
            if stop in self.plan.waits and stop != self._passed_wait:
                self._freeze_at(stop, now, State.WAITING)
                return [*actions, Changed(State.WAITING)]
            entry = self.plan.entries[self._next]
            self._next += 1
            if self._position(now) < entry.end:  # a sound wholly in the past is not played
                actions.append(Play(entry.sound))
        return actions

    def _next_stop(self) -> int:
        """The next frame at which something happens: a sound, a wait, or the end."""
        assert self.plan is not None
        stops = [self.plan.length]
        if self._next < len(self.plan.entries):
            stops.append(self.plan.entries[self._next].start)
        stops += [w for w in self.plan.waits if w >= self.position and w != self._passed_wait]
        return min(stops)

    def _time_of(self, frame: int) -> float:
        assert self.plan is not None
        return self._anchor_time + (frame - self._anchor) / self.plan.rate

    def _position(self, now: float) -> int:
        assert self.plan is not None
        elapsed = max(0.0, now - self._anchor_time)
        return self._anchor + math.floor(elapsed * self.plan.rate + 1e-6)

    def _advance(self, now: float) -> None:
        if self.state is State.PLAYING:
            self._advance_to(min(self._position(now), self._next_stop()))

    def _advance_to(self, frame: int) -> None:
        """Move forward to `frame`, counting what was played, per hold and per side."""
        assert self.plan is not None
        start, end = self.position, frame
        if end <= start:
            return
        self._played += end - start
        for index, hold in enumerate(self.plan.holds):
            self.hold_played[index] += max(0, min(end, hold.end) - max(start, hold.start))
        for span in self.plan.steps:
            if span.side is not None:
                overlap = max(0, min(end, span.end) - max(start, span.start))
                self._side_frames[span.side] = self._side_frames.get(span.side, 0) + overlap
        self._reset_position(frame, self._anchor_time + (frame - self._anchor) / self.plan.rate)

    def _freeze(self, now: float) -> None:
        """Stop the position at `now`; a cue cut short will be replayed from its start."""
        assert self.plan is not None
        self._advance(now)
        cut = [e for e in self.plan.entries[: self._next] if e.start < self.position < e.end]
        if cut and isinstance(cut[-1].sound, Speech):
            self._move_to(cut[-1].start)
        self._freeze_at(self.position, now, State.PAUSED)

    def _freeze_at(self, frame: int, now: float, state: State) -> None:
        self.position = frame
        self.state = state
        self._paused_at = now

    def _move_to(self, frame: int) -> None:
        """Jump (for a replayed cue or a skip) without counting the jump as played."""
        assert self.plan is not None
        self.position = frame
        self._next = next(
            (i for i, e in enumerate(self.plan.entries) if e.start >= frame), len(self.plan.entries)
        )

    def _run_from(self, when: float, now: float, actions: list[Action]) -> list[Action]:
        """Set the timeline running again from the current position at `when`."""
        self._anchor, self._anchor_time = self.position, when
        self.state = State.PLAYING
        return [*actions, Changed(State.PLAYING), *self._tick(now)]

    def _reset_position(self, frame: int, when: float) -> None:
        self.position = self._anchor = frame
        self._anchor_time = when
        if frame == 0:
            self._next = 0
            self._passed_wait = -1

    def _current_step(self) -> Span | None:
        if self.plan is None:
            return None
        return next((s for s in self.plan.steps if s.start <= self.position < s.end), None)

    # Extras -----------------------------------------------------------------------------

    def _silence(self, now: float) -> Silence:
        """Forget the extras still to come: a `Silence` has cut everything short."""
        self._extras = []
        self._extras_end = min(self._extras_end, now)
        return Silence()

    def _extra(self, sounds: list[Sound], now: float, ticks: int = 0) -> list[Action]:
        """Schedule sounds one after another, after any extra still sounding, then ticks."""
        at = max(now, self._extras_end)
        schedule: list[tuple[float, Sound]] = []
        for sound in sounds:
            schedule.append((at, sound))
            at += self._seconds(sound) + TONE_GAP
        for _ in range(ticks):
            schedule.append((at, Chime("tick")))
            at += 1.0
        self._extras = schedule
        self._extras_end = at
        return self._tick(now)

    def _wake(self, now: float) -> list[Sound]:
        """The timeline's quiet lead-in (`audio.wake_ms`), also before an extra that breaks a
        quiet idle, so that a speaker that fell asleep wakes before the first word."""
        plan = self.plans[self.selected]
        first = plan.entries[0] if plan.entries else None
        if first is None or first.sound != Chime(WAKE) or self.sounding(now):
            return []
        return [first.sound]

    def _seconds(self, sound: Sound) -> float:
        plan = self.plan or self.plans[self.selected]
        if sound == Chime(WAKE):
            return plan.entries[0].length / plan.rate
        if isinstance(sound, Speech):
            return plan.speech[sound.text] / plan.rate
        return plan.chimes[sound.name] / plan.rate
