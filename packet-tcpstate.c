/* packet-tcpstate.c
 * Routines for tcpstate: which step of the TCP handshake or close each segment is, and the
 * state of both ends after it.
 *
 * How a segment flows (README.md, "Design"):
 *  1. IP hands every TCP header to dissect_tcp_and_track(), which sits in the "ip.proto"
 *     table in front of Wireshark's own TCP dissector and calls it unchanged.
 *  2. On the first pass over a frame it then reads the fixed TCP header straight from the
 *     tvb (no protocol tree needed), finds the segment's connection (by 4-tuple; TCP's
 *     conversation where TCP may have started a new tcp.stream), feeds the segment to the
 *     pure-C state machine (plugin/tcpstate-core.c) and stores the verdict with the frame.
 *  3. On every pass it then shows the stored verdict of that TCP header: the "TCP State"
 *     subtree after TCP's, the Info column, expert info, the "tcpstate" tap. Later passes
 *     (tshark -2, GUI clicks in any order) only show; they never recompute.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/ipproto.h>
#include <epan/prefs.h>
#include <epan/prefs-int.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-ip.h>
#include <epan/dissectors/packet-tcp.h>
#include <wsutil/pint.h>
#include <wsutil/str_util.h>
#include <wsutil/report_message.h>

#include "plugin/tcpstate-core.h"
#include "plugin/tcpstate-tap.h"
#include "plugin/ws-compat.h"

void proto_register_tcpstate(void);
void proto_reg_handoff_tcpstate(void);

static int proto_tcpstate = -1;
static protocol_t *tcpstate_protocol;
static int proto_tcp = -1;
static int tcpstate_tap = -1;

static int hf_tcpstate_step = -1;
static int hf_tcpstate_explain = -1;
static int hf_tcpstate_handshake = -1;
static int hf_tcpstate_wave = -1;
static int hf_tcpstate_sender = -1;
static int hf_tcpstate_client_state = -1;
static int hf_tcpstate_server_state = -1;
static int hf_tcpstate_client_prev_state = -1;
static int hf_tcpstate_server_prev_state = -1;
static int hf_tcpstate_transition = -1;
static int hf_tcpstate_retransmission = -1;
static int hf_tcpstate_ack_ok = -1;
static int hf_tcpstate_expected_ack = -1;
static int hf_tcpstate_closed_by = -1;
static int hf_tcpstate_inferred = -1;
static int hf_tcpstate_stream = -1;
static int hf_tcpstate_conn_state = -1;
static int hf_tcpstate_history = -1;
static int hf_tcpstate_close_kind = -1;
static int hf_tcpstate_anomaly = -1;
static int hf_tcpstate_syn_frame = -1;
static int hf_tcpstate_synack_frame = -1;
static int hf_tcpstate_ack_frame = -1;
static int hf_tcpstate_fin_frame = -1;
static int hf_tcpstate_rtt_synack = -1;
static int hf_tcpstate_rtt_ack = -1;
static int hf_tcpstate_since_syn = -1;
static int hf_tcpstate_time_wait_until = -1;
static int hf_tcpstate_missed = -1;
static int hf_tcpstate_withdrawn = -1;
static int hf_tcpstate_unseen = -1;
static int hf_tcpstate_duplicate_of = -1;

static gint ett_tcpstate = -1;
static const char *tcpstate_short_name;
static gint ett_tcpstate_explain = -1;

/* One expert item per tcpst_anomaly, in its order. */
static expert_field ei_tcpstate_anomaly[TCPST_N_ANOMALIES];
static expert_field ei_tcpstate_truncated = EI_INIT;
static expert_field ei_tcpstate_bad_header = EI_INIT;
static expert_field ei_tcpstate_no_conversation = EI_INIT;

static tcpstate_pref_bool tcpstate_info_column = TRUE;

/* Linux keeps TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN); RFC 9293's 2 MSL is 240 s. */
#define TIME_WAIT_DEFAULT 60
#define TIME_WAIT_MAX 86400
static guint tcpstate_time_wait = TIME_WAIT_DEFAULT;

/* Two copies of a segment this close together are one packet captured twice (two capture
 * points merged, a SPAN port): Linux retransmits after 10 ms at the earliest (its tail-loss
 * probe). */
#define DUPLICATE_WINDOW_DEFAULT 10
#define DUPLICATE_WINDOW_MAX 60000
static guint tcpstate_duplicate_window = DUPLICATE_WINDOW_DEFAULT;

/* The language of tcpstate.explain and the ladder; field values stay the same in both. */
static gint tcpstate_language = TCPST_LANG_EN;
static const enum_val_t languages[] = {
    { "en", "English", TCPST_LANG_EN },
    { "zh", "Chinese (中文)", TCPST_LANG_ZH },
    { NULL, NULL, 0 }
};

/* Wireshark's TCP dissector, called by the handle that stands in for it in "ip.proto". */
static dissector_handle_t tcp_handle;
static protocol_t *tcp_protocol;
/* TCP's preferences that make tcp.seq and tcp.ack relative. */
static pref_t *tcp_analyze_seq_pref;
static pref_t *tcp_relative_seq_pref;

/* The fixed TCP header (RFC 9293 3.1). */
#define TCP_FIXED_HEADER_LEN 20
#define TCP_OFFSET_SRC_PORT   0
#define TCP_OFFSET_DST_PORT   2
#define TCP_OFFSET_SEQ        4
#define TCP_OFFSET_ACK        8
#define TCP_OFFSET_DATA_OFF  12     /* header length in 32-bit words, in the high nibble */
#define TCP_OFFSET_FLAGS     13
#define TCP_OFFSET_WINDOW    14
/* TCP options (RFC 9293 3.1; RFC 7323 2.2 for the window scale; RFC 7413 4.1.1 for Fast Open,
 * and its experimental form, option 254 with the magic 0xF989) */
#define TCP_OPT_END           0
#define TCP_OPT_NOP           1
#define TCP_OPT_WSCALE        3
#define TCP_OPT_WSCALE_LEN    3
#define TCP_OPT_FAST_OPEN     34
#define TCP_OPT_EXPERIMENT    254
#define TCP_OPT_FAST_OPEN_EXID 0xF989

/* What the first pass keeps of one TCP header (the connection it belongs to is in
 * plugin/tcpstate-tap.h). 12 bytes: on a capture of a million packets, tcpstate's memory is a
 * few per cent of what Wireshark keeps itself, so each byte here counts. */
typedef struct {
    union {
        tcpst_verdict verdict;      /* when judged (conn_ref != 0) */
        struct {
            guint8 status;          /* tcpstate_record_status */
            guint8 header_len;      /* with RECORD_BAD_HEADER: what the header claimed */
            guint16 captured_len;   /* with RECORD_TRUNCATED: what was captured */
        } unjudged;
    };
    guint32 conn_ref : 31;          /* index + 1 in connections, 0 when not judged */
    guint32 more : 1;               /* the frame has further TCP headers, in frame_more_records */
} frame_record;

/* The first TCP header of every frame, indexed by frame number: no lookup, no per-frame
 * allocation. Chunks of RECORDS_PER_CHUNK frames, allocated as the capture reaches them,
 * waste at most one chunk (a doubling array would waste up to half). A frame's further TCP
 * headers (tunnels) are in frame_more_records. */
#define RECORDS_PER_CHUNK 4096
static GPtrArray *frame_records;            /* of frame_record[RECORDS_PER_CHUNK] */
static wmem_map_t *frame_more_records;     /* frame number -> wmem_array_t of frame_record */

/* What a few TCP headers need beside their verdict: what a segment proves beyond its step
 * (steps the capture missed, a filled-in step it disproves), the first copy of a duplicate.
 * Kept aside so that every other record stays small. */
typedef struct frame_extra {
    struct frame_extra *next;       /* the frame's other TCP headers that have one */
    guint nth;                      /* which TCP header of the frame, from 0 */
    tcpst_evidence evidence;
    guint32 duplicate_of;
} frame_extra;
static wmem_map_t *frame_extras;           /* frame number -> frame_extra list */

/* An end's ISN or FIN sequence number as it was before a frame changed it again (a SYN+ACK
 * with a new ISN, a FIN withdrawn or sent anew): rare, so kept aside, per connection, so that
 * an explanation shown later reads the numbers its packet had on the first pass. */
typedef struct {
    guint32 frame;
    guint8 role, which;             /* TCPST_CLIENT/SERVER, TCPSTATE_ISN/FIN */
    gboolean known;
    guint32 value;
} number_change;
static wmem_map_t *number_changes;         /* tcpstate_conn_record* -> wmem_array_t of number_change */

/* The segments seen last, to recognise a copy of one: a set-associative table of their
 * fingerprints, each set holding the newest RECENT_WAYS (a fixed 256 KiB, whatever the
 * capture's size). */
#define RECENT_SETS 4096
#define RECENT_WAYS 4
typedef struct {
    guint64 fingerprint;            /* connection, direction, TCP header bytes, IP identity */
    guint32 frame;                  /* 0: empty */
    guint32 time_us;                /* capture time in microseconds, modulo 2^32 */
} recent_segment;
static recent_segment *recent_segments;    /* RECENT_SETS * RECENT_WAYS */
static GPtrArray *connections;              /* tcpstate_conn_record *, in file scope */

