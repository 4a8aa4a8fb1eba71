/* tcpstate-core.c
 * The TCP connection state machine behind tcpstate. See tcpstate-core.h and
 * docs/steps-and-states.md for the rules; RFC 9293 section numbers name each transition.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpstate-core.h"

#include <string.h>

/* What an end has sent. */
/* tcpst_verdict's bit-fields hold every value. */
_Static_assert(TCPST_N_STEPS <= 32 && TCPST_N_STATES <= 16 && TCPST_N_CONN_STATES <= 16
               && TCPST_N_CLOSE_KINDS <= 8 && TCPST_NOBODY < 4 && TCPST_HISTORY_MAX < 64
               && TCPST_N_ANOMALIES <= 16, "tcpst_verdict fields too narrow");
_Static_assert(sizeof(tcpst_verdict) == 8, "tcpst_verdict grew");

#define SENT_SYN      0x01  /* a SYN or a SYN+ACK: isn is valid */
#define SENT_SYNACK   0x02  /* a SYN+ACK whose ACK covered the peer's SYN */
#define SENT_FIN      0x04
#define SENT_ACK      0x08  /* any segment with the ACK flag: max_ack is valid */
#define SENT_BARE_SYN 0x10  /* a SYN without ACK */
#define SENT_ANY_SYNACK 0x20 /* a SYN+ACK, whatever its ACK number */
#define SENT_SEQ      0x40  /* any segment but a RST: next_seq is valid */

/* Which receipts an end's shown state already reflects (docs/steps-and-states.md, rules 1-2). */
#define GOT_SYN       0x01  /* the peer's SYN */
#define GOT_SYN_ACKED 0x02  /* the ACK of its own SYN */
#define GOT_FIN       0x04  /* the peer's FIN */
#define GOT_FIN_ACKED 0x08  /* the ACK of its own FIN */

/* Which kinds of close step happened (tcpst_conn.closes). */
#define CLOSE_REFUSED      0x01
#define CLOSE_RESET        0x02
#define CLOSE_SIMULTANEOUS 0x04
#define CLOSE_THREE_WAY    0x08
#define CLOSE_FOUR_WAY     0x10

/* Zeek's endpoint status: what an end has sent (docs/verdicts.md). */
enum {
    ZEEK_INACTIVE, ZEEK_SYN_SENT, ZEEK_SYN_ACK_SENT, ZEEK_PARTIAL, ZEEK_ESTABLISHED,
    ZEEK_CLOSED, ZEEK_RESET
};

/* History letters recorded at most once per direction (tcpst_end.history_seen). */
#define SEEN_A 0x01
#define SEEN_D 0x02         /* also: the end sent payload */
#define SEEN_I 0x04
#define SEEN_Q 0x08
/* Letters S, H, F, R, recorded again for a new sequence number: seen at least once. */
enum { LETTER_S, LETTER_H, LETTER_F, LETTER_R };
#define SEEN_LETTER(which) ((uint8_t)(0x10 << (which)))

/* Events an end's state reacts to. */
typedef enum {
    RCV_SYN,            /* the peer's SYN without ACK */
    RCV_SYNACK,         /* the peer's SYN+ACK, acknowledging our SYN */
    RCV_ACK_OF_SYN,     /* an ACK covering our SYN */
    RCV_FIN,
    RCV_ACK_OF_FIN,     /* an ACK covering our FIN */
    RCV_RST,
    SND_SYN,
    SND_SYNACK_AGAIN,   /* a retransmitted SYN+ACK */
    SND_FIN,
    SND_FIN_AGAIN,      /* a retransmitted FIN */
    SND_RST,
    SND_RST_TO_BAD_SYNACK,  /* a RST answering a SYN+ACK whose ACK was not acceptable */
    N_EVENTS
} event;

/* The transition table: next[event][state]. An empty cell means the event leaves the state
 * as it is (a duplicate, or a segment RFC 9293 tells the end to drop). Cells hold state+1 so
 * that the zero of an empty cell is distinguishable from CLOSED. */
#define TO(s) ((uint8_t)((s) + 1))

