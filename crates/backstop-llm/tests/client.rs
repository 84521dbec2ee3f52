//! The client against the fault-injecting stand-in: every fault a real endpoint has, and what the
//! caller gets — an answer, a clean retry, or an error carrying exactly what was streamed.

use std::time::Duration;

use backstop_llm::standin::{Fault, Options, Reply, StandIn};
use backstop_llm::{
    ApiKey, BreakerState, ChatRequest, Endpoint, Finish, Limits, LlmError, Message, OpenAiClient, Provider, Tool,
    ToolChoice,
};
use tokio::sync::mpsc;

const ANSWER: &str = "Returns are accepted within 30 days [1]. 退货请在30天内申请。";

async fn standin() -> StandIn {
    StandIn::start(Options::answering(|_| ANSWER.to_string()))
        .await
        .unwrap()
}

fn fast() -> Limits {
    Limits {
        connect: Duration::from_millis(500),
        first_token: Duration::from_millis(400),
        stall: Duration::from_millis(300),
        total: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(20),
        breaker_threshold: 3,
        breaker_cool_down: Duration::from_secs(60),
    }
}

fn client(s: &StandIn, limits: Limits) -> OpenAiClient {
    OpenAiClient::new(
        Endpoint {
            base_url: s.base_url().to_string(),
            model: "qwen-test".into(),
            key: None,
        },
        limits,
    )
    .unwrap()
}

fn request() -> ChatRequest {
    ChatRequest::new(vec![
        Message::system("Answer from the sources."),
        Message::user("How long do I have to return?"),
    ])
}

fn drain(rx: &mut mpsc::UnboundedReceiver<String>) -> String {
    let mut s = String::new();
    while let Ok(d) = rx.try_recv() {
        s.push_str(&d);
    }
    s
}

#[tokio::test]
async fn a_streamed_answer_arrives_whole_with_its_usage() {
    let s = standin().await;
    let c = client(&s, fast());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let done = c.chat(&request(), Some(&tx)).await.unwrap();
    assert_eq!(done.text, ANSWER);
    assert_eq!(drain(&mut rx), ANSWER, "every delta reached the caller, in order");
    assert!(done.usage.reported && done.usage.completion_tokens > 0 && done.usage.prompt_tokens > 0);
    assert_eq!(done.attempts, 1);
    assert!(done.first_token.unwrap() <= done.elapsed);
    let body = &s.requests()[0];
    assert_eq!(body["model"], "qwen-test");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["role"], "user");
}

#[tokio::test]
async fn the_key_is_sent_as_a_bearer_token_and_a_wrong_one_is_not_retried() {
    let mut o = Options::answering(|_| "ok".into());
    o.key = Some("sk-right".into());
    let s = StandIn::start(o).await.unwrap();
    let with = |key: &str| {
        OpenAiClient::new(
            Endpoint {
                base_url: s.base_url().to_string(),
                model: "m".into(),
                key: Some(ApiKey::new(key)),
            },
            fast(),
        )
        .unwrap()
    };
    assert_eq!(with("sk-right").chat(&request(), None).await.unwrap().text, "ok");
    let e = with("sk-wrong").chat(&request(), None).await.unwrap_err();
    assert!(matches!(e, LlmError::Status { status: 401, .. }), "{e}");
    assert!(e.to_string().contains("Incorrect API key"), "{e}");
    assert!(!format!("{e:?}").contains("sk-wrong"));
    assert_eq!(s.requests().len(), 2, "a 401 is not retried");
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried_with_back_off() {
    let s = standin().await;
    s.fail_next(Fault::Status(503));
    s.fail_next(Fault::Status(500));
    let c = client(&s, fast());
    let done = c.chat(&request(), None).await.unwrap();
    assert_eq!((done.text.as_str(), done.attempts), (ANSWER, 3));

    s.fail_next(Fault::RateLimited);
    let t = std::time::Instant::now();
    let done = c.chat(&request(), None).await.unwrap();
    assert_eq!(done.attempts, 2);
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "Retry-After: 1 was honoured ({:?})",
        t.elapsed()
    );

    // Three failures in a row exhaust the retries.
    for _ in 0..3 {
        s.fail_next(Fault::Status(502));
    }
    let e = client(&s, fast()).chat(&request(), None).await.unwrap_err();
    assert!(matches!(e, LlmError::Status { status: 502, .. }), "{e}");
}

#[tokio::test]
async fn a_bad_request_is_neither_retried_nor_held_against_the_endpoint() {
    let s = standin().await;
    let c = client(&s, fast());
    for _ in 0..5 {
        s.fail_next(Fault::Status(400));
        assert!(matches!(
            c.chat(&request(), None).await,
            Err(LlmError::Status { status: 400, .. })
        ));
    }
    assert_eq!(s.requests().len(), 5);
    assert_eq!(c.breaker().state(), BreakerState::Closed);
}

#[tokio::test]
async fn a_hung_server_times_out_before_the_first_token_and_is_retried() {
    let s = standin().await;
    s.fail_next(Fault::Hang);
    let c = client(&s, fast());
    let done = c.chat(&request(), None).await.unwrap();
    assert_eq!(done.attempts, 2);

    for _ in 0..3 {
        s.fail_next(Fault::SlowStart(Duration::from_secs(5)));
    }
    let t = std::time::Instant::now();
    let e = c.chat(&request(), None).await.unwrap_err();
    assert!(
        matches!(
            e,
            LlmError::Timeout {
                phase: "first token",
                ..
            }
        ),
        "{e}"
    );
    assert!(t.elapsed() < Duration::from_secs(3), "bounded: {:?}", t.elapsed());
}

