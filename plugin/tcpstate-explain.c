/* tcpstate-explain.c
 * The explanation of each step, in English and Chinese: the templates of docs/explanations.md,
 * one table per language, and the tutorial's notation (x and y for the ISNs, u and v for the
 * FINs, the ACK arithmetic checked) filled in from the segment's numbers.
 *
 * A template names what it needs in braces ({sender}, {seq}, ...); fill() writes each from the
 * segment. An unknown name stays in the text as it is, which the unit test catches.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpstate-explain.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The variant sentences (docs/explanations.md, "Variants"). */
typedef enum {
    V_RETRANSMITTED,        /* a SYN, SYN+ACK or FIN sent again */
    V_ANSWERED_AGAIN,       /* an ACK step sent again */
    V_LATE_AFTER_ACK,
    V_LATE,
    V_MISSED_SYNACK,
    V_MISSED_HANDSHAKE_ACK,
    V_MISSED_FIN,
    V_MISSED_OTHER,
    V_MISSED_AFTER,
    V_WITHDRAWN,
    V_UNSEEN,
    N_VARIANTS
} variant;

/* How an end's state sentence reads ({role}, {before}, {after}, {why}). */
typedef enum {
    S_CHANGE_WHY,
    S_CHANGE,
    S_STILL,
    S_STILL_UNTIL_REPLY,    /* it received a SYN or FIN, shown at its reply */
    N_STATE_FORMS
} state_form;

/* How the numbers read. */
typedef enum {
    N_ABSOLUTE,             /* " (absolute %u)" */
    N_FIN_AFTER_DATA,       /* seq, bytes, the FIN's number, its letter */
    N_BAD_ACK,              /* ack, letter, what it should be */
    N_BAD_ACK_ABSOLUTE,     /* ack, letter, what it should be, absolute */
    N_FORMS
} number_form;

typedef struct {
    const char *role[2];                    /* within a sentence */
    const char *role_start[2];              /* at its start */
    const char *sentence_gap;               /* between two sentences */
    const char *step_name[TCPST_N_STEPS];   /* NULL: the core's label */
    const char *retransmission_of;          /* "Retransmission of %s" */
    const char *captured_after_ack;         /* "%s, captured after its ACK" */
    const char *captured_late;
    const char *bad_ack_label;              /* "%s, ACK number is not ISN+1": %s without ')' */
    const char *duplicate_of;               /* "Duplicate of frame %u" */
    const char *step[TCPST_N_STEPS];        /* what the sender did; NULL: as the step's base */
    const char *step_extra[TCPST_N_STEPS];  /* after its base's text */
    const char *variant[N_VARIANTS];
    const char *state_form[N_STATE_FORMS];
    const char *why[TCPST_N_STATES][TCPST_N_STATES];
    const char *why_reset_closed;
    const char *why_reset_listen;
    const char *number[N_FORMS];
    const char *word[TCPST_N_WORDS];
} language_texts;

#define WHY_TIME_WAIT_EN "it acknowledged the peer's FIN; it waits 2 MSL (here {tw} s, the TIME_WAIT preference) in case that ACK is lost and the FIN comes again, then it is CLOSED"
#define WHY_TIME_WAIT_ZH "确认了对方的 FIN；等待 2MSL（这里是 {tw} 秒，即 TIME_WAIT 首选项），以防这个 ACK 丢失、对方重发 FIN，之后进入 CLOSED"
#define WHY_FIN_AGAIN_EN "sending its FIN again shows that the ACK of it never reached it"
#define WHY_FIN_AGAIN_ZH "再次发送 FIN，说明对它的确认从未到达它"

