/* ws-compat.h
 * The one place where tcpstate bridges differences between the Wireshark releases it builds
 * against: 4.0 (Debian 12) and 4.4 (Debian 13), both tested; 4.2 (Ubuntu 24.04) by its
 * headers only. Everything else is written against the API common to all of them, using the
 * names below where the releases differ. plugin.c holds the entry-point differences.
 *
 * What differs, with the release that changed it (checked against the installed headers of
 * 4.0.17, 4.2.2 and 4.4.19, and the 4.4 plugin loader):
 *
 *  4.4  prefs_register_bool_preference() takes a C99 `bool *`; up to 4.2 a `gboolean *`
 *       (an int). A boolean preference's variable is declared tcpstate_pref_bool. (GCC 14,
 *       Debian 13's compiler, rejects the wrong pointer type; where it only warned, the pref
 *       would write one byte of a four-byte int.)
 *  4.4  tvb_get_guint8() and the other g-typed tvb getters are deprecated in favour of
 *       tvb_get_uint8() etc., which 4.0 and 4.2 lack: tvb_get_uint8 is defined here for them.
 *  4.4  A plugin may export plugin_describe(), returning WS_PLUGIN_DESC_* flags from the
 *       newly installed <wsutil/plugins.h>; `tshark -G plugins` then lists it as a dissector.
 *       4.0 and 4.2 ignore the symbol. See TCPSTATE_WS_HAS_PLUGIN_DESCRIBE and plugin.c.
 *
 * Unchanged from 4.0 to 4.4 for what tcpstate uses: plugin_version, plugin_want_major/minor
 * and plugin_register() with proto_register_plugin(); find_conversation() with
 * CONVERSATION_TCP; struct tcp_analysis.stream; dissector tables and handles; expert info.
 * (field_info.value became a pointer in 4.2, but tcpstate reads no field_info.)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPSTATE_WS_COMPAT_H
#define TCPSTATE_WS_COMPAT_H

#include <stdbool.h>
#include <glib.h>
#include <ws_version.h>

#define TCPSTATE_WS_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) || \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

#if !TCPSTATE_WS_AT_LEAST(4, 0)
#error "tcpstate needs Wireshark 4.0 or later"
#endif
#if TCPSTATE_WS_AT_LEAST(4, 5)
/* 4.6 loads plugins through wireshark_load_module() (WIRESHARK_PLUGIN_REGISTER_EPAN in
 * <wsutil/plugins.h>), which plugin.c does not provide yet. */
#warning "tcpstate is tested with Wireshark 4.0 and 4.4 only: check that tshark -G plugins lists it"
#endif

/* The type of a variable registered with prefs_register_bool_preference(). */
#if TCPSTATE_WS_AT_LEAST(4, 4)
typedef bool tcpstate_pref_bool;
#else
typedef gboolean tcpstate_pref_bool;
#endif

/* The 4.4 name of the one-byte tvb getter, for the releases before it. */
#if !TCPSTATE_WS_AT_LEAST(4, 4)
#define tvb_get_uint8(tvb, offset) tvb_get_guint8((tvb), (offset))
#endif

/* Whether the plugin loader asks plugin_describe() what the plugin provides. */
#define TCPSTATE_WS_HAS_PLUGIN_DESCRIBE TCPSTATE_WS_AT_LEAST(4, 4)

#endif /* TCPSTATE_WS_COMPAT_H */
