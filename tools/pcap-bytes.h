/* pcap-bytes.h: what the two capture generators (tools/gen-capture.c, tools/gen-synflood.c)
 * both write: big-endian fields, the IPv4 header checksum, the classic pcap file header.
 * libc only, header-only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PCAP_BYTES_H
#define PCAP_BYTES_H

#include <stdint.h>
#include <stdio.h>

static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

/* The checksum of a 20-byte IPv4 header (its checksum field zero). */
static inline uint16_t ip_checksum(const uint8_t *h)
{
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(h[i] << 8 | h[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Classic pcap, microseconds, version 2.4, snaplen 65535, Ethernet; in host byte order, as
 * the format allows (the magic number tells readers which). */
static inline int write_pcap_file_header(FILE *f)
{
    uint32_t header[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
    return fwrite(header, sizeof header, 1, f) == 1 ? 0 : -1;
}

#endif /* PCAP_BYTES_H */
