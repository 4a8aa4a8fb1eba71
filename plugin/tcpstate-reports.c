/* tcpstate-reports.c
 * What happened in the whole capture, from the "tcpstate" tap:
 *   -z tcpstate,tree                 the statistics tree (also Statistics > TCP State)
 *   -z tcpstate,conv[,tsv][,FILTER]  one row per connection
 *   -z tcpstate,ladder[,FILTER]      the tutorial's picture: arrows between client and server
 * the GUI's connection table (Statistics > TCP State Connections), and the ladder in the
 * GUI: the flow type "TCP State" of Statistics > Flow Graph (tshark -z flow,tcpstate,...).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include <epan/packet.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <epan/dissectors/packet-tcp.h>     /* TH_* flag bits */

#include <wsutil/report_message.h>
#include <wsutil/str_util.h>
#include <wsutil/wslog.h>

#include "tcpstate-tap.h"
#include "ws-compat.h"

/* ---- final states at the end of the capture ---- */

/* An end whose TIME_WAIT ended (the TIME_WAIT preference) before the latest packet the report
 * has seen is CLOSED by then, though no packet says so: the reports count it so, and say
 * why. The packet's own fields never change. */
static const char *const time_wait_ended = "CLOSED (TIME_WAIT ended)";

static const char *
final_state_name(const tcpst_verdict *v, unsigned role, tcpstate_time time_wait_ends,
                 tcpstate_time latest)
{
    if (tcpst_after(v, role) == TCPST_TIME_WAIT && time_wait_ends <= latest)
        return time_wait_ended;
    return tcpst_after_name(v, role);
}

/* The reports updated packet by packet (the tree, the GUI's table) learn that a TIME_WAIT
 * ended from the first packet after its end: each end entering TIME_WAIT is queued, in the
 * order of its end (the preference is one length for all). */
typedef struct {
    const void *conn;           /* the connection's entry in the report */
    unsigned role;
    tcpstate_time ends;
} time_wait_entry;

static void
queue_time_wait(GQueue *waiting, const void *conn, unsigned role, tcpstate_time ends)
{
    time_wait_entry *entry = g_new(time_wait_entry, 1);
    entry->conn = conn;
    entry->role = role;
    entry->ends = ends;
    g_queue_push_tail(waiting, entry);
}

/* The next entry whose TIME_WAIT ended by `now` (to be g_free()d), or NULL. */
static time_wait_entry *
next_ended(GQueue *waiting, tcpstate_time now)
{
    time_wait_entry *head = (time_wait_entry *)g_queue_peek_head(waiting);
    return head && head->ends <= now ? (time_wait_entry *)g_queue_pop_head(waiting) : NULL;
}

/* ---- -z tcpstate,tree: counts of steps, anomalies, and per connection its close kind,
 * conn_state and final states ---- */

static const char *const tree_nodes[] = {
    "Steps", "Anomalies", "Connections by close kind", "Connections by conn_state (Zeek)",
    "Final client states", "Final server states",
};
enum { NODE_STEPS, NODE_ANOMALIES, NODE_CLOSE_KIND, NODE_CONN_STATE, NODE_CLIENT, NODE_SERVER,
       N_NODES };

/* Per stats tree: the values each connection is counted under now, so that a change moves
 * the connection from one node to another. Keyed by the stats_tree, then by the connection. */
static GHashTable *counted_by_tree;

typedef struct {
    int node_id[N_NODES];
    GHashTable *counted;    /* tcpstate_conn* -> const char *[N_NODES] */
    GQueue waiting;         /* time_wait_entry: the ends counted in TIME_WAIT */
} tree_data;

static void
tree_init(stats_tree *st)
{
    tree_data *data = g_new0(tree_data, 1);
    for (int i = 0; i < N_NODES; i++)
        data->node_id[i] = stats_tree_create_node(st, tree_nodes[i], 0, STAT_DT_INT, TRUE);
    data->counted = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    if (!counted_by_tree)
        counted_by_tree = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(counted_by_tree, st, data);
}

static void
tree_cleanup(stats_tree *st)
{
    tree_data *data = (tree_data *)g_hash_table_lookup(counted_by_tree, st);
    if (data) {
        g_queue_clear_full(&data->waiting, g_free);
        g_hash_table_destroy(data->counted);
        g_hash_table_remove(counted_by_tree, st);
        g_free(data);
    }
}

/* Count the connection under `name` in `node`, uncounting it where it was before. */
static void
recount(stats_tree *st, const tree_data *data, const char **counted, int node, const char *name)
{
    if (counted[node] == name)
        return;
    if (counted[node])
        increase_stat_node(st, counted[node], data->node_id[node], FALSE, -1);
    tick_stat_node(st, name, data->node_id[node], FALSE);
    counted[node] = name;
}

