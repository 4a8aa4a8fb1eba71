/* redissect.c
 * Order independence: once the first pass is done, what tcpstate shows for a packet
 * must not depend on which packets were dissected before it. This harness drives
 * libwireshark as tshark and the GUI do and prints what tcpstate shows for each frame:
 *
 *   redissect [-1] PLUGIN.so CAPTURE [SEED...]
 *
 *   1. First pass: every frame in file order, no protocol tree, as tshark's first pass does.
 *      This is where tcpstate computes its verdicts. With -1 the first pass builds a tree
 *      and is printed, as one-pass `tshark -T fields` sees it.
 *   2. A sequential second pass with a tree, as `tshark -2` does it.
 *   3. For each SEED, every frame again in a random order (a seeded shuffle) with a tree, as
 *      the GUI does when packets are clicked: read back by file offset and dissected with the
 *      frame_data the first pass kept.
 *
 * Each pass prints "# pass NAME", then, in frame order whatever the dissection order,
 * "FRAME<TAB>FIELD<TAB>LABEL" for every tree item whose field is "tcpstate" or "tcpstate.*"
 * (the anomalies' expert items included). tests/check_order.sh diffs the passes.
 *
 * No pass fills columns: Wireshark's own TCP text in the Info column (relative sequence
 * numbers, "[TCP Port numbers reused]") differs between one pass and a later one and between
 * orders, and the tcpstate text there comes from the same stored verdict as tcpstate.step.
 *
 * The plugin is loaded from the path given, the way Wireshark's own loader does it
 * (g_module_open, version check, plugin_register), not from WIRESHARK_PLUGIN_DIR: Wireshark
 * ignores that variable for root, and loading only this plugin keeps an installed copy of
 * tcpstate.so out. Exit status 0, or 1 on an error.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <gmodule.h>

#include <epan/column.h>
#include <epan/column-info.h>
#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/frame_data_sequence.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>
#include <wsutil/buffer.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/wslog.h>
#include <ws_version.h>

/* The calls that differ between releases around a record and its bytes (4.6 changed them). */
#define TCPSTATE_WS_COMPAT_EMBEDDING
#include "../plugin/ws-compat.h"

/* libwireshark leaves this type to the application (Wireshark's is in cfile.h): it answers
 * the session's questions about frames other than the one being dissected. */
struct packet_provider_data {
    frame_data_sequence *frames;
};

static const nstime_t *
get_frame_ts(struct packet_provider_data *prov, guint32 frame_num)
{
    frame_data *fd = frame_data_sequence_find(prov->frames, frame_num);
    return fd ? &fd->abs_ts : NULL;
}

