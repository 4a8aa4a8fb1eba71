/* tcpstate-verdicts.c
 * What a connection amounts to, and what was wrong with a segment: Zeek's endpoint statuses,
 * conn_state and history letters, the close kind, and the anomalies. The rules are those of
 * docs/verdicts.md, section by section in the same order.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpstate-core-private.h"

#include <string.h>

/* ---- tcpstate.conn_state: Zeek's endpoint statuses and conn_state ---- */

/* Zeek's endpoint status: what an end has sent (tcpst_end.zeek.status). */
enum {
    ZEEK_INACTIVE, ZEEK_SYN_SENT, ZEEK_SYN_ACK_SENT, ZEEK_PARTIAL, ZEEK_ESTABLISHED,
    ZEEK_CLOSED, ZEEK_RESET
};

/* History letters recorded at most once per direction (tcpst_end.zeek.seen). */
#define SEEN_A 0x01
#define SEEN_D 0x02
#define SEEN_I 0x04
#define SEEN_Q 0x08
/* Letters S or H (one mark), F, R, recorded again for a new sequence number: seen once. */
enum { LETTER_SYN, LETTER_F, LETTER_R };
#define SEEN_LETTER(which) ((uint8_t)(0x10 << (which)))
#define SENT_PAYLOAD 0x80   /* not a letter: the end sent payload (Zeek's size > 0) */

static void
set_status(tcpst_end *end, uint8_t status)
{
    if (end->zeek.status != status) {
        end->zeek.prev_status = end->zeek.status;
        end->zeek.status = status;
    }
}

/* Zeek's TCPSessionAdapter::UpdateStateMachine, by the sender's status; within the segment a
 * SYN counts first, then a FIN, then a RST (docs/verdicts.md). */
void
tcpst_zeek_status_update(tcpst_conn *conn, const seg_view *seg)
{
    tcpst_end *end = &conn->end[seg->from], *peer = &conn->end[!seg->from];
    bool from_client = seg->from == TCPST_CLIENT;

    switch (end->zeek.status) {
    case ZEEK_INACTIVE:
        if (seg->syn && from_client) {
            set_status(end, seg->ack ? ZEEK_SYN_ACK_SENT : ZEEK_SYN_SENT);
        } else if (seg->syn) {
            /* the server's reply establishes the connection for Zeek */
            if (peer->zeek.status == ZEEK_SYN_SENT)
                set_status(peer, ZEEK_ESTABLISHED);
            set_status(end, ZEEK_ESTABLISHED);
        }
        if (seg->fin)
            set_status(end, ZEEK_CLOSED);
        if (seg->rst)
            set_status(end, ZEEK_RESET);
        if (end->zeek.status != ZEEK_INACTIVE)
            break;
        if (!from_client && !seg->raw->payload_len && peer->zeek.status == ZEEK_SYN_SENT)
            ;   /* an ACK of the SYN ahead of the SYN+ACK */
        else if (seg->ack && peer->zeek.status == ZEEK_ESTABLISHED)
            set_status(end, ZEEK_ESTABLISHED);     /* "we just missed that initial SYN" */
        else
            set_status(end, ZEEK_PARTIAL);
        break;
    case ZEEK_SYN_SENT:
    case ZEEK_SYN_ACK_SENT:
        if (seg->fin)
            set_status(end, ZEEK_CLOSED);
        if (seg->rst)
            set_status(end, ZEEK_RESET);
        break;
    case ZEEK_ESTABLISHED:
    case ZEEK_PARTIAL:
        if (seg->syn && !seg->ack && end->zeek.status == ZEEK_PARTIAL && peer->zeek.status == ZEEK_INACTIVE)
            set_status(end, ZEEK_SYN_SENT);
        if (seg->fin && !seg->rst) {
            set_status(end, ZEEK_CLOSED);
            /* a FIN, a RST, then the peer's FIN: "actually normal termination" */
            if (peer->zeek.status == ZEEK_RESET && peer->zeek.prev_status == ZEEK_CLOSED)
                set_status(peer, ZEEK_CLOSED);
        }
        if (seg->rst)
            set_status(end, ZEEK_RESET);
        break;
    case ZEEK_CLOSED:
        /* a RST after both ends sent FIN changes nothing */
        if (seg->rst && peer->zeek.status != ZEEK_CLOSED)
            set_status(end, ZEEK_RESET);
        break;
    default:
        break;
    }
}