/* The latest connection on each 4-tuple. Wireshark's TCP has just looked the conversation
 * up; looking it up again for every segment was the plugin's largest cost. TCP's conversation
 * is asked only at a SYN that does not just continue the handshake, where TCP may have
 * started a new tcp.stream (and for tcp.stream itself, when first shown). */
static wmem_map_t *connections_by_tuple;   /* tcpstate_tuple * -> tcpstate_conn_record * */

/* In front of it, a small direct-mapped cache of the connections seen last: a map of every
 * connection of a large capture is mostly out of the CPU cache, and the few hundred open at
 * any time fit in this one. */
#define CONN_CACHE_SIZE 4096
static tcpstate_conn_record *conn_cache[CONN_CACHE_SIZE];

/* MurmurHash3's finalizer: every input bit moves every output bit, which the map's bucket
 * choice (the top bits of a product) needs. A weaker hash put 100,000 generated 4-tuples into
 * 30,000 values. */
static guint
mix32(guint hash)
{
    hash ^= hash >> 16;
    hash *= 0x85ebca6bu;
    hash ^= hash >> 13;
    hash *= 0xc2b2ae35u;
    return hash ^ (hash >> 16);
}

static guint
end_hash(const guint8 *addr, guint len, guint16 port)
{
    guint hash = port * 0x9e3779b1u;
    guint i = 0;
    for (; i + 4 <= len; i += 4)
        hash = mix32(hash ^ pntohu32(addr + i));
    for (; i < len; i++)
        hash = mix32(hash ^ addr[i]);
    return hash;
}

/* The same for both directions of a connection. */
static guint
tuple_hash(gconstpointer key)
{
    const tcpstate_tuple *t = (const tcpstate_tuple *)key;
    return end_hash(t->addr[0], t->addr_len, t->port[0]) + end_hash(t->addr[1], t->addr_len, t->port[1]);
}

static gboolean
tuple_equal(gconstpointer a, gconstpointer b)
{
    const tcpstate_tuple *x = (const tcpstate_tuple *)a, *y = (const tcpstate_tuple *)b;
    if (x->addr_type != y->addr_type || x->addr_len != y->addr_len)
        return FALSE;
    if (x->port[0] == y->port[0] && x->port[1] == y->port[1]
        && memcmp(x->addr, y->addr, sizeof x->addr) == 0)
        return TRUE;
    return x->port[0] == y->port[1] && x->port[1] == y->port[0]
        && memcmp(x->addr[0], y->addr[1], sizeof x->addr[0]) == 0
        && memcmp(x->addr[1], y->addr[0], sizeof x->addr[1]) == 0;
}

/* The segment's 4-tuple, sender first. IP addresses only: TCP in ip.proto never has others. */
static gboolean
tuple_of_segment(const address *src, const address *dst, guint16 src_port, guint16 dst_port,
                 tcpstate_tuple *tuple)
{
    if (src->len > TCPSTATE_ADDR_MAX || src->len != dst->len || src->type != dst->type)
        return FALSE;
    memset(tuple, 0, sizeof *tuple);        /* tuple_equal compares whole address slots */
    tuple->addr_type = (guint8)src->type;
    tuple->addr_len = (guint8)src->len;
    tuple->port[0] = src_port;
    tuple->port[1] = dst_port;
    memcpy(tuple->addr[0], src->data, src->len);
    memcpy(tuple->addr[1], dst->data, dst->len);
    return TRUE;
}

static void
tcpstate_init(void)
{
    frame_records = g_ptr_array_new_with_free_func(g_free);
    frame_more_records = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    connections = g_ptr_array_new();
    connections_by_tuple = wmem_map_new(wmem_file_scope(), tuple_hash, tuple_equal);
    frame_extras = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    number_changes = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
    recent_segments = g_new0(recent_segment, RECENT_SETS * RECENT_WAYS);
    memset(conn_cache, 0, sizeof conn_cache);
}

static void
tcpstate_cleanup(void)
{
    g_ptr_array_free(frame_records, TRUE);
    g_ptr_array_free(connections, TRUE);
    g_free(recent_segments);
    frame_records = NULL;
    connections = NULL;
    recent_segments = NULL;
}

/* The record of a frame's first TCP header; with `create`, allocating its chunk. */
static frame_record *
first_record(guint32 num, gboolean create)
{
    guint chunk = num / RECORDS_PER_CHUNK;
    if (!frame_records || (chunk >= frame_records->len && !create))
        return NULL;
    if (chunk >= frame_records->len)
        g_ptr_array_set_size(frame_records, chunk + 1);
    frame_record *records = (frame_record *)g_ptr_array_index(frame_records, chunk);
    if (!records) {
        if (!create)
            return NULL;
        records = g_new0(frame_record, RECORDS_PER_CHUNK);
        frame_records->pdata[chunk] = records;
    }
    return &records[num % RECORDS_PER_CHUNK];
}

static gboolean
record_is_blank(const frame_record *rec)
{
    return !rec->conn_ref && rec->unjudged.status == RECORD_NONE;
}

/* A new, zeroed record for the next TCP header of this frame (first pass only), the nth
 * (from 0) of the frame. */
static frame_record *
new_frame_record(packet_info *pinfo, guint *nth)
{
    guint32 num = pinfo->num;
    frame_record *first = first_record(num, TRUE);
    *nth = 0;
    if (record_is_blank(first))
        return first;

    first->more = 1;
    wmem_array_t *more = (wmem_array_t *)wmem_map_lookup(frame_more_records, GUINT_TO_POINTER(num));
    if (!more) {
        more = wmem_array_new(wmem_file_scope(), sizeof(frame_record));
        wmem_map_insert(frame_more_records, GUINT_TO_POINTER(num), more);
    }
    frame_record blank;
    memset(&blank, 0, sizeof blank);
    wmem_array_append_one(more, blank);
    *nth = wmem_array_get_count(more);
    return (frame_record *)wmem_array_index(more, *nth - 1);
}

/* On a later pass: the record of the TCP header being dissected. A frame's TCP headers are
 * dissected in the same order on every pass; where there are several, this dissection counts
 * them. */
static const frame_record *
stored_record(packet_info *pinfo, guint *nth_out)
{
    const frame_record *first = first_record(pinfo->num, FALSE);
    *nth_out = 0;
    if (!first || !first->more)
        return first;

    guint *seen = (guint *)p_get_proto_data(pinfo->pool, pinfo, proto_tcpstate, 0);
    if (!seen) {
        seen = wmem_new0(pinfo->pool, guint);
        p_add_proto_data(pinfo->pool, pinfo, proto_tcpstate, 0, seen);
    }
    guint nth = (*seen)++;
    *nth_out = nth;
    if (nth == 0)
        return first;
    wmem_array_t *more = (wmem_array_t *)wmem_map_lookup(frame_more_records, GUINT_TO_POINTER(pinfo->num));
    if (!more || nth > wmem_array_get_count(more))
        return NULL;
    return (const frame_record *)wmem_array_index(more, nth - 1);
}

static const tcpstate_conn_record *
conn_of(const frame_record *rec)
{
    return (const tcpstate_conn_record *)g_ptr_array_index(connections, rec->conn_ref - 1);
}

/* TCP numbers the two directions of a conversation by comparing the addresses, then the
 * ports; the same rule gives a stable endpoint number for the state machine. */
static guint8
endpoint_of(const address *src, const address *dst, guint16 src_port, guint16 dst_port)
{
    int direction = cmp_address(src, dst);
    if (direction == 0)
        direction = src_port > dst_port ? 1 : -1;
    return direction >= 0 ? 0 : 1;
}

/* What the options of a SYN tell: its window scale (RFC 7323, or TCPST_NO_WSCALE) and whether
 * it carries the Fast Open option (a cookie or a request for one). Reads only captured option
 * bytes and stops at anything malformed. */
static void
read_syn_options(tvbuff_t *tvb, guint header_len, tcpst_segment *seg)
{
    guint end = MIN(header_len, tvb_captured_length(tvb));
    guint offset = TCP_FIXED_HEADER_LEN;

    seg->wscale = TCPST_NO_WSCALE;
    seg->fast_open = 0;
    while (offset < end) {
        guint8 kind = tvb_get_uint8(tvb, offset);
        if (kind == TCP_OPT_END)
            break;
        if (kind == TCP_OPT_NOP) {
            offset++;
            continue;
        }
        if (offset + 1 >= end)
            break;
        guint8 len = tvb_get_uint8(tvb, offset + 1);
        if (len < 2 || offset + len > end)
            break;
        if (kind == TCP_OPT_WSCALE && len == TCP_OPT_WSCALE_LEN)
            seg->wscale = tvb_get_uint8(tvb, offset + 2);
        if (kind == TCP_OPT_FAST_OPEN
            || (kind == TCP_OPT_EXPERIMENT && len >= 4 && tvb_get_ntohs(tvb, offset + 2) == TCP_OPT_FAST_OPEN_EXID))
            seg->fast_open = 1;
        offset += len;
    }
}

