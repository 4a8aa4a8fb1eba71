/* plugin.c
 * The entry points Wireshark looks for in a plugin (doc/README.plugins). The same four
 * symbols work from 4.0 to 4.4; 4.4 also asks plugin_describe() what the plugin provides
 * (ws-compat.h lists every difference between the releases).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <epan/packet.h>
#include <epan/proto.h>

#include "ws-compat.h"

#if TCPSTATE_WS_HAS_PLUGIN_DESCRIBE
#include <wsutil/plugins.h>
#endif

#ifndef TCPSTATE_VERSION
#define TCPSTATE_VERSION "0.0.0"
#endif

void proto_register_tcpstate(void);
void proto_reg_handoff_tcpstate(void);

WS_DLL_PUBLIC_DEF const char plugin_version[] = TCPSTATE_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void
plugin_register(void)
{
    static proto_plugin plugin_tcpstate;

    plugin_tcpstate.register_protoinfo = proto_register_tcpstate;
    plugin_tcpstate.register_handoff = proto_reg_handoff_tcpstate;
    proto_register_plugin(&plugin_tcpstate);
}

#if TCPSTATE_WS_HAS_PLUGIN_DESCRIBE
/* Listed as "dissector" by `tshark -G plugins`. */
WS_DLL_PUBLIC uint32_t plugin_describe(void);

uint32_t
plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
