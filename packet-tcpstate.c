/* packet-tcpstate.c
 * Routines for tcpstate: which step of the TCP handshake or close each segment is, and the
 * state of both ends after it.
 *
 * How a segment flows (README.md, "Design"):
 *  1. IP hands every TCP header to dissect_tcp_and_track(), which sits in the "ip.proto"
 *     table in front of Wireshark's own TCP dissector and calls it unchanged.
 *  2. On the first pass over a frame it then reads the fixed TCP header straight from the
 *     tvb (no protocol tree needed), finds TCP's conversation for tcp.stream, feeds the
 *     segment to the pure-C state machine (plugin/tcpstate-core.c) and stores the verdict
 *     with the frame.
 *  3. The postdissector dissect_tcpstate() shows the stored verdicts of the frame: the
 *     "TCP State" subtree, the Info column, expert info. Later passes (tshark -2, GUI
 *     clicks in any order) only show; they never recompute.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/exceptions.h>
#include <epan/expert.h>
#include <epan/ipproto.h>
#include <epan/prefs.h>
#include <epan/proto_data.h>
#include <epan/dissectors/packet-tcp.h>

#include "plugin/tcpstate-core.h"
#include "plugin/ws-compat.h"

void proto_register_tcpstate(void);
void proto_reg_handoff_tcpstate(void);

static int proto_tcpstate = -1;
static int proto_tcp = -1;

static int hf_tcpstate_step = -1;
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

static gint ett_tcpstate = -1;

static expert_field ei_tcpstate_bad_ack = EI_INIT;
static expert_field ei_tcpstate_truncated = EI_INIT;
static expert_field ei_tcpstate_bad_header = EI_INIT;
static expert_field ei_tcpstate_no_conversation = EI_INIT;

static gboolean tcpstate_info_column = TRUE;

/* Wireshark's TCP dissector, reached through a table of our own: dissector_try_uint_new()
 * can call it without adding a second "tcp" to the frame's protocol layers. */
static dissector_table_t tcp_table;

#define TCP_FIXED_HEADER_LEN 20

/* What the first pass found out about one TCP header of a frame. */
typedef enum {
    RECORD_JUDGED,
    RECORD_TRUNCATED,       /* fewer than 20 bytes of the header were captured */
    RECORD_BAD_HEADER,      /* data offset below 5 words */
    RECORD_NO_CONVERSATION  /* TCP kept no conversation for it */
} record_status;

typedef struct {
    tcpst_verdict verdict;
    guint32 stream;
    guint8 status;          /* record_status */
    guint8 header_len;      /* with RECORD_BAD_HEADER: what the header claimed */
    guint16 captured_len;   /* with RECORD_TRUNCATED: what was captured */
} frame_record;

/* Records are kept per frame under keys 0, 1, ...: one per TCP header the frame carries
 * outside ICMP errors (a tunnel can carry several). */
static guint32
frame_record_count(packet_info *pinfo)
{
    guint32 n = 0;
    while (p_get_proto_data(wmem_file_scope(), pinfo, proto_tcpstate, n))
        n++;
    return n;
}

static frame_record *
new_frame_record(packet_info *pinfo)
{
    frame_record *rec = wmem_new0(wmem_file_scope(), frame_record);
    p_add_proto_data(wmem_file_scope(), pinfo, proto_tcpstate, frame_record_count(pinfo), rec);
    return rec;
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

/* First pass only: judge the TCP header in tvb, which Wireshark's TCP dissector has just
 * dissected. Must not throw: it may run while an exception from TCP's payload unwinds. */
static void
track_segment(tvbuff_t *tvb, packet_info *pinfo, const address *src, const address *dst)
{
    frame_record *rec = new_frame_record(pinfo);
    guint captured = tvb_captured_length(tvb);

    if (captured < TCP_FIXED_HEADER_LEN) {
        rec->status = RECORD_TRUNCATED;
        rec->captured_len = (guint16)captured;
        return;
    }
    guint header_len = (tvb_get_guint8(tvb, 12) >> 4) * 4;
    if (header_len < TCP_FIXED_HEADER_LEN) {
        rec->status = RECORD_BAD_HEADER;
        rec->header_len = (guint8)header_len;
        return;
    }

    tcpst_segment seg;
    seg.src_port = tvb_get_ntohs(tvb, 0);
    seg.dst_port = tvb_get_ntohs(tvb, 2);
    seg.seq = tvb_get_ntohl(tvb, 4);
    seg.ack = tvb_get_ntohl(tvb, 8);
    seg.flags = tvb_get_guint8(tvb, 13) & (TCPST_FIN | TCPST_SYN | TCPST_RST | TCPST_ACK);
    guint reported = tvb_reported_length(tvb);
    seg.payload_len = reported > header_len ? reported - header_len : 0;
    seg.endpoint = endpoint_of(src, dst, seg.src_port, seg.dst_port);

    conversation_t *conv = find_conversation(pinfo->num, src, dst, CONVERSATION_TCP,
                                             seg.src_port, seg.dst_port, 0);
    struct tcp_analysis *tcpd = conv ? (struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp) : NULL;
    if (!tcpd) {
        rec->status = RECORD_NO_CONVERSATION;
        return;
    }
    tcpst_conn *conn = (tcpst_conn *)conversation_get_proto_data(conv, proto_tcpstate);
    if (!conn) {
        conn = wmem_new(wmem_file_scope(), tcpst_conn);
        tcpst_conn_init(conn);
        conversation_add_proto_data(conv, proto_tcpstate, conn);
    }
    rec->stream = tcpd->stream;
    tcpst_conn_segment(conn, &seg, &rec->verdict);
}

static int
call_tcp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return dissector_try_uint_new(tcp_table, IP_PROTO_TCP, tvb, pinfo, tree, FALSE, data);
}