static gboolean
still_in_time_wait(const tcpstate_conn_record *conn, packet_info *pinfo)
{
    if (!tcpst_conn_in_time_wait(&conn->core))
        return FALSE;
    return tcpstate_time_of(&pinfo->abs_ts) - conn->time_wait_since
           < (gint64)tcpstate_time_wait * 1000000000;
}

/* Did an end enter TIME_WAIT at this segment? */
static gboolean
entered_time_wait(const tcpst_verdict *v)
{
    for (unsigned role = TCPST_CLIENT; role <= TCPST_SERVER; role++)
        if (tcpst_after(v, role) == TCPST_TIME_WAIT && tcpst_before(v, role) != TCPST_TIME_WAIT)
            return TRUE;
    return FALSE;
}

/* Remember the frames and times of the handshake and of each end's first FIN. */
static void
note_links_and_times(tcpstate_conn_record *conn, packet_info *pinfo, const tcpst_verdict *v)
{
    tcpstate_time now = tcpstate_time_of(&pinfo->abs_ts);
    guint8 what = tcpst_step_info_of(v->step)->what;
    if ((what & TCPST_STEP_SENDS_SYN) && (!conn->synack_frame || !conn->answered_syn_frame)) {
        conn->answered_syn_frame = pinfo->num;
        conn->answered_syn_time = now;
    }
    if (!(v->bits & TCPST_V_RETRANSMISSION)) {
        if (what & TCPST_STEP_SENDS_SYN) {
            conn->syn_frame = pinfo->num;
            conn->syn_time = now;
        }
        if ((what & TCPST_STEP_SENDS_SYNACK) && !conn->synack_frame) {
            conn->synack_frame = pinfo->num;
            conn->synack_time = now;
        }
        if (what & TCPST_STEP_ENDS_HANDSHAKE) {
            conn->ack_frame = pinfo->num;
            conn->ack_time = now;
        }
        if ((what & TCPST_STEP_SENDS_FIN) && !conn->fin_frame[tcpst_sender(v)])
            conn->fin_frame[tcpst_sender(v)] = pinfo->num;
    }
    if (entered_time_wait(v))
        conn->time_wait_since = now;
}

static frame_extra *
add_frame_extra(guint32 frame, guint nth)
{
    frame_extra *extra = wmem_new0(wmem_file_scope(), frame_extra);
    extra->nth = nth;
    extra->next = (frame_extra *)wmem_map_lookup(frame_extras, GUINT_TO_POINTER(frame));
    wmem_map_insert(frame_extras, GUINT_TO_POINTER(frame), extra);
    return extra;
}

static const frame_extra *
frame_extra_of(guint32 frame, guint nth)
{
    const frame_extra *extra = (const frame_extra *)wmem_map_lookup(frame_extras, GUINT_TO_POINTER(frame));
    while (extra && extra->nth != nth)
        extra = extra->next;
    return extra;
}

/* Each end's ISN and FIN sequence number, [role][TCPSTATE_ISN or TCPSTATE_FIN]. */
typedef struct {
    bool known[2][2];
    guint32 value[2][2];
} conn_numbers;

static void
read_numbers(const tcpst_conn *core, conn_numbers *n)
{
    for (unsigned role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
        n->known[role][TCPSTATE_ISN] = tcpst_conn_isn(core, role, &n->value[role][TCPSTATE_ISN]);
        n->known[role][TCPSTATE_FIN] = tcpst_conn_fin_seq(core, role, &n->value[role][TCPSTATE_FIN]);
    }
}

/* Where a frame changed a number: from when it is known, or what it was before. */
static void
note_number_changes(tcpstate_conn_record *conn, guint32 frame, const conn_numbers *before)
{
    conn_numbers after;
    read_numbers(&conn->core, &after);
    for (guint8 role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
        for (guint8 which = TCPSTATE_ISN; which <= TCPSTATE_FIN; which++) {
            bool was = before->known[role][which], is = after.known[role][which];
            if (was == is && (!is || before->value[role][which] == after.value[role][which]))
                continue;
            if (!conn->number_known_since[role][which]) {
                conn->number_known_since[role][which] = frame;
                continue;
            }
            wmem_array_t *changes = (wmem_array_t *)wmem_map_lookup(number_changes, conn);
            if (!changes) {
                changes = wmem_array_new(wmem_file_scope(), sizeof(number_change));
                wmem_map_insert(number_changes, conn, changes);
            }
            number_change change = { frame, role, which, was, before->value[role][which] };
            wmem_array_append_one(changes, change);
        }
    }
}

/* The numbers as they were just after a frame, on the first pass. */
static void
numbers_as_of(const tcpstate_conn_record *conn, guint32 frame, conn_numbers *n)
{
    read_numbers(&conn->core, n);
    wmem_array_t *changes = (wmem_array_t *)wmem_map_lookup(number_changes, conn);
    for (guint i = changes ? wmem_array_get_count(changes) : 0; i-- > 0;) {
        const number_change *change = (const number_change *)wmem_array_index(changes, i);
        if (change->frame <= frame)
            break;
        n->known[change->role][change->which] = change->known;
        n->value[change->role][change->which] = change->value;
    }
    for (unsigned role = TCPST_CLIENT; role <= TCPST_SERVER; role++)
        for (unsigned which = TCPSTATE_ISN; which <= TCPSTATE_FIN; which++)
            if (!conn->number_known_since[role][which] || conn->number_known_since[role][which] > frame)
                n->known[role][which] = false;
}

/* Feed the segment to its connection's state machine and keep the verdict. */
static void
judge(tcpstate_conn_record *conn, packet_info *pinfo, const tcpst_segment *seg, frame_record *rec,
      guint nth)
{
    tcpst_evidence evidence;
    conn_numbers before;
    rec->conn_ref = conn->ref;
    read_numbers(&conn->core, &before);
    tcpst_conn_segment(&conn->core, seg, &rec->verdict, &evidence);
    note_number_changes(conn, pinfo->num, &before);
    if (rec->verdict.bits & (TCPST_V_MISSED | TCPST_V_WITHDRAWN))
        add_frame_extra(pinfo->num, nth)->evidence = evidence;
    note_links_and_times(conn, pinfo, &rec->verdict);
}

/* A fingerprint of the segment as captured: its direction, its TCP header bytes (ports,
 * numbers, flags, window, options, and the checksum, which covers the addresses and the
 * payload), its payload length, and its IPv4 identification or IPv6 flow label, which a
 * retransmission changes. */
static guint64
segment_fingerprint(const tcpst_segment *seg, const guint8 *header, guint len, void *ip_header)
{
    const ws_ip4 *ip4 = WS_IP4_PTR(ip_header);
    const ws_ip6 *ip6 = WS_IP6_PTR(ip_header);
    guint32 ip_identity = ip4 ? ip4->ip_id : ip6 ? ip6->ip6_flw : 0;
    guint64 hash = ((guint64)seg->payload_len << 32 | ip_identity) ^ seg->endpoint;
    guint i = 0;
    for (; i + 8 <= len; i += 8) {
        guint64 word;
        memcpy(&word, header + i, sizeof word);
        hash = (hash ^ word) * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
    }
    if (i + 4 <= len) {
        guint32 word;
        memcpy(&word, header + i, sizeof word);
        hash = (hash ^ word) * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
    }
    return hash ^ (hash >> 32);
}

/* A capture time in microseconds, modulo 2^32: right for differences of up to 71 minutes. */
static guint32
time_us(const nstime_t *t)
{
    return (guint32)((guint64)t->secs * 1000000 + (guint64)t->nsecs / 1000);
}

/* How far a copy's delay may stray from the connection's: the two copies of every packet are
 * timestamped by the same two clocks. */
static guint32
copy_delay_slack(const tcpstate_conn_record *conn)
{
    return MAX(100, conn->copy_delay_us / 4);
}

/* An earlier copy of this segment within the duplicate window, or NULL: where the connection
 * (if any) is known to be captured twice, the one whose delay is nearest the connection's copy
 * delay, else the oldest. *oldest is where a segment that is no copy goes: in place of the
 * oldest (or an empty) entry of its set. */
static const recent_segment *
find_copy(const tcpstate_conn_record *conn, guint64 fingerprint, guint32 now, recent_segment **oldest)
{
    recent_segment *set = &recent_segments[(fingerprint >> 32) % RECENT_SETS * RECENT_WAYS];
    const recent_segment *best = NULL;
    guint32 window = tcpstate_duplicate_window * 1000;

    *oldest = &set[0];
    for (guint way = 0; way < RECENT_WAYS; way++) {
        recent_segment *entry = &set[way];
        guint32 age = now - entry->time_us;
        if (!entry->frame || age > now - (*oldest)->time_us)
            *oldest = entry;
        if (!entry->frame || entry->fingerprint != fingerprint || age > window || !conn)
            continue;
        guint32 best_age = best ? now - best->time_us : 0;
        if (!best || (conn->captured_twice
                      ? ABS((gint64)age - conn->copy_delay_us) < ABS((gint64)best_age - conn->copy_delay_us)
                      : age > best_age))
            best = entry;
    }
    return best;
}