static tap_packet_status
tree_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_, const void *p,
            tap_flags_t flags _U_)
{
    const tcpstate_tap_record *rec = (const tcpstate_tap_record *)p;
    const tcpst_verdict *v = rec->verdict;
    tree_data *data = (tree_data *)g_hash_table_lookup(counted_by_tree, st);

    static const int final_nodes[] = { [TCPST_CLIENT] = NODE_CLIENT, [TCPST_SERVER] = NODE_SERVER };
    const char *time_wait = tcpst_state_name(TCPST_TIME_WAIT);
    time_wait_entry *ended;
    while ((ended = next_ended(&data->waiting, tcpstate_time_of(&pinfo->abs_ts)))) {
        const char **was = (const char **)g_hash_table_lookup(data->counted, ended->conn);
        if (was[final_nodes[ended->role]] == time_wait)
            recount(st, data, was, final_nodes[ended->role], time_wait_ended);
        g_free(ended);
    }

    tick_stat_node(st, tree_nodes[NODE_STEPS], 0, TRUE);
    /* One node for all duplicates, whatever frame each copies. */
    char buf[TCPST_LABEL_MAX];
    const char *label = v->step == TCPST_STEP_DUPLICATE ? "(packet captured twice)"
                      : tcpst_verdict_label(v, TCPST_LABEL_FULL, 0, buf);
    tick_stat_node(st, label ? label : "(data or plain ACK)", data->node_id[NODE_STEPS], FALSE);
    for (unsigned a = 0; a < TCPST_N_ANOMALIES; a++) {
        if (v->anomalies & (1u << a)) {
            tick_stat_node(st, tree_nodes[NODE_ANOMALIES], 0, TRUE);
            tick_stat_node(st, tcpst_anomaly_info_of(a)->name, data->node_id[NODE_ANOMALIES], FALSE);
        }
    }

    const char **counted = (const char **)g_hash_table_lookup(data->counted, rec->conn);
    if (!counted) {
        counted = g_new0(const char *, N_NODES);
        g_hash_table_insert(data->counted, (gpointer)rec->conn, counted);
        for (int node = NODE_CLOSE_KIND; node < N_NODES; node++)
            tick_stat_node(st, tree_nodes[node], 0, TRUE);
    }
    recount(st, data, counted, NODE_CLOSE_KIND, tcpst_close_kind_name(v->close_kind));
    recount(st, data, counted, NODE_CONN_STATE, tcpst_conn_state_name(v->conn_state));
    for (unsigned role = TCPST_CLIENT; role <= TCPST_SERVER; role++) {
        const char *state = tcpst_after_name(v, role);
        if (state == time_wait && counted[final_nodes[role]] != time_wait)
            queue_time_wait(&data->waiting, rec->conn, role, rec->time_wait_ends);
        recount(st, data, counted, final_nodes[role], state);
    }
    return TAP_PACKET_REDRAW;
}

static double
seconds_between(const nstime_t *later, const nstime_t *earlier)
{
    nstime_t delta;
    nstime_delta(&delta, later, earlier);
    return nstime_to_sec(&delta);
}

/* ---- what the connection tables and the ladder share: each connection as of its last
 * packet so far in the report ---- */

typedef struct {
    guint32 frame;
    guint32 duplicate_of;       /* a copy of that frame, or 0 */
    tcpst_verdict verdict;      /* a copy: the tap's pointer is good for the callback only */
    guint8 flags;
    guint32 seq, ack, len;      /* relative when TCP's preference says so */
    guint32 abs_seq, abs_ack;   /* as in the header: the ladder's letters check them */
} segment_line;

typedef struct {
    const tcpstate_conn_record *conn;
    guint32 stream;
    guint32 first_frame;
    nstime_t first_time, last_time;
    double handshake_rtt;       /* SYN to the handshake's ACK, in seconds, or -1 */
    guint64 packets[2], bytes[2];   /* by sender: client, server; a packet captured twice once */
    tcpst_verdict last;         /* of its last packet */
    tcpstate_time time_wait_ends;   /* of its last packet */
    GArray *lines;              /* segment_line, in frame order: for the ladder, else NULL */
} conn_report;

/* The connections of one report, in the order of their first packet. */
typedef struct {
    GHashTable *by_conn;        /* tcpstate_conn_record* -> conn_report */
    GPtrArray *order;           /* conn_report */
    gboolean keep_lines;
    tcpstate_time latest;       /* the time of the latest packet */
} conn_reports;

static void
free_conn_report(gpointer p)
{
    conn_report *report = (conn_report *)p;
    if (report->lines)
        g_array_free(report->lines, TRUE);
    g_free(report);
}

static void
conn_reports_init(conn_reports *reports, gboolean keep_lines)
{
    reports->by_conn = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_conn_report);
    reports->order = g_ptr_array_new();
    reports->keep_lines = keep_lines;
    reports->latest = G_MININT64;
}

static void
conn_reports_clear(conn_reports *reports)
{
    reports->latest = G_MININT64;
    g_ptr_array_set_size(reports->order, 0);
    g_hash_table_remove_all(reports->by_conn);
}

