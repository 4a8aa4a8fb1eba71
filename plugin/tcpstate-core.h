/* tcpstate-core.h
 * The TCP connection state machine behind tcpstate: pure C, no Wireshark types, so it can be
 * read, changed and unit-tested on its own.
 *
 *   tcpstate-core.c      the ends' RFC 9293 states and the step of each segment
 *                        (docs/steps-and-states.md)
 *   tcpstate-verdicts.c  what the connection amounts to: Zeek's conn_state and history, the
 *                        close kind, the anomalies (docs/verdicts.md)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPSTATE_CORE_H
#define TCPSTATE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 9293 connection states. The values are stored per packet and shown by name. */
typedef enum {
    TCPST_CLOSED,
    TCPST_LISTEN,
    TCPST_SYN_SENT,
    TCPST_SYN_RCVD,
    TCPST_ESTABLISHED,
    TCPST_FIN_WAIT_1,
    TCPST_FIN_WAIT_2,
    TCPST_CLOSE_WAIT,
    TCPST_CLOSING,
    TCPST_LAST_ACK,
    TCPST_TIME_WAIT,
    TCPST_N_STATES
} tcpst_state;

/* Which step of the handshake or close a segment is; the label of each is in the step table
 * (tcpst_step_info). */
typedef enum {
    TCPST_STEP_NONE,                /* data or a plain ACK */
    TCPST_STEP_HANDSHAKE_1,
    TCPST_STEP_HANDSHAKE_1_DATA,    /* SYN carrying data, without the Fast Open option */
    TCPST_STEP_HANDSHAKE_1_FAST_OPEN,   /* SYN carrying data and the Fast Open option */
    TCPST_STEP_HANDSHAKE_2,
    TCPST_STEP_HANDSHAKE_3,
    TCPST_STEP_SIMOPEN_SYN,
    TCPST_STEP_SIMOPEN_SYNACK,
    TCPST_STEP_WAVE_1,
    TCPST_STEP_WAVE_2,
    TCPST_STEP_WAVE_3,
    TCPST_STEP_WAVE_2_3,
    TCPST_STEP_WAVE_4,
    TCPST_STEP_SIMCLOSE_FIN,
    TCPST_STEP_SIMCLOSE_ACK,
    TCPST_STEP_RST_REFUSED,
    TCPST_STEP_RST_HANDSHAKE,
    TCPST_STEP_RST_ABORT_CLIENT,
    TCPST_STEP_RST_ABORT_SERVER,
    TCPST_STEP_RST_AFTER_FIN,
    TCPST_STEP_RST_AFTER_CLOSE,
    TCPST_STEP_RST_IGNORED,         /* a RST the receiver must drop (RFC 9293 3.10.7.3) */
    TCPST_STEP_DUPLICATE,           /* the capture holds an earlier copy of this very packet */
    TCPST_N_STEPS
} tcpst_step;

typedef enum { TCPST_CLIENT = 0, TCPST_SERVER = 1, TCPST_NOBODY = 2 } tcpst_role;

/* Zeek's conn_state codes (docs/verdicts.md). */
typedef enum {
    TCPST_CS_S0, TCPST_CS_S1, TCPST_CS_SF, TCPST_CS_REJ, TCPST_CS_S2, TCPST_CS_S3,
    TCPST_CS_RSTO, TCPST_CS_RSTR, TCPST_CS_RSTOS0, TCPST_CS_RSTRH, TCPST_CS_SH, TCPST_CS_SHR,
    TCPST_CS_OTH, TCPST_N_CONN_STATES
} tcpst_conn_state;

/* How the connection closed, so far (docs/verdicts.md). */
typedef enum {
    TCPST_CLOSE_NONE, TCPST_CLOSE_FOUR_WAY, TCPST_CLOSE_THREE_WAY, TCPST_CLOSE_SIMULTANEOUS,
    TCPST_CLOSE_HALF, TCPST_CLOSE_RESET, TCPST_CLOSE_REFUSED, TCPST_N_CLOSE_KINDS
} tcpst_close_kind;

/* Anomalies of one segment: bits of tcpst_verdict.anomalies. Each has a row in the anomaly
 * table (tcpst_anomaly_info), which docs/verdicts.md describes. */
