#!/bin/sh
# tshark-plugin.sh PLUGIN_SO CAPTURE [TSHARK_ARGS...]
# Runs tshark on CAPTURE with the tcpstate plugin from the build tree loaded; CAPTURE "-"
# runs it with no capture (for -G).
#
# Wireshark ignores WIRESHARK_PLUGIN_DIR and personal plugin folders when the real user is
# root, so as root tshark runs as nobody. The plugin and the capture are copied to a private
# folder that nobody can read, whatever the permissions of the checkout.
#
# For the robustness tests (tests/fuzz.py, tests/valgrind.sh), two optional variables reach
# tshark alone, not the commands around it: TSHARK_PRELOAD becomes its LD_PRELOAD (the
# sanitizer runtime an ASan plugin needs), TSHARK_PREFIX is a command it runs under
# (valgrind and its options, split on spaces). ASAN_OPTIONS and the like pass through.
set -eu
plugin=$1 capture=$2
shift 2

work=$(mktemp -d /tmp/tcpstate-tshark.XXXXXX)
trap 'rm -rf "$work"' EXIT
version=$(basename "$(dirname "$(dirname "$plugin")")")   # plugins/X.Y/epan/tcpstate.so
mkdir -p "$work/plugins/$version/epan"
cp "$plugin" "$work/plugins/$version/epan/"
if [ "$capture" = - ]; then
    set -- "$@"
else
    cp "$capture" "$work/capture"
    set -- -r "$work/capture" "$@"
fi
chmod -R a+rX "$work"

if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        env HOME="$work" WIRESHARK_PLUGIN_DIR="$work/plugins" \
        ${TSHARK_PRELOAD:+"LD_PRELOAD=$TSHARK_PRELOAD"} ${TSHARK_PREFIX:-} tshark "$@"
else
    env WIRESHARK_PLUGIN_DIR="$work/plugins" \
        ${TSHARK_PRELOAD:+"LD_PRELOAD=$TSHARK_PRELOAD"} ${TSHARK_PREFIX:-} tshark "$@"
fi
