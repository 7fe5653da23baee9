/* kf-store.c: placeholder, being written. */
#include <glib.h>
