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
 *  4.4, 4.6  The Flow Graph's item and graph structs, whose header is not installed: see
 *       TCPSTATE_WS_SEQ_ANALYSIS below.
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

/* The Flow Graph (Statistics > Flow Graph, `tshark -z flow,NAME,...`): register_seq_analysis()
 * and its helpers are exported by libwireshark, but their header, epan/sequence_analysis.h,
 * is in no development package, and the tap callback must fill Wireshark's own item struct,
 * whose layout changed in each release below. Declared here from each release's header
 * (4.0.17 from Debian's source package; 4.4 and 4.6 from Wireshark's public source) and held
 * to what each release's libwireshark does with them: the sizes it allocates
 * (sequence_analysis_create_sai_with_addresses(), sequence_analysis_info_new()) and the
 * offsets it writes (sequence_analysis_use_color_filter()), read off the disassembly of
 * libwireshark 4.0.17, 4.4.19 and 4.6.9 (amd64). The asserts below carry those figures. On
 * any other release the layout is unknown: TCPSTATE_WS_SEQ_ANALYSIS is 0 and the flow type
 * is not registered, rather than written into memory of another shape.
 *
 *  4.4  has_color_filter, display and any_addr became C99 bools (one byte; were gboolean);
 *       seq_analysis_info_t gained occurrence[MAX_NUM_NODES] before num_nodes.
 *  4.6  seq_analysis_item_t gained free_info_ptr, a callback freeing info_ptr. */
#if WIRESHARK_VERSION_MAJOR == 4 && \
    (WIRESHARK_VERSION_MINOR == 0 || WIRESHARK_VERSION_MINOR == 4 || WIRESHARK_VERSION_MINOR == 6)
#define TCPSTATE_WS_SEQ_ANALYSIS 1
#include <stddef.h>
#include <epan/address.h>
#include <epan/packet_info.h>
#include <epan/tap.h>

#define TCPSTATE_SEQ_MAX_NODES 40           /* MAX_NUM_NODES */

#if TCPSTATE_WS_AT_LEAST(4, 4)
typedef bool tcpstate_seq_bool;
#else
typedef gboolean tcpstate_seq_bool;
#endif

/* seq_analysis_item_t: one arrow. Wireshark frees it with g_free() of frame_label, time_str
 * and comment, so those are g_malloc()ed. */
typedef struct {
    guint32 frame_number;
    address src_addr;
    guint16 port_src;
    address dst_addr;
    guint16 port_dst;
    char *frame_label;                  /* above the arrow */
    char *time_str;
    char *comment;                      /* right of the graph */
    guint16 conv_num;                   /* the colour of the arrows of one conversation */
    unsigned fg_color;
    unsigned bg_color;
    tcpstate_seq_bool has_color_filter;
    tcpstate_seq_bool display;
    unsigned src_node;
    unsigned dst_node;
    guint16 line_style;
    guint32 info_type;                  /* ga_info_type from 4.4, an enum of the same size */
    void *info_ptr;
#if TCPSTATE_WS_AT_LEAST(4, 6)
    void (*free_info_ptr)(void *info_ptr);
#endif
} tcpstate_seq_item;

/* seq_analysis_info_t: the whole graph, the tap's user data. */
typedef struct {
    const char *name;
    tcpstate_seq_bool any_addr;
    int nconv;
    GQueue *items;                      /* of tcpstate_seq_item */
    GHashTable *ht;
    address nodes[TCPSTATE_SEQ_MAX_NODES];
#if TCPSTATE_WS_AT_LEAST(4, 4)
    guint8 occurrence[TCPSTATE_SEQ_MAX_NODES];
#endif
    guint32 num_nodes;
} tcpstate_seq_info;

/* The figures measured on amd64; other LP64 systems lay these out alike. */
#if GLIB_SIZEOF_VOID_P == 8
#if TCPSTATE_WS_AT_LEAST(4, 6)
G_STATIC_ASSERT(sizeof(tcpstate_seq_item) == 0x90 && sizeof(tcpstate_seq_info) == 0x410);
#elif TCPSTATE_WS_AT_LEAST(4, 4)
G_STATIC_ASSERT(sizeof(tcpstate_seq_item) == 0x88 && sizeof(tcpstate_seq_info) == 0x410);
#else
G_STATIC_ASSERT(sizeof(tcpstate_seq_item) == 0x90 && sizeof(tcpstate_seq_info) == 0x3e8);
#endif
G_STATIC_ASSERT(offsetof(tcpstate_seq_item, display) == (TCPSTATE_WS_AT_LEAST(4, 4) ? 0x6d : 0x70));
G_STATIC_ASSERT(offsetof(tcpstate_seq_item, frame_label) == 0x48 &&
                offsetof(tcpstate_seq_item, comment) == 0x58 &&
                offsetof(tcpstate_seq_item, conv_num) == 0x60 &&
                offsetof(tcpstate_seq_item, bg_color) == 0x68 &&
                offsetof(tcpstate_seq_item, has_color_filter) == 0x6c &&
                offsetof(tcpstate_seq_info, items) == 0x10);
#endif

/* From epan/sequence_analysis.h, with the types above. */
void register_seq_analysis(const char *name, const char *ui_name, const int proto_id,
                           const char *tap_listener, guint tap_flags, tap_packet_cb tap_func);
tcpstate_seq_item *sequence_analysis_create_sai_with_addresses(packet_info *pinfo,
                                                              tcpstate_seq_info *sainfo);
void sequence_analysis_use_color_filter(packet_info *pinfo, tcpstate_seq_item *sai);
#else
#define TCPSTATE_WS_SEQ_ANALYSIS 0
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
