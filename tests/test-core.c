/* test-core.c
 * Unit tests of the state machine alone (plugin/tcpstate-core.c): each test is one
 * connection, written as the segments on the wire and, per segment, the step and the two
 * states docs/steps-and-states.md prescribes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpstate-core.h"

#include <stdio.h>
#include <string.h>

enum { C = 0, S = 1 };      /* who sends: client or server */
#define F TCPST_FIN
#define SY TCPST_SYN
#define R TCPST_RST
#define A TCPST_ACK
#define RETRANS 1

typedef struct {
    int from;
    unsigned flags;
    uint32_t seq, ack, len;
    tcpst_step step;
    int retrans;
    tcpst_state client, server;
    tcpst_step missed;      /* the first step the capture missed that this packet proves */
    int late;               /* the step was proven by an earlier packet */
    tcpst_step withdrawn;   /* a filled-in FIN this packet disproves */
} packet;

static int failures, checks;

static tcpst_segment
segment(const packet *p, int client_endpoint)
{
    tcpst_segment seg = {
        .endpoint = (uint8_t)(p->from == C ? client_endpoint : !client_endpoint),
        .flags = (uint8_t)p->flags,
        .wscale = TCPST_NO_WSCALE,
        .src_port = p->from == C ? 40000 : 80,
        .dst_port = p->from == C ? 80 : 40000,
        .window = 65535,
        .seq = p->seq, .ack = p->ack, .payload_len = p->len,
    };
    return seg;
}

/* Feed the packets as the glue does (a new tcpst_conn when a SYN starts a connection anew),
 * as endpoint 0 (client port 40000) and 1 (server port 80), or swapped. Returns the verdict
 * of the last packet in *last. */
static void
run_verdicts(const char *name, const packet *pkts, size_t n, int client_endpoint,
             tcpst_conn *conn, tcpst_verdict *last)
{
    tcpst_conn_init(conn);
    for (size_t i = 0; i < n; i++) {
        const packet *p = &pkts[i];
        tcpst_segment seg = segment(p, client_endpoint);
        if (tcpst_conn_starts_anew(conn, &seg))
            tcpst_conn_init(conn);
        tcpst_verdict v;
        tcpst_evidence evidence;
        tcpst_conn_segment(conn, &seg, &v, &evidence);
        const uint8_t *missed = evidence.missed;
        *last = v;
        checks++;
        int retrans = !!(v.bits & TCPST_V_RETRANSMISSION);
        int late = !!(v.bits & TCPST_V_LATE);
        if (v.step != p->step || retrans != p->retrans || tcpst_after(&v, 0) != p->client
            || tcpst_after(&v, 1) != p->server || !!(v.bits & TCPST_V_FROM_SERVER) != (p->from == S)
            || missed[0] != p->missed || late != p->late || evidence.withdrawn != p->withdrawn
            || !!(v.bits & TCPST_V_MISSED) != (p->missed != TCPST_STEP_NONE)) {
            failures++;
            printf("FAIL %s, packet %zu: got %s%s%s | %s | %s | missed %s, want %s%s%s | %s | %s | missed %s\n",
                   name, i + 1, retrans ? "Retransmission of " : "", tcpst_step_info_of(v.step)->label,
                   late ? " (late)" : "", tcpst_state_name(tcpst_after(&v, 0)),
                   tcpst_state_name(tcpst_after(&v, 1)), tcpst_step_info_of(missed[0])->label,
                   p->retrans ? "Retransmission of " : "", tcpst_step_info_of(p->step)->label,
                   p->late ? " (late)" : "", tcpst_state_name(p->client), tcpst_state_name(p->server),
                   tcpst_step_info_of(p->missed)->label);
        }
    }
}

static void
run(const char *name, const packet *pkts, size_t n, int client_endpoint)
{
    tcpst_conn conn;
    tcpst_verdict last;
    run_verdicts(name, pkts, n, client_endpoint, &conn, &last);
}

/* The summary after the last packet: Zeek's conn_state and history, the close kind, the
 * anomalies of the last packet. */
