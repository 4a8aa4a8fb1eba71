/* tcpstate-core.c
 * The ends' RFC 9293 states and the step of each segment: the rules of
 * docs/steps-and-states.md, with the RFC 9293 section that justifies each transition.
 *
 * The observer model. We see the segments at one point between the two ends, never inside
 * them, so an end's state is what the segments prove it to be:
 *  - an end's own segment proves what it did (sent a SYN, a FIN) and, through its ACK number,
 *    what it had received before sending;
 *  - an end changes state at once only for what needs no reply (its SYN or FIN acknowledged,
 *    a RST); a SYN or FIN it receives is shown at its reply, the first segment that proves
 *    it arrived;
 *  - a segment sent again proves the ACK the capture showed never reached its sender.
 * The transition table below says where each event takes each state; the functions after it
 * decide which events a segment is.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpstate-core-private.h"

#include <stdio.h>
#include <string.h>

/* tcpst_verdict's bit-fields hold every value. */
_Static_assert(TCPST_N_STEPS <= 32 && TCPST_N_STATES <= 16 && TCPST_N_CONN_STATES <= 16
               && TCPST_N_CLOSE_KINDS <= 8 && TCPST_NOBODY < 4 && TCPST_HISTORY_MAX < 64
               && TCPST_N_ANOMALIES <= 16 && TCPST_V_WITHDRAWN < 0x100,
               "tcpst_verdict fields too narrow");
_Static_assert(sizeof(tcpst_verdict) == 8, "tcpst_verdict grew");

/* RFC 7323 2.3: a window scale above 14 is taken as 14. */
#define WSCALE_MAX 14

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
    uint8_t to = next[ev][end->tcb.state];
    if (to)
        end->tcb.state = (uint8_t)(to - 1);
}

/* Apply a receipt once: `got` (a GOT_* bit) records that the end's state reflects it. */
static void
receive(tcpst_end *end, event ev, uint8_t got)
{
    apply(end, ev);
    end->tcb.applied |= got;
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

static seg_kind
kind_of(uint8_t flags)
{
    if (flags & TCPST_RST)
        return SEG_RST;
    if (flags & TCPST_SYN)
        return (flags & TCPST_ACK) ? SEG_SYNACK : SEG_SYN;
    if (flags & TCPST_FIN)
        return SEG_FIN;
    return SEG_OTHER;
}

static seg_view
view_of(const tcpst_conn *conn, const tcpst_segment *seg)
{
    seg_view view = {
        .raw = seg,
        .from = seg->endpoint == conn->client_endpoint ? TCPST_CLIENT : TCPST_SERVER,
        .kind = kind_of(seg->flags),
        .syn = seg->flags & TCPST_SYN,
        .ack = seg->flags & TCPST_ACK,
        .fin = seg->flags & TCPST_FIN,
        .rst = seg->flags & TCPST_RST,
    };
    return view;
}

/* An end starts afresh; what Zeek has recorded of it stays. */
static void
reset_end(tcpst_end *end, uint8_t state)
{
    memset(&end->tcb, 0, sizeof end->tcb);
    memset(&end->steps, 0, sizeof end->steps);
    end->tcb.state = state;
    end->tcb.wscale = TCPST_NO_WSCALE;
}

/* The first segment of a connection (or of a new one on a reused 4-tuple) fixes the roles
 * and the states before it (docs/steps-and-states.md, rule 6). */
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
        tcpst_history_flipped(conn);

    tcpst_end *client = &conn->end[TCPST_CLIENT], *server = &conn->end[TCPST_SERVER];
    if (syn && !ack) {
        reset_end(client, TCPST_CLOSED);
        reset_end(server, TCPST_LISTEN);
    } else if (syn) {
        /* The SYN+ACK tells the client's missed SYN: its ISN is the ACK number minus one.
         * (Not SENT_BARE_SYN: if the SYN shows up later, it is not a retransmission.) */
        reset_end(client, TCPST_SYN_SENT);
        client->tcb.sent = SENT_SYN;
        client->tcb.isn = seg->ack - 1;
        client->steps.syn = TCPST_STEP_HANDSHAKE_1;
        client->steps.not_captured = NOT_CAPTURED_SYN;
        reset_end(server, TCPST_LISTEN);
    } else {
        reset_end(client, TCPST_ESTABLISHED);
        reset_end(server, TCPST_ESTABLISHED);
        client->tcb.applied = server->tcb.applied = GOT_SYN | GOT_SYN_ACKED;
    }
}

/* Rule 1: before its own transition, the sender catches up on what its segment proves it had
 * received, in the order the receipts must have happened. */
static void
catch_up(tcpst_end *sender, const tcpst_end *peer, const seg_view *seg)
{
    bool is_synack = seg->kind == SEG_SYNACK;
    bool is_syn = is_synack || seg->kind == SEG_SYN;

    if (!(sender->tcb.applied & GOT_SYN) && (peer->tcb.sent & SENT_SYN)
        && (is_synack || ack_covers(seg, peer->tcb.isn))) {
        /* A SYN+ACK answers a bare SYN; an ACK answers the peer's SYN+ACK if it had one. */
        if (!is_synack && (peer->tcb.sent & SENT_SYNACK))
            receive(sender, RCV_SYNACK, GOT_SYN | GOT_SYN_ACKED);
        else
            receive(sender, RCV_SYN, GOT_SYN);
    }
    /* A SYN or FIN (sent or sent again) proves its sender has not had it acknowledged. */
    if (!(sender->tcb.applied & GOT_SYN_ACKED) && (sender->tcb.sent & SENT_SYN) && !is_syn
        && (peer->tcb.sent & SENT_SYNACK) && has_acked(peer, sender->tcb.isn))
        receive(sender, RCV_ACK_OF_SYN, GOT_SYN_ACKED);
    if (!(sender->tcb.applied & GOT_FIN) && (peer->tcb.sent & SENT_FIN)
        && ack_covers(seg, peer->tcb.fin_seq))
        receive(sender, RCV_FIN, GOT_FIN);
    if (!(sender->tcb.applied & GOT_FIN_ACKED) && (sender->tcb.sent & SENT_FIN) && !seg->fin
        && has_acked(peer, sender->tcb.fin_seq))
        receive(sender, RCV_ACK_OF_FIN, GOT_FIN_ACKED);
}

