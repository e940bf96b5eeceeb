# routine-player: `make run` plays the default routine, `make test` runs every check.
# Both set up what they need: Debian packages (installed when run as root), a venv, the package.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ROUTINE ?= upper-glutes-foam-roller
DEBS := espeak-ng sox chromium
VM_ARCH ?= amd64
VM_SUITE ?= bookworm
VM_DEBS := debootstrap e2fsprogs git gcc libc6-dev \
	$(if $(filter arm64,$(VM_ARCH)),qemu-system-arm qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross,qemu-system-x86)
export PYGAME_HIDE_SUPPORT_PROMPT := 1

# On a 32-bit system every target stops here, in one line, before anything changes (platform.sh).
PLATFORM := $(shell sh systemd/platform.sh 2>&1)
ifneq ($(PLATFORM),)
$(error $(PLATFORM))
endif

.PHONY: run test test-thorough lint format deps chimes clean install uninstall bench vm-test vm-grid \
	vm-deps mutate web-screenshots

run: $(VENV)/.installed
	$(BIN)/routine-player play $(ROUTINE)

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -n 3  # three at a time: most tests wait on real-time audio

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Debian packages: eSpeak NG for speech, sox to inspect audio, ALSA's library for SDL (known by
# its file: trixie renamed the package), and Chromium, the real browser the web page's test drives
# through Playwright (never a download).
deps:
	@need="$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || printf '%s ' $$p; done)"; \
	dpkg -S '*/libasound.so.2' >/dev/null 2>&1 || need="$$need $$(sh systemd/platform.sh alsa)"; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || need="$$need python3-venv"; \
	if [ -z "$$need" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$need; \
	else \
		echo "routine-player needs Debian packages; run: sudo apt-get install -y $$need"; exit 1; \
	fi

$(VENV)/.installed: pyproject.toml | deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# The whole product on a booted Debian 12 under qemu: systemd, a simulated GPIO chip, an ALSA
# loopback card (docs/testing.md). As root; about 6 minutes the first time, 2 once cached.
# VM_ARCH=arm64 VM_SUITE=trixie: a Pi's own platform, Raspberry Pi OS trixie's Debian 13 on a
# Cortex-A72, with Piper (emulated: about an hour the first time).
vm-test: $(VENV)/.installed | vm-deps
	PIP="$(abspath $(BIN))/pip" VM_ARCH=$(VM_ARCH) VM_SUITE=$(VM_SUITE) bash tests/vm/run.sh

# vm-test, then, before its last check, the service at every sample rate and mixer buffer
# (BENCHMARKS.md, issue 19). Same machine and cache; about 20 minutes more.
vm-grid: $(VENV)/.installed | vm-deps
	PIP="$(abspath $(BIN))/pip" VM_ARCH=$(VM_ARCH) VM_SUITE=$(VM_SUITE) VM_GRID=1 \
		VM_TIMEOUT=$${VM_TIMEOUT:-4000} bash tests/vm/run.sh

vm-deps:
	@need="$$(for p in $(VM_DEBS); do dpkg -s $$p >/dev/null 2>&1 || printf '%s ' $$p; done)"; \
	if [ -z "$$need" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$need; \
	else \
		echo "make vm-test needs Debian packages and root; run: sudo make vm-test"; exit 1; \
	fi

# The phone-sized screenshots in docs/web/, taken by the browser test (docs/web.md).
web-screenshots: $(VENV)/.installed
	WEB_SCREENSHOTS=docs/web $(BIN)/python -m pytest -q tests/test_web_browser.py

# Write the chime WAVs in sounds/ again (they are committed; the output is byte-identical).
chimes: $(VENV)/.installed
	$(BIN)/python -m player.audio.chimes sounds

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis

# The property tests with thousands of examples each (a few minutes).
test-thorough: $(VENV)/.installed
	$(BIN)/python -m pytest -q --hypothesis-profile=thorough tests/test_core_properties.py \
		tests/test_core_gestures.py tests/test_core_timeline.py tests/test_routine.py

# Deliberate bugs in core, runner, the button and its watch, control and timeline, each against
# the tests that should catch it (tests/mutate.py; a few minutes; by hand, not in CI; docs/testing.md).
mutate: $(VENV)/.installed
	$(BIN)/python tests/mutate.py

# On the Pi, as root: the service, its user, config and venv (docs/raspberry-pi.md).
# `sudo make install WEB=1` adds the phone page, routine-player-web (docs/web.md). Run again, it
# is the upgrade: extras chosen before (PIPER, WEB, BLUETOOTH) stay until set to 0.
install:
	sh systemd/install.sh

# Removes the program and says what it keeps (config, routines, history, paired phones,
# voices); `sudo make uninstall PURGE=1` removes those and the users too.
uninstall:
	sh systemd/uninstall.sh

# Every benchmark (about twenty-five minutes); the figures go into BENCHMARKS.md by hand.
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/aplay_cost.py
	$(BIN)/python benchmarks/speech_and_start.py
	$(BIN)/python benchmarks/timing.py
	$(BIN)/python benchmarks/press_to_silence.py
	$(BIN)/python benchmarks/dead_button.py
	$(BIN)/python benchmarks/daemon_resources.py
	$(BIN)/python benchmarks/piper_voice.py
	$(BIN)/python benchmarks/web_resources.py
