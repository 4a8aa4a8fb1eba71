/* tcpstate-reports.c
 * What happened in the whole capture, from the "tcpstate" tap:
 *   -z tcpstate,tree                 the statistics tree (also Statistics > TCP State)
 *   -z tcpstate,conv[,tsv][,FILTER]  one row per connection
 *   -z tcpstate,ladder[,FILTER]      the tutorial's picture: arrows between client and server
 * The connection table and the ladder also listen to Wireshark's "tcp" tap, for each
 * segment's flags, relative seq/ack and payload length.
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
#include <epan/dissectors/packet-tcp.h>

#include <wsutil/report_message.h>
#include <wsutil/str_util.h>

#include "tcpstate-tap.h"

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
    const tcpstate_tap_data *rec = (const tcpstate_tap_data *)p;
    const tcpst_verdict *v = rec->verdict;
    tree_data *data = (tree_data *)g_hash_table_lookup(counted_by_tree, st);

    tick_stat_node(st, tree_nodes[NODE_STEPS], 0, TRUE);
    const char *label = tcpstate_step_label(v, FALSE, pinfo->pool);
    tick_stat_node(st, label ? label : "(data or plain ACK)", data->node_id[NODE_STEPS], FALSE);
    for (unsigned a = 0; a < TCPST_N_ANOMALIES; a++) {
        if (v->anomalies & (1u << a)) {
            tick_stat_node(st, tree_nodes[NODE_ANOMALIES], 0, TRUE);
            tick_stat_node(st, tcpst_anomaly_name(a), data->node_id[NODE_ANOMALIES], FALSE);
        }
    }

    const char **counted = (const char **)g_hash_table_lookup(data->counted, rec->conn);
    if (!counted) {
        counted = g_new0(const char *, N_NODES);
        g_hash_table_insert(data->counted, (gpointer)rec->conn, counted);
        for (int node = NODE_CLOSE_KIND; node < N_NODES; node++)
            tick_stat_node(st, tree_nodes[node], 0, TRUE);
    }
    recount(st, data, counted, NODE_CLOSE_KIND,
            v->close_kind == TCPST_CLOSE_NONE ? "open" : tcpst_close_kind_name(v->close_kind));
    recount(st, data, counted, NODE_CONN_STATE, tcpst_conn_state_name(v->conn_state));
    recount(st, data, counted, NODE_CLIENT, tcpst_state_name(tcpst_after(v, TCPST_CLIENT)));
    recount(st, data, counted, NODE_SERVER, tcpst_state_name(tcpst_after(v, TCPST_SERVER)));
    return TAP_PACKET_REDRAW;
}

static double
seconds_between(const nstime_t *later, const nstime_t *earlier)
{
    nstime_t delta;
    nstime_delta(&delta, later, earlier);
    return nstime_to_sec(&delta);
}

/* ---- what the connection table and the ladder share: each segment's TCP header, paired
 * with its tcpstate record ---- */

typedef struct {
    guint32 frame;
    nstime_t time;
    tcpst_verdict verdict;      /* a copy: the tap's pointer is good for the callback only */
    guint16 flags;
    guint32 seq, ack, len;      /* relative when TCP's preference says so */
} segment_line;

typedef struct {
    const tcpstate_conn *conn;
    double handshake_rtt;       /* SYN to the handshake's ACK, in seconds, or -1 */
    GArray *lines;              /* segment_line, in frame order */
} conn_lines;

typedef struct {
    gboolean tsv;               /* conv: tab-separated instead of aligned */
    GHashTable *tcp_by_stream;  /* stream -> copy of that stream's last TCP header (owned by
                                   the "tcp" listener, whose tapdata it is) */
    GHashTable *conns;          /* tcpstate_conn* -> conn_lines */
    GPtrArray *order;           /* conn_lines, by first frame */
} report_data;

static void
free_conn_lines(gpointer p)
{
    conn_lines *lines = (conn_lines *)p;
    g_array_free(lines->lines, TRUE);
    g_free(lines);
}

