/* kf-semiauto-setup.c: placeholder, being written. */
#include <glib.h>
