/* The WebKitGTK floor (issue 16, item 5): what any app showing one small local page in a
 * WebKitGTK web view costs in memory on this machine, with the settings Ringside uses
 * (src-tauri/src/webview_memory.rs: no DMA-BUF renderer, no JIT, document-viewer cache,
 * no page cache, no hardware acceleration) and, with an argument, a second window whose
 * view shares the first one's web process (as Ringside's pop-up does). No Rust, no Tauri,
 * no app logic: scripts/bench_desktop.py measures it beside the app, so "how far above the
 * floor is Ringside" and "can a target below the floor be met" are measured, not guessed.
 * Built by scripts/bench-desktop.sh (cc + pkg-config, the webkit2gtk-4.1 dev package that
 * Tauri's build needs anyway). Runs until killed. */
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

static const char *PAGE =
    "<!doctype html><html><body><h1>Ringside</h1><p>A small local page.</p>"
    "<script>document.body.dataset.ready = '1';</script></body></html>";

static GtkWidget *main_view;

static GtkWidget *open_window(WebKitWebView *related, int width, int height) {
  GtkWidget *view = related ? webkit_web_view_new_with_related_view(related) : webkit_web_view_new();
  WebKitSettings *settings = webkit_web_view_get_settings(WEBKIT_WEB_VIEW(view));
  webkit_settings_set_hardware_acceleration_policy(settings, WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER);
  webkit_settings_set_enable_page_cache(settings, FALSE);
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_window_set_default_size(GTK_WINDOW(window), width, height);
  gtk_container_add(GTK_CONTAINER(window), view);
  gtk_widget_show_all(window);
  webkit_web_view_load_html(WEBKIT_WEB_VIEW(view), PAGE, "https://floor.invalid/");
  return view;
}

static gboolean open_popup(gpointer unused) {
  (void)unused;
  open_window(WEBKIT_WEB_VIEW(main_view), 360, 420);
  return G_SOURCE_REMOVE;
}

int main(int argc, char **argv) {
  g_setenv("WEBKIT_DISABLE_DMABUF_RENDERER", "1", FALSE);
  g_setenv("JSC_useJIT", "0", FALSE);
  gtk_init(&argc, &argv);
  webkit_web_context_set_cache_model(webkit_web_context_get_default(), WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
  main_view = open_window(NULL, 960, 680);
  if (argc > 1)
    g_timeout_add(1000, open_popup, NULL);
  gtk_main();
  return 0;
}
