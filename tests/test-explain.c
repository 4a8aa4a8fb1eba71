/* test-explain.c
 * Unit tests of the explanations alone (plugin/tcpstate-explain.c): every step kind the core
 * can produce, in every variant, has its own explanation in English and in Chinese, with every
 * placeholder filled; the notation follows docs/explanations.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpstate-explain.h"

#include <stdio.h>
#include <string.h>

static int failures, checks;

#define CHECK(cond, ...) do { \
        checks++; \
        if (!(cond)) { \
            failures++; \
            printf("FAIL: "); \
            printf(__VA_ARGS__); \
            printf("\n"); \
        } \
    } while (0)

static const char *const language_names[TCPST_N_LANGS] = { "en", "zh" };

/* The sender the core gives each step (either end for the rest). */
static unsigned
sender_of(unsigned step)
{
    switch (step) {
    case TCPST_STEP_HANDSHAKE_2:
    case TCPST_STEP_SIMOPEN_SYN:
    case TCPST_STEP_SIMOPEN_SYNACK:
    case TCPST_STEP_WAVE_2:
    case TCPST_STEP_WAVE_3:
    case TCPST_STEP_WAVE_2_3:
    case TCPST_STEP_RST_REFUSED:
    case TCPST_STEP_RST_ABORT_SERVER:
        return TCPST_SERVER;
    default:
        return TCPST_CLIENT;
    }
}

static uint8_t
flags_of(unsigned step)
{
    const tcpst_step_info *info = tcpst_step_info_of(step);
    if (step >= TCPST_STEP_RST_REFUSED && step <= TCPST_STEP_RST_IGNORED)
        return TCPST_RST | TCPST_ACK;
    if (info->what & TCPST_STEP_SENDS_SYN || step == TCPST_STEP_SIMOPEN_SYN)
        return TCPST_SYN;
    if (info->what & TCPST_STEP_SENDS_SYNACK)
        return TCPST_SYN | TCPST_ACK;
    if (info->what & TCPST_STEP_SENDS_FIN)
        return TCPST_FIN | TCPST_ACK;
    return TCPST_ACK;
}

static uint16_t
states(unsigned client_before, unsigned server_before, unsigned client_after, unsigned server_after)
{
    return (uint16_t)(client_before | server_before << 4 | client_after << 8 | server_after << 12);
}

/* A complete connection's numbers: client ISN 1000 (x), server ISN 5000 (y), the client's FIN
 * at 1075 (u), the server's at 5103 (v); TCP shows them relative. */
static void
input_of(tcpst_explain_input *in, const tcpst_verdict *v, const tcpst_evidence *evidence)
{
    memset(in, 0, sizeof *in);
    in->verdict = v;
    in->evidence = evidence;
    in->flags = flags_of(v->step);
    unsigned sender = tcpst_sender(v);
    in->isn_known[0] = in->isn_known[1] = true;
    in->isn[TCPST_CLIENT] = 1000;
    in->isn[TCPST_SERVER] = 5000;
    in->fin_known[0] = in->fin_known[1] = true;
    in->fin_seq[TCPST_CLIENT] = 1075;
    in->fin_seq[TCPST_SERVER] = 5103;
    in->seq = (in->flags & TCPST_SYN) ? in->isn[sender] : (in->flags & TCPST_FIN) ? in->fin_seq[sender] : in->isn[sender] + 1;
    in->ack = (tcpst_step_info_of(v->step)->what & TCPST_STEP_ACKS_FIN) ? in->fin_seq[!sender] + 1 : in->isn[!sender] + 1;
    in->rel_seq = in->seq - in->isn[sender];
    in->rel_ack = in->ack - in->isn[!sender];
    in->payload_len = (v->step == TCPST_STEP_HANDSHAKE_1_DATA || v->step == TCPST_STEP_HANDSHAKE_1_FAST_OPEN) ? 5 : 0;
    in->duplicate_of = 7;
    in->time_wait = 60;
}

/* Filled, finished, and in its language. */
static void
check_text(const char *text, unsigned language, const char *what)
{
    CHECK(text && *text, "%s: no explanation", what);
    if (!text)
        return;
    CHECK(!strchr(text, '{') && !strchr(text, '}'), "%s: unfilled placeholder: %s", what, text);
    CHECK(!strstr(text, "(null)"), "%s: a missing text: %s", what, text);
    size_t len = strlen(text);
    const char *end = language == TCPST_LANG_ZH ? "。" : ".";
    CHECK(len >= strlen(end) && strcmp(text + len - strlen(end), end) == 0, "%s: unfinished: %s", what, text);
    if (language == TCPST_LANG_ZH)
        CHECK(!strstr(text, " the ") && !strstr(text, " it "), "%s: English in the Chinese text: %s", what, text);

    /* Shown line by line in 100 columns, each line within Wireshark's 240 bytes of item text,
     * the lines making the whole text. */
    size_t at = 0;
    while (text[at]) {
        size_t n = tcpst_explain_line(text + at, 100);
        CHECK(n > 0 && n < 240, "%s: a line of %zu bytes at %zu", what, n, at);
        if (!n)
            break;
        at += n;
    }
}

