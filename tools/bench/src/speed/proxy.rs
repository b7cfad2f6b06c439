//! A logging HTTP/1.1 proxy between `gantry controller` processes and the AWS emulator: every
//! request is recorded with when it arrived, its operation and when its response was sent
//! back, so that a controller running as a separate process can be timed from outside.
//!
//! Plain threads and blocking sockets: a few connections at a time (the SDK keeps a small
//! pool), and bytes are relayed as they are, only read far enough to find where each request
//! and response ends (Content-Length; the AWS SDK and moto use no chunked bodies here).

use anyhow::Result;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One AWS request as the proxy saw it.
#[derive(Clone, Debug)]
pub struct Call {
    pub start: Instant,
    /// When the whole response had been relayed back; None while in flight.
    pub end: Option<Instant>,
    pub operation: String,
    pub body: String,
}

impl Call {
    pub fn is_mutating(&self) -> bool {
        gantry_deploy::client::is_mutating(&self.operation)
    }
}

#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Call>>>);

impl Log {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Call>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.lock().clone()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub struct Proxy {
    pub addr: SocketAddr,
    pub log: Log,
}

impl Proxy {
    /// Listens on a free loopback port and relays to `upstream` (`http://host:port`).
    pub fn start(upstream: &str) -> Result<Proxy> {
        let target: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let log = Log::default();
        let accept_log = log.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = accept_log.clone();
                std::thread::spawn(move || {
                    let _ = relay(client, target, log);
                });
            }
        });
        Ok(Proxy { addr, log })
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn relay(client: TcpStream, target: SocketAddr, log: Log) -> Result<()> {
    let server = TcpStream::connect(target)?;
    let (mut client_r, mut server_w) = (BufReader::new(client.try_clone()?), server.try_clone()?);
    let (mut server_r, mut client_w) = (BufReader::new(server), client);
    // Index in the log of each request sent upstream, in order: responses come back in order.
    let (tx, rx) = mpsc::channel::<usize>();
    let up_log = log.clone();
    let up = std::thread::spawn(move || -> Result<()> {
        loop {
            let Some((head, body)) = read_message(&mut client_r)? else {
                let _ = server_w.shutdown(Shutdown::Write);
                return Ok(());
            };
            let index = {
                let mut calls = up_log.lock();
                calls.push(Call {
                    start: Instant::now(),
                    end: None,
                    operation: operation(&head, &body),
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                calls.len() - 1
            };
            let _ = tx.send(index);
            server_w.write_all(&head)?;
            server_w.write_all(&body)?;
        }
    });
    loop {
        let Some((head, body)) = read_message(&mut server_r)? else {
            let _ = client_w.shutdown(Shutdown::Write);
            break;
        };
        client_w.write_all(&head)?;
        client_w.write_all(&body)?;
        if let Ok(index) = rx.recv()
            && let Some(c) = log.lock().get_mut(index)
        {
            c.end = Some(Instant::now());
        }
    }
    let _ = up.join();
    Ok(())
}

/// One HTTP message: its head (through the blank line) and its Content-Length body; None at
/// the end of the stream.
fn read_message(stream: &mut impl BufRead) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read_until(b'\n', &mut head)? == 0 {
            return Ok(None);
        }
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = text
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok(Some((head, body)))
}

/// The AWS operation of a request: `Action=` of the query protocols (ELBv2, EC2), else the
/// `X-Amz-Target` header of the JSON ones (`Service.Operation`).
fn operation(head: &[u8], body: &[u8]) -> String {
    let body = String::from_utf8_lossy(body);
    if let Some(rest) = body.split('&').find_map(|p| p.strip_prefix("Action=")) {
        return rest.to_string();
    }
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("x-amz-target")
                .then(|| v.trim().rsplit('.').next().unwrap_or_default().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_of_query_and_json_requests() {
        assert_eq!(
            operation(
                b"POST / HTTP/1.1\r\n\r\n",
                b"Action=ModifyRule&Version=2015-12-01"
            ),
            "ModifyRule"
        );
        assert_eq!(
            operation(
                b"POST / HTTP/1.1\r\nX-Amz-Target: AWSWAF_20190729.GetWebACLForResource\r\n\r\n",
                b"{}"
            ),
            "GetWebACLForResource"
        );
    }

    #[test]
    fn relays_and_logs_a_request() {
        let upstream = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let up_addr = upstream.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = upstream.accept().unwrap();
            let (_, body) = read_message(&mut BufReader::new(s.try_clone().unwrap()))
                .unwrap()
                .unwrap();
            assert_eq!(body, b"Action=DescribeRules");
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .unwrap();
        });
        let proxy = Proxy::start(&format!("http://{up_addr}")).unwrap();
        let mut c = TcpStream::connect(proxy.addr).unwrap();
        c.write_all(b"POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\nAction=DescribeRules")
            .unwrap();
        let (_, body) = read_message(&mut BufReader::new(c)).unwrap().unwrap();
        assert_eq!(body, b"ok");
        // The end is recorded just after the response is relayed.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let calls = proxy.log.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].operation, "DescribeRules");
        assert!(calls[0].end.is_some() && !calls[0].is_mutating());
    }
}