/* Zeek's "^?S[^HAFGIQ]*R": a SYN, then a RST before any handshake, ACK, FIN, gap or odd flags. */
static bool
history_is_syn_then_reset(const char *history)
{
    if (*history == '^')
        history++;
    if (*history++ != 'S')
        return false;
    for (; *history; history++) {
        if (*history == 'R')
            return true;
        if (strchr("HAFGIQ", *history))
            return false;
    }
    return false;
}

/* Zeek's conn_state() of base/protocols/conn/main.zeek, on the endpoint statuses. */
uint8_t
tcpst_zeek_conn_state(const tcpst_conn *conn)
{
    const tcpst_end *orig = &conn->end[TCPST_CLIENT], *resp = &conn->end[TCPST_SERVER];
    uint8_t os = orig->zeek.status, rs = resp->zeek.status;
    bool o_inactive = os == ZEEK_INACTIVE || os == ZEEK_PARTIAL;
    bool r_inactive = rs == ZEEK_INACTIVE || rs == ZEEK_PARTIAL;

    if (rs == ZEEK_RESET) {
        if (os == ZEEK_SYN_SENT || os == ZEEK_SYN_ACK_SENT
            || (os == ZEEK_RESET && !(orig->zeek.seen & SENT_PAYLOAD) && !(resp->zeek.seen & SENT_PAYLOAD)))
            return TCPST_CS_REJ;
        return o_inactive ? TCPST_CS_RSTRH : TCPST_CS_RSTR;
    }
    if (os == ZEEK_RESET) {
        if (r_inactive)
            return history_is_syn_then_reset(conn->history) ? TCPST_CS_RSTOS0 : TCPST_CS_OTH;
        return TCPST_CS_RSTO;
    }
    if (rs == ZEEK_CLOSED && os == ZEEK_CLOSED)
        return TCPST_CS_SF;
    if (os == ZEEK_CLOSED)
        return r_inactive ? TCPST_CS_SH : TCPST_CS_S2;
    if (rs == ZEEK_CLOSED)
        return o_inactive ? TCPST_CS_SHR : TCPST_CS_S3;
    if (os == ZEEK_SYN_SENT && rs == ZEEK_INACTIVE)
        return TCPST_CS_S0;
    if (os == ZEEK_ESTABLISHED && rs == ZEEK_ESTABLISHED)
        return TCPST_CS_S1;
    return TCPST_CS_OTH;
}

const char *
tcpst_conn_state_name(unsigned conn_state)
{
    static const char *const names[TCPST_N_CONN_STATES] = {
        [TCPST_CS_S0] = "S0", [TCPST_CS_S1] = "S1", [TCPST_CS_SF] = "SF",
        [TCPST_CS_REJ] = "REJ", [TCPST_CS_S2] = "S2", [TCPST_CS_S3] = "S3",
        [TCPST_CS_RSTO] = "RSTO", [TCPST_CS_RSTR] = "RSTR", [TCPST_CS_RSTOS0] = "RSTOS0",
        [TCPST_CS_RSTRH] = "RSTRH", [TCPST_CS_SH] = "SH", [TCPST_CS_SHR] = "SHR",
        [TCPST_CS_OTH] = "OTH",
    };
    return conn_state < TCPST_N_CONN_STATES ? names[conn_state] : "?";
}

/* ---- tcpstate.history: Zeek's letters ---- */

static void
add_letter(tcpst_conn *conn, char letter)
{
    if (conn->history_len < TCPST_HISTORY_MAX) {
        conn->history[conn->history_len++] = letter;
        conn->history[conn->history_len] = '\0';
    }
}