/* Is a copy of an earlier segment of the connection (same bytes, within the duplicate
 * window, `delay` later) the capture holding one packet twice, rather than its sender sending
 * the same bytes again? Yes when its IPv4 identification, which a sender gives each packet
 * anew, is not 0; when it is a SYN (no stack sends its SYN again within milliseconds); or when
 * the capture holds this connection twice and the copy comes as late as the others. Otherwise
 * (IPv6, or an identification of 0: Linux's RSTs and SYN+ACKs) the same bytes may well be
 * sent again: a RST or a handshake ACK answers each segment that calls for one. */
static gboolean
is_capture_duplicate(const tcpstate_conn_record *conn, const tcpst_segment *seg, void *ip_header,
                     guint32 delay)
{
    const ws_ip4 *ip4 = WS_IP4_PTR(ip_header);
    if ((ip4 && ip4->ip_id != 0) || (seg->flags & (TCPST_SYN | TCPST_ACK | TCPST_RST)) == TCPST_SYN)
        return TRUE;
    return conn->captured_twice && ABS((gint64)delay - conn->copy_delay_us) <= copy_delay_slack(conn);
}

/* Is the segment a copy of an earlier one of its connection that the capture holds twice? Then
 * its record says so, and it changes nothing. Otherwise it is remembered for a copy to come. */
static gboolean
judged_as_copy(tcpstate_conn_record *latest, const tcpst_segment *seg, const guint8 *header,
               guint header_captured, void *ip_header, packet_info *pinfo, frame_record *rec,
               guint nth)
{
    guint64 fingerprint = segment_fingerprint(seg, header, header_captured, ip_header);
    guint32 now = time_us(&pinfo->abs_ts);
    recent_segment *free_slot;
    const recent_segment *copy = find_copy(latest, fingerprint, now, &free_slot);

    if (copy && is_capture_duplicate(latest, seg, ip_header, now - copy->time_us)) {
        if (!latest->captured_twice) {
            latest->captured_twice = TRUE;
            latest->copy_delay_us = now - copy->time_us;
        }
        rec->conn_ref = latest->ref;
        tcpst_conn_duplicate(&latest->core, seg, &rec->verdict);
        add_frame_extra(pinfo->num, nth)->duplicate_of = copy->frame;
        return TRUE;
    }
    free_slot->fingerprint = fingerprint;
    free_slot->frame = pinfo->num;
    free_slot->time_us = now;
    return FALSE;
}

/* TCP's conversation of a 4-tuple as of a frame, and TCP's data for it (NULL if none). */
static struct tcp_analysis *
tcp_conversation(guint32 frame, const tcpstate_tuple *tuple, conversation_t **conv)
{
    address a, b;
    tcpstate_tuple_address(tuple, 0, &a);
    tcpstate_tuple_address(tuple, 1, &b);
    *conv = find_conversation(frame, &a, &b, CONVERSATION_TCP, tuple->port[0], tuple->port[1], 0);
    return *conv ? (struct tcp_analysis *)conversation_get_proto_data(*conv, proto_tcp) : NULL;
}

/* The connection's tcp.stream. Looked up in TCP's conversations only when first asked for
 * (shown or reported): plain tshark -r never pays for it. FALSE if TCP kept no
 * conversation. */
static gboolean
conn_stream(const tcpstate_conn_record *conn, guint32 *stream)
{
    if (!conn->stream_plus_1) {
        conversation_t *conv;
        struct tcp_analysis *tcpd = tcp_conversation(conn->first_frame, &conn->tuple, &conv);
        if (!tcpd)
            return FALSE;
        /* A cache of what TCP's conversations say, the same whenever asked. */
        ((tcpstate_conn_record *)conn)->stream_plus_1 = tcpd->stream + 1;
    }
    *stream = conn->stream_plus_1 - 1;
    return TRUE;
}

static tcpstate_conn_record *
latest_connection(const tcpstate_tuple *tuple)
{
    tcpstate_conn_record **slot = &conn_cache[tuple_hash(tuple) % CONN_CACHE_SIZE];
    if (*slot && tuple_equal(&(*slot)->tuple, tuple))
        return *slot;
    tcpstate_conn_record *conn = (tcpstate_conn_record *)wmem_map_lookup(connections_by_tuple, tuple);
    if (conn)
        *slot = conn;
    return conn;
}

static void
add_latest_connection(tcpstate_conn_record *conn)
{
    wmem_map_insert(connections_by_tuple, &conn->tuple, conn);
    conn_cache[tuple_hash(&conn->tuple) % CONN_CACHE_SIZE] = conn;
}

/* A new connection, from now on the latest on its 4-tuple (`tuple` has the sender first). */
static tcpstate_conn_record *
new_connection(const tcpstate_tuple *tuple, packet_info *pinfo, const tcpst_segment *seg,
               frame_record *rec, guint nth)
{
    tcpstate_conn_record *conn = wmem_new0(wmem_file_scope(), tcpstate_conn_record);
    tcpst_conn_init(&conn->core);
    conn->first_frame = pinfo->num;
    g_ptr_array_add(connections, conn);
    conn->ref = connections->len;
    judge(conn, pinfo, seg, rec, nth);

    /* The client is known now. */
    unsigned sender = tcpst_sender(&rec->verdict);
    conn->tuple = *tuple;
    conn->tuple.port[sender] = tuple->port[0];
    conn->tuple.port[!sender] = tuple->port[1];
    memcpy(conn->tuple.addr[sender], tuple->addr[0], sizeof tuple->addr[0]);
    memcpy(conn->tuple.addr[!sender], tuple->addr[1], sizeof tuple->addr[1]);
    add_latest_connection(conn);
    return conn;
}

/* A SYN on a 4-tuple that has a connection, which does not just continue its handshake:
 * TCP's conversation says whether TCP started a new tcp.stream here. */
static void
judge_syn_on_known_tuple(tcpstate_conn_record *latest, const tcpstate_tuple *tuple, packet_info *pinfo,
                         const tcpst_segment *seg, frame_record *rec, guint nth)
{
    conversation_t *conv;
    if (!tcp_conversation(pinfo->num, tuple, &conv)) {
        rec->unjudged.status = RECORD_NO_CONVERSATION;
        return;
    }

    /* Wireshark 4.0's TCP starts a new stream on a 4-tuple only at a SYN with a new ISN; 4.4
     * also at a SYN after a RST and at a SYN+ACK after data. Only the first is a new
     * connection: the others continue the latest one, on every release. */
    gboolean bare_syn = (seg->flags & (TCPST_SYN | TCPST_ACK)) == TCPST_SYN;
    gboolean new_stream = conv->setup_frame == pinfo->num;
    if (!(new_stream && bare_syn && seg->seq != tcpst_conn_client_isn(&latest->core))
        && !tcpst_conn_starts_anew(&latest->core, seg)) {
        judge(latest, pinfo, seg, rec, nth);
        return;
    }

    new_connection(tuple, pinfo, seg, rec, nth);
    /* What the SYN meant for the connection it arrived on is seen here, on the latest one,
     * since TCP put the SYN on a new stream. */
    if (still_in_time_wait(latest, pinfo))
        rec->verdict.anomalies |= 1u << TCPST_A_REUSE_IN_TIME_WAIT;
    if (bare_syn && tcpst_conn_is_open(&latest->core))
        rec->verdict.anomalies |= 1u << TCPST_A_SYN_ON_ESTABLISHED;
}

/* First pass only: judge the TCP header in tvb, which Wireshark's TCP dissector has just
 * dissected. Must not throw: it may run while an exception from TCP's payload unwinds. */
static const frame_record *
track_segment(tvbuff_t *tvb, packet_info *pinfo, const address *src, const address *dst,
              void *ip_header, guint *nth)
{
    frame_record *rec = new_frame_record(pinfo, nth);
    guint captured = tvb_captured_length(tvb);

    if (captured < TCP_FIXED_HEADER_LEN) {
        rec->unjudged.status = RECORD_TRUNCATED;
        rec->unjudged.captured_len = (guint16)captured;
        return rec;
    }
    guint header_len = (tvb_get_uint8(tvb, TCP_OFFSET_DATA_OFF) >> 4) * 4;
    if (header_len < TCP_FIXED_HEADER_LEN) {
        rec->unjudged.status = RECORD_BAD_HEADER;
        rec->unjudged.header_len = (guint8)header_len;
        return rec;
    }
    guint header_captured = MIN(header_len, captured);     /* a short snaplen cuts the options */
    const guint8 *header = tvb_get_ptr(tvb, 0, header_captured);

    tcpst_segment seg;
    seg.src_port = pntohu16(header + TCP_OFFSET_SRC_PORT);
    seg.dst_port = pntohu16(header + TCP_OFFSET_DST_PORT);
    seg.seq = pntohu32(header + TCP_OFFSET_SEQ);
    seg.ack = pntohu32(header + TCP_OFFSET_ACK);
    seg.flags = header[TCP_OFFSET_FLAGS];
    seg.window = pntohu16(header + TCP_OFFSET_WINDOW);
    seg.wscale = TCPST_NO_WSCALE;
    seg.fast_open = 0;
    if (seg.flags & TCPST_SYN)
        read_syn_options(tvb, header_len, &seg);
    guint reported = tvb_reported_length(tvb);
    seg.payload_len = reported > header_len ? reported - header_len : 0;
    seg.endpoint = endpoint_of(src, dst, seg.src_port, seg.dst_port);

    tcpstate_tuple tuple;
    if (!tuple_of_segment(src, dst, seg.src_port, seg.dst_port, &tuple)) {
        rec->unjudged.status = RECORD_NO_CONVERSATION;
        return rec;
    }
    tcpstate_conn_record *latest = latest_connection(&tuple);
    if (tcpstate_duplicate_window
        && judged_as_copy(latest, &seg, header, header_captured, ip_header, pinfo, rec, *nth))
        return rec;
    if (!latest) {
        new_connection(&tuple, pinfo, &seg, rec, *nth);
    } else if (!(seg.flags & TCPST_SYN) || tcpst_conn_continues_handshake(&latest->core, &seg)) {
        judge(latest, pinfo, &seg, rec, *nth);
    } else {
        judge_syn_on_known_tuple(latest, &tuple, pinfo, &seg, rec, *nth);
    }
    return rec;
}