/* Lines break at a space or after Chinese punctuation, and a Chinese character takes two
 * columns. */
static void
lines(void)
{
    CHECK(tcpst_explain_line("ab cd ef", 5) == 3, "English: at the space");
    CHECK(tcpst_explain_line("abcdefgh", 5) == 5, "English: no space, at the width");
    CHECK(tcpst_explain_line("ab", 5) == 2, "the last line whole");
    /* 客户端，SYN: 3 characters (6 columns), then the comma (2 more) */
    CHECK(tcpst_explain_line("客户端，SYN", 9) == strlen("客户端，"), "Chinese: after the comma");
    CHECK(tcpst_explain_line("客户端", 4) == strlen("客户"), "Chinese: two columns each");
    CHECK(tcpst_explain_line("客", 1) == strlen("客"), "too narrow: one character");
}

/* Every step, plain: an explanation of its own in each language. */
static void
every_step(void)
{
    for (unsigned lang = 0; lang < TCPST_N_LANGS; lang++) {
        static char texts[TCPST_N_STEPS][TCPST_EXPLAIN_MAX];
        for (unsigned step = TCPST_STEP_NONE + 1; step < TCPST_N_STEPS; step++) {
            tcpst_verdict v = { .step = step, .closed_by = TCPST_CLIENT,
                                .bits = sender_of(step) == TCPST_SERVER ? TCPST_V_FROM_SERVER : 0,
                                .states = states(TCPST_ESTABLISHED, TCPST_ESTABLISHED, TCPST_ESTABLISHED, TCPST_ESTABLISHED) };
            tcpst_explain_input in;
            input_of(&in, &v, NULL);
            char what[96];
            snprintf(what, sizeof what, "%s %s", language_names[lang], tcpst_step_info_of(step)->label);
            const char *text = tcpst_explain(&in, lang, texts[step]);
            check_text(text, lang, what);
            for (unsigned other = TCPST_STEP_NONE + 1; text && other < step; other++)
                CHECK(strcmp(texts[other], text) != 0, "%s: the same as %s's", what, tcpst_step_info_of(other)->label);

            char buf[TCPST_LABEL_MAX];
            const char *label = tcpst_explain_label(&v, lang, 7, buf);
            CHECK(label && *label, "%s: no label", what);
        }
        tcpst_verdict none = { .step = TCPST_STEP_NONE };
        tcpst_explain_input in;
        input_of(&in, &none, NULL);
        char buf[TCPST_EXPLAIN_MAX];
        CHECK(!tcpst_explain(&in, lang, buf), "%s: an explanation for a segment that is no step", language_names[lang]);
    }
}

/* Every variant of every step, and every change of state with its reason. */
static void
every_variant(void)
{
    static const uint8_t variants[] = {
        0, TCPST_V_RETRANSMISSION, TCPST_V_LATE, TCPST_V_BAD_ACK, TCPST_V_MISSED, TCPST_V_WITHDRAWN,
        TCPST_V_PEER_UNSEEN | TCPST_V_INFERRED, TCPST_V_MISSED | TCPST_V_PEER_UNSEEN,
    };
    for (unsigned lang = 0; lang < TCPST_N_LANGS; lang++)
        for (unsigned step = TCPST_STEP_NONE + 1; step < TCPST_N_STEPS; step++)
            for (size_t i = 0; i < sizeof variants; i++)
                for (unsigned before = 0; before < TCPST_N_STATES; before++)
                    for (unsigned after = 0; after < TCPST_N_STATES; after++) {
                        tcpst_verdict v = { .step = step, .closed_by = TCPST_SERVER,
                                            .bits = variants[i] | (sender_of(step) == TCPST_SERVER ? TCPST_V_FROM_SERVER : 0),
                                            .states = states(before, after, after, before) };
                        /* each kind of missed step in turn */
                        tcpst_evidence evidence = { .missed = { (uint8_t)(1 + (before + after) % (TCPST_N_STEPS - 1)),
                                                                TCPST_STEP_WAVE_2 },
                                                    .withdrawn = TCPST_STEP_WAVE_2_3 };
                        tcpst_explain_input in;
                        input_of(&in, &v, &evidence);
                        char buf[TCPST_EXPLAIN_MAX], what[160];
                        snprintf(what, sizeof what, "%s %s, bits %#x, %s -> %s", language_names[lang],
                                 tcpst_step_info_of(step)->label, variants[i], tcpst_state_name(before),
                                 tcpst_state_name(after));
                        check_text(tcpst_explain(&in, lang, buf), lang, what);
                    }
}

