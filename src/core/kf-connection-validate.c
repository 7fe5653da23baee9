/* kf-connection-validate.c: placeholder, being written. */
#include <glib.h>