static void
conn_reports_free(conn_reports *reports)
{
    g_ptr_array_free(reports->order, TRUE);
    g_hash_table_destroy(reports->by_conn);
}

/* Add one tapped packet to its connection's report; returns that report. */
static conn_report *
conn_reports_add(conn_reports *reports, packet_info *pinfo, const tcpstate_tap_record *rec)
{
    const tcpstate_conn_record *conn = rec->conn;
    conn_report *report = (conn_report *)g_hash_table_lookup(reports->by_conn, conn);
    if (!report) {
        report = g_new0(conn_report, 1);
        report->conn = conn;
        report->stream = rec->stream;
        report->first_frame = pinfo->num;
        report->first_time = pinfo->abs_ts;
        report->handshake_rtt = -1;
        if (reports->keep_lines)
            report->lines = g_array_new(FALSE, TRUE, sizeof(segment_line));
        g_hash_table_insert(reports->by_conn, (gpointer)conn, report);
        g_ptr_array_add(reports->order, report);
    }
    /* From the SYN the handshake answered, as tcpstate.rtt.syn_synack: a lost SYN's retry
     * timeout is no round trip. */
    if (pinfo->num == conn->ack_frame && conn->answered_syn_frame && conn->ack_time >= conn->answered_syn_time)
        report->handshake_rtt = (double)(conn->ack_time - conn->answered_syn_time) / 1e9;
    report->last_time = pinfo->abs_ts;
    report->last = *rec->verdict;
    report->time_wait_ends = rec->time_wait_ends;
    reports->latest = MAX(reports->latest, tcpstate_time_of(&pinfo->abs_ts));
    if (rec->verdict->step != TCPST_STEP_DUPLICATE) {
        unsigned from = tcpst_sender(rec->verdict);
        report->packets[from]++;
        report->bytes[from] += rec->payload_len;
    }
    if (report->lines) {
        segment_line line = { .frame = pinfo->num, .duplicate_of = rec->duplicate_of,
                              .verdict = *rec->verdict, .flags = rec->flags,
                              .seq = rec->seq, .ack = rec->ack, .len = rec->payload_len,
                              .abs_seq = rec->abs_seq, .abs_ack = rec->abs_ack };
        g_array_append_val(report->lines, line);
    }
    return report;
}

/* "192.0.2.1:40001", "[2001:db8::1]:40001" */
static char *
endpoint_text(const tcpstate_conn_record *conn, int role)
{
    address end;
    tcpstate_conn_address(conn, role, &end);
    char *addr = address_to_str(NULL, &end);
    char *text = g_strdup_printf(end.type == AT_IPv6 ? "[%s]:%u" : "%s:%u", addr, conn->tuple.port[role]);
    wmem_free(NULL, addr);
    return text;
}

/* The columns of a connection row: -z tcpstate,conv prints those with a name, the GUI's
 * table (and -z tcpstate,conntable) shows those with a title. */
typedef enum {
    COL_STREAM, COL_CLIENT, COL_SERVER, COL_FIRST_FRAME, COL_PACKETS, COL_DURATION,
    COL_HANDSHAKE_RTT, COL_CONN_STATE, COL_HISTORY, COL_CLOSE_KIND, COL_CLOSED_BY,
    COL_CLIENT_STATE, COL_SERVER_STATE, COL_C2S_PACKETS, COL_C2S_BYTES, COL_S2C_PACKETS,
    COL_S2C_BYTES, N_COLUMNS
} conn_column;

static const struct {
    const char *name;           /* conv's header, or NULL */
    const char *title;          /* the GUI table's header, or NULL */
    gboolean is_number;         /* a number in the GUI table (sorts as one) */
} conn_columns[N_COLUMNS] = {
    [COL_STREAM]        = { "stream", "Stream", TRUE },
    [COL_CLIENT]        = { "client", "Client", FALSE },
    [COL_SERVER]        = { "server", "Server", FALSE },
    [COL_FIRST_FRAME]   = { "first_frame", "First frame", TRUE },
    [COL_PACKETS]       = { NULL, "Packets", TRUE },
    [COL_DURATION]      = { "duration_s", NULL, FALSE },
    [COL_HANDSHAKE_RTT] = { "handshake_rtt_ms", NULL, FALSE },
    [COL_CONN_STATE]    = { "conn_state", "Conn state", FALSE },
    [COL_HISTORY]       = { "history", "History", FALSE },
    [COL_CLOSE_KIND]    = { "close_kind", "Close kind", FALSE },
    [COL_CLOSED_BY]     = { "closed_by", "Closed by", FALSE },
    [COL_CLIENT_STATE]  = { "client_state", "Client state", FALSE },
    [COL_SERVER_STATE]  = { "server_state", "Server state", FALSE },
    [COL_C2S_PACKETS]   = { "c2s_packets", NULL, TRUE },
    [COL_C2S_BYTES]     = { "c2s_bytes", NULL, TRUE },
    [COL_S2C_PACKETS]   = { "s2c_packets", NULL, TRUE },
    [COL_S2C_BYTES]     = { "s2c_bytes", NULL, TRUE },
};

