/* kf-truenas-client.c: placeholder, being written. */
#include <glib.h>