/* Rule 2: what the receiver shows at once, because it needs no reply. */
static void
receive_now(tcpst_end *receiver, const tcpst_end *sender, const seg_view *seg)
{
    bool owes_reply = ((sender->tcb.sent & SENT_SYN) && !(receiver->tcb.applied & GOT_SYN))
                   || ((sender->tcb.sent & SENT_FIN) && !(receiver->tcb.applied & GOT_FIN));
    if (owes_reply)
        return;
    if (seg->kind != SEG_SYN && seg->kind != SEG_SYNACK && (receiver->tcb.sent & SENT_SYN)
        && !(receiver->tcb.applied & GOT_SYN_ACKED) && ack_covers(seg, receiver->tcb.isn))
        receive(receiver, RCV_ACK_OF_SYN, GOT_SYN_ACKED);
    if ((receiver->tcb.sent & SENT_FIN) && !(receiver->tcb.applied & GOT_FIN_ACKED)
        && ack_covers(seg, receiver->tcb.fin_seq))
        receive(receiver, RCV_ACK_OF_FIN, GOT_FIN_ACKED);
}

static bool
has_been_synchronized(const tcpst_end *end)
{
    return end->tcb.was_synchronized || is_synchronized(end->tcb.state);
}

static uint8_t
reset_step(const tcpst_conn *conn, const seg_view *seg)
{
    tcpst_role sender_role = seg->from;
    const tcpst_end *sender = &conn->end[sender_role], *peer = &conn->end[!sender_role];

    if (is_closed_or_waiting(sender->tcb.state) && is_closed_or_waiting(peer->tcb.state)
        && (sender->tcb.sent | peer->tcb.sent))
        return TCPST_STEP_RST_AFTER_CLOSE;
    /* a refusal sends no SYN of its own, not even on the RST itself (illegal flags) */
    if ((peer->tcb.sent & SENT_SYN) && !(sender->tcb.sent & SENT_SYN) && !seg->syn)
        return TCPST_STEP_RST_REFUSED;
    if ((sender->tcb.sent | peer->tcb.sent) & SENT_FIN)
        return TCPST_STEP_RST_AFTER_FIN;
    if (!has_been_synchronized(sender) && !has_been_synchronized(peer))
        return TCPST_STEP_RST_HANDSHAKE;
    return sender_role == TCPST_CLIENT ? TCPST_STEP_RST_ABORT_CLIENT : TCPST_STEP_RST_ABORT_SERVER;
}

/* 3.10.7.3 SYN-SENT: a RST counts only if its ACK acknowledges the SYN; otherwise "drop the
 * segment and return" (how an off-path RST fails against a connecting client). */
static bool
reset_is_ignored(const tcpst_end *receiver, const seg_view *seg)
{
    return receiver->tcb.state == TCPST_SYN_SENT && (receiver->tcb.sent & SENT_SYN)
        && !(ack_covers(seg, receiver->tcb.isn)
             && !seq_gt(seg->raw->ack, receiver->tcb.isn + 1 + receiver->tcb.syn_len));
}

/* 3.10.7.4 first (and RFC 5961): a RST counts only if its sequence number is in the
 * receiver's window. The window starts one below the sender's next sequence number (a RST
 * often carries the FIN's number) and spans the receiver's last advertised window. */
static bool
reset_in_window(const tcpst_end *sender, const tcpst_end *receiver, const seg_view *seg)
{
    if (!(sender->tcb.sent & SENT_SEQ))
        return true;    /* nothing to compare with: a refusing end never sent before */
    uint32_t low = sender->tcb.next_seq - 1;
    if (seq_lt(seg->raw->seq, low))
        return false;
    return !(receiver->tcb.sent & SENT_SEQ)
        || !seq_gt(seg->raw->seq, sender->tcb.next_seq + receiver->tcb.window);
}

static void
judge_reset(tcpst_conn *conn, const seg_view *seg, tcpst_verdict *verdict)
{
    tcpst_end *sender = &conn->end[seg->from], *receiver = &conn->end[!seg->from];
    if (reset_is_ignored(receiver, seg)) {
        verdict->step = TCPST_STEP_RST_IGNORED;
        return;
    }
    if (!reset_in_window(sender, receiver, seg)) {
        verdict->step = TCPST_STEP_RST_IGNORED;
        verdict->anomalies |= 1u << TCPST_A_RST_OUT_OF_WINDOW;
        return;
    }
    verdict->step = reset_step(conn, seg);
    conn->closes |= verdict->step == TCPST_STEP_RST_REFUSED ? CLOSE_REFUSED : CLOSE_RESET;
    /* 3.10.7.3: from SYN-SENT an end resets only a segment with an unacceptable ACK, with the
     * sequence number that ACK carried; its own next one would be ISN+1. */
    bool answers_bad_synack = ((receiver->tcb.sent & SENT_ANY_SYNACK) && !(receiver->tcb.sent & SENT_SYNACK))
                           || (sender->tcb.state == TCPST_SYN_SENT && !(receiver->tcb.sent & SENT_SEQ)
                               && seg->raw->seq != sender->tcb.isn + 1);
    apply(sender, answers_bad_synack ? SND_RST_TO_BAD_SYNACK : SND_RST);
    apply(receiver, RCV_RST);
    /* Back in LISTEN (3.10.7.4), the end has forgotten the half-open connection: the next
     * SYN+ACK it sends answers the SYN afresh. */
    if (receiver->tcb.state == TCPST_LISTEN)
        reset_end(receiver, TCPST_LISTEN);
    if (conn->closed_by == TCPST_NOBODY)
        conn->closed_by = seg->from;
}

