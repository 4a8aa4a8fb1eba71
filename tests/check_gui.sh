#!/bin/sh
# check_gui.sh PLUGIN_SO CAPTURE
# Starts the real Wireshark GUI under a private X server (Xvfb) with the plugin from the build
# tree and CAPTURE open, and checks that:
#   - tshark, run as the same user with the same folders, lists the plugin from that folder;
#   - the GUI opens the capture with the display filter "tcpstate" applied: the filter is only
#     valid when the GUI itself loaded the plugin (without it Wireshark shows "isn't a valid
#     display filter" and leaves the capture closed), and the main window takes the capture's
#     name as its title once the file is read;
#   - a screenshot of that window is not blank;
#   - Statistics → TCP State Connections and Statistics → TCP State (the statistics tree) are
#     in the menu and open their dialogs.
#   - a TIME_WAIT of 99999 s in the preferences file raises the same warning as in tshark.
# Exit 0 on success, 1 on failure, 77 (ctest's skip code) when Xvfb, Wireshark's GUI or the X
# tools are not installed or cannot start here. Installs nothing. Bounded (ctest stops it
# after 10 minutes; about 1 to 2 minutes when it passes, more on a busy machine), and
# everything it started is stopped.
#
# Wireshark ignores WIRESHARK_PLUGIN_DIR and personal plugin folders when the real user is
# root, so as root the GUI runs as nobody with HOME and the plugin folder in a private dir.
set -u
plugin=$1 capture=$2
deps="wireshark-qt xvfb x11-utils imagemagick xdotool"

skip() { echo "SKIP: $*"; exit 77; }
fail() {
    echo "FAIL: $*"
    for log in "$work/wireshark.log" "$work/xvfb.log"; do
        [ -s "$log" ] && { echo "--- $(basename "$log"):"; tail -n 20 "$log"; }
    done
    exit 1
}

for cmd in Xvfb:xvfb wireshark:wireshark-qt tshark:tshark xwininfo:x11-utils \
           import:imagemagick identify:imagemagick xdotool:xdotool setpriv:util-linux \
           timeout:coreutils; do
    command -v "${cmd%%:*}" >/dev/null 2>&1 ||
        skip "${cmd%%:*} is not installed (Debian package ${cmd#*:}); the GUI test needs: $deps"
done
[ -r "$plugin" ] || { echo "FAIL: no plugin at $plugin"; exit 1; }
[ -r "$capture" ] || { echo "FAIL: no capture at $capture"; exit 1; }

