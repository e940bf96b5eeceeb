"""The sound shell: the mixer, the sounds a timeline plays, the keep-alive hum, the chimes
and their loudness, PCM helpers."""