/* A number column's value. */
static guint64
column_number(const conn_report *report, conn_column column)
{
    switch (column) {
    case COL_STREAM:        return report->stream;
    case COL_FIRST_FRAME:   return report->first_frame;
    case COL_PACKETS:       return report->packets[TCPST_CLIENT] + report->packets[TCPST_SERVER];
    case COL_C2S_PACKETS:   return report->packets[TCPST_CLIENT];
    case COL_C2S_BYTES:     return report->bytes[TCPST_CLIENT];
    case COL_S2C_PACKETS:   return report->packets[TCPST_SERVER];
    case COL_S2C_BYTES:     return report->bytes[TCPST_SERVER];
    default:                return 0;
    }
}

/* Any column's value as text, to be g_free()d; the final states as of `latest`. */
static char *
column_text(const conn_report *report, conn_column column, tcpstate_time latest)
{
    const tcpst_verdict *v = &report->last;
    if (conn_columns[column].is_number)
        return g_strdup_printf("%" G_GUINT64_FORMAT, column_number(report, column));
    switch (column) {
    case COL_CLIENT:        return endpoint_text(report->conn, TCPST_CLIENT);
    case COL_SERVER:        return endpoint_text(report->conn, TCPST_SERVER);
    case COL_DURATION:      return g_strdup_printf("%.6f", seconds_between(&report->last_time, &report->first_time));
    case COL_HANDSHAKE_RTT:
        return report->handshake_rtt >= 0 ? g_strdup_printf("%.3f", 1000 * report->handshake_rtt) : g_strdup("-");
    case COL_CONN_STATE:    return g_strdup(tcpst_conn_state_name(v->conn_state));
    case COL_HISTORY:       return g_strndup(report->conn->core.history, v->history_len);
    case COL_CLOSE_KIND:    return g_strdup(tcpst_close_kind_name(v->close_kind));
    case COL_CLOSED_BY:     return g_strdup(v->closed_by == TCPST_NOBODY ? "-" : tcpst_role_name(v->closed_by));
    case COL_CLIENT_STATE:
        return g_strdup(final_state_name(v, TCPST_CLIENT, report->time_wait_ends, latest));
    case COL_SERVER_STATE:
        return g_strdup(final_state_name(v, TCPST_SERVER, report->time_wait_ends, latest));
    default:                return g_strdup("");
    }
}

/* ---- -z tcpstate,conv[,tsv][,FILTER] and -z tcpstate,ladder[,FILTER] ---- */

/* A report's FILTER chooses connections, not packets: a connection with any packet that
 * matches is reported whole (its first frame, its handshake, its final states). So one
 * listener without the filter follows every connection, and a second one, with it, marks the
 * connections it sees. */
typedef struct {
    gboolean tsv;               /* conv: tab-separated instead of aligned */
    guint8 language;            /* the ladder's: the tcpstate.language preference */
    conn_reports conns;
    GHashTable *chosen;         /* tcpstate_conn_record*, with a filter; NULL: all */
} report_data;

static void
report_reset(void *p)
{
    report_data *data = (report_data *)p;
    conn_reports_clear(&data->conns);
    if (data->chosen)
        g_hash_table_remove_all(data->chosen);
}

/* The chooser's listener data is the set itself. */
static tap_packet_status
choose_packet(void *p, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *r,
              tap_flags_t flags _U_)
{
    g_hash_table_add((GHashTable *)p, (gpointer)((const tcpstate_tap_record *)r)->conn);
    return TAP_PACKET_DONT_REDRAW;
}

/* The connections the report shows, in the order of their first packet. */
static GPtrArray *
reported(const report_data *data)
{
    GPtrArray *shown = g_ptr_array_new();
    for (guint i = 0; i < data->conns.order->len; i++) {
        const conn_report *report = (const conn_report *)g_ptr_array_index(data->conns.order, i);
        if (!data->chosen || g_hash_table_contains(data->chosen, report->conn))
            g_ptr_array_add(shown, (gpointer)report);
    }
    return shown;
}

static tap_packet_status
report_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *r,
              tap_flags_t flags _U_)
{
    report_data *data = (report_data *)p;
    const tcpstate_tap_record *rec = (const tcpstate_tap_record *)r;
    data->language = rec->language;
    conn_reports_add(&data->conns, pinfo, rec);
    return TAP_PACKET_DONT_REDRAW;
}

static void
report_finish(void *p)
{
    report_data *data = (report_data *)p;
    conn_reports_free(&data->conns);
    if (data->chosen)
        g_hash_table_destroy(data->chosen);
    g_free(data);
}

/* Registers the report's listeners; FILTER is what follows "tcpstate,NAME,". FALSE when they
 * could not be registered (a bad filter). */