static void
die(const char *what, const char *detail)
{
    fprintf(stderr, "redissect: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void
load_plugin(const char *path)
{
    GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);
    gpointer major, minor, reg;
    if (!module)
        die("cannot load the plugin", g_module_error());
    if (!g_module_symbol(module, "plugin_want_major", &major)
        || !g_module_symbol(module, "plugin_want_minor", &minor)
        || !g_module_symbol(module, "plugin_register", &reg))
        die("not a Wireshark plugin", path);
    if (*(const int *)major != WIRESHARK_VERSION_MAJOR || *(const int *)minor != WIRESHARK_VERSION_MINOR)
        die("the plugin was built for another Wireshark version", path);
    ((void (*)(void))reg)();    /* proto_register_plugin(): epan_init() registers it */
}

/* One pass's output: each frame's lines, kept until the pass ends to print in frame order. */
typedef struct {
    GString **lines;            /* lines[num - 1] */
    guint32 num;                /* the frame being collected */
} pass_output;

static void
collect_items(proto_node *node, gpointer data)
{
    pass_output *out = (pass_output *)data;
    field_info *fi = PNODE_FINFO(node);

    if (fi && (strcmp(fi->hfinfo->abbrev, "tcpstate") == 0
               || strncmp(fi->hfinfo->abbrev, "tcpstate.", 9) == 0)) {
        gchar label[ITEM_LABEL_LENGTH];
        if (fi->rep)            /* the text the GUI shows, appended text included */
            g_strlcpy(label, fi->rep->representation, sizeof label);
        else
            tcpstate_proto_item_fill_label(fi, label);
        g_string_append_printf(out->lines[out->num - 1], "%u\t%s\t%s\n", out->num,
                               fi->hfinfo->abbrev, label);
    }
    proto_tree_children_foreach(node, collect_items, data);
}

/* Dissects frame fd, whose record is in r; collects its items if out is given. */
static void
dissect(epan_dissect_t *edt, wtap *wth, tcpstate_record *r, frame_data *fd,
        column_info *cinfo, pass_output *out)
{
    tcpstate_epan_dissect_run(edt, wtap_file_type_subtype(wth), r, fd, cinfo);
    if (out) {
        out->num = fd->num;
        proto_tree_children_foreach(edt->tree, collect_items, out);
    }
    epan_dissect_reset(edt);
}

/* Reads frame fd again from the file and dissects it. */
static void
redissect(epan_dissect_t *edt, wtap *wth, frame_data *fd, column_info *cinfo, pass_output *out)
{
    tcpstate_record r;
    int err;
    gchar *err_info = NULL;

    tcpstate_record_init(&r);
    if (!tcpstate_wtap_seek_read(wth, fd->file_off, &r, &err, &err_info))
        die("cannot read a frame again", err_info ? err_info : wtap_strerror(err));
    dissect(edt, wth, &r, fd, cinfo, out);
    tcpstate_record_cleanup(&r);
}

static void
free_line(gpointer line)
{
    g_string_free((GString *)line, TRUE);
}

static void
print_pass(const char *name, pass_output *out, guint32 count)
{
    printf("# pass %s\n", name);
    for (guint32 i = 0; i < count; i++) {
        fputs(out->lines[i]->str, stdout);
        g_string_truncate(out->lines[i], 0);
    }
}

int
main(int argc, char **argv)
{
    gboolean one_pass = argc > 1 && strcmp(argv[1], "-1") == 0;
    if (one_pass) {
        argc--;
        argv++;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: redissect [-1] PLUGIN.so CAPTURE [SEED...]\n");
        return 1;
    }

    /* tshark's start-up, with only this plugin. */
    tcpstate_ws_log_init("redissect");
    init_process_policies();
    g_free(tcpstate_configuration_init(argv[0]));
    wtap_init(FALSE);
    load_plugin(argv[1]);
    if (!epan_init(NULL, NULL, FALSE))
        die("epan_init failed", NULL);
    epan_load_settings();
    /* No columns: the Info column is not compared (Wireshark's own TCP text in it changes
     * with the order), and 4.4's Time column asserts unless set up as tshark does. */

    int err;
    gchar *err_info = NULL;
    wtap *wth = wtap_open_offline(argv[2], WTAP_TYPE_AUTO, &err, &err_info, TRUE);
    if (!wth)
        die(argv[2], err_info ? err_info : wtap_strerror(err));
    static const struct packet_provider_funcs funcs = { .get_frame_ts = get_frame_ts };
    struct packet_provider_data prov = { new_frame_data_sequence() };
    epan_t *session = epan_new(&prov, &funcs);

    /* 1. The first pass, in file order. A frame_data_sequence keeps every frame_data at a
     *    fixed address, which the reference-frame and previous-displayed pointers need. */
    GPtrArray *lines = g_ptr_array_new_with_free_func(free_line);
    pass_output out = { NULL, 0 };
    epan_dissect_t *edt = epan_dissect_new(session, one_pass, one_pass);
    const frame_data *ref = NULL;
    frame_data *prev_dis = NULL;
    nstime_t elapsed = NSTIME_INIT_ZERO;
    guint32 cum_bytes = 0, count = 0;
    tcpstate_record r;
    gint64 offset;
    tcpstate_record_init(&r);
    while (tcpstate_wtap_read(wth, &r, &err, &err_info, &offset)) {
        frame_data fdlocal;
        frame_data_init(&fdlocal, ++count, &r.rec, offset, cum_bytes);
        frame_data *fd = frame_data_sequence_add(prov.frames, &fdlocal);
        g_ptr_array_add(lines, g_string_new(""));
        out.lines = (GString **)lines->pdata;
        frame_data_set_before_dissect(fd, &elapsed, &ref, prev_dis);
        dissect(edt, wth, &r, fd, NULL, one_pass ? &out : NULL);
        frame_data_set_after_dissect(fd, &cum_bytes);
        prev_dis = fd;
        wtap_rec_reset(&r.rec);
    }
    if (err != 0)   /* a capture cut short keeps what was read, as in tshark */
        fprintf(stderr, "redissect: %s: %s (after %u frames)\n", argv[2],
                err_info ? err_info : wtap_strerror(err), count);
    tcpstate_record_cleanup(&r);
    epan_dissect_free(edt);
    if (one_pass)
        print_pass("one-pass", &out, count);

    /* Later passes build a visible tree, so every item is really added (not faked away), as
     * in the GUI's packet details. */
    edt = epan_dissect_new(session, TRUE, TRUE);

    /* 2. The sequential second pass of tshark -2. */
    ref = NULL;
    prev_dis = NULL;
    cum_bytes = 0;
    for (guint32 num = 1; num <= count; num++) {
        frame_data *fd = frame_data_sequence_find(prov.frames, num);
        frame_data_set_before_dissect(fd, &elapsed, &ref, prev_dis);
        redissect(edt, wth, fd, NULL, &out);
        frame_data_set_after_dissect(fd, &cum_bytes);
        prev_dis = fd;
    }
    print_pass("sequential", &out, count);

    /* 3. Random orders: a Fisher-Yates shuffle driven by GLib's seeded Mersenne Twister, so
     *    a seed gives the same order on every machine. Like a GUI click, no frame_data
     *    bookkeeping: the frames are dissected as the first pass left them. */
    guint32 *order = g_new(guint32, count + 1);
    for (int a = 3; a < argc; a++) {
        guint32 seed = (guint32)strtoul(argv[a], NULL, 10);
        GRand *rand = g_rand_new_with_seed(seed);
        for (guint32 i = 0; i < count; i++)
            order[i] = i + 1;
        for (guint32 i = count; i > 1; i--) {
            guint32 j = (guint32)g_rand_int_range(rand, 0, (gint32)i);
            guint32 t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        g_rand_free(rand);
        for (guint32 i = 0; i < count; i++)
            redissect(edt, wth, frame_data_sequence_find(prov.frames, order[i]), NULL, &out);
        char name[32];
        snprintf(name, sizeof name, "random seed %u", seed);
        print_pass(name, &out, count);
    }

    g_free(order);
    g_ptr_array_free(lines, TRUE);
    epan_dissect_free(edt);
    epan_free(session);
    free_frame_data_sequence(prov.frames);
    wtap_close(wth);
    epan_cleanup();
    wtap_cleanup();
    return 0;
}
