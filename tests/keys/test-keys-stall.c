/* test-keys-stall.c: generating an RSA 4096 key does not stall the main loop.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Alone in its binary so that the timing is not disturbed by other tests of
 * the same process. RSA 4096 is the slowest key we make (about a second, a
 * few under sanitizers); if it ran on the main thread, the 5 ms timeout would
 * not tick at all meanwhile and the longest gap would be the whole generation
 * time.
 */
#include "keys-test-util.h"
#include "kf-test-util.h"

static void
test_rsa_4096_keeps_main_loop_running (void)
{
  KtStall stall;
  g_autofree char *fingerprint = NULL;
  g_autofree char *derived = NULL;
  g_autofree char *key_part = NULL;
  guint keygen_bits = 0;

  kt_measure_generate_stall (KF_KEY_TYPE_RSA, 4096, &stall);
  g_assert_no_error (stall.error);
  g_assert_nonnull (stall.material);

  g_test_message ("RSA 4096: %.0f ms, %u ticks of 5 ms, longest gap %.1f ms",
                  stall.elapsed_us / 1000.0, stall.ticks, stall.max_gap_us / 1000.0);

  /* The main loop kept dispatching: ticks all along, never a long gap.
   * The bounds are relative to the generation time, which varies with the
   * primes found and the build (2-3x under sanitizers, more on a loaded
   * machine): on the main thread there would be at most one tick and the
   * longest gap would be the whole generation time. The 100 ms floor only
   * matters for a lucky fast generation, where the tick count still proves it. */
  g_assert_cmpuint (stall.ticks, >=, 10);
  g_assert_cmpuint (stall.ticks, >=, stall.elapsed_us / 5000 / 4);
  g_assert_cmpint (stall.max_gap_us, <, MAX (stall.elapsed_us / 4, 100 * 1000));

  /* and the key is a real RSA 4096 key that OpenSSH accepts */
  g_assert_cmpstr (kf_key_material_get_key_type (stall.material), ==, "ssh-rsa");
  g_assert_cmpuint (kf_key_material_get_bits (stall.material), ==, 4096);
  fingerprint = kt_keygen_fingerprint (kf_key_material_get_public_key (stall.material), &keygen_bits);
  g_assert_cmpstr (kf_key_material_get_fingerprint (stall.material), ==, fingerprint);
  g_assert_cmpuint (keygen_bits, ==, 4096);
  derived = kt_keygen_public_from_private (kf_key_material_get_private_key (stall.material));
  key_part = kt_key_part (kf_key_material_get_public_key (stall.material));
  g_assert_cmpstr (derived, ==, key_part);

  g_clear_object (&stall.material);
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);
  g_test_add_func ("/keys/stall/rsa-4096", test_rsa_4096_keeps_main_loop_running);
  return g_test_run ();
}