/* "[Handshake 1/3] ", "[Retransmission of Handshake 1/3] " and "[Wave 3/4, captured after its
 * ACK] " for each step, made once: the Info column of every step packet starts with one, even
 * in plain tshark -r. Likewise each end's "client: SYN_SENT -> ESTABLISHED", for tcpstate.transition. */
enum { INFO_PLAIN, INFO_RETRANSMISSION, INFO_LATE, N_INFO_FORMS };
static const guint8 info_form_bits[N_INFO_FORMS] = { 0, TCPST_V_RETRANSMISSION, TCPST_V_LATE };
static const char *info_texts[N_INFO_FORMS][TCPST_N_STEPS];
static const char *role_transitions[2][TCPST_N_STATES][TCPST_N_STATES];

static void
make_texts(void)
{
    for (unsigned step = TCPST_STEP_NONE + 1; step < TCPST_N_STEPS; step++) {
        for (int form = 0; form < N_INFO_FORMS; form++) {
            tcpst_verdict v = { .step = step, .bits = info_form_bits[form] };
            char buf[TCPST_LABEL_MAX];
            info_texts[form][step] = g_strdup_printf("[%s] ", tcpst_verdict_label(&v, TCPST_LABEL_SHORT, 0, buf));
        }
    }
    for (int role = TCPST_CLIENT; role <= TCPST_SERVER; role++)
        for (unsigned before = 0; before < TCPST_N_STATES; before++)
            for (unsigned after = 0; after < TCPST_N_STATES; after++)
                role_transitions[role][before][after] = g_strdup_printf("%s: %s -> %s", tcpst_role_name(role),
                                                                        tcpst_state_name(before), tcpst_state_name(after));
}

static const char *
info_text(const tcpst_verdict *v, const frame_extra *extra, wmem_allocator_t *scope)
{
    if (v->step == TCPST_STEP_DUPLICATE) {
        char buf[TCPST_LABEL_MAX];
        return wmem_strdup_printf(scope, "[%s] ", tcpst_verdict_label(v, TCPST_LABEL_SHORT, extra->duplicate_of, buf));
    }
    int form = (v->bits & TCPST_V_RETRANSMISSION) ? INFO_RETRANSMISSION
             : (v->bits & TCPST_V_LATE) ? INFO_LATE : INFO_PLAIN;
    return info_texts[form][v->step];
}

/* "client: FIN_WAIT_1 -> FIN_WAIT_2; server: ESTABLISHED -> CLOSE_WAIT", for a verdict that
 * changes at least one state. */
static const char *
transition_text(const tcpst_verdict *v, wmem_allocator_t *scope)
{
    const char *client = role_transitions[TCPST_CLIENT][tcpst_before(v, TCPST_CLIENT)][tcpst_after(v, TCPST_CLIENT)];
    const char *server = role_transitions[TCPST_SERVER][tcpst_before(v, TCPST_SERVER)][tcpst_after(v, TCPST_SERVER)];
    if (!tcpst_changed(v, TCPST_CLIENT))
        return server;
    if (!tcpst_changed(v, TCPST_SERVER))
        return client;
    return wmem_strconcat(scope, client, "; ", server, NULL);
}

/* The connection as of this packet: Zeek's conn_state and history, who closed, how. */
static void
show_summary(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_record *rec)
{
    const tcpst_verdict *v = &rec->verdict;
    const tcpstate_conn_record *conn = conn_of(rec);

    proto_tree_add_string(tree, hf_tcpstate_conn_state, tvb, 0, 0, tcpst_conn_state_name(v->conn_state));
    /* The history only grows: as of this packet it is the first history_len letters. */
    proto_tree_add_string(tree, hf_tcpstate_history, tvb, 0, 0,
                          wmem_strndup(pinfo->pool, conn->core.history, v->history_len));
    if (v->closed_by != TCPST_NOBODY)
        proto_tree_add_string(tree, hf_tcpstate_closed_by, tvb, 0, 0, tcpst_role_name(v->closed_by));
    if (v->close_kind != TCPST_CLOSE_NONE)
        proto_tree_add_string(tree, hf_tcpstate_close_kind, tvb, 0, 0, tcpst_close_kind_name(v->close_kind));
}

static void
add_link(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 frame, guint32 now)
{
    if (frame && frame <= now)
        proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, frame));
}

/* The time between two steps, shown once both happened at or before this packet. Never
 * negative: where the capture's clocks put the later step first (two interfaces merged), no
 * time is honest. */
static void
add_interval(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo,
             guint32 from_frame, tcpstate_time from, guint32 to_frame, tcpstate_time to)
{
    if (!from_frame || !to_frame || from_frame > pinfo->num || to_frame > pinfo->num || to < from)
        return;
    nstime_t delta;
    tcpstate_time_delta(&delta, to, from);
    proto_item_set_generated(proto_tree_add_time(tree, hf, tvb, 0, 0, &delta));
}

/* Links to the steps so far, so a click jumps between them; the handshake's times. */
static void
show_links_and_times(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_record *rec)
{
    const tcpstate_conn_record *conn = conn_of(rec);
    const tcpst_verdict *v = &rec->verdict;
    guint32 now = pinfo->num;

    add_link(tree, hf_tcpstate_syn_frame, tvb, conn->syn_frame, now);
    add_link(tree, hf_tcpstate_synack_frame, tvb, conn->synack_frame, now);
    add_link(tree, hf_tcpstate_ack_frame, tvb, conn->ack_frame, now);
    if (tcpst_step_info_of(v->step)->what & TCPST_STEP_ACKS_FIN)
        add_link(tree, hf_tcpstate_fin_frame, tvb, conn->fin_frame[!tcpst_sender(v)], now);

    if (v->step != TCPST_STEP_NONE) {
        add_interval(tree, hf_tcpstate_rtt_synack, tvb, pinfo, conn->answered_syn_frame,
                     conn->answered_syn_time, conn->synack_frame, conn->synack_time);
        add_interval(tree, hf_tcpstate_rtt_ack, tvb, pinfo, conn->synack_frame, conn->synack_time,
                     conn->ack_frame, conn->ack_time);
    }
    add_interval(tree, hf_tcpstate_since_syn, tvb, pinfo, conn->syn_frame, conn->syn_time,
                 now, tcpstate_time_of(&pinfo->abs_ts));

    if (entered_time_wait(v)) {
        nstime_t until = pinfo->abs_ts;
        until.secs += (time_t)tcpstate_time_wait;
        proto_item_set_generated(proto_tree_add_time(tree, hf_tcpstate_time_wait_until, tvb, 0, 0, &until));
    }
}

/* The steps the capture missed that this segment proves, and where its copy is. */
static void
show_evidence(tvbuff_t *tvb, proto_tree *tree, const frame_record *rec, const frame_extra *extra)
{
    const tcpst_verdict *v = &rec->verdict;
    const tcpst_evidence *evidence = extra ? &extra->evidence : NULL;
    if (evidence && (v->bits & TCPST_V_MISSED)) {
        for (int i = 0; i < TCPST_MAX_MISSED && evidence->missed[i] != TCPST_STEP_NONE; i++)
            proto_tree_add_string(tree, hf_tcpstate_missed, tvb, 0, 0, tcpst_step_info_of(evidence->missed[i])->label);
    }
    if (evidence && (v->bits & TCPST_V_WITHDRAWN))
        proto_tree_add_string(tree, hf_tcpstate_withdrawn, tvb, 0, 0, tcpst_step_info_of(evidence->withdrawn)->label);
    if (extra && v->step == TCPST_STEP_DUPLICATE)
        proto_item_set_generated(proto_tree_add_uint(tree, hf_tcpstate_duplicate_of, tvb, 0, 0, extra->duplicate_of));
    if (v->bits & TCPST_V_PEER_UNSEEN)
        proto_tree_add_string(tree, hf_tcpstate_unseen, tvb, 0, 0, tcpst_role_name(!tcpst_sender(v)));
}

