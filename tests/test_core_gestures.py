"""The gesture reader: immediate press edges, debounced, with long and double presses."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from player.core.gestures import (
    DoublePress,
    GestureReader,
    LongPress,
    PressEdge,
    ShortPress,
    Stuck,
)


def feed(reader: GestureReader, edges: list[tuple[float, bool]], until: float) -> list:
    """Edges at their times, waking the reader at each deadline; gestures with times."""
    out = []
    for at, pressed in [*edges, (until, None)]:
        while (deadline := reader.next_deadline()) is not None and deadline <= at:
            out += [(deadline, g) for g in reader.wake(deadline)]
        if pressed is not None:
            out += [(at, g) for g in reader.edge(pressed, at)]
    return out


def test_gestures_press_edge_comes_at_once_and_short_press_at_release():
    reader = GestureReader()
    assert reader.edge(True, 10.0) == [PressEdge()]
    assert reader.edge(False, 10.3) == [ShortPress()]


def test_gestures_long_press_fires_while_still_held_and_release_adds_nothing():
    got = feed(GestureReader(hold_seconds=1.5), [(0.0, True), (5.0, False)], until=10)
    assert got == [(0.0, PressEdge()), (1.5, LongPress())]


def test_gestures_contact_bounce_is_one_press():
    bouncy = [
        (0.0, True),
        (0.002, False),
        (0.004, True),
        (0.007, False),
        (0.009, True),
        (0.3, False),
        (0.302, True),
        (0.305, False),
    ]
    got = feed(GestureReader(), bouncy, until=5)
    assert [g for _, g in got] == [PressEdge(), ShortPress()]


def test_gestures_release_inside_the_bounce_window_is_seen_when_it_settles():
    got = feed(GestureReader(), [(0.0, True), (0.005, False)], until=5)
    assert got == [(0.0, PressEdge()), (0.02, ShortPress())]


def test_gestures_a_press_begun_in_the_bounce_window_is_kept_when_the_reader_wakes_late():
    """A busy machine can wake the reader only after a whole press has come and gone. A press
    that began while the last release's window was open was the level when it closed, so it
    is a press, seen at its release, not overwritten by the release."""
    reader = GestureReader()
    assert reader.edge(True, 0.0) == [PressEdge()]
    assert reader.edge(False, 0.3) == [ShortPress()]
    assert reader.edge(True, 0.31) == []  # inside the window: not yet known to be a press
    assert reader.edge(False, 0.41) == [PressEdge()]  # no wake at 0.32: the reader was late
    assert reader.wake(0.43) == [ShortPress()]


def test_gestures_double_press_only_when_wanted():
    reader = GestureReader()
    reader.double_press_wanted = True
    got = feed(reader, [(0.0, True), (0.1, False), (0.3, True), (0.4, False)], until=5)
    assert [g for _, g in got] == [PressEdge(), PressEdge(), DoublePress()]
    plain = feed(GestureReader(), [(0.0, True), (0.1, False), (0.3, True), (0.4, False)], until=5)
    assert [g for _, g in plain] == [PressEdge(), ShortPress(), PressEdge(), ShortPress()]


def test_gestures_short_press_waits_for_the_double_window_only_when_wanted():
    reader = GestureReader(double_seconds=0.4)
    reader.double_press_wanted = True
    got = feed(reader, [(0.0, True), (0.1, False)], until=5)
    assert got == [(0.0, PressEdge()), (0.5, ShortPress())]


def test_gestures_button_held_at_start_is_not_a_press():
    reader = GestureReader(pressed_at_start=True)
    got = feed(reader, [(3.0, False), (4.0, True), (4.2, False)], until=10)
    assert got == [(4.0, PressEdge()), (4.2, ShortPress())]


def test_gestures_stuck_button_gives_one_long_press_and_one_stuck_not_many():
    got = feed(GestureReader(), [(0.0, True)], until=3600)
    assert got == [(0.0, PressEdge()), (1.5, LongPress()), (60.0, Stuck())]
    released = feed(GestureReader(), [(0.0, True), (30.0, False)], until=3600)
    assert Stuck() not in [g for _, g in released]


@settings(deadline=None)
@given(st.lists(st.tuples(st.floats(0.0005, 3.0), st.booleans()), max_size=40))
def test_gestures_any_edges_give_well_formed_gestures(steps):
    reader, now, edges = GestureReader(), 0.0, []
    for gap, pressed in steps:
        now += gap
        edges.append((now, pressed))
    got = [g for _, g in feed(reader, edges, until=now + 10)]
    presses = got.count(PressEdge())
    finishing = sum(isinstance(g, ShortPress | LongPress | DoublePress) for g in got)
    assert finishing <= presses  # every gesture belongs to a press edge
    times = [t for t, _ in feed(GestureReader(), edges, until=now + 10)]
    assert times == sorted(times)
