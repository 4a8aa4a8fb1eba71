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
#     in the menu and open their dialogs;
#   - a TIME_WAIT of 99999 s in the preferences file raises the same warning as in tshark.
# check_gui.sh PLUGIN CAPTURE --flow-graph [SHOT.png]
#   instead of the last two: opens Statistics -> Flow Graph, picks the flow type "TCP State"
#   and checks on screen (text recognition, tesseract) that the dialog shows that flow type,
#   the handshake's first step, and the client's first and last states; SHOT.png keeps the
#   dialog's screenshot.
# Exit 0 on success, 1 on failure, 77 (ctest's skip code) when Xvfb, Wireshark's GUI or the X
# tools are not installed or cannot start here. Installs nothing. Bounded (ctest stops it
# after 10 minutes, 5 with --flow-graph; 1 to 2 minutes when it passes, more on a busy
# machine, most of it walking the menu or text recognition), and everything it started is
# stopped.
#
# Wireshark ignores WIRESHARK_PLUGIN_DIR and personal plugin folders when the real user is
# root, so as root the GUI runs as nobody with HOME and the plugin folder in a private dir.
set -u
plugin=$1 capture=$2
flow_graph='' flow_shot=''
[ "${3:-}" != --flow-graph ] || { flow_graph=1 flow_shot=${4:-}; }
deps="wireshark xvfb x11-utils imagemagick xdotool"   # "wireshark": the GUI in Debian 12 to forky

skip() { echo "SKIP: $*"; exit 77; }
fail() {
    echo "FAIL: $*"
    for log in "$work/wireshark.log" "$work/xvfb.log"; do
        [ -s "$log" ] && { echo "--- $(basename "$log"):"; tail -n 20 "$log"; }
    done
    exit 1
}

for cmd in Xvfb:xvfb wireshark:wireshark tshark:tshark xwininfo:x11-utils \
           import:imagemagick identify:imagemagick xdotool:xdotool setpriv:util-linux \
           timeout:coreutils; do
    command -v "${cmd%%:*}" >/dev/null 2>&1 ||
        skip "${cmd%%:*} is not installed (Debian package ${cmd#*:}); the GUI test needs: $deps"
done
if [ -n "$flow_graph" ]; then
    for cmd in tesseract:tesseract-ocr convert:imagemagick; do
        command -v "${cmd%%:*}" >/dev/null 2>&1 ||
            skip "${cmd%%:*} is not installed (Debian package ${cmd#*:}); the Flow Graph test needs: $deps tesseract-ocr"
    done
fi
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

