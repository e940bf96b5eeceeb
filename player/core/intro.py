"""What the player says before every routine: how the button works, and any reminder.

The button is the player's to explain, not each routine's, so a routine a person writes gets
the same words. A new person hears two short sentences; once history shows that they have
finished a few sessions, one line reminds them instead. Pure: the shell counts the sessions.
"""

from __future__ import annotations

BUTTON = (
    "Press the button once to pause, and again to go on. "
    "If anything hurts, goes numb or tingles, hold it down: everything stops at once."
)
BUTTON_SHORT = (
    "Remember: press to pause. Hold the button to stop if anything hurts, goes numb or tingles."
)
SESSIONS_TO_LEARN = 3  # finished sessions after which the one-line reminder is enough


def knows_button(finished_sessions: int) -> bool:
    """True once a person has finished enough sessions to need only the reminder."""
    return finished_sessions >= SESSIONS_TO_LEARN


def opening(planned: tuple[str, ...], brief: bool, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The lines said before the title: the planned ones, with the button's long explanation
    shortened for a person who knows it, then `extra` (a reminder), never before it."""
    lines = tuple(BUTTON_SHORT if brief and line == BUTTON else line for line in planned)
    return lines + extra
