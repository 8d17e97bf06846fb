//! Lists what every describe call answers, as compact tables: each
//! service's buckets (all pages, the first rows shown), the CI buckets, and
//! one bucket's queues of each kind.
//!
//! Against the local emulator (what `make demo` does):
//!     CI_EMULATOR_ADDR=127.0.0.1:PORT cargo run --example demo
//! Against Tencent Cloud, with TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _REGION set:
//!     cargo run --example demo -- <BucketName-APPID>

use cloud_infinite::{BucketList, BucketQuery, CiBucketQuery, Client, ClientBuilder, Operation, ProxyConfig, QueueList, QueueQuery, Scheme};

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

/// Rows shown per call; the count covers every page.
const ROWS: usize = 4;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = client()?;
    let bucket = std::env::args().nth(1).unwrap_or_else(|| "examplebucket-1250000000".to_owned());
    let query = || BucketQuery { page_size: Some(100), ..Default::default() };

    for list in [BucketList::Media, BucketList::Pic, BucketList::Ai, BucketList::Asr, BucketList::Doc, BucketList::File] {
        let spec = Operation::Buckets(list).spec();
        let buckets = client.bucket_pages(list, query()).collect_items()?;
        println!("{} (GET {}): {} buckets", spec.name, spec.path, buckets.len());
        println!("  {:<14} {:<30} {:<25} ALIAS", "REGION", "BUCKET", "CREATED");
        for b in buckets.iter().take(ROWS) {
            println!("  {:<14} {:<30} {:<25} {}", cell(&b.region), cell(&b.name), cell(&b.create_time), cell(&b.alias_bucket_id));
        }
        println!();
    }

    let spec = Operation::CiBuckets.spec();
    let ci = client.ci_bucket_pages(CiBucketQuery { page_size: Some(100), ..Default::default() }).collect_items()?;
    println!("{} (GET {}): {} buckets", spec.name, spec.path, ci.len());
    println!("  {:<14} {:<30} {:<11} STATUS", "REGION", "BUCKET", "APPID");
    for b in ci.iter().take(ROWS) {
        println!("  {:<14} {:<30} {:<11} {}", cell(&b.region), cell(&b.bucket_id), cell(&b.app_id), cell(&b.status));
    }
    println!();

    for list in [QueueList::Media, QueueList::Pic, QueueList::Ai, QueueList::Asr, QueueList::Doc, QueueList::File] {
        let spec = Operation::Queues(list).spec();
        let queues = client.queue_pages(list, &bucket, QueueQuery { page_size: Some(100), ..Default::default() }).collect_items()?;
        println!("{} (GET {}) of {bucket}: {} queues", spec.name, spec.path, queues.len());
        println!("  {:<34} {:<24} {:<7} {:<17} {:>7} {:>4}  NOTIFY", "QUEUE ID", "NAME", "STATE", "CATEGORY", "MAXSIZE", "CONC");
        for q in queues.iter().take(ROWS) {
            let notify = match &q.notify_config {
                None => "-".to_owned(),
                Some(n) => format!("{} {} {}", cell(&n.r#type), cell(&n.state), n.url.as_deref().or(n.mq_name.as_deref()).unwrap_or("")),
            };
            println!(
                "  {:<34} {} {:<7} {:<17} {:>7} {:>4}  {notify}",
                cell(&q.queue_id),
                pad(cell(&q.name), 24),
                cell(&q.state),
                cell(&q.category),
                number(q.max_size),
                number(q.max_concurrent),
            );
        }
        println!();
    }
    Ok(())
}