void
tcpst_history_flipped(tcpst_conn *conn)
{
    add_letter(conn, '^');
}

/* Letters S, H, F, R: again only when the sequence number differs from the last one. */
static void
letter_per_seq(tcpst_conn *conn, tcpst_end *sender, unsigned which, char letter, uint32_t seq)
{
    uint8_t seen = SEEN_LETTER(which);
    if (!(sender->zeek.seen & seen) || sender->zeek.letter_seq[which] != seq) {
        sender->zeek.seen |= seen;
        sender->zeek.letter_seq[which] = seq;
        add_letter(conn, letter);
    }
}

/* Letters A, D, I, Q: once per direction. */
static void
letter_once(tcpst_conn *conn, tcpst_end *sender, uint8_t seen, char letter)
{
    if (!(sender->zeek.seen & seen)) {
        sender->zeek.seen |= seen;
        add_letter(conn, letter);
    }
}

/* Letters T, W: at the 1st, 10th, 100th ... time. */
static void
letter_counted(tcpst_conn *conn, uint32_t *count, char letter)
{
    uint32_t n = ++*count;
    while (n % 10 == 0)
        n /= 10;
    if (n == 1)
        add_letter(conn, letter);
}

/* Zeek's update_history, then its zero-window and retransmission counts: a segment with
 * exactly one of SYN, FIN, RST gives that flag's letter, one with more gives I or Q, one with
 * none gives D or A; then W, then T. Upper case from the client, lower case from the server. */
void
tcpst_history_add(tcpst_conn *conn, const seg_view *seg)
{
    tcpst_end *sender = &conn->end[seg->from], *peer = &conn->end[!seg->from];
    const tcpst_segment *raw = seg->raw;
    int shift = seg->from == TCPST_SERVER ? 'a' - 'A' : 0;
    int flags = seg->syn + seg->fin + seg->rst;

    if (flags > 1)
        letter_once(conn, sender, (seg->fin && seg->rst) ? SEEN_I : SEEN_Q,
                    (char)(((seg->fin && seg->rst) ? 'I' : 'Q') + shift));
    else if (seg->syn)
        letter_per_seq(conn, sender, LETTER_SYN, (char)((seg->ack ? 'H' : 'S') + shift), raw->seq);
    else if (seg->fin)
        letter_per_seq(conn, sender, LETTER_F, (char)('F' + shift), raw->seq + raw->payload_len);
    else if (seg->rst)
        letter_per_seq(conn, sender, LETTER_R, (char)('R' + shift), raw->seq);
    else if (raw->payload_len)
        letter_once(conn, sender, SEEN_D, (char)('D' + shift));
    else if (seg->ack)
        letter_once(conn, sender, SEEN_A, (char)('A' + shift));

    bool reset = sender->zeek.status == ZEEK_RESET;
    if (raw->window == 0 && !seg->rst && peer->zeek.status != ZEEK_CLOSED && !reset)
        letter_counted(conn, &sender->zeek.zero_windows, (char)('W' + shift));
    /* a retransmission: payload whose end is not past the highest its end was seen to send
     * (the payload of a RST is no part of the sequence space) */
    uint32_t end = raw->seq + seg->syn + seg->fin + (seg->rst ? 0 : raw->payload_len);
    if (raw->payload_len && (sender->tcb.sent & SENT_SEQ) && !reset && !seq_gt(end, sender->tcb.next_seq))
        letter_counted(conn, &sender->zeek.retransmits, (char)('T' + shift));
    if (raw->payload_len && !seg->rst)
        sender->zeek.seen |= SENT_PAYLOAD;
}

bool
tcpst_carried_data_or_reset(const tcpst_conn *conn)
{
    uint8_t seen = conn->end[TCPST_CLIENT].zeek.seen | conn->end[TCPST_SERVER].zeek.seen;
    return seen & (SENT_PAYLOAD | SEEN_LETTER(LETTER_R));
}

