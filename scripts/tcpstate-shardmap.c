/* tcpstate-shardmap.c: checks that the shards of a capture hold each of its packets exactly
 * once, collects the packets no shard holds, and records each packet's original frame number.
 *
 *   tcpstate-shardmap DIR N < CAPTURE-AS-PCAP
 *
 * scripts/tcpstate-parallel splits a capture with N libpcap filters (tcpdump -r CAPTURE -w
 * DIR/shard-K.pcap FILTER-K, K = 0..N-1). This reads the capture once more, as libpcap reads
 * it (tcpdump -r CAPTURE -w - on standard input, so that both sides went through the same
 * reader), walks the shards beside it and, packet by packet, finds the shard whose next packet
 * is this one (same time, lengths and bytes). Since a filter sees only a packet's bytes and
 * lengths, two identical packets always go to the same shard, so the match is unambiguous.
 *   - A packet no shard holds (one no filter placed: not TCP over IPv4/IPv6, a tunnel, a
 *     fragment, a header cut before the ports...) goes to DIR/rest.pcap, the shard that
 *     is processed whole.
 *   - A shard packet left over at the end (a packet in two shards, or out of order) is an
 *     error: the split is not a partition, and nothing is reported.
 * Writes DIR/shard-K.map and DIR/rest.map: the original frame number (1-based) of each packet
 * of the shard, as 32-bit unsigned integers in host byte order. Prints on standard output:
 *   packets TOTAL FIRST_NS
 *   shard K PACKETS FIRST_FRAME FIRST_NS LAST_FRAME LAST_NS     (K = 0..N-1, then "rest")
 * (times in nanoseconds since the epoch; frames and times 0 for an empty shard).
 * Exit status: 0 when every packet is in exactly one place, 1 otherwise (message on stderr),
 * 2 on bad usage or unreadable input.
 *
 * libc only: cc -O2 -o tcpstate-shardmap tcpstate-shardmap.c
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SHARDS 4096
#define MAX_CAPLEN (16u << 20)  /* far beyond libpcap's own limit (256 KiB) */

typedef struct {
    FILE *f;
    const char *name;
    int swapped;
    int nano;
    uint32_t linktype;
    /* the current packet */
    int have;
    uint64_t ts;        /* nanoseconds */
    uint32_t caplen, len;
    uint8_t *data;
    uint32_t cap;       /* allocated */
} reader;

typedef struct {
    uint64_t packets, first_frame, last_frame, first_ts, last_ts;
    FILE *map;
} shard_stats;

static void die(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tcpstate-shardmap: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(status);
}

static uint32_t get32(const reader *r, const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return r->swapped ? __builtin_bswap32(v) : v;
}

static void open_reader(reader *r, FILE *f, const char *name, uint8_t header_out[24])
{
    uint8_t h[24];
    static char *buffers[MAX_SHARDS + 1];
    static int used;
    memset(r, 0, sizeof *r);
    r->f = f;
    r->name = name;
    if (used <= MAX_SHARDS && (buffers[used] = malloc(1 << 20)))
        setvbuf(f, buffers[used++], _IOFBF, 1 << 20);
    if (fread(h, sizeof h, 1, f) != 1)
        die(2, "%s: no pcap file header", name);
    uint32_t magic;
    memcpy(&magic, h, 4);
    switch (magic) {
    case 0xa1b2c3d4: break;
    case 0xa1b23c4d: r->nano = 1; break;
    case 0xd4c3b2a1: r->swapped = 1; break;
    case 0x4d3cb2a1: r->swapped = 1; r->nano = 1; break;
    default: die(2, "%s: not a classic pcap file", name);
    }
    r->linktype = get32(r, h + 20);
    if (header_out)
        memcpy(header_out, h, 24);
}

/* Reads the next packet into r; returns 0 at the end of the file. */
static int next_packet(reader *r)
{
    uint8_t h[16];
    size_t got = fread(h, 1, sizeof h, r->f);
    if (got == 0 && feof(r->f)) {
        r->have = 0;
        return 0;
    }
    if (got != sizeof h)
        die(2, "%s: cut short in a packet header", r->name);
    uint32_t sec = get32(r, h), frac = get32(r, h + 4);
    r->ts = (uint64_t)sec * 1000000000u + (uint64_t)frac * (r->nano ? 1u : 1000u);
    r->caplen = get32(r, h + 8);
    r->len = get32(r, h + 12);
    if (r->caplen > MAX_CAPLEN)
        die(2, "%s: a packet claims an impossible length", r->name);
    if (r->caplen > r->cap) {
        r->cap = r->caplen < 65536 ? 65536 : r->caplen;
        r->data = realloc(r->data, r->cap);
        if (!r->data)
            die(2, "%s: out of memory", r->name);
    }
    if (r->caplen && fread(r->data, r->caplen, 1, r->f) != 1)
        die(2, "%s: cut short in a packet", r->name);
    r->have = 1;
    return 1;
}