typedef enum {
    TCPST_A_HANDSHAKE_ACK,
    TCPST_A_SYNACK_WITHOUT_SYN,
    TCPST_A_DATA_BEFORE_HANDSHAKE,
    TCPST_A_DATA_AFTER_FIN,
    TCPST_A_DATA_AFTER_RST,
    TCPST_A_SYN_ON_ESTABLISHED,
    TCPST_A_SYN_FIN,
    TCPST_A_SYN_RST,
    TCPST_A_NULL_FLAGS,
    TCPST_A_AFTER_CLOSE,
    TCPST_A_RST_OUT_OF_WINDOW,
    TCPST_A_REUSE_IN_TIME_WAIT,
    TCPST_A_FIN_RETRANSMITTED,
    TCPST_A_FINAL_ACK_RETRANSMITTED,
    TCPST_A_STEP_NOT_CAPTURED,
    TCPST_N_ANOMALIES
} tcpst_anomaly;

/* TCP header flag bits, as on the wire (the 13th byte of the header). */
#define TCPST_FIN 0x01
#define TCPST_SYN 0x02
#define TCPST_RST 0x04
#define TCPST_ACK 0x10

#define TCPST_NO_WSCALE 0xff

/* One TCP segment, as the glue reads it from the header. */
typedef struct {
    uint8_t  endpoint;      /* which end sent it: 0 or 1, stable for the connection */
    uint8_t  flags;         /* all eight flag bits: TCPST_FIN | TCPST_SYN | ... */
    uint8_t  wscale;        /* window scale option of a SYN, or TCPST_NO_WSCALE */
    uint8_t  fast_open;     /* a SYN carrying the Fast Open option (RFC 7413) */
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t window;        /* the raw window field */
    uint32_t seq;
    uint32_t ack;
    uint32_t payload_len;
} tcpst_segment;

/* Verdict bits. */
#define TCPST_V_RETRANSMISSION 0x01  /* the step is a retransmission of an earlier one */
#define TCPST_V_INFERRED       0x02  /* the states rest on inference: the capture missed the
                                      * SYN, or a step later packets proved */
#define TCPST_V_BAD_ACK        0x04  /* handshake ACK number is not the peer's ISN+1 */
#define TCPST_V_FROM_SERVER    0x08  /* the server sent this segment */
#define TCPST_V_LATE           0x10  /* a step the states already show: an earlier packet
                                      * proved it before the capture held it */
#define TCPST_V_MISSED         0x20  /* this segment proves steps the capture missed */
#define TCPST_V_PEER_UNSEEN    0x40  /* the capture holds no segment of the other end, whose
                                      * steps were filled in from this end's */
#define TCPST_V_WITHDRAWN      0x80  /* this segment disproves a FIN filled in earlier */

/* What a segment proves beyond its own step (docs/steps-and-states.md, "When the capture is
 * not complete"): with TCPST_V_MISSED, the steps the capture missed (in order, then
 * TCPST_STEP_NONE); with TCPST_V_WITHDRAWN, the step of a FIN filled in earlier that it shows
 * was a last data byte. */
#define TCPST_MAX_MISSED 2
typedef struct {
    uint8_t missed[TCPST_MAX_MISSED];
    uint8_t withdrawn;
} tcpst_evidence;

/* What tcpstate says about one segment; stored per frame by the glue. Everything in it is
 * the connection as of this segment, never a later value. 8 bytes: a capture of millions of
 * packets keeps one per TCP header. */
typedef struct {
    unsigned step : 5;              /* tcpst_step */
    unsigned bits : 8;              /* TCPST_V_* */
    unsigned closed_by : 2;         /* tcpst_role of the first FIN or RST so far */
    unsigned conn_state : 4;        /* tcpst_conn_state */
    unsigned close_kind : 3;        /* tcpst_close_kind */
    unsigned history_len : 6;       /* how much of the connection's history existed */
    uint16_t states;                /* tcpst_state of client and server before the segment,
                                     * then after it: a nibble each (tcpst_before/after) */
    uint16_t anomalies;             /* 1 << tcpst_anomaly */
} tcpst_verdict;

/* The state of the client (TCPST_CLIENT) or server before and after the segment. */
static inline unsigned
tcpst_before(const tcpst_verdict *verdict, unsigned role)
{
    return (verdict->states >> (4 * role)) & 0xf;
}

static inline unsigned
tcpst_after(const tcpst_verdict *verdict, unsigned role)
{
    return (verdict->states >> (8 + 4 * role)) & 0xf;
}

/* Did the segment change the state of that end? */
static inline bool
tcpst_changed(const tcpst_verdict *verdict, unsigned role)
{
    return tcpst_before(verdict, role) != tcpst_after(verdict, role);
}

/* Which end sent the segment: TCPST_CLIENT or TCPST_SERVER. */
static inline unsigned
tcpst_sender(const tcpst_verdict *verdict)
{
    return (verdict->bits & TCPST_V_FROM_SERVER) ? TCPST_SERVER : TCPST_CLIENT;
}