static gboolean
report_start(const char *filter, gboolean tsv, gboolean keep_lines, tap_draw_cb draw,
             const char *what)
{
    report_data *data = g_new0(report_data, 1);
    data->tsv = tsv;
    conn_reports_init(&data->conns, keep_lines);
    if (filter)
        data->chosen = g_hash_table_new(g_direct_hash, g_direct_equal);
    GString *error = register_tap_listener("tcpstate", data, NULL, TL_REQUIRES_NOTHING,
                                           report_reset, report_packet, draw, report_finish);
    if (error) {
        report_finish(data);
    } else if (filter) {
        /* The report's own listener frees the set, after the last packet. */
        error = register_tap_listener("tcpstate", data->chosen, filter, TL_REQUIRES_NOTHING,
                                      NULL, choose_packet, NULL, NULL);
        if (error)
            remove_tap_listener(data);      /* which calls report_finish */
    }
    if (error) {
        report_failure("Couldn't start the tcpstate %s report: %s", what, error->str);
        g_string_free(error, TRUE);
        return FALSE;
    }
    return TRUE;
}

static void
conv_draw(void *p)
{
    report_data *data = (report_data *)p;
    GPtrArray *order = reported(data);
    guint rows = order->len;
    char **cells = g_new0(char *, (rows + 1) * N_COLUMNS);
    size_t width[N_COLUMNS] = { 0 };

    for (guint r = 0; r <= rows; r++) {
        for (int c = 0; c < N_COLUMNS; c++) {
            if (!conn_columns[c].name)
                continue;
            char *cell = r == 0 ? g_strdup(conn_columns[c].name)
                                : column_text((const conn_report *)g_ptr_array_index(order, r - 1), c,
                                              data->conns.latest);
            cells[r * N_COLUMNS + c] = cell;
            width[c] = MAX(width[c], strlen(cell));
        }
    }

    int last = N_COLUMNS - 1;
    while (!conn_columns[last].name)
        last--;
    if (!data->tsv) {
        printf("================================================================================\n");
        printf("TCP State connections: %u\n", rows);
    }
    for (guint r = 0; r <= rows; r++) {
        for (int c = 0; c < N_COLUMNS; c++) {
            const char *cell = cells[r * N_COLUMNS + c];
            if (!cell)
                continue;
            if (data->tsv)
                printf("%s%s", cell, c < last ? "\t" : "\n");
            else
                printf("%-*s%s", (int)width[c], cell, c < last ? "  " : "\n");
        }
    }
    if (!data->tsv)
        printf("================================================================================\n");
    for (guint i = 0; i < (rows + 1) * N_COLUMNS; i++)
        g_free(cells[i]);
    g_free(cells);
    g_ptr_array_free(order, TRUE);
}

/* ---- -z tcpstate,ladder[,FILTER]: the tutorial's picture ---- */

#define LADDER_ARROW 44     /* width of the arrow between the two state columns */

static char *
flag_names(guint8 flags)
{
    static const struct { guint8 bit; const char *name; } names[] = {
        { TH_SYN, "SYN" }, { TH_FIN, "FIN" }, { TH_RST, "RST" }, { TH_PUSH, "PSH" },
        { TH_ACK, "ACK" }, { TH_URG, "URG" },
    };
    GString *text = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        if (flags & names[i].bit)
            g_string_append_printf(text, "%s%s", text->len ? "+" : "", names[i].name);
    if (!text->len)
        g_string_append(text, "no flags");
    return g_string_free(text, FALSE);
}

/* " (x+1)": the tutorial's letter of a number, if it has one. */
static char *
mark_text(const char *mark)
{
    return *mark ? g_strdup_printf(" (%s)", mark) : g_strdup("");
}

/* "---- SYN seq=0 (x) ------->" or "<--- SYN+ACK seq=0 (y) ack=1 (x+1) ----", with the
 * tutorial's letters where it has them (docs/explanations.md). */
static void
print_arrow(const tcpstate_conn_record *conn, const segment_line *line)
{
    gboolean from_server = tcpst_sender(&line->verdict) == TCPST_SERVER;
    tcpst_explain_input in;
    tcpstate_explain_input(&line->verdict, conn, line->flags, line->abs_seq, line->abs_ack, line->seq,
                           line->ack, line->len, line->duplicate_of, &in);
    tcpst_marks marks;
    tcpst_explain_marks(&in, &marks);
    char *seq_mark = mark_text(marks.seq), *ack_mark = mark_text(marks.ack);
    char *flags = flag_names(line->flags);
    char *text = (line->flags & TH_ACK)
        ? g_strdup_printf(" %s seq=%u%s ack=%u%s ", flags, line->seq, seq_mark, line->ack, ack_mark)
        : g_strdup_printf(" %s seq=%u%s ", flags, line->seq, seq_mark);
    g_free(seq_mark);
    g_free(ack_mark);
    if (line->len) {
        char *with_len = g_strdup_printf("%slen=%u ", text, line->len);
        g_free(text);
        text = with_len;
    }
    int fill = LADDER_ARROW - 4 - (int)strlen(text);
    if (fill < 1)
        fill = 1;
    printf("%s%s", from_server ? "<---" : "----", text);
    for (int i = 0; i < fill; i++)
        putchar('-');
    printf("%s", from_server ? "-" : ">");
    g_free(flags);
    g_free(text);
}