static void
show_anomalies(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_record *rec,
               const frame_extra *extra)
{
    const tcpst_verdict *v = &rec->verdict;
    for (unsigned a = 0; a < TCPST_N_ANOMALIES; a++) {
        if (!(v->anomalies & (1u << a)))
            continue;
        const char *summary = tcpst_anomaly_info_of(a)->summary;
        proto_item *item = proto_tree_add_string(tree, hf_tcpstate_anomaly, tvb, 0, 0, tcpst_anomaly_info_of(a)->name);
        if (a == TCPST_A_HANDSHAKE_ACK)
            expert_add_info_format(pinfo, item, &ei_tcpstate_anomaly[a], "%s (%u)", summary,
                                   tcpst_conn_expected_ack(&conn_of(rec)->core, v));
        else if (a == TCPST_A_STEP_NOT_CAPTURED && extra)
            expert_add_info_format(pinfo, item, &ei_tcpstate_anomaly[a], "%s: %s%s%s", summary,
                                   tcpst_step_info_of(extra->evidence.missed[0])->label,
                                   extra->evidence.missed[1] != TCPST_STEP_NONE ? ", " : "",
                                   tcpst_step_info_of(extra->evidence.missed[1])->label);
        else
            expert_add_info(pinfo, item, &ei_tcpstate_anomaly[a]);
    }
}

static const char *explanation(tvbuff_t *tvb, packet_info *pinfo, const frame_record *rec,
                               const frame_extra *extra);

/* The width of the explanation's lines in a tree shown to people, in columns. */
#define EXPLAIN_LINE_WIDTH 100

/* The step explained (docs/explanations.md). Wireshark cuts an item's text at 240 bytes, so the
 * GUI's packet details (a later pass over the frame, as tshark -2 -V) repeat it beneath, line
 * by line. Not on a first pass: tshark -T fields builds a visible tree too, and there every
 * item costs whether asked for or not. */
static void
show_explanation(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_record *rec,
                 const frame_extra *extra)
{
    const char *text = explanation(tvb, pinfo, rec, extra);
    proto_item *item = proto_tree_add_string(tree, hf_tcpstate_explain, tvb, 0, 0, text);
    if (!PTREE_DATA(tree)->visible || !PINFO_FD_VISITED(pinfo))
        return;
    proto_tree *lines = proto_item_add_subtree(item, ett_tcpstate_explain);
    while (*text) {
        size_t n = tcpst_explain_line(text, EXPLAIN_LINE_WIDTH);
        proto_tree_add_subtree_format(lines, tvb, 0, 0, ett_tcpstate_explain, NULL, "%.*s", (int)n, text);
        text += n;
    }
}

static void
show_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
             const frame_record *rec, const frame_extra *extra)
{
    const tcpst_verdict *v = &rec->verdict;
    const tcpst_step_info *step = tcpst_step_info_of(v->step);
    char buf[TCPST_LABEL_MAX];
    const char *label = tcpst_verdict_label(v, TCPST_LABEL_FULL, extra ? extra->duplicate_of : 0, buf);
    proto_item *item;

    proto_item_set_text(ti, "TCP State: %s%sclient %s, server %s", label ? label : "",
                        label ? "; " : "", tcpst_after_name(v, TCPST_CLIENT),
                        tcpst_after_name(v, TCPST_SERVER));
    if (label) {
        proto_tree_add_string(tree, hf_tcpstate_step, tvb, 0, 0, label);
        /* The text costs a few microseconds: only for a tree shown or a field asked for. */
        if (proto_field_is_referenced(tree, hf_tcpstate_explain))
            show_explanation(tvb, pinfo, tree, rec, extra);
        if (step->handshake)
            proto_tree_add_uint(tree, hf_tcpstate_handshake, tvb, 0, 0, step->handshake);
        if (step->wave)
            proto_tree_add_uint(tree, hf_tcpstate_wave, tvb, 0, 0, step->wave);
        if (step->wave_second)
            proto_tree_add_uint(tree, hf_tcpstate_wave, tvb, 0, 0, step->wave_second);
        if (v->bits & TCPST_V_RETRANSMISSION)
            proto_tree_add_boolean(tree, hf_tcpstate_retransmission, tvb, 0, 0, TRUE);
    }
    proto_tree_add_string(tree, hf_tcpstate_sender, tvb, 0, 0, tcpst_role_name(tcpst_sender(v)));
    proto_tree_add_string(tree, hf_tcpstate_client_state, tvb, 0, 0, tcpst_after_name(v, TCPST_CLIENT));
    proto_tree_add_string(tree, hf_tcpstate_server_state, tvb, 0, 0, tcpst_after_name(v, TCPST_SERVER));
    /* Most packets change no state: the states before and the transition only where they do,
     * which keeps the tree (and tshark -T fields) lean. */
    if (tcpst_changed(v, TCPST_CLIENT) || tcpst_changed(v, TCPST_SERVER)) {
        proto_tree_add_string(tree, hf_tcpstate_client_prev_state, tvb, 0, 0, tcpst_before_name(v, TCPST_CLIENT));
        proto_tree_add_string(tree, hf_tcpstate_server_prev_state, tvb, 0, 0, tcpst_before_name(v, TCPST_SERVER));
        proto_tree_add_string(tree, hf_tcpstate_transition, tvb, 0, 0, transition_text(v, pinfo->pool));
    }

    if (step->handshake >= 2 && !(v->bits & (TCPST_V_RETRANSMISSION | TCPST_V_LATE))) {
        proto_tree_add_boolean(tree, hf_tcpstate_ack_ok, tvb, 0, 0, !(v->bits & TCPST_V_BAD_ACK));
        if (v->bits & TCPST_V_BAD_ACK)
            proto_tree_add_uint(tree, hf_tcpstate_expected_ack, tvb, 0, 0,
                                tcpst_conn_expected_ack(&conn_of(rec)->core, v));
    }
    show_summary(tvb, pinfo, tree, rec);
    show_links_and_times(tvb, pinfo, tree, rec);
    show_evidence(tvb, tree, rec, extra);
    show_anomalies(tvb, pinfo, tree, rec, extra);
    item = proto_tree_add_boolean(tree, hf_tcpstate_inferred, tvb, 0, 0, v->bits & TCPST_V_INFERRED);
    proto_item_set_generated(item);
    guint32 stream;
    if (conn_stream(conn_of(rec), &stream))
        proto_tree_add_uint(tree, hf_tcpstate_stream, tvb, 0, 0, stream);
}

/* tcp.seq and tcp.ack of this header as TCP shows them: relative to TCP's base sequence
 * numbers of the two directions when its preferences say so. */
static void
tcp_numbers(const tcpstate_conn_record *conn, const tcpst_verdict *v, packet_info *pinfo,
            tvbuff_t *tvb, tcpstate_tap_record *tap)
{
    tap->seq = tap->abs_seq = tvb_get_ntohl(tvb, TCP_OFFSET_SEQ);
    tap->ack = tap->abs_ack = tvb_get_ntohl(tvb, TCP_OFFSET_ACK);
    if (!tcp_analyze_seq_pref || !prefs_get_bool_value(tcp_analyze_seq_pref, pref_current)
        || !tcp_relative_seq_pref || !prefs_get_bool_value(tcp_relative_seq_pref, pref_current))
        return;
    conversation_t *conv;
    struct tcp_analysis *tcpd = tcp_conversation(pinfo->num, &conn->tuple, &conv);
    if (!tcpd)
        return;
    /* TCP's flow1 is the direction of endpoint 0 (endpoint_of() follows TCP's rule). */
    const tcp_flow_t *flows[2] = { &tcpd->flow1, &tcpd->flow2 };
    guint8 sender = tcpst_sender(v) == TCPST_CLIENT ? conn->core.client_endpoint : !conn->core.client_endpoint;
    tap->seq -= flows[sender]->base_seq;
    if (tap->flags & TCPST_ACK)
        tap->ack -= flows[!sender]->base_seq;
}

/* What the reports get of a judged TCP header (the header itself is in tvb). */
static tcpstate_tap_record *
tap_record(tvbuff_t *tvb, packet_info *pinfo, const frame_record *rec, const frame_extra *extra)
{
    tcpstate_tap_record *tap = wmem_new(pinfo->pool, tcpstate_tap_record);
    const tcpstate_conn_record *conn = conn_of(rec);
    guint header_len = (tvb_get_uint8(tvb, TCP_OFFSET_DATA_OFF) >> 4) * 4;
    guint reported = tvb_reported_length(tvb);

    tap->verdict = &rec->verdict;
    tap->conn = conn;
    if (!conn_stream(conn, &tap->stream))
        tap->stream = TCPSTATE_NO_STREAM;
    tap->flags = tvb_get_uint8(tvb, TCP_OFFSET_FLAGS);
    tap->payload_len = reported > header_len ? reported - header_len : 0;
    tap->duplicate_of = extra ? extra->duplicate_of : 0;
    tap->time_wait_ends = conn->time_wait_since + (gint64)tcpstate_time_wait * 1000000000;
    tap->language = (guint8)tcpstate_language;
    tcp_numbers(conn, &rec->verdict, pinfo, tvb, tap);
    return tap;
}

/* The step explained for people (docs/explanations.md), composed only when shown. Its relative
 * numbers count from the ISNs the first pass had at this packet (a SYN's own number is its
 * ISN), as TCP's do when it saw the SYNs: TCP moves its own base whenever it dissects a
 * SYN+ACK with a new ISN again, so that its numbers depend on the order the GUI dissects
 * frames in, and the connection's numbers at the end may be a later packet's. */