/* Sits in "ip.proto" in place of TCP: calls Wireshark's TCP dissector, then tracks. */
static int
dissect_tcp_and_track(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (PINFO_FD_VISITED(pinfo) || pinfo->flags.in_error_pkt
        || !proto_is_protocol_enabled(find_protocol_by_id(proto_tcpstate)))
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
        track_segment(tvb, pinfo, &src, &dst);
    }
    ENDTRY;
    return len;
}

static const char *
step_label(const tcpst_verdict *v, gboolean short_form, wmem_allocator_t *scope)
{
    const char *label = short_form ? tcpst_step_short(v->step) : tcpst_step_label(v->step);
    if (v->bits & TCPST_V_RETRANSMISSION)
        return wmem_strdup_printf(scope, "Retransmission of %s", tcpst_step_short(v->step));
    if ((v->bits & TCPST_V_BAD_ACK) && !short_form) {
        /* "Handshake 2/3 (SYN+ACK)" becomes "Handshake 2/3 (SYN+ACK, ACK number is not ISN+1)" */
        size_t n = strlen(label);
        return wmem_strdup_printf(scope, "%.*s, ACK number is not ISN+1)", (int)(n - 1), label);
    }
    return label;
}

static const char *
transition_text(const tcpst_verdict *v, wmem_allocator_t *scope)
{
    wmem_strbuf_t *text = wmem_strbuf_new(scope, "");
    for (int role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
        if (v->before[role] == v->after[role])
            continue;
        wmem_strbuf_append_printf(text, "%s%s: %s -> %s", wmem_strbuf_get_len(text) ? "; " : "",
                                  tcpst_role_name(role), tcpst_state_name(v->before[role]),
                                  tcpst_state_name(v->after[role]));
    }
    return wmem_strbuf_get_len(text) ? wmem_strbuf_get_str(text) : "none";
}

static void
show_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
             const frame_record *rec)
{
    const tcpst_verdict *v = &rec->verdict;
    const char *label = v->step != TCPST_STEP_NONE ? step_label(v, FALSE, pinfo->pool) : NULL;
    int sender = (v->bits & TCPST_V_FROM_SERVER) ? TCPST_SERVER : TCPST_CLIENT;
    proto_item *item;

    proto_item_append_text(ti, ": %s%sclient %s, server %s", label ? label : "",
                           label ? "; " : "", tcpst_state_name(v->after[TCPST_CLIENT]),
                           tcpst_state_name(v->after[TCPST_SERVER]));
    if (label) {
        proto_tree_add_string(tree, hf_tcpstate_step, tvb, 0, 0, label);
        if (tcpst_step_handshake(v->step))
            proto_tree_add_uint(tree, hf_tcpstate_handshake, tvb, 0, 0, tcpst_step_handshake(v->step));
        if (tcpst_step_wave(v->step))
            proto_tree_add_uint(tree, hf_tcpstate_wave, tvb, 0, 0, tcpst_step_wave(v->step));
        if (tcpst_step_wave_second(v->step))
            proto_tree_add_uint(tree, hf_tcpstate_wave, tvb, 0, 0, tcpst_step_wave_second(v->step));
        if (v->bits & TCPST_V_RETRANSMISSION)
            proto_tree_add_boolean(tree, hf_tcpstate_retransmission, tvb, 0, 0, TRUE);
    }
    proto_tree_add_string(tree, hf_tcpstate_sender, tvb, 0, 0, tcpst_role_name(sender));
    proto_tree_add_string(tree, hf_tcpstate_client_state, tvb, 0, 0, tcpst_state_name(v->after[TCPST_CLIENT]));
    proto_tree_add_string(tree, hf_tcpstate_server_state, tvb, 0, 0, tcpst_state_name(v->after[TCPST_SERVER]));
    proto_tree_add_string(tree, hf_tcpstate_client_prev_state, tvb, 0, 0, tcpst_state_name(v->before[TCPST_CLIENT]));
    proto_tree_add_string(tree, hf_tcpstate_server_prev_state, tvb, 0, 0, tcpst_state_name(v->before[TCPST_SERVER]));
    proto_tree_add_string(tree, hf_tcpstate_transition, tvb, 0, 0, transition_text(v, pinfo->pool));

    if (tcpst_step_handshake(v->step) >= 2 && !(v->bits & TCPST_V_RETRANSMISSION)) {
        item = proto_tree_add_boolean(tree, hf_tcpstate_ack_ok, tvb, 0, 0, !(v->bits & TCPST_V_BAD_ACK));
        if (v->bits & TCPST_V_BAD_ACK) {
            expert_add_info_format(pinfo, item, &ei_tcpstate_bad_ack,
                                   "Handshake ACK number is not the peer's ISN+1 (%u)", v->expected_ack);
            proto_tree_add_uint(tree, hf_tcpstate_expected_ack, tvb, 0, 0, v->expected_ack);
        }
    }
    if (v->closed_by != TCPST_NOBODY)
        proto_tree_add_string(tree, hf_tcpstate_closed_by, tvb, 0, 0, tcpst_role_name(v->closed_by));
    item = proto_tree_add_boolean(tree, hf_tcpstate_inferred, tvb, 0, 0, v->bits & TCPST_V_INFERRED);
    proto_item_set_generated(item);
    proto_tree_add_uint(tree, hf_tcpstate_stream, tvb, 0, 0, rec->stream);
}