static void
report_reset(void *p)
{
    report_data *data = (report_data *)p;
    g_hash_table_remove_all(data->conns);
    g_ptr_array_set_size(data->order, 0);
}

static void
tcp_headers_reset(void *p)
{
    g_hash_table_remove_all((GHashTable *)p);
}

/* The "tcp" tap runs before "tcpstate" for the same frame: keep each stream's header. */
static tap_packet_status
tcp_headers_packet(void *p, packet_info *pinfo _U_, epan_dissect_t *edt _U_, const void *header,
                   tap_flags_t flags _U_)
{
    GHashTable *by_stream = (GHashTable *)p;
    const tcp_info_t *tcph = (const tcp_info_t *)header;
    tcp_info_t *copy = (tcp_info_t *)g_hash_table_lookup(by_stream, GUINT_TO_POINTER(tcph->th_stream));
    if (!copy) {
        copy = g_new(tcp_info_t, 1);
        g_hash_table_insert(by_stream, GUINT_TO_POINTER(tcph->th_stream), copy);
    }
    *copy = *tcph;
    return TAP_PACKET_DONT_REDRAW;
}

/* Every reported connection was judged after TCP made its conversation, so the lookup
 * cannot fail; G_MAXUINT32 would say it did. */
static guint32
stream_of(const tcpstate_conn *conn)
{
    guint32 stream;
    return tcpstate_conn_stream(conn, &stream) ? stream : G_MAXUINT32;
}

static void
tcp_headers_finish(void *p)
{
    g_hash_table_destroy((GHashTable *)p);
}

static tap_packet_status
report_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *r,
              tap_flags_t flags _U_)
{
    report_data *data = (report_data *)p;
    const tcpstate_tap_data *rec = (const tcpstate_tap_data *)r;
    const tcpstate_conn *conn = rec->conn;
    const tcp_info_t *tcph = (const tcp_info_t *)g_hash_table_lookup(data->tcp_by_stream,
                                                                     GUINT_TO_POINTER(stream_of(conn)));
    conn_lines *lines = (conn_lines *)g_hash_table_lookup(data->conns, conn);
    if (!lines) {
        lines = g_new0(conn_lines, 1);
        lines->conn = conn;
        lines->handshake_rtt = -1;
        lines->lines = g_array_new(FALSE, TRUE, sizeof(segment_line));
        g_hash_table_insert(data->conns, (gpointer)conn, lines);
        g_ptr_array_add(data->order, lines);
    }
    if (pinfo->num == conn->ack_frame && conn->syn_frame)
        lines->handshake_rtt = (double)(conn->ack_time - conn->syn_time) / 1e9;
    segment_line line = { .frame = pinfo->num, .time = pinfo->abs_ts, .verdict = *rec->verdict };
    if (tcph) {
        line.flags = tcph->th_flags;
        line.seq = tcph->th_seq;
        line.ack = tcph->th_ack;
        line.len = tcph->th_seglen;
    }
    g_array_append_val(lines->lines, line);
    return TAP_PACKET_DONT_REDRAW;
}

static void
report_finish(void *p)
{
    report_data *data = (report_data *)p;
    g_hash_table_destroy(data->conns);
    g_ptr_array_free(data->order, TRUE);
    g_free(data);
}

/* "192.0.2.1:40001", "[2001:db8::1]:40001" */
static char *
endpoint_text(const tcpstate_conn *conn, int role)
{
    address end;
    tcpstate_conn_address(conn, role, &end);
    char *addr = address_to_str(NULL, &end);
    char *text = g_strdup_printf(end.type == AT_IPv6 ? "[%s]:%u" : "%s:%u", addr, conn->tuple.port[role]);
    wmem_free(NULL, addr);
    return text;
}

