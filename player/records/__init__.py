"""What is kept of sessions: the history database and the notes on it."""