static const uint8_t next[N_EVENTS][TCPST_N_STATES] = {
    [RCV_SYN] = {
        /* 3.10.7.2 LISTEN, fourth (SYN bit): "set the state to SYN-RECEIVED" */
        [TCPST_LISTEN]      = TO(TCPST_SYN_RCVD),
        /* 3.10.7.3 SYN-SENT, fourth: a SYN without ACK crossing ours (simultaneous open):
         * "enter SYN-RECEIVED" */
        [TCPST_SYN_SENT]    = TO(TCPST_SYN_RCVD),
    },
    [RCV_SYNACK] = {
        /* 3.10.7.3 SYN-SENT, fourth: our SYN is ACKed, "enter ESTABLISHED state" */
        [TCPST_SYN_SENT]    = TO(TCPST_ESTABLISHED),
        /* 3.10.7.4 fifth (ACK field), SYN-RECEIVED: an acceptable ACK, "enter ESTABLISHED" */
        [TCPST_SYN_RCVD]    = TO(TCPST_ESTABLISHED),
    },
    [RCV_ACK_OF_SYN] = {
        /* 3.10.7.4 fifth, SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter
         * ESTABLISHED" */
        [TCPST_SYN_RCVD]    = TO(TCPST_ESTABLISHED),
    },
    [RCV_FIN] = {
        /* 3.10.7.4 eighth (FIN bit), SYN-RECEIVED and ESTABLISHED: "Enter the CLOSE-WAIT
         * state" */
        [TCPST_SYN_RCVD]    = TO(TCPST_CLOSE_WAIT),
        [TCPST_ESTABLISHED] = TO(TCPST_CLOSE_WAIT),
        /* eighth, FIN-WAIT-1: our FIN not yet ACKed, "enter the CLOSING state" */
        [TCPST_FIN_WAIT_1]  = TO(TCPST_CLOSING),
        /* eighth, FIN-WAIT-2: "Enter the TIME-WAIT state" */
        [TCPST_FIN_WAIT_2]  = TO(TCPST_TIME_WAIT),
    },
    [RCV_ACK_OF_FIN] = {
        /* 3.10.7.4 fifth, FIN-WAIT-1: "if the FIN segment is now acknowledged, then enter
         * FIN-WAIT-2" */
        [TCPST_FIN_WAIT_1]  = TO(TCPST_FIN_WAIT_2),
        /* fifth, CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state" */
        [TCPST_CLOSING]     = TO(TCPST_TIME_WAIT),
        /* fifth, LAST-ACK: "if our FIN is now acknowledged, delete the TCB, enter the CLOSED
         * state" */
        [TCPST_LAST_ACK]    = TO(TCPST_CLOSED),
    },
    [RCV_RST] = {
        /* 3.10.7.2 LISTEN, first: "An incoming RST segment could not be valid ... ignore" */
        /* 3.10.7.3 SYN-SENT, second: an acceptable RST, "enter CLOSED state" */
        [TCPST_SYN_SENT]    = TO(TCPST_CLOSED),
        /* 3.10.7.4 second (RST bit), SYN-RECEIVED: "If this connection was initiated with a
         * passive OPEN ..., then return this connection to LISTEN state" */
        [TCPST_SYN_RCVD]    = TO(TCPST_LISTEN),
        /* second, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: "enter the CLOSED state" */
        [TCPST_ESTABLISHED] = TO(TCPST_CLOSED),
        [TCPST_FIN_WAIT_1]  = TO(TCPST_CLOSED),
        [TCPST_FIN_WAIT_2]  = TO(TCPST_CLOSED),
        [TCPST_CLOSE_WAIT]  = TO(TCPST_CLOSED),
        /* second, CLOSING, LAST-ACK, TIME-WAIT: "enter the CLOSED state" */
        [TCPST_CLOSING]     = TO(TCPST_CLOSED),
        [TCPST_LAST_ACK]    = TO(TCPST_CLOSED),
        [TCPST_TIME_WAIT]   = TO(TCPST_CLOSED),
    },
    [SND_SYN] = {
        /* 3.10.1 OPEN call, CLOSED, active: "issue a SYN segment ... Set the connection state
         * to SYN-SENT" */
        [TCPST_CLOSED]      = TO(TCPST_SYN_SENT),
        /* 3.10.2 SEND call, LISTEN: "change the connection from passive to active ... Send a
         * SYN segment ... Enter SYN-SENT state" (how a simultaneous open starts here) */
        [TCPST_LISTEN]      = TO(TCPST_SYN_SENT),
    },
    [SND_SYNACK_AGAIN] = {
        /* 3.10.8 retransmission timeout: a SYN+ACK sent again from ESTABLISHED proves the
         * handshake's ACK the capture showed never reached this end (rule 3) */
        [TCPST_ESTABLISHED] = TO(TCPST_SYN_RCVD),
    },
    [SND_FIN] = {
        /* 3.10.4 CLOSE call, SYN-RECEIVED: "form a FIN segment and send it, and enter
         * FIN-WAIT-1 state"; ESTABLISHED: "form a FIN segment and send it. In any case, enter
         * FIN-WAIT-1 state" */
        [TCPST_SYN_RCVD]    = TO(TCPST_FIN_WAIT_1),
        [TCPST_ESTABLISHED] = TO(TCPST_FIN_WAIT_1),
        /* 3.10.4 CLOSE call, CLOSE-WAIT: "send a FIN segment, enter LAST-ACK state" */
        [TCPST_CLOSE_WAIT]  = TO(TCPST_LAST_ACK),
    },
    [SND_FIN_AGAIN] = {
        /* 3.10.8 retransmission timeout: a FIN sent again proves the ACK of it the capture
         * showed never reached this end, so it is back where it waited for that ACK
         * (rule 3) */
        [TCPST_FIN_WAIT_2]  = TO(TCPST_FIN_WAIT_1),
        [TCPST_TIME_WAIT]   = TO(TCPST_CLOSING),
        [TCPST_CLOSED]      = TO(TCPST_LAST_ACK),
    },
    [SND_RST] = {
        /* 3.10.7.1 CLOSED: a segment to a CLOSED end "causes a reset to be sent"; 3.10.5
         * ABORT call: "send a reset segment ... enter CLOSED state" */
        [TCPST_LISTEN]      = TO(TCPST_CLOSED),
        [TCPST_SYN_RCVD]    = TO(TCPST_CLOSED),
        [TCPST_ESTABLISHED] = TO(TCPST_CLOSED),
        [TCPST_FIN_WAIT_1]  = TO(TCPST_CLOSED),
        [TCPST_FIN_WAIT_2]  = TO(TCPST_CLOSED),
        [TCPST_CLOSE_WAIT]  = TO(TCPST_CLOSED),
        [TCPST_CLOSING]     = TO(TCPST_CLOSED),
        [TCPST_LAST_ACK]    = TO(TCPST_CLOSED),
        [TCPST_TIME_WAIT]   = TO(TCPST_CLOSED),
        /* 3.10.5 ABORT call, SYN-SENT: "delete the TCB, enter CLOSED state" */
        [TCPST_SYN_SENT]    = TO(TCPST_CLOSED),
    },
    [SND_RST_TO_BAD_SYNACK] = {
        /* 3.10.7.3 SYN-SENT, first: an unacceptable ACK is answered with
         * <SEQ=SEG.ACK><CTL=RST> and the end stays in SYN-SENT (no cell) */
    },
};

static void
apply(tcpst_end *end, event ev)
{
    uint8_t to = next[ev][end->state];
    if (to)
        end->state = (uint8_t)(to - 1);
}

/* Sequence-number order, modulo 2^32. */
static bool
seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

/* Does this segment's ACK number cover the byte at sequence number n (a SYN or a FIN)? */
static bool
ack_covers(const tcpst_segment *seg, uint32_t n)
{
    return (seg->flags & TCPST_ACK) && seq_gt(seg->ack, n);
}

/* Has this end, in any segment so far, acknowledged sequence number n? */
static bool
has_acked(const tcpst_end *end, uint32_t n)
{
    return (end->sent & SENT_ACK) && seq_gt(end->max_ack, n);
}

static bool
is_closed_or_waiting(uint8_t state)
{
    return state == TCPST_CLOSED || state == TCPST_TIME_WAIT;
}

/* Servers listen on well-known ports; client ports are ephemeral, hence high. */
static bool
sender_looks_like_server(uint16_t src_port, uint16_t dst_port)
{
    if (src_port < 1024 && dst_port >= 1024)
        return true;
    if (dst_port < 1024 && src_port >= 1024)
        return false;
    return src_port < dst_port;
}

