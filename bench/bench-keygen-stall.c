/* bench-keygen-stall.c: the longest main-loop stall while a key is generated.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Generates each key type RUNS times through kf_ssh_key_generate_async while
 * a 5 ms timeout ticks in the main loop, and prints per type the generation
 * time (median, max) and the longest gap between ticks (median, max).
 * Goal: longest gap < 50 ms for every type, RSA 4096 included.
 * Usage: bench-keygen-stall [RUNS]   (default 5; run through bench/bench-keygen.sh)
 */
#include <stdlib.h>

#include "keys-test-util.h"

typedef struct {
  const char *label;
  KfKeyType   type;
  guint       bits;
} BenchType;

static const BenchType bench_types[] = {
  { "ed25519",    KF_KEY_TYPE_ED25519,    0 },
  { "ecdsa-p256", KF_KEY_TYPE_ECDSA_P256, 0 },
  { "ecdsa-p384", KF_KEY_TYPE_ECDSA_P384, 0 },
  { "ecdsa-p521", KF_KEY_TYPE_ECDSA_P521, 0 },
  { "rsa-2048",   KF_KEY_TYPE_RSA,        2048 },
  { "rsa-3072",   KF_KEY_TYPE_RSA,        3072 },
  { "rsa-4096",   KF_KEY_TYPE_RSA,        4096 },
};

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static double
median_ms (gint64 *values,
           guint   n)
{
  qsort (values, n, sizeof *values, (int (*)(const void *, const void *)) compare_int64);
  return (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2) / 1000.0;
}

int
main (int   argc,
      char *argv[])
{
  guint runs = argc > 1 ? (guint) atoi (argv[1]) : 5;
  double worst_gap = 0;

  if (runs == 0)
    runs = 1;

  g_print ("%-11s %5s %12s %12s %14s %14s\n",
           "type", "runs", "gen med ms", "gen max ms", "stall med ms", "stall max ms");

  for (guint t = 0; t < G_N_ELEMENTS (bench_types); t++)
    {
      g_autofree gint64 *gen = g_new0 (gint64, runs);
      g_autofree gint64 *gap = g_new0 (gint64, runs);
      double gen_max, gap_max;

      for (guint r = 0; r < runs; r++)
        {
          KtStall stall;

          kt_measure_generate_stall (bench_types[t].type, bench_types[t].bits, &stall);
          if (stall.error != NULL)
            g_error ("%s: %s", bench_types[t].label, stall.error->message);
          g_clear_object (&stall.material);
          gen[r] = stall.elapsed_us;
          gap[r] = stall.max_gap_us;
        }

      gen_max = gen[0];
      gap_max = gap[0];
      for (guint r = 1; r < runs; r++)
        {
          gen_max = MAX (gen_max, gen[r]);
          gap_max = MAX (gap_max, gap[r]);
        }
      worst_gap = MAX (worst_gap, gap_max / 1000.0);

      g_print ("%-11s %5u %12.1f %12.1f %14.1f %14.1f\n",
               bench_types[t].label, runs,
               median_ms (gen, runs), gen_max / 1000.0,
               median_ms (gap, runs), gap_max / 1000.0);
    }

  g_print ("longest main-loop stall: %.1f ms (goal < 50 ms): %s\n",
           worst_gap, worst_gap < 50.0 ? "PASS" : "FAIL");
  return worst_gap < 50.0 ? 0 : 1;
}