/* One end of a connection, as far as the capture shows it, in three parts that change for
 * different reasons. */
typedef struct {
    /* What RFC 9293 says of the end (docs/steps-and-states.md): its state, and what its
     * segments and the peer's showed of its sequence space. Starts afresh when the end
     * does (a RST back to LISTEN). */
    struct {
        uint8_t  state;         /* tcpst_state */
        uint8_t  sent;          /* SENT_* bits: what this end has sent */
        uint8_t  applied;       /* GOT_* bits: which receipts its state already reflects */
        uint8_t  wscale;        /* its SYN's window scale option, or TCPST_NO_WSCALE */
        uint8_t  was_synchronized;  /* it has been ESTABLISHED or later */
        uint8_t  sends_single_bytes;    /* an ACK one past its data proved a byte, not a FIN */
        uint32_t isn;           /* sequence number of its SYN */
        uint32_t syn_len;       /* payload carried on its SYN */
        uint32_t fin_seq;       /* sequence number its FIN occupies */
        uint32_t max_ack;       /* highest ACK number it has sent */
        uint32_t next_seq;      /* sequence number after the last byte, SYN or FIN it sent */
        uint32_t window;        /* its last advertised window, scaled */
    } tcb;
    /* Which step each of its control segments was, to label them when sent again. */
    struct {
        uint8_t  syn;           /* the step its SYN was */
        uint8_t  synack;        /* the step its SYN+ACK was */
        uint8_t  fin;           /* the step its FIN was */
        uint8_t  ack;           /* its last step made with an ACK alone (3/3, 2/4, 4/4) */
        uint8_t  peer_resent;   /* the peer sent its SYN+ACK or FIN again since that step */
        uint8_t  not_captured;  /* NOT_CAPTURED_* bits: its steps filled in, not yet seen */
        uint32_t ack_seq;       /* seq and ack of that step, to recognise it sent again */
        uint32_t ack_ack;
    } steps;
    /* Zeek's bookkeeping of what the end sent (docs/verdicts.md): kept for the whole
     * connection, whatever the RFC state does. */
    struct {
        uint8_t  status;        /* Zeek's endpoint status */
        uint8_t  prev_status;   /* the one before it */
        uint8_t  seen;          /* history letters recorded (and whether it sent payload) */
        uint32_t letter_seq[3]; /* seq of its last S or H, F, R letter, to repeat them only anew */
        uint32_t retransmits;   /* payload retransmissions and zero windows, for T and W */
        uint32_t zero_windows;
    } zeek;
} tcpst_end;

#define TCPST_HISTORY_MAX 48

typedef struct {
    tcpst_end end[2];       /* indexed by tcpst_role */
    uint8_t   client_endpoint;  /* the segment endpoint number of the client */
    uint8_t   started;
    uint8_t   inferred;
    uint8_t   closes;       /* CLOSE_* bits: which kinds of close step happened */
    uint8_t   closed_by;    /* tcpst_role */
    uint8_t   history_len;
    uint8_t   tfo_accepted; /* the SYN+ACK acknowledged the data on the SYN */
    uint8_t   captured_from;    /* 1 << tcpst_role: the ends the capture holds a segment of */
    uint8_t   filled_in_for;    /* 1 << tcpst_role: the ends a missed segment was filled in for */
    char      history[TCPST_HISTORY_MAX + 1];   /* Zeek's letters, NUL-terminated */
} tcpst_conn;

void tcpst_conn_init(tcpst_conn *conn);

/* Is this segment, on a connection both of whose ends are done, a SYN (or, when the capture
 * missed that, the server's SYN+ACK) that starts a new connection on the same 4-tuple? (The
 * caller then starts a new tcpst_conn.) */
bool tcpst_conn_starts_anew(const tcpst_conn *conn, const tcpst_segment *seg);

/* Is this SYN or SYN+ACK its sender's first, or the same one again, on a connection that has
 * carried neither data nor a RST? It then continues the handshake in progress, and no stream
 * tracking (Wireshark's TCP included) starts a new stream at it. */
bool tcpst_conn_continues_handshake(const tcpst_conn *conn, const tcpst_segment *seg);

/* Are both ends synchronized (ESTABLISHED up to LAST_ACK)? */
bool tcpst_conn_is_open(const tcpst_conn *conn);

/* Does either end of the connection sit in TIME_WAIT? */
bool tcpst_conn_in_time_wait(const tcpst_conn *conn);

