//! Slow and idle clients on 127.0.0.1: hundreds of connections trickling their request heads
//! (slowloris), bodies that stop arriving, and more connections than the server takes. Each
//! test is bounded in count and time and stops by itself; the timeouts are shortened so the
//! tests take seconds, the defaults are checked apart.

use crate::support::{args, TestServer};
use gaillery_server::connections::ConnectionLimits;
use gaillery_testkit as kit;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SLOW_CLIENTS: usize = 300;
/// However the server behaves, a slow client gives up after this long.
const GIVE_UP: Duration = Duration::from_secs(20);

/// A connection that sends a request head one byte at a time, a byte every 200 ms, and never
/// finishes it. Returns how long the server let it stay, or `None` if it was still open when
/// the client gave up.
async fn trickle_head(addr: String) -> Option<Duration> {
    let started = Instant::now();
    let Ok(stream) = TcpStream::connect(&addr).await else {
        return Some(Duration::ZERO);
    };
    let (mut reader, mut writer) = stream.into_split();
    let head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    let trickle = async {
        for byte in head.iter().chain(std::iter::repeat(&b'a')) {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    // The server closing the connection (with or without a 408 first) ends the read.
    let closed = async {
        let mut buffer = [0u8; 512];
        while let Ok(read) = reader.read(&mut buffer).await {
            if read == 0 {
                break;
            }
        }
    };
    tokio::select! {
        () = closed => Some(started.elapsed()),
        () = trickle => Some(started.elapsed()),
        () = tokio::time::sleep(GIVE_UP) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_heads_are_dropped_while_everyone_else_is_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start_with_limits(args(dir.path()), |limits| {
        limits.header_read_timeout = Duration::from_secs(2);
    })
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let slow: Vec<_> = (0..SLOW_CLIENTS)
        .map(|_| tokio::spawn(trickle_head(addr.clone())))
        .collect();

    // While they trickle, the server answers others: a health check and an upload.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(server.get("/healthz").await.status(), 200);
    let (status, _) = server
        .upload(&[("during.jpg", kit::photo_jpeg(400, 300, 7))])
        .await;
    assert_eq!(
        status, 201,
        "an upload while {SLOW_CLIENTS} clients trickle"
    );

    let mut held = Vec::new();
    for client in slow {
        held.push(client.await.expect("slow client task"));
    }
    let still_open = held.iter().filter(|h| h.is_none()).count();
    assert_eq!(
        still_open, 0,
        "every slow client was dropped before it gave up"
    );
    let longest = held.iter().flatten().max().copied().unwrap_or_default();
    println!(
        "{SLOW_CLIENTS} clients trickling a head: {still_open} still held when they gave up, \
         the slowest dropped after {longest:?}"
    );
    assert!(
        longest < Duration::from_secs(10),
        "the slowest was dropped after {longest:?}, with a 2 s header timeout"
    );
    assert_eq!(server.get("/healthz").await.status(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_arriving_frees_its_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start_with_limits(args(dir.path()), |limits| {
        limits.body_idle_timeout = Duration::from_secs(1);
    })
    .await;
    let addr = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = "POST /api/photos HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n\r\n\
                --x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n";
    stream.write_all(head.as_bytes()).await.expect("head");
    // ...and then nothing more. The server answers and closes instead of waiting forever.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the request was still held after 15 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "a client error for a cut-off upload: {answer}"
    );
    assert_eq!(server.get("/healthz").await.status(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_the_connection_cap_clients_wait_their_turn() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start_with_limits(args(dir.path()), |limits| {
        limits.max_connections = 4;
        limits.header_read_timeout = Duration::from_secs(2);
    })
    .await;
    let addr = server.base.trim_start_matches("http://").to_owned();
    // Four idle connections take every slot...
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // ...so a fifth client waits, and is served once the header timeout frees a slot.
    let started = Instant::now();
    assert_eq!(server.get("/healthz").await.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "served at once: the cap did not hold ({:?})",
        started.elapsed()
    );
    drop(idle);
    server.stop().await;
}

#[test]
fn the_default_limits_are_the_documented_ones() {
    let limits = ConnectionLimits::default();
    assert_eq!(limits.header_read_timeout, Duration::from_secs(10));
    assert_eq!(limits.body_idle_timeout, Duration::from_secs(30));
    assert_eq!(limits.shutdown_deadline, Duration::from_secs(10));
    assert_eq!(limits.max_connections, 512);
}
