# Sourced by the test scripts that run the app or a keyring in a private sandbox of HOME/XDG dirs.
#
# remove_sandbox_on_exit DIR: an EXIT-trap body. The document portal that GTK may start mounts a
# FUSE file system at $XDG_RUNTIME_DIR/doc, and it can outlive the session bus, so a plain
# `rm -rf` fails on it. Unmount what is left under DIR, remove DIR, and keep the exit status the
# tests had: clean-up never turns a pass into a failure or hides a failure.
remove_sandbox_on_exit() {
  local status=$?
  local dir=$1 mount_point
  while read -r _ mount_point _; do
    case "$mount_point" in
      "$dir"/*) fusermount3 -u "$mount_point" 2>/dev/null || fusermount -u "$mount_point" 2>/dev/null ||
        umount -l "$mount_point" 2>/dev/null || true ;;
    esac
  done < /proc/mounts
  rm -rf "$dir" 2>/dev/null || echo "note: could not remove $dir" >&2
  exit "$status"
}
