"""The push button: the pin, the watch that proves its edges arrive, and what we know of lgpio."""