/* The ACK number a handshake reply must carry: the peer's ISN+1, or past the data of a SYN
 * whose Fast Open data was accepted. */
static void
check_handshake_ack(const tcpst_end *peer, const seg_view *seg, tcpst_verdict *verdict)
{
    uint32_t due = peer->tcb.isn + 1;
    if (seg->raw->ack != due && seg->raw->ack != due + peer->tcb.syn_len)
        verdict->bits |= TCPST_V_BAD_ACK;
}

/* A step of the sender that an earlier packet proved and the states already show, now
 * captured: labelled with its step, it changes nothing (docs/steps-and-states.md, "Captured
 * after the packet that proved it"). */
static bool
captured_late(tcpst_end *sender, uint8_t not_captured, bool same_segment, uint8_t step,
              tcpst_verdict *verdict)
{
    if (!(sender->steps.not_captured & not_captured) || !same_segment)
        return false;
    sender->steps.not_captured &= (uint8_t)~not_captured;
    verdict->step = step;
    verdict->bits |= TCPST_V_LATE;
    return true;
}

static void
judge_syn(tcpst_conn *conn, const seg_view *seg, tcpst_verdict *verdict)
{
    tcpst_end *sender = &conn->end[seg->from], *peer = &conn->end[!seg->from];
    bool is_synack = seg->kind == SEG_SYNACK;

    uint8_t same_kind = is_synack ? SENT_ANY_SYNACK : SENT_BARE_SYN;
    if (captured_late(sender, is_synack ? NOT_CAPTURED_SYNACK : NOT_CAPTURED_SYN,
                      seg->raw->seq == sender->tcb.isn,
                      is_synack ? sender->steps.synack : sender->steps.syn, verdict)) {
        sender->tcb.sent |= same_kind;  /* a copy of it from now on is a retransmission */
        return;
    }
    if ((sender->tcb.sent & same_kind) && seg->raw->seq == sender->tcb.isn) {
        verdict->step = is_synack ? sender->steps.synack : sender->steps.syn;
        verdict->bits |= TCPST_V_RETRANSMISSION;
        if (is_synack && (sender->tcb.sent & SENT_SYNACK))
            check_handshake_ack(peer, seg, verdict);
    } else if (!is_synack) {
        /* A peer's bare SYN before it makes this a simultaneous open; a peer's SYN+ACK
         * before it only means the capture saw the two out of order. */
        verdict->step = (peer->tcb.sent & SENT_BARE_SYN) ? TCPST_STEP_SIMOPEN_SYN
                      : !seg->raw->payload_len ? TCPST_STEP_HANDSHAKE_1
                      : seg->raw->fast_open ? TCPST_STEP_HANDSHAKE_1_FAST_OPEN : TCPST_STEP_HANDSHAKE_1_DATA;
    } else {
        verdict->step = (sender->tcb.sent & SENT_BARE_SYN) ? TCPST_STEP_SIMOPEN_SYNACK
                                                           : TCPST_STEP_HANDSHAKE_2;
        check_handshake_ack(peer, seg, verdict);
    }

    catch_up(sender, peer, seg);
    if (!is_synack) {
        apply(sender, SND_SYN);
    } else if (verdict->bits & TCPST_V_RETRANSMISSION) {
        apply(sender, SND_SYNACK_AGAIN);
        peer->steps.peer_resent = 1;
    }
    sender->tcb.applied &= (uint8_t)~GOT_SYN_ACKED;
    receive_now(peer, sender, seg);

    if (!(verdict->bits & TCPST_V_RETRANSMISSION)) {
        sender->tcb.isn = seg->raw->seq;
        sender->tcb.syn_len = seg->raw->payload_len;
        if (is_synack)
            sender->steps.synack = verdict->step;
        else
            sender->steps.syn = verdict->step;
    }
    sender->tcb.sent |= SENT_SYN | same_kind;
    if (is_synack && !(verdict->bits & TCPST_V_BAD_ACK) && ack_covers(seg, peer->tcb.isn))
        sender->tcb.sent |= SENT_SYNACK;
}

/* The kind of close a FIN's step makes (tcpst_conn.closes). */
static uint8_t
close_of_fin_step(uint8_t step)
{
    return step == TCPST_STEP_SIMCLOSE_FIN ? CLOSE_SIMULTANEOUS
         : step == TCPST_STEP_WAVE_3 ? CLOSE_FOUR_WAY
         : step == TCPST_STEP_WAVE_2_3 ? CLOSE_THREE_WAY : 0;
}

static void
judge_fin(tcpst_conn *conn, const seg_view *seg, tcpst_verdict *verdict)
{
    tcpst_end *sender = &conn->end[seg->from], *peer = &conn->end[!seg->from];
    uint32_t fin_seq = seg->raw->seq + seg->raw->payload_len;

    if (captured_late(sender, NOT_CAPTURED_FIN, fin_seq == sender->tcb.fin_seq, sender->steps.fin,
                      verdict))
        return;
    if ((sender->tcb.sent & SENT_FIN) && fin_seq == sender->tcb.fin_seq) {
        verdict->step = sender->steps.fin;
        verdict->bits |= TCPST_V_RETRANSMISSION;
    } else {
        verdict->step = !(peer->tcb.sent & SENT_FIN) ? TCPST_STEP_WAVE_1
                      : !ack_covers(seg, peer->tcb.fin_seq) ? TCPST_STEP_SIMCLOSE_FIN
                      : (sender->tcb.applied & GOT_FIN) ? TCPST_STEP_WAVE_3
                      : TCPST_STEP_WAVE_2_3;
        conn->closes |= close_of_fin_step(verdict->step);
    }

    catch_up(sender, peer, seg);
    if (verdict->bits & TCPST_V_RETRANSMISSION) {
        apply(sender, SND_FIN_AGAIN);
        peer->steps.peer_resent = 1;
    } else {
        apply(sender, SND_FIN);
    }
    sender->tcb.applied &= (uint8_t)~GOT_FIN_ACKED;
    receive_now(peer, sender, seg);

    sender->tcb.sent |= SENT_FIN;
    sender->tcb.fin_seq = fin_seq;
    sender->steps.fin = verdict->step;
    if (conn->closed_by == TCPST_NOBODY)
        conn->closed_by = seg->from;
}