static bool
seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static bool
is_synchronized(uint8_t state)
{
    return state >= TCPST_ESTABLISHED;
}

/* An end starts afresh; what it has sent (Zeek's status, history letters) stays. */
static void
reset_end(tcpst_end *end, uint8_t state, uint16_t port)
{
    tcpst_end kept = *end;
    memset(end, 0, sizeof *end);
    end->state = state;
    end->port = port;
    end->wscale = TCPST_NO_WSCALE;
    end->zeek_status = kept.zeek_status;
    end->history_seen = kept.history_seen;
    memcpy(end->letter_seq, kept.letter_seq, sizeof end->letter_seq);
    end->retransmits = kept.retransmits;
    end->zero_windows = kept.zero_windows;
}

static void
add_letter(tcpst_conn *conn, char letter)
{
    if (conn->history_len < TCPST_HISTORY_MAX) {
        conn->history[conn->history_len++] = letter;
        conn->history[conn->history_len] = '\0';
    }
}

/* The first segment of a connection (or of a new one on a reused 4-tuple) fixes the roles
 * and the states before it (docs/steps-and-states.md, rule 4). */
static void
start(tcpst_conn *conn, const tcpst_segment *seg)
{
    bool syn = seg->flags & TCPST_SYN, ack = seg->flags & TCPST_ACK;
    bool from_server;

    if (syn)
        from_server = ack;
    else
        from_server = seg->src_port == seg->dst_port ? false
                    : sender_looks_like_server(seg->src_port, seg->dst_port);
    conn->client_endpoint = from_server ? (uint8_t)!seg->endpoint : seg->endpoint;
    conn->started = 1;
    conn->inferred = !(syn && !ack);
    conn->closed_by = TCPST_NOBODY;
    if (from_server)
        add_letter(conn, '^');  /* Zeek's "flipped": the first segment came from the server */

    tcpst_end *client = &conn->end[TCPST_CLIENT], *server = &conn->end[TCPST_SERVER];
    uint16_t client_port = from_server ? seg->dst_port : seg->src_port;
    uint16_t server_port = from_server ? seg->src_port : seg->dst_port;
    if (syn && !ack) {
        reset_end(client, TCPST_CLOSED, client_port);
        reset_end(server, TCPST_LISTEN, server_port);
    } else if (syn) {
        /* The SYN+ACK tells the client's missed SYN: its ISN is the ACK number minus one.
         * (Not SENT_BARE_SYN: if the SYN shows up later, it is not a retransmission.) */
        reset_end(client, TCPST_SYN_SENT, client_port);
        client->sent = SENT_SYN;
        client->isn = seg->ack - 1;
        client->syn_step = TCPST_STEP_HANDSHAKE_1;
        reset_end(server, TCPST_LISTEN, server_port);
    } else {
        reset_end(client, TCPST_ESTABLISHED, client_port);
        reset_end(server, TCPST_ESTABLISHED, server_port);
        client->applied = server->applied = GOT_SYN | GOT_SYN_ACKED;
    }
}

/* Rule 1: before its own transition, the sender catches up on what its segment proves it had
 * received, in the order the receipts must have happened. */
static void
catch_up(tcpst_end *sender, const tcpst_end *peer, const tcpst_segment *seg)
{
    bool synack = (seg->flags & (TCPST_SYN | TCPST_ACK)) == (TCPST_SYN | TCPST_ACK);

    if (!(sender->applied & GOT_SYN) && (peer->sent & SENT_SYN)
        && (synack || ack_covers(seg, peer->isn))) {
        /* A SYN+ACK answers a bare SYN; an ACK answers the peer's SYN+ACK if it had one. */
        if (!synack && (peer->sent & SENT_SYNACK)) {
            apply(sender, RCV_SYNACK);
            sender->applied |= GOT_SYN_ACKED;
        } else {
            apply(sender, RCV_SYN);
        }
        sender->applied |= GOT_SYN;
    }
    /* A SYN or FIN (sent or sent again) proves its sender has not had it acknowledged. */
    if (!(sender->applied & GOT_SYN_ACKED) && (sender->sent & SENT_SYN) && !(seg->flags & TCPST_SYN)
        && (peer->sent & SENT_SYNACK) && has_acked(peer, sender->isn)) {
        apply(sender, RCV_ACK_OF_SYN);
        sender->applied |= GOT_SYN_ACKED;
    }
    if (!(sender->applied & GOT_FIN) && (peer->sent & SENT_FIN) && ack_covers(seg, peer->fin_seq)) {
        apply(sender, RCV_FIN);
        sender->applied |= GOT_FIN;
    }
    if (!(sender->applied & GOT_FIN_ACKED) && (sender->sent & SENT_FIN) && !(seg->flags & TCPST_FIN)
        && has_acked(peer, sender->fin_seq)) {
        apply(sender, RCV_ACK_OF_FIN);
        sender->applied |= GOT_FIN_ACKED;
    }
}

/* Rule 2: what the receiver shows at once, because it needs no reply. */
static void
receive_now(tcpst_end *receiver, const tcpst_end *sender, const tcpst_segment *seg)
{
    bool owes_reply = ((sender->sent & SENT_SYN) && !(receiver->applied & GOT_SYN))
                   || ((sender->sent & SENT_FIN) && !(receiver->applied & GOT_FIN));
    if (owes_reply)
        return;
    if (!(seg->flags & TCPST_SYN) && (receiver->sent & SENT_SYN)
        && !(receiver->applied & GOT_SYN_ACKED) && ack_covers(seg, receiver->isn)) {
        apply(receiver, RCV_ACK_OF_SYN);
        receiver->applied |= GOT_SYN_ACKED;
    }
    if ((receiver->sent & SENT_FIN) && !(receiver->applied & GOT_FIN_ACKED)
        && ack_covers(seg, receiver->fin_seq)) {
        apply(receiver, RCV_ACK_OF_FIN);
        receiver->applied |= GOT_FIN_ACKED;
    }
}

static bool
has_been_synchronized(const tcpst_end *end)
{
    return end->was_synchronized || is_synchronized(end->state);
}