/* The client column: 12 wide on the screen, where a Chinese character takes two. */
static void
print_client_column(const char *text)
{
    glong width = 0;
    for (const char *p = text; *p; p = g_utf8_next_char(p))
        width += g_unichar_iswide(g_utf8_get_char(p)) ? 2 : 1;
    printf("  %s%*s ", text, (int)MAX(12 - width, 0), "");
}

static void
print_states(const char *client, const char *server, const char *middle)
{
    print_client_column(client);
    printf("%-*s %s\n", LADDER_ARROW + 1, middle, server);
}

static void
ladder_connection(const conn_report *report, unsigned language)
{
    char *client = endpoint_text(report->conn, TCPST_CLIENT);
    char *server = endpoint_text(report->conn, TCPST_SERVER);
    const tcpst_verdict *first = &g_array_index(report->lines, segment_line, 0).verdict;
    const tcpst_verdict *last = &report->last;

    printf("\n");
    printf(tcpst_explain_word(language, TCPST_WORD_CONNECTION), report->stream, client, server,
           (first->bits & TCPST_V_INFERRED) ? tcpst_explain_word(language, TCPST_WORD_INFERRED) : "");
    printf("\n");
    print_states(tcpst_explain_word(language, TCPST_WORD_CLIENT), tcpst_explain_word(language, TCPST_WORD_SERVER), "");
    print_states(tcpst_before_name(first, TCPST_CLIENT), tcpst_before_name(first, TCPST_SERVER), "");

    for (guint i = 0; i < report->lines->len; i++) {
        const segment_line *line = &g_array_index(report->lines, segment_line, i);
        const tcpst_verdict *v = &line->verdict;
        char buf[TCPST_LABEL_MAX];
        const char *label = tcpst_explain_label(v, language, line->duplicate_of, buf);

        print_client_column(tcpst_changed(v, TCPST_CLIENT) ? tcpst_after_name(v, TCPST_CLIENT) : "");
        print_arrow(report->conn, line);
        printf(" %-12s %5u %s\n", tcpst_changed(v, TCPST_SERVER) ? tcpst_after_name(v, TCPST_SERVER) : "",
               line->frame, label ? label : "");
    }
    gboolean client_waits = tcpst_after(last, TCPST_CLIENT) == TCPST_TIME_WAIT;
    gboolean server_waits = tcpst_after(last, TCPST_SERVER) == TCPST_TIME_WAIT;
    if (client_waits || server_waits) {
        printf("  %s\n", tcpst_explain_word(language, TCPST_WORD_LATER));
        print_states(client_waits ? "CLOSED" : "", server_waits ? "CLOSED" : "", "");
    }
    g_free(client);
    g_free(server);
}

static void
ladder_draw(void *p)
{
    const report_data *data = (const report_data *)p;
    GPtrArray *order = reported(data);
    printf("================================================================================\n");
    printf(tcpst_explain_word(data->language, TCPST_WORD_LADDER), order->len, plurality(order->len, "", "s"));
    printf("\n");
    for (guint i = 0; i < order->len; i++)
        ladder_connection((const conn_report *)g_ptr_array_index(order, i), data->language);
    printf("================================================================================\n");
    g_ptr_array_free(order, TRUE);
}

/* ---- the connection table in the GUI (Statistics > TCP State Connections), and in tshark as
 * -z tcpstate,conntable: one row per connection, updated as its packets arrive ---- */

/* The columns with a title, in order: filled in at registration. */
static stat_tap_table_item table_fields[N_COLUMNS];
static conn_column table_columns[N_COLUMNS];
static guint n_table_columns;

/* Per table: its connections, and each one's row + 1. */
typedef struct {
    conn_reports conns;
    GHashTable *rows;           /* tcpstate_conn_record* -> row + 1 */
    GQueue waiting;             /* time_wait_entry of a conn_report: its row says TIME_WAIT */
} table_data;
static GHashTable *data_by_table;

static void
free_table_data(gpointer p)
{
    table_data *data = (table_data *)p;
    g_queue_clear_full(&data->waiting, g_free);
    conn_reports_free(&data->conns);
    g_hash_table_destroy(data->rows);
    g_free(data);
}

static void
conn_table_init(stat_tap_table_ui *ui)
{
    stat_tap_table *table = stat_tap_find_table(ui, ui->title);
    if (!table) {
        table = stat_tap_init_table(ui->title, n_table_columns, 0, "tcp.stream");
        stat_tap_add_table(ui, table);
    }
    if (!data_by_table)
        data_by_table = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_table_data);
    table_data *data = g_new0(table_data, 1);
    conn_reports_init(&data->conns, FALSE);
    data->rows = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_replace(data_by_table, table, data);
}

