//! Proxies on 127.0.0.1 between the code under test and a storage service.
//!
//! [`FaultProxy`] is a TCP proxy that a test can cut and restore, to make a service unreachable
//! without stopping it (moto keeps its data in memory and would lose it). Cut, it closes its
//! port and drops every open connection: to a client that is exactly a server that went away
//! (connections reset, new ones refused). Restored, it listens on the same port again.
//!
//! [`SerialProxy`] passes HTTP requests to moto one at a time. moto applies concurrent requests
//! without any lock: a conditional update checks its condition, parses, then writes, while other
//! threads write in between, and a cancelled transaction restores a copy of the whole table
//! taken when it started, erasing what others wrote meanwhile. DynamoDB applies every write and
//! every transaction atomically. Behind this proxy clients still race between their requests
//! (one reads the queue, another claims, the first's conditional write then fails), and each
//! request is atomic, as on DynamoDB. It can also lose answers: apply a request, then close
//! the client's connection instead of answering, as when the network fails at that moment.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

pub struct FaultProxy {
    port: u16,
    target: SocketAddr,
    /// The accept loop and every connection, aborted together by `cut`.
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl FaultProxy {
    /// Forwards a free port of 127.0.0.1 to `target_port` of 127.0.0.1. Needs a Tokio runtime.
    pub async fn start(target_port: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let port = listener.local_addr().expect("proxy address").port();
        let proxy = FaultProxy {
            port,
            target: SocketAddr::from(([127, 0, 0, 1], target_port)),
            tasks: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.serve(listener);
        proxy
    }

    /// `http://127.0.0.1:PORT`, for clients to use instead of the server's own.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Closes the port and drops every connection through it.
    pub fn cut(&self) {
        let tasks = std::mem::take(&mut *self.tasks.lock().expect("proxy tasks"));
        for task in tasks {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("proxy port again");
        self.serve(listener);
    }

    fn serve(&self, listener: TcpListener) {
        let tasks = Arc::clone(&self.tasks);
        let target = self.target;
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let connection = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                let mut tasks = tasks.lock().expect("proxy tasks");
                tasks.retain(|task| !task.is_finished());
                tasks.push(connection.abort_handle());
            }
        });
        self.tasks
            .lock()
            .expect("proxy tasks")
            .push(accept.abort_handle());
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

/// An HTTP/1.1 proxy that forwards one request at a time and waits for its response before
/// the next: requests from all connections are applied in some order, each whole.
pub struct SerialProxy {
    port: u16,
    accept: tokio::task::JoinHandle<()>,
    losses: Arc<Mutex<LostAnswers>>,
}

/// Which answers the proxy drops after moto applied their requests.
#[derive(Default)]
struct LostAnswers {
    /// The DynamoDB operation, as in `X-Amz-Target: DynamoDB_20120810.{operation}`.
    operation: String,
    remaining: usize,
}

impl LostAnswers {
    /// Whether the answer to a request for `operation` is to be lost; counts it if so.
    fn take(&mut self, operation: Option<&str>) -> bool {
        let lose = self.remaining > 0
            && operation.is_some_and(|op| op.eq_ignore_ascii_case(&self.operation));
        if lose {
            self.remaining -= 1;
        }
        lose
    }
}

impl SerialProxy {
    /// Forwards a free port of 127.0.0.1 to `target_port` of 127.0.0.1. Needs a Tokio runtime.
    pub async fn start(target_port: u16) -> SerialProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let port = listener.local_addr().expect("proxy address").port();
        let turn = Arc::new(tokio::sync::Mutex::new(()));
        let losses = Arc::new(Mutex::new(LostAnswers::default()));
        let accept = {
            let losses = Arc::clone(&losses);
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let (turn, losses) = (Arc::clone(&turn), Arc::clone(&losses));
                    tokio::spawn(async move {
                        // A connection that breaks (a client timing out) just ends.
                        let _ = serve(client, target_port, turn, losses).await;
                    });
                }
            })
        };
        SerialProxy {
            port,
            accept,
            losses,
        }
    }

    /// The next `count` requests for the DynamoDB `operation` (`"TransactWriteItems"`, say)
    /// are applied, and their answers lost: the client's connection closes instead. A count
    /// of 0 stops losing them.
    pub fn lose_answers(&self, operation: &str, count: usize) {
        *self.losses.lock().expect("lost answers") = LostAnswers {
            operation: operation.to_owned(),
            remaining: count,
        };
    }
}

