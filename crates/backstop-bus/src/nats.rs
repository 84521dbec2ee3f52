//! The bus on NATS: signals on the core subject `<prefix>.signal` (every node subscribes and skips
//! its own), work on the JetStream stream `<PREFIX>_WORK` (work-queue retention, file storage)
//! through one durable pull consumer all nodes share, so each item goes to one node at a time.

use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::{BusError, Inbox, Received, Signal, Taken, Work};

/// How to join the bus.
#[derive(Clone, Debug)]
pub struct NatsOptions {
    /// `nats://host:port`.
    pub url: String,
    /// This node's name (unique among the nodes).
    pub node: String,
    /// Subject prefix and stream name stem: deployments (or tests) sharing one NATS server use
    /// different prefixes.
    pub prefix: String,
    /// How long a taken work item may run without an acknowledgement before it is delivered
    /// again (to any node).
    pub ack_wait: Duration,
    /// Work items this node runs at once.
    pub concurrency: usize,
}

/// A connected node.
#[derive(Clone)]
pub struct NatsBus {
    client: async_nats::Client,
    js: jetstream::Context,
    node: String,
    signal_subject: String,
    work_subject: String,
}

impl std::fmt::Debug for NatsBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsBus")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    from: String,
    signal: Signal,
}

fn nats_err(e: impl std::fmt::Display) -> BusError {
    BusError::Nats(e.to_string())
}

impl NatsBus {
    /// Connects, makes sure the work stream and its consumer exist, and starts receiving.
    pub async fn connect(opts: NatsOptions) -> Result<(NatsBus, Inbox), BusError> {
        let client = async_nats::ConnectOptions::new()
            .name(format!("backstop {}", opts.node))
            .connection_timeout(Duration::from_secs(5))
            .connect(opts.url.as_str())
            .await
            .map_err(|e| BusError::Connect {
                url: opts.url.clone(),
                reason: e.to_string(),
            })?;
        let js = jetstream::new(client.clone());
        let stem = opts.prefix.replace(['.', '-'], "_").to_uppercase();
        let work_subject = format!("{}.work", opts.prefix);
        let work = js
            .get_or_create_stream(stream::Config {
                name: format!("{stem}_WORK"),
                subjects: vec![work_subject.clone()],
                retention: stream::RetentionPolicy::WorkQueue,
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(nats_err)?;
        let consumer = work
            .get_or_create_consumer(
                "workers",
                consumer::pull::Config {
                    durable_name: Some("workers".into()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait: opts.ack_wait,
                    max_ack_pending: 100_000,
                    ..Default::default()
                },
            )
            .await
            .map_err(nats_err)?;
        let signal_subject = format!("{}.signal", opts.prefix);
        let mut signals_in = client.subscribe(signal_subject.clone()).await.map_err(nats_err)?;
        // The server has the subscription before this node counts as joined, so a signal another
        // node publishes right after is heard. `flush` only empties the write buffer; a request
        // nobody answers is a round trip (the server says "no responders" once it has read
        // everything before it, the subscription included).
        let probe = format!("{}.joined.{}", opts.prefix, opts.node);
        let round_trip = client.request(probe, Vec::new().into());
        tokio::time::timeout(Duration::from_secs(5), round_trip).await.ok();
        let bus = NatsBus {
            client,
            js,
            node: opts.node.clone(),
            signal_subject,
            work_subject,
        };

        let (signal_tx, signals) = mpsc::channel(4096);
        let me = opts.node.clone();
        tokio::spawn(async move {
            while let Some(m) = signals_in.next().await {
                match serde_json::from_slice::<Envelope>(&m.payload) {
                    Ok(e) if e.from == me => {}
                    Ok(e) => {
                        if signal_tx
                            .send(Received {
                                from: e.from,
                                signal: e.signal,
                            })
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(e) => tracing::warn!("bus: unreadable signal: {e}"),
                }
            }
        });

        let (work_tx, work_rx) = mpsc::channel(opts.concurrency.max(1));
        let batch = opts.concurrency.max(1);
        tokio::spawn(async move {
            loop {
                let messages = consumer.stream().max_messages_per_batch(batch).messages().await;
                let mut messages = match messages {
                    Ok(m) => m,
                    Err(e) => {
                        tracing::warn!("bus: cannot pull work, retrying: {e}");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                while let Some(m) = messages.next().await {
                    let message = match m {
                        Ok(m) => m,
                        Err(e) => {
                            tracing::warn!("bus: work stream: {e}");
                            break;
                        }
                    };
                    match serde_json::from_slice::<Work>(&message.payload) {
                        Ok(work) => {
                            if work_tx.send(Taken { work, message }).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            tracing::warn!("bus: unreadable work item dropped: {e}");
                            message.ack_with(jetstream::AckKind::Term).await.ok();
                        }
                    }
                }
            }
        });
        Ok((bus, Inbox { signals, work: work_rx }))
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// Sends a signal to every other node (best effort: not stored).
    pub async fn publish(&self, signal: &Signal) -> Result<(), BusError> {
        let payload = serde_json::to_vec(&Envelope {
            from: self.node.clone(),
            signal: signal.clone(),
        })
        .expect("signals serialize");
        self.client
            .publish(self.signal_subject.clone(), payload.into())
            .await
            .map_err(nats_err)
    }

    /// Queues work; returns once JetStream has stored it.
    pub async fn enqueue(&self, work: &Work) -> Result<(), BusError> {
        let payload = serde_json::to_vec(work).expect("work serializes");
        self.js
            .publish(self.work_subject.clone(), payload.into())
            .await
            .map_err(nats_err)?
            .await
            .map_err(nats_err)?;
        Ok(())
    }

    /// Waits until everything published so far has reached the server.
    pub async fn flush(&self) -> Result<(), BusError> {
        self.client.flush().await.map_err(nats_err)
    }
}