/* The row of a connection's report, as of `latest`. */
static void
fill_row(stat_tap_table *table, guint row, const conn_report *report, tcpstate_time latest)
{
    for (guint c = 0; c < n_table_columns; c++) {
        stat_tap_table_item_type *item = stat_tap_get_field_data(table, row, c);
        if (item->type == TABLE_ITEM_UINT) {
            item->value.uint_value = (guint)column_number(report, table_columns[c]);
        } else {
            g_free((char *)item->value.string_value);
            item->value.string_value = column_text(report, table_columns[c], latest);
        }
    }
}

static tap_packet_status
conn_table_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *r,
                  tap_flags_t flags _U_)
{
    stat_data_t *stat_data = (stat_data_t *)p;
    stat_tap_table *table = g_array_index(stat_data->stat_tap_data->tables, stat_tap_table *, 0);
    table_data *data = (table_data *)g_hash_table_lookup(data_by_table, table);
    const tcpstate_tap_record *rec = (const tcpstate_tap_record *)r;
    const conn_report *report = conn_reports_add(&data->conns, pinfo, rec);
    guint row = GPOINTER_TO_UINT(g_hash_table_lookup(data->rows, rec->conn));

    time_wait_entry *ended;
    while ((ended = next_ended(&data->waiting, data->conns.latest))) {
        const conn_report *waiting = (const conn_report *)ended->conn;
        fill_row(table, GPOINTER_TO_UINT(g_hash_table_lookup(data->rows, waiting->conn)) - 1,
                 waiting, data->conns.latest);
        g_free(ended);
    }
    for (unsigned role = TCPST_CLIENT; role <= TCPST_SERVER; role++)
        if (tcpst_after(rec->verdict, role) == TCPST_TIME_WAIT)
            queue_time_wait(&data->waiting, report, role, rec->time_wait_ends);

    if (!row) {
        stat_tap_table_item_type items[N_COLUMNS];
        memset(items, 0, sizeof items);
        for (guint c = 0; c < n_table_columns; c++)
            items[c].type = table_fields[c].type;
        row = table->num_elements + 1;
        stat_tap_init_table_row(table, row - 1, n_table_columns, items);
        g_hash_table_insert(data->rows, (gpointer)rec->conn, GUINT_TO_POINTER(row));
    }
    fill_row(table, row - 1, report, data->conns.latest);
    return TAP_PACKET_REDRAW;
}

static void
conn_table_free_item(stat_tap_table *table _U_, guint row _U_, guint column _U_,
                     stat_tap_table_item_type *item)
{
    if (item->type == TABLE_ITEM_STRING) {
        g_free((char *)item->value.string_value);
        item->value.string_value = NULL;
    }
}

/* A rescan starts with no connection at all. */
static void
conn_table_reset(stat_tap_table *table)
{
    for (guint row = 0; row < table->num_elements; row++) {
        for (guint c = 0; c < n_table_columns; c++)
            conn_table_free_item(table, row, c, &table->elements[row][c]);
        g_free(table->elements[row]);
    }
    table->num_elements = 0;
    table_data *data = (table_data *)g_hash_table_lookup(data_by_table, table);
    if (data) {
        g_queue_clear_full(&data->waiting, g_free);
        conn_reports_clear(&data->conns);
        g_hash_table_remove_all(data->rows);
    }
}

/* REGISTER_PACKET_STAT_GROUP_UNSORTED puts it in the Statistics menu itself; the GUI makes no
 * menu of REGISTER_STAT_GROUP_GENERIC (only `wireshark -z` reached the table). */
static stat_tap_table_ui conn_table_ui = {
    REGISTER_PACKET_STAT_GROUP_UNSORTED, "TCP State Connections", "tcpstate", "tcpstate,conntable",
    conn_table_init, conn_table_packet, conn_table_reset, conn_table_free_item, NULL,
    0, table_fields, 0, NULL, NULL, 0
};

static void
register_conn_table(void)
{
    for (int c = 0; c < N_COLUMNS; c++) {
        if (!conn_columns[c].title)
            continue;
        stat_tap_table_item *field = &table_fields[n_table_columns];
        field->type = conn_columns[c].is_number ? TABLE_ITEM_UINT : TABLE_ITEM_STRING;
        field->align = conn_columns[c].is_number ? TAP_ALIGN_RIGHT : TAP_ALIGN_LEFT;
        field->column_name = conn_columns[c].title;
        field->field_format = conn_columns[c].is_number ? "%u" : "%s";
        table_columns[n_table_columns++] = (conn_column)c;
    }
    conn_table_ui.nfields = n_table_columns;
    register_stat_tap_table_ui(&conn_table_ui);
}

/* ---- the Flow Graph's "TCP State" flow type (also tshark -z flow,tcpstate,standard|network)
 * the ladder's arrows in the GUI: the step above each arrow, both states beside it ---- */