/* The tutorial's letters, and the arithmetic checked. */
static void
notation(void)
{
    struct {
        unsigned step;
        uint8_t bits;
        uint32_t ack_delta;     /* added to the ACK number input_of() gives */
        const char *seq, *ack;
    } cases[] = {
        { TCPST_STEP_HANDSHAKE_1, 0, 0, "x", "" },
        { TCPST_STEP_HANDSHAKE_2, TCPST_V_FROM_SERVER, 0, "y", "x+1" },
        { TCPST_STEP_HANDSHAKE_2, TCPST_V_FROM_SERVER, 5, "y", "x+1+5" },       /* data on the SYN */
        { TCPST_STEP_HANDSHAKE_2, TCPST_V_FROM_SERVER | TCPST_V_BAD_ACK, 6, "y", "" },
        { TCPST_STEP_HANDSHAKE_3, 0, 0, "x+1", "y+1" },
        { TCPST_STEP_WAVE_1, 0, 0, "u", "" },
        { TCPST_STEP_WAVE_2, TCPST_V_FROM_SERVER, 0, "", "u+1" },
        { TCPST_STEP_WAVE_3, TCPST_V_FROM_SERVER, 0, "v", "" },
        { TCPST_STEP_WAVE_2_3, TCPST_V_FROM_SERVER, 0, "v", "u+1" },
        { TCPST_STEP_WAVE_4, 0, 0, "", "v+1" },
        { TCPST_STEP_WAVE_4, 0, 1, "", "" },        /* not the FIN's number + 1: no letter */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tcpst_verdict v = { .step = cases[i].step, .bits = cases[i].bits, .closed_by = TCPST_CLIENT };
        tcpst_explain_input in;
        input_of(&in, &v, NULL);
        in.ack += cases[i].ack_delta;
        tcpst_marks marks;
        tcpst_explain_marks(&in, &marks);
        CHECK(strcmp(marks.seq, cases[i].seq) == 0 && strcmp(marks.ack, cases[i].ack) == 0,
              "%s: marks seq '%s' ack '%s', want '%s' '%s'", tcpst_step_info_of(cases[i].step)->label,
              marks.seq, marks.ack, cases[i].seq, cases[i].ack);
    }

    /* A wrong handshake ACK says what it should have been, relative and absolute. */
    tcpst_verdict v = { .step = TCPST_STEP_HANDSHAKE_2, .bits = TCPST_V_FROM_SERVER | TCPST_V_BAD_ACK,
                        .closed_by = TCPST_NOBODY };
    tcpst_explain_input in;
    input_of(&in, &v, NULL);
    in.ack += 6;
    in.rel_ack += 6;
    char buf[TCPST_EXPLAIN_MAX];
    const char *text = tcpst_explain(&in, TCPST_LANG_EN, buf);
    CHECK(strstr(text, "ACK 7 ✗ (should be x+1 = 1, absolute 1001)"), "bad ACK: %s", text);
    /* With TCP's absolute numbers, the numbers once. */
    in.rel_seq = in.seq;
    in.rel_ack = in.ack;
    text = tcpst_explain(&in, TCPST_LANG_ZH, buf);
    CHECK(strstr(text, "seq = 5000 = y，") && strstr(text, "ACK 1007 ✗（应为 x+1 = 1001）"), "absolute: %s", text);

    /* A FIN that comes with data is numbered after it. */
    tcpst_verdict fin = { .step = TCPST_STEP_WAVE_1, .closed_by = TCPST_CLIENT };
    input_of(&in, &fin, NULL);
    in.seq -= 14;
    in.rel_seq -= 14;
    in.payload_len = 14;
    text = tcpst_explain(&in, TCPST_LANG_EN, buf);
    CHECK(strstr(text, "seq = 61, the FIN after 14 bytes of data at 75 = u"), "FIN with data: %s", text);
}

int
main(void)
{
    every_step();
    every_variant();
    notation();
    lines();
    printf("%d checks, %d failures\n", checks, failures);
    return failures != 0;
}