static const language_texts languages[TCPST_N_LANGS] = {
    [TCPST_LANG_EN] = {
        .role = { "client", "server" },
        .role_start = { "Client", "Server" },
        .sentence_gap = " ",
        .retransmission_of = "Retransmission of %s",
        .captured_after_ack = "%s, captured after its ACK",
        .captured_late = "%s, captured late",
        .bad_ack_label = "%.*s, ACK number is not ISN+1)",
        .duplicate_of = "Duplicate of frame %u",
        .step = {
            [TCPST_STEP_HANDSHAKE_1] = "Handshake 1/3: the {sender} asks to open a connection with a SYN, {seq}: x is its initial sequence number (ISN), chosen at random; the SYN occupies one sequence number, so its data will start at x+1.",
            [TCPST_STEP_HANDSHAKE_2] = "Handshake 2/3: the {sender} accepts: its SYN+ACK carries its own ISN, {seq}, and acknowledges the {peer}'s SYN, {ack}.",
            [TCPST_STEP_HANDSHAKE_3] = "Handshake 3/3: the {sender} acknowledges the {peer}'s SYN+ACK, {seq}, {ack}: each end now knows the other's ISN, and the connection is open.",
            [TCPST_STEP_SIMOPEN_SYN] = "Simultaneous open: the {sender} sends a SYN of its own, {seq}, while the {peer}'s SYN is on its way: both ends open actively.",
            [TCPST_STEP_SIMOPEN_SYNACK] = "Simultaneous open: the {sender}, which sent a SYN of its own, answers the {peer}'s SYN with a SYN+ACK, {seq}, {ack}.",
            [TCPST_STEP_WAVE_1] = "Wave 1/4: the {sender} has no more data to send and closes its direction with a FIN, {seq}: the FIN occupies one sequence number, so its ACK must be u+1.",
            [TCPST_STEP_WAVE_2] = "Wave 2/4: the {sender} acknowledges the FIN, {ack}, without a FIN of its own: until its application closes too, it may still send data (the connection is half-closed).",
            [TCPST_STEP_WAVE_3] = "Wave 3/4: the {sender} is done too and sends its own FIN, {seq}.",
            [TCPST_STEP_WAVE_2_3] = "Wave 2+3/4 (a three-way close): the {sender} acknowledges the FIN and sends its own in one segment, {seq}, {ack}: with nothing left to send it needs no separate second step.",
            [TCPST_STEP_WAVE_4] = "Wave 4/4: the {sender} acknowledges the {peer}'s FIN, {ack}: the last segment of the close.",
            [TCPST_STEP_SIMCLOSE_FIN] = "Simultaneous close: the {sender} sends its FIN, {seq}, before it received the FIN the {peer} already sent: both ends close actively.",
            [TCPST_STEP_SIMCLOSE_ACK] = "Simultaneous close: the {sender} acknowledges the {peer}'s FIN, {ack}.",
            [TCPST_STEP_RST_REFUSED] = "Connection refused: the {sender} answers the SYN with a RST: nothing accepts connections on that port, so the connection never opens.",
            [TCPST_STEP_RST_HANDSHAKE] = "Reset during the handshake: the {sender} ends the connection before it was ever open.",
            [TCPST_STEP_RST_ABORT_CLIENT] = "Abort: the {sender} resets the open connection (RST) instead of closing it with a FIN: data still in flight is dropped, and neither end waits in TIME_WAIT.",
            [TCPST_STEP_RST_AFTER_FIN] = "Reset after FIN: the {sender} resets a connection that was already closing (for example, data arrived after its application closed).",
            [TCPST_STEP_RST_AFTER_CLOSE] = "Reset after close: a RST on a connection both ends had already closed; it changes nothing.",
            [TCPST_STEP_RST_IGNORED] = "Ignored reset: the RST's ACK number does not acknowledge the client's SYN, so RFC 9293 (3.10.7.3) has the client drop it; this is how an off-path reset fails.",
            [TCPST_STEP_DUPLICATE] = "Duplicate: the capture holds this very packet twice (frame {frame} is the first copy); the {sender} did not send it again, and nothing changes.",
        },
        .step_extra = {
            [TCPST_STEP_HANDSHAKE_1_DATA] = "It already carries {len} bytes of data, which the {peer} keeps until the handshake ends.",
            [TCPST_STEP_HANDSHAKE_1_FAST_OPEN] = "It carries {len} bytes of data and the TCP Fast Open option: with a valid cookie the {peer} may deliver the data at once (RFC 7413).",
        },
        .variant = {
            [V_RETRANSMITTED] = "Sent again (retransmission): the {sender} got no ACK for this segment in time, so it repeats it with the same sequence number.",
            [V_ANSWERED_AGAIN] = "Sent again: the {peer} repeated its segment, so the {sender} answers it again with the same ACK.",
            [V_LATE_AFTER_ACK] = "Captured after its ACK: an earlier packet already proved this segment, so the states already show it and nothing changes here.",
            [V_LATE] = "Captured late: the {peer}'s data already proved that this ACK arrived, so the states already show it.",
            [V_MISSED_SYNACK] = "The capture missed the {missed}; this packet proves it: an end in SYN_SENT sends an ACK only after it received a SYN+ACK.",
            [V_MISSED_HANDSHAKE_ACK] = "The capture missed the {missed}; this packet proves it: an end in SYN_RCVD sends data or ACKs only once the handshake's ACK has arrived.",
            [V_MISSED_FIN] = "The capture missed the {missed}; this packet proves it: its numbers are one past everything that end was seen to send, and a FIN occupies exactly one sequence number.",
            [V_MISSED_OTHER] = "The capture missed the {missed}; this packet proves it.",
            [V_MISSED_AFTER] = "The states move here as the missed segment would have moved them.",
            [V_WITHDRAWN] = "Not a FIN after all: this packet shows that the {withdrawn} an earlier ACK seemed to prove was a last data byte, so the states go back.",
            [V_UNSEEN] = "The capture holds no segment of the {peer}: its steps are filled in from the {sender}'s.",
        },
        .state_form = {
            [S_CHANGE_WHY] = "{role}: {before} → {after}: {why}.",
            [S_CHANGE] = "{role}: {before} → {after}.",
            [S_STILL] = "{role}: still {after}.",
            [S_STILL_UNTIL_REPLY] = "{role}: still {after} (it shows receiving this at its reply).",
        },
        .why = {
            [TCPST_CLOSED][TCPST_SYN_SENT] = "it sent its SYN and waits for the SYN+ACK",
            [TCPST_LISTEN][TCPST_SYN_SENT] = "it sent a SYN of its own",
            [TCPST_LISTEN][TCPST_SYN_RCVD] = "it received the SYN and answered with its SYN+ACK; it waits for the ACK",
            [TCPST_SYN_SENT][TCPST_SYN_RCVD] = "the peer's SYN crossed its own (simultaneous open)",
            [TCPST_SYN_SENT][TCPST_ESTABLISHED] = "it received the SYN+ACK that acknowledges its SYN and acknowledged it in turn",
            [TCPST_SYN_RCVD][TCPST_ESTABLISHED] = "its SYN is acknowledged",
            [TCPST_ESTABLISHED][TCPST_FIN_WAIT_1] = "it sent its FIN and waits for its ACK",
            [TCPST_SYN_RCVD][TCPST_FIN_WAIT_1] = "it sent its FIN and waits for its ACK",
            [TCPST_FIN_WAIT_1][TCPST_FIN_WAIT_2] = "its FIN is acknowledged; it waits for the peer's FIN",
            [TCPST_ESTABLISHED][TCPST_CLOSE_WAIT] = "it received the peer's FIN and acknowledged it; it may still send until its application closes",
            [TCPST_SYN_RCVD][TCPST_CLOSE_WAIT] = "it received the peer's FIN and acknowledged it; it may still send until its application closes",
            [TCPST_CLOSE_WAIT][TCPST_LAST_ACK] = "it sent its own FIN and waits for the last ACK",
            [TCPST_ESTABLISHED][TCPST_LAST_ACK] = "it acknowledged the peer's FIN and sent its own at once; it waits for the last ACK",
            [TCPST_FIN_WAIT_1][TCPST_CLOSING] = "it received the peer's FIN before the ACK of its own (simultaneous close) and acknowledged it",
            [TCPST_FIN_WAIT_1][TCPST_TIME_WAIT] = WHY_TIME_WAIT_EN,
            [TCPST_FIN_WAIT_2][TCPST_TIME_WAIT] = WHY_TIME_WAIT_EN,
            [TCPST_CLOSING][TCPST_TIME_WAIT] = "its FIN is acknowledged; it waits 2 MSL (here {tw} s, the TIME_WAIT preference), then it is CLOSED",
            [TCPST_LAST_ACK][TCPST_CLOSED] = "its FIN is acknowledged: the connection is closed",
            [TCPST_ESTABLISHED][TCPST_SYN_RCVD] = "sending its SYN+ACK again shows that the handshake's ACK never reached it",
            [TCPST_FIN_WAIT_2][TCPST_FIN_WAIT_1] = WHY_FIN_AGAIN_EN,
            [TCPST_TIME_WAIT][TCPST_CLOSING] = WHY_FIN_AGAIN_EN,
            [TCPST_CLOSED][TCPST_LAST_ACK] = WHY_FIN_AGAIN_EN,
        },
        .why_reset_closed = "the reset ends the connection at once, without TIME_WAIT",
        .why_reset_listen = "the reset returns it to listening (RFC 9293 3.10.7.4)",
        .number = {
            [N_ABSOLUTE] = " (absolute %u)",
            [N_FIN_AFTER_DATA] = "seq = %u, the FIN after %u bytes of data at %u = %s",
            [N_BAD_ACK] = "ACK %u ✗ (should be %s+1 = %u)",
            [N_BAD_ACK_ABSOLUTE] = "ACK %u ✗ (should be %s+1 = %u, absolute %u)",
        },
        .word = {
            [TCPST_WORD_CONNECTION] = "Connection %u: client %s, server %s%s",
            [TCPST_WORD_INFERRED] = " (roles and states inferred: the capture missed the SYN)",
            [TCPST_WORD_CLIENT] = "client",
            [TCPST_WORD_SERVER] = "server",
            [TCPST_WORD_LATER] = "(2 MSL later)",
            [TCPST_WORD_LADDER] = "TCP State ladder: %u connection%s",
        },
    },
    [TCPST_LANG_ZH] = {
        .role = { "客户端", "服务器" },
        .role_start = { "客户端", "服务器" },
        .sentence_gap = "",
        .step_name = {
            [TCPST_STEP_HANDSHAKE_1] = "第一次握手 (SYN)",
            [TCPST_STEP_HANDSHAKE_1_DATA] = "第一次握手 (SYN，携带数据)",
            [TCPST_STEP_HANDSHAKE_1_FAST_OPEN] = "第一次握手 (SYN，携带数据，Fast Open)",
            [TCPST_STEP_HANDSHAKE_2] = "第二次握手 (SYN+ACK)",
            [TCPST_STEP_HANDSHAKE_3] = "第三次握手 (ACK)",
            [TCPST_STEP_SIMOPEN_SYN] = "同时打开 (SYN)",
            [TCPST_STEP_SIMOPEN_SYNACK] = "同时打开 (SYN+ACK)",
            [TCPST_STEP_WAVE_1] = "第一次挥手 (FIN)",
            [TCPST_STEP_WAVE_2] = "第二次挥手 (ACK)",
            [TCPST_STEP_WAVE_3] = "第三次挥手 (FIN)",
            [TCPST_STEP_WAVE_2_3] = "第二、三次挥手 (FIN+ACK)",
            [TCPST_STEP_WAVE_4] = "第四次挥手 (ACK)",
            [TCPST_STEP_SIMCLOSE_FIN] = "第一次挥手 (FIN，同时关闭)",
            [TCPST_STEP_SIMCLOSE_ACK] = "第四次挥手 (ACK，同时关闭)",
            [TCPST_STEP_RST_REFUSED] = "复位 (连接被拒绝)",
            [TCPST_STEP_RST_HANDSHAKE] = "复位 (握手期间)",
            [TCPST_STEP_RST_ABORT_CLIENT] = "复位 (客户端中止)",
            [TCPST_STEP_RST_ABORT_SERVER] = "复位 (服务器中止)",
            [TCPST_STEP_RST_AFTER_FIN] = "复位 (FIN 之后)",
            [TCPST_STEP_RST_AFTER_CLOSE] = "复位 (关闭之后)",
            [TCPST_STEP_RST_IGNORED] = "复位 (不可接受，已忽略)",
            [TCPST_STEP_DUPLICATE] = "重复",
        },
        .retransmission_of = "%s的重传",
        .captured_after_ack = "%s，在它的确认之后抓到",
        .captured_late = "%s，被晚抓到",
        .bad_ack_label = "%.*s，确认号不是 ISN+1)",
        .duplicate_of = "重复 (第 %u 帧)",
        .step = {
            [TCPST_STEP_HANDSHAKE_1] = "第一次握手：{sender}请求建立连接，发送 SYN，{seq}：x 是它随机选取的初始序列号（ISN）；SYN 占用一个序列号，所以它的数据从 x+1 开始。",
            [TCPST_STEP_HANDSHAKE_2] = "第二次握手：{sender}接受连接：SYN+ACK 携带它自己的 ISN，{seq}，并确认{peer}的 SYN，{ack}。",
            [TCPST_STEP_HANDSHAKE_3] = "第三次握手：{sender}确认{peer}的 SYN+ACK，{seq}，{ack}：双方都知道了对方的 ISN，连接建立。",
            [TCPST_STEP_SIMOPEN_SYN] = "同时打开：{peer}的 SYN 还在路上时，{sender}也发出自己的 SYN，{seq}：两端都主动打开。",
            [TCPST_STEP_SIMOPEN_SYNACK] = "同时打开：已发出自己 SYN 的{sender}用 SYN+ACK 回应{peer}的 SYN，{seq}，{ack}。",
            [TCPST_STEP_WAVE_1] = "第一次挥手：{sender}没有数据要发送了，发送 FIN 关闭自己这一方向，{seq}：FIN 占用一个序列号，所以对它的确认号应为 u+1。",
            [TCPST_STEP_WAVE_2] = "第二次挥手：{sender}确认收到 FIN，{ack}，但还没有发送自己的 FIN：在它的应用也关闭之前，它仍可以发送数据（半关闭）。",
            [TCPST_STEP_WAVE_3] = "第三次挥手：{sender}也准备好关闭，发送自己的 FIN，{seq}。",
            [TCPST_STEP_WAVE_2_3] = "第二、三次挥手合并（三次挥手）：{sender}在一个报文段里确认 FIN 并发送自己的 FIN，{seq}，{ack}：没有数据要发送时，不需要单独的第二次挥手。",
            [TCPST_STEP_WAVE_4] = "第四次挥手：{sender}确认{peer}的 FIN，{ack}：这是关闭过程的最后一个报文段。",
            [TCPST_STEP_SIMCLOSE_FIN] = "同时关闭：{sender}在收到{peer}已发出的 FIN 之前就发送了自己的 FIN，{seq}：两端都主动关闭。",
            [TCPST_STEP_SIMCLOSE_ACK] = "同时关闭：{sender}确认{peer}的 FIN，{ack}。",
            [TCPST_STEP_RST_REFUSED] = "连接被拒绝：{sender}用 RST 回应 SYN：该端口上没有程序接受连接，连接从未建立。",
            [TCPST_STEP_RST_HANDSHAKE] = "握手期间复位：{sender}在连接建立之前就终止了它。",
            [TCPST_STEP_RST_ABORT_CLIENT] = "中止：{sender}用 RST 复位已建立的连接，而不是用 FIN 关闭：途中的数据被丢弃，两端都不进入 TIME_WAIT。",
            [TCPST_STEP_RST_AFTER_FIN] = "FIN 之后复位：{sender}复位一个已在关闭中的连接（例如它的应用关闭之后又收到了数据）。",
            [TCPST_STEP_RST_AFTER_CLOSE] = "关闭之后复位：两端都已关闭的连接又出现 RST，什么都不改变。",
            [TCPST_STEP_RST_IGNORED] = "被忽略的复位：RST 的确认号没有确认客户端的 SYN，RFC 9293（3.10.7.3）要求客户端丢弃它；路径外伪造的复位就是这样失败的。",
            [TCPST_STEP_DUPLICATE] = "重复：抓包中这个数据包出现了两次（第一份是第 {frame} 帧）；{sender}并没有再次发送它，什么都不改变。",
        },
        .step_extra = {
            [TCPST_STEP_HANDSHAKE_1_DATA] = "它已携带 {len} 字节数据，{peer}在握手结束前先保存这些数据。",
            [TCPST_STEP_HANDSHAKE_1_FAST_OPEN] = "它携带 {len} 字节数据和 TCP Fast Open 选项：cookie 有效时{peer}可以立即交付这些数据（RFC 7413）。",
        },
        .variant = {
            [V_RETRANSMITTED] = "重传：{sender}没有及时收到对这个报文段的确认，于是用相同的序列号再次发送。",
            [V_ANSWERED_AGAIN] = "再次确认：{peer}重发了它的报文段，所以{sender}用相同的确认号再次回应。",
            [V_LATE_AFTER_ACK] = "在它的确认之后才被抓到：之前的数据包已经证明了这个报文段，状态早已体现，这里什么都不改变。",
            [V_LATE] = "被晚抓到：{peer}的数据已经证明这个 ACK 到达了，状态早已体现。",
            [V_MISSED_SYNACK] = "抓包漏掉了{missed}；这个报文段证明了它：处于 SYN_SENT 的一端只有收到 SYN+ACK 之后才会发送 ACK。",
            [V_MISSED_HANDSHAKE_ACK] = "抓包漏掉了{missed}；这个报文段证明了它：处于 SYN_RCVD 的一端只有在握手的 ACK 到达之后才会发送数据或 ACK。",
            [V_MISSED_FIN] = "抓包漏掉了{missed}；这个报文段证明了它：它的编号比那一端已发送的一切多出一，而 FIN 恰好占用一个序列号。",
            [V_MISSED_OTHER] = "抓包漏掉了{missed}；这个报文段证明了它。",
            [V_MISSED_AFTER] = "状态在这里按漏掉的报文段本应造成的那样变化。",
            [V_WITHDRAWN] = "其实不是 FIN：这个报文段表明，之前的 ACK 看似证明的{withdrawn}其实是最后一个数据字节，所以状态退回。",
            [V_UNSEEN] = "抓包中没有{peer}的任何报文段：它的步骤是根据{sender}的报文段推断的。",
        },
        .state_form = {
            [S_CHANGE_WHY] = "{role}：{before} → {after}，{why}。",
            [S_CHANGE] = "{role}：{before} → {after}。",
            [S_STILL] = "{role}：仍为 {after}。",
            [S_STILL_UNTIL_REPLY] = "{role}：仍为 {after}（它对这个报文段的反应体现在它的回复上）。",
        },
        .why = {
            [TCPST_CLOSED][TCPST_SYN_SENT] = "发出 SYN 后等待 SYN+ACK",
            [TCPST_LISTEN][TCPST_SYN_SENT] = "发出了自己的 SYN",
            [TCPST_LISTEN][TCPST_SYN_RCVD] = "收到 SYN 并以 SYN+ACK 回应，等待 ACK",
            [TCPST_SYN_SENT][TCPST_SYN_RCVD] = "对方的 SYN 与自己的 SYN 交叉（同时打开）",
            [TCPST_SYN_SENT][TCPST_ESTABLISHED] = "收到确认自己 SYN 的 SYN+ACK，并回以确认",
            [TCPST_SYN_RCVD][TCPST_ESTABLISHED] = "自己的 SYN 得到确认",
            [TCPST_ESTABLISHED][TCPST_FIN_WAIT_1] = "发出 FIN，等待对它的确认",
            [TCPST_SYN_RCVD][TCPST_FIN_WAIT_1] = "发出 FIN，等待对它的确认",
            [TCPST_FIN_WAIT_1][TCPST_FIN_WAIT_2] = "自己的 FIN 得到确认，等待对方的 FIN",
            [TCPST_ESTABLISHED][TCPST_CLOSE_WAIT] = "收到对方的 FIN 并确认；在应用关闭之前仍可发送数据",
            [TCPST_SYN_RCVD][TCPST_CLOSE_WAIT] = "收到对方的 FIN 并确认；在应用关闭之前仍可发送数据",
            [TCPST_CLOSE_WAIT][TCPST_LAST_ACK] = "发出自己的 FIN，等待最后的 ACK",
            [TCPST_ESTABLISHED][TCPST_LAST_ACK] = "确认对方 FIN 的同时发出自己的 FIN，等待最后的 ACK",
            [TCPST_FIN_WAIT_1][TCPST_CLOSING] = "在自己的 FIN 得到确认之前收到对方的 FIN（同时关闭），并确认了它",
            [TCPST_FIN_WAIT_1][TCPST_TIME_WAIT] = WHY_TIME_WAIT_ZH,
            [TCPST_FIN_WAIT_2][TCPST_TIME_WAIT] = WHY_TIME_WAIT_ZH,
            [TCPST_CLOSING][TCPST_TIME_WAIT] = "自己的 FIN 得到确认；等待 2MSL（这里是 {tw} 秒，即 TIME_WAIT 首选项），之后进入 CLOSED",
            [TCPST_LAST_ACK][TCPST_CLOSED] = "自己的 FIN 得到确认：连接关闭",
            [TCPST_ESTABLISHED][TCPST_SYN_RCVD] = "再次发送 SYN+ACK，说明握手的 ACK 从未到达它",
            [TCPST_FIN_WAIT_2][TCPST_FIN_WAIT_1] = WHY_FIN_AGAIN_ZH,
            [TCPST_TIME_WAIT][TCPST_CLOSING] = WHY_FIN_AGAIN_ZH,
            [TCPST_CLOSED][TCPST_LAST_ACK] = WHY_FIN_AGAIN_ZH,
        },
        .why_reset_closed = "复位立即结束连接，不经过 TIME_WAIT",
        .why_reset_listen = "复位使它回到监听状态（RFC 9293 3.10.7.4）",
        .number = {
            [N_ABSOLUTE] = "（绝对值 %u）",
            [N_FIN_AFTER_DATA] = "seq = %u，FIN 在 %u 字节数据之后，位于 %u = %s",
            [N_BAD_ACK] = "ACK %u ✗（应为 %s+1 = %u）",
            [N_BAD_ACK_ABSOLUTE] = "ACK %u ✗（应为 %s+1 = %u，绝对值 %u）",
        },
        .word = {
            [TCPST_WORD_CONNECTION] = "连接 %u：客户端 %s，服务器 %s%s",
            [TCPST_WORD_INFERRED] = "（角色和状态是推断的：抓包漏掉了 SYN）",
            [TCPST_WORD_CLIENT] = "客户端",
            [TCPST_WORD_SERVER] = "服务器",
            [TCPST_WORD_LATER] = "（2MSL 之后）",
            [TCPST_WORD_LADDER] = "TCP 状态梯形图：%u 个连接",
        },
    },
};

