#!/bin/sh
# screenshots.sh [PLUGIN_SO]
# Retakes the README's screenshots of the real Wireshark GUI with the tcpstate plugin loaded,
# on sample-pcaps/http-client-close.pcap, under a private X server (Xvfb):
#   docs/gui-details.png  packet details of frame 9 (Wave 2/4) with the TCP State subtree open
#   docs/gui-explain-en.png, docs/gui-explain-zh.png  the same of frame 2 (Handshake 2/3), its
#                         explanation in English and in Chinese (-o tcpstate.language:zh)
#   docs/gui-columns.png  the packet list with Step, Client state and Server state columns
#   docs/gui-stats.png    Statistics -> TCP State (taken only when the plugin registers it)
#   docs/gui-flow.png     Statistics -> Flow Graph, flow type TCP State (needs xdotool and
#                         tesseract-ocr, as tests/check_gui.sh --flow-graph)
# Builds nothing: PLUGIN_SO defaults to build/plugins/4.0/epan/tcpstate.so. Installs what it
# needs from the distribution's archive when missing (apt-get, through sudo when not root).
#
# Wireshark ignores WIRESHARK_PLUGIN_DIR and personal folders when the real user is root, so
# as root the GUI runs as nobody, with HOME and the plugin folder in a private temp dir.
# There is no window manager: window sizes come from the profile's recent files, and
# keystrokes and clicks are sent with xdotool.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
plugin=${1:-$repo/build/plugins/4.0/epan/tcpstate.so}
capture=$repo/sample-pcaps/http-client-close.pcap
out=$repo/docs
width=1400 height=900

[ -f "$plugin" ] || { echo "No plugin at $plugin: run 'make build' first, or pass its path." >&2; exit 1; }
t0=$(date +%s)

# --- what the script needs, installed when missing ---------------------------------------
missing=
for need in wireshark:wireshark tshark:tshark Xvfb:xvfb import:imagemagick \
            convert:imagemagick xdotool:xdotool xwininfo:x11-utils tesseract:tesseract-ocr; do
    command -v "${need%%:*}" >/dev/null 2>&1 || missing="$missing ${need#*:}"
done
# Chinese explanations need a font with CJK glyphs (Qt falls back to any such font).
fc-list :lang=zh 2>/dev/null | grep -q . || missing="$missing fonts-droid-fallback"
if [ -n "$missing" ]; then
    command -v apt-get >/dev/null 2>&1 || {
        echo "Missing:$missing, and no apt-get to install them with." >&2; exit 1; }
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    # shellcheck disable=SC2086  # a list of package names
    missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
    echo "Installing: $missing"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# --- private folder: plugin, capture, HOME, X server ---------------------------------------
