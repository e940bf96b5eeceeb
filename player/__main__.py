"""`python -m player` is the same as the `routine-player` command."""

import sys

from player.cli import main

sys.exit(main(sys.argv[1:]))