/* The client's ISN, for telling a new connection's SYN from the same one again. */
uint32_t tcpst_conn_client_isn(const tcpst_conn *conn);

/* The sequence number of an end's SYN (its ISN) and of its FIN, as the connection stands
 * now; false while the end has sent none (or its SYN or FIN is not known). */
bool tcpst_conn_isn(const tcpst_conn *conn, unsigned role, uint32_t *isn);
bool tcpst_conn_fin_seq(const tcpst_conn *conn, unsigned role, uint32_t *fin_seq);

/* With TCPST_V_BAD_ACK: the ACK number the handshake segment should have carried (the
 * peer's ISN+1). */
uint32_t tcpst_conn_expected_ack(const tcpst_conn *conn, const tcpst_verdict *verdict);

/* Feed the next segment of the connection, in capture order; fills *verdict and *evidence. */
void tcpst_conn_segment(tcpst_conn *conn, const tcpst_segment *seg, tcpst_verdict *verdict,
                        tcpst_evidence *evidence);

/* A segment the capture holds twice: the verdict of its copy, which changes nothing. */
void tcpst_conn_duplicate(const tcpst_conn *conn, const tcpst_segment *seg, tcpst_verdict *verdict);

/* The step table: one row per tcpst_step. */
#define TCPST_STEP_SENDS_SYN        0x01    /* a SYN without ACK: the connection's first */
#define TCPST_STEP_SENDS_SYNACK     0x02
#define TCPST_STEP_ENDS_HANDSHAKE   0x04    /* the handshake's third segment */
#define TCPST_STEP_SENDS_FIN        0x08
#define TCPST_STEP_ACKS_FIN         0x10    /* acknowledges the peer's FIN for the first time */
typedef struct {
    const char *label;          /* "Handshake 1/3 (SYN)" */
    const char *short_label;    /* "Handshake 1/3", for the Info column */
    uint8_t handshake;          /* the handshake step number (1-3), or 0 */
    uint8_t wave, wave_second;  /* the close step numbers; the second for a combined segment */
    uint8_t what;               /* TCPST_STEP_* bits */
} tcpst_step_info;

const tcpst_step_info *tcpst_step_info_of(unsigned step);

/* The step of a verdict as shown: "Retransmission of Wave 1/4", "Handshake 2/3 (SYN+ACK, ACK
 * number is not ISN+1)", "Wave 3/4 (FIN), captured after its ACK", "Duplicate of frame 7"
 * (duplicate_of: the frame of the first copy); the short form ("Handshake 2/3") for the Info
 * column. Returns the label, written into buf where it is not a constant; NULL for a segment
 * that is no step. */
#define TCPST_LABEL_MAX 96
typedef enum { TCPST_LABEL_FULL, TCPST_LABEL_SHORT } tcpst_label_form;
const char *tcpst_verdict_label(const tcpst_verdict *verdict, tcpst_label_form form,
                                uint32_t duplicate_of, char buf[TCPST_LABEL_MAX]);

/* The anomaly table: one row per tcpst_anomaly. Group and severity are Wireshark's expert
 * info ones, named here without Wireshark's types. */
typedef enum {
    TCPST_GROUP_SEQUENCE, TCPST_GROUP_PROTOCOL, TCPST_GROUP_MALFORMED, TCPST_GROUP_SECURITY
} tcpst_expert_group;
typedef enum { TCPST_SEVERITY_NOTE, TCPST_SEVERITY_WARN } tcpst_expert_severity;
typedef struct {
    const char *name;           /* "data_after_fin": the expert field is tcpstate.anomaly.NAME */
    const char *summary;        /* the expert item's text */
    uint8_t group;              /* tcpst_expert_group */
    uint8_t severity;           /* tcpst_expert_severity */
} tcpst_anomaly_info;

const tcpst_anomaly_info *tcpst_anomaly_info_of(unsigned anomaly);

const char *tcpst_state_name(unsigned state);
const char *tcpst_role_name(unsigned role);
const char *tcpst_conn_state_name(unsigned conn_state);
/* "four-way", ...; "open" before any close step */
const char *tcpst_close_kind_name(unsigned close_kind);

/* The state of an end after (or before) the segment, by name. */
static inline const char *
tcpst_after_name(const tcpst_verdict *verdict, unsigned role)
{
    return tcpst_state_name(tcpst_after(verdict, role));
}

static inline const char *
tcpst_before_name(const tcpst_verdict *verdict, unsigned role)
{
    return tcpst_state_name(tcpst_before(verdict, role));
}

#endif /* TCPSTATE_CORE_H */