static void
check_summary(const char *name, const packet *pkts, size_t n, tcpst_conn_state state,
              const char *history, tcpst_close_kind kind, unsigned anomalies)
{
    tcpst_conn conn;
    tcpst_verdict last;
    run_verdicts(name, pkts, n, 0, &conn, &last);
    checks++;
    if (last.conn_state != state || strncmp(conn.history, history, 64) != 0
        || last.history_len != strlen(history) || last.close_kind != kind
        || last.anomalies != anomalies) {
        failures++;
        printf("FAIL %s summary: got %s %.*s %s anomalies %#x, want %s %s %s %#x\n", name,
               tcpst_conn_state_name(last.conn_state), last.history_len, conn.history,
               tcpst_close_kind_name(last.close_kind), last.anomalies,
               tcpst_conn_state_name(state), history, tcpst_close_kind_name(kind), anomalies);
    }
}

#define SUMMARY(name, pkts, state, history, kind, anomalies) \
    check_summary(name, pkts, sizeof pkts / sizeof pkts[0], state, history, kind, anomalies)
#define BIT(a) (1u << (a))

#define RUN(name, pkts) do { \
        run(name, pkts, sizeof pkts / sizeof pkts[0], 0); \
        run(name " (endpoints swapped)", pkts, sizeof pkts / sizeof pkts[0], 1); \
    } while (0)

/* The tutorial's walk-through: x = 100, y = 500. */
static const packet tutorial[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, A,     101, 501, 10, TCPST_STEP_NONE,       0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { S, A,     501, 111, 20, TCPST_STEP_NONE,       0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   111, 521, 0, TCPST_STEP_WAVE_1,      0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
    { S, A,     521, 112, 0, TCPST_STEP_WAVE_2,      0, TCPST_FIN_WAIT_2,  TCPST_CLOSE_WAIT },
    { S, F|A,   521, 112, 0, TCPST_STEP_WAVE_3,      0, TCPST_FIN_WAIT_2,  TCPST_LAST_ACK },
    { C, A,     112, 522, 0, TCPST_STEP_WAVE_4,      0, TCPST_TIME_WAIT,   TCPST_CLOSED },
};

static const packet three_way_close[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   101, 501, 0, TCPST_STEP_WAVE_1,      0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
    /* the ACK part needs no reply, so the client shows FIN_WAIT_2 at once */
    { S, F|A,   501, 102, 0, TCPST_STEP_WAVE_2_3,    0, TCPST_FIN_WAIT_2,  TCPST_LAST_ACK },
    { C, A,     102, 502, 0, TCPST_STEP_WAVE_4,      0, TCPST_TIME_WAIT,   TCPST_CLOSED },
};

static const packet server_closes_first[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { S, F|A,   501, 101, 0, TCPST_STEP_WAVE_1,      0, TCPST_ESTABLISHED, TCPST_FIN_WAIT_1 },
    { C, A,     101, 502, 0, TCPST_STEP_WAVE_2,      0, TCPST_CLOSE_WAIT,  TCPST_FIN_WAIT_2 },
    /* half-close: the client still sends data from CLOSE_WAIT */
    { C, A,     101, 502, 50, TCPST_STEP_NONE,       0, TCPST_CLOSE_WAIT,  TCPST_FIN_WAIT_2 },
    { S, A,     502, 151, 0, TCPST_STEP_NONE,        0, TCPST_CLOSE_WAIT,  TCPST_FIN_WAIT_2 },
    { C, F|A,   151, 502, 0, TCPST_STEP_WAVE_3,      0, TCPST_LAST_ACK,    TCPST_FIN_WAIT_2 },
    { S, A,     502, 152, 0, TCPST_STEP_WAVE_4,      0, TCPST_CLOSED,      TCPST_TIME_WAIT },
};

/* FINs cross: each end's FIN does not acknowledge the other's. */
static const packet simultaneous_close[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   101, 501, 0, TCPST_STEP_WAVE_1,      0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
    { S, F|A,   501, 101, 0, TCPST_STEP_SIMCLOSE_FIN, 0, TCPST_FIN_WAIT_1, TCPST_FIN_WAIT_1 },
    /* the server still owes the client's FIN a reply, so it shows nothing yet */
    { C, A,     102, 502, 0, TCPST_STEP_SIMCLOSE_ACK, 0, TCPST_CLOSING,    TCPST_FIN_WAIT_1 },
    /* its reply: FIN_WAIT_1 -> CLOSING (the client's FIN) -> TIME_WAIT (its FIN was ACKed) */
    { S, A,     502, 102, 0, TCPST_STEP_SIMCLOSE_ACK, 0, TCPST_TIME_WAIT,  TCPST_TIME_WAIT },
};

static const packet simultaneous_open[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1,    0, TCPST_SYN_SENT, TCPST_LISTEN },
    { S, SY,    500, 0,   0, TCPST_STEP_SIMOPEN_SYN,    0, TCPST_SYN_SENT, TCPST_SYN_SENT },
    { C, SY|A,  100, 501, 0, TCPST_STEP_SIMOPEN_SYNACK, 0, TCPST_SYN_RCVD, TCPST_SYN_SENT },
    { S, SY|A,  500, 101, 0, TCPST_STEP_SIMOPEN_SYNACK, 0, TCPST_SYN_RCVD, TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { S, A,     501, 101, 0, TCPST_STEP_NONE,        0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
};

static const packet refused_and_retried[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1,  0, TCPST_SYN_SENT, TCPST_LISTEN },
    { S, R|A,   0,   101, 0, TCPST_STEP_RST_REFUSED,  0, TCPST_CLOSED,   TCPST_CLOSED },
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1,  RETRANS, TCPST_SYN_SENT, TCPST_CLOSED },
    { S, R|A,   0,   101, 0, TCPST_STEP_RST_REFUSED,  0, TCPST_CLOSED,   TCPST_CLOSED },
};

