/* kf-fuzz.h: what every libFuzzer target shares.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int  LLVMFuzzerInitialize   (int            *argc,
                             char         ***argv);
int  LLVMFuzzerTestOneInput (const uint8_t  *data,
                             size_t          size);

/* Criticals are programming errors reached from outside data: make them
 * crash so libFuzzer records the input. Warnings and messages about bad
 * input are expected and only slow the run down, so they are dropped. */
void  kf_fuzz_init          (void);
/* A NUL-terminated copy of the input (the parsers take C strings). */
char *kf_fuzz_strndup       (const uint8_t  *data,
                             size_t          size);

G_END_DECLS
