//! Core microbenchmarks: signing, parsing, and one call end to end against
//! a raw keep-alive GET of the same bytes on the same HTTP stack (ureq), both
//! against a release `ci-emulator` on loopback.
//!
//! `cargo bench --features emulator --bench core` (what `make bench` runs);
//! `cargo test --release --features emulator --bench core` runs each once.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cloud_infinite::sign::{sign, Credentials, SignWindow};
use cloud_infinite::{ClientBuilder, ProxyConfig, QueueList, QueueQuery, Scheme};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};

const SECRET_ID: &str = "AKIDemulatorEXAMPLE";
const SECRET_KEY: &str = "emulator-secret-key";

/// An answer of `n` queues shaped like the service's (every field present;
/// its PageSize says `n`, as a consistent answer must).
fn queue_page(n: usize) -> Vec<u8> {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><RequestId>NjJmNDczY2RfOTBmYTUwNjRfNTA4ZV85</RequestId>\
         <TotalCount>100000</TotalCount><PageNumber>1</PageNumber><PageSize>{n}</PageSize>",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<QueueList><QueueId>p4a17eeea29334bf499b7e20e2fb{i:05}</QueueId><Name>My-Queue-ai-{i}</Name><State>Active</State>\
             <NotifyConfig><Url>http://callback.demo.com</Url><Event>TaskFinish,WorkflowFinish</Event><Type>Url</Type>\
             <State>On</State><ResultFormat>JSON</ResultFormat></NotifyConfig><MaxSize>10000</MaxSize>\
             <MaxConcurrent>10</MaxConcurrent><UpdateTime>2022-08-09T16:23:11+0800</UpdateTime>\
             <CreateTime>2022-08-09T16:23:11+0800</CreateTime><Category>AIProcess</Category></QueueList>\n"
        ));
    }
    s.push_str("</Response>");
    s.into_bytes()
}

fn signing(c: &mut Criterion) {
    let creds = Credentials::new("AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234", "EXAMPLEsecretKEYexampleSECRETkey1");
    let params = [("queueIds", "pa1,pb2"), ("state", "Active"), ("pageNumber", "1"), ("pageSize", "100")];
    let headers = [("host", "examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com"), ("x-ci-security-token", "tmpTOKEN+abc/def==_-.~xyz")];
    let window = SignWindow { start: 1700000000, end: 1700003600 };
    c.bench_function("sign/ai_queue_4_params_2_headers", |b| {
        b.iter(|| sign(black_box(&creds), "GET", "/ai_queue", black_box(&params), black_box(&headers), window))
    });
    // The same with a new window every time, so the SignKey the credentials
    // cache for the last window never serves: a client's first call in a
    // second pays this, its other calls in that second the case above.
    let mut start = window.start;
    c.bench_function("sign/ai_queue_4_params_2_headers_new_window", |b| {
        b.iter(|| {
            start += 1;
            sign(black_box(&creds), "GET", "/ai_queue", black_box(&params), black_box(&headers), SignWindow { start, end: start + 3600 })
        })
    });
}

/// The page parser under test, in one place, so a change of its signature
/// is one line here. The page takes the body as its buffer, as a call hands
/// it the one it read.
fn parse(body: Vec<u8>) -> impl Sized {
    cloud_infinite::xml::parse_page::<cloud_infinite::Queue>(body, "QueueList", 1000).unwrap()
}

/// quick-xml's reader walking `xml` to the end and building nothing: the
/// floor a parser that builds a typed page is compared with.
fn quick_xml_bare_loop(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut events = 0;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => return events,
            event => {
                black_box(event.len());
                events += 1;
            }
        }
    }
}

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_ai_queue_page");
    for n in [100, 1000] {
        let body = queue_page(n);
        group.throughput(Throughput::Bytes(body.len() as u64));
        // The body's clone is made in the setup, untimed.
        group.bench_function(format!("{n}_queues"), |b| b.iter_batched(|| body.clone(), parse, BatchSize::SmallInput));
        // Named apart from `{n}_queues` so bench/bench.py's lookups of those stay as they are.
        let text = std::str::from_utf8(&body).unwrap();
        group.bench_function(format!("quick_xml_{n}_queues"), |b| b.iter(|| quick_xml_bare_loop(black_box(text))));
    }
    group.finish();
}

/// A release emulator if one is built (so it is never the bottleneck), else the debug one.
struct Emulator(Child, String);

impl Emulator {
    fn start() -> Emulator {
        let release = concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/ci-emulator");
        let bin = if std::path::Path::new(release).exists() { release } else { env!("CARGO_BIN_EXE_ci-emulator") };
        let mut child = Command::new(bin)
            .args(["--listen", "127.0.0.1:0", "--exit-on-stdin-eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start ci-emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().rsplit("://").next().unwrap().to_owned();
        Emulator(child, addr)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn end_to_end(c: &mut Criterion) {
    let emu = Emulator::start();
    let client = ClientBuilder::new()
        .secret_id(SECRET_ID)
        .secret_key(SECRET_KEY)
        .region("ap-guangzhou")
        .scheme(Scheme::Http)
        .connect_to(&emu.1)
        .proxy(ProxyConfig::Disabled)
        .build()
        .unwrap();
    let bucket = "examplebucket-1250000000";
    let query = QueueQuery { page_size: Some(10), ..Default::default() };

    // The same request on the same stack, signed once, body read but not parsed.
    let host = format!("{bucket}.ci.ap-guangzhou.myqcloud.com");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let auth = sign(
        &Credentials::new(SECRET_ID, SECRET_KEY),
        "GET",
        "/ai_queue",
        &[("pageSize", "10")],
        &[("host", &host)],
        SignWindow { start: now - 60, end: now + 3600 },
    );
    let url = format!("http://{}/ai_queue?pageSize=10", emu.1);
    let raw: ureq::Agent = ureq::Agent::config_builder().proxy(None).http_status_as_error(false).build().into();

    let mut group = c.benchmark_group("call_10_queues");
    group.measurement_time(Duration::from_secs(5));
    let raw_get = || {
        let mut r = raw.get(&url).header("Host", &host).header("Authorization", auth.authorization()).call().unwrap();
        assert_eq!(r.status(), 200);
        r.body_mut().read_to_vec().unwrap()
    };
    group.bench_function("raw_keepalive_get", |b| b.iter(raw_get));
    group.bench_function("describe_ai_queues", |b| {
        b.iter_batched(|| (), |()| client.describe_queues(QueueList::Ai, bucket, &query).unwrap(), BatchSize::SmallInput)
    });
    // The parsing part of the call's overhead: the very answer it receives.
    let answer = raw_get();
    group.bench_function("parse_same_answer", |b| {
        b.iter_batched(|| answer.clone(), parse, BatchSize::SmallInput)
    });
    group.finish();
}

criterion_group!(benches, signing, parsing, end_to_end);
criterion_main!(benches);