static void
judge_ack(tcpst_conn *conn, const seg_view *seg, tcpst_verdict *verdict)
{
    tcpst_end *sender = &conn->end[seg->from], *peer = &conn->end[!seg->from];
    if (captured_late(sender, NOT_CAPTURED_HANDSHAKE_ACK,
                      seg->raw->seq == sender->steps.ack_seq && seg->raw->ack == sender->steps.ack_ack,
                      TCPST_STEP_HANDSHAKE_3, verdict))
        return;
    uint8_t state_before = sender->tcb.state;
    bool acks_peer_fin_first_time = !(sender->tcb.applied & GOT_FIN) && (peer->tcb.sent & SENT_FIN)
                                 && ack_covers(seg, peer->tcb.fin_seq);

    catch_up(sender, peer, seg);
    receive_now(peer, sender, seg);

    if ((state_before == TCPST_SYN_SENT || state_before == TCPST_SYN_RCVD)
        && sender->tcb.state == TCPST_ESTABLISHED) {
        verdict->step = TCPST_STEP_HANDSHAKE_3;
        check_handshake_ack(peer, seg, verdict);
    } else if (acks_peer_fin_first_time) {
        verdict->step = !(sender->tcb.sent & SENT_FIN) ? TCPST_STEP_WAVE_2
                      : (conn->closes & CLOSE_SIMULTANEOUS) ? TCPST_STEP_SIMCLOSE_ACK
                      : TCPST_STEP_WAVE_4;
    } else if (sender->steps.ack && sender->steps.peer_resent && seg->raw->payload_len == 0
               && seg->raw->seq == sender->steps.ack_seq && seg->raw->ack == sender->steps.ack_ack
               && !(sender->steps.ack == TCPST_STEP_HANDSHAKE_3 && tcpst_carried_data_or_reset(conn))) {
        /* The same ACK again, answering the peer's SYN+ACK or FIN sent again: a window
         * update or duplicate ACK alone is not a step, nor is a duplicate ACK once data
         * flowed, whatever the numbers of the handshake's ACK were. */
        verdict->step = sender->steps.ack;
        verdict->bits |= TCPST_V_RETRANSMISSION;
        sender->steps.peer_resent = 0;
    }

    if (verdict->step != TCPST_STEP_NONE && !(verdict->bits & TCPST_V_RETRANSMISSION)) {
        if (!seg->filled_in)
            sender->steps.not_captured &= (uint8_t)~NOT_CAPTURED_HANDSHAKE_ACK;
        sender->steps.ack = verdict->step;
        sender->steps.ack_seq = seg->raw->seq;
        sender->steps.ack_ack = seg->raw->ack;
        sender->steps.peer_resent = 0;
    }
}

/* What the segment shows of its sender's sequence space and window, beyond its state. */
static void
track_sequence_space(tcpst_end *sender, const tcpst_end *peer, const seg_view *seg)
{
    if (seg->ack && !has_acked(sender, seg->raw->ack - 1)) {
        sender->tcb.max_ack = seg->raw->ack;
        sender->tcb.sent |= SENT_ACK;
    }
    if (seg->rst)
        return;
    uint32_t end_seq = seg->raw->seq + seg->raw->payload_len + seg->syn + seg->fin;
    if (!(sender->tcb.sent & SENT_SEQ) || seq_gt(end_seq, sender->tcb.next_seq))
        sender->tcb.next_seq = end_seq;
    sender->tcb.sent |= SENT_SEQ;
    if (seg->filled_in)
        return;     /* its window and options are unknown */
    if (seg->syn)
        sender->tcb.wscale = seg->raw->wscale;
    /* RFC 7323 2.2: the window of a SYN is never scaled; the others are when both SYNs
     * offered scaling. */
    bool scaled = !seg->syn && sender->tcb.wscale != TCPST_NO_WSCALE
               && peer->tcb.wscale != TCPST_NO_WSCALE;
    unsigned shift = scaled ? (sender->tcb.wscale > WSCALE_MAX ? WSCALE_MAX : sender->tcb.wscale) : 0;
    sender->tcb.window = (uint32_t)seg->raw->window << shift;
}

/* A SYN+ACK that acknowledges the data on the SYN accepted it as Fast Open data: the server
 * may answer before the handshake ends. */
static void
note_fast_open(tcpst_conn *conn, const seg_view *seg, const tcpst_verdict *verdict)
{
    const tcpst_end *peer = &conn->end[!seg->from];
    if (seg->syn && seg->ack && !(verdict->bits & TCPST_V_RETRANSMISSION) && peer->tcb.syn_len
        && seg->raw->ack == peer->tcb.isn + 1 + peer->tcb.syn_len)
        conn->tfo_accepted = 1;
}

static void
note_synchronized(tcpst_conn *conn)
{
    for (int role = TCPST_CLIENT; role <= TCPST_SERVER; role++)
        if (is_synchronized(conn->end[role].tcb.state))
            conn->end[role].tcb.was_synchronized = 1;
}

static uint16_t
both_states(const tcpst_conn *conn)
{
    return (uint16_t)(conn->end[TCPST_CLIENT].tcb.state | conn->end[TCPST_SERVER].tcb.state << 4);
}