static const char *
explanation(tvbuff_t *tvb, packet_info *pinfo, const frame_record *rec, const frame_extra *extra)
{
    const tcpstate_tap_record *tap = tap_record(tvb, pinfo, rec, extra);
    tcpst_explain_input in;
    tcpstate_explain_input(tap->verdict, tap->conn, tap->flags, tap->abs_seq, tap->abs_ack, tap->seq,
                           tap->ack, tap->payload_len, tap->duplicate_of, &in);
    conn_numbers numbers;
    numbers_as_of(tap->conn, pinfo->num, &numbers);
    for (unsigned role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
        in.isn_known[role] = numbers.known[role][TCPSTATE_ISN];
        in.isn[role] = numbers.value[role][TCPSTATE_ISN];
        in.fin_known[role] = numbers.known[role][TCPSTATE_FIN];
        in.fin_seq[role] = numbers.value[role][TCPSTATE_FIN];
    }
    if (tap->seq != tap->abs_seq || tap->ack != tap->abs_ack) {     /* TCP's numbers are relative */
        unsigned sender = tcpst_sender(tap->verdict);
        if (tap->flags & TCPST_SYN)
            in.rel_seq = 0;
        else if (in.isn_known[sender])
            in.rel_seq = in.seq - in.isn[sender];
        if ((tap->flags & TCPST_ACK) && in.isn_known[!sender])
            in.rel_ack = in.ack - in.isn[!sender];
    }
    in.evidence = extra ? &extra->evidence : NULL;
    in.time_wait = tcpstate_time_wait;
    char *buf = (char *)wmem_alloc(pinfo->pool, TCPST_EXPLAIN_MAX);
    return tcpst_explain(&in, (unsigned)tcpstate_language, buf);
}

/* Without a tree (plain tshark -r, tshark -z expert, the GUI's first pass) the expert items
 * still go out, on no item: the expert tap (Analyze > Expert Information, -z expert) must see
 * every anomaly in every view. */
static void
show_record(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_record *rec, guint nth)
{
    const frame_extra *extra = NULL;
    if (rec->conn_ref && ((rec->verdict.bits & (TCPST_V_MISSED | TCPST_V_WITHDRAWN))
                          || rec->verdict.step == TCPST_STEP_DUPLICATE))
        extra = frame_extra_of(pinfo->num, nth);
    if (rec->conn_ref) {
        if (have_tap_listener(tcpstate_tap))
            tap_queue_packet(tcpstate_tap, pinfo, tap_record(tvb, pinfo, rec, extra));
        /* At the front, where the eye lands first, as TCP's own [TCP Retransmission]: the
         * end of a long Info column is cut off in the packet list and the Flow Graph. */
        if (tcpstate_info_column && rec->verdict.step != TCPST_STEP_NONE)
            col_prepend_fstr(pinfo->cinfo, COL_INFO, "%s", info_text(&rec->verdict, extra, pinfo->pool));
    }

    proto_item *ti = tree ? proto_tree_add_item(tree, proto_tcpstate, tvb, 0, 0, ENC_NA) : NULL;
    if (rec->conn_ref) {
        if (tree)
            show_verdict(tvb, pinfo, proto_item_add_subtree(ti, ett_tcpstate), ti, rec, extra);
        else if (rec->verdict.anomalies)
            show_anomalies(tvb, pinfo, NULL, rec, extra);
        return;
    }
    switch ((tcpstate_record_status)rec->unjudged.status) {
    case RECORD_TRUNCATED:
        expert_add_info_format(pinfo, ti, &ei_tcpstate_truncated,
                               "TCP header truncated (%u of %u bytes captured): segment not judged",
                               rec->unjudged.captured_len, TCP_FIXED_HEADER_LEN);
        break;
    case RECORD_BAD_HEADER:
        expert_add_info_format(pinfo, ti, &ei_tcpstate_bad_header,
                               "TCP header length %u is below the minimum of %u: segment not judged",
                               rec->unjudged.header_len, TCP_FIXED_HEADER_LEN);
        break;
    case RECORD_NO_CONVERSATION:
        expert_add_info(pinfo, ti, &ei_tcpstate_no_conversation);
        break;
    default:
        break;
    }
}

static int
call_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return call_dissector_only(tcp_handle, tvb, pinfo, tree, data);
}

/* Sits in "ip.proto" in place of TCP: calls Wireshark's TCP dissector, then judges the
 * segment (first pass) and shows its verdict (every pass). */
static int
dissect_tcp_and_track(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (pinfo->flags.in_error_pkt || !proto_is_protocol_enabled(tcpstate_protocol)
        || !proto_is_protocol_enabled(tcp_protocol))
        return call_tcp(tvb, pinfo, tree, data);

    /* TCP's payload dissectors may overwrite the addresses (tunnels over TCP). */
    address src, dst;
    copy_address_shallow(&src, &pinfo->src);
    copy_address_shallow(&dst, &pinfo->dst);

    volatile int len = 0;
    TRY {
        len = call_tcp(tvb, pinfo, tree, data);
    }
    FINALLY {
        /* Also when TCP's payload threw (a short snaplen): the header was read. */
        guint nth;
        const frame_record *rec = PINFO_FD_VISITED(pinfo) ? stored_record(pinfo, &nth)
                                                          : track_segment(tvb, pinfo, &src, &dst, data, &nth);
        if (rec && !record_is_blank(rec)) {
            /* The front handle belongs to no protocol (see proto_reg_handoff_tcpstate): the
             * expert items say TCP State, not the IP layer below, as a protocol's own handle
             * would make them. */
            const char *outer_proto = pinfo->current_proto;
            pinfo->current_proto = tcpstate_short_name;
            show_record(tvb, pinfo, tree, rec, nth);
            pinfo->current_proto = outer_proto;
        }
    }
    ENDTRY;
    return len;
}

static void
apply_prefs(void)
{
    if (tcpstate_time_wait > TIME_WAIT_MAX) {
        report_warning("TCP State: a TIME_WAIT of %u s is out of range (0 to %u s); using %u s.",
                       tcpstate_time_wait, TIME_WAIT_MAX, TIME_WAIT_MAX);
        tcpstate_time_wait = TIME_WAIT_MAX;
    }
    if (tcpstate_duplicate_window > DUPLICATE_WINDOW_MAX) {
        report_warning("TCP State: a duplicate window of %u ms is out of range (0 to %u ms); using %u ms.",
                       tcpstate_duplicate_window, DUPLICATE_WINDOW_MAX, DUPLICATE_WINDOW_MAX);
        tcpstate_duplicate_window = DUPLICATE_WINDOW_MAX;
    }
}

/* One expert item per row of the core's anomaly table. */
static void
register_anomaly_experts(expert_module_t *expert)
{
    static const int groups[] = {
        [TCPST_GROUP_SEQUENCE] = PI_SEQUENCE, [TCPST_GROUP_PROTOCOL] = PI_PROTOCOL,
        [TCPST_GROUP_MALFORMED] = PI_MALFORMED, [TCPST_GROUP_SECURITY] = PI_SECURITY,
    };
    static const int severities[] = {
        [TCPST_SEVERITY_NOTE] = PI_NOTE, [TCPST_SEVERITY_WARN] = PI_WARN,
    };
    /* Wireshark keeps pointers into this array and to its strings for good. */
    static ei_register_info ei[TCPST_N_ANOMALIES];

    for (unsigned a = 0; a < TCPST_N_ANOMALIES; a++) {
        const tcpst_anomaly_info *info = tcpst_anomaly_info_of(a);
        ei_register_info item = {
            &ei_tcpstate_anomaly[a],
            { g_strdup_printf("tcpstate.anomaly.%s", info->name), groups[info->group],
              severities[info->severity], info->summary, EXPFILL }
        };
        ei[a] = item;
    }
    expert_register_field_array(expert, ei, array_length(ei));
}

