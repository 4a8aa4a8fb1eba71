#!/bin/sh
# test-deb.sh DEB [CAPTURE]
# Installs the package `make deb` made (apt-get install, with its dependencies), checks that
# tshark lists tcpstate among its plugins, exactly once, from the package's file, and that
# tshark with it shows on CAPTURE (default sample-pcaps/http-client-close.pcap) the step and
# both states of every packet that tests/cases/NAME.expected gives; then removes the package,
# whatever happened. `make test-deb` runs it on this machine, scripts/compat/test-compat.sh
# in each Debian root.
#
# Not beside ctest: while the package is installed, Wireshark finds tcpstate in the global
# plugin folder too, so the tests that load the build tree's copy would see it twice. It
# refuses to run when a tcpstate package or file is already in the global folder. Needs root.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
deb=$(realpath "$1")
capture=${2:-$repo/sample-pcaps/http-client-close.pcap}
expected=$repo/tests/cases/$(basename "${capture%.*}").expected

if [ "$(id -u)" != 0 ]; then
    echo "installing a package needs root: re-running through sudo" >&2
    exec sudo "$0" "$deb" "$capture"
fi
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }

so=$(dpkg-deb -c "$deb" | awk '$NF ~ /\/tcpstate\.so$/ { sub(/^\./, "", $NF); print $NF }')
[ -n "$so" ] || fail "$deb holds no tcpstate.so"
if dpkg-query -W -f='${Status}' tcpstate 2>/dev/null | grep -q 'ok installed'; then
    fail "a tcpstate package is already installed: not touching it (apt-get remove tcpstate)"
fi
[ ! -e "$so" ] || fail "$so is already there (make uninstall removes a make install)"

remove() {
    env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq tcpstate >/dev/null 2>&1 \
        || dpkg --purge tcpstate >/dev/null
    [ ! -e "$so" ] || { echo "test-deb: $so is still there" >&2; exit 1; }
    echo "test-deb: removed the package again"
}
trap remove EXIT
trap 'exit 1' INT TERM

env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
    "$deb" >/dev/null || fail "apt-get install $deb"
[ -f "$so" ] || fail "the package did not install $so"

# Root loads the global folder only: this is the package's copy, not a build tree's.
listed=$(tshark -G plugins 2>&1 | grep -c 'tcpstate\.so') || true
[ "$listed" = 1 ] || { tshark -G plugins 2>&1 | grep tcpstate; fail "tshark -G plugins lists tcpstate.so $listed times, not once"; }
tshark -G plugins | grep 'tcpstate\.so' | grep -qF "$so" || fail "tshark loads tcpstate.so from elsewhere than $so"

# What the plugin shows for every packet, against the per-packet expectations.
got=$(tshark -r "$capture" -T fields -e frame.number -e tcpstate.step \
    -e tcpstate.client.state -e tcpstate.server.state 2>/dev/null) || fail "tshark -r $capture"
want=$(awk -F'\t' '!/^#/ && NF { print $1 "\t" ($4 == "-" ? "" : $4) "\t" $5 "\t" $6 }' "$expected")
[ "$got" = "$want" ] || { printf 'got:\n%s\nexpected:\n%s\n' "$got" "$want"; fail "tcpstate fields of $capture"; }

echo "test-deb: $(basename "$deb") installs $so; $(tshark --version | head -n 1) lists it" \
    "and shows the expected step and states on all $(echo "$got" | wc -l) packets of $(basename "$capture")"
