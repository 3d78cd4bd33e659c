# The two commands of the README. Both install what they need first.
.PHONY: demo test package deps

# Opens Ringside's window on the built-in demo org (or, with no display,
# shows a caller pop in the terminal).
demo: deps
	@bash scripts/demo.sh

# Runs every test: formatting, lints, unit and integration tests, the UI in
# Chromium, and the desktop app in a real window under Xvfb.
test: deps
	@bash scripts/test.sh

# Builds the release .deb and .rpm (target/release/bundle/{deb,rpm}/) with the Tauri bundler.
package: deps
	@bash scripts/package.sh

deps:
	@bash scripts/install-deps.sh
