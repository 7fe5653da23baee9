/* kf-vault.c: placeholder, being written. */
#include <glib.h>