static const packet abort_by_server[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { S, R|A,   501, 101, 0, TCPST_STEP_RST_ABORT_SERVER, 0, TCPST_CLOSED, TCPST_CLOSED },
    { S, R,     501, 0,   0, TCPST_STEP_RST_AFTER_CLOSE,  0, TCPST_CLOSED, TCPST_CLOSED },
};

static const packet reset_after_fin[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   101, 501, 0, TCPST_STEP_WAVE_1,      0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
    { S, A,     501, 102, 0, TCPST_STEP_WAVE_2,      0, TCPST_FIN_WAIT_2,  TCPST_CLOSE_WAIT },
    { S, R|A,   501, 102, 0, TCPST_STEP_RST_AFTER_FIN, 0, TCPST_CLOSED,    TCPST_CLOSED },
};

/* The FIN is retransmitted after its ACK was seen: the ACK never reached the client. */
static const packet fin_retransmitted_after_ack[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, RETRANS, TCPST_SYN_SENT, TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   101, 501, 0, TCPST_STEP_WAVE_1,      0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
    { S, A,     501, 102, 0, TCPST_STEP_WAVE_2,      0, TCPST_FIN_WAIT_2,  TCPST_CLOSE_WAIT },
    { C, F|A,   101, 501, 0, TCPST_STEP_WAVE_1,      RETRANS, TCPST_FIN_WAIT_1, TCPST_CLOSE_WAIT },
    { S, A,     501, 102, 0, TCPST_STEP_WAVE_2,      RETRANS, TCPST_FIN_WAIT_2, TCPST_CLOSE_WAIT },
    /* a window update repeats the ACK but answers no retransmission: no step */
    { S, A,     501, 102, 0, TCPST_STEP_NONE,        0, TCPST_FIN_WAIT_2,  TCPST_CLOSE_WAIT },
    { S, F|A,   501, 102, 0, TCPST_STEP_WAVE_3,      0, TCPST_FIN_WAIT_2,  TCPST_LAST_ACK },
    { C, A,     102, 502, 0, TCPST_STEP_WAVE_4,      0, TCPST_TIME_WAIT,   TCPST_CLOSED },
    /* the final ACK was lost: the server's FIN again, and the client's ACK again */
    { S, F|A,   501, 102, 0, TCPST_STEP_WAVE_3,      RETRANS, TCPST_TIME_WAIT, TCPST_LAST_ACK },
    { C, A,     102, 502, 0, TCPST_STEP_WAVE_4,      RETRANS, TCPST_TIME_WAIT, TCPST_CLOSED },
};

