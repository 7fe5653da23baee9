/* kf-keyring.c: placeholder, being written. */
#include <glib.h>
