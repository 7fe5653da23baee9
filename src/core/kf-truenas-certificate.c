/* kf-truenas-certificate.c: placeholder, being written. */
#include <glib.h>
