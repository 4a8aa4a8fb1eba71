/* tcpstate-tap.h
 * What the dissector (packet-tcpstate.c) hands the reports (plugin/tcpstate-reports.c): the
 * "tcpstate" tap's record of each judged TCP header, and the connection it points to. The
 * reports read these and call the core; they call nothing in the dissector.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPSTATE_TAP_H
#define TCPSTATE_TAP_H

#include <string.h>

#include <epan/address.h>
#include <wsutil/nstime.h>

#include "tcpstate-core.h"
#include "tcpstate-explain.h"

/* A connection's two ends, client first; also its key among the connections of the capture
 * (either direction matches). Addresses are kept inline: an IPv4 or IPv6 address copied into
 * its own allocation would cost more than the address. */
#define TCPSTATE_ADDR_MAX 16         /* an IPv6 address */

typedef struct {
    guint8 addr_type;               /* address_type of both */
    guint8 addr_len;
    guint16 port[2];                /* client, server */
    guint8 addr[2][TCPSTATE_ADDR_MAX];
} tcpstate_tuple;

/* A capture time in nanoseconds since 1970: half the size of an nstime_t, and a connection
 * keeps four. Seconds beyond +-4e9 (years 1843 to 2096) are clamped, which keeps the difference
 * of two such times within 64 bits. */
typedef gint64 tcpstate_time;

static inline tcpstate_time
tcpstate_time_of(const nstime_t *t)
{
    gint64 secs = CLAMP((gint64)t->secs, -G_GINT64_CONSTANT(4000000000), G_GINT64_CONSTANT(4000000000));
    return secs * 1000000000 + t->nsecs;
}

static inline void
tcpstate_time_delta(nstime_t *delta, tcpstate_time later, tcpstate_time earlier)
{
    gint64 ns = later - earlier;
    delta->secs = (time_t)(ns / 1000000000);
    delta->nsecs = (int)(ns % 1000000000);
}

/* What the first pass keeps per connection: the state machine, its ends, and what links and
 * times its steps. Frame numbers are set once, when the step happens, so a packet shows only
 * those at or before it. */
typedef struct {
    /* What every segment touches first, side by side: fewer cache lines per segment. */
    tcpstate_tuple tuple;
    tcpst_conn core;
    guint32 first_frame;            /* where it started: its tcp.stream is TCP's there */
    guint32 stream_plus_1;          /* TCP's tcp.stream + 1 once asked for, 0 before */
    guint32 ref;                    /* its place in the list of connections, from 1 */
    gboolean captured_twice;        /* the capture holds segments of it twice, */
    guint32 copy_delay_us;          /* the second copy this long after the first */
    guint32 syn_frame, synack_frame, ack_frame;
    guint32 fin_frame[2];           /* first FIN of the client, of the server */
    /* The SYN the SYN+ACK answers: the client's last one captured before it (a retry after a
     * lost SYN included), or, when the SYN+ACK came first, the first one after it. */
    guint32 answered_syn_frame;
    tcpstate_time syn_time, synack_time, ack_time, answered_syn_time;
    tcpstate_time time_wait_since;  /* when an end last entered TIME_WAIT */
    /* The frame from which each end's ISN ([role][TCPSTATE_ISN]) and FIN sequence number
     * ([role][TCPSTATE_FIN]) is known, 0 before: an explanation reads them as of its packet. */
    guint32 number_known_since[2][2];
} tcpstate_conn_record;
enum { TCPSTATE_ISN, TCPSTATE_FIN };

/* Why the first pass did not judge a TCP header of a frame. */
typedef enum {
    RECORD_NONE,            /* no TCP header in this frame */
    RECORD_TRUNCATED,       /* fewer than 20 bytes of the header were captured */
    RECORD_BAD_HEADER,      /* data offset below 5 words */
    RECORD_NO_CONVERSATION  /* TCP kept no conversation for it, or its addresses are not IP */
} tcpstate_record_status;

/* One judged TCP header: what the "tcpstate" tap hands the reports. */
#define TCPSTATE_NO_STREAM G_MAXUINT32
typedef struct {
    const tcpst_verdict *verdict;
    const tcpstate_conn_record *conn;
    guint32 stream;             /* tcp.stream, or TCPSTATE_NO_STREAM if TCP kept none */
    guint8 flags;               /* the header's flag byte (TCPST_SYN | ...) */
    guint32 seq, ack;           /* as tcp.seq and tcp.ack show them: relative when TCP's
                                   preferences say so */
    guint32 abs_seq, abs_ack;   /* as in the header */
    guint32 payload_len;        /* tcp.len */
    guint32 duplicate_of;       /* with TCPST_STEP_DUPLICATE: the frame of the first copy */
    tcpstate_time time_wait_ends;   /* with an end in TIME_WAIT after it: when that end reaches
                                       CLOSED (the TIME_WAIT preference) */
    guint8 language;            /* tcpst_language: the tcpstate.language preference */
} tcpstate_tap_record;

/* What an explanation (or the ladder's letters) of a segment is made of, but the evidence and
 * the TIME_WAIT preference, which the caller adds where it has them. */
static inline void
tcpstate_explain_input(const tcpst_verdict *verdict, const tcpstate_conn_record *conn, guint8 flags,
                       guint32 abs_seq, guint32 abs_ack, guint32 seq, guint32 ack, guint32 payload_len,
                       guint32 duplicate_of, tcpst_explain_input *in)
{
    memset(in, 0, sizeof *in);
    in->verdict = verdict;
    in->flags = flags;
    in->seq = abs_seq;
    in->ack = abs_ack;
    in->rel_seq = seq;
    in->rel_ack = ack;
    in->payload_len = payload_len;
    in->duplicate_of = duplicate_of;
    for (unsigned role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
        in->isn_known[role] = tcpst_conn_isn(&conn->core, role, &in->isn[role]);
        in->fin_known[role] = tcpst_conn_fin_seq(&conn->core, role, &in->fin_seq[role]);
    }
}

/* The address of one end of a tuple, pointing into it. */
static inline void
tcpstate_tuple_address(const tcpstate_tuple *tuple, int end, address *out)
{
    set_address(out, (address_type)tuple->addr_type, tuple->addr_len, tuple->addr[end]);
}

/* The address of the client (TCPST_CLIENT) or server, pointing into the connection. */
static inline void
tcpstate_conn_address(const tcpstate_conn_record *conn, int role, address *out)
{
    tcpstate_tuple_address(&conn->tuple, role, out);
}

/* plugin/tcpstate-reports.c: the -z reports, the GUI's statistics and the Flow Graph's flow
 * type, on the "tcpstate" tap of the protocol proto. */
void tcpstate_register_reports(int proto);

#endif /* TCPSTATE_TAP_H */