# ---- 5. With --flow-graph: Statistics -> Flow Graph, flow type "TCP State" ----------------
# No command-line option opens the dialog and there is no window manager: keys and clicks
# go through xdotool, and the menu entry and the flow type box are found by their text on
# the screen (tesseract), so that no release's menu layout is written down here.
if [ -n "$flow_graph" ]; then
    # ocr_at PNG WORD1 WORD2 [end]: "X Y" on screen of WORD1 followed on its line by WORD2:
    # the centre of WORD1, or with "end", just right of WORD2. The screenshot is read three
    # times, magnified, its greys stretched or cut to black and white at two levels: rows
    # coloured dark (Wireshark's colouring rules) defeat one reading, 4.6's thinner text another.
    ocr_at() {
        [ -s "$1.tsv" ] || for look in "-level 0%,65%" "-threshold 55%" "-threshold 70%"; do
            # shellcheck disable=SC2086  # ImageMagick options
            convert "$1" -resize 300% -colorspace Gray $look "$work/ocr.png"
            tesseract "$work/ocr.png" - tsv 2>/dev/null
        done >"$1.tsv"
        # WORD1 may come glued to the end of the arrow line it sits on ("|____Handshake").
        awk -F'\t' -v a="$2" -v b="$3" -v end="${4:-}" '
            function ends_with(s, t) { return length(s) >= length(t) && substr(s, length(s) - length(t) + 1) == t }
            $1 == "level" { pass++ }
            $1 != "level" && $12 != "" {
                line = pass "." $3 "." $4 "." $5
                if (ends_with(prev, a) && $12 == b && line == prev_line) {
                    if (end) print int(($7 + $9) / 3) + 4, int(($8 + $10 / 2) / 3)
                    else print int(prev_x / 3), int(prev_y / 3)
                    found = 1; exit
                }
                prev = $12; prev_line = line; prev_x = $7 + $9 / 2; prev_y = $8 + $10 / 2
            }
            END { exit !found }' "$1.tsv"
    }
    # flow_window: the id of the Flow dialog of this capture, once shown (10 s at most).
    flow_window() {
        i=0
        while [ $i -lt 50 ]; do
            w=$(xdotool search --onlyvisible --name "Flow · $capname" 2>/dev/null | head -n 1)
            [ -z "$w" ] || { echo "$w"; return 0; }
            i=$((i + 1)); sleep 0.2
        done
        return 1
    }

    xdotool windowfocus --sync "$win" key alt+s
    sleep 1
    import -window root "$work/menu.png"
    at=$(ocr_at "$work/menu.png" Flow Graph) || fail "no entry 'Flow Graph' seen in the Statistics menu"
    # The menu takes no clicks from xdotool in 4.4 (Qt 6.8): walk it with Down until the
    # entry's row, just left of its text, turns to the highlight's colour (blue), then Return.
    # shellcheck disable=SC2086  # "X Y"
    set -- $at
    steps=0
    while :; do
        xdotool key Down
        steps=$((steps + 1))
        [ $steps -le 60 ] || fail "Down did not reach 'Flow Graph' in the Statistics menu"
        import -window root "$work/menu-now.png"
        rgb=$(convert "$work/menu-now.png" -format "%[fx:int(255*p{$(($1 - 25)),$2}.r)] %[fx:int(255*p{$(($1 - 25)),$2}.b)]" info:)
        # shellcheck disable=SC2086  # "R B"
        set -- "$1" "$2" $rgb
        [ "$4" -le $(($3 + 60)) ] || break
        set -- "$1" "$2"
    done
    xdotool key Return
    flow=$(flow_window) || fail "Statistics -> Flow Graph opened no Flow window for $capname"
    sleep 1
    import -window root "$work/flow-all.png"
    at=$(ocr_at "$work/flow-all.png" Flow type: end) || fail "no 'Flow type:' box seen in the Flow window"
    # The box's list, then its entry by name (the list's keyboard search).
    # shellcheck disable=SC2086  # "X Y"
    set -- $at
    xdotool mousemove $(($1 + 40)) "$2" click 1
    sleep 0.7
    xdotool type --delay 40 "TCP State"
    xdotool key Return mousemove 0 0
    sleep 2
    import -window "$flow" "$work/flow.png" || fail "could not take a screenshot of the Flow window"
    [ -z "$flow_shot" ] || cp "$work/flow.png" "$flow_shot"
    ocr_at "$work/flow.png" TCP State >/dev/null || fail "the Flow window does not show the flow type 'TCP State'"
    # The first step above its arrow, and in the comments the states of the first and the
    # last packet (the labels of the close sit on their arrows' lines, which text recognition
    # misreads in 4.6's smaller font).
    ocr_at "$work/flow.png" Handshake 1/3 >/dev/null || fail "the TCP State flow shows no arrow 'Handshake 1/3'"
    ocr_at "$work/flow.png" client SYN_SENT >/dev/null || fail "the TCP State flow shows no comment 'client SYN_SENT'"
    ocr_at "$work/flow.png" client TIME_WAIT >/dev/null || fail "the TCP State flow shows no comment 'client TIME_WAIT'"
    echo "OK: Statistics -> Flow Graph, flow type TCP State: 'Handshake 1/3', 'client SYN_SENT' and 'client TIME_WAIT' read on screen"
else
    # 5. Without --flow-graph: both entries of the Statistics menu open their dialogs. A menu item has no name a key
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
    echo "OK: Statistics → TCP State Connections and → TCP State opened their dialogs; a TIME_WAIT of 99999 in the preferences file raised the warning box"
fi

echo "OK: Wireshark $(wireshark --version 2>/dev/null | head -n 1 | awk '{print $2}') GUI opened $capname under Xvfb with tcpstate loaded (filter 'tcpstate' accepted; screenshot spread $spread)"
exit 0
