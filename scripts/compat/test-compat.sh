#!/bin/bash
# test-compat.sh [--native-plugin SO] [--refresh] [--rebuild] [--shell] [RELEASE...]
#
# Builds tcpstate against other Wireshark releases and runs the whole test suite (ctest)
# there, each in a Debian root made with debootstrap; `make test-compat` runs it. RELEASE is
# one of (default: 4.4 and 4.6):
#
#   4.0  Debian 12 "bookworm" (oldstable): Wireshark 4.0.x, 4.0.17 when last checked. Not
#        in the default list, since `make test` runs on it natively; for a machine that is
#        not Debian 12, or to try the package without installing it on the machine
#        (`make test-deb` would put it beside the build tree's copy that ctest loads).
#   4.4  Debian 13 "trixie" (stable): Wireshark 4.4.x, 4.4.19 when last checked.
#   4.6  Debian testing "forky": Wireshark 4.6.x, 4.6.9 when last checked, the same build
#        as unstable's (sid). Testing rather than unstable because a package only enters
#        testing once it installs, so the root does not break in a library transition.
#        TCPSTATE_COMPAT_SUITE_4_6=sid makes the root from unstable instead.
#
# For each release:
# - The root is cached in ${TCPSTATE_COMPAT_CACHE:-/var/cache/tcpstate-compat}/SUITE (about
#   800 MB; under a minute to make on a fast mirror). It is reused when its stamp file says
#   it is complete and has the packages below; a root without the stamp (an interrupted
#   debootstrap) is deleted and made again.
# - Wireshark is pinned to the release inside the root (/etc/apt/preferences.d): when the
#   suite moves on to another release, installing fails instead of testing the wrong one.
#   The versions of the root's main packages are written to SUITE.versions beside it.
# - The checkout is bind-mounted read-only at /src/tcpstate, and ../shared (the public corpus
#   of the public-corpus test), when present, at /src/shared. The build goes to
#   /var/tmp/tcpstate-build inside the root, made afresh on every run.
# - ctest, then `make deb`'s package installed with apt-get and checked (scripts/test-deb.sh),
#   then removed again.
# - With --native-plugin SO (the plugin built against this machine's Wireshark; the Makefile
#   passes it), the tcpstate fields of every sample capture are dumped under both releases
#   (dump-fields.sh) and must be identical.
#
# --refresh  apt-get update and upgrade the cached roots first (a newer 4.4.x or 4.6.x).
# --rebuild  delete the cached roots and make them again. When a root no longer installs
#            (the suite dropped the release, or is in the middle of a transition), the
#            message says so: use the other suite for 4.6 (TCPSTATE_COMPAT_SUITE_4_6), or
#            retire the release here and add the new one.
# --shell    after the tests, a shell in the root (mounts in place), for digging.
#
# Environment: TCPSTATE_COMPAT_CACHE (cache folder), TCPSTATE_COMPAT_MIRROR (Debian mirror,
# default http://deb.debian.org/debian), TCPSTATE_COMPAT_SHARED (the folder holding
# pcaps-public, default ../shared), TCPSTATE_COMPAT_SUITE_4_6 (forky or sid),
# TCPSTATE_COMPAT_NO_CTEST (releases, e.g. "4.4", built, packaged and compared field by field
# without their ctest: CI's time budget), TCPSTATE_COMPAT_EXTRA_PACKAGES (more Debian packages for the roots, e.g. "wireshark xvfb
# x11-utils imagemagick xdotool tesseract-ocr" for the GUI tests, which skip without them;
# forky has no wireshark-qt, "wireshark" is the GUI in every suite; added to the cached
# roots on the next run).
# Needs root (re-runs itself through sudo), Debian's debootstrap (installed with apt-get when
# missing), and mount/chroot rights. Exit status 0 when every release passed or was skipped:
# a release is skipped (said in the summary) when its suite no longer offers it.
set -euo pipefail