work=$(mktemp -d /tmp/tcpstate-shots.XXXXXX)
xvfb_pid='' ws_pid=''
# shellcheck disable=SC2317  # called from the trap
cleanup() {
    [ -z "$ws_pid" ] || kill "$ws_pid" 2>/dev/null || true
    [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

version=$(basename "$(dirname "$(dirname "$plugin")")")   # plugins/X.Y/epan/tcpstate.so
mkdir -p "$work/plugins/$version/epan" "$work/home" "$work/run"
cp "$plugin" "$work/plugins/$version/epan/tcpstate.so"
capname=$(basename "$capture")
cp "$capture" "$work/$capname"
chmod 755 "$work"
chmod -R a+rX "$work/plugins" "$work/$capname"
chmod 700 "$work/run"

if [ "$(id -u)" = 0 ]; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    chown -R 65534:65534 "$work/home" "$work/run"
else
    as_user=
fi

Xvfb -displayfd 3 -screen 0 "${width}x${height}x24" -nolisten tcp -ac \
    3>"$work/display" >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
i=0
while [ ! -s "$work/display" ]; do
    i=$((i + 1)); [ $i -le 100 ] || { echo "Xvfb did not start:" >&2; cat "$work/xvfb.log" >&2; exit 1; }
    sleep 0.1
done
DISPLAY=:$(cat "$work/display"); export DISPLAY

# --- helpers ----------------------------------------------------------------------------
conf=$work/home/.config/wireshark

# profile COLUMNS DETAILS_SHOWN [WIDTHS]: writes a fresh profile: window size, stacked layout
# (packet list above packet details, no bytes pane), upper pane 230 px, the given column
# format and, when given, column widths (format, pixels, ...; -1 sizes to the contents).
profile() {
    rm -rf "$conf"; mkdir -p "$conf"
    cat >"$conf/recent_common" <<EOF
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: $width
gui.geometry_main_height: $height
gui.geometry_main_maximized: FALSE
privs.warn_if_elevated: FALSE
EOF
    cat >"$conf/recent" <<EOF
gui.byte_view_show: FALSE
gui.tree_view_show: $2
gui.geometry_main_upper_pane: 230
gui.geometry_main_lower_pane: 600
EOF
    [ -z "${3:-}" ] || echo "column.width: $3" >>"$conf/recent"
    cat >"$conf/preferences" <<EOF
gui.layout_type: 1
gui.layout_content_3: NONE
gui.column.format: $1
EOF
    [ -z "$as_user" ] || chown -R 65534:65534 "$work/home"
}

# start ARGS...: starts Wireshark on the capture; waits until its main window is titled with
# the capture's name (the file is loaded and dissected), sets $win.
start() {
    $as_user env HOME="$work/home" XDG_RUNTIME_DIR="$work/run" DISPLAY="$DISPLAY" \
        WIRESHARK_PLUGIN_DIR="$work/plugins" \
        wireshark -r "$work/$capname" "$@" >"$work/wireshark.log" 2>&1 &
    ws_pid=$!
    win=$(wait_window "^$capname\$") || {
        echo "Wireshark did not open $capname; its output:" >&2; cat "$work/wireshark.log" >&2; exit 1; }
    sleep 2   # let the packet list and the details pane paint
}

# wait_window REGEX: prints the id of the first visible window whose name matches, within 30 s.
wait_window() {
    i=0
    while [ $i -lt 150 ]; do
        for w in $(xdotool search --onlyvisible --name "$1" 2>/dev/null); do echo "$w"; return 0; done
        i=$((i + 1)); sleep 0.2
    done
    return 1
}

stop() {
    kill "$ws_pid" 2>/dev/null || true
    wait "$ws_pid" 2>/dev/null || true
    ws_pid=
}

# save SRC DEST [CROP]: crops (WxH+X+Y) and writes a 256-colour PNG, says its size.
save() {
    src=$1 dest=$2
    if [ -n "${3:-}" ]; then
        convert "$src" -crop "$3" +repage "$work/cropped.png"; src=$work/cropped.png
    fi
    convert "$src" -strip -dither None -colors 256 "PNG8:$dest"
    echo "  $(basename "$dest"): $(identify -format '%wx%h' "$dest"), $(( $(wc -c <"$dest") / 1024 )) KB"
}

default_columns='"No.", "%m", "Time", "%t", "Source", "%s", "Destination", "%d", "Protocol", "%p", "Length", "%L", "Info", "%i"'
state_columns='"No.", "%m", "Source", "%s", "Destination", "%d", "Protocol", "%p", "Step", "%Cus:tcpstate.step:0:R", "Client state", "%Cus:tcpstate.client.state:0:R", "Server state", "%Cus:tcpstate.server.state:0:R", "Info", "%i"'
state_widths='%m, -1, %s, -1, %d, -1, %p, -1, "%Cus:tcpstate.step", 190, "%Cus:tcpstate.client.state", 115, "%Cus:tcpstate.server.state", 115, %i, -1'

mkdir -p "$out"
echo "Screenshots of $capname with $plugin, into $out:"

# details FRAME PNG [WIRESHARK_ARGS...]: packet details of a frame with the TCP State subtree
# expanded. Keyboard on the details pane: Collapse All, Down to the last top-level item (TCP
# State comes after TCP, and a step packet of this capture carries no payload), Expand
# Subtrees (the explanation's lines too).
details() {
    frame=$1 png=$2
    shift 2
    profile "$default_columns" TRUE
    start -g "$frame" "$@"
    xdotool mousemove 700 $((height - 60)) click 1   # an empty part of the details pane
    sleep 0.3
    xdotool key ctrl+Left
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do xdotool key Down; done
    xdotool key shift+Right
    sleep 1
    import -window root "$work/details.png"
    stop
    save "$work/details.png" "$out/$png"
}

# (a) Frame 9, Wave 2/4.
details 9 gui-details.png
# (d) Frame 2, Handshake 2/3, explained in English and in Chinese.
details 2 gui-explain-en.png
details 2 gui-explain-zh.png -o tcpstate.language:zh

# (b) The packet list with the three state columns, details pane hidden: the top of the
# window down to the last of the 11 packets.
profile "$state_columns" FALSE "$state_widths"
start -g 9
xdotool mousemove 700 $((height - 60))   # keep the pointer off the packet list
import -window root "$work/columns.png"
stop
save "$work/columns.png" "$out/gui-columns.png" "${width}x310+0+0"

# (c) Statistics -> TCP State, the plugin's stats_tree: the last entry of the Statistics menu
# (plugins' trees come after the built-in ones). Taken only when the plugin registers it.
if $as_user env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/plugins" tshark -z help 2>&1 |
        grep -qx '[[:space:]]*tcpstate,tree'; then
    profile "$default_columns" TRUE
    start
    xdotool windowfocus --sync "$win" key alt+s   # no window manager: give it the keyboard
    sleep 0.5
    xdotool key Up Return   # Up from the top of the menu wraps to its last entry
    if dialog=$(wait_window '· TCP State ·'); then
        xdotool windowmove "$dialog" 0 0 windowsize "$dialog" 900 720
        sleep 1
        # The dialog opens sorted by name, descending (Wave 4/4 before Handshake 1/3): a click
        # on the Topic / Item header sorts it ascending, which reads in protocol order.
        xdotool mousemove --window "$dialog" 130 22 click 1 mousemove 890 710
        sleep 1
        import -window "$dialog" "$work/stats.png"
        save "$work/stats.png" "$out/gui-stats.png"
    else
        echo "  gui-stats.png: skipped, Statistics -> TCP State did not open a 'TCP State' window" >&2
    fi
    stop
else
    echo "  gui-stats.png: skipped, this build of the plugin has no 'tcpstate,tree' statistics"
fi

# (d) Statistics -> Flow Graph with the flow type "TCP State", the ladder in the GUI: taken by
# the GUI test, which opens it and reads it back (tests/check_gui.sh --flow-graph), without
# the dialog's lower buttons.
if "$repo/tests/check_gui.sh" "$plugin" "$capture" --flow-graph "$work/flow.png" >"$work/flow.log" 2>&1; then
    save "$work/flow.png" "$out/gui-flow.png" "1024x520+0+0"
else
    echo "  gui-flow.png: skipped, the Flow Graph test did not pass:" >&2; cat "$work/flow.log" >&2
fi

echo "Done in $(( $(date +%s) - t0 )) s. Look at them before committing."
