/* ws-compat.h
 * The one place where tcpstate bridges differences between the Wireshark releases it builds
 * against: 4.0 (Debian 12), 4.4 (Debian 13) and 4.6 (Debian testing and unstable), all
 * three tested (README.md, "Wireshark versions"); 4.2 is untested (no Debian package of it
 * is left to build against). Everything else is written against the API common to all of
 * them, using the names below where the releases differ. plugin.c holds the entry points.
 *
 * What differs, with the release that changed it (checked against the installed headers of
 * 4.0.17, 4.4.19 and 4.6.9, and against their plugin loaders):
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
 *  4.6  pntoh16()/pntoh32() of <wsutil/pint.h> are renamed pntohu16()/pntohu32(); the old
 *       names are gone. tcpstate uses the new names, defined here for the older releases.
 *  4.6  A stat_tap_ui's init callback (`tshark -z NAME,...`) returns bool, false when the
 *       report could not start; it returned void. Such a callback is declared
 *       tcpstate_tap_init_result and ends with TCPSTATE_TAP_INIT_RETURN(started).
 *  4.6  For programs that embed libwireshark (tests/redissect.c, which defines
 *       TCPSTATE_WS_COMPAT_EMBEDDING before including this file): a wtap_rec carries its
 *       own bytes (wtap_rec.data), so wtap_read(), wtap_seek_read() and epan_dissect_run()
 *       lose their Buffer or tvbuff argument and wtap_rec_init() takes the buffer size;
 *       ws_log_init() loses the program name, configuration_init() the namespace, and
 *       proto_item_fill_label() gains a value-offset argument. See tcpstate_record below.
 *
 * Unchanged from 4.0 to 4.6 for what tcpstate uses: the plugin entry points plugin_version,
 * plugin_want_major/minor and plugin_register() with proto_register_plugin() (the 4.6
 * loader in libwsutil still looks up exactly these, and plugin_describe(); plugins go to
 * plugins/4.6/epan); find_conversation() with CONVERSATION_TCP; struct
 * tcp_analysis.stream; dissector tables and handles; expert info; stats_tree and
 * stat_tap_table_ui registration. (field_info.value became a pointer in 4.2, but tcpstate
 * reads no field_info.)
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
#if TCPSTATE_WS_AT_LEAST(4, 7)
/* Wireshark's development tree after 4.6 has plugins declare themselves with
 * WIRESHARK_PLUGIN_REGISTER_EPAN (wireshark_load_module(), <wsutil/plugins.h>), which
 * plugin.c does not provide; 4.6.9's headers and loader do not have it yet. */
#warning "tcpstate is tested with Wireshark 4.0, 4.4 and 4.6 only: check that tshark -G plugins lists it"
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

/* The 4.6 names of the big-endian readers of <wsutil/pint.h>, for the releases before it. */
#if !TCPSTATE_WS_AT_LEAST(4, 6)
#define pntohu16(p) pntoh16(p)
#define pntohu32(p) pntoh32(p)
#endif

/* A stat_tap_ui init callback:
 *     static tcpstate_tap_init_result init(const char *arg, void *userdata)
 *     { ...; TCPSTATE_TAP_INIT_RETURN(started); }
 * returns whether the report started from 4.6 on, and tshark fails; before, nothing is
 * returned, and a report that could not start (a bad filter) exits with status 1, as 4.0's
 * own reports do (-z conv,tcp,FILTER, -z io,stat,...). */
#if TCPSTATE_WS_AT_LEAST(4, 6)
typedef bool tcpstate_tap_init_result;
#define TCPSTATE_TAP_INIT_RETURN(started) return (started)
#else
#include <stdlib.h>
typedef void tcpstate_tap_init_result;
#define TCPSTATE_TAP_INIT_RETURN(started) do { if (!(started)) exit(1); return; } while (0)
#endif

#ifdef TCPSTATE_WS_COMPAT_EMBEDDING
/* For a program that reads captures and dissects them itself (tests/redissect.c): a
 * record and its bytes, which 4.6 keeps in the wtap_rec and the releases before it in a
 * Buffer beside it, and the calls that differ around them. */
#include <epan/epan.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>
#include <wsutil/filesystem.h>
#include <wsutil/wslog.h>

#if TCPSTATE_WS_AT_LEAST(4, 6)
typedef struct {
    wtap_rec rec;
} tcpstate_record;

static inline void
tcpstate_record_init(tcpstate_record *r)
{
    wtap_rec_init(&r->rec, 1514);
}

static inline void
tcpstate_record_cleanup(tcpstate_record *r)
{
    wtap_rec_cleanup(&r->rec);
}

static inline bool
tcpstate_wtap_read(wtap *wth, tcpstate_record *r, int *err, char **err_info, int64_t *offset)
{
    return wtap_read(wth, &r->rec, err, err_info, offset);
}

static inline bool
tcpstate_wtap_seek_read(wtap *wth, int64_t offset, tcpstate_record *r, int *err,
                        char **err_info)
{
    return wtap_seek_read(wth, offset, &r->rec, err, err_info);
}

static inline void
tcpstate_epan_dissect_run(epan_dissect_t *edt, int file_type_subtype, tcpstate_record *r,
                          frame_data *fd, struct epan_column_info *cinfo)
{
    epan_dissect_run(edt, file_type_subtype, &r->rec, fd, cinfo);
}

#define tcpstate_ws_log_init(progname) ws_log_init(NULL)
#define tcpstate_configuration_init(arg0) configuration_init(arg0)
#define tcpstate_proto_item_fill_label(fi, label) proto_item_fill_label((fi), (label), NULL)
#else
typedef struct {
    wtap_rec rec;
    Buffer buf;
} tcpstate_record;

static inline void
tcpstate_record_init(tcpstate_record *r)
{
    wtap_rec_init(&r->rec);
    ws_buffer_init(&r->buf, 1514);
}

static inline void
tcpstate_record_cleanup(tcpstate_record *r)
{
    ws_buffer_free(&r->buf);
    wtap_rec_cleanup(&r->rec);
}

static inline gboolean
tcpstate_wtap_read(wtap *wth, tcpstate_record *r, int *err, gchar **err_info, gint64 *offset)
{
    return wtap_read(wth, &r->rec, &r->buf, err, err_info, offset);
}

static inline gboolean
tcpstate_wtap_seek_read(wtap *wth, gint64 offset, tcpstate_record *r, int *err,
                        gchar **err_info)
{
    return wtap_seek_read(wth, offset, &r->rec, &r->buf, err, err_info);
}

/* The frame's tvbuff over the record's bytes; epan_dissect_reset() frees it. */
static inline void
tcpstate_epan_dissect_run(epan_dissect_t *edt, int file_type_subtype, tcpstate_record *r,
                          frame_data *fd, struct epan_column_info *cinfo)
{
    tvbuff_t *tvb = tvb_new_real_data(ws_buffer_start_ptr(&r->buf), fd->cap_len, fd->pkt_len);
    epan_dissect_run(edt, file_type_subtype, &r->rec, tvb, fd, cinfo);
}

#define tcpstate_ws_log_init(progname) ws_log_init((progname), NULL)
#define tcpstate_configuration_init(arg0) configuration_init((arg0), NULL)
#define tcpstate_proto_item_fill_label(fi, label) proto_item_fill_label((fi), (label))
#endif
#endif /* TCPSTATE_WS_COMPAT_EMBEDDING */

#endif /* TCPSTATE_WS_COMPAT_H */