#[tokio::test]
async fn a_stream_that_stalls_or_breaks_after_text_returns_what_was_streamed_without_retrying() {
    let s = standin().await;
    let c = client(&s, fast());
    for (fault, want) in [(Fault::StallAfter(4), "timeout"), (Fault::CutAfter(4), "malformed")] {
        let before = s.requests().len();
        s.fail_next(fault.clone());
        let (tx, mut rx) = mpsc::unbounded_channel();
        let e = c.chat(&request(), Some(&tx)).await.unwrap_err();
        assert_eq!(e.code(), want, "{fault:?}: {e}");
        let streamed = drain(&mut rx);
        assert_eq!(e.partial(), streamed, "{fault:?}");
        assert_eq!(streamed.chars().count(), 12, "four chunks of three characters");
        assert!(ANSWER.starts_with(&streamed));
        assert_eq!(
            s.requests().len(),
            before + 1,
            "{fault:?}: not retried once text was out"
        );
    }
}

#[tokio::test]
async fn malformed_and_truncated_streams_are_errors_not_answers() {
    let s = standin().await;
    let c = client(&s, Limits { retries: 0, ..fast() });
    s.fail_next(Fault::Malformed);
    let e = c.chat(&request(), None).await.unwrap_err();
    assert!(matches!(e, LlmError::Malformed { .. }), "{e}");
    s.fail_next(Fault::EndsEarly);
    let e = c.chat(&request(), None).await.unwrap_err();
    assert!(e.to_string().contains("ended before the answer was complete"), "{e}");
}

#[tokio::test]
async fn the_breaker_opens_after_repeated_failures_and_spares_the_endpoint() {
    let s = standin().await;
    let c = client(&s, Limits { retries: 0, ..fast() });
    for _ in 0..3 {
        s.fail_next(Fault::Status(500));
        assert!(c.chat(&request(), None).await.is_err());
    }
    assert_eq!(c.breaker().state(), BreakerState::Open);
    let t = std::time::Instant::now();
    let e = c.chat(&request(), None).await.unwrap_err();
    assert!(matches!(e, LlmError::CircuitOpen { failures: 3 }), "{e}");
    assert!(t.elapsed() < Duration::from_millis(50), "refused at once");
    assert_eq!(s.requests().len(), 3, "no call went out while open");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_connect_error() {
    // A port nobody listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = OpenAiClient::new(
        Endpoint {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            model: "m".into(),
            key: Some(ApiKey::new("sk-never-shown")),
        },
        Limits { retries: 1, ..fast() },
    )
    .unwrap();
    let e = c.chat(&request(), None).await.unwrap_err();
    assert!(matches!(e, LlmError::Connect(_)), "{e}");
    assert!(!e.to_string().contains("sk-never-shown") && !format!("{c:?}").contains("sk-never-shown"));
}

#[tokio::test]
async fn tools_are_offered_and_streamed_calls_come_back_whole() {
    let s = StandIn::start(Options::replying(|body| {
        if body["tools"].as_array().is_some_and(|t| !t.is_empty()) {
            Reply::Calls(vec![
                ("lookup_order".into(), r#"{"order_number": "MM-20261128-0001"}"#.into()),
                ("cancel_order".into(), r#"{"order_number": "MM-2026"#.into()),
            ])
        } else {
            Reply::Text("no tools".into())
        }
    }))
    .await
    .unwrap();
    let c = client(&s, fast());
    let mut r = request();
    r.tools = vec![Tool {
        name: "lookup_order".into(),
        description: "Looks up an order".into(),
        parameters: serde_json::json!({"type": "object", "properties": {"order_number": {"type": "string"}}}),
    }];
    r.tool_choice = ToolChoice::Required;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let done = c.chat(&r, Some(&tx)).await.unwrap();
    assert_eq!(done.finish, Finish::ToolCalls);
    assert_eq!(done.text, "");
    assert_eq!(drain(&mut rx), "", "a tool call is not text for the customer");
    assert_eq!(done.tool_calls.len(), 2, "{:?}", done.tool_calls);
    assert_eq!(done.tool_calls[0].name, "lookup_order");
    assert_eq!(done.tool_calls[0].id, "call_0");
    assert_eq!(
        done.tool_calls[0].arguments_object().unwrap()["order_number"],
        "MM-20261128-0001",
        "fragments joined in order"
    );
    assert!(
        done.tool_calls[1].arguments_object().is_err(),
        "broken arguments reach the caller as written, to refuse"
    );
    let body = &s.requests()[0];
    assert_eq!(body["tools"][0]["type"], "function");
    assert_eq!(body["tools"][0]["function"]["name"], "lookup_order");
    assert_eq!(body["tools"][0]["function"]["parameters"]["type"], "object");
    assert_eq!(body["tool_choice"], "required");

    // Without tools, neither field is sent.
    let done = c.chat(&request(), None).await.unwrap();
    assert_eq!(done.text, "no tools");
    assert!(done.tool_calls.is_empty());
    let body = &s.requests()[1];
    assert!(body.get("tools").is_none() && body.get("tool_choice").is_none());
}