/* The state machine's part of a segment: its step, and the states it moves. */
static void
judge(tcpst_conn *conn, const seg_view *seg, tcpst_verdict *verdict)
{
    if (seg->kind == SEG_RST)
        judge_reset(conn, seg, verdict);
    else if (seg->kind == SEG_SYN || seg->kind == SEG_SYNACK)
        judge_syn(conn, seg, verdict);
    else if (both_closed(conn))
        ;   /* a FIN or ACK after both ends closed is no step of a close any more */
    else if (seg->kind == SEG_FIN)
        judge_fin(conn, seg, verdict);
    else
        judge_ack(conn, seg, verdict);
    track_sequence_space(&conn->end[seg->from], &conn->end[!seg->from], seg);
}

/* ---- evidence: the segments the capture missed that a captured one proves
 * (docs/steps-and-states.md, "What a segment proves") ---- */

/* Judge a segment the capture missed, sent by `from`, as the rules would have judged it;
 * returns its step. Zeek's bookkeeping, which sees captured segments only, is left alone. */
static uint8_t
fill_in(tcpst_conn *conn, tcpst_role from, uint8_t flags, uint32_t seq, uint32_t ack,
        uint8_t not_captured)
{
    tcpst_segment raw = {
        .endpoint = from == TCPST_CLIENT ? conn->client_endpoint : (uint8_t)!conn->client_endpoint,
        .flags = flags, .wscale = TCPST_NO_WSCALE, .seq = seq, .ack = ack,
    };
    seg_view seg = view_of(conn, &raw);
    seg.filled_in = true;
    tcpst_verdict verdict;
    memset(&verdict, 0, sizeof verdict);
    judge(conn, &seg, &verdict);
    conn->end[from].steps.not_captured |= not_captured;
    conn->filled_in_for |= (uint8_t)(1u << from);
    return (uint8_t)verdict.step;
}

/* The state the sender would show after catching up on what the segment proves (rule 1). */
static uint8_t
state_after_catch_up(const tcpst_end *sender, const tcpst_end *peer, const seg_view *seg)
{
    tcpst_end probe = *sender;
    catch_up(&probe, peer, seg);
    return probe.tcb.state;
}

/* Can an end in this state send a FIN (a cell of SND_FIN)? */
static bool
can_close(uint8_t state)
{
    return next[SND_FIN][state] != 0;
}

/* Fills in the missed segments the segment proves, in the order E1, E2, E4, E3; returns how
 * many it recorded in missed[]. */
static unsigned
fill_in_missed(tcpst_conn *conn, const seg_view *seg, uint8_t missed[TCPST_MAX_MISSED])
{
    tcpst_end *sender = &conn->end[seg->from], *peer = &conn->end[!seg->from];
    tcpst_role peer_role = (tcpst_role)!seg->from;
    uint8_t found[4];
    unsigned n = 0;

    uint32_t ack = seg->raw->ack;
    /* A SYN+ACK from an end that sent a bare SYN answers the peer's bare SYN: a simultaneous
     * open (3.10.7.3, fourth). */
    if (seg->kind == SEG_SYNACK && (sender->tcb.sent & SENT_BARE_SYN) && !(peer->tcb.sent & SENT_SYN)
        && ack != 0) {
        missed[0] = fill_in(conn, peer_role, TCPST_SYN, ack - 1, 0, NOT_CAPTURED_SYN);
        return 1;
    }
    if (!seg->ack || seg->kind == SEG_RST || seg->kind == SEG_SYN || seg->kind == SEG_SYNACK
        || both_closed(conn))
        return 0;

    /* E1: an ACK from an end in SYN_SENT proves the peer's SYN+ACK, when the capture holds
     * nothing of the peer that it could acknowledge instead, and it acknowledges something. */
    if (sender->tcb.state == TCPST_SYN_SENT && !(peer->tcb.sent & (SENT_SYN | SENT_SEQ)) && ack != 0
        && state_after_catch_up(sender, peer, seg) == TCPST_SYN_SENT)
        found[n++] = fill_in(conn, peer_role, TCPST_SYN | TCPST_ACK, ack - 1, sender->tcb.isn + 1,
                             NOT_CAPTURED_SYNACK);
    /* E2: data or a plain ACK from an end in SYN_RCVD proves the handshake's ACK (not from a
     * server answering accepted Fast Open data); so does any segment that acknowledges the
     * peer's data, which came with that ACK. */
    else if (sender->tcb.state == TCPST_SYN_RCVD && (peer->tcb.sent & SENT_SYN)
             && (seg->kind == SEG_OTHER
                 || seq_gt(ack, peer->tcb.isn + 1 + peer->tcb.syn_len))
             && !(seg->from == TCPST_SERVER && conn->tfo_accepted)
             && state_after_catch_up(sender, peer, seg) == TCPST_SYN_RCVD)
        found[n++] = fill_in(conn, peer_role, TCPST_ACK,
                             (peer->tcb.sent & SENT_SEQ) ? peer->tcb.next_seq : peer->tcb.isn + 1,
                             sender->tcb.isn + 1, NOT_CAPTURED_HANDSHAKE_ACK);

    /* E4: the sender's own sequence number one past what it showed proves its FIN. */
    if (seg->kind == SEG_OTHER && !seg->raw->payload_len && !(sender->tcb.sent & SENT_FIN)
        && (sender->tcb.sent & SENT_SEQ) && seg->raw->seq == sender->tcb.next_seq + 1
        && can_close(sender->tcb.state))
        found[n++] = fill_in(conn, seg->from, TCPST_FIN | TCPST_ACK, sender->tcb.next_seq,
                             (sender->tcb.sent & SENT_ACK) ? sender->tcb.max_ack : ack, NOT_CAPTURED_FIN);

    /* E3: an ACK one past everything the peer was seen to send proves the peer's FIN; not
     * once such an ACK proved a byte of this peer's. */
    bool known = false;
    uint32_t extent = 0;
    if (peer->tcb.sent & SENT_SEQ) {
        extent = peer->tcb.next_seq;
        known = true;
    }
    if ((sender->tcb.sent & SENT_ACK) && (!known || seq_gt(sender->tcb.max_ack, extent))) {
        extent = sender->tcb.max_ack;
        known = true;
    }
    if (known && ack == extent + 1 && !(peer->tcb.sent & SENT_FIN) && can_close(peer->tcb.state)
        && !peer->tcb.sends_single_bytes) {
        /* It acknowledges everything the sender had sent: after the sender's own FIN, the
         * peer's FIN is the three-way close's, not a simultaneous one. */
        uint32_t peer_ack = (sender->tcb.sent & SENT_SEQ) ? sender->tcb.next_seq : peer->tcb.max_ack;
        found[n++] = fill_in(conn, peer_role, TCPST_FIN | TCPST_ACK, extent, peer_ack, NOT_CAPTURED_FIN);
    }

    for (unsigned i = 0; i < n && i < TCPST_MAX_MISSED; i++)
        missed[i] = found[i];
    return n;
}

