"""The `routine-player` command line (design §5): parse arguments, run a command, exit.

Every problem a person can cause is printed as one line per problem and a non-zero exit,
never a traceback: `PlayerError` carries those lines. Commands are imported only when run,
so `check` and `list` start without loading audio libraries.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from player.core.errors import PlayerError


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line that says where to find help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def _files(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE", help="routine files (default: all)")


def _routine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("routine", metavar="ROUTINE", help="a routine id or a .toml file")
    _side(parser)


def _side(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--side", metavar="SIDE", help="play one side only, such as left (default: every side)"
    )


def _render(parser: argparse.ArgumentParser) -> None:
    _routine(parser)
    parser.add_argument("-o", "--output", metavar="FILE.wav", required=True, help="where to write")
    parser.add_argument("--force", action="store_true", help="replace FILE.wav if it exists")


def _days(text: str) -> int:
    """A whole number of days from 1 to 36500, for `history --days`."""
    try:
        days = int(text)
    except ValueError:
        days = 0
    if not 1 <= days <= 36500:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of days from 1 to 36500, found {text}"
        )
    return days


def _history(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=_days, default=7, metavar="N", help="how far back (7)")
    parser.add_argument("--json", action="store_true", help="print JSON for programs")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the daemon's JSON reply")


def _start(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "routine", nargs="?", metavar="ROUTINE", help="a routine id (default: the selected one)"
    )
    _side(parser)
    _json(parser)


def _web(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        nargs="?",
        default="serve",
        choices=("serve", "pair", "forget"),
        help="serve the page (default), print a pairing code, or unpair every device",
    )


def _setup(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "--device",
        metavar="DEVICE",
        help="the sound output: its number in the list, or an ALSA name",
    )
    add("--pin", type=int, metavar="N", help="the button's BCM GPIO number")
    add("--press-seconds", type=float, default=20.0, metavar="S", help="wait for the press (0: no)")
    add("--volume", metavar="PERCENT", help="the volume, 0 to 100")
    add("--voice", metavar="VOICE", help='"espeak", or the path of a Piper voice (.onnx)')
    add("--web", choices=("on", "off"), help="the phone page on or off")
    add("--yes", action="store_true", help="take the default answer to every question left")
    add("--no-restart", action="store_true", help="leave the service alone")


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One command: its words for `--help`, where its code lives, and its arguments."""

    name: str
    summary: str
    example: str
    target: str
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None


SUBCOMMANDS = (
    Subcommand(
        "setup",
        "Set up the player step by step: choose the speaker by ear, try the button, set the "
        "volume, the voice and the phone page; writes the service's config (keeping your "
        "comments) and restarts it. Each step has a flag for scripts.",
        "sudo routine-player setup",
        "player.setup.wizard:run",
        _setup,
    ),
    Subcommand(
        "check",
        "Check routine files and say what is wrong, one line per problem. With no files, "
        "check every routine the player can see.",
        "routine-player check my-routine.toml",
        "player.commands:check",
        _files,
    ),
    Subcommand(
        "list",
        "List the routines the player can see, with their titles and how long each takes.",
        "routine-player list",
        "player.commands:list_routines",
    ),
    Subcommand(
        "play",
        "Play a routine now, through the speaker. On a terminal, keys stand in for the button: "
        "space pauses and resumes, s stops, d skips a step while paused, q quits.",
        "routine-player play upper-glutes-foam-roller",
        "player.playback:play",
        _routine,
    ),
    Subcommand(
        "render",
        "Write a whole routine as one WAV file, exactly as it plays when nobody presses the "
        "button. Needs no sound card.",
        "routine-player render upper-glutes-hands -o hands.wav",
        "player.playback:render",
        _render,
    ),
    Subcommand(
        "sound-test",
        "Play a short line and each chime through the speaker, at the configured volume, "
        "saying what plays: for setting up a speaker. Stop the service first if it holds the "
        "sound card.",
        "routine-player sound-test --config /etc/routine-player/config.toml",
        "player.soundtest:run",
    ),
    Subcommand(
        "daemon",
        "Run the service: wait for the button, then play, pause and stop. This is what systemd "
        "runs at boot; it logs one line per event.",
        "routine-player daemon --config /etc/routine-player/config.toml",
        "player.service.daemon:run",
    ),
    Subcommand(
        "voices",
        "Say which voice speaks (eSpeak NG, or a Piper voice with its model and digest) and "
        "check that it loads. docs/voices.md tells how to get a Piper voice.",
        "routine-player voices --config /etc/routine-player/config.toml",
        "player.commands:voices",
    ),
    Subcommand(
        "history",
        "Show past sessions: when, which routine, how long on each side, and how each ended "
        "(completed, stopped, and where).",
        "routine-player history --days 30",
        "player.commands:history",
        _history,
    ),
    *(
        Subcommand(
            name,
            f"Ask the running daemon to {does}, over its control socket.",
            f"routine-player {name}",
            "player.commands:control",
            _json,
        )
        for name, does in (
            ("status", "say what it is doing"),
            ("pause", "pause (sound stops at once)"),
            ("resume", "resume where it paused"),
            ("stop", "stop the routine (sound stops at once)"),
            ("skip", "skip to the next step (while paused, as a double press does)"),
        )
    ),
    Subcommand(
        "start",
        "Ask the running daemon to start a routine (the selected one if none is named), over "
        "its control socket.",
        "routine-player start upper-glutes-hands --side left",
        "player.commands:control",
        _start,
    ),
    Subcommand(
        "web",
        "Serve the phone page on the LAN (an optional extra: pip install 'routine-player[web]'); "
        "`web pair` prints a code that pairs a phone, `web forget` unpairs every phone.",
        "routine-player web pair",
        "player.web.serve:run",
        _web,
    ),
)


def build_parser() -> Parser:
    """The whole command line."""
    parser = Parser(
        prog="routine-player",
        description="A voice-guided routine player for a Raspberry Pi with one button.",
        epilog="Example: routine-player play upper-glutes-foam-roller",
    )
    parser.add_argument("--config", metavar="FILE", help="the config file to use")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for sub in SUBCOMMANDS:
        child = subparsers.add_parser(
            sub.name,
            help=sub.summary,
            description=sub.summary,
            epilog=f"Example:\n  {sub.example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        child.add_argument(
            "--config", metavar="FILE", default=argparse.SUPPRESS, help="the config file to use"
        )
        sub.arguments(child)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    if args.command is None:
        parser.print_help()
        return 2
    target = next(sub.target for sub in SUBCOMMANDS if sub.name == args.command)
    module, function = target.split(":")
    try:
        status = getattr(importlib.import_module(module), function)(args)
        sys.stdout.flush()  # inside the try: a reader gone is found here, not at exit
        return status
    except PlayerError as error:
        for line in error.lines():
            print(line, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `routine-player list | head`: the reader left, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
