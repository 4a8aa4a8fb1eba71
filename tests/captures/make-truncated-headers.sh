#!/usr/bin/env bash
# Records what a short snaplen does to TCP headers: the http-client-close capture cut to 44
# bytes per frame (14 Ethernet + 20 IPv4 + 10 of the 32-byte TCP header), as `tcpdump -s 44`
# would have saved it. tcpstate cannot judge a header it cannot read: each frame gets a
# TCP State item with an expert note instead, and no state.
set -euo pipefail
cd "$(dirname "$0")/../../sample-pcaps"
editcap -s 44 http-client-close.pcap truncated-headers.pcap
