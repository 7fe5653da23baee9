/* kf-test-sshd.c: being written. */
#include "kf-test-sshd.h"
