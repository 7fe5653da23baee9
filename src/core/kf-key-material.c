/* kf-key-material.c: placeholder, being written. */
#include <glib.h>