/* Where the ends stand without a FIN that was filled in and then disproved. Cells hold
 * state+1; an empty cell leaves the state as it is. */
static const uint8_t without_fin[2][TCPST_N_STATES] = {
    /* the end that seemed to send it: as before its CLOSE call (3.10.4) */
    [0] = {
        [TCPST_FIN_WAIT_1]  = TO(TCPST_ESTABLISHED),
        [TCPST_FIN_WAIT_2]  = TO(TCPST_ESTABLISHED),
        [TCPST_CLOSING]     = TO(TCPST_CLOSE_WAIT),
        [TCPST_TIME_WAIT]   = TO(TCPST_CLOSE_WAIT),
        [TCPST_LAST_ACK]    = TO(TCPST_CLOSE_WAIT),
        [TCPST_CLOSED]      = TO(TCPST_CLOSE_WAIT),
    },
    /* its peer: as before that FIN arrived (3.10.7.4, eighth); its own FIN stays */
    [1] = {
        [TCPST_CLOSE_WAIT]  = TO(TCPST_ESTABLISHED),
        [TCPST_LAST_ACK]    = TO(TCPST_FIN_WAIT_1),
        [TCPST_CLOSED]      = TO(TCPST_FIN_WAIT_2),
        [TCPST_CLOSING]     = TO(TCPST_FIN_WAIT_1),
        [TCPST_TIME_WAIT]   = TO(TCPST_FIN_WAIT_2),
    },
};

static void
unmove(tcpst_end *end, const uint8_t table[TCPST_N_STATES])
{
    if (table[end->tcb.state])
        end->tcb.state = (uint8_t)(table[end->tcb.state] - 1);
}

/* Does the segment contradict the FIN filled in for `end` (`from_end`: the end sent it)? After
 * its FIN an end sends no byte beyond it, and its peer acknowledges nothing past it. */
static bool
disproves_filled_fin(const tcpst_end *end, const seg_view *seg, bool from_end)
{
    if (!(end->steps.not_captured & NOT_CAPTURED_FIN))
        return false;
    uint32_t fin = end->tcb.fin_seq, len = seg->raw->payload_len;
    if (from_end)
        return len ? seq_gt(seg->raw->seq + len, fin) : seq_gt(seg->raw->seq, fin + 1);
    return seg->ack && seq_gt(seg->raw->ack, fin + 1);
}

/* The FIN filled in for `role` was a last data byte: the ends go back to where they stood
 * without it, and an ACK one past this end's data proves no FIN any more (it sends single
 * bytes). Returns the withdrawn step. */
static uint8_t
withdraw_filled_fin(tcpst_conn *conn, tcpst_role role)
{
    tcpst_end *end = &conn->end[role], *peer = &conn->end[!role];
    uint8_t step = end->steps.fin;

    unmove(end, without_fin[0]);
    end->tcb.sent &= (uint8_t)~SENT_FIN;
    end->tcb.applied &= (uint8_t)~GOT_FIN_ACKED;
    end->tcb.sends_single_bytes = 1;
    end->steps.not_captured &= (uint8_t)~NOT_CAPTURED_FIN;
    end->steps.fin = TCPST_STEP_NONE;
    if (peer->tcb.applied & GOT_FIN) {
        unmove(peer, without_fin[1]);
        peer->tcb.applied &= (uint8_t)~GOT_FIN;
    }
    /* Only the peer's FIN, if any, is left of the close. */
    conn->closes &= (uint8_t)~(close_of_fin_step(step) | close_of_fin_step(peer->steps.fin));
    if (conn->closed_by == role)
        conn->closed_by = (peer->tcb.sent & SENT_FIN) ? (uint8_t)!role : TCPST_NOBODY;
    return step;
}

static void
finish_verdict(const tcpst_conn *conn, tcpst_role sender, uint16_t before, tcpst_verdict *verdict)
{
    verdict->conn_state = tcpst_zeek_conn_state(conn);
    verdict->close_kind = tcpst_close_kind_of(conn);
    verdict->history_len = conn->history_len;
    verdict->states = (uint16_t)(before | both_states(conn) << 8);
    verdict->closed_by = conn->closed_by;
    if (conn->inferred || conn->filled_in_for)
        verdict->bits |= TCPST_V_INFERRED;
    if (sender == TCPST_SERVER)
        verdict->bits |= TCPST_V_FROM_SERVER;
    if ((conn->filled_in_for & ~conn->captured_from) & (1u << !sender))
        verdict->bits |= TCPST_V_PEER_UNSEEN;
}