work=$(mktemp -d /tmp/tcpstate-gui.XXXXXX)
xvfb_pid='' ws_pid=''
# shellcheck disable=SC2317  # called from the trap
cleanup() {
    [ -z "$ws_pid" ] || kill "$ws_pid" 2>/dev/null
    [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null
    sleep 0.3
    [ -z "$ws_pid" ] || kill -9 "$ws_pid" 2>/dev/null
    [ -z "$xvfb_pid" ] || kill -9 "$xvfb_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

version=$(basename "$(dirname "$(dirname "$plugin")")")   # plugins/X.Y/epan/tcpstate.so
capname=$(basename "$capture")
mkdir -p "$work/plugins/$version/epan" "$work/home/.config/wireshark" "$work/run"
cp "$plugin" "$work/plugins/$version/epan/tcpstate.so"
cp "$capture" "$work/$capname"
cat >"$work/home/.config/wireshark/recent_common" <<EOF
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: 1024
gui.geometry_main_height: 700
EOF
chmod 755 "$work"
chmod -R a+rX "$work/plugins" "$work/$capname"
chmod 700 "$work/run"
if [ "$(id -u)" = 0 ]; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    chown -R 65534:65534 "$work/home" "$work/run"
else
    as_user=
fi
run() {   # run COMMAND...: as the unprivileged user, with the private HOME and plugin folder
    $as_user env HOME="$work/home" XDG_RUNTIME_DIR="$work/run" \
        WIRESHARK_PLUGIN_DIR="$work/plugins" "$@"
}

# 1. The plugin loads from the private folder (the same user and folders as the GUI's).
listed=$(run timeout 15 tshark -G plugins 2>&1)
echo "$listed" | grep -qE "^tcpstate\.so[[:space:]].*[[:space:]]$work/plugins/$version/epan/tcpstate\.so\$" ||
    fail "tshark -G plugins does not list $work/plugins/$version/epan/tcpstate.so:
$listed"

# 2. A private X server.
Xvfb -displayfd 3 -screen 0 1024x700x24 -nolisten tcp -ac 3>"$work/display" >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
i=0
while [ ! -s "$work/display" ]; do
    kill -0 "$xvfb_pid" 2>/dev/null || skip "Xvfb could not start here: $(tail -n 3 "$work/xvfb.log")"
    i=$((i + 1)); [ $i -le 100 ] || skip "Xvfb did not open a display within 10 s"
    sleep 0.1
done
DISPLAY=:$(cat "$work/display"); export DISPLAY

# window_id NAME: the id of the top-level window named exactly NAME, if any.
window_id() {
    xwininfo -root -tree 2>/dev/null |
        awk -v want="\"$1\": " 'index($0, want) { print $1; exit }'
}

# 3. The GUI, with the capture and a display filter only the plugin makes valid.
run env DISPLAY="$DISPLAY" wireshark -r "$work/$capname" -Y tcpstate >"$work/wireshark.log" 2>&1 &
ws_pid=$!
win='' i=0 unopened=0
while [ -z "$win" ]; do
    if ! kill -0 "$ws_pid" 2>/dev/null; then
        wait "$ws_pid"; rc=$?
        if grep -qiE 'could not connect to display|qt\.qpa|platform plugin' "$work/wireshark.log"; then
            skip "Wireshark's GUI could not start on Xvfb: $(head -n 3 "$work/wireshark.log")"
        fi
        fail "wireshark exited (status $rc) before opening $capname"
    fi
    i=$((i + 1))
    [ $i -le 125 ] || fail "no Wireshark window for $capname within 25 s"
    # The main window is titled "The Wireshark Network Analyzer" until a file is read; when it
    # stays so for 6 s, Wireshark refused the filter (its error dialog is up): no plugin.
    if [ -n "$(window_id "The Wireshark Network Analyzer")" ]; then
        unopened=$((unopened + 1))
        [ $unopened -le 30 ] ||
            fail "the GUI started but did not open $capname with the display filter 'tcpstate': the GUI did not load the plugin"
    fi
    sleep 0.2
    win=$(window_id "$capname")
done
xwininfo -id "$win" | grep -q 'Map State: IsViewable' || fail "the window $capname is not shown"
sleep 2   # let it paint the packet list and details

# 4. The window is not blank.
import -window "$win" "$work/shot.png" 2>>"$work/xvfb.log" || fail "could not take a screenshot"
spread=$(identify -format '%[fx:standard_deviation]' "$work/shot.png")
awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' ||
    fail "the screenshot of $capname is blank (standard deviation $spread)"
kill -0 "$ws_pid" 2>/dev/null || fail "wireshark exited after opening $capname"

# 5. Both entries of the Statistics menu open their dialogs. A menu item has no name a key
# can reach (no mnemonic), so each is found by walking the menu with KEY (Down from its top,
# Up from its bottom) until choosing the item opens the window "Wireshark · TITLE · CAPTURE";
# a window a wrong item opened (a dialog, an error message) is closed with Escape.
shown_dialogs() {   # the ids of the other shown top-level windows: dialogs, message boxes
    for id in $(xwininfo -root -children 2>/dev/null | awk '/^ +0x/ { print $1 }'); do
        [ "$((id))" = "$((win))" ] && continue
        xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable' && echo "$id"
    done
}
target_dialog() {   # target_dialog TITLE: the id of the shown window "Wireshark · TITLE · CAPTURE"
    for id in $(shown_dialogs); do
        xwininfo -id "$id" | grep -qF "\"Wireshark · $1 · $capname\"" && { echo "$id"; return 0; }
    done
    return 1
}
close_dialogs() {   # Escape to each shown dialog (some open late), until none is left
    tries=0
    while [ -n "$(shown_dialogs)" ] && [ $tries -lt 15 ]; do
        for id in $(shown_dialogs); do
            xdotool windowfocus --sync "$id" key Escape 2>/dev/null
        done
        sleep 0.3
        tries=$((tries + 1))
    done
}
open_from_statistics() {   # open_from_statistics KEY TITLE: prints the dialog's window id
    steps=1
    while [ $steps -le 40 ]; do
        close_dialogs
        xdotool windowfocus --sync "$win" key --clearmodifiers alt+s
        sleep 0.3
        xdotool key --repeat $steps --delay 20 "$1" key Return
        waited=0
        while [ $waited -lt 15 ]; do   # up to 3 s; a wrong item's window ends the wait
            target_dialog "$2" && return 0
            [ -n "$(shown_dialogs)" ] && [ $waited -ge 2 ] && break
            sleep 0.2
            waited=$((waited + 1))
        done
        xdotool windowfocus --sync "$win" key Escape key Escape   # a submenu, the menu
        steps=$((steps + 1))
    done
    return 1
}
table=$(open_from_statistics Down "TCP State Connections") ||
    fail "Statistics → TCP State Connections is not in the menu, or did not open its dialog"
tree=$(open_from_statistics Up "TCP State") ||
    fail "Statistics → TCP State is not in the menu, or did not open its dialog"
kill -0 "$ws_pid" 2>/dev/null || fail "wireshark exited after opening the statistics dialogs"

# 6. An absurd preference, as Wireshark's Preferences dialog saves it (the dialog writes the
# file before the plugin sees the value), gets the rule tshark applies: used as its maximum,
# with the warning tests/check_pref_range.py reads on tshark's standard error, here in a
# message box (a window titled "Wireshark") that the start without it did not show.
kill "$ws_pid" 2>/dev/null; wait "$ws_pid" 2>/dev/null; ws_pid=''
echo "tcpstate.time_wait: 99999" >"$work/home/.config/wireshark/preferences"
chown 65534:65534 "$work/home/.config/wireshark/preferences" 2>/dev/null
run env DISPLAY="$DISPLAY" wireshark >"$work/wireshark.log" 2>&1 &
ws_pid=$!
i=0
warning_shown() {   # a shown top-level window titled "Wireshark" (Qt keeps hidden ones so named)
    for id in $(xwininfo -root -children 2>/dev/null | awk '/^ +0x/ && /"Wireshark": / { print $1 }'); do
        xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable' && return 0
    done
    return 1
}
until warning_shown; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "no warning box for tcpstate.time_wait: 99999 in the preferences file within 20 s"
    sleep 0.2
done

echo "OK: Wireshark $(wireshark --version 2>/dev/null | head -n 1 | awk '{print $2}') GUI opened $capname under Xvfb with tcpstate loaded (filter 'tcpstate' accepted; screenshot spread $spread); Statistics → TCP State Connections and → TCP State opened their dialogs; a TIME_WAIT of 99999 in the preferences file raised the warning box"
exit 0