/* ---- tcpstate.close_kind ---- */

uint8_t
tcpst_close_kind_of(const tcpst_conn *conn)
{
    bool client_fin = conn->end[TCPST_CLIENT].tcb.sent & SENT_FIN;
    bool server_fin = conn->end[TCPST_SERVER].tcb.sent & SENT_FIN;

    if (conn->closes & CLOSE_REFUSED)
        return TCPST_CLOSE_REFUSED;
    if (conn->closes & CLOSE_RESET)
        return TCPST_CLOSE_RESET;
    if (conn->closes & CLOSE_SIMULTANEOUS)
        return TCPST_CLOSE_SIMULTANEOUS;
    if (conn->closes & CLOSE_THREE_WAY)
        return TCPST_CLOSE_THREE_WAY;
    if ((conn->closes & CLOSE_FOUR_WAY) || (client_fin && server_fin))
        return TCPST_CLOSE_FOUR_WAY;
    if (client_fin || server_fin)
        return TCPST_CLOSE_HALF;
    return TCPST_CLOSE_NONE;
}

const char *
tcpst_close_kind_name(unsigned kind)
{
    static const char *const names[TCPST_N_CLOSE_KINDS] = {
        [TCPST_CLOSE_NONE] = "open", [TCPST_CLOSE_FOUR_WAY] = "four-way",
        [TCPST_CLOSE_THREE_WAY] = "three-way", [TCPST_CLOSE_SIMULTANEOUS] = "simultaneous",
        [TCPST_CLOSE_HALF] = "half-closed", [TCPST_CLOSE_RESET] = "reset",
        [TCPST_CLOSE_REFUSED] = "refused",
    };
    return kind < TCPST_N_CLOSE_KINDS ? names[kind] : "?";
}

/* ---- anomalies (tcpstate.anomaly.* expert items) ---- */

#define SEQUENCE  TCPST_GROUP_SEQUENCE
#define PROTOCOL  TCPST_GROUP_PROTOCOL
#define MALFORMED TCPST_GROUP_MALFORMED
#define SECURITY  TCPST_GROUP_SECURITY
#define NOTE      TCPST_SEVERITY_NOTE
#define WARN      TCPST_SEVERITY_WARN

static const tcpst_anomaly_info anomalies[TCPST_N_ANOMALIES] = {
    [TCPST_A_HANDSHAKE_ACK] = { "handshake_ack",
        "Handshake ACK number is not the peer's ISN+1", SEQUENCE, WARN },
    [TCPST_A_SYNACK_WITHOUT_SYN] = { "synack_without_syn",
        "SYN+ACK, but no SYN from the client was seen", SEQUENCE, NOTE },
    [TCPST_A_DATA_BEFORE_HANDSHAKE] = { "data_before_handshake",
        "Data sent before the handshake completed", PROTOCOL, WARN },
    [TCPST_A_DATA_AFTER_FIN] = { "data_after_fin",
        "Data beyond the sender's own FIN", PROTOCOL, WARN },
    [TCPST_A_DATA_AFTER_RST] = { "data_after_rst",
        "Data after the connection was reset", PROTOCOL, NOTE },
    [TCPST_A_SYN_ON_ESTABLISHED] = { "syn_on_established",
        "SYN on an established connection", SEQUENCE, WARN },
    [TCPST_A_SYN_FIN] = { "syn_fin",
        "Illegal flags: SYN and FIN together", MALFORMED, WARN },
    [TCPST_A_SYN_RST] = { "syn_rst",
        "Illegal flags: SYN and RST together", MALFORMED, WARN },
    [TCPST_A_NULL_FLAGS] = { "null_flags",
        "Illegal flags: no flag set at all", MALFORMED, WARN },
    [TCPST_A_AFTER_CLOSE] = { "after_close",
        "Segment after both ends reached CLOSED", SEQUENCE, NOTE },
    [TCPST_A_RST_OUT_OF_WINDOW] = { "rst_out_of_window",
        "RST sequence number outside the receiver's window: ignored by the receiver, possibly injected",
        SECURITY, WARN },
    [TCPST_A_REUSE_IN_TIME_WAIT] = { "reuse_in_time_wait",
        "New connection on a 4-tuple whose previous connection is still in TIME_WAIT", SEQUENCE, NOTE },
    [TCPST_A_FIN_RETRANSMITTED] = { "fin_retransmitted",
        "FIN retransmitted: its ACK did not reach the sender", SEQUENCE, NOTE },
    [TCPST_A_FINAL_ACK_RETRANSMITTED] = { "final_ack_retransmitted",
        "Final ACK retransmitted: the peer did not hear it and sent its FIN again", SEQUENCE, NOTE },
    [TCPST_A_STEP_NOT_CAPTURED] = { "step_not_captured",
        "This segment proves a step the capture missed", SEQUENCE, NOTE },
};

