/* kf-test-sshd.h: a real OpenSSH sshd on loopback for tests (being written). */
#pragma once
#include <glib.h>
