#!/bin/bash
# test-debian13.sh [--native-plugin SO] [--refresh] [--rebuild] [--shell]
#
# Builds tcpstate against Debian 13's Wireshark (4.4) and runs the whole test suite (ctest)
# there, in a Debian 13 ("trixie") root made with debootstrap. `make test-compat` runs it.
#
# - The root is cached in ${TCPSTATE_COMPAT_CACHE:-/var/cache/tcpstate-compat}/trixie
#   (about 800 MB; making it took 40 s on a fast mirror, expect up to five minutes). It is
#   reused when its stamp file says it is complete and has the packages below; a root
#   without the stamp (an interrupted debootstrap) is deleted and made again.
# - The checkout is bind-mounted read-only at /src/tcpstate, and ../shared (the public corpus
#   of the public-corpus test), when present, at /src/shared. The build goes to
#   /var/tmp/tcpstate-build inside the root, made afresh on every run.
# - With --native-plugin SO (the plugin built against this machine's Wireshark; the Makefile
#   passes it), the tcpstate fields of every sample capture are dumped under both releases
#   (dump-fields.sh) and must be identical.
#
# --refresh  apt-get update and upgrade the cached root first (a newer Wireshark 4.4.x).
# --rebuild  delete the cached root and make it again.
# --shell    after the tests, a shell in the root (mounts in place), for digging.
#
# Environment: TCPSTATE_COMPAT_CACHE (cache folder), TCPSTATE_COMPAT_MIRROR (Debian mirror,
# default http://deb.debian.org/debian), TCPSTATE_COMPAT_SHARED (the folder holding
# pcaps-public, default ../shared), TCPSTATE_COMPAT_EXTRA_PACKAGES (more Debian packages for
# the root, e.g. "wireshark-qt xvfb x11-utils imagemagick" for the GUI test, which skips
# without them; added to the cached root on the next run).
# Needs root (re-runs itself through sudo), Debian's debootstrap (installed with apt-get when
# missing), and mount/chroot rights.
set -euo pipefail

SUITE=trixie
PACKAGES="wireshark-dev tshark cmake gcc make python3 pkg-config libglib2.0-dev util-linux"
PACKAGES="$PACKAGES${TCPSTATE_COMPAT_EXTRA_PACKAGES:+ $TCPSTATE_COMPAT_EXTRA_PACKAGES}"
CACHE=${TCPSTATE_COMPAT_CACHE:-/var/cache/tcpstate-compat}
MIRROR=${TCPSTATE_COMPAT_MIRROR:-http://deb.debian.org/debian}
ROOT=$CACHE/$SUITE
STAMP=$ROOT/.tcpstate-compat-ready
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${TCPSTATE_COMPAT_SHARED:-$(cd "$REPO/.." && pwd)/shared}

native_plugin='' refresh='' rebuild='' shell=''
while [ $# -gt 0 ]; do
    case $1 in
        --native-plugin) native_plugin=$(realpath "$2"); shift ;;
        --refresh) refresh=1 ;;
        --rebuild) rebuild=1 ;;
        --shell) shell=1 ;;
        *) echo "usage: $0 [--native-plugin SO] [--refresh] [--rebuild] [--shell]" >&2; exit 2 ;;
    esac
    shift
done

if [ "$(id -u)" != 0 ]; then
    echo "debootstrap, mount and chroot need root: re-running through sudo" >&2
    exec sudo TCPSTATE_COMPAT_CACHE="$CACHE" TCPSTATE_COMPAT_MIRROR="$MIRROR" \
        TCPSTATE_COMPAT_SHARED="$SHARED" \
        TCPSTATE_COMPAT_EXTRA_PACKAGES="${TCPSTATE_COMPAT_EXTRA_PACKAGES:-}" "$0" \
        ${native_plugin:+--native-plugin "$native_plugin"} ${refresh:+--refresh} \
        ${rebuild:+--rebuild} ${shell:+--shell}
fi

start=$SECONDS
say() { printf '[test-debian13 %4ds] %s\n' $((SECONDS - start)) "$*"; }

# Runs a command inside the root, with a clean environment.
in_root() {
    chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        DEBIAN_FRONTEND=noninteractive "$@"
}

# The mounts under the root, deepest first.
mounts_under_root() {
    awk -v root="$(realpath -m "$ROOT")" '$5 == root || index($5, root "/") == 1 { print $5 }' \
        /proc/self/mountinfo | sort -r
}

unmount_all() {
    local m
    for m in $(mounts_under_root); do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}

mount_base() {
    mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
    mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
    mountpoint -q "$ROOT/dev/pts" || mount --bind /dev/pts "$ROOT/dev/pts"
    cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
}

