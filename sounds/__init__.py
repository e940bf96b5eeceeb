"""The chimes shipped with routine-player (`python -m player.chimes sounds` writes them)."""
