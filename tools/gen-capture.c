/* gen-capture.c: writes a large synthetic capture for the tcpstate benchmark.
 *
 *   gen-capture [-n PACKETS] [-c CONNECTIONS] [-s SEED] [-R] -o FILE.pcap
 *
 * Classic pcap (microseconds), Ethernet / IPv4 / TCP with correct lengths and IPv4 header
 * checksums (TCP checksums are zero: Wireshark does not check them by default). Exactly
 * PACKETS packets (default 1,000,000) in CONNECTIONS connections (default PACKETS / 10) of
 * these shapes, interleaved by time as real traffic is (connections start at 1,000 per
 * second of capture time and last from a few milliseconds to about a second, so several
 * hundred are open at any moment):
 *
 *   four_way      SYN, SYN+ACK, ACK, request, data..., FIN c, ACK s, FIN s, ACK c
 *   three_way     ..., request, data..., FIN c, FIN+ACK s, ACK c          (Wave 2+3/4)
 *   server_first  ..., request, data..., FIN s, ACK c, FIN c, ACK s       (server closes)
 *   client_abort  ..., request, data..., RST+ACK c
 *   refused       SYN, RST+ACK s
 *   half_close    ..., request, FIN c, ACK s, data (at least one segment)..., FIN s, ACK c
 *
 * "data..." is the server's response: full-size segments, the client ACKing every second
 * one. The packets left over once every connection has its fixed packets are shared out at
 * random among the connections that carry data, so the total is exact. The server listens
 * on port 8100, which no Wireshark dissector claims, so the payload stays plain data and
 * the baseline is mostly TCP itself (the plugin's share is then as large as it gets).
 *
 * Each 4-tuple is used once (65,000 client addresses, 55,000 ports each). With -R (heavy port
 * reuse), a connection takes the 4-tuple of one that has ended instead, whenever one has
 * (its last packet at least a millisecond before the new SYN; the end that closed first may
 * still be in TIME_WAIT): about as many 4-tuples as connections are open at once, each
 * reused many times, as a client with few ports or a busy NAT makes. Prints what it made
 * (shape counts, packets, bytes, 4-tuples) as "name value" lines on stdout, for checking
 * against the plugin's reports.
 * Depends on libc only (and pcap-bytes.h beside it): cc -O2 -o gen-capture gen-capture.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap-bytes.h"

enum { FOUR_WAY, THREE_WAY, SERVER_FIRST, CLIENT_ABORT, REFUSED, HALF_CLOSE, N_SHAPES };
static const char *const shape_name[N_SHAPES] = {
    "four_way", "three_way", "server_first", "client_abort", "refused", "half_close",
};
/* Share of connections, per cent. */
static const unsigned shape_weight[N_SHAPES] = { 30, 25, 15, 10, 10, 10 };
/* Packets every connection of the shape has whatever its data (see the table above). */
static const unsigned shape_fixed[N_SHAPES] = { 8, 7, 8, 5, 2, 9 };

#define SERVER_PORT 8100
#define MSS 1448
#define START_SEC 1700000000u
#define CONNS_PER_SEC 1000u

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* One packet to write; sorted by time, then by the order it was made in. */
typedef struct {
    uint64_t ts_us;
    uint32_t order;
    uint32_t conn;
    uint32_t seq;
    uint32_t ack;
    uint16_t len;       /* TCP payload */
    uint8_t  flags;
    uint8_t  from_server;
} pkt;

typedef struct {
    uint8_t  shape;
    uint32_t extra;     /* data packets beyond the fixed ones */
} conn_plan;

/* xorshift64*: fast, repeatable for a seed. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}
static double rnd01(void) { return (rnd() >> 11) * (1.0 / 9007199254740992.0); }
static uint32_t rnd_range(uint32_t lo, uint32_t hi) { return lo + (uint32_t)(rnd() % (hi - lo + 1)); }

static pkt *pkts;
static size_t npkts, cap_pkts;
static uint32_t order_counter;

/* The connection being laid out. */
static struct {
    uint32_t id;
    uint64_t t;         /* time of the last packet, microseconds */
    uint32_t rtt;       /* microseconds */
    uint32_t cseq, sseq;    /* next sequence number of client and server */
} cur;