static uint8_t
reset_step(const tcpst_conn *conn, tcpst_role sender_role)
{
    const tcpst_end *sender = &conn->end[sender_role], *peer = &conn->end[!sender_role];

    if (is_closed_or_waiting(sender->state) && is_closed_or_waiting(peer->state)
        && (sender->sent | peer->sent))
        return TCPST_STEP_RST_AFTER_CLOSE;
    if ((peer->sent & SENT_SYN) && !(sender->sent & SENT_SYN))
        return TCPST_STEP_RST_REFUSED;
    if ((sender->sent | peer->sent) & SENT_FIN)
        return TCPST_STEP_RST_AFTER_FIN;
    if (!has_been_synchronized(sender) && !has_been_synchronized(peer))
        return TCPST_STEP_RST_HANDSHAKE;
    return sender_role == TCPST_CLIENT ? TCPST_STEP_RST_ABORT_CLIENT : TCPST_STEP_RST_ABORT_SERVER;
}

/* 3.10.7.3 SYN-SENT: a RST counts only if its ACK acknowledges the SYN; otherwise "drop the
 * segment and return" (how an off-path RST fails against a connecting client). */
static bool
reset_is_ignored(const tcpst_end *receiver, const tcpst_segment *seg)
{
    return receiver->state == TCPST_SYN_SENT && (receiver->sent & SENT_SYN)
        && !(ack_covers(seg, receiver->isn) && !seq_gt(seg->ack, receiver->isn + 1 + receiver->syn_len));
}

/* 3.10.7.4 first (and RFC 5961): a RST counts only if its sequence number is in the
 * receiver's window. The window starts one below the sender's next sequence number (a RST
 * often carries the FIN's number) and spans the receiver's last advertised window. */
static bool
reset_in_window(const tcpst_end *sender, const tcpst_end *receiver, const tcpst_segment *seg)
{
    if (!(sender->sent & SENT_SEQ))
        return true;    /* nothing to compare with: a refusing end never sent before */
    uint32_t low = sender->next_seq - 1;
    if (seq_lt(seg->seq, low))
        return false;
    return !(receiver->sent & SENT_SEQ) || !seq_gt(seg->seq, sender->next_seq + receiver->window);
}

static void
judge_reset(tcpst_conn *conn, tcpst_role sender_role, const tcpst_segment *seg,
            tcpst_verdict *verdict)
{
    tcpst_end *receiver = &conn->end[!sender_role];
    if (reset_is_ignored(receiver, seg)) {
        verdict->step = TCPST_STEP_RST_IGNORED;
        return;
    }
    if (!reset_in_window(&conn->end[sender_role], receiver, seg)) {
        verdict->step = TCPST_STEP_RST_IGNORED;
        verdict->anomalies |= 1u << TCPST_A_RST_OUT_OF_WINDOW;
        return;
    }
    tcpst_end *sender = &conn->end[sender_role];
    verdict->step = reset_step(conn, sender_role);
    conn->closes |= verdict->step == TCPST_STEP_RST_REFUSED ? CLOSE_REFUSED : CLOSE_RESET;
    bool answers_bad_synack = (receiver->sent & SENT_ANY_SYNACK) && !(receiver->sent & SENT_SYNACK);
    apply(sender, answers_bad_synack ? SND_RST_TO_BAD_SYNACK : SND_RST);
    apply(receiver, RCV_RST);
    /* Back in LISTEN (3.10.7.4), the end has forgotten the half-open connection: the next
     * SYN+ACK it sends answers the SYN afresh. */
    if (receiver->state == TCPST_LISTEN)
        reset_end(receiver, TCPST_LISTEN, receiver->port);
    if (conn->closed_by == TCPST_NOBODY)
        conn->closed_by = sender_role;
}

/* The ACK number a handshake reply must carry: the peer's ISN+1, or past the data of a SYN
 * whose Fast Open data was accepted. */
static void
check_handshake_ack(const tcpst_end *peer, const tcpst_segment *seg, tcpst_verdict *verdict)
{
    uint32_t due = peer->isn + 1;
    if (seg->ack != due && seg->ack != due + peer->syn_len)
        verdict->bits |= TCPST_V_BAD_ACK;
}

static void
judge_syn(tcpst_conn *conn, tcpst_role sender_role, const tcpst_segment *seg,
          tcpst_verdict *verdict)
{
    tcpst_end *sender = &conn->end[sender_role], *peer = &conn->end[!sender_role];
    bool synack = seg->flags & TCPST_ACK;

    uint8_t same_kind = synack ? SENT_ANY_SYNACK : SENT_BARE_SYN;
    if ((sender->sent & same_kind) && seg->seq == sender->isn) {
        verdict->step = synack ? sender->synack_step : sender->syn_step;
        verdict->bits |= TCPST_V_RETRANSMISSION;
        if (synack && (sender->sent & SENT_SYNACK))
            check_handshake_ack(peer, seg, verdict);
    } else if (!synack) {
        /* A peer's bare SYN before it makes this a simultaneous open; a peer's SYN+ACK
         * before it only means the capture saw the two out of order. */
        verdict->step = (peer->sent & SENT_BARE_SYN) ? TCPST_STEP_SIMOPEN_SYN
                      : seg->payload_len ? TCPST_STEP_HANDSHAKE_1_DATA : TCPST_STEP_HANDSHAKE_1;
    } else {
        verdict->step = (sender->sent & SENT_BARE_SYN) ? TCPST_STEP_SIMOPEN_SYNACK
                                                       : TCPST_STEP_HANDSHAKE_2;
        check_handshake_ack(peer, seg, verdict);
    }

    catch_up(sender, peer, seg);
    if (!synack) {
        apply(sender, SND_SYN);
    } else if (verdict->bits & TCPST_V_RETRANSMISSION) {
        apply(sender, SND_SYNACK_AGAIN);
        peer->peer_resent = 1;
    }
    sender->applied &= (uint8_t)~GOT_SYN_ACKED;
    receive_now(peer, sender, seg);

    if (!(verdict->bits & TCPST_V_RETRANSMISSION)) {
        sender->isn = seg->seq;
        sender->syn_len = seg->payload_len;
        if (synack)
            sender->synack_step = verdict->step;
        else
            sender->syn_step = verdict->step;
    }
    sender->sent |= SENT_SYN | same_kind;
    if (synack && !(verdict->bits & TCPST_V_BAD_ACK) && ack_covers(seg, peer->isn))
        sender->sent |= SENT_SYNACK;
}