# Only one run at a time uses the root.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
    say "another run holds $CACHE/.lock; waiting"
    flock 9
fi
trap unmount_all EXIT
unmount_all   # left over by a run that was killed

# --- 1. the Debian 13 root ------------------------------------------------------------------
wanted="suite=$SUITE packages=$PACKAGES"
if [ -n "$rebuild" ] || { [ -d "$ROOT" ] && [ ! -f "$STAMP" ]; }; then
    say "deleting the $([ -n "$rebuild" ] && echo cached || echo incomplete) root $ROOT"
    [ -z "$(mounts_under_root)" ] || { echo "still mounted under $ROOT: not deleting" >&2; exit 1; }
    rm -rf --one-file-system "$ROOT"
fi
if [ ! -f "$STAMP" ]; then
    if ! command -v debootstrap >/dev/null; then
        say "installing debootstrap"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    say "debootstrap $SUITE from $MIRROR into $ROOT (a few minutes)"
    debootstrap --variant=minbase "$SUITE" "$ROOT" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 \
        || { tail -n 20 "$CACHE/debootstrap.log"; exit 1; }
    # No daemons start inside the root while packages are installed.
    printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
    chmod 755 "$ROOT/usr/sbin/policy-rc.d"
    echo "$SUITE" > "$ROOT/etc/debian_chroot"
fi
mount_base
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$wanted" ] || [ -n "$refresh" ]; then
    say "installing into the root: $PACKAGES"
    in_root apt-get update -qq
    [ -z "$refresh" ] || in_root apt-get -y -qq upgrade >/dev/null
    # shellcheck disable=SC2086
    in_root apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
    in_root apt-get clean
    echo "$wanted" > "$STAMP"
fi
say "root ready: $(in_root tshark --version 2>/dev/null | head -n 1)"

# --- 2. the checkout and the public corpus --------------------------------------------------
mkdir -p "$ROOT/src/tcpstate" "$ROOT/src/shared"
mount_ro() {
    mount --bind "$1" "$2"
    mount -o remount,bind,ro "$2" || say "could not make $2 read-only; it stays writable"
}
mount_ro "$REPO" "$ROOT/src/tcpstate"
if [ -d "$SHARED/pcaps-public" ]; then
    mount_ro "$SHARED" "$ROOT/src/shared"
else
    say "no $SHARED/pcaps-public: the public-corpus test will be skipped"
fi

# --- 3. build and test ----------------------------------------------------------------------
say "building against Wireshark $(in_root pkg-config --modversion wireshark)"
in_root rm -rf /var/tmp/tcpstate-build /var/tmp/tcpstate-fields
in_root cmake -S /src/tcpstate -B /var/tmp/tcpstate-build > /dev/null
status=0
in_root cmake --build /var/tmp/tcpstate-build -j "$(nproc)" 2>&1 | tee "$CACHE/build.log" \
    | grep -E 'warning|error' || true
[ -n "$(ls "$ROOT"/var/tmp/tcpstate-build/plugins/*/epan/tcpstate.so 2>/dev/null)" ] \
    || { say "build FAILED (log: $CACHE/build.log)"; exit 1; }

say "ctest"
in_root sh -c 'cd /var/tmp/tcpstate-build && ctest --output-on-failure' || status=1

# --- 4. the same output as the native build -------------------------------------------------
if [ -n "$native_plugin" ]; then
    say "comparing the tcpstate fields of every sample capture with $native_plugin"
    plugins=("$ROOT"/var/tmp/tcpstate-build/plugins/*/epan/tcpstate.so)
    in_root /src/tcpstate/scripts/compat/dump-fields.sh "${plugins[0]#"$ROOT"}" /var/tmp/tcpstate-fields
    native_out=$(mktemp -d /tmp/tcpstate-fields.XXXXXX)
    "$REPO/scripts/compat/dump-fields.sh" "$native_plugin" "$native_out"
    if diff -r "$native_out" "$ROOT/var/tmp/tcpstate-fields" > "$CACHE/fields.diff"; then
        captures=("$native_out"/*.steps)
        say "identical: the tcpstate fields of ${#captures[@]} captures, in one and two passes"
    else
        say "DIFFERENT (diff in $CACHE/fields.diff):"
        head -n 40 "$CACHE/fields.diff"
        status=1
    fi
    rm -rf "$native_out"
fi

if [ -n "$shell" ]; then
    say "a shell in the root; the build is in /var/tmp/tcpstate-build"
    in_root env TERM="${TERM:-dumb}" PS1='(trixie) \w# ' bash -i || true
fi
say "$([ $status = 0 ] && echo PASSED || echo FAILED) on $(in_root tshark --version 2>/dev/null | head -n 1)"
exit $status
