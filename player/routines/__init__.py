"""Routines: where they are found, their timelines with exact lengths, preparing them to play."""