/* Registers the report's two listeners; FILTER is what follows "tcpstate,NAME,". */
static void
report_start(const char *filter, gboolean tsv, tap_draw_cb draw, const char *what)
{
    report_data *data = g_new0(report_data, 1);
    data->tsv = tsv;
    data->tcp_by_stream = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    data->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_conn_lines);
    data->order = g_ptr_array_new();

    GString *error = register_tap_listener("tcp", data->tcp_by_stream, filter, TL_REQUIRES_NOTHING,
                                           tcp_headers_reset, tcp_headers_packet, NULL,
                                           tcp_headers_finish);
    if (error) {
        g_hash_table_destroy(data->tcp_by_stream);
    } else {
        error = register_tap_listener("tcpstate", data, filter, TL_REQUIRES_NOTHING,
                                      report_reset, report_packet, draw, report_finish);
        if (error)
            remove_tap_listener(data->tcp_by_stream);
    }
    if (error) {
        report_failure("Couldn't start the tcpstate %s report: %s", what, error->str);
        g_string_free(error, TRUE);
        g_hash_table_destroy(data->conns);
        g_ptr_array_free(data->order, TRUE);
        g_free(data);
    }
}

/* ---- -z tcpstate,conv[,tsv][,FILTER] ---- */

static const char *const conv_columns[] = {
    "stream", "client", "server", "first_frame", "duration_s", "handshake_rtt_ms", "conn_state",
    "history", "close_kind", "closed_by", "client_state", "server_state", "c2s_packets",
    "c2s_bytes", "s2c_packets", "s2c_bytes",
};
#define N_CONV_COLUMNS G_N_ELEMENTS(conv_columns)

/* One row of values, as strings, for a connection as of its last segment in the report. */
static void
conv_row(const conn_lines *lines, char *cells[N_CONV_COLUMNS])
{
    const segment_line *first = &g_array_index(lines->lines, segment_line, 0);
    const segment_line *last = &g_array_index(lines->lines, segment_line, lines->lines->len - 1);
    const tcpstate_conn *conn = lines->conn;
    const tcpst_verdict *v = &last->verdict;
    guint64 packets[2] = { 0, 0 }, bytes[2] = { 0, 0 };

    for (guint i = 0; i < lines->lines->len; i++) {
        const segment_line *line = &g_array_index(lines->lines, segment_line, i);
        unsigned from = tcpst_sender(&line->verdict);
        packets[from]++;
        bytes[from] += line->len;
    }
    cells[0] = g_strdup_printf("%u", stream_of(conn));
    cells[1] = endpoint_text(conn, TCPST_CLIENT);
    cells[2] = endpoint_text(conn, TCPST_SERVER);
    cells[3] = g_strdup_printf("%u", first->frame);
    cells[4] = g_strdup_printf("%.6f", seconds_between(&last->time, &first->time));
    cells[5] = lines->handshake_rtt >= 0 ? g_strdup_printf("%.3f", 1000 * lines->handshake_rtt)
                                          : g_strdup("-");
    cells[6] = g_strdup(tcpst_conn_state_name(v->conn_state));
    cells[7] = g_strndup(conn->core.history, v->history_len);
    cells[8] = g_strdup(v->close_kind == TCPST_CLOSE_NONE ? "open" : tcpst_close_kind_name(v->close_kind));
    cells[9] = g_strdup(v->closed_by == TCPST_NOBODY ? "-" : tcpst_role_name(v->closed_by));
    cells[10] = g_strdup(tcpst_state_name(tcpst_after(v, TCPST_CLIENT)));
    cells[11] = g_strdup(tcpst_state_name(tcpst_after(v, TCPST_SERVER)));
    cells[12] = g_strdup_printf("%" G_GUINT64_FORMAT, packets[TCPST_CLIENT]);
    cells[13] = g_strdup_printf("%" G_GUINT64_FORMAT, bytes[TCPST_CLIENT]);
    cells[14] = g_strdup_printf("%" G_GUINT64_FORMAT, packets[TCPST_SERVER]);
    cells[15] = g_strdup_printf("%" G_GUINT64_FORMAT, bytes[TCPST_SERVER]);
}