static const language_texts *
texts_of(unsigned language)
{
    return &languages[language < TCPST_N_LANGS ? language : TCPST_LANG_EN];
}

/* Steps that share their base's template, told apart by what step_extra adds. */
static unsigned
base_step(unsigned step)
{
    switch (step) {
    case TCPST_STEP_HANDSHAKE_1_DATA:
    case TCPST_STEP_HANDSHAKE_1_FAST_OPEN:
        return TCPST_STEP_HANDSHAKE_1;
    case TCPST_STEP_RST_ABORT_SERVER:
        return TCPST_STEP_RST_ABORT_CLIENT;
    default:
        return step;
    }
}

/* ---- the notation ---- */

static const char *const isn_letters[2] = { "x", "y" };

/* u for the first FIN of the close, v for the second: of the FIN the segment carries, or of
 * the peer's FIN it acknowledges. The step says which; in a simultaneous close, the end that
 * closed first sent u. */
static const char *
fin_letter(const tcpst_verdict *v, bool own_fin)
{
    switch (v->step) {
    case TCPST_STEP_WAVE_1:
    case TCPST_STEP_WAVE_2:
        return "u";
    case TCPST_STEP_WAVE_2_3:
        return own_fin ? "v" : "u";
    case TCPST_STEP_SIMCLOSE_ACK:
        return v->closed_by == !tcpst_sender(v) ? "u" : "v";
    default:                /* Wave 3/4, 4/4, the simultaneous close's second FIN */
        return "v";
    }
}