void
proto_register_tcpstate(void)
{
    static hf_register_info hf[] = {
        { &hf_tcpstate_step,
          { "Step", "tcpstate.step", FT_STRING, BASE_NONE, NULL, 0x0,
            "Which step of the three-way handshake or four-way close (wave) this segment is", HFILL }},
        { &hf_tcpstate_explain,
          { "Explanation", "tcpstate.explain", FT_STRING, BASE_NONE, NULL, 0x0,
            "The step explained with this packet's numbers, and why each end's state changes (preference tcpstate.language: en or zh)", HFILL }},
        { &hf_tcpstate_handshake,
          { "Handshake step", "tcpstate.handshake", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Step number in the three-way handshake (1-3)", HFILL }},
        { &hf_tcpstate_wave,
          { "Wave step", "tcpstate.wave", FT_UINT8, BASE_DEC, NULL, 0x0,
            "Step number in the four-way close (1-4); a segment that is two steps carries both", HFILL }},
        { &hf_tcpstate_sender,
          { "Sender", "tcpstate.sender", FT_STRING, BASE_NONE, NULL, 0x0,
            "Which end sent this segment: client (sent the first SYN) or server", HFILL }},
        { &hf_tcpstate_client_state,
          { "Client state", "tcpstate.client.state", FT_STRING, BASE_NONE, NULL, 0x0,
            "RFC 9293 state of the client after this segment", HFILL }},
        { &hf_tcpstate_server_state,
          { "Server state", "tcpstate.server.state", FT_STRING, BASE_NONE, NULL, 0x0,
            "RFC 9293 state of the server after this segment", HFILL }},
        { &hf_tcpstate_client_prev_state,
          { "Client state before", "tcpstate.client.prev_state", FT_STRING, BASE_NONE, NULL, 0x0,
            "RFC 9293 state of the client before this segment", HFILL }},
        { &hf_tcpstate_server_prev_state,
          { "Server state before", "tcpstate.server.prev_state", FT_STRING, BASE_NONE, NULL, 0x0,
            "RFC 9293 state of the server before this segment", HFILL }},
        { &hf_tcpstate_transition,
          { "Transition", "tcpstate.transition", FT_STRING, BASE_NONE, NULL, 0x0,
            "The state changes this segment caused", HFILL }},
        { &hf_tcpstate_retransmission,
          { "Retransmission", "tcpstate.retransmission", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "This segment repeats an earlier handshake or close step", HFILL }},
        { &hf_tcpstate_ack_ok,
          { "Handshake ACK number correct", "tcpstate.ack_ok", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The handshake reply acknowledges the peer's ISN+1, as the tutorial checks", HFILL }},
        { &hf_tcpstate_expected_ack,
          { "Expected ACK number", "tcpstate.expected_ack", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The peer's ISN+1 (absolute), which a handshake reply must acknowledge", HFILL }},
        { &hf_tcpstate_closed_by,
          { "Closed by", "tcpstate.closed_by", FT_STRING, BASE_NONE, NULL, 0x0,
            "Which end sent the first FIN or RST of the connection", HFILL }},
        { &hf_tcpstate_inferred,
          { "Inferred", "tcpstate.inferred", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "Roles or states rest on inference: the capture missed the connection's SYN, or a step that a later packet proved", HFILL }},
        { &hf_tcpstate_stream,
          { "Stream index", "tcpstate.stream", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The tcp.stream of the connection this segment belongs to", HFILL }},
        { &hf_tcpstate_conn_state,
          { "Connection state (Zeek)", "tcpstate.conn_state", FT_STRING, BASE_NONE, NULL, 0x0,
            "Zeek's conn_state code for the connection as of this packet (S0, S1, SF, REJ, ...)", HFILL }},
        { &hf_tcpstate_history,
          { "History (Zeek)", "tcpstate.history", FT_STRING, BASE_NONE, NULL, 0x0,
            "Zeek's history letters as of this packet: upper case client, lower case server", HFILL }},
        { &hf_tcpstate_close_kind,
          { "Close kind", "tcpstate.close_kind", FT_STRING, BASE_NONE, NULL, 0x0,
            "How the connection closed so far: four-way, three-way, simultaneous, half-closed, reset, refused", HFILL }},
        { &hf_tcpstate_anomaly,
          { "Anomaly", "tcpstate.anomaly", FT_STRING, BASE_NONE, NULL, 0x0,
            "What was wrong with this segment (each also an expert item tcpstate.anomaly.NAME)", HFILL }},
        { &hf_tcpstate_syn_frame,
          { "SYN in frame", "tcpstate.syn_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The frame of the connection's SYN (Handshake 1/3)", HFILL }},
        { &hf_tcpstate_synack_frame,
          { "SYN+ACK in frame", "tcpstate.synack_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The frame of the connection's SYN+ACK (Handshake 2/3)", HFILL }},
        { &hf_tcpstate_ack_frame,
          { "Handshake ACK in frame", "tcpstate.ack_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The frame of the handshake's third segment (Handshake 3/3)", HFILL }},
        { &hf_tcpstate_fin_frame,
          { "Answers the FIN in frame", "tcpstate.fin_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The frame of the FIN this close step acknowledges", HFILL }},
        { &hf_tcpstate_rtt_synack,
          { "SYN to SYN+ACK", "tcpstate.rtt.syn_synack", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time from the SYN the SYN+ACK answers (the last one before it) to the SYN+ACK: the server side of the handshake round trip", HFILL }},
        { &hf_tcpstate_rtt_ack,
          { "SYN+ACK to ACK", "tcpstate.rtt.synack_ack", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time from the SYN+ACK to the handshake's ACK (the client side of the round trip)", HFILL }},
        { &hf_tcpstate_since_syn,
          { "Time since SYN", "tcpstate.since_syn", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Time since the connection's first SYN", HFILL }},
        { &hf_tcpstate_missed,
          { "Step not captured", "tcpstate.missed", FT_STRING, BASE_NONE, NULL, 0x0,
            "A step the capture missed, which this segment proves (and whose effect on the states it shows)", HFILL }},
        { &hf_tcpstate_withdrawn,
          { "Not a FIN after all", "tcpstate.withdrawn", FT_STRING, BASE_NONE, NULL, 0x0,
            "A FIN an earlier packet seemed to prove, which this segment shows was a last data byte: the states go back", HFILL }},
        { &hf_tcpstate_unseen,
          { "End not in the capture", "tcpstate.unseen", FT_STRING, BASE_NONE, NULL, 0x0,
            "The end the capture holds no segment of, whose steps are inferred from the other end's (one direction only)", HFILL }},
        { &hf_tcpstate_duplicate_of,
          { "Duplicate of frame", "tcpstate.duplicate_of", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "The capture holds this very packet twice: the frame of its first copy", HFILL }},
        { &hf_tcpstate_time_wait_until,
          { "TIME_WAIT ends", "tcpstate.time_wait_until", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_LOCAL, NULL, 0x0,
            "When the end entering TIME_WAIT reaches CLOSED (the TIME_WAIT preference, default 60 s)", HFILL }},
    };

    static gint *ett[] = {
        &ett_tcpstate,
        &ett_tcpstate_explain,
    };

    static ei_register_info ei[] = {
        { &ei_tcpstate_truncated,
          { "tcpstate.truncated", PI_MALFORMED, PI_NOTE,
            "TCP header truncated: segment not judged", EXPFILL }},
        { &ei_tcpstate_bad_header,
          { "tcpstate.bad_header", PI_MALFORMED, PI_NOTE,
            "TCP header length below 20 bytes: segment not judged", EXPFILL }},
        { &ei_tcpstate_no_conversation,
          { "tcpstate.no_conversation", PI_UNDECODED, PI_NOTE,
            "TCP kept no conversation for this segment: not judged", EXPFILL }},
    };

    proto_tcpstate = proto_register_protocol("TCP State", "TCP State", "tcpstate");
    register_init_routine(tcpstate_init);
    make_texts();
    register_cleanup_routine(tcpstate_cleanup);
    tcpstate_tap = register_tap("tcpstate");
    proto_register_field_array(proto_tcpstate, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *expert = expert_register_protocol(proto_tcpstate);
    expert_register_field_array(expert, ei, array_length(ei));
    register_anomaly_experts(expert);

    module_t *module = prefs_register_protocol(proto_tcpstate, apply_prefs);
    prefs_register_bool_preference(module, "info_column", "Show the step in the Info column",
                                   "Start the Info column with the handshake or close step, e.g. [Handshake 1/3]",
                                   &tcpstate_info_column);
    prefs_register_uint_preference(module, "time_wait", "TIME_WAIT length (seconds)",
                                   "How long an end stays in TIME_WAIT: 60 s as Linux, RFC 9293's 2 MSL "
                                   "is 240 s. From 0 to 86400.",
                                   10, &tcpstate_time_wait);
    prefs_register_uint_preference(module, "duplicate_window", "Duplicate window (milliseconds)",
                                   "Two identical copies of a segment (TCP header, payload length, IPv4 "
                                   "identification or IPv6 flow label) this close together are one packet "
                                   "captured twice, not a retransmission. 0 turns this off; at most 60000.",
                                   10, &tcpstate_duplicate_window);
    prefs_register_enum_preference(module, "language", "Language of the explanations",
                                   "The language of tcpstate.explain and of -z tcpstate,ladder: en (English) "
                                   "or zh (Chinese). Step labels and state names stay the same, so filters "
                                   "work in both.",
                                   &tcpstate_language, languages, FALSE);
}

void
proto_reg_handoff_tcpstate(void)
{
    proto_tcp = proto_get_id_by_filter_name("tcp");
    tcp_protocol = find_protocol_by_id(proto_tcp);
    tcpstate_protocol = find_protocol_by_id(proto_tcpstate);
    tcpstate_short_name = proto_get_protocol_short_name(tcpstate_protocol);
    tcp_handle = find_dissector("tcp");
    module_t *tcp_module = prefs_find_module("tcp");
    tcp_analyze_seq_pref = prefs_find_preference(tcp_module, "analyze_sequence_numbers");
    tcp_relative_seq_pref = prefs_find_preference(tcp_module, "relative_sequence_numbers");

    /* The front handle stands in for TCP. It belongs to no protocol, so that calling TCP adds
     * the one "tcp" layer: the frame's protocol layers stay eth:ethertype:ip:tcp:... */
    dissector_handle_t front = create_dissector_handle_with_name_and_description(
        dissect_tcp_and_track, -1, "tcpstate_tcp", "TCP (tracked by TCP State)");
    dissector_add_uint("ip.proto", IP_PROTO_TCP, front);

    tcpstate_register_reports(proto_tcpstate);
}
