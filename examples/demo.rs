//! Lists every image-processing bucket (all pages) and the AI queues of one
//! bucket, as tables.
//!
//! Against the local emulator (what `make demo` does):
//!     CI_EMULATOR_ADDR=127.0.0.1:PORT cargo run --example demo
//! Against Tencent Cloud, with TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _REGION set:
//!     cargo run --example demo -- <BucketName-APPID>

use cloud_infinite::{BucketList, BucketQuery, Client, ClientBuilder, ProxyConfig, QueueList, QueueQuery, Scheme};

/// The emulator's built-in demo credentials (see src/bin/ci-emulator/README.md).
const EMULATOR_SECRET_ID: &str = "AKIDemulatorEXAMPLE";
const EMULATOR_SECRET_KEY: &str = "emulator-secret-key";

fn client() -> cloud_infinite::Result<Client> {
    match std::env::var("CI_EMULATOR_ADDR") {
        // Production host names and signatures, dialled at the emulator.
        Ok(addr) => ClientBuilder::new()
            .secret_id(EMULATOR_SECRET_ID)
            .secret_key(EMULATOR_SECRET_KEY)
            .region("ap-guangzhou")
            .scheme(Scheme::Http)
            .connect_to(addr)
            .proxy(ProxyConfig::Disabled)
            .build(),
        Err(_) => ClientBuilder::from_env().build(),
    }
}

fn cell(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("-")
}

/// `s` padded to `width` terminal columns; CJK characters take two.
fn pad(s: &str, width: usize) -> String {
    let wide = |c: char| matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    let columns: usize = s.chars().map(|c| if wide(c) { 2 } else { 1 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(columns)))
}

fn number(value: Option<u64>) -> String {
    value.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = client()?;
    let bucket = std::env::args().nth(1).unwrap_or_else(|| "examplebucket-1250000000".to_owned());

    let mut pages = 0;
    let mut buckets = Vec::new();
    let mut total = None;
    for page in client.bucket_pages(BucketList::Pic, BucketQuery { page_size: Some(50), ..Default::default() }) {
        let page = page?;
        pages += 1;
        total = page.total_count;
        buckets.extend(page.items);
    }
    println!("Image-processing buckets: {} (TotalCount {}, {pages} pages of up to 50)\n", buckets.len(), number(total));
    println!("{:<16} {:<32} CREATED", "REGION", "BUCKET");
    for b in &buckets {
        println!("{:<16} {:<32} {}", cell(&b.region), cell(&b.name), cell(&b.create_time));
    }

    let queues = client.queue_pages(QueueList::Ai, &bucket, QueueQuery { page_size: Some(100), ..Default::default() }).collect_items()?;
    println!("\nAI queues of {bucket}: {}\n", queues.len());
    println!("{:<34} {:<28} {:<7} {:<13} {:>8} {:>4}  NOTIFY", "QUEUE ID", "NAME", "STATE", "CATEGORY", "MAXSIZE", "CONC");
    for q in &queues {
        let notify = match &q.notify_config {
            None => "-".to_owned(),
            Some(n) => format!("{} {} {}", cell(&n.r#type), cell(&n.state), n.url.as_deref().or(n.mq_name.as_deref()).unwrap_or("")),
        };
        println!(
            "{:<34} {} {:<7} {:<13} {:>8} {:>4}  {notify}",
            cell(&q.queue_id),
            pad(cell(&q.name), 28),
            cell(&q.state),
            cell(&q.category),
            number(q.max_size),
            number(q.max_concurrent),
        );
    }

    // Asking for queues by id also says which ids do not exist.
    if let Some(first) = queues.first().and_then(|q| q.queue_id.clone()) {
        let page = client.describe_queues(QueueList::Ai, &bucket, &QueueQuery { queue_ids: vec![first, "p-no-such-queue".into()], ..Default::default() })?;
        println!("\nBy id: {} found, not found: {:?}", page.items.len(), page.non_exist_pids);
    }
    Ok(())
}