/* The letter of a segment that carries a SYN: its ISN. */
static bool
numbers_isn(const tcpst_explain_input *in)
{
    return (in->flags & TCPST_SYN) && !(in->flags & TCPST_RST)
        && tcpst_step_info_of(in->verdict->step)->handshake != 0;
}

/* Does the segment answer the peer's SYN, so that its ACK should be the peer's ISN+1? */
static bool
acks_isn(const tcpst_explain_input *in)
{
    return tcpst_step_info_of(in->verdict->step)->handshake >= 2 && (in->flags & TCPST_ACK);
}

void
tcpst_explain_marks(const tcpst_explain_input *in, tcpst_marks *marks)
{
    const tcpst_verdict *v = in->verdict;
    const tcpst_step_info *step = tcpst_step_info_of(v->step);
    unsigned sender = tcpst_sender(v), peer = !sender;

    marks->seq[0] = marks->ack[0] = '\0';
    if (numbers_isn(in))
        snprintf(marks->seq, sizeof marks->seq, "%s", isn_letters[sender]);
    else if ((step->what & TCPST_STEP_ENDS_HANDSHAKE) && in->isn_known[sender] && in->seq == in->isn[sender] + 1)
        snprintf(marks->seq, sizeof marks->seq, "%s+1", isn_letters[sender]);
    else if ((step->what & TCPST_STEP_SENDS_FIN) && (in->flags & TCPST_FIN) && in->payload_len == 0)
        snprintf(marks->seq, sizeof marks->seq, "%s", fin_letter(v, true));

    if (acks_isn(in) && in->isn_known[peer] && !(v->bits & TCPST_V_BAD_ACK)) {
        uint32_t beyond = in->ack - (in->isn[peer] + 1);    /* data on the SYN, acknowledged too */
        if (beyond)
            snprintf(marks->ack, sizeof marks->ack, "%s+1+%u", isn_letters[peer], beyond);
        else
            snprintf(marks->ack, sizeof marks->ack, "%s+1", isn_letters[peer]);
    } else if ((step->what & TCPST_STEP_ACKS_FIN) && in->fin_known[peer] && in->ack == in->fin_seq[peer] + 1) {
        snprintf(marks->ack, sizeof marks->ack, "%s+1", fin_letter(v, false));
    }
}