static void emit(int from_server, uint8_t flags, uint16_t len, uint32_t gap_us)
{
    if (npkts == cap_pkts) {
        fprintf(stderr, "gen-capture: internal error: more packets than planned\n");
        exit(1);
    }
    cur.t += gap_us;
    pkt *p = &pkts[npkts++];
    p->ts_us = cur.t;
    p->order = order_counter++;
    p->conn = cur.id;
    p->from_server = (uint8_t)from_server;
    p->flags = flags;
    p->len = len;
    p->seq = from_server ? cur.sseq : cur.cseq;
    p->ack = (flags & F_ACK) ? (from_server ? cur.cseq : cur.sseq) : 0;
    uint32_t used = len + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
    if (from_server)
        cur.sseq += used;
    else
        cur.cseq += used;
}

/* The gap before a packet: half a round trip when the direction changes, a few
 * microseconds within a burst. */
#define TURN (cur.rtt / 2 + rnd_range(0, 200))
#define BURST rnd_range(5, 60)

/* The server's response: n packets, full segments with the client ACKing every second. */
static void data_phase(uint32_t n)
{
    uint32_t since_ack = 0;
    int last_from_server = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (since_ack == 2) {
            emit(0, F_ACK, 0, TURN);
            since_ack = 0;
            last_from_server = 0;
        } else {
            uint16_t len = (i + 1 == n || rnd() % 8 == 0) ? (uint16_t)rnd_range(100, MSS) : MSS;
            emit(1, F_ACK | F_PSH, len, last_from_server ? BURST : TURN + rnd_range(50, 2000));
            since_ack++;
            last_from_server = 1;
        }
    }
}

/* Each connection's first and last packet times, for -R. */
static uint64_t *conn_start, *conn_end;

static void lay_out(uint32_t id, const conn_plan *plan, uint64_t start_us)
{
    cur.id = id;
    cur.t = start_us;
    cur.rtt = rnd_range(200, 40000);
    cur.cseq = (uint32_t)rnd();
    cur.sseq = (uint32_t)rnd();
    uint32_t idle = rnd_range(0, 1000000);     /* before the close */

    emit(0, F_SYN, 0, 0);
    if (plan->shape == REFUSED) {
        cur.sseq = 0;
        emit(1, F_RST | F_ACK, 0, TURN);
        return;
    }
    emit(1, F_SYN | F_ACK, 0, TURN);
    emit(0, F_ACK, 0, TURN);
    emit(0, F_ACK | F_PSH, (uint16_t)rnd_range(60, 600), BURST);   /* the request */

    switch (plan->shape) {
    case FOUR_WAY:
        data_phase(plan->extra);
        emit(0, F_FIN | F_ACK, 0, TURN + idle);
        emit(1, F_ACK, 0, TURN);
        emit(1, F_FIN | F_ACK, 0, rnd_range(100, 5000));
        emit(0, F_ACK, 0, TURN);
        break;
    case THREE_WAY:
        data_phase(plan->extra);
        emit(0, F_FIN | F_ACK, 0, TURN + idle);
        emit(1, F_FIN | F_ACK, 0, TURN);
        emit(0, F_ACK, 0, TURN);
        break;
    case SERVER_FIRST:
        data_phase(plan->extra);
        emit(1, F_FIN | F_ACK, 0, TURN + idle);
        emit(0, F_ACK, 0, TURN);
        emit(0, F_FIN | F_ACK, 0, rnd_range(100, 5000));
        emit(1, F_ACK, 0, TURN);
        break;
    case CLIENT_ABORT:
        data_phase(plan->extra);
        emit(0, F_RST | F_ACK, 0, TURN + idle / 4);
        break;
    case HALF_CLOSE:
        emit(0, F_FIN | F_ACK, 0, BURST);
        emit(1, F_ACK, 0, TURN);
        data_phase(1 + plan->extra);
        emit(1, F_FIN | F_ACK, 0, BURST);
        emit(0, F_ACK, 0, TURN);
        break;
    }
}

/* -R: in order of their SYNs, each connection takes the 4-tuple that has been free longest
 * if one is (its last connection ended REUSE_GAP_US or more before), else a new one.
 * Returns how many 4-tuples that makes. */
#define REUSE_GAP_US 1000
typedef struct { uint64_t free_at; uint32_t tuple; } free_tuple;

static int by_start(const void *a, const void *b)
{
    uint64_t x = conn_start[*(const uint32_t *)a], y = conn_start[*(const uint32_t *)b];
    return x < y ? -1 : x > y;
}

