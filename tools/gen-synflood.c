/* gen-synflood.c: writes a SYN flood capture for the tcpstate flood test (tests/synflood.py).
 *
 *   gen-synflood [-n SYNS] -o FILE.pcap
 *
 * SYNS (default 1,000,000) SYNs to one server, 192.0.2.80 port 80, none answered: the
 * half-open connections a flood leaves. Every SYN is a connection of its own: the source
 * addresses are 10.0.0.1, 10.0.0.2, ... (50,000 SYNs each), the source ports 10000 to 59999,
 * so no two SYNs share a 4-tuple. The ISNs are pseudo-random (fixed seed), the SYNs 10 us
 * apart (100,000 a second). Classic pcap, Ethernet / IPv4 (correct header checksum) / TCP
 * (20 bytes, no options, window 1024, checksum zero: Wireshark does not check it by default),
 * 54 bytes a frame.
 * Depends on libc only (and pcap-bytes.h beside it): cc -O2 -o gen-synflood gen-synflood.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap-bytes.h"

#define PORTS_PER_ADDRESS 50000u
#define FIRST_PORT 10000u
#define FRAME_LEN 54
#define START_SEC 1700000000u

static void usage(void)
{
    fprintf(stderr, "usage: gen-synflood [-n SYNS] -o FILE.pcap\n");
    exit(2);
}

int main(int argc, char **argv)
{
    unsigned long syns = 1000000;
    const char *out = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "n:o:")) != -1) {
        switch (opt) {
        case 'n': syns = strtoul(optarg, NULL, 10); break;
        case 'o': out = optarg; break;
        default: usage();
        }
    }
    /* 10.0.0.1 upwards: stay below 10.255.255.255 */
    if (!out || syns == 0 || syns / PORTS_PER_ADDRESS >= 0xfffffe)
        usage();
    FILE *f = fopen(out, "wb");
    if (!f) {
        perror(out);
        return 1;
    }

    write_pcap_file_header(f);

    uint8_t frame[16 + FRAME_LEN];
    uint8_t *eth = frame + 16, *ip = eth + 14, *tcp = ip + 20;
    memset(frame, 0, sizeof frame);
    memcpy(eth, "\x02\x00\x00\x00\x00\x01" "\x02\x00\x00\x00\x00\x02" "\x08\x00", 14);
    ip[0] = 0x45;                   /* IPv4, 20-byte header */
    put16(ip + 2, 40);              /* total length */
    ip[6] = 0x40;                   /* don't fragment */
    ip[8] = 64;                     /* TTL */
    ip[9] = 6;                      /* TCP */
    put32(ip + 16, 0xc0000250);     /* 192.0.2.80 */
    put16(tcp + 2, 80);
    tcp[12] = 5 << 4;               /* 20-byte header */
    tcp[13] = 0x02;                 /* SYN */
    put16(tcp + 14, 1024);

    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    for (unsigned long i = 0; i < syns; i++) {
        uint64_t us = (uint64_t)i * 10;
        uint32_t rec[4] = { START_SEC + (uint32_t)(us / 1000000), (uint32_t)(us % 1000000),
                            FRAME_LEN, FRAME_LEN };
        memcpy(frame, rec, sizeof rec);
        put16(ip + 4, (uint16_t)i);                                     /* IP ID */
        put32(ip + 12, 0x0a000001u + (uint32_t)(i / PORTS_PER_ADDRESS)); /* 10.0.0.1 + */
        put16(ip + 10, 0);
        put16(ip + 10, ip_checksum(ip));
        put16(tcp, (uint16_t)(FIRST_PORT + i % PORTS_PER_ADDRESS));
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        put32(tcp + 4, (uint32_t)((rng * 2685821657736338717ULL) >> 32));  /* ISN */
        if (fwrite(frame, sizeof frame, 1, f) != 1) {
            perror(out);
            return 1;
        }
    }
    if (fclose(f) != 0) {
        perror(out);
        return 1;
    }
    printf("syns %lu\n", syns);
    return 0;
}