impl SerialProxy {
    /// `http://127.0.0.1:PORT`, for clients to use instead of the server's own.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for SerialProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Forwards the requests of one client connection over a connection of its own to moto.
async fn serve(
    client: TcpStream,
    target_port: u16,
    turn: Arc<tokio::sync::Mutex<()>>,
    losses: Arc<Mutex<LostAnswers>>,
) -> std::io::Result<()> {
    let mut client = BufReader::new(client);
    let mut upstream: Option<BufReader<TcpStream>> = None;
    while let Some(request) = read_message(&mut client, true).await? {
        let _turn = turn.lock().await;
        let server = match &mut upstream {
            Some(server) => server,
            None => upstream.insert(BufReader::new(
                TcpStream::connect(("127.0.0.1", target_port)).await?,
            )),
        };
        server.get_mut().write_all(&request.bytes).await?;
        let response = read_message(server, false)
            .await?
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
        if response.closes {
            upstream = None;
        }
        drop(_turn);
        let lost = losses
            .lock()
            .expect("lost answers")
            .take(request.operation.as_deref());
        if lost {
            return Ok(());
        }
        client.get_mut().write_all(&response.bytes).await?;
        if response.closes {
            return Ok(());
        }
    }
    Ok(())
}

/// One HTTP message, as raw bytes.
struct Message {
    bytes: Vec<u8>,
    /// The connection ends after it.
    closes: bool,
    /// A DynamoDB request's operation, from `X-Amz-Target`, lowercased.
    operation: Option<String>,
}

/// Reads one HTTP/1.1 message whole: its head, then a body framed by `Content-Length` or
/// chunked encoding (or, for a response with neither, the rest of the connection). `None` at
/// the end of the connection.
async fn read_message(
    reader: &mut BufReader<TcpStream>,
    is_request: bool,
) -> std::io::Result<Option<Message>> {
    let mut bytes = Vec::new();
    loop {
        let read = reader.read_until(b'\n', &mut bytes).await?;
        if read == 0 {
            return if bytes.is_empty() {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        if bytes.ends_with(b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
    let header = |name: &str| {
        head.lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(key, _)| key.trim() == name)
            .map(|(_, value)| value.trim().to_owned())
    };
    // Lowercased, as the whole head is.
    let operation = header("x-amz-target")
        .and_then(|target| target.rsplit_once('.').map(|(_, op)| op.to_owned()));
    let mut closes = header("connection").as_deref() == Some("close");
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            let start = bytes.len();
            reader.read_until(b'\n', &mut bytes).await?;
            let line = String::from_utf8_lossy(&bytes[start..]).to_string();
            let size_text = line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            if size == 0 {
                // Trailers, then the empty line.
                loop {
                    let start = bytes.len();
                    reader.read_until(b'\n', &mut bytes).await?;
                    if &bytes[start..] == b"\r\n" || bytes.len() == start {
                        break;
                    }
                }
                break;
            }
            let start = bytes.len();
            bytes.resize(start + size + 2, 0);
            reader.read_exact(&mut bytes[start..]).await?;
        }
    } else if let Some(length) = header("content-length") {
        let length: usize = length
            .parse()
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
        let start = bytes.len();
        bytes.resize(start + length, 0);
        reader.read_exact(&mut bytes[start..]).await?;
    } else if !is_request {
        reader.read_to_end(&mut bytes).await?;
        closes = true;
    }
    Ok(Some(Message {
        bytes,
        closes,
        operation,
    }))
}