/* The capture starts mid-connection; the server is the end on the well-known port. */
static const packet midstream[] = {
    { S, A,     7000, 3000, 100, TCPST_STEP_NONE,    0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   3000, 7100, 0, TCPST_STEP_WAVE_1,    0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
    { S, F|A,   7100, 3001, 0, TCPST_STEP_WAVE_2_3,  0, TCPST_FIN_WAIT_2,  TCPST_LAST_ACK },
    { C, A,     3001, 7101, 0, TCPST_STEP_WAVE_4,    0, TCPST_TIME_WAIT,   TCPST_CLOSED },
};

/* The capture starts at the SYN+ACK; sequence numbers wrap around 2^32. */
static const packet synack_first_wrapping[] = {
    { S, SY|A,  0xfffffff0u, 0xffffffffu, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT, TCPST_SYN_RCVD },
    { C, A,     0xffffffffu, 0xfffffff1u, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   0xffffffffu, 0xfffffff1u, 5, TCPST_STEP_WAVE_1, 0, TCPST_FIN_WAIT_1, TCPST_ESTABLISHED },
    { S, A,     0xfffffff1u, 5, 0, TCPST_STEP_WAVE_2, 0, TCPST_FIN_WAIT_2, TCPST_CLOSE_WAIT },
};

/* Data on the SYN, acknowledged by the SYN+ACK (without the Fast Open option in this table:
 * a SYN with data). */
static const packet fast_open[] = {
    { C, SY,    100, 0,   40, TCPST_STEP_HANDSHAKE_1_DATA, 0, TCPST_SYN_SENT, TCPST_LISTEN },
    { S, SY|A,  500, 141, 0,  TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     141, 501, 0,  TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
};

/* Imperfect captures (docs/steps-and-states.md, "When the capture is not complete"). */
#define MISSED(step) , step
#define LATE , TCPST_STEP_NONE, 1
#define WITHDRAWN(step) , TCPST_STEP_NONE, 0, step

/* The SYN+ACK is not captured: the client's ACK proves it (E1). */
static const packet lost_synack[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED MISSED(TCPST_STEP_HANDSHAKE_2) },
    { C, A,     101, 501, 10, TCPST_STEP_NONE,       0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
};

/* The client's FIN is not captured: the server's ACK one past the client's data proves it (E3). */
static const packet lost_fin[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 10, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { S, A,     501, 112, 0, TCPST_STEP_WAVE_2,      0, TCPST_FIN_WAIT_2,  TCPST_CLOSE_WAIT MISSED(TCPST_STEP_WAVE_1) },
    { S, F|A,   501, 112, 0, TCPST_STEP_WAVE_3,      0, TCPST_FIN_WAIT_2,  TCPST_LAST_ACK },
    { C, A,     112, 502, 0, TCPST_STEP_WAVE_4,      0, TCPST_TIME_WAIT,   TCPST_CLOSED },
};

/* The server's segments only: its data proves the handshake's ACK (E2), its ACK one past the
 * client's data the client's FIN (E3). */
static const packet server_only[] = {
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { S, A,     501, 111, 20, TCPST_STEP_NONE,       0, TCPST_ESTABLISHED, TCPST_ESTABLISHED MISSED(TCPST_STEP_HANDSHAKE_3) },
    { S, A,     521, 112, 0, TCPST_STEP_WAVE_2,      0, TCPST_FIN_WAIT_2,  TCPST_CLOSE_WAIT MISSED(TCPST_STEP_WAVE_1) },
    { S, F|A,   521, 112, 0, TCPST_STEP_WAVE_3,      0, TCPST_FIN_WAIT_2,  TCPST_LAST_ACK },
};

/* The client's segments only: its last ACK proves the server's FIN, filled in as the FIN+ACK
 * of a three-way close (E3). */
static const packet client_only[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED MISSED(TCPST_STEP_HANDSHAKE_2) },
    { C, A,     101, 501, 10, TCPST_STEP_NONE,       0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, A,     111, 531, 0, TCPST_STEP_NONE,        0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   111, 531, 0, TCPST_STEP_WAVE_1,      0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
    { C, A,     112, 532, 0, TCPST_STEP_WAVE_4,      0, TCPST_TIME_WAIT,   TCPST_CLOSED MISSED(TCPST_STEP_WAVE_2_3) },
};

/* The server's FIN captured after the client's ACK of it: the ACK proves it (E3), and the FIN
 * then changes nothing. */
static const packet reordered_fin[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   101, 501, 0, TCPST_STEP_WAVE_1,      0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
    { C, A,     102, 502, 0, TCPST_STEP_WAVE_4,      0, TCPST_TIME_WAIT,   TCPST_CLOSED MISSED(TCPST_STEP_WAVE_2_3) },
    { S, F|A,   501, 102, 0, TCPST_STEP_WAVE_2_3,    0, TCPST_TIME_WAIT,   TCPST_CLOSED LATE },
};

/* The client's FIN is lost; its own next sequence number proves it (E4). The server's FIN came
 * before the client's ACK of it and the client's FIN did not acknowledge it: the FINs crossed,
 * and the client's FIN shows up last. */
static const packet own_fin_lost[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { S, F|A,   501, 101, 0, TCPST_STEP_WAVE_1,      0, TCPST_ESTABLISHED, TCPST_FIN_WAIT_1 },
    { C, A,     102, 502, 0, TCPST_STEP_SIMCLOSE_ACK, 0, TCPST_CLOSING,    TCPST_FIN_WAIT_1 MISSED(TCPST_STEP_SIMCLOSE_FIN) },
    { C, F|A,   101, 501, 0, TCPST_STEP_SIMCLOSE_FIN, 0, TCPST_CLOSING,    TCPST_FIN_WAIT_1 LATE },
};

/* The client's segments only, of a session of single bytes: an ACK one past the server's
 * echo reads as the server's FIN until the next ACK goes past it; the FIN is withdrawn, and
 * one-past ACKs of this server prove no FIN any more. */
static const packet single_bytes[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED MISSED(TCPST_STEP_HANDSHAKE_2) },
    { C, A,     101, 501, 1, TCPST_STEP_NONE,        0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, A,     102, 502, 0, TCPST_STEP_WAVE_2,      0, TCPST_CLOSE_WAIT,  TCPST_FIN_WAIT_2 MISSED(TCPST_STEP_WAVE_1) },
    { C, A,     102, 503, 0, TCPST_STEP_NONE,        0, TCPST_ESTABLISHED, TCPST_ESTABLISHED WITHDRAWN(TCPST_STEP_WAVE_1) },
    { C, A,     102, 504, 1, TCPST_STEP_NONE,        0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, F|A,   103, 504, 0, TCPST_STEP_WAVE_1,      0, TCPST_FIN_WAIT_1,  TCPST_ESTABLISHED },
};

/* The tutorial's check fails: the SYN+ACK does not acknowledge x+1. Linux answers with a
 * RST (RFC 9293 3.10.7.3) and stays in SYN_SENT; the server goes back to LISTEN. */
static const packet bad_synack[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT, TCPST_LISTEN },
    { S, SY|A,  500, 999, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT, TCPST_SYN_RCVD },
    { C, R,     999, 0,   0, TCPST_STEP_RST_HANDSHAKE, 0, TCPST_SYN_SENT, TCPST_LISTEN },
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, RETRANS, TCPST_SYN_SENT, TCPST_LISTEN },
};

