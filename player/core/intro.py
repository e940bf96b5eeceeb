"""What the player says before every routine: how the button works, and any reminder.

The button is the player's to explain, not each routine's, so a routine a person writes gets
the same words. A new person hears two short sentences; once history shows that they have
finished a few sessions, one line reminds them instead. Both give the one pain limit the
routines give (PAIN), and both say to come off the pressure before the long press: a press
stops the sound, not the pressure. Pure: the shell counts the sessions.
"""

from __future__ import annotations

PAIN = "sharp, shooting, spreading, numb or tingling"  # what is too much; an ache is fine
BUTTON = (
    "Press the button once to pause, again to go on. "
    f"{PAIN.capitalize()}? Come off the pressure, then hold it down."
)
BUTTON_SHORT = (
    f"Remember: press to pause. {PAIN.capitalize()}? Come off the pressure, then hold the button."
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
