/* tcpstate-core.h
 * The TCP connection state machine behind tcpstate: pure C, no Wireshark types, so it can be
 * read, changed and unit-tested on its own. The rules it implements are written down in
 * docs/steps-and-states.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPSTATE_CORE_H
#define TCPSTATE_CORE_H

#include <stdbool.h>
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

/* Which step of the handshake or close a segment is. */
typedef enum {
    TCPST_STEP_NONE,                /* data or a plain ACK */
    TCPST_STEP_HANDSHAKE_1,
    TCPST_STEP_HANDSHAKE_1_DATA,    /* SYN carrying data (TCP Fast Open) */
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
    TCPST_N_STEPS
} tcpst_step;

typedef enum { TCPST_CLIENT = 0, TCPST_SERVER = 1, TCPST_NOBODY = 2 } tcpst_role;

/* TCP header flag bits, as on the wire. */
#define TCPST_FIN 0x01
#define TCPST_SYN 0x02
#define TCPST_RST 0x04
#define TCPST_ACK 0x10

/* One TCP segment, as the glue reads it from the header. */
typedef struct {
    uint8_t  endpoint;      /* which end sent it: 0 or 1, stable for the connection */
    uint8_t  flags;         /* TCPST_FIN | TCPST_SYN | ... */
    uint16_t src_port;
    uint16_t dst_port;
    uint32_t seq;
    uint32_t ack;
    uint32_t payload_len;
} tcpst_segment;

/* Verdict bits. */
#define TCPST_V_RETRANSMISSION 0x01  /* the step is a retransmission of an earlier one */
#define TCPST_V_INFERRED       0x02  /* the capture missed the SYN: roles/states guessed */
#define TCPST_V_BAD_ACK        0x04  /* handshake ACK number is not the peer's ISN+1 */
#define TCPST_V_FROM_SERVER    0x08  /* the server sent this segment */

/* What tcpstate says about one segment; stored per frame by the glue. */
typedef struct {
    uint8_t  step;                  /* tcpst_step */
    uint8_t  bits;                  /* TCPST_V_* */
    uint8_t  closed_by;             /* tcpst_role of the first FIN or RST so far */
    uint8_t  before[2];             /* tcpst_state of client, server before the segment */
    uint8_t  after[2];              /* ... and after it */
    uint32_t expected_ack;          /* with TCPST_V_BAD_ACK: the ACK number that was due */
} tcpst_verdict;

/* One end of a connection, as far as the capture shows it. */
typedef struct {
    uint8_t  state;         /* tcpst_state */
    uint8_t  sent;          /* SENT_* bits: what this end has sent */
    uint8_t  applied;       /* GOT_* bits: which receipts its state already reflects */
    uint8_t  syn_step;      /* the step its SYN was, for retransmissions */
    uint8_t  synack_step;   /* the step its SYN+ACK was */
    uint8_t  fin_step;      /* the step its FIN was */
    uint8_t  ack_step;      /* its last step made with an ACK alone (3/3, 2/4, 4/4) */
    uint8_t  peer_resent;   /* the peer sent its SYN+ACK or FIN again since that step */
    uint16_t port;
    uint32_t isn;           /* sequence number of its SYN */
    uint32_t syn_len;       /* payload carried on its SYN */
    uint32_t fin_seq;       /* sequence number its FIN occupies */
    uint32_t max_ack;       /* highest ACK number it has sent */
    uint32_t ack_step_seq;  /* seq and ack of that step, to recognise it sent again */
    uint32_t ack_step_ack;
} tcpst_end;

typedef struct {
    tcpst_end end[2];       /* indexed by tcpst_role */
    uint8_t   client_endpoint;  /* the segment endpoint number of the client */
    uint8_t   started;
    uint8_t   inferred;
    uint8_t   simultaneous_close;
    uint8_t   closed_by;    /* tcpst_role */
} tcpst_conn;

void tcpst_conn_init(tcpst_conn *conn);

/* Feed the next segment of the connection, in capture order; fills *verdict. */
void tcpst_conn_segment(tcpst_conn *conn, const tcpst_segment *seg, tcpst_verdict *verdict);

const char *tcpst_state_name(unsigned state);
const char *tcpst_role_name(unsigned role);

/* "Handshake 1/3 (SYN)"; the label of a retransmission is built by the caller. */
const char *tcpst_step_label(unsigned step);
/* The label's short form for the Info column: "Handshake 1/3". */
const char *tcpst_step_short(unsigned step);
/* The handshake step number (1-3), or 0. */
unsigned tcpst_step_handshake(unsigned step);
/* The close step numbers: first (1-4) and, for a combined segment, second; 0 if none. */
unsigned tcpst_step_wave(unsigned step);
unsigned tcpst_step_wave_second(unsigned step);

#endif /* TCPSTATE_CORE_H */
