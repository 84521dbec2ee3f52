//! Finding 3, connections: a client that connects and sends nothing is dropped after the header
//! timeout; one visitor token opens a bounded number of sockets; and with file descriptors nearly
//! exhausted by idle connections the server sheds them and keeps answering.

use std::time::{Duration, Instant};

use backstop_load::server;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::*;

/// Reads until the peer closes (true) or `within` passes (false).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn silent_and_slow_clients_are_dropped_after_the_header_timeout() {
    let app = TestApp::spawn_guarded(|c| c.server.header_timeout_secs = 1).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // Connects and says nothing.
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    // Sends a request line and one header, then trickles (slowloris).
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let trickle = tokio::spawn(async move {
        for _ in 0..8 {
            if slow.write_all(b"X-a: b\r\n").await.is_err() {
                return slow;
            }
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        slow
    });
    assert!(
        closed_within(&mut silent, Duration::from_secs(4)).await,
        "the silent connection is closed"
    );
    let mut slow = trickle.await.unwrap();
    assert!(
        closed_within(&mut slow, Duration::from_secs(4)).await,
        "the slow one too"
    );
    // A kept-alive connection that goes quiet after a request is closed as well.
    let mut idle = TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    assert!(idle.read(&mut buf).await.unwrap() > 0, "answered");
    assert!(
        closed_within(&mut idle, Duration::from_secs(4)).await,
        "then closed when idle"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_trickled_body_and_a_silent_socket_are_dropped() {
    let app = TestApp::spawn_guarded(|c| {
        c.server.body_timeout_secs = 1;
        c.server.socket_idle_secs = 2;
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // A body announced at 1,000 bytes and sent one byte at a time.
    let mut slow = TcpStream::connect(&addr).await.unwrap();
    slow.write_all(
        b"POST /api/widget/v1/demo/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let trickle = tokio::spawn(async move {
        let mut answer = Vec::new();
        for _ in 0..20 {
            if slow.write_all(b" ").await.is_err() {
                break;
            }
            let mut buf = [0u8; 512];
            if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(300), slow.read(&mut buf)).await {
                if n == 0 {
                    break;
                }
                answer.extend_from_slice(&buf[..n]);
            }
        }
        answer
    });
    let answer = String::from_utf8_lossy(&trickle.await.unwrap()).to_string();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cut off after about a second"
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "the trickle is refused: {answer}");
    // A widget socket that says hello and then nothing is closed after socket_idle_secs.
    let v = app.visitor(json!({ "lang": "en" })).await;
    let mut ws = app.widget_ws(&v, 0).await;
    ws.until("hello", |f| f["type"] == "hello").await;
    let closed = tokio::time::timeout(Duration::from_secs(6), async {
        loop {
            match futures::StreamExt::next(&mut ws.0).await {
                None | Some(Err(_)) | Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) => return,
                _ => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "a silent socket is closed");
    app.stop().await;
}

#[tokio::test]
async fn one_visitor_token_opens_a_bounded_number_of_sockets() {
    let app = TestApp::spawn_guarded(|_| {}).await;
    let v = app.visitor(json!({ "lang": "en" })).await;
    let mut open = Vec::new();
    let mut refused = 0;
    for _ in 0..12 {
        let mut ws = app.widget_ws(&v, 0).await;
        let first = ws
            .until("hello or an error", |f| f["type"] == "hello" || f["type"] == "error")
            .await;
        if first["type"] == "hello" {
            open.push(ws);
        } else {
            assert_eq!(first["code"], "too_many_sockets", "{first}");
            refused += 1;
        }
    }
    assert_eq!(
        (open.len(), refused),
        (8, 4),
        "at most 8 sockets per visitor (limits.sockets_per_visitor)"
    );
    // Closing one frees a place.
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut ws = app.widget_ws(&v, 0).await;
    let first = ws
        .until("hello", |f| f["type"] == "hello" || f["type"] == "error")
        .await;
    assert_eq!(first["type"], "hello", "{first}");
    app.stop().await;
}

#[tokio::test]
async fn with_file_descriptors_exhausted_by_idle_connections_the_server_keeps_answering() {
    // 256 open files for the whole server (database, model, sockets): 300 idle connections would
    // take them all.
    let srv = server::spawn(&server::SpawnOptions {
        lexical: true,
        keep_limits: true,
        fd_limit: Some(256),
        exe: Some(env!("CARGO_BIN_EXE_backstop").into()),
        ..Default::default()
    })
    .await
    .expect("start the server");
    let addr = srv.base.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..300 {
        match TcpStream::connect(&addr).await {
            Ok(s) => idle.push(s),
            Err(e) => panic!("connect: {e}"),
        }
    }
    // The server answers while they are held: a new connection makes room by closing the
    // longest-idle one.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    for i in 0..20 {
        let r = http.get(format!("{}/healthz", srv.base)).send().await;
        assert!(
            r.as_ref().is_ok_and(|r| r.status().is_success()),
            "health check {i} while 300 idle connections are held: {r:?}"
        );
    }
    // Some of the idle ones were closed to make room; the server is still running.
    let mut closed = 0;
    for s in &mut idle {
        let mut buf = [0u8; 1];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(5), s.read(&mut buf)).await {
            closed += 1;
        }
    }
    assert!(closed > 0, "idle connections were shed");
    let widget = reqwest::Client::new()
        .post(format!("{}/api/widget/v1/demo/session", srv.base))
        .json(&json!({ "lang": "en" }))
        .send()
        .await
        .unwrap();
    assert_eq!(widget.status(), 200);
}
