/* tcpstate-explain.h
 * Each step in words for people, in English or Chinese, with the packet's own numbers in the
 * tutorial's notation (docs/explanations.md): pure C, no Wireshark types. The glue composes
 * the text only when it is shown, from the stored verdict and the packet's numbers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPSTATE_EXPLAIN_H
#define TCPSTATE_EXPLAIN_H

#include "tcpstate-core.h"

/* The values of the tcpstate.language preference. */
typedef enum { TCPST_LANG_EN, TCPST_LANG_ZH, TCPST_N_LANGS } tcpst_language;

/* What an explanation is made of: the verdict and the numbers of one segment, and the
 * connection's ISNs and FINs (tcpst_conn_isn, tcpst_conn_fin_seq). */
typedef struct {
    const tcpst_verdict *verdict;
    const tcpst_evidence *evidence; /* with TCPST_V_MISSED or TCPST_V_WITHDRAWN; else may be NULL */
    uint8_t flags;                  /* the header's flag byte */
    uint32_t seq, ack;              /* absolute, as in the header */
    uint32_t rel_seq, rel_ack;      /* as Wireshark's TCP shows them (the absolute ones when
                                     * its relative sequence numbers are off) */
    uint32_t payload_len;
    bool isn_known[2];              /* by role: client (x), server (y) */
    uint32_t isn[2];
    bool fin_known[2];
    uint32_t fin_seq[2];
    uint32_t duplicate_of;          /* with TCPST_STEP_DUPLICATE: the frame of the first copy */
    unsigned time_wait;             /* the TIME_WAIT preference, in seconds */
} tcpst_explain_input;

/* The letters beside a segment's numbers: "x", "y+1", "u", "v+1", "x+1+5"; empty where the
 * tutorial has none (or the ACK is not what the letter says). */
#define TCPST_MARK_MAX 24
typedef struct {
    char seq[TCPST_MARK_MAX];
    char ack[TCPST_MARK_MAX];
} tcpst_marks;
void tcpst_explain_marks(const tcpst_explain_input *in, tcpst_marks *marks);

/* The explanation of a step packet, written into buf; NULL for a segment that is no step. */
#define TCPST_EXPLAIN_MAX 2048
const char *tcpst_explain(const tcpst_explain_input *in, unsigned language, char buf[TCPST_EXPLAIN_MAX]);

/* How many bytes of text make its first line in a pane `width` columns wide (a Chinese
 * character takes two): up to a space or a Chinese punctuation mark, when one fits. Wireshark
 * cuts a tree item's text at 240 bytes, so the GUI shows an explanation line by line. */
size_t tcpst_explain_line(const char *text, unsigned width);

/* The step of a verdict as tcpst_verdict_label() gives it (the full form), in the language:
 * English is the label itself; NULL for a segment that is no step. */
const char *tcpst_explain_label(const tcpst_verdict *verdict, unsigned language, uint32_t duplicate_of,
                                char buf[TCPST_LABEL_MAX]);

/* The ladder's words, in the language. */
typedef enum {
    TCPST_WORD_CONNECTION,      /* "Connection %u: client %s, server %s%s" */
    TCPST_WORD_INFERRED,        /* the note that roles and states were inferred */
    TCPST_WORD_CLIENT,          /* the column headings */
    TCPST_WORD_SERVER,
    TCPST_WORD_LATER,           /* "(2 MSL later)" */
    TCPST_WORD_LADDER,          /* "TCP State ladder: %u connection(s)" */
    TCPST_N_WORDS
} tcpst_word;
const char *tcpst_explain_word(unsigned language, tcpst_word word);

#endif /* TCPSTATE_EXPLAIN_H */
