//! Crash safety: a real `backstop demo` process under load is killed with SIGKILL half-way and
//! started again on the same data; the customers reconnect and resend what was not acknowledged.
//! Afterwards every acknowledged message is stored exactly once, every customer message was
//! answered, and none got two AI replies.

use std::sync::atomic::Ordering;
use std::time::Duration;

use backstop_load::{self as load, server};

use crate::support::assert_answered_once;

#[tokio::test]
async fn a_server_killed_mid_load_loses_nothing_and_never_answers_twice() {
    let scratch = crate::support::Scratch::new();
    let dir = scratch.to_path_buf();
    let spawn = server::SpawnOptions {
        lexical: true,
        data_dir: Some(dir.clone()),
        port: server::free_port().unwrap(),
        exe: Some(env!("CARGO_BIN_EXE_backstop").into()),
        ..Default::default()
    };
    let mut first = server::spawn(&spawn).await.expect("start the server");
    let options = load::Options {
        base: first.base.clone(),
        tenant: "demo".into(),
        conversations: 12,
        messages: 12,
        rate: None,
        escalate: 0.0,
        agent: None,
        server_pid: None,
        questions: Vec::new(),
        unique: false,
        timeout: Duration::from_secs(120),
        reconnect: true,
        fallback: None,
        progress: false,
        answered: Default::default(),
    };
    let total = (options.conversations * options.messages) as u64;
    let answered = options.answered.clone();
    let run = tokio::spawn({
        let options = options.clone();
        async move { load::run(&options).await }
    });

    // Kill it once about a third of the messages are answered: some in flight, some not yet sent.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while answered.load(Ordering::Relaxed) < total / 3 {
        assert!(tokio::time::Instant::now() < deadline, "the load made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.child.start_kill().expect("SIGKILL");
    first.child.wait().await.expect("the server is gone");
    let killed_at = answered.load(Ordering::Relaxed);
    assert!(killed_at < total, "the kill came before the end of the load");
    let second = server::spawn(&spawn).await.expect("restart on the same data");

    let report = run.await.expect("load task").expect("load run");
    assert_eq!(report.errors, 0, "{:?}", report.error_kinds);
    assert!(report.reconnects > 0, "the customers noticed the crash and reconnected");
    // A customer the policy hands over stops there (no agent in this test): fewer than `total`.
    assert!(report.sent > total / 2, "most of the load ran: {report:?}");
    assert_eq!(
        report.acked, report.sent,
        "every message was acknowledged (after a resend if needed)"
    );
    assert_eq!(
        report.answered, report.sent,
        "every message was answered (AI, or the hand-over)"
    );
    assert_eq!(report.extra_ai_replies, 0);
    drop(second); // killed on drop; the database is read below

    let mut config = backstop::Config::default();
    config.storage.data_dir = dir;
    let store = backstop::open_store(&config).await.unwrap();
    assert_answered_once(store.as_ref(), &report, options.conversations).await;
}
