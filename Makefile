# The quick start: `make demo` and `make test` set themselves up on Debian/Ubuntu (missing
# packages, configure, build). `make install` puts the plugin where Wireshark loads it.

BUILD    ?= build
PACKAGES := cmake make gcc pkg-config python3 tshark wireshark-dev libwireshark-dev libglib2.0-dev \
            parallel tcpdump rsync
# For the GUI tests and scripts/screenshots.sh under Xvfb: installed when possible, the tests
# skip without them. "wireshark" is the Qt GUI in Debian 13 and later (4.4, 4.6), and pulls
# wireshark-qt in 12. xdotool and tesseract-ocr drive and read the Flow Graph test
# (gui-flow-*); xdotool also walks the Statistics menu (gui); fonts-droid-fallback has the
# Chinese glyphs of the explanations in Chinese.
GUI_PACKAGES := wireshark xvfb x11-utils imagemagick xdotool tesseract-ocr fonts-droid-fallback
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PLUGIN    = $$(ls $(BUILD)/plugins/*/epan/tcpstate.so | head -n 1)
WS_MM     = $$(pkg-config --modversion wireshark | cut -d. -f1,2)

.PHONY: all deps gui-deps build demo test install uninstall clean bench

all: build

# Installs the Debian packages the build and the tests need, when any is missing.
deps:
	@if ! command -v dpkg-query >/dev/null; then \
	    echo "Not a Debian/Ubuntu system: install Wireshark's development files, tshark, cmake, a C compiler and python3 (README.md, Building)"; \
	else \
	    missing=$$(for p in $(PACKAGES); do \
	        dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	    if [ -n "$$missing" ]; then \
	        echo "Installing:" $$missing; \
	        $(SUDO) apt-get update -qq && \
	        $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    fi; \
	fi

# Best effort: the GUI test is skipped where these cannot be installed.
gui-deps:
	@missing=$$(for p in $(GUI_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ] && command -v apt-get >/dev/null; then \
	    echo "Installing for the GUI test:" $$missing; \
	    $(SUDO) apt-get update -qq; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	        || echo "Could not install $$missing: the GUI test will be skipped"; \
	fi

build: deps
	cmake -S . -B $(BUILD) >/dev/null
	env MAKEFLAGS= cmake --build $(BUILD) -j $$(nproc)

# The tutorial's ladder picture, produced from a real HTTP connection captured on Linux.
demo: build
	@tests/tshark-plugin.sh $(PLUGIN) sample-pcaps/http-client-close.pcap -q -z tcpstate,ladder

test: build gui-deps
	cd $(BUILD) && ctest -j $$(nproc) --output-on-failure -LE on-demand

# The tests too long for every run (CI's 30 minutes): damage-corpus, every kind of damage on
# the public corpus (about 4 minutes).
.PHONY: test-corpus-damage
test-corpus-damage: build
	cd $(BUILD) && ctest --output-on-failure -L on-demand

# The benchmark: tshark with and without the plugin on generated captures (1,000,000
# packets by default, about 15 minutes; the table is in bench/README.md). Options go in
# BENCH_ARGS, e.g. make bench BENCH_ARGS="-n 200000 -c 0" (bench/run.sh --help).
bench: build
	BUILD=$(BUILD) bench/run.sh $(BENCH_ARGS)

# The big-capture benchmark: scripts/tcpstate-parallel -j 2 against one tshark on the 1,000,000-packet
# capture (about 3 minutes; bench/README.md). Options in BENCH_ARGS, e.g. BENCH_ARGS="-p 5".
.PHONY: bench-parallel
bench-parallel: build
	BUILD=$(BUILD) bench/run.sh --parallel $(BENCH_ARGS)

# The longer robustness runs, beside the short ones in `make test`:
#   fuzz-long  2,840 corrupted captures, tshark with the plugin built with ASan and UBSan in
#              $(BUILD)/asan (tests/fuzz.py --long; about 10 minutes on 2 cores)
#   synflood   1,000,000 unanswered SYNs: every connection S0, memory per SYN (under a
#              minute, 2 GB; tests/synflood.py)
#   valgrind   memcheck on every sample capture, one pass and two (about 5 minutes on 2 cores;
#              fails only on errors whose stack passes through the plugin; tests/valgrind.py)
.PHONY: fuzz-long synflood valgrind
fuzz-long: deps
	tests/fuzz.py --long --build-dir $(BUILD)/asan

synflood: build
	tests/synflood.py $(PLUGIN) --syns 1000000

valgrind: build
	tests/valgrind.py $(PLUGIN) sample-pcaps/*.pcap

# The same suite against Wireshark 4.4 (Debian 13) and 4.6 (Debian testing), each in a cached
# debootstrap root (needs root: sudo; the first run makes the roots, ~800 MB each in
# /var/cache/tcpstate-compat), the package of `make deb` installed there, and the tcpstate
# fields of every sample compared with this build's (scripts/compat/test-compat.sh).
# COMPAT_RELEASES picks the releases: make test-compat COMPAT_RELEASES=4.6
COMPAT_RELEASES ?= 4.4 4.6
.PHONY: test-compat
test-compat: build
	scripts/compat/test-compat.sh --native-plugin $(PLUGIN) $(COMPAT_RELEASES)

# A Debian package of the plugin for this machine's Wireshark: $(BUILD)/tcpstate_V+wsX.Y_ARCH.deb
# puts tcpstate.so in the global plugin folder of that release and depends on its
# libwireshark package (scripts/make-deb.sh). Install it with apt-get install ./FILE.deb.
# test-deb installs it here, checks that tshark loads it and shows the fields of a sample,
# and removes it (root: sudo). Never run it beside `make test`: while it is installed, the
# tests would load the plugin twice.
.PHONY: deb test-deb
deb: build
	env MAKEFLAGS= cmake --build $(BUILD) --target deb

test-deb: deb
	scripts/test-deb.sh $$(ls -t $(BUILD)/tcpstate_*.deb | head -n 1)

# Wireshark ignores personal plugin folders for root, so root gets the global folder.
install: build
	@if [ "$$(id -u)" = 0 ]; then dest=$$(pkg-config --variable=plugindir wireshark)/epan; \
	 else dest=$$HOME/.local/lib/wireshark/plugins/$(WS_MM)/epan; fi; \
	 install -D -m 0644 $(PLUGIN) $$dest/tcpstate.so && echo "Installed $$dest/tcpstate.so"

uninstall:
	@for dest in $$(pkg-config --variable=plugindir wireshark)/epan $$HOME/.local/lib/wireshark/plugins/$(WS_MM)/epan; do \
	    [ -f $$dest/tcpstate.so ] && rm -f $$dest/tcpstate.so && echo "Removed $$dest/tcpstate.so"; done; true

clean:
	rm -rf $(BUILD)
