"""Speech: the cache of rendered lines, the child process that renders them (eSpeak NG or
Piper), the voice checks."""