void
tcpst_conn_segment(tcpst_conn *conn, const tcpst_segment *raw, tcpst_verdict *verdict,
                   tcpst_evidence *evidence)
{
    if (!conn->started)
        start(conn, raw);

    seg_view seg = view_of(conn, raw);

    memset(verdict, 0, sizeof *verdict);
    memset(evidence, TCPST_STEP_NONE, sizeof *evidence);
    uint16_t before = both_states(conn);
    conn->captured_from |= (uint8_t)(1u << seg.from);
    verdict->anomalies = tcpst_anomalies_before(conn, &seg);
    tcpst_history_add(conn, &seg);
    for (int role = TCPST_CLIENT; role <= TCPST_SERVER && conn->filled_in_for; role++) {
        if (disproves_filled_fin(&conn->end[role], &seg, role == (int)seg.from)) {
            evidence->withdrawn = withdraw_filled_fin(conn, (tcpst_role)role);
            verdict->bits |= TCPST_V_WITHDRAWN;
        }
    }
    if (fill_in_missed(conn, &seg, evidence->missed)) {
        verdict->bits |= TCPST_V_MISSED;
        verdict->anomalies |= 1u << TCPST_A_STEP_NOT_CAPTURED;
    }
    judge(conn, &seg, verdict);
    note_synchronized(conn);
    note_fast_open(conn, &seg, verdict);
    tcpst_zeek_status_update(conn, &seg);
    verdict->anomalies |= tcpst_anomalies_after(conn, &seg, verdict);
    finish_verdict(conn, seg.from, before, verdict);
}

void
tcpst_conn_duplicate(const tcpst_conn *conn, const tcpst_segment *raw, tcpst_verdict *verdict)
{
    memset(verdict, 0, sizeof *verdict);
    verdict->step = TCPST_STEP_DUPLICATE;
    finish_verdict(conn, raw->endpoint == conn->client_endpoint ? TCPST_CLIENT : TCPST_SERVER,
                   both_states(conn), verdict);
}

uint32_t
tcpst_conn_expected_ack(const tcpst_conn *conn, const tcpst_verdict *verdict)
{
    return conn->end[!tcpst_sender(verdict)].tcb.isn + 1;
}

bool
tcpst_conn_isn(const tcpst_conn *conn, unsigned role, uint32_t *isn)
{
    *isn = conn->end[role].tcb.isn;
    return conn->end[role].tcb.sent & SENT_SYN;
}

bool
tcpst_conn_fin_seq(const tcpst_conn *conn, unsigned role, uint32_t *fin_seq)
{
    *fin_seq = conn->end[role].tcb.fin_seq;
    return conn->end[role].tcb.sent & SENT_FIN;
}

uint32_t
tcpst_conn_client_isn(const tcpst_conn *conn)
{
    return conn->end[TCPST_CLIENT].tcb.isn;
}

bool
tcpst_conn_continues_handshake(const tcpst_conn *conn, const tcpst_segment *raw)
{
    if ((raw->flags & (TCPST_SYN | TCPST_RST)) != TCPST_SYN || tcpst_carried_data_or_reset(conn))
        return false;
    seg_view seg = view_of(conn, raw);
    const tcpst_end *sender = &conn->end[seg.from];
    if (sender->tcb.sent & SENT_SYN)
        return raw->seq == sender->tcb.isn;
    return !(sender->tcb.sent & SENT_SEQ);
}

bool
tcpst_conn_is_open(const tcpst_conn *conn)
{
    return conn_is_open(conn);
}

bool
tcpst_conn_in_time_wait(const tcpst_conn *conn)
{
    return conn->end[TCPST_CLIENT].tcb.state == TCPST_TIME_WAIT
        || conn->end[TCPST_SERVER].tcb.state == TCPST_TIME_WAIT;
}

void
tcpst_conn_init(tcpst_conn *conn)
{
    memset(conn, 0, sizeof *conn);
    conn->closed_by = TCPST_NOBODY;
    conn->end[TCPST_CLIENT].tcb.wscale = conn->end[TCPST_SERVER].tcb.wscale = TCPST_NO_WSCALE;
}

/* A SYN with a new ISN on a connection both of whose ends are done is a new connection on
 * the same 4-tuple, for when the capture's own stream tracking did not split it. */
bool
tcpst_conn_starts_anew(const tcpst_conn *conn, const tcpst_segment *raw)
{
    const tcpst_end *client = &conn->end[TCPST_CLIENT], *server = &conn->end[TCPST_SERVER];
    if (!conn->started || !is_closed_or_waiting(client->tcb.state))
        return false;
    uint8_t kind = raw->flags & (TCPST_SYN | TCPST_ACK | TCPST_RST);
    if (kind == TCPST_SYN && raw->endpoint == conn->client_endpoint)
        return (client->tcb.sent & SENT_SYN) && raw->seq != client->tcb.isn
            && (is_closed_or_waiting(server->tcb.state) || server->tcb.state == TCPST_LISTEN);
    /* The server's SYN+ACK with a new ISN: the capture missed the new connection's SYN. */
    return kind == (TCPST_SYN | TCPST_ACK) && raw->endpoint != conn->client_endpoint
        && (server->tcb.sent & SENT_SYN) && raw->seq != server->tcb.isn
        && is_closed_or_waiting(server->tcb.state);
}

/* ---- the step table and labels ---- */

#define SYN_       TCPST_STEP_SENDS_SYN
#define SYNACK_    TCPST_STEP_SENDS_SYNACK
#define HS_END_    TCPST_STEP_ENDS_HANDSHAKE
#define FIN_       TCPST_STEP_SENDS_FIN
#define ACKS_FIN_  TCPST_STEP_ACKS_FIN