static void
show_record(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const frame_record *rec)
{
    if (rec->status == RECORD_JUDGED && tcpstate_info_column && rec->verdict.step != TCPST_STEP_NONE)
        col_append_fstr(pinfo->cinfo, COL_INFO, " [%s]", step_label(&rec->verdict, TRUE, pinfo->pool));
    if (!tree)
        return;

    proto_item *ti = proto_tree_add_item(tree, proto_tcpstate, tvb, 0, 0, ENC_NA);
    proto_tree *st = proto_item_add_subtree(ti, ett_tcpstate);
    switch ((record_status)rec->status) {
    case RECORD_JUDGED:
        show_verdict(tvb, pinfo, st, ti, rec);
        break;
    case RECORD_TRUNCATED:
        expert_add_info_format(pinfo, ti, &ei_tcpstate_truncated,
                               "TCP header truncated (%u of %u bytes captured): segment not judged",
                               rec->captured_len, TCP_FIXED_HEADER_LEN);
        break;
    case RECORD_BAD_HEADER:
        expert_add_info_format(pinfo, ti, &ei_tcpstate_bad_header,
                               "TCP header length %u is below the minimum of %u: segment not judged",
                               rec->header_len, TCP_FIXED_HEADER_LEN);
        break;
    case RECORD_NO_CONVERSATION:
        expert_add_info(pinfo, ti, &ei_tcpstate_no_conversation);
        break;
    }
}

/* The postdissector: shows what the first pass stored for this frame. */
static int
dissect_tcpstate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint32 n = 0;
    const frame_record *rec;

    while ((rec = (const frame_record *)p_get_proto_data(wmem_file_scope(), pinfo, proto_tcpstate, n))) {
        show_record(tvb, pinfo, tree, rec);
        n++;
    }
    /* Nonzero keeps "tcpstate" in frame.protocols, only for frames it judged. */
    return n ? tvb_captured_length(tvb) : 0;
}

void
proto_register_tcpstate(void)
{
    static hf_register_info hf[] = {
        { &hf_tcpstate_step,
          { "Step", "tcpstate.step", FT_STRING, BASE_NONE, NULL, 0x0,
            "Which step of the three-way handshake or four-way close (wave) this segment is", HFILL }},
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
            "Roles and states are guessed: the capture missed the connection's SYN", HFILL }},
        { &hf_tcpstate_stream,
          { "Stream index", "tcpstate.stream", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The tcp.stream of the connection this segment belongs to", HFILL }},
    };

    static gint *ett[] = {
        &ett_tcpstate,
    };

    static ei_register_info ei[] = {
        { &ei_tcpstate_bad_ack,
          { "tcpstate.anomaly.handshake_ack", PI_SEQUENCE, PI_WARN,
            "Handshake ACK number is not the peer's ISN+1", EXPFILL }},
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
    tcp_table = register_dissector_table("tcpstate.tcp", "TCP, as called by TCP State",
                                         proto_tcpstate, FT_UINT8, BASE_DEC);
    proto_register_field_array(proto_tcpstate, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_tcpstate), ei, array_length(ei));

    module_t *module = prefs_register_protocol(proto_tcpstate, NULL);
    prefs_register_bool_preference(module, "info_column", "Show the step in the Info column",
                                   "Append the handshake or close step, e.g. [Handshake 1/3], to the Info column",
                                   &tcpstate_info_column);
}

void
proto_reg_handoff_tcpstate(void)
{
    proto_tcp = proto_get_id_by_filter_name("tcp");
    dissector_add_uint("tcpstate.tcp", IP_PROTO_TCP, find_dissector("tcp"));

    /* The front handle stands for TCP (it is TCP, plus tracking): the frame's protocol layers
     * stay eth:ethertype:ip:tcp:..., and disabling TCP disables it. */
    dissector_handle_t front = create_dissector_handle_with_name_and_description(
        dissect_tcp_and_track, proto_tcp, "tcpstate_tcp", "TCP (tracked by TCP State)");
    dissector_add_uint("ip.proto", IP_PROTO_TCP, front);

    register_postdissector(create_dissector_handle(dissect_tcpstate, proto_tcpstate));
}
