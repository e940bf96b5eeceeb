"""The chimes shipped with routine-player (`python -m player.audio.chimes sounds` writes them)."""