static void
judge_fin(tcpst_conn *conn, tcpst_role sender_role, const tcpst_segment *seg,
          tcpst_verdict *verdict)
{
    tcpst_end *sender = &conn->end[sender_role], *peer = &conn->end[!sender_role];
    uint32_t fin_seq = seg->seq + seg->payload_len;

    if ((sender->sent & SENT_FIN) && fin_seq == sender->fin_seq) {
        verdict->step = sender->fin_step;
        verdict->bits |= TCPST_V_RETRANSMISSION;
    } else if (!(peer->sent & SENT_FIN)) {
        verdict->step = TCPST_STEP_WAVE_1;
    } else if (!ack_covers(seg, peer->fin_seq)) {
        verdict->step = TCPST_STEP_SIMCLOSE_FIN;
        conn->closes |= CLOSE_SIMULTANEOUS;
    } else if (sender->applied & GOT_FIN) {
        verdict->step = TCPST_STEP_WAVE_3;
        conn->closes |= CLOSE_FOUR_WAY;
    } else {
        verdict->step = TCPST_STEP_WAVE_2_3;
        conn->closes |= CLOSE_THREE_WAY;
    }

    catch_up(sender, peer, seg);
    if (verdict->bits & TCPST_V_RETRANSMISSION) {
        apply(sender, SND_FIN_AGAIN);
        peer->peer_resent = 1;
    } else {
        apply(sender, SND_FIN);
    }
    sender->applied &= (uint8_t)~GOT_FIN_ACKED;
    receive_now(peer, sender, seg);

    sender->sent |= SENT_FIN;
    sender->fin_seq = fin_seq;
    sender->fin_step = verdict->step;
    if (conn->closed_by == TCPST_NOBODY)
        conn->closed_by = sender_role;
}

static void
judge_ack(tcpst_conn *conn, tcpst_role sender_role, const tcpst_segment *seg,
          tcpst_verdict *verdict)
{
    tcpst_end *sender = &conn->end[sender_role], *peer = &conn->end[!sender_role];
    uint8_t state_before = sender->state;
    bool acks_peer_fin_first_time = !(sender->applied & GOT_FIN) && (peer->sent & SENT_FIN)
                                 && ack_covers(seg, peer->fin_seq);

    catch_up(sender, peer, seg);
    receive_now(peer, sender, seg);

    if ((state_before == TCPST_SYN_SENT || state_before == TCPST_SYN_RCVD)
        && sender->state == TCPST_ESTABLISHED) {
        verdict->step = TCPST_STEP_HANDSHAKE_3;
        check_handshake_ack(peer, seg, verdict);
    } else if (acks_peer_fin_first_time) {
        verdict->step = !(sender->sent & SENT_FIN) ? TCPST_STEP_WAVE_2
                      : (conn->closes & CLOSE_SIMULTANEOUS) ? TCPST_STEP_SIMCLOSE_ACK
                      : TCPST_STEP_WAVE_4;
    } else if (sender->ack_step && sender->peer_resent && seg->payload_len == 0
               && seg->seq == sender->ack_step_seq && seg->ack == sender->ack_step_ack) {
        /* The same ACK again, answering the peer's SYN+ACK or FIN sent again: a window
         * update or duplicate ACK alone is not a step. */
        verdict->step = sender->ack_step;
        verdict->bits |= TCPST_V_RETRANSMISSION;
        sender->peer_resent = 0;
    }

    if (verdict->step != TCPST_STEP_NONE && !(verdict->bits & TCPST_V_RETRANSMISSION)) {
        sender->ack_step = verdict->step;
        sender->ack_step_seq = seg->seq;
        sender->ack_step_ack = seg->ack;
        sender->peer_resent = 0;
    }
}

/* Anomalies that show in the segment and the states before it (docs/verdicts.md). */
static uint16_t
anomalies_before(const tcpst_conn *conn, tcpst_role sender_role, const tcpst_segment *seg)
{
    const tcpst_end *sender = &conn->end[sender_role], *client = &conn->end[TCPST_CLIENT],
                    *server = &conn->end[TCPST_SERVER];
    uint8_t flags = seg->flags;
    bool syn = flags & TCPST_SYN;
    uint16_t found = 0;

    if (syn && (flags & TCPST_FIN))
        found |= 1u << TCPST_A_SYN_FIN;
    if (syn && (flags & TCPST_RST))
        found |= 1u << TCPST_A_SYN_RST;
    if (flags == 0)
        found |= 1u << TCPST_A_NULL_FLAGS;
    if (syn && (flags & TCPST_ACK) && !(client->sent & SENT_BARE_SYN))
        found |= 1u << TCPST_A_SYNACK_WITHOUT_SYN;
    if (syn && !(flags & TCPST_ACK) && tcpst_conn_is_open(conn))
        found |= 1u << TCPST_A_SYN_ON_ESTABLISHED;
    if (!syn && client->state == TCPST_CLOSED && server->state == TCPST_CLOSED)
        found |= 1u << TCPST_A_AFTER_CLOSE;
    if (seg->payload_len && (sender->sent & SENT_FIN) && seq_gt(seg->seq + seg->payload_len, sender->fin_seq))
        found |= 1u << TCPST_A_DATA_AFTER_FIN;
    if (seg->payload_len && !(flags & TCPST_RST) && (conn->closes & (CLOSE_RESET | CLOSE_REFUSED)))
        found |= 1u << TCPST_A_DATA_AFTER_RST;
    return found;
}

/* Anomalies that show only once the segment is judged. */
static uint16_t
anomalies_after(const tcpst_conn *conn, tcpst_role sender_role, const tcpst_segment *seg,
                const tcpst_verdict *verdict)
{
    uint16_t found = 0;

    if (verdict->bits & TCPST_V_BAD_ACK)
        found |= 1u << TCPST_A_HANDSHAKE_ACK;
    if (verdict->bits & TCPST_V_RETRANSMISSION) {
        if (seg->flags & TCPST_FIN)
            found |= 1u << TCPST_A_FIN_RETRANSMITTED;
        else if (verdict->step == TCPST_STEP_WAVE_4 || verdict->step == TCPST_STEP_SIMCLOSE_ACK)
            found |= 1u << TCPST_A_FINAL_ACK_RETRANSMITTED;
    }
    /* Data on the SYN is Fast Open's; a server that accepted it may answer before the
     * handshake ends. */
    bool fast_open_data = (seg->flags & TCPST_SYN)
                       || (sender_role == TCPST_SERVER && conn->tfo_accepted);
    if (seg->payload_len && !conn->end[sender_role].was_synchronized && !fast_open_data)
        found |= 1u << TCPST_A_DATA_BEFORE_HANDSHAKE;
    return found;
}

