#ifndef HACD_CSYSTEMD_SHIM_H
#define HACD_CSYSTEMD_SHIM_H
// Thin shim over libsystemd. Swift cannot call C variadic functions, so the
// code uses sd_journal_sendv, sd_bus_message_new_method_call +
// sd_bus_message_append_basic + sd_bus_call.
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-login.h>
#include <sys/uio.h>

#endif
