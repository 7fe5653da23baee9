/* kf-truenas-url.c: placeholder, being written. */
#include <glib.h>
