#ifndef HACD_CACL_SHIM_H
#define HACD_CACL_SHIM_H
// Shim over libacl, used by `hactl check-storage` to probe POSIX ACL support.
#include <sys/types.h>
#include <sys/acl.h>
#include <acl/libacl.h>
#endif
