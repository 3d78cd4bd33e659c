// Vite builds ui/dist, which the Tauri shell embeds (src-tauri/tauri.conf.json `frontendDist`).
import { defineConfig } from "vite";

export default defineConfig({
  // Relative asset URLs: the same dist works under tauri:// and under the browser test's static server.
  base: "./",
  clearScreen: false,
  build: {
    // WebKitGTK 2.40+ (Debian 12) and current Chromium both run ES2022 natively.
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    // No inline scripts or styles: the CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // Two pages: the main window (index.html) and the pop-up window (popup.html, label "popup").
    rollupOptions: {
      input: { main: "index.html", popup: "popup.html" },
    },
  },
});
