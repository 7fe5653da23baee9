/* kf-known-hosts.c: placeholder, being written. */
#include <glib.h>