/* Letters S, H, F, R: again only when the sequence number differs from the last one. */
static void
letter_per_seq(tcpst_conn *conn, tcpst_end *sender, unsigned which, char letter, uint32_t seq)
{
    uint8_t seen = SEEN_LETTER(which);
    if (!(sender->history_seen & seen) || sender->letter_seq[which] != seq) {
        sender->history_seen |= seen;
        sender->letter_seq[which] = seq;
        add_letter(conn, letter);
    }
}

/* Letters A, D, I, Q: once per direction. */
static void
letter_once(tcpst_conn *conn, tcpst_end *sender, uint8_t seen, char letter)
{
    if (!(sender->history_seen & seen)) {
        sender->history_seen |= seen;
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

/* Zeek's history letters for this segment (docs/verdicts.md), in the order S H A D T F R W
 * I Q: a FIN with data reads "DF". */
static void
add_history(tcpst_conn *conn, tcpst_role sender_role, const tcpst_segment *seg)
{
    tcpst_end *sender = &conn->end[sender_role];
    int shift = sender_role == TCPST_SERVER ? 'a' - 'A' : 0;
    uint8_t flags = seg->flags;
    bool syn = flags & TCPST_SYN, fin = flags & TCPST_FIN, rst = flags & TCPST_RST;

    if (syn && !(flags & TCPST_ACK))
        letter_per_seq(conn, sender, LETTER_S, (char)('S' + shift), seg->seq);
    if (syn && (flags & TCPST_ACK))
        letter_per_seq(conn, sender, LETTER_H, (char)('H' + shift), seg->seq);
    if ((flags & TCPST_ACK) && !syn && !fin && !rst && !seg->payload_len)
        letter_once(conn, sender, SEEN_A, (char)('A' + shift));
    if (seg->payload_len) {
        letter_once(conn, sender, SEEN_D, (char)('D' + shift));
        if ((sender->sent & SENT_SEQ) && seq_lt(seg->seq, sender->next_seq))
            letter_counted(conn, &sender->retransmits, (char)('T' + shift));
    }
    if (fin && !syn)
        letter_per_seq(conn, sender, LETTER_F, (char)('F' + shift), seg->seq);
    if (rst)
        letter_per_seq(conn, sender, LETTER_R, (char)('R' + shift), seg->seq);
    if (!rst && seg->window == 0)
        letter_counted(conn, &sender->zero_windows, (char)('W' + shift));
    if (fin && rst)
        letter_once(conn, sender, SEEN_I, (char)('I' + shift));
    if (syn && (fin || rst))
        letter_once(conn, sender, SEEN_Q, (char)('Q' + shift));
}

/* What the segment tells of its sender beyond the state machine: sequence space, window,
 * payload bytes, Zeek's endpoint status. */
static void
track_sender(tcpst_conn *conn, tcpst_role sender_role, const tcpst_segment *seg,
             const tcpst_verdict *verdict)
{
    tcpst_end *sender = &conn->end[sender_role], *peer = &conn->end[!sender_role];
    uint8_t flags = seg->flags;
    bool syn = flags & TCPST_SYN, rst = flags & TCPST_RST;

    for (int role = TCPST_CLIENT; role <= TCPST_SERVER; role++)
        if (is_synchronized(conn->end[role].state))
            conn->end[role].was_synchronized = 1;
    if (!rst) {
        uint32_t end_seq = seg->seq + seg->payload_len + syn + !!(flags & TCPST_FIN);
        if (!(sender->sent & SENT_SEQ) || seq_gt(end_seq, sender->next_seq))
            sender->next_seq = end_seq;
        sender->sent |= SENT_SEQ;
        if (syn)
            sender->wscale = seg->wscale;
        /* RFC 7323 2.2: the window of a SYN is never scaled; the others are when both SYNs
         * offered scaling (at most by 14, 2.3). */
        bool scaled = !syn && sender->wscale != TCPST_NO_WSCALE && peer->wscale != TCPST_NO_WSCALE;
        unsigned shift = scaled ? (sender->wscale > 14 ? 14 : sender->wscale) : 0;
        sender->window = (uint32_t)seg->window << shift;
    }
    if (syn && (flags & TCPST_ACK) && !(verdict->bits & TCPST_V_RETRANSMISSION) && peer->syn_len
        && seg->ack == peer->isn + 1 + peer->syn_len)
        conn->tfo_accepted = 1;

    uint8_t *status = &sender->zeek_status;
    if (*status == ZEEK_RESET)
        return;
    if (rst && verdict->step != TCPST_STEP_RST_IGNORED)
        *status = ZEEK_RESET;
    else if ((flags & TCPST_FIN) && !syn)
        *status = ZEEK_CLOSED;
    else if (syn && !(flags & TCPST_ACK) && *status == ZEEK_INACTIVE)
        *status = ZEEK_SYN_SENT;
    else if (syn && (flags & TCPST_ACK) && (*status == ZEEK_INACTIVE || *status == ZEEK_SYN_SENT))
        *status = ZEEK_SYN_ACK_SENT;
    else if (*status == ZEEK_INACTIVE)
        *status = ZEEK_PARTIAL;

    if (verdict->step == TCPST_STEP_HANDSHAKE_3 && !(verdict->bits & TCPST_V_RETRANSMISSION)) {
        for (int role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
            uint8_t *other = &conn->end[role].zeek_status;
            if (*other == ZEEK_SYN_SENT || *other == ZEEK_SYN_ACK_SENT)
                *other = ZEEK_ESTABLISHED;
        }
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
static uint8_t
conn_state(const tcpst_conn *conn)
{
    const tcpst_end *orig = &conn->end[TCPST_CLIENT], *resp = &conn->end[TCPST_SERVER];
    uint8_t os = orig->zeek_status, rs = resp->zeek_status;
    bool o_inactive = os == ZEEK_INACTIVE || os == ZEEK_PARTIAL;
    bool r_inactive = rs == ZEEK_INACTIVE || rs == ZEEK_PARTIAL;

    if (rs == ZEEK_RESET) {
        if (os == ZEEK_SYN_SENT || os == ZEEK_SYN_ACK_SENT
            || (os == ZEEK_RESET && !(orig->history_seen & SEEN_D) && !(resp->history_seen & SEEN_D)))
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

static uint8_t
close_kind(const tcpst_conn *conn)
{
    bool client_fin = conn->end[TCPST_CLIENT].sent & SENT_FIN;
    bool server_fin = conn->end[TCPST_SERVER].sent & SENT_FIN;

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

uint32_t
tcpst_conn_expected_ack(const tcpst_conn *conn, const tcpst_verdict *verdict)
{
    return conn->end[!tcpst_sender(verdict)].isn + 1;
}

static tcpst_role
sender_role_of(const tcpst_conn *conn, const tcpst_segment *seg)
{
    return seg->endpoint == conn->client_endpoint ? TCPST_CLIENT : TCPST_SERVER;
}

bool
tcpst_conn_continues_handshake(const tcpst_conn *conn, const tcpst_segment *seg)
{
    /* Either end's history says whether the connection carried payload (D) or a RST (R). */
    uint8_t seen = conn->end[TCPST_CLIENT].history_seen | conn->end[TCPST_SERVER].history_seen;
    if ((seg->flags & (TCPST_SYN | TCPST_RST)) != TCPST_SYN || (seen & (SEEN_D | SEEN_LETTER(LETTER_R))))
        return false;
    const tcpst_end *sender = &conn->end[sender_role_of(conn, seg)];
    if (sender->sent & SENT_SYN)
        return seg->seq == sender->isn;
    return !(sender->sent & SENT_SEQ);
}

bool
tcpst_conn_is_open(const tcpst_conn *conn)
{
    for (int role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
        uint8_t state = conn->end[role].state;
        if (!is_synchronized(state) || state == TCPST_TIME_WAIT)
            return false;
    }
    return true;
}

bool
tcpst_conn_in_time_wait(const tcpst_conn *conn)
{
    return conn->end[TCPST_CLIENT].state == TCPST_TIME_WAIT
        || conn->end[TCPST_SERVER].state == TCPST_TIME_WAIT;
}

void
tcpst_conn_init(tcpst_conn *conn)
{
    memset(conn, 0, sizeof *conn);
    conn->closed_by = TCPST_NOBODY;
    conn->end[TCPST_CLIENT].wscale = conn->end[TCPST_SERVER].wscale = TCPST_NO_WSCALE;
}

/* A SYN with a new ISN on a connection both of whose ends are done is a new connection on
 * the same 4-tuple, for when the capture's own stream tracking did not split it. */
bool
tcpst_conn_starts_anew(const tcpst_conn *conn, const tcpst_segment *seg)
{
    const tcpst_end *client = &conn->end[TCPST_CLIENT], *server = &conn->end[TCPST_SERVER];
    return conn->started && (seg->flags & (TCPST_SYN | TCPST_ACK | TCPST_RST)) == TCPST_SYN
        && seg->endpoint == conn->client_endpoint
        && (client->sent & SENT_SYN) && seg->seq != client->isn
        && is_closed_or_waiting(client->state)
        && (is_closed_or_waiting(server->state) || server->state == TCPST_LISTEN);
}

void
tcpst_conn_segment(tcpst_conn *conn, const tcpst_segment *seg, tcpst_verdict *verdict)
{
    if (!conn->started)
        start(conn, seg);

    tcpst_role sender_role = sender_role_of(conn, seg);
    tcpst_end *sender = &conn->end[sender_role];

    memset(verdict, 0, sizeof *verdict);
    uint16_t before = (uint16_t)(conn->end[TCPST_CLIENT].state | conn->end[TCPST_SERVER].state << 4);
    verdict->anomalies = anomalies_before(conn, sender_role, seg);
    add_history(conn, sender_role, seg);

    bool both_closed = conn->end[TCPST_CLIENT].state == TCPST_CLOSED
                    && conn->end[TCPST_SERVER].state == TCPST_CLOSED;
    if (seg->flags & TCPST_RST)
        judge_reset(conn, sender_role, seg, verdict);
    else if (seg->flags & TCPST_SYN)
        judge_syn(conn, sender_role, seg, verdict);
    else if (both_closed)
        ;   /* a FIN or ACK after both ends closed is no step of a close any more */
    else if (seg->flags & TCPST_FIN)
        judge_fin(conn, sender_role, seg, verdict);
    else
        judge_ack(conn, sender_role, seg, verdict);

    if ((seg->flags & TCPST_ACK) && !has_acked(sender, seg->ack - 1)) {
        sender->max_ack = seg->ack;
        sender->sent |= SENT_ACK;
    }
    track_sender(conn, sender_role, seg, verdict);
    verdict->anomalies |= anomalies_after(conn, sender_role, seg, verdict);
    verdict->conn_state = conn_state(conn);
    verdict->close_kind = close_kind(conn);
    verdict->history_len = conn->history_len;

    verdict->states = (uint16_t)(before | conn->end[TCPST_CLIENT].state << 8
                                 | conn->end[TCPST_SERVER].state << 12);
    verdict->closed_by = conn->closed_by;
    if (conn->inferred)
        verdict->bits |= TCPST_V_INFERRED;
    if (sender_role == TCPST_SERVER)
        verdict->bits |= TCPST_V_FROM_SERVER;
}

static const char *const state_names[TCPST_N_STATES] = {
    [TCPST_CLOSED] = "CLOSED",           [TCPST_LISTEN] = "LISTEN",
    [TCPST_SYN_SENT] = "SYN_SENT",       [TCPST_SYN_RCVD] = "SYN_RCVD",
    [TCPST_ESTABLISHED] = "ESTABLISHED", [TCPST_FIN_WAIT_1] = "FIN_WAIT_1",
    [TCPST_FIN_WAIT_2] = "FIN_WAIT_2",   [TCPST_CLOSE_WAIT] = "CLOSE_WAIT",
    [TCPST_CLOSING] = "CLOSING",         [TCPST_LAST_ACK] = "LAST_ACK",
    [TCPST_TIME_WAIT] = "TIME_WAIT",
};

const char *
tcpst_state_name(unsigned state)
{
    return state < TCPST_N_STATES ? state_names[state] : "?";
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

const char *
tcpst_close_kind_name(unsigned kind)
{
    static const char *const names[TCPST_N_CLOSE_KINDS] = {
        [TCPST_CLOSE_NONE] = "", [TCPST_CLOSE_FOUR_WAY] = "four-way",
        [TCPST_CLOSE_THREE_WAY] = "three-way", [TCPST_CLOSE_SIMULTANEOUS] = "simultaneous",
        [TCPST_CLOSE_HALF] = "half-closed", [TCPST_CLOSE_RESET] = "reset",
        [TCPST_CLOSE_REFUSED] = "refused",
    };
    return kind < TCPST_N_CLOSE_KINDS ? names[kind] : "?";
}

const char *
tcpst_anomaly_name(unsigned anomaly)
{
    static const char *const names[TCPST_N_ANOMALIES] = {
        [TCPST_A_HANDSHAKE_ACK] = "handshake_ack",
        [TCPST_A_SYNACK_WITHOUT_SYN] = "synack_without_syn",
        [TCPST_A_DATA_BEFORE_HANDSHAKE] = "data_before_handshake",
        [TCPST_A_DATA_AFTER_FIN] = "data_after_fin",
        [TCPST_A_DATA_AFTER_RST] = "data_after_rst",
        [TCPST_A_SYN_ON_ESTABLISHED] = "syn_on_established",
        [TCPST_A_SYN_FIN] = "syn_fin",
        [TCPST_A_SYN_RST] = "syn_rst",
        [TCPST_A_NULL_FLAGS] = "null_flags",
        [TCPST_A_AFTER_CLOSE] = "after_close",
        [TCPST_A_RST_OUT_OF_WINDOW] = "rst_out_of_window",
        [TCPST_A_REUSE_IN_TIME_WAIT] = "reuse_in_time_wait",
        [TCPST_A_FIN_RETRANSMITTED] = "fin_retransmitted",
        [TCPST_A_FINAL_ACK_RETRANSMITTED] = "final_ack_retransmitted",
    };
    return anomaly < TCPST_N_ANOMALIES ? names[anomaly] : "?";
}

const char *
tcpst_role_name(unsigned role)
{
    return role == TCPST_CLIENT ? "client" : role == TCPST_SERVER ? "server" : "nobody";
}

static const struct {
    const char *label;
    const char *short_label;    /* for the Info column */
    uint8_t handshake, wave, wave_second;
} steps[TCPST_N_STEPS] = {
    [TCPST_STEP_NONE]             = { "", "", 0, 0, 0 },
    [TCPST_STEP_HANDSHAKE_1]      = { "Handshake 1/3 (SYN)", "Handshake 1/3", 1, 0, 0 },
    [TCPST_STEP_HANDSHAKE_1_DATA] = { "Handshake 1/3 (SYN with data, Fast Open)", "Handshake 1/3", 1, 0, 0 },
    [TCPST_STEP_HANDSHAKE_2]      = { "Handshake 2/3 (SYN+ACK)", "Handshake 2/3", 2, 0, 0 },
    [TCPST_STEP_HANDSHAKE_3]      = { "Handshake 3/3 (ACK)", "Handshake 3/3", 3, 0, 0 },
    [TCPST_STEP_SIMOPEN_SYN]      = { "Simultaneous open (SYN)", "Simultaneous open", 1, 0, 0 },
    [TCPST_STEP_SIMOPEN_SYNACK]   = { "Simultaneous open (SYN+ACK)", "Simultaneous open", 2, 0, 0 },
    [TCPST_STEP_WAVE_1]           = { "Wave 1/4 (FIN)", "Wave 1/4", 0, 1, 0 },
    [TCPST_STEP_WAVE_2]           = { "Wave 2/4 (ACK)", "Wave 2/4", 0, 2, 0 },
    [TCPST_STEP_WAVE_3]           = { "Wave 3/4 (FIN)", "Wave 3/4", 0, 3, 0 },
    [TCPST_STEP_WAVE_2_3]         = { "Wave 2+3/4 (FIN+ACK)", "Wave 2+3/4", 0, 2, 3 },
    [TCPST_STEP_WAVE_4]           = { "Wave 4/4 (ACK)", "Wave 4/4", 0, 4, 0 },
    [TCPST_STEP_SIMCLOSE_FIN]     = { "Wave 1/4 (FIN, simultaneous close)", "Wave 1/4", 0, 1, 0 },
    [TCPST_STEP_SIMCLOSE_ACK]     = { "Wave 4/4 (ACK, simultaneous close)", "Wave 4/4", 0, 4, 0 },
    [TCPST_STEP_RST_REFUSED]      = { "Reset (connection refused)", "Reset (connection refused)", 0, 0, 0 },
    [TCPST_STEP_RST_HANDSHAKE]    = { "Reset (during handshake)", "Reset (during handshake)", 0, 0, 0 },
    [TCPST_STEP_RST_ABORT_CLIENT] = { "Reset (aborted by client)", "Reset (aborted by client)", 0, 0, 0 },
    [TCPST_STEP_RST_ABORT_SERVER] = { "Reset (aborted by server)", "Reset (aborted by server)", 0, 0, 0 },
    [TCPST_STEP_RST_AFTER_FIN]    = { "Reset (after FIN)", "Reset (after FIN)", 0, 0, 0 },
    [TCPST_STEP_RST_AFTER_CLOSE]  = { "Reset (after close)", "Reset (after close)", 0, 0, 0 },
    [TCPST_STEP_RST_IGNORED]      = { "Reset (not acceptable, ignored)", "Reset (ignored)", 0, 0, 0 },
};

const char *
tcpst_step_label(unsigned step)
{
    return step < TCPST_N_STEPS ? steps[step].label : "";
}

const char *
tcpst_step_short(unsigned step)
{
    return step < TCPST_N_STEPS ? steps[step].short_label : "";
}

unsigned
tcpst_step_handshake(unsigned step)
{
    return step < TCPST_N_STEPS ? steps[step].handshake : 0;
}

unsigned
tcpst_step_wave(unsigned step)
{
    return step < TCPST_N_STEPS ? steps[step].wave : 0;
}

unsigned
tcpst_step_wave_second(unsigned step)
{
    return step < TCPST_N_STEPS ? steps[step].wave_second : 0;
}
