/* kf-host-key.c: placeholder, being written. */
#include <glib.h>
