//! The S3- and DynamoDB-compatible servers the storage tests run against, each a real process
//! on 127.0.0.1 with a port of its own, stopped when dropped.
//!
//! - S3: `s3s-fs`, which checks request signatures (presigned URLs too) and keeps objects in a
//!   directory, so it can be stopped and started again without losing them.
//! - DynamoDB: `moto_server`, which has transactions but keeps everything in memory.
//!
//! scripts/setup.sh installs both (scripts/test-servers.sh); the environment variables
//! `GAILLERY_S3S_FS` and `GAILLERY_MOTO_SERVER` point at other builds.
//!
//! [`shared_s3`] and [`shared_dynamodb`] are one server for every test of a test binary, for
//! tests that each need only a bucket or a table of their own: starting moto takes seconds.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The credentials the test S3 server accepts (and the test DynamoDB server ignores).
pub const ACCESS_KEY: &str = "gaillery-test";
pub const SECRET_KEY: &str = "gaillery-test-secret";
/// Any region will do for both servers; the SDK needs one to sign.
pub const REGION: &str = "us-east-1";

/// How long a server may take to start listening (moto imports a lot of Python).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port on 127.0.0.1")
}

/// A server process; killed (and waited for) when dropped.
pub struct ServerProcess {
    name: &'static str,
    command: Vec<String>,
    log: PathBuf,
    port: u16,
    child: Option<Child>,
    /// Whether the process is tied to this one (see `spawn_tied`).
    tied: bool,
}

/// Runs a server (`$2...`) until its standard input closes, then stops it and removes the
/// directory `$1`. The server itself reads nothing: `&` gives it /dev/null.
const TIED_TO_INPUT: &str = r#"dir=$1; shift
"$@" &
server=$!
cat >/dev/null
kill "$server" 2>/dev/null
wait "$server"
rm -rf "$dir""#;

impl ServerProcess {
    fn spawn(name: &'static str, command: Vec<String>, log: PathBuf, port: u16) -> ServerProcess {
        let mut server = ServerProcess {
            name,
            command,
            log,
            port,
            child: None,
            tied: false,
        };
        server.start();
        server
    }

    /// Like `spawn`, for a server kept in a `static`, which is never dropped: the server runs
    /// under `sh`, which stops it and removes `dir` once its standard input, a pipe from this
    /// process, closes. The kernel closes it when this process ends, however it ends.
    fn spawn_tied(
        name: &'static str,
        command: Vec<String>,
        log: PathBuf,
        port: u16,
        dir: &Path,
    ) -> ServerProcess {
        let mut wrapped: Vec<String> = vec![
            "sh".into(),
            "-c".into(),
            TIED_TO_INPUT.into(),
            "sh".into(),
            dir.to_string_lossy().into_owned(),
        ];
        wrapped.extend(command);
        let mut server = ServerProcess {
            name,
            command: wrapped,
            log,
            port,
            child: None,
            tied: true,
        };
        server.start();
        server
    }

    /// The server's address: `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server at once (SIGKILL), as a crash or a network cut would look to clients.
    /// A shared server is stopped by closing its input instead (its shell then stops it).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            match child.stdin.take() {
                Some(input) => drop(input),
                None => {
                    let _ = child.kill();
                }
            }
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (and, for S3, the same data).
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.name);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("server log file");
        let child = Command::new(&self.command[0])
            .args(&self.command[1..])
            .stdin(if self.tied {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(log.try_clone().expect("log handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.command[0]));
        self.child = Some(child);
        wait_until_listening(self.port, self.name, &self.log);
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wait_until_listening(port: u16, name: &str, log: &Path) {
    let deadline = Instant::now() + START_TIMEOUT;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{name} did not listen on port {port} within {START_TIMEOUT:?}; its log:\n{output}");
}

/// `s3s-fs` serving the directory `data`, on a free port.
pub fn start_s3(data: &Path) -> ServerProcess {
    let (command, port) = s3_command(data);
    let log = data.with_extension("log");
    ServerProcess::spawn("s3s-fs", command, log, port)
}

/// The `s3s-fs` of this test process, started on first use, with its data in a temporary
/// directory removed when the process ends. For tests that each use a bucket of their own.
pub fn shared_s3() -> &'static ServerProcess {
    static SERVER: OnceLock<ServerProcess> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = shared_dir("s3");
        let data = dir.join("data");
        let (command, port) = s3_command(&data);
        ServerProcess::spawn_tied("s3s-fs", command, dir.join("s3s-fs.log"), port, &dir)
    })
}

/// The command line of `s3s-fs` serving `data` (created if missing), and its port.
fn s3_command(data: &Path) -> (Vec<String>, u16) {
    let binary = tool("GAILLERY_S3S_FS", &cargo_bin("s3s-fs"));
    std::fs::create_dir_all(data).expect("S3 data directory");
    let port = free_port();
    let command = vec![
        binary,
        "--host".into(),
        "127.0.0.1".into(),
        "--port".into(),
        port.to_string(),
        "--access-key".into(),
        ACCESS_KEY.into(),
        "--secret-key".into(),
        SECRET_KEY.into(),
        data.to_string_lossy().into_owned(),
    ];
    (command, port)
}

/// `moto_server` on a free port; `log` receives its output.
pub fn start_dynamodb(log: &Path) -> ServerProcess {
    let (command, port) = dynamodb_command();
    ServerProcess::spawn("moto_server", command, log.to_path_buf(), port)
}

/// The `moto_server` of this test process, started on first use (which takes seconds: call it
/// off the async runtime), its log in a temporary directory removed when the process ends. For
/// tests that each use a table of their own.
pub fn shared_dynamodb() -> &'static ServerProcess {
    static SERVER: OnceLock<ServerProcess> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = shared_dir("moto");
        let (command, port) = dynamodb_command();
        ServerProcess::spawn_tied("moto_server", command, dir.join("moto.log"), port, &dir)
    })
}

/// The command line of `moto_server`, and its port.
fn dynamodb_command() -> (Vec<String>, u16) {
    let binary = tool("GAILLERY_MOTO_SERVER", &moto_default());
    let port = free_port();
    let command = vec![
        binary,
        "-H".into(),
        "127.0.0.1".into(),
        "-p".into(),
        port.to_string(),
    ];
    (command, port)
}

/// A new directory for a shared server's files, named after this process.
fn shared_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gaillery-shared-{name}-{}", std::process::id()));
    // A directory of an earlier process that had this id is stale.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("shared server directory");
    dir
}

fn home() -> PathBuf {
    std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from)
}

fn cargo_bin(name: &str) -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map_or_else(|| home().join(".cargo"), PathBuf::from)
        .join("bin")
        .join(name)
}

/// Where scripts/test-servers.sh puts moto's virtualenv (kept outside the clone, so CI reuses
/// it when it is there).
fn moto_default() -> PathBuf {
    let cache =
        std::env::var_os("XDG_CACHE_HOME").map_or_else(|| home().join(".cache"), PathBuf::from);
    cache.join("gaillery/moto-5.2.5/bin/moto_server")
}

fn tool(variable: &str, default: &Path) -> String {
    let path = std::env::var_os(variable).map_or_else(|| default.to_path_buf(), PathBuf::from);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/setup.sh (or set {variable})",
        path.display()
    );
    path.to_string_lossy().into_owned()
}
