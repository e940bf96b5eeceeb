"""The pure core: routine model, timeline, gesture reader and session state machine.

Nothing here reads the clock, sleeps, starts threads or touches audio, GPIO or sockets:
events with timestamps go in, actions come out. A test checks the imports.
"""