#if TCPSTATE_WS_SEQ_ANALYSIS
/* "client FIN_WAIT_2 · server CLOSE_WAIT", then " · anomaly: NAME" for each anomaly. */
static char *
flow_comment(const tcpst_verdict *v)
{
    GString *text = g_string_new(NULL);
    g_string_printf(text, "client %s \u00b7 server %s", tcpst_after_name(v, TCPST_CLIENT),
                    tcpst_after_name(v, TCPST_SERVER));
    for (unsigned a = 0; a < TCPST_N_ANOMALIES; a++)
        if (v->anomalies & (1u << a))
            g_string_append_printf(text, " \u00b7 anomaly: %s", tcpst_anomaly_info_of(a)->name);
    return g_string_free(text, FALSE);
}

/* The step ("Wave 2+3/4"); a segment that is no step keeps its flags and length
 * ("PSH+ACK len=73"), as the ladder shows them. */
static char *
flow_label(const tcpstate_tap_record *rec)
{
    char buf[TCPST_LABEL_MAX];
    const char *step = tcpst_verdict_label(rec->verdict, TCPST_LABEL_SHORT, rec->duplicate_of, buf);
    if (step)
        return g_strdup(step);
    char *flags = flag_names(rec->flags);
    if (!rec->payload_len)
        return flags;
    char *label = g_strdup_printf("%s len=%u", flags, rec->payload_len);
    g_free(flags);
    return label;
}

static tap_packet_status
flow_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *data,
            tap_flags_t flags _U_)
{
    tcpstate_seq_info *sainfo = (tcpstate_seq_info *)p;
    const tcpstate_tap_record *rec = (const tcpstate_tap_record *)data;
    tcpstate_seq_item *sai = sequence_analysis_create_sai_with_addresses(pinfo, sainfo);
    if (!sai)
        return TAP_PACKET_DONT_REDRAW;
    sequence_analysis_use_color_filter(pinfo, sai);
    sai->frame_number = pinfo->num;
    sai->port_src = (guint16)pinfo->srcport;
    sai->port_dst = (guint16)pinfo->destport;
    sai->frame_label = flow_label(rec);
    sai->comment = flow_comment(rec->verdict);
    sai->conv_num = (guint16)rec->stream;
    sai->line_style = 1;
    sai->display = TRUE;
    g_queue_push_tail(sainfo->items, sai);
    return TAP_PACKET_REDRAW;
}
#endif

static void
register_flow_type(int proto)
{
#if TCPSTATE_WS_SEQ_ANALYSIS
    register_seq_analysis("tcpstate", "TCP State", proto, "tcpstate", 0, flow_packet);
#else
    (void)proto;
    ws_message("tcpstate: no \"TCP State\" flow type in the Flow Graph: the layout of its "
               "records in Wireshark %d.%d is not known to this plugin (ws-compat.h)",
               WIRESHARK_VERSION_MAJOR, WIRESHARK_VERSION_MINOR);
#endif
}

/* ---- registration ---- */

/* "tcpstate,conv", "tcpstate,conv,tsv", "tcpstate,conv,FILTER", "tcpstate,conv,tsv,FILTER" */
static tcpstate_tap_init_result
conv_init(const char *arg, void *userdata _U_)
{
    const char *rest = arg + strlen("tcpstate,conv");
    gboolean tsv = FALSE;
    if (*rest == ',')
        rest++;
    if (g_str_has_prefix(rest, "tsv") && (rest[3] == '\0' || rest[3] == ',')) {
        tsv = TRUE;
        rest += rest[3] ? 4 : 3;
    }
    TCPSTATE_TAP_INIT_RETURN(report_start(*rest ? rest : NULL, tsv, FALSE, conv_draw,
                                          "connection table"));
}

static tcpstate_tap_init_result
ladder_init(const char *arg, void *userdata _U_)
{
    const char *rest = arg + strlen("tcpstate,ladder");
    if (*rest == ',')
        rest++;
    TCPSTATE_TAP_INIT_RETURN(report_start(*rest ? rest : NULL, FALSE, TRUE, ladder_draw, "ladder"));
}

static stat_tap_ui conv_ui = {
    REGISTER_STAT_GROUP_GENERIC, "TCP State connections", "tcpstate,conv", conv_init, 0, NULL
};
static stat_tap_ui ladder_ui = {
    REGISTER_STAT_GROUP_GENERIC, "TCP State ladder", "tcpstate,ladder", ladder_init, 0, NULL
};

void
tcpstate_register_reports(int proto)
{
    stats_tree_register_plugin("tcpstate", "tcpstate", "TCP State", 0, tree_packet, tree_init,
                               tree_cleanup);
    register_stat_tap_ui(&conv_ui, NULL);
    register_stat_tap_ui(&ladder_ui, NULL);
    register_conn_table();
    register_flow_type(proto);
}
