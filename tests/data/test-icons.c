/* test-icons.c: the app icon and its symbolic twin render as intended.
 *
 * Renders the SVGs through gdk-pixbuf's SVG loader (librsvg), as GTK does,
 * and checks their sizes and pixels: the app icon is a 128×128 colour picture
 * with a transparent margin, the symbolic icon a 16×16 picture in one colour
 * that GTK can recolour.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdlib.h>
#include <string.h>

#include "kf-test-util.h"

static char *
icon_path (const char *context,
           const char *file)
{
  return g_build_filename (kf_test_get_srcdir (), "data", "icons", "hicolor",
                           context, "apps", file, NULL);
}

typedef struct {
  guint opaque;       /* alpha == 255 */
  guint visible;      /* alpha > 0 */
  guint transparent;  /* alpha == 0 */
  guint gold;         /* the key: yellow */
  guint blue;         /* the sea */
} Census;

static Census
census (GdkPixbuf *pixbuf)
{
  Census c = { 0 };
  int w = gdk_pixbuf_get_width (pixbuf);
  int h = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);

  g_assert_true (gdk_pixbuf_get_has_alpha (pixbuf));
  g_assert_cmpint (gdk_pixbuf_get_n_channels (pixbuf), ==, 4);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = pixels + y * stride + x * 4;

        if (p[3] == 0)
          {
            c.transparent++;
            continue;
          }
        c.visible++;
        if (p[3] == 255)
          c.opaque++;
        if (p[0] > 200 && p[1] > 150 && p[2] < 120)
          c.gold++;
        if (p[2] > 180 && p[0] < 130)
          c.blue++;
      }
  return c;
}

static void
test_app_icon (void)
{
  g_autofree char *path = icon_path ("scalable", KF_APP_ID ".svg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) intrinsic = gdk_pixbuf_new_from_file (path, &error);
  const int sizes[] = { 256, 128, 64, 32 };
  Census c;
  guint total;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (intrinsic), ==, 128);
  g_assert_cmpint (gdk_pixbuf_get_height (intrinsic), ==, 128);

  c = census (intrinsic);
  total = 128 * 128;
  g_test_message ("app icon: %u visible, %u gold, %u blue of %u", c.visible, c.gold, c.blue, total);
  /* A real picture, not a square that fills the canvas nor a speck. */
  g_assert_cmpuint (c.visible, >, total * 4 / 10);
  g_assert_cmpuint (c.transparent, >, total / 10);
  g_assert_cmpuint (c.gold, >, total / 20);
  g_assert_cmpuint (c.blue, >, total / 20);
  /* Corners stay clear: icons sit on any background. */
  g_assert_cmpuint (gdk_pixbuf_read_pixels (intrinsic)[3], ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GdkPixbuf) scaled = gdk_pixbuf_new_from_file_at_size (path, sizes[i], sizes[i], &error);

      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_width (scaled), ==, sizes[i]);
      g_assert_cmpint (gdk_pixbuf_get_height (scaled), ==, sizes[i]);
      c = census (scaled);
      g_assert_cmpuint (c.visible, >, (guint) (sizes[i] * sizes[i]) * 4 / 10);
    }
}

static void
test_symbolic_icon (void)
{
  g_autofree char *path = icon_path ("symbolic", KF_APP_ID "-symbolic.svg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_autofree char *text = NULL;
  const guint8 *pixels;
  int stride;
  Census c;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 16);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 16);

  c = census (pixbuf);
  g_test_message ("symbolic icon: %u visible, %u opaque of 256", c.visible, c.opaque);
  g_assert_cmpuint (c.visible, >, 256 / 4);
  g_assert_cmpuint (c.opaque, >, 256 / 5);
  g_assert_cmpuint (c.transparent, >, 256 / 4);

  /* One colour (GNOME's symbolic #2e3436); edges differ only in alpha. */
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++)
      {
        const guint8 *p = pixels + y * stride + x * 4;

        if (p[3] < 64)
          continue;
        g_assert_cmpint (abs (p[0] - 0x2e), <=, 12);
        g_assert_cmpint (abs (p[1] - 0x34), <=, 12);
        g_assert_cmpint (abs (p[2] - 0x36), <=, 12);
      }

  /* No strokes, text or gradients that recolouring would miss. */
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (strstr (text, "stroke"));
  g_assert_null (strstr (text, "Gradient"));
  g_assert_null (strstr (text, "<text"));
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);

  g_test_add_func ("/icons/app-icon", test_app_icon);
  g_test_add_func ("/icons/symbolic-icon", test_symbolic_icon);

  return g_test_run ();
}
