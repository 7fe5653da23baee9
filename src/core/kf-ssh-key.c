/* kf-ssh-key.c: placeholder, being written. */
#include <glib.h>