static void
conv_draw(void *p)
{
    report_data *data = (report_data *)p;
    guint rows = data->order->len;
    char **cells = g_new0(char *, (rows + 1) * N_CONV_COLUMNS);
    size_t width[N_CONV_COLUMNS];

    for (size_t c = 0; c < N_CONV_COLUMNS; c++) {
        cells[c] = g_strdup(conv_columns[c]);
        width[c] = strlen(cells[c]);
    }
    for (guint r = 0; r < rows; r++) {
        char **row = &cells[(r + 1) * N_CONV_COLUMNS];
        conv_row((const conn_lines *)g_ptr_array_index(data->order, r), row);
        for (size_t c = 0; c < N_CONV_COLUMNS; c++)
            width[c] = MAX(width[c], strlen(row[c]));
    }

    if (!data->tsv) {
        printf("================================================================================\n");
        printf("TCP State connections: %u\n", rows);
    }
    for (guint r = 0; r <= rows; r++) {
        for (size_t c = 0; c < N_CONV_COLUMNS; c++) {
            const char *cell = cells[r * N_CONV_COLUMNS + c];
            if (data->tsv)
                printf("%s%s", cell, c + 1 < N_CONV_COLUMNS ? "\t" : "\n");
            else
                printf("%-*s%s", (int)width[c], cell, c + 1 < N_CONV_COLUMNS ? "  " : "\n");
        }
    }
    if (!data->tsv)
        printf("================================================================================\n");
    for (guint i = 0; i < (rows + 1) * N_CONV_COLUMNS; i++)
        g_free(cells[i]);
    g_free(cells);
}

/* ---- -z tcpstate,ladder[,FILTER]: the tutorial's picture ---- */

#define LADDER_ARROW 44     /* width of the arrow between the two state columns */