static const tcpst_step_info steps[TCPST_N_STEPS] = {
    [TCPST_STEP_NONE]             = { "", "", 0, 0, 0, 0 },
    [TCPST_STEP_HANDSHAKE_1]      = { "Handshake 1/3 (SYN)", "Handshake 1/3", 1, 0, 0, SYN_ },
    [TCPST_STEP_HANDSHAKE_1_DATA] = { "Handshake 1/3 (SYN with data)", "Handshake 1/3", 1, 0, 0, SYN_ },
    [TCPST_STEP_HANDSHAKE_1_FAST_OPEN] = { "Handshake 1/3 (SYN with data, Fast Open)", "Handshake 1/3", 1, 0, 0, SYN_ },
    [TCPST_STEP_HANDSHAKE_2]      = { "Handshake 2/3 (SYN+ACK)", "Handshake 2/3", 2, 0, 0, SYNACK_ },
    [TCPST_STEP_HANDSHAKE_3]      = { "Handshake 3/3 (ACK)", "Handshake 3/3", 3, 0, 0, HS_END_ },
    [TCPST_STEP_SIMOPEN_SYN]      = { "Simultaneous open (SYN)", "Simultaneous open", 1, 0, 0, 0 },
    [TCPST_STEP_SIMOPEN_SYNACK]   = { "Simultaneous open (SYN+ACK)", "Simultaneous open", 2, 0, 0, SYNACK_ },
    [TCPST_STEP_WAVE_1]           = { "Wave 1/4 (FIN)", "Wave 1/4", 0, 1, 0, FIN_ },
    [TCPST_STEP_WAVE_2]           = { "Wave 2/4 (ACK)", "Wave 2/4", 0, 2, 0, ACKS_FIN_ },
    [TCPST_STEP_WAVE_3]           = { "Wave 3/4 (FIN)", "Wave 3/4", 0, 3, 0, FIN_ },
    [TCPST_STEP_WAVE_2_3]         = { "Wave 2+3/4 (FIN+ACK)", "Wave 2+3/4", 0, 2, 3, FIN_ | ACKS_FIN_ },
    [TCPST_STEP_WAVE_4]           = { "Wave 4/4 (ACK)", "Wave 4/4", 0, 4, 0, ACKS_FIN_ },
    [TCPST_STEP_SIMCLOSE_FIN]     = { "Wave 1/4 (FIN, simultaneous close)", "Wave 1/4", 0, 1, 0, FIN_ },
    [TCPST_STEP_SIMCLOSE_ACK]     = { "Wave 4/4 (ACK, simultaneous close)", "Wave 4/4", 0, 4, 0, ACKS_FIN_ },
    [TCPST_STEP_RST_REFUSED]      = { "Reset (connection refused)", "Reset (connection refused)", 0, 0, 0, 0 },
    [TCPST_STEP_RST_HANDSHAKE]    = { "Reset (during handshake)", "Reset (during handshake)", 0, 0, 0, 0 },
    [TCPST_STEP_RST_ABORT_CLIENT] = { "Reset (aborted by client)", "Reset (aborted by client)", 0, 0, 0, 0 },
    [TCPST_STEP_RST_ABORT_SERVER] = { "Reset (aborted by server)", "Reset (aborted by server)", 0, 0, 0, 0 },
    [TCPST_STEP_RST_AFTER_FIN]    = { "Reset (after FIN)", "Reset (after FIN)", 0, 0, 0, 0 },
    [TCPST_STEP_RST_AFTER_CLOSE]  = { "Reset (after close)", "Reset (after close)", 0, 0, 0, 0 },
    [TCPST_STEP_RST_IGNORED]      = { "Reset (not acceptable, ignored)", "Reset (ignored)", 0, 0, 0, 0 },
    [TCPST_STEP_DUPLICATE]        = { "Duplicate", "Duplicate", 0, 0, 0, 0 },
};

const tcpst_step_info *
tcpst_step_info_of(unsigned step)
{
    return &steps[step < TCPST_N_STEPS ? step : TCPST_STEP_NONE];
}

const char *
tcpst_verdict_label(const tcpst_verdict *verdict, tcpst_label_form form, uint32_t duplicate_of,
                    char buf[TCPST_LABEL_MAX])
{
    const tcpst_step_info *step = tcpst_step_info_of(verdict->step);
    if (verdict->step == TCPST_STEP_NONE)
        return NULL;
    if (verdict->step == TCPST_STEP_DUPLICATE) {
        snprintf(buf, TCPST_LABEL_MAX, "Duplicate of frame %u", duplicate_of);
        return buf;
    }
    if (verdict->bits & TCPST_V_RETRANSMISSION) {
        snprintf(buf, TCPST_LABEL_MAX, "Retransmission of %s", step->short_label);
        return buf;
    }
    if (verdict->bits & TCPST_V_LATE) {
        /* A SYN+ACK or FIN shows up after the ACK that proved it; a handshake ACK after the
         * server's data that did. */
        bool after_ack = step->what & (TCPST_STEP_SENDS_SYN | TCPST_STEP_SENDS_SYNACK | TCPST_STEP_SENDS_FIN);
        snprintf(buf, TCPST_LABEL_MAX, "%s, captured %s",
                 form == TCPST_LABEL_SHORT ? step->short_label : step->label,
                 after_ack ? "after its ACK" : "late");
        return buf;
    }
    if (form == TCPST_LABEL_SHORT)
        return step->short_label;
    if (verdict->bits & TCPST_V_BAD_ACK) {
        /* "Handshake 2/3 (SYN+ACK)" becomes "Handshake 2/3 (SYN+ACK, ACK number is not ISN+1)" */
        snprintf(buf, TCPST_LABEL_MAX, "%.*s, ACK number is not ISN+1)",
                 (int)strlen(step->label) - 1, step->label);
        return buf;
    }
    return step->label;
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
tcpst_role_name(unsigned role)
{
    return role == TCPST_CLIENT ? "client" : role == TCPST_SERVER ? "server" : "nobody";
}
