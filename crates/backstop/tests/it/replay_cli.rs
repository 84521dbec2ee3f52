//! `backstop replay` on a dialogues file: the before/after table, the changed conversations and
//! the final JSON line; a broken draft is refused with its file and line.

use std::process::Command;

use serde_json::Value;

async fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut config = backstop::Config::default();
    config.storage.data_dir = dir.path().to_path_buf();
    let store = backstop::open_store(&config).await.unwrap();
    backstop::seed::demo(store.as_ref()).await.unwrap();
    dir
}

fn replay(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_backstop"))
        .arg("replay")
        .args(["--tenant", "demo", "--lexical"])
        .args(args)
        .env("BACKSTOP__STORAGE__DATA_DIR", dir)
        .env_remove("BACKSTOP_CONFIG")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn replay_prints_the_table_the_changes_and_a_json_line() {
    let dir = seeded().await;
    let p = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(
        p("d.jsonl"),
        [
            r#"{"id":"d1","turns":[{"role":"customer","text":"Can I pick up my order myself at your Shanghai warehouse?"}]}"#,
            r#"{"id":"d2","turns":[{"role":"customer","text":"talk to a human"}]}"#,
            r#"{"id":"d3","turns":[{"role":"customer","text":"How long does shipping take?"}]}"#,
            r#"{"id":"d4","lang":"zh","turns":[{"role":"customer","text":"我可以自己去上海仓库提货吗？"}]}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    std::fs::write(
        p("draft.json"),
        r#"[{"slug":"warehouse-pickup","lang":"en","topic":"pickup","title":"Picking up an order at the Shanghai warehouse",
             "body":"You can pick up your order yourself at our Shanghai warehouse, weekdays 10:00-17:00.",
             "questions":["Can I pick up my order at the warehouse?","self pickup at the Shanghai warehouse"]},
            {"slug":"warehouse-pickup","lang":"zh","topic":"pickup","title":"上海仓库自提",
             "body":"您可以在工作日10:00-17:00到上海仓库自提订单。","questions":["可以去上海仓库自提吗","仓库提货"]}]"#,
    )
    .unwrap();
    let (ok, stdout, stderr) = replay(dir.path(), &["--dialogues", &p("d.jsonl"), "--kb", &p("draft.json")]);
    assert!(ok, "{stderr}\n{stdout}");
    for row in ["current", "draft", "AI answers", "handed over", "outcome changed"] {
        assert!(stdout.contains(row), "{row}: {stdout}");
    }
    assert!(
        stdout.lines().any(|l| l.contains("d1") && l.contains("→ answered")),
        "{stdout}"
    );
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["conversations"], 4, "{last}");
    assert_eq!(last["changed_ids"], serde_json::json!(["d1", "d4"]), "{stdout}");
    assert_eq!(
        last["draft"]["answered"].as_u64().unwrap(),
        last["current"]["answered"].as_u64().unwrap() + 2,
        "{last}"
    );
    assert_eq!(
        last["draft"]["reasons"]["customer_request"], 1,
        "d2 hands over either way"
    );

    // A broken draft is refused, naming the file and line; no draft at all is an error too.
    std::fs::write(
        p("bad.csv"),
        "slug,lang,topic,title,body,questions\nok-one,en,t,Title,Body,\nBad Slug,en,t,T,B,\n",
    )
    .unwrap();
    let (ok, _, stderr) = replay(dir.path(), &["--dialogues", &p("d.jsonl"), "--kb", &p("bad.csv")]);
    assert!(!ok);
    assert!(stderr.contains("bad.csv:3") && stderr.contains("slug"), "{stderr}");
    let (ok, _, stderr) = replay(dir.path(), &["--dialogues", &p("d.jsonl")]);
    assert!(!ok && stderr.contains("nothing to compare"), "{stderr}");
    let (ok, _, stderr) = replay(
        dir.path(),
        &["--dialogues", &p("missing.jsonl"), "--kb", &p("draft.json")],
    );
    assert!(!ok && stderr.contains("missing.jsonl"), "{stderr}");
}

#[tokio::test]
async fn replay_shows_what_the_demo_actions_change_on_order_questions() {
    let dir = seeded().await;
    {
        // The demo's actions, as `backstop demo` defines them (the merchant is never called).
        let mut config = backstop::Config::default();
        config.storage.data_dir = dir.path().to_path_buf();
        config.models.embeddings = false;
        let store = backstop::open_store(&config).await.unwrap();
        let engine = backstop::engine(&config, store).await.unwrap();
        backstop::seed::demo_actions(&engine, "http://127.0.0.1:9", "key")
            .await
            .unwrap();
    }
    let p = |name: &str| dir.path().join(name).display().to_string();
    // Turns as bare strings: the customer's messages.
    std::fs::write(
        p("orders.jsonl"),
        [
            r#"{"id":"o1","lang":"en","turns":["Where is my order MM-20261128-0001?"]}"#,
            r#"{"id":"o2","lang":"zh","turns":["帮我取消订单 MM-20261205-0002","好的，确认取消"]}"#,
            r#"{"id":"o3","lang":"en","turns":["I want to talk to a human"]}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let (ok, stdout, stderr) = replay(dir.path(), &["--dialogues", &p("orders.jsonl"), "--without-actions"]);
    assert!(ok, "{stderr}\n{stdout}");
    assert!(stdout.contains("AI runs an action"), "{stdout}");
    assert!(stdout.contains("without the tenant's actions"), "{stdout}");
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["current"]["acted"], 2, "{last}");
    assert_eq!(last["draft"]["acted"], 0, "{last}");
    assert_eq!(last["changed_ids"], serde_json::json!(["o1", "o2"]), "{last}");
    // A request for a person goes to one with or without actions.
    assert_eq!(last["current"]["reasons"]["customer_request"], 1, "{last}");
    assert_eq!(last["draft"]["reasons"]["customer_request"], 1, "{last}");
}