PACKAGES="wireshark-dev tshark cmake gcc make python3 pkg-config libglib2.0-dev util-linux"
PACKAGES="$PACKAGES parallel tcpdump rsync"   # scripts/tcpstate-parallel and its tests
PACKAGES="$PACKAGES${TCPSTATE_COMPAT_EXTRA_PACKAGES:+ $TCPSTATE_COMPAT_EXTRA_PACKAGES}"
CACHE=${TCPSTATE_COMPAT_CACHE:-/var/cache/tcpstate-compat}
MIRROR=${TCPSTATE_COMPAT_MIRROR:-http://deb.debian.org/debian}
SUITE_4_6=${TCPSTATE_COMPAT_SUITE_4_6:-forky}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${TCPSTATE_COMPAT_SHARED:-$(cd "$REPO/.." && pwd)/shared}
BUILD=/var/tmp/tcpstate-build   # inside the root

# The Debian suite that has a release's Wireshark.
suite_of() {
    case $1 in
        4.0) echo bookworm ;;
        4.4) echo trixie ;;
        4.6) echo "$SUITE_4_6" ;;
        *) return 1 ;;
    esac
}

usage() {
    echo "usage: $0 [--native-plugin SO] [--refresh] [--rebuild] [--shell] [4.0] [4.4] [4.6]" >&2
    exit 2
}
native_plugin='' refresh='' rebuild='' shell='' releases=()
while [ $# -gt 0 ]; do
    case $1 in
        --native-plugin) native_plugin=$(realpath "$2"); shift ;;
        --refresh) refresh=1 ;;
        --rebuild) rebuild=1 ;;
        --shell) shell=1 ;;
        -*) usage ;;
        *) suite_of "$1" >/dev/null || usage; releases+=("$1") ;;
    esac
    shift