/* A second connection on the same 4-tuple inside one stream. */
static const packet reuse[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { C, R|A,   101, 501, 0, TCPST_STEP_RST_ABORT_CLIENT, 0, TCPST_CLOSED, TCPST_CLOSED },
    { C, SY,    9000, 0,  0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
};

/* A RST whose ACK does not acknowledge the SYN cannot reset a connecting client (RFC 9293
 * 3.10.7.3), as when an off-path RST is injected; the real SYN+ACK then goes on. */
static const packet injected_reset[] = {
    { C, SY,    100, 0,   0, TCPST_STEP_HANDSHAKE_1, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, R|A,   0,   100, 0, TCPST_STEP_RST_IGNORED, 0, TCPST_SYN_SENT,    TCPST_LISTEN },
    { S, SY|A,  500, 101, 0, TCPST_STEP_HANDSHAKE_2, 0, TCPST_SYN_SENT,    TCPST_SYN_RCVD },
    { C, A,     101, 501, 0, TCPST_STEP_HANDSHAKE_3, 0, TCPST_ESTABLISHED, TCPST_ESTABLISHED },
    { S, R|A,   501, 101, 0, TCPST_STEP_RST_ABORT_SERVER, 0, TCPST_CLOSED, TCPST_CLOSED },
    /* after both ends closed, a FIN is no step of a close */
    { S, F|A,   501, 101, 0, TCPST_STEP_NONE,        0, TCPST_CLOSED,      TCPST_CLOSED },
};

static void
test_bad_ack_is_flagged(void)
{
    tcpst_conn conn;
    tcpst_verdict v;
    tcpst_segment syn = { .endpoint = 0, .flags = SY, .src_port = 40000, .dst_port = 80, .seq = 100 };
    tcpst_segment synack = { .endpoint = 1, .flags = SY | A, .src_port = 80, .dst_port = 40000,
                             .seq = 500, .ack = 999 };
    tcpst_conn_init(&conn);
    tcpst_evidence evidence;
    tcpst_conn_segment(&conn, &syn, &v, &evidence);
    tcpst_conn_segment(&conn, &synack, &v, &evidence);
    checks++;
    if (!(v.bits & TCPST_V_BAD_ACK) || tcpst_conn_expected_ack(&conn, &v) != 101) {
        failures++;
        printf("FAIL bad SYN+ACK ACK number not flagged (bits %#x, expected_ack %u)\n",
               v.bits, tcpst_conn_expected_ack(&conn, &v));
    }
}

static void
test_inferred_only_without_syn(void)
{
    tcpst_conn conn;
    tcpst_verdict v;
    tcpst_segment data = { .endpoint = 1, .flags = A, .src_port = 80, .dst_port = 40000 };
    tcpst_conn_init(&conn);
    tcpst_evidence evidence;
    tcpst_conn_segment(&conn, &data, &v, &evidence);
    checks++;
    if (!(v.bits & TCPST_V_INFERRED) || !(v.bits & TCPST_V_FROM_SERVER)) {
        failures++;
        printf("FAIL mid-stream segment from port 80: bits %#x\n", v.bits);
    }
}

int
main(void)
{
    RUN("tutorial", tutorial);
    RUN("three-way close", three_way_close);
    RUN("server closes first, half-close", server_closes_first);
    RUN("simultaneous close", simultaneous_close);
    RUN("simultaneous open", simultaneous_open);
    RUN("refused and retried", refused_and_retried);
    RUN("abort by server", abort_by_server);
    RUN("reset after FIN", reset_after_fin);
    RUN("retransmissions", fin_retransmitted_after_ack);
    RUN("mid-stream", midstream);
    RUN("SYN+ACK first, wrapping", synack_first_wrapping);
    RUN("Fast Open", fast_open);
    RUN("bad SYN+ACK", bad_synack);
    RUN("reuse", reuse);
    RUN("injected reset", injected_reset);
    RUN("lost SYN+ACK", lost_synack);
    RUN("lost FIN", lost_fin);
    RUN("server only", server_only);
    RUN("client only", client_only);
    RUN("FIN captured after its ACK", reordered_fin);
    RUN("own FIN lost", own_fin_lost);
    RUN("single bytes, one way", single_bytes);
    SUMMARY("tutorial", tutorial, TCPST_CS_SF, "ShADdFaf", TCPST_CLOSE_FOUR_WAY, 0);
    SUMMARY("three-way close", three_way_close, TCPST_CS_SF, "ShAFf", TCPST_CLOSE_THREE_WAY, 0);
    SUMMARY("simultaneous close", simultaneous_close, TCPST_CS_SF, "ShAFfa",
            TCPST_CLOSE_SIMULTANEOUS, 0);
    SUMMARY("refused", refused_and_retried, TCPST_CS_REJ, "Sr", TCPST_CLOSE_REFUSED, 0);
    SUMMARY("abort by server", abort_by_server, TCPST_CS_RSTR, "ShAr", TCPST_CLOSE_RESET,
            BIT(TCPST_A_AFTER_CLOSE));
    SUMMARY("mid-stream", midstream, TCPST_CS_SF, "^dFfA", TCPST_CLOSE_THREE_WAY, 0);
    SUMMARY("final ACK again", fin_retransmitted_after_ack, TCPST_CS_SF, "ShAFaf",
            TCPST_CLOSE_FOUR_WAY, BIT(TCPST_A_FINAL_ACK_RETRANSMITTED));
    /* the client's RST is in the server's window: Zeek's originator is RESET for good */
    SUMMARY("bad SYN+ACK", bad_synack, TCPST_CS_RSTO, "ShR", TCPST_CLOSE_RESET, 0);
    /* Zeek counts the injected RST, which RFC 9293 drops: the server is RESET from its first
     * segment on, its SYN+ACK establishes nothing, and the client stays SYN_SENT: REJ */
    SUMMARY("injected reset", injected_reset, TCPST_CS_REJ, "SrhArf", TCPST_CLOSE_RESET,
            BIT(TCPST_A_AFTER_CLOSE));
    test_bad_ack_is_flagged();
    test_inferred_only_without_syn();

    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