const tcpst_anomaly_info *
tcpst_anomaly_info_of(unsigned anomaly)
{
    return anomaly < TCPST_N_ANOMALIES ? &anomalies[anomaly] : NULL;
}

#define BIT(anomaly) ((uint16_t)(1u << (anomaly)))

uint16_t
tcpst_anomalies_before(const tcpst_conn *conn, const seg_view *seg)
{
    const tcpst_end *sender = &conn->end[seg->from], *client = &conn->end[TCPST_CLIENT];
    uint32_t len = seg->raw->payload_len;
    uint16_t found = 0;

    if (seg->syn && seg->fin)
        found |= BIT(TCPST_A_SYN_FIN);
    if (seg->syn && seg->rst)
        found |= BIT(TCPST_A_SYN_RST);
    if (seg->raw->flags == 0)
        found |= BIT(TCPST_A_NULL_FLAGS);
    if (seg->syn && seg->ack && !(client->tcb.sent & SENT_BARE_SYN) && !(sender->tcb.sent & SENT_ANY_SYNACK))
        found |= BIT(TCPST_A_SYNACK_WITHOUT_SYN);
    if (seg->syn && !seg->ack && conn_is_open(conn))
        found |= BIT(TCPST_A_SYN_ON_ESTABLISHED);
    if (!seg->syn && both_closed(conn))
        found |= BIT(TCPST_A_AFTER_CLOSE);
    if (len && (sender->tcb.sent & SENT_FIN) && seq_gt(seg->raw->seq + len, sender->tcb.fin_seq))
        found |= BIT(TCPST_A_DATA_AFTER_FIN);
    if (len && !seg->rst && (conn->closes & (CLOSE_RESET | CLOSE_REFUSED)))
        found |= BIT(TCPST_A_DATA_AFTER_RST);
    return found;
}

uint16_t
tcpst_anomalies_after(const tcpst_conn *conn, const seg_view *seg, const tcpst_verdict *verdict)
{
    uint16_t found = 0;

    if (verdict->bits & TCPST_V_BAD_ACK)
        found |= BIT(TCPST_A_HANDSHAKE_ACK);
    if (verdict->bits & TCPST_V_RETRANSMISSION) {
        if (seg->fin)
            found |= BIT(TCPST_A_FIN_RETRANSMITTED);
        else if (verdict->step == TCPST_STEP_WAVE_4 || verdict->step == TCPST_STEP_SIMCLOSE_ACK)
            found |= BIT(TCPST_A_FINAL_ACK_RETRANSMITTED);
    }
    /* Data on the SYN is Fast Open's; a server that accepted it may answer before the
     * handshake ends. */
    bool fast_open_data = seg->syn || (seg->from == TCPST_SERVER && conn->tfo_accepted);
    if (seg->raw->payload_len && !conn->end[seg->from].tcb.was_synchronized && !fast_open_data)
        found |= BIT(TCPST_A_DATA_BEFORE_HANDSHAKE);
    return found;
}