/* ---- composing ---- */

typedef struct {
    char *buf;
    size_t size, len;
} text;

/* The text is composed for every step packet of a tree tshark -T fields builds, asked for or
 * not: plain copies, and printf only for the few table formats. */
static void
put_mem(text *t, const char *p, size_t n)
{
    size_t room = t->size - 1 - t->len;
    if (n > room)
        n = room;
    memcpy(t->buf + t->len, p, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void
put_str(text *t, const char *s)
{
    put_mem(t, s, strlen(s));
}

static void
put_uint(text *t, uint32_t n)
{
    char digits[10];
    size_t i = sizeof digits;
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    put_mem(t, digits + i, sizeof digits - i);
}

static void
put_fmt(text *t, const char *fmt, ...)
{
    if (t->len + 1 >= t->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len = t->len + (size_t)n < t->size ? t->len + (size_t)n : t->size - 1;
}

typedef struct {
    const tcpst_explain_input *in;
    const language_texts *lang;
    tcpst_marks marks;
    unsigned role;          /* of the state sentence being written */
    const char *why;        /* its reason */
} context;

static void
put_seq(text *t, const context *c)
{
    const tcpst_explain_input *in = c->in;
    const tcpst_step_info *step = tcpst_step_info_of(in->verdict->step);
    if ((step->what & TCPST_STEP_SENDS_FIN) && (in->flags & TCPST_FIN) && in->payload_len) {
        put_fmt(t, c->lang->number[N_FIN_AFTER_DATA], in->rel_seq, in->payload_len,
                in->rel_seq + in->payload_len, fin_letter(in->verdict, true));
        return;
    }
    put_str(t, "seq = ");
    put_uint(t, in->rel_seq);
    if (c->marks.seq[0]) {
        put_str(t, " = ");
        put_str(t, c->marks.seq);
    }
    if (numbers_isn(in) && in->rel_seq != in->seq)
        put_fmt(t, c->lang->number[N_ABSOLUTE], in->seq);
}

static void
put_ack(text *t, const context *c)
{
    const tcpst_explain_input *in = c->in;
    unsigned peer = !tcpst_sender(in->verdict);
    if (acks_isn(in) && (in->verdict->bits & TCPST_V_BAD_ACK) && in->isn_known[peer]) {
        uint32_t should = in->isn[peer] + 1;
        uint32_t should_rel = should - (in->ack - in->rel_ack);    /* as TCP numbers this ACK */
        if (should_rel != should)
            put_fmt(t, c->lang->number[N_BAD_ACK_ABSOLUTE], in->rel_ack, isn_letters[peer], should_rel, should);
        else
            put_fmt(t, c->lang->number[N_BAD_ACK], in->rel_ack, isn_letters[peer], should);
        return;
    }
    put_str(t, "ACK ");
    put_uint(t, in->rel_ack);
    if (c->marks.ack[0]) {
        put_str(t, " = ");
        put_str(t, c->marks.ack);
        put_str(t, " ✓");
    }
}

static void
put_step_name(text *t, const context *c, unsigned step)
{
    const char *name = c->lang->step_name[step];
    put_str(t, name ? name : tcpst_step_info_of(step)->label);
}

/* Write a template, each {name} filled from the segment. */
static void
fill(text *t, const context *c, const char *template)
{
    const tcpst_explain_input *in = c->in;
    unsigned sender = tcpst_sender(in->verdict);
    const char *p = template;
    while (*p) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            put_str(t, p);
            return;
        }
        put_mem(t, p, (size_t)(open - p));
        size_t n = (size_t)(close - open - 1);
        const char *name = open + 1;
#define IS(word) (n == strlen(word) && strncmp(name, word, n) == 0)
        if (IS("sender"))
            put_str(t, c->lang->role[sender]);
        else if (IS("peer"))
            put_str(t, c->lang->role[!sender]);
        else if (IS("seq"))
            put_seq(t, c);
        else if (IS("ack"))
            put_ack(t, c);
        else if (IS("len"))
            put_uint(t, in->payload_len);
        else if (IS("frame"))
            put_uint(t, in->duplicate_of);
        else if (IS("tw"))
            put_uint(t, in->time_wait);
        else if (IS("role"))
            put_str(t, c->lang->role_start[c->role]);
        else if (IS("before"))
            put_str(t, tcpst_before_name(in->verdict, c->role));
        else if (IS("after"))
            put_str(t, tcpst_after_name(in->verdict, c->role));
        else if (IS("why") && c->why)
            fill(t, c, c->why);
        else if (IS("withdrawn") && in->evidence)
            put_step_name(t, c, in->evidence->withdrawn);
        else
            put_mem(t, open, n + 2);
#undef IS
        p = close + 1;
    }
}

static void
sentence(text *t, const context *c, const char *template)
{
    if (t->len)
        put_str(t, c->lang->sentence_gap);
    fill(t, c, template);
}

static variant
missed_variant(unsigned missed)
{
    uint8_t what = tcpst_step_info_of(missed)->what;
    if (what & TCPST_STEP_SENDS_SYNACK)
        return V_MISSED_SYNACK;
    if (what & TCPST_STEP_ENDS_HANDSHAKE)
        return V_MISSED_HANDSHAKE_ACK;
    if (what & TCPST_STEP_SENDS_FIN)
        return V_MISSED_FIN;
    return V_MISSED_OTHER;
}

/* "The capture missed the {missed}; ...", with the step's name in place of {missed}. */
static void
missed_sentences(text *t, const context *c)
{
    const tcpst_evidence *evidence = c->in->evidence;
    for (int i = 0; i < TCPST_MAX_MISSED && evidence->missed[i] != TCPST_STEP_NONE; i++) {
        const char *template = c->lang->variant[missed_variant(evidence->missed[i])];
        const char *at = strstr(template, "{missed}");
        if (t->len)
            put_str(t, c->lang->sentence_gap);
        put_mem(t, template, (size_t)(at - template));
        put_step_name(t, c, evidence->missed[i]);
        fill(t, c, at + strlen("{missed}"));
    }
    sentence(t, c, c->lang->variant[V_MISSED_AFTER]);
}

/* Did this end receive, in this segment, a SYN or FIN that it shows only at its reply? */
static bool
receives_until_reply(const tcpst_explain_input *in, unsigned role)
{
    const tcpst_verdict *v = in->verdict;
    return role != tcpst_sender(v) && !(v->bits & (TCPST_V_RETRANSMISSION | TCPST_V_LATE))
        && (in->flags & (TCPST_SYN | TCPST_FIN)) && !(in->flags & TCPST_RST);
}

static void
state_sentence(text *t, context *c, unsigned role)
{
    const tcpst_verdict *v = c->in->verdict;
    const language_texts *lang = c->lang;
    unsigned before = tcpst_before(v, role), after = tcpst_after(v, role);

    c->role = role;
    c->why = NULL;
    if (before == after) {
        sentence(t, c, lang->state_form[receives_until_reply(c->in, role) ? S_STILL_UNTIL_REPLY : S_STILL]);
        return;
    }
    c->why = lang->why[before][after];
    if (c->in->flags & TCPST_RST) {
        if (after == TCPST_CLOSED)
            c->why = lang->why_reset_closed;
        else if (after == TCPST_LISTEN)
            c->why = lang->why_reset_listen;
    }
    sentence(t, c, lang->state_form[c->why ? S_CHANGE_WHY : S_CHANGE]);
}

const char *
tcpst_explain(const tcpst_explain_input *in, unsigned language, char buf[TCPST_EXPLAIN_MAX])
{
    const tcpst_verdict *v = in->verdict;
    if (v->step == TCPST_STEP_NONE)
        return NULL;

    context c = { .in = in, .lang = texts_of(language) };
    tcpst_explain_marks(in, &c.marks);
    text t = { buf, TCPST_EXPLAIN_MAX, 0 };
    buf[0] = '\0';

    if (v->step == TCPST_STEP_DUPLICATE) {
        fill(&t, &c, c.lang->step[TCPST_STEP_DUPLICATE]);
        return buf;
    }
    if (v->bits & TCPST_V_RETRANSMISSION) {
        uint8_t what = tcpst_step_info_of(v->step)->what;
        bool resent = what & (TCPST_STEP_SENDS_SYN | TCPST_STEP_SENDS_SYNACK | TCPST_STEP_SENDS_FIN)
                      || tcpst_step_info_of(v->step)->handshake == 1;
        sentence(&t, &c, c.lang->variant[resent ? V_RETRANSMITTED : V_ANSWERED_AGAIN]);
    }
    if (v->bits & TCPST_V_LATE) {
        uint8_t what = tcpst_step_info_of(v->step)->what;
        bool after_ack = what & (TCPST_STEP_SENDS_SYN | TCPST_STEP_SENDS_SYNACK | TCPST_STEP_SENDS_FIN);
        sentence(&t, &c, c.lang->variant[after_ack ? V_LATE_AFTER_ACK : V_LATE]);
    }
    if ((v->bits & TCPST_V_MISSED) && in->evidence)
        missed_sentences(&t, &c);
    sentence(&t, &c, c.lang->step[base_step(v->step)]);
    if (c.lang->step_extra[v->step])
        sentence(&t, &c, c.lang->step_extra[v->step]);
    if ((v->bits & TCPST_V_WITHDRAWN) && in->evidence)
        sentence(&t, &c, c.lang->variant[V_WITHDRAWN]);
    state_sentence(&t, &c, TCPST_CLIENT);
    state_sentence(&t, &c, TCPST_SERVER);
    if (v->bits & TCPST_V_PEER_UNSEEN)
        sentence(&t, &c, c.lang->variant[V_UNSEEN]);
    return buf;
}

const char *
tcpst_explain_label(const tcpst_verdict *verdict, unsigned language, uint32_t duplicate_of,
                    char buf[TCPST_LABEL_MAX])
{
    const language_texts *lang = texts_of(language);
    if (!lang->step_name[verdict->step] || verdict->step == TCPST_STEP_NONE)
        return tcpst_verdict_label(verdict, TCPST_LABEL_FULL, duplicate_of, buf);

    const char *name = lang->step_name[verdict->step];
    if (verdict->step == TCPST_STEP_DUPLICATE)
        snprintf(buf, TCPST_LABEL_MAX, lang->duplicate_of, duplicate_of);
    else if (verdict->bits & TCPST_V_RETRANSMISSION)
        snprintf(buf, TCPST_LABEL_MAX, lang->retransmission_of, name);
    else if (verdict->bits & TCPST_V_LATE) {
        uint8_t what = tcpst_step_info_of(verdict->step)->what;
        bool after_ack = what & (TCPST_STEP_SENDS_SYN | TCPST_STEP_SENDS_SYNACK | TCPST_STEP_SENDS_FIN);
        snprintf(buf, TCPST_LABEL_MAX, after_ack ? lang->captured_after_ack : lang->captured_late, name);
    } else if (verdict->bits & TCPST_V_BAD_ACK)
        snprintf(buf, TCPST_LABEL_MAX, lang->bad_ack_label, (int)strlen(name) - 1, name);
    else
        return name;
    return buf;
}

const char *
tcpst_explain_word(unsigned language, tcpst_word word)
{
    return word < TCPST_N_WORDS ? texts_of(language)->word[word] : "";
}

/* The code point of the UTF-8 character at p, and its length in *len. */
static uint32_t
utf8_char(const char *p, size_t *len)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] < 0x80 || !u[1]) {
        *len = 1;
        return u[0];
    }
    if (u[0] < 0xe0 || !u[2]) {
        *len = 2;
        return (uint32_t)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
    }
    if (u[0] < 0xf0 || !u[3]) {
        *len = 3;
        return (uint32_t)(u[0] & 0x0f) << 12 | (uint32_t)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
    }
    *len = 4;
    return (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 | (uint32_t)(u[2] & 0x3f) << 6 | (u[3] & 0x3f);
}

/* Chinese punctuation a line may end after: ， 。 ； ： ） */
static bool
ends_a_phrase(uint32_t c)
{
    return c == 0xff0c || c == 0x3002 || c == 0xff1b || c == 0xff1a || c == 0xff09;
}

size_t
tcpst_explain_line(const char *text, unsigned width)
{
    size_t at = 0, fits = 0, phrase_end = 0;
    unsigned columns = 0;
    while (text[at]) {
        size_t len;
        uint32_t c = utf8_char(text + at, &len);
        columns += c >= 0x2e80 ? 2 : 1;     /* CJK and full-width forms take two columns */
        if (columns > width)
            break;
        if (c == ' ')
            phrase_end = at + 1;
        at += len;
        fits = at;
        if (ends_a_phrase(c))
            phrase_end = at;
    }
    if (!text[at])
        return at;
    if (phrase_end)
        return phrase_end;
    if (fits)
        return fits;
    size_t first;
    utf8_char(text, &first);    /* too narrow for even one character: it alone */
    return first;
}
