#!/bin/sh
# make-deb.sh PLUGIN_SO PLUGIN_DIR VERSION LIBWIRESHARK OUTDIR
# Makes OUTDIR/tcpstate_VERSION_ARCH.deb, which installs PLUGIN_SO as
# PLUGIN_DIR/tcpstate.so (the global plugin folder of the Wireshark it was built against,
# e.g. /usr/lib/x86_64-linux-gnu/wireshark/plugins/4.0/epan) and depends on the Debian
# package of LIBWIRESHARK (the libwireshark.so the build linked, e.g. libwireshark16),
# at least at the version built against. `make deb` runs it through the CMake target deb,
# which passes these from the build. Prints the package's path.
set -eu
so=$1 plugin_dir=$2 version=$3 libwireshark=$4 out=$5

# The package that ships the library the plugin was linked against, and its version.
owner=$(dpkg-query -S "$(realpath "$libwireshark")" 2>/dev/null | cut -d: -f1 | head -n 1) || true
if [ -z "$owner" ]; then
    echo "make-deb.sh: no Debian package owns $libwireshark: build against Debian's Wireshark" >&2
    exit 1
fi
owner_version=$(dpkg-query -W -f='${Version}' "$owner")
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT
install -D -m 0644 "$so" "$stage$plugin_dir/tcpstate.so"
strip --strip-unneeded "$stage$plugin_dir/tcpstate.so"
mkdir -p "$stage/usr/share/doc/tcpstate" "$stage/DEBIAN"
cat > "$stage/usr/share/doc/tcpstate/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tcpstate

Files: *
License: GPL-2.0-or-later
 On Debian systems, the full text of the GNU General Public License version 2 is in
 /usr/share/common-licenses/GPL-2.
EOF
cat > "$stage/DEBIAN/control" <<EOF
Package: tcpstate
Version: $version
Architecture: $arch
Maintainer: ${TCPSTATE_DEB_MAINTAINER:-tcpstate maintainers <maintainers@users.noreply.b-seed-9d2acfbd.example>}
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $owner (>= ${owner_version%%-*})
Recommends: tshark | wireshark
Section: net
Priority: optional
Description: Wireshark plugin: TCP handshake and close steps, RFC 9293 states
 Labels each TCP packet with its step of the three-way handshake or the close
 (Handshake 1/3 ... Wave 4/4) and with both ends' RFC 9293 states, as tcpstate.*
 display-filter fields, in Wireshark and tshark. Built for Wireshark
 $owner_version ($owner).
EOF
mkdir -p "$out"
deb="$out/tcpstate_${version}_$arch.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb: $plugin_dir/tcpstate.so, Depends: $owner (>= ${owner_version%%-*})"