static unsigned long long assign_tuples(uint32_t *tuple_of, unsigned long long n)
{
    uint32_t *order = malloc(n * sizeof *order);
    free_tuple *heap = malloc(n * sizeof *heap);     /* a min-heap on free_at */
    if (!order || !heap) { perror("malloc"); exit(1); }
    for (unsigned long long i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort(order, n, sizeof *order, by_start);
    size_t used = 0;
    uint32_t tuples = 0;
    for (unsigned long long i = 0; i < n; i++) {
        uint32_t c = order[i];
        free_tuple next = { conn_end[c] + REUSE_GAP_US, 0 };
        if (used && heap[0].free_at <= conn_start[c]) {
            next.tuple = heap[0].tuple;     /* replace the top, sift it down */
            size_t k = 0;
            for (;;) {
                size_t l = 2 * k + 1, r = l + 1, m = k;
                if (l < used && heap[l].free_at < (m == k ? next.free_at : heap[m].free_at))
                    m = l;
                if (r < used && heap[r].free_at < (m == k ? next.free_at : heap[m].free_at))
                    m = r;
                if (m == k)
                    break;
                heap[k] = heap[m];
                k = m;
            }
            heap[k] = next;
        } else {
            next.tuple = tuples++;          /* a new one, sifted up */
            size_t k = used++;
            while (k && heap[(k - 1) / 2].free_at > next.free_at) {
                heap[k] = heap[(k - 1) / 2];
                k = (k - 1) / 2;
            }
            heap[k] = next;
        }
        tuple_of[c] = next.tuple;
    }
    free(order);
    free(heap);
    return tuples;
}

static int by_time(const void *a, const void *b)
{
    const pkt *x = a, *y = b;
    if (x->ts_us != y->ts_us)
        return x->ts_us < y->ts_us ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void usage(void)
{
    fprintf(stderr, "usage: gen-capture [-n PACKETS] [-c CONNECTIONS] [-s SEED] [-R] -o FILE.pcap\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long long n_packets = 1000000, n_conns = 0, seed = 1;
    const char *out = NULL;
    int opt;
    int reuse = 0;
    while ((opt = getopt(argc, argv, "n:c:s:o:R")) != -1) {
        switch (opt) {
        case 'n': n_packets = strtoull(optarg, NULL, 10); break;
        case 'c': n_conns = strtoull(optarg, NULL, 10); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'o': out = optarg; break;
        case 'R': reuse = 1; break;
        default: usage();
        }
    }
    if (!out || optind != argc)
        usage();
    if (!n_conns)
        n_conns = n_packets / 10;
    if (n_conns < 1 || n_conns > 65000ULL * 55000ULL || n_packets > 0xffffffffULL) {
        fprintf(stderr, "gen-capture: need 1 to 3,575,000,000 connections and < 2^32 packets\n");
        return 2;
    }
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;

    /* Plan: shapes in proportion (exact counts, shuffled), then the spare packets. */
    conn_plan *plans = calloc(n_conns, sizeof *plans);
    if (!plans) { perror("calloc"); return 1; }
    unsigned long long made[N_SHAPES] = { 0 }, fixed = 0, assigned = 0;
    for (int s = 0; s < N_SHAPES; s++) {
        unsigned long long k = (s == N_SHAPES - 1) ? n_conns - assigned : n_conns * shape_weight[s] / 100;
        for (unsigned long long i = 0; i < k; i++)
            plans[assigned + i].shape = (uint8_t)s;
        assigned += k;
        made[s] = k;
        fixed += k * shape_fixed[s];
    }
    for (unsigned long long i = n_conns - 1; i > 0; i--) {
        unsigned long long j = rnd() % (i + 1);
        conn_plan t = plans[i]; plans[i] = plans[j]; plans[j] = t;
    }
    if (fixed > n_packets) {
        fprintf(stderr, "gen-capture: %llu connections need at least %llu packets\n", n_conns, fixed);
        return 2;
    }
    /* Spare packets: shared in proportion to weights 1/(u + 0.02), u uniform in [0, 1): many
     * short responses, a few up to 13 times the mean; the rounding remainder one by one. */
    unsigned long long spare = n_packets - fixed, given = 0, data_conns = 0;
    double *w = malloc(n_conns * sizeof *w), wsum = 0;
    if (!w) { perror("malloc"); return 1; }
    for (unsigned long long i = 0; i < n_conns; i++) {
        w[i] = plans[i].shape == REFUSED ? 0 : 1.0 / (rnd01() + 0.02);
        wsum += w[i];
        data_conns += plans[i].shape != REFUSED;
    }
    if (spare && !data_conns) {
        fprintf(stderr, "gen-capture: no connection can carry the %llu spare packets\n", spare);
        return 2;
    }
    for (unsigned long long i = 0; i < n_conns; i++) {
        plans[i].extra = (uint32_t)(spare * (w[i] / wsum));
        given += plans[i].extra;
    }
    while (given < spare) {
        unsigned long long i = rnd() % n_conns;
        if (plans[i].shape != REFUSED) {
            plans[i].extra++;
            given++;
        }
    }
    free(w);

    /* Lay out every connection's packets, then interleave them by time. */
    cap_pkts = n_packets;
    pkts = malloc(cap_pkts * sizeof *pkts);
    if (!pkts && cap_pkts) { perror("malloc"); return 1; }
    uint64_t span_us = n_conns * 1000000ULL / CONNS_PER_SEC;
    conn_start = malloc(n_conns * sizeof *conn_start);
    conn_end = malloc(n_conns * sizeof *conn_end);
    if (!conn_start || !conn_end) { perror("malloc"); return 1; }
    for (unsigned long long i = 0; i < n_conns; i++) {
        uint64_t start = rnd() % (span_us ? span_us : 1);
        lay_out((uint32_t)i, &plans[i], start);
        conn_start[i] = start;
        conn_end[i] = cur.t;
    }
    uint32_t *tuple_of = malloc(n_conns * sizeof *tuple_of);
    if (!tuple_of) { perror("malloc"); return 1; }
    unsigned long long tuples = reuse ? assign_tuples(tuple_of, n_conns) : n_conns;
    if (!reuse)
        for (unsigned long long i = 0; i < n_conns; i++)
            tuple_of[i] = (uint32_t)i;
    if (npkts != n_packets) {
        fprintf(stderr, "gen-capture: internal error: %zu packets laid out, %llu planned\n", npkts, n_packets);
        return 1;
    }
    qsort(pkts, npkts, sizeof *pkts, by_time);

    /* Packets left per connection, to count how many are open at once. */
    uint32_t *left = calloc(n_conns, sizeof *left);
    if (!left) { perror("calloc"); return 1; }
    for (size_t i = 0; i < npkts; i++)
        left[pkts[i].conn]++;
    unsigned long long open_now = 0, open_max = 0;

    FILE *f = fopen(out, "wb");
    if (!f) { fprintf(stderr, "gen-capture: %s: %s\n", out, strerror(errno)); return 1; }
    static char iobuf[1 << 20];
    setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
    write_pcap_file_header(f);

    static uint8_t buf[16 + 14 + 20 + 40 + MSS];   /* payload bytes stay zero */
    unsigned long long bytes = 0, data_segments = 0;
    uint16_t ip_id = 0;
    for (size_t i = 0; i < npkts; i++) {
        const pkt *p = &pkts[i];
        uint32_t c = p->conn, t = tuple_of[c];
        /* Client 10.A.B.C:port, a distinct 4-tuple per connection (per tuple_of, with -R). */
        uint32_t host = t % 65000u;
        uint32_t client_ip = 0x0a000000u | (host + 256u);
        uint16_t client_port = (uint16_t)(10000u + (t / 65000u + host * 7919u) % 55000u);
        uint32_t server_ip = 0xc0a80001u + (t % 16u);
        uint32_t src_ip = p->from_server ? server_ip : client_ip;
        uint32_t dst_ip = p->from_server ? client_ip : server_ip;
        uint16_t src_port = p->from_server ? SERVER_PORT : client_port;
        uint16_t dst_port = p->from_server ? client_port : SERVER_PORT;
        unsigned opt_len = (p->flags & F_SYN) ? 20 : (p->flags & F_RST) ? 0 : 12;
        unsigned tcp_len = 20 + opt_len;
        unsigned frame_len = 14 + 20 + tcp_len + p->len;

        uint8_t *rec = buf, *eth = buf + 16, *ip = eth + 14, *tcp = ip + 20;
        uint32_t ts_sec = START_SEC + (uint32_t)(p->ts_us / 1000000u);
        uint32_t ts_usec = (uint32_t)(p->ts_us % 1000000u);
        memcpy(rec, &ts_sec, 4);
        memcpy(rec + 4, &ts_usec, 4);
        memcpy(rec + 8, &frame_len, 4);
        memcpy(rec + 12, &frame_len, 4);

        static const uint8_t mac_router[6] = { 0x02, 0, 0, 0, 0, 0x01 };
        uint8_t mac_host[6] = { 0x02, 0, (uint8_t)(src_ip >> 24), (uint8_t)(src_ip >> 16),
                                (uint8_t)(src_ip >> 8), (uint8_t)src_ip };
        if (p->from_server) {
            memcpy(eth, mac_router, 6);
            memcpy(eth + 6, mac_host, 6);
        } else {
            mac_host[2] = (uint8_t)(dst_ip >> 24); mac_host[3] = (uint8_t)(dst_ip >> 16);
            mac_host[4] = (uint8_t)(dst_ip >> 8); mac_host[5] = (uint8_t)dst_ip;
            memcpy(eth, mac_host, 6);
            memcpy(eth + 6, mac_router, 6);
        }
        put16(eth + 12, 0x0800);

        ip[0] = 0x45; ip[1] = 0;
        put16(ip + 2, (uint16_t)(20 + tcp_len + p->len));
        put16(ip + 4, ip_id++);
        put16(ip + 6, 0x4000);      /* DF */
        ip[8] = p->from_server ? 64 : 57;
        ip[9] = 6;
        put16(ip + 10, 0);
        put32(ip + 12, src_ip);
        put32(ip + 16, dst_ip);
        put16(ip + 10, ip_checksum(ip));

        put16(tcp, src_port);
        put16(tcp + 2, dst_port);
        put32(tcp + 4, p->seq);
        put32(tcp + 8, p->ack);
        tcp[12] = (uint8_t)((tcp_len / 4) << 4);
        tcp[13] = p->flags;
        put16(tcp + 14, (p->flags & F_RST) ? 0 : (p->flags & F_SYN) ? 64240 : 501);
        put16(tcp + 16, 0);         /* checksum: not computed */
        put16(tcp + 18, 0);
        uint8_t *o = tcp + 20;
        uint32_t tsval = (uint32_t)(p->ts_us / 1000u) + c * 7919u, tsecr = tsval - 3;
        if (opt_len == 20) {        /* MSS, SACK permitted, timestamps, NOP, window scale */
            o[0] = 2; o[1] = 4; put16(o + 2, MSS);
            o[4] = 4; o[5] = 2;
            o[6] = 8; o[7] = 10; put32(o + 8, tsval); put32(o + 12, (p->flags & F_ACK) ? tsecr : 0);
            o[16] = 1;
            o[17] = 3; o[18] = 3; o[19] = 7;
        } else if (opt_len == 12) { /* NOP, NOP, timestamps */
            o[0] = 1; o[1] = 1;
            o[2] = 8; o[3] = 10; put32(o + 4, tsval); put32(o + 8, tsecr);
        }
        memset(tcp + tcp_len, 0, p->len);

        if (fwrite(buf, 16 + frame_len, 1, f) != 1) {
            fprintf(stderr, "gen-capture: %s: %s\n", out, strerror(errno));
            return 1;
        }
        bytes += frame_len;
        data_segments += p->len > 0;
        if (p->flags == F_SYN && !p->from_server && ++open_now > open_max)
            open_max = open_now;
        if (--left[c] == 0)
            open_now--;
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "gen-capture: %s: %s\n", out, strerror(errno));
        return 1;
    }

    printf("packets %zu\n", npkts);
    printf("connections %llu\n", n_conns);
    for (int s = 0; s < N_SHAPES; s++)
        printf("%s %llu\n", shape_name[s], made[s]);
    printf("data_segments %llu\n", data_segments);
    printf("frame_bytes %llu\n", bytes);
    printf("capture_seconds %.3f\n", npkts ? (pkts[npkts - 1].ts_us - pkts[0].ts_us) / 1e6 : 0.0);
    printf("max_open_connections %llu\n", open_max);
    printf("tuples %llu\n", tuples);
    printf("seed %llu\n", seed);
    free(left);
    free(tuple_of);
    free(conn_start);
    free(conn_end);
    free(pkts);
    free(plans);
    return 0;
}
