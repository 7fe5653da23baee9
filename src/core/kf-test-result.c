/* kf-test-result.c: placeholder, being written. */
#include <glib.h>
