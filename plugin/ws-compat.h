/* ws-compat.h
 * The one place where tcpstate bridges differences between the Wireshark releases it builds
 * against (4.0 and later). Everything else is written against the 4.0 API.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPSTATE_WS_COMPAT_H
#define TCPSTATE_WS_COMPAT_H

#include <ws_version.h>

#define TCPSTATE_WS_AT_LEAST(major, minor) \
    (WIRESHARK_VERSION_MAJOR > (major) || \
     (WIRESHARK_VERSION_MAJOR == (major) && WIRESHARK_VERSION_MINOR >= (minor)))

#endif /* TCPSTATE_WS_COMPAT_H */
