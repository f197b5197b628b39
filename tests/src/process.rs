//! Child processes that run in their own process group and are stopped as a group: wrangler
//! starts a shim, the real node, esbuild and workerd processes, and all of them must go.

use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A child process group; dropped means stopped (SIGTERM, then SIGKILL after 10 s).
#[derive(Debug)]
pub struct Group {
    child: Child,
    name: String,
}

impl Group {
    /// Spawns `command` as the leader of a new process group.
    pub fn spawn(name: &str, mut command: Command) -> std::io::Result<Self> {
        command.process_group(0);
        let child = command.spawn()?;
        Ok(Self {
            child,
            name: name.to_owned(),
        })
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the leader is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends `signal` (`TERM`, `INT`, `KILL`) to the whole group.
    pub fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([
                format!("-{signal}"),
                "--".to_owned(),
                format!("-{}", self.id()),
            ])
            .stderr(std::process::Stdio::null())
            .status();
    }

    /// Whether any process of the group is alive.
    fn group_alive(&self) -> bool {
        Command::new("pgrep")
            .args(["-g", &self.id().to_string()])
            .output()
            .is_ok_and(|out| !out.stdout.is_empty())
    }

    /// Stops the group: SIGTERM, wait up to 10 s, then SIGKILL.
    pub fn stop(&mut self) {
        self.signal("TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let _ = self.child.try_wait();
            if !self.group_alive() {
                let _ = self.child.wait();
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("{}: still running after SIGTERM, killing", self.name);
        self.signal("KILL");
        let _ = self.child.wait();
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop();
    }
}