done
[ ${#releases[@]} -gt 0 ] || releases=(4.4 4.6)

if [ "$(id -u)" != 0 ]; then
    echo "debootstrap, mount and chroot need root: re-running through sudo" >&2
    exec sudo TCPSTATE_COMPAT_CACHE="$CACHE" TCPSTATE_COMPAT_MIRROR="$MIRROR" \
        TCPSTATE_COMPAT_SHARED="$SHARED" TCPSTATE_COMPAT_SUITE_4_6="$SUITE_4_6" \
        TCPSTATE_COMPAT_EXTRA_PACKAGES="${TCPSTATE_COMPAT_EXTRA_PACKAGES:-}" "$0" \
        ${native_plugin:+--native-plugin "$native_plugin"} ${refresh:+--refresh} \
        ${rebuild:+--rebuild} ${shell:+--shell} "${releases[@]}"
fi

start=$SECONDS
release=-
say() { printf '[test-compat %s %4ds] %s\n' "$release" $((SECONDS - start)) "$*"; }

# Runs a command inside the current root ($ROOT), with a clean environment.
in_root() {
    chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        DEBIAN_FRONTEND=noninteractive "$@"
}

# The mounts under the cache (every root), deepest first.
mounts_under_cache() {
    awk -v cache="$(realpath -m "$CACHE")" 'index($5, cache "/") == 1 { print $5 }' \
        /proc/self/mountinfo | sort -r
}

unmount_all() {
    local m
    for m in $(mounts_under_cache); do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}

mount_ro() {
    mount --bind "$1" "$2"
    mount -o remount,bind,ro "$2" || say "could not make $2 read-only; it stays writable"
}

# Makes or updates $ROOT for $release until it has $PACKAGES, with Wireshark pinned.
prepare_root() {
    local suite=$1 stamp=$ROOT/.tcpstate-compat-ready
    local wanted="suite=$suite wireshark=$release.* packages=$PACKAGES"
    if [ -n "$rebuild" ] || { [ -d "$ROOT" ] && [ ! -f "$stamp" ]; }; then
        say "deleting the $([ -n "$rebuild" ] && echo cached || echo incomplete) root $ROOT"
        # The checkout is bind-mounted there during a run, on the same file system.
        [ -z "$(mounts_under_cache)" ] || { say "still mounted under $CACHE: not deleting"; return 1; }
        rm -rf --one-file-system "$ROOT"
    fi
    if [ ! -f "$stamp" ]; then
        if ! command -v debootstrap >/dev/null; then
            say "installing debootstrap"
            apt-get -o DPkg::Lock::Timeout=300 update -qq
            DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
                debootstrap >/dev/null
        fi
        # An older debootstrap lacks the scripts of newer suites; they are all sid's.
        local script=/usr/share/debootstrap/scripts/$suite
        [ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
        # Only the base system: debootstrap's own resolver stops at unstable's virtual
        # packages (libfalcosecurity's libre2-11-absl*), apt-get below does not.
        say "debootstrap $suite from $MIRROR into $ROOT"
        debootstrap --variant=minbase "$suite" "$ROOT" "$MIRROR" "$script" \
            > "$CACHE/$suite.debootstrap.log" 2>&1 \
            || { tail -n 20 "$CACHE/$suite.debootstrap.log"; return 1; }
        # No daemons start inside the root while packages are installed.
        printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
        chmod 755 "$ROOT/usr/sbin/policy-rc.d"
        echo "$suite" > "$ROOT/etc/debian_chroot"
    fi
    mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
    mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
    mountpoint -q "$ROOT/dev/pts" || mount --bind /dev/pts "$ROOT/dev/pts"
    cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ] || [ -n "$refresh" ]; then
        # Testing's and unstable's Release files expire within a week; a mirror that lags
        # behind serves them expired.
        echo 'Acquire::Check-Valid-Until "false";' > "$ROOT/etc/apt/apt.conf.d/99tcpstate-compat"
        # This release of Wireshark and no other: a suite that moved on fails to install.
        printf 'Package: src:wireshark\nPin: version %s.*\nPin-Priority: 990\n\n' "$release" \
            > "$ROOT/etc/apt/preferences.d/tcpstate-wireshark"
        printf 'Package: src:wireshark\nPin: version *\nPin-Priority: -1\n' \
            >> "$ROOT/etc/apt/preferences.d/tcpstate-wireshark"
        say "installing into the root: $PACKAGES"
        in_root apt-get update -qq
        [ -z "$refresh" ] || in_root apt-get -y -qq upgrade >/dev/null
        # shellcheck disable=SC2086
        if ! in_root apt-get install -y -qq --no-install-recommends $PACKAGES > "$CACHE/$suite.apt.log" 2>&1; then
            local offered
            offered=$(in_root apt-cache madison tshark | awk -F' *[|] *' '{ print $2 }' | xargs)
            if ! echo " $offered" | grep -qF " $release."; then
                say "SKIPPED: Debian $suite no longer offers Wireshark $release (only $offered):" \
                    "move $release to a suite that has it, or retire it (suite_of in $0)"
                return 77
            fi
            tail -n 20 "$CACHE/$suite.apt.log"
            say "cannot install Wireshark $release ($offered) from $suite: see --rebuild in $0"
            return 1
        fi
        in_root apt-get clean
        echo "$wanted" > "$stamp"
    fi
    # shellcheck disable=SC2016  # dpkg-query expands ${Package}
    in_root dpkg-query -W -f='${Package} ${Version}\n' tshark libwireshark-dev gcc cmake \
        libglib2.0-dev libc6 > "$CACHE/$suite.versions"
    say "root ready: $(in_root tshark --version 2>/dev/null | head -n 1) (versions: $CACHE/$suite.versions)"
}

# Builds, runs ctest, the package test and the field comparison in $ROOT. Returns non-zero
# when anything failed.
test_release() {
    local suite status=0
    suite=$(suite_of "$release")
    ROOT=$CACHE/$suite
    prepare_root "$suite" || return $?

    mkdir -p "$ROOT/src/tcpstate" "$ROOT/src/shared"
    mountpoint -q "$ROOT/src/tcpstate" || mount_ro "$REPO" "$ROOT/src/tcpstate"
    if [ ! -d "$SHARED/pcaps-public" ]; then
        say "no $SHARED/pcaps-public: the public-corpus tests will be skipped"
    elif ! mountpoint -q "$ROOT/src/shared"; then
        mount_ro "$SHARED" "$ROOT/src/shared"
    fi

    say "building against Wireshark $(in_root pkg-config --modversion wireshark)"
    in_root rm -rf "$BUILD" /var/tmp/tcpstate-fields
    in_root cmake -S /src/tcpstate -B "$BUILD" > /dev/null
    in_root cmake --build "$BUILD" -j "$(nproc)" 2>&1 | tee "$CACHE/$suite.build.log" \
        | grep -E 'warning|error' || true
    if [ -z "$(ls "$ROOT$BUILD"/plugins/*/epan/tcpstate.so 2>/dev/null)" ]; then
        say "build FAILED (log: $CACHE/$suite.build.log)"
        return 1
    fi

    # What no release changes runs natively only (CI's time budget): the damage tests run
    # tshark hundreds of times on damaged samples, and the field comparison below already holds
    # this release to the native build on every sample, the damaged ones included;
    # tcpstate-parallel's tests check a script's merge; fuzz builds the plugin with sanitizers
    # again; the reports and the order of dissection on the corpus repeat what the same tests
    # check on the samples here, while public-corpus still reads every corpus capture; the
    # explanations in English are among the fields compared below, Chinese is the same code.
    if [[ " ${TCPSTATE_COMPAT_NO_CTEST:-} " == *" $release "* ]]; then
        say "no ctest here (TCPSTATE_COMPAT_NO_CTEST): the package and the field comparison only"
    else
        # The GUI tests only when the GUI packages were asked for (they take minutes).
        local skip='^(damage-|parallel-|explain-)|^fuzz$|^(reports|order)-corpus$'
        [ -n "${TCPSTATE_COMPAT_EXTRA_PACKAGES:-}" ] || skip="$skip|^gui"
        say "ctest (all but the tests no release changes: $skip)"
        in_root sh -c "cd $BUILD && ctest -j $(nproc) --output-on-failure -E '$skip'" || status=1
    fi

    say "the Debian package: make deb, apt-get install, tshark -G plugins, a capture"
    if ! in_root cmake --build "$BUILD" --target deb > "$CACHE/$suite.deb.log" 2>&1; then
        cat "$CACHE/$suite.deb.log"
        status=1
    else
        local deb
        deb=$(cd "$ROOT$BUILD" && ls tcpstate_*.deb)
        in_root /src/tcpstate/scripts/test-deb.sh "$BUILD/$deb" || status=1
    fi

    if [ -n "$native_plugin" ]; then
        say "comparing the tcpstate fields of every sample capture with $native_plugin"
        local plugins=("$ROOT$BUILD"/plugins/*/epan/tcpstate.so)
        in_root /src/tcpstate/scripts/compat/dump-fields.sh "${plugins[0]#"$ROOT"}" \
            /var/tmp/tcpstate-fields
        if diff -r "$native_out" "$ROOT/var/tmp/tcpstate-fields" > "$CACHE/$suite.fields.diff"; then
            local captures=("$native_out"/*.steps)
            say "identical: the tcpstate fields of ${#captures[@]} captures, in one and two passes"
        else
            say "DIFFERENT (diff in $CACHE/$suite.fields.diff):"
            head -n 40 "$CACHE/$suite.fields.diff"
            status=1
        fi
    fi

    if [ -n "$shell" ]; then
        say "a shell in the root; the build is in $BUILD"
        in_root env TERM="${TERM:-dumb}" PS1="($suite) \\w# " bash -i || true
    fi
    return $status
}

# Only one run at a time uses the cache (and the two cores).
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
    say "another run holds $CACHE/.lock; waiting"
    flock 9
fi
native_out=''
trap 'unmount_all; [ -z "$native_out" ] || rm -rf "$native_out"' EXIT
unmount_all   # left over by a run that was killed

if [ -n "$native_plugin" ]; then
    say "the tcpstate fields of every sample capture with $native_plugin"
    native_out=$(mktemp -d /tmp/tcpstate-fields.XXXXXX)
    "$REPO/scripts/compat/dump-fields.sh" "$native_plugin" "$native_out"
fi

summary=() failed=0
for release in "${releases[@]}"; do
    status=0
    test_release || status=$?
    case $status in
        0) result=PASSED ;;
        77) result="SKIPPED (not in Debian $(suite_of "$release") any more)" ;;
        *) result=FAILED failed=1 ;;
    esac
    [ "$status" = 77 ] || result="$result on $(in_root tshark --version 2>/dev/null | head -n 1 || true)"
    summary+=("$release $result")
    unmount_all
done
release=-
for line in "${summary[@]}"; do
    say "$line"
done
exit $failed
