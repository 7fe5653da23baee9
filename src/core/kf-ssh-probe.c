/* kf-ssh-probe.c: placeholder, being written. */
#include <glib.h>
