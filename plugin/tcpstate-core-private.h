/* tcpstate-core-private.h
 * What the core's two files share and nobody else needs: the segment as the rules read it,
 * the bits of what an end has sent, and sequence arithmetic. tcpstate-core.c calls into
 * tcpstate-verdicts.c through the functions at the end; tcpstate-verdicts.c calls nothing in
 * tcpstate-core.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPSTATE_CORE_PRIVATE_H
#define TCPSTATE_CORE_PRIVATE_H

#include "tcpstate-core.h"

/* What an end has sent (tcb.sent). */
#define SENT_SYN        0x01    /* a SYN or a SYN+ACK: isn is valid */
#define SENT_SYNACK     0x02    /* a SYN+ACK whose ACK covered the peer's SYN */
#define SENT_FIN        0x04
#define SENT_ACK        0x08    /* any segment with the ACK flag: max_ack is valid */
#define SENT_BARE_SYN   0x10    /* a SYN without ACK */
#define SENT_ANY_SYNACK 0x20    /* a SYN+ACK, whatever its ACK number */
#define SENT_SEQ        0x40    /* any segment but a RST: next_seq is valid */

/* Which receipts an end's shown state already reflects (tcb.applied; docs/steps-and-states.md,
 * rules 1-2). */
#define GOT_SYN       0x01      /* the peer's SYN */
#define GOT_SYN_ACKED 0x02      /* the ACK of its own SYN */
#define GOT_FIN       0x04      /* the peer's FIN */
#define GOT_FIN_ACKED 0x08      /* the ACK of its own FIN */

/* Which of an end's steps were filled in from evidence and not captured yet
 * (steps.not_captured): when one shows up, it is labelled as captured late. */
#define NOT_CAPTURED_SYN          0x01
#define NOT_CAPTURED_SYNACK       0x02
#define NOT_CAPTURED_HANDSHAKE_ACK 0x04
#define NOT_CAPTURED_FIN          0x08

/* Which kinds of close step happened (tcpst_conn.closes). */
#define CLOSE_REFUSED      0x01
#define CLOSE_RESET        0x02
#define CLOSE_SIMULTANEOUS 0x04
#define CLOSE_THREE_WAY    0x08
#define CLOSE_FOUR_WAY     0x10

/* What a segment is to the rules, decided once from its flags in the order RFC 9293 checks
 * them (3.10.7.4: RST before SYN, SYN before FIN), as conntrack's get_conntrack_index does:
 * a SYN+RST is a reset, a SYN+FIN is a SYN. */
typedef enum {
    SEG_RST,
    SEG_SYN,            /* a SYN without ACK */
    SEG_SYNACK,
    SEG_FIN,
    SEG_OTHER           /* anything else: an ACK, data, or no flag at all */
} seg_kind;

/* One segment, decoded once; the rules read this. */
typedef struct {
    const tcpst_segment *raw;
    tcpst_role from;        /* who sent it */
    seg_kind kind;
    bool syn, ack, fin, rst;    /* the flags as sent: odd combinations matter to the verdicts */
    bool filled_in;         /* not captured: a segment the evidence proves was sent */
} seg_view;

/* Sequence-number order, modulo 2^32. */
static inline bool
seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

static inline bool
seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

/* Does this segment's ACK number cover the byte at sequence number n (a SYN or a FIN)? */
static inline bool
ack_covers(const seg_view *seg, uint32_t n)
{
    return seg->ack && seq_gt(seg->raw->ack, n);
}

/* Has this end, in any segment so far, acknowledged sequence number n? */
static inline bool
has_acked(const tcpst_end *end, uint32_t n)
{
    return (end->tcb.sent & SENT_ACK) && seq_gt(end->tcb.max_ack, n);
}

static inline bool
is_synchronized(uint8_t state)
{
    return state >= TCPST_ESTABLISHED;
}

static inline bool
both_closed(const tcpst_conn *conn)
{
    return conn->end[TCPST_CLIENT].tcb.state == TCPST_CLOSED
        && conn->end[TCPST_SERVER].tcb.state == TCPST_CLOSED;
}

/* Both ends synchronized (ESTABLISHED up to LAST_ACK). */
static inline bool
conn_is_open(const tcpst_conn *conn)
{
    for (int role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
        uint8_t state = conn->end[role].tcb.state;
        if (!is_synchronized(state) || state == TCPST_TIME_WAIT)
            return false;
    }
    return true;
}

/* tcpstate-verdicts.c, in the order tcpst_conn_segment() calls them. */

/* Zeek's "^": the connection's first segment came from the server. */
void tcpst_history_flipped(tcpst_conn *conn);

/* Anomalies that show in the segment and the states before it. */
uint16_t tcpst_anomalies_before(const tcpst_conn *conn, const seg_view *seg);
/* Zeek's history letters for the segment, before it changes anything. */
void tcpst_history_add(tcpst_conn *conn, const seg_view *seg);
/* Zeek's endpoint statuses, by what the segment's sender sent. */
void tcpst_zeek_status_update(tcpst_conn *conn, const seg_view *seg);
/* Anomalies that show only once the segment is judged. */
uint16_t tcpst_anomalies_after(const tcpst_conn *conn, const seg_view *seg,
                               const tcpst_verdict *verdict);
/* The connection's summary as of now. */
uint8_t tcpst_zeek_conn_state(const tcpst_conn *conn);
uint8_t tcpst_close_kind_of(const tcpst_conn *conn);
/* Has the connection carried payload or a RST, in either direction? */
bool tcpst_carried_data_or_reset(const tcpst_conn *conn);

#endif /* TCPSTATE_CORE_PRIVATE_H */
