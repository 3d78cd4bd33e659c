//! A real small file system for tests of a full disk and a read-only home: a tmpfs mounted
//! on a fresh directory (root only), unmounted again by `Drop` so a failing test leaves
//! nothing mounted. Tests that mount one need root, so they are `#[ignore]`d (a plain
//! `cargo test` reports them as ignored) and `scripts/test.sh` runs them with `--ignored` as
//! root. Where it cannot mount, the test fails with the reason: returning early would count
//! as a pass and hide a regression.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (as `mount -o size=` takes it, e.g. `256k`); panics with the
    /// reason when it cannot.
    pub fn mount(name: &str, size: &str) -> Tmpfs {
        let dir = std::env::temp_dir().join(format!("ringside-mnt-{name}-{}", std::process::id()));
        let _ = Command::new("umount").arg(&dir).output();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mount point");
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        let refused = if uid != "0" {
            Some(format!("not root (uid {uid:?})"))
        } else {
            match Command::new("mount")
                .args([
                    "-t",
                    "tmpfs",
                    "-o",
                    &format!("size={size},mode=0755"),
                    "tmpfs",
                ])
                .arg(&dir)
                .output()
            {
                Ok(out) if out.status.success() => None,
                Ok(out) => Some(format!(
                    "mount failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )),
                Err(e) => Some(format!("cannot run mount: {e}")),
            }
        };
        if let Some(reason) = refused {
            let _ = std::fs::remove_dir_all(&dir);
            panic!(
                "this test mounts a tmpfs and needs root (run it with --ignored as root, as scripts/test.sh does): {reason}"
            );
        }
        Tmpfs { dir }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Makes the whole file system read-only, as a read-only mount or a failing disk does.
    pub fn remount_read_only(&self) {
        let out = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.dir)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "remount read-only: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Fills the file system to the last byte (ENOSPC), with one file.
    pub fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.dir.join("filler");
        let mut file = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 4096];
        loop {
            if file.write_all(&block).is_err() {
                break;
            }
        }
        // The last partial block too.
        while file.write_all(&[0u8]).is_ok() {}
        let _ = file.sync_all();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let unmounted = Command::new("umount")
            .arg(&self.dir)
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            // Something still holds a file open: detach it now, freed when closed.
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
        let _ = std::fs::remove_dir(&self.dir);
    }
}