static int same_packet(const reader *a, const reader *b)
{
    return a->ts == b->ts && a->caplen == b->caplen && a->len == b->len
        && memcmp(a->data, b->data, a->caplen) == 0;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        die(2, "%s: %s", path, strerror(errno));
    return f;
}

static void count(shard_stats *s, uint32_t frame, uint64_t ts)
{
    if (!s->packets++) {
        s->first_frame = frame;
        s->first_ts = ts;
    }
    s->last_frame = frame;
    s->last_ts = ts;
    if (fwrite(&frame, sizeof frame, 1, s->map) != 1)
        die(2, "writing a map: %s", strerror(errno));
}

int main(int argc, char **argv)
{
    if (argc != 3)
        die(2, "usage: tcpstate-shardmap DIR N < CAPTURE-AS-PCAP");
    const char *dir = argv[1];
    long n = strtol(argv[2], NULL, 10);
    if (n < 1 || n > MAX_SHARDS)
        die(2, "N must be 1 to 4096, not %s", argv[2]);

    reader orig, *shards = calloc((size_t)n, sizeof *shards);
    shard_stats *stats = calloc((size_t)n + 1, sizeof *stats);
    char **names = calloc((size_t)n, sizeof *names);
    uint8_t header[24];
    if (!shards || !stats || !names)
        die(2, "out of memory");
    open_reader(&orig, stdin, "the capture", header);
    for (long k = 0; k < n; k++) {
        char path[4096], map[64];
        snprintf(path, sizeof path, "%s/shard-%ld.pcap", dir, k);
        names[k] = strdup(path);
        FILE *f = fopen(path, "rb");
        if (!f)
            die(2, "%s: %s", path, strerror(errno));
        open_reader(&shards[k], f, names[k], NULL);
        if (shards[k].linktype != orig.linktype)
            die(1, "%s: another link type than the capture's", path);
        next_packet(&shards[k]);
        snprintf(map, sizeof map, "shard-%ld.map", k);
        stats[k].map = open_out(dir, map);
    }
    shard_stats *rest = &stats[n];
    rest->map = open_out(dir, "rest.map");
    FILE *rest_pcap = open_out(dir, "rest.pcap");
    /* The rest keeps the capture's header as tcpdump wrote it (precision, link type). */
    if (fwrite(header, sizeof header, 1, rest_pcap) != 1)
        die(2, "writing rest.pcap: %s", strerror(errno));

    uint64_t frame = 0, first_ts = 0;
    while (next_packet(&orig)) {
        if (++frame > UINT32_MAX)
            die(1, "more than 2^32 packets");
        if (frame == 1)
            first_ts = orig.ts;
        long k;
        for (k = 0; k < n; k++)
            if (shards[k].have && same_packet(&shards[k], &orig))
                break;
        if (k < n) {
            count(&stats[k], (uint32_t)frame, orig.ts);
            next_packet(&shards[k]);
            continue;
        }
        /* No filter placed it: the rest, written in the capture's own record format. */
        uint8_t h[16];
        uint32_t sec = (uint32_t)(orig.ts / 1000000000u);
        uint32_t frac = (uint32_t)(orig.ts % 1000000000u / (orig.nano ? 1u : 1000u));
        uint32_t v[4] = { sec, frac, orig.caplen, orig.len };
        for (int i = 0; i < 4; i++) {
            uint32_t x = orig.swapped ? __builtin_bswap32(v[i]) : v[i];
            memcpy(h + 4 * i, &x, 4);
        }
        if (fwrite(h, sizeof h, 1, rest_pcap) != 1
            || (orig.caplen && fwrite(orig.data, orig.caplen, 1, rest_pcap) != 1))
            die(2, "writing rest.pcap: %s", strerror(errno));
        count(rest, (uint32_t)frame, orig.ts);
    }
    int bad = 0;
    for (long k = 0; k < n; k++) {
        if (shards[k].have) {
            fprintf(stderr, "tcpstate-shardmap: %s holds packets that are not in the capture in "
                    "that order (a packet in two shards?): the split is not a partition\n", names[k]);
            bad = 1;
        }
    }
    for (long k = 0; k <= n; k++) {
        if (fclose(stats[k].map) != 0)
            die(2, "writing a map: %s", strerror(errno));
    }
    if (fclose(rest_pcap) != 0)
        die(2, "writing rest.pcap: %s", strerror(errno));
    if (bad)
        return 1;

    printf("packets %" PRIu64 " %" PRIu64 "\n", frame, first_ts);
    for (long k = 0; k <= n; k++) {
        const shard_stats *s = &stats[k];
        if (k < n)
            printf("shard %ld", k);
        else
            printf("shard rest");
        printf(" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", s->packets,
               s->first_frame, s->first_ts, s->last_frame, s->last_ts);
    }
    return 0;
}