static char *
flag_names(guint16 flags)
{
    static const struct { guint16 bit; const char *name; } names[] = {
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

/* "---- SYN seq=0 ---------->" or "<--- SYN+ACK seq=0 ack=1 ----" */
static void
print_arrow(gboolean from_server, const segment_line *line)
{
    char *flags = flag_names(line->flags);
    char *text = (line->flags & TH_ACK)
        ? g_strdup_printf(" %s seq=%u ack=%u ", flags, line->seq, line->ack)
        : g_strdup_printf(" %s seq=%u ", flags, line->seq);
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

static void
print_states(const char *client, const char *server, const char *middle)
{
    printf("  %-12s %-*s %s\n", client, LADDER_ARROW + 1, middle, server);
}

static void
ladder_connection(const conn_lines *lines, wmem_allocator_t *scratch)
{
    const tcpstate_conn *conn = lines->conn;
    char *client = endpoint_text(conn, TCPST_CLIENT), *server = endpoint_text(conn, TCPST_SERVER);
    const tcpst_verdict *first = &g_array_index(lines->lines, segment_line, 0).verdict;
    const tcpst_verdict *last = &g_array_index(lines->lines, segment_line, lines->lines->len - 1).verdict;

    printf("\nConnection %u: client %s, server %s%s\n", stream_of(conn), client, server,
           (first->bits & TCPST_V_INFERRED) ? " (roles and states inferred: the capture missed the SYN)" : "");
    printf("  %-12s %-*s %s\n", "client", LADDER_ARROW + 1, "", "server");
    print_states(tcpst_state_name(tcpst_before(first, TCPST_CLIENT)),
                 tcpst_state_name(tcpst_before(first, TCPST_SERVER)), "");

    for (guint i = 0; i < lines->lines->len; i++) {
        const segment_line *line = &g_array_index(lines->lines, segment_line, i);
        const tcpst_verdict *v = &line->verdict;
        const char *label = tcpstate_step_label(v, FALSE, scratch);
        gboolean client_changed = tcpst_after(v, TCPST_CLIENT) != tcpst_before(v, TCPST_CLIENT);
        gboolean server_changed = tcpst_after(v, TCPST_SERVER) != tcpst_before(v, TCPST_SERVER);

        printf("  %-12s ", client_changed ? tcpst_state_name(tcpst_after(v, TCPST_CLIENT)) : "");
        print_arrow((v->bits & TCPST_V_FROM_SERVER) != 0, line);
        printf(" %-12s %5u %s\n", server_changed ? tcpst_state_name(tcpst_after(v, TCPST_SERVER)) : "",
               line->frame, label ? label : "");
    }
    gboolean client_waits = tcpst_after(last, TCPST_CLIENT) == TCPST_TIME_WAIT;
    gboolean server_waits = tcpst_after(last, TCPST_SERVER) == TCPST_TIME_WAIT;
    if (client_waits || server_waits) {
        printf("  (2 MSL later)\n");
        print_states(client_waits ? "CLOSED" : "", server_waits ? "CLOSED" : "", "");
    }
    g_free(client);
    g_free(server);
}

static void
ladder_draw(void *p)
{
    report_data *data = (report_data *)p;
    printf("================================================================================\n");
    printf("TCP State ladder: %u connection%s\n", data->order->len, plurality(data->order->len, "", "s"));
    wmem_allocator_t *scratch = wmem_allocator_new(WMEM_ALLOCATOR_SIMPLE);
    for (guint i = 0; i < data->order->len; i++)
        ladder_connection((const conn_lines *)g_ptr_array_index(data->order, i), scratch);
    wmem_destroy_allocator(scratch);
    printf("================================================================================\n");
}

/* ---- the connection table in the GUI (Statistics > TCP State Connections), and in tshark as
 * -z tcpstate,conntable: one row per connection, updated as its packets arrive ---- */

static stat_tap_table_item conn_table_fields[] = {
    { TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "Stream", "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Client", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Server", "%s" },
    { TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "First frame", "%u" },
    { TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "Packets", "%u" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Conn state", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "History", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Close kind", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Closed by", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Client state", "%s" },
    { TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "Server state", "%s" },
};
enum { COL_STREAM, COL_CLIENT, COL_SERVER, COL_FIRST, COL_PACKETS, COL_CONN_STATE, COL_HISTORY,
       COL_CLOSE_KIND, COL_CLOSED_BY, COL_CLIENT_STATE, COL_SERVER_STATE, N_TABLE_COLUMNS };

/* Per table: tcpstate_conn* -> row number + 1. */
static GHashTable *rows_by_table;

static void
conn_table_init(stat_tap_table_ui *ui)
{
    stat_tap_table *table = stat_tap_find_table(ui, ui->title);
    if (!table) {
        table = stat_tap_init_table(ui->title, N_TABLE_COLUMNS, 0, "tcp.stream");
        stat_tap_add_table(ui, table);
    }
    if (!rows_by_table)
        rows_by_table = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                              (GDestroyNotify)g_hash_table_destroy);
    g_hash_table_replace(rows_by_table, table, g_hash_table_new(g_direct_hash, g_direct_equal));
}

static void
set_string(stat_tap_table *table, guint row, guint column, char *value)
{
    stat_tap_table_item_type *item = stat_tap_get_field_data(table, row, column);
    g_free((char *)item->value.string_value);
    item->value.string_value = value;
}

static tap_packet_status
conn_table_packet(void *p, packet_info *pinfo, epan_dissect_t *edt _U_, const void *r,
                  tap_flags_t flags _U_)
{
    stat_data_t *stat_data = (stat_data_t *)p;
    stat_tap_table *table = g_array_index(stat_data->stat_tap_data->tables, stat_tap_table *, 0);
    GHashTable *rows = (GHashTable *)g_hash_table_lookup(rows_by_table, table);
    const tcpstate_tap_data *rec = (const tcpstate_tap_data *)r;
    const tcpst_verdict *v = rec->verdict;
    guint row = GPOINTER_TO_UINT(g_hash_table_lookup(rows, rec->conn));

    if (!row) {
        stat_tap_table_item_type items[N_TABLE_COLUMNS];
        memset(items, 0, sizeof items);
        for (guint c = 0; c < N_TABLE_COLUMNS; c++)
            items[c].type = conn_table_fields[c].type;
        items[COL_STREAM].value.uint_value = stream_of(rec->conn);
        items[COL_CLIENT].value.string_value = endpoint_text(rec->conn, TCPST_CLIENT);
        items[COL_SERVER].value.string_value = endpoint_text(rec->conn, TCPST_SERVER);
        items[COL_FIRST].value.uint_value = pinfo->num;
        row = table->num_elements + 1;
        stat_tap_init_table_row(table, row - 1, N_TABLE_COLUMNS, items);
        g_hash_table_insert(rows, (gpointer)rec->conn, GUINT_TO_POINTER(row));
    }
    row--;
    stat_tap_get_field_data(table, row, COL_PACKETS)->value.uint_value++;
    set_string(table, row, COL_CONN_STATE, g_strdup(tcpst_conn_state_name(v->conn_state)));
    set_string(table, row, COL_HISTORY, g_strndup(rec->conn->core.history, v->history_len));
    set_string(table, row, COL_CLOSE_KIND, g_strdup(v->close_kind == TCPST_CLOSE_NONE ? "open"
                                                    : tcpst_close_kind_name(v->close_kind)));
    set_string(table, row, COL_CLOSED_BY, g_strdup(v->closed_by == TCPST_NOBODY ? "-"
                                                   : tcpst_role_name(v->closed_by)));
    set_string(table, row, COL_CLIENT_STATE, g_strdup(tcpst_state_name(tcpst_after(v, TCPST_CLIENT))));
    set_string(table, row, COL_SERVER_STATE, g_strdup(tcpst_state_name(tcpst_after(v, TCPST_SERVER))));
    return TAP_PACKET_REDRAW;
}

static void
conn_table_free_item(stat_tap_table *table _U_, guint row _U_, guint column,
                     stat_tap_table_item_type *item)
{
    if (conn_table_fields[column].type == TABLE_ITEM_STRING) {
        g_free((char *)item->value.string_value);
        item->value.string_value = NULL;
    }
}

/* A rescan starts with no connection at all. */
static void
conn_table_reset(stat_tap_table *table)
{
    for (guint row = 0; row < table->num_elements; row++) {
        for (guint c = 0; c < N_TABLE_COLUMNS; c++)
            conn_table_free_item(table, row, c, &table->elements[row][c]);
        g_free(table->elements[row]);
    }
    table->num_elements = 0;
    GHashTable *rows = (GHashTable *)g_hash_table_lookup(rows_by_table, table);
    if (rows)
        g_hash_table_remove_all(rows);
}

static stat_tap_table_ui conn_table_ui = {
    REGISTER_STAT_GROUP_GENERIC, "TCP State Connections", "tcpstate", "tcpstate,conntable",
    conn_table_init, conn_table_packet, conn_table_reset, conn_table_free_item, NULL,
    G_N_ELEMENTS(conn_table_fields), conn_table_fields, 0, NULL, NULL, 0
};

/* ---- registration ---- */

/* "tcpstate,conv", "tcpstate,conv,tsv", "tcpstate,conv,FILTER", "tcpstate,conv,tsv,FILTER" */
static void
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
    report_start(*rest ? rest : NULL, tsv, conv_draw, "connection table");
}

static void
ladder_init(const char *arg, void *userdata _U_)
{
    const char *rest = arg + strlen("tcpstate,ladder");
    if (*rest == ',')
        rest++;
    report_start(*rest ? rest : NULL, FALSE, ladder_draw, "ladder");
}

static stat_tap_ui conv_ui = {
    REGISTER_STAT_GROUP_GENERIC, "TCP State connections", "tcpstate,conv", conv_init, 0, NULL
};
static stat_tap_ui ladder_ui = {
    REGISTER_STAT_GROUP_GENERIC, "TCP State ladder", "tcpstate,ladder", ladder_init, 0, NULL
};

void
tcpstate_register_reports(void)
{
    stats_tree_register_plugin("tcpstate", "tcpstate", "TCP State", 0, tree_packet, tree_init,
                               tree_cleanup);
    register_stat_tap_ui(&conv_ui, NULL);
    register_stat_tap_ui(&ladder_ui, NULL);
    register_stat_tap_table_ui(&conn_table_ui);
}
