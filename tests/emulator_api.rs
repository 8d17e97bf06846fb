//! Both calls end to end against `ci-emulator`: every parameter and every
//! field, checked against answers computed here from the emulator's fixture.

mod support;

use cloud_infinite::{Bucket, BucketList, BucketQuery, ErrorKind, Queue, QueueList, QueueQuery, QueueState};
use serde_json::Value;
use support::{s, Emulator};

const BUCKET: &str = "examplebucket-1250000000";

fn fixture_pic_buckets(fixture: &Value) -> Vec<Bucket> {
    fixture["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["pic_process"].as_bool().unwrap_or(true))
        .map(|b| {
            let mut p = Bucket::default();
            p.bucket_id = s(&b["name"]);
            p.name = s(&b["name"]);
            p.region = s(&b["region"]);
            p.create_time = s(&b["create_time"]);
            p
        })
        .collect()
}

fn fixture_queues(fixture: &Value, bucket: &str) -> Vec<Queue> {
    let b = fixture["buckets"].as_array().unwrap().iter().find(|b| b["name"] == bucket).unwrap();
    b["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let mut out = Queue::default();
            out.queue_id = s(&q["queue_id"]);
            out.name = s(&q["name"]);
            out.state = s(&q["state"]);
            out.max_size = q["max_size"].as_u64();
            out.max_concurrent = q["max_concurrent"].as_u64();
            out.category = s(&q["category"]);
            out.update_time = s(&q["update_time"]);
            out.create_time = s(&q["create_time"]);
            out.notify_config = q["notify_config"].as_object().map(|n| {
                let mut c = cloud_infinite::NotifyConfig::default();
                let f = |k: &str| n.get(k).and_then(|v| v.as_str()).map(str::to_owned);
                c.url = f("url");
                c.event = f("event");
                c.r#type = f("type");
                c.state = f("state");
                c.result_format = f("result_format");
                c.mq_mode = f("mq_mode");
                c.mq_region = f("mq_region");
                c.mq_name = f("mq_name");
                c
            });
            out
        })
        .collect()
}

#[test]
fn default_pic_bucket_page_has_every_field() {
    let emu = Emulator::start();
    let expected = fixture_pic_buckets(&emu.fixture());
    assert!(expected.len() > 100, "the default fixture must make paging matter");
    let client = emu.client().build().unwrap();
    let page = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    assert_eq!(page.total_count, Some(expected.len() as u64));
    assert_eq!((page.page_number, page.page_size), (Some(1), Some(10)));
    assert_eq!(page.items, expected[..10]);
    assert!(page.request_id.as_deref().is_some_and(|id| !id.is_empty()));
    let again = client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    assert_ne!(page.request_id, again.request_id, "every request gets its own id");
}

#[test]
fn pic_bucket_filters_and_paging() {
    let emu = Emulator::start();
    let all = fixture_pic_buckets(&emu.fixture());
    let client = emu.client().build().unwrap();
    let region = |b: &Bucket| b.region.clone().unwrap();
    let name = |b: &Bucket| b.name.clone().unwrap();

    // regions: several at once, exact.
    let regions = vec!["ap-shanghai".to_string(), "ap-chongqing".to_string()];
    let want: Vec<_> = all.iter().filter(|b| regions.contains(&region(b))).cloned().collect();
    let got = client.bucket_pages(BucketList::Pic, BucketQuery { regions: regions.clone(), page_size: Some(100), ..Default::default() }).collect_items().unwrap();
    assert_eq!(got, want);

    // bucketNames: exact names; an unknown one simply matches nothing.
    let names = vec![name(&all[3]), name(&all[77]), "nosuch-1250000000".to_string()];
    let page = client.describe_buckets(BucketList::Pic, &BucketQuery { bucket_names: names, ..Default::default() }).unwrap();
    assert_eq!(page.items, vec![all[3].clone(), all[77].clone()]);
    assert_eq!(page.total_count, Some(2));

    // bucketName: a prefix.
    let prefix = name(&all[5]).chars().take(3).collect::<String>();
    let want: Vec<_> = all.iter().filter(|b| name(b).starts_with(&prefix)).cloned().collect();
    assert!(want.len() > 1 && want.len() < all.len(), "pick a prefix that filters");
    let got = client.bucket_pages(BucketList::Pic, BucketQuery { bucket_name_prefix: Some(prefix.clone()), ..Default::default() }).collect_items().unwrap();
    assert_eq!(got, want);

    // pageNumber and pageSize.
    let page = client.describe_buckets(BucketList::Pic, &BucketQuery { page_number: Some(3), page_size: Some(7), ..Default::default() }).unwrap();
    assert_eq!((page.page_number, page.page_size), (Some(3), Some(7)));
    assert_eq!(page.items, all[14..21]);
    let past_end = client.describe_buckets(BucketList::Pic, &BucketQuery { page_number: Some(1000), ..Default::default() }).unwrap();
    assert!(past_end.items.is_empty());
    assert_eq!(past_end.total_count, Some(all.len() as u64));

    // Everything together, and a prefix that needs encoding (the signature
    // and the wire must agree for the emulator to accept it).
    let both = client
        .describe_buckets(BucketList::Pic, &BucketQuery {
            regions: vec![region(&all[0])],
            bucket_names: vec![name(&all[0])],
            bucket_name_prefix: Some(name(&all[0])[..2].to_string()),
            page_number: Some(1),
            page_size: Some(100),
        })
        .unwrap();
    assert_eq!(both.items, vec![all[0].clone()]);
    let odd = client.describe_buckets(BucketList::Pic, &BucketQuery { bucket_name_prefix: Some("测 a&b=c+d/%~".into()), ..Default::default() }).unwrap();
    assert_eq!(odd.total_count, Some(0));
}

#[test]
fn walking_every_pic_bucket_page() {
    let emu = Emulator::start();
    let all = fixture_pic_buckets(&emu.fixture());
    let client = emu.client().build().unwrap();
    let pages: Vec<_> = client.bucket_pages(BucketList::Pic, BucketQuery { page_size: Some(7), ..Default::default() }).collect::<Result<_, _>>().unwrap();
    assert_eq!(pages.len(), all.len().div_ceil(7));
    let flat: Vec<_> = pages.into_iter().flat_map(|p| p.items).collect();
    assert_eq!(flat, all);
    assert_eq!(emu.requests(), all.len().div_ceil(7) as u64, "one request per page, no extra");
    // Starting from a later page walks the rest.
    let rest = client.bucket_pages(BucketList::Pic, BucketQuery { page_number: Some(2), page_size: Some(100), ..Default::default() }).collect_items().unwrap();
    assert_eq!(rest, all[100..]);
}

#[test]
fn ai_queues_every_field_across_pages() {
    let emu = Emulator::start();
    let expected = fixture_queues(&emu.fixture(), BUCKET);
    assert!(expected.len() > 10);
    assert!(expected.iter().any(|q| q.notify_config.is_none()));
    assert!(expected.iter().any(|q| q.notify_config.as_ref().is_some_and(|n| n.mq_name.is_some())));
    assert!(expected.iter().any(|q| q.notify_config.as_ref().is_some_and(|n| n.url.is_some())));
    let client = emu.client().build().unwrap();

    let first = client.describe_queues(QueueList::Ai, BUCKET, &QueueQuery::default()).unwrap();
    assert_eq!(first.total_count, Some(expected.len() as u64));
    assert_eq!((first.page_number, first.page_size), (Some(1), Some(10)));
    assert_eq!(first.items, expected[..10]);
    assert!(first.non_exist_pids.is_empty());

    let all = client.queue_pages(QueueList::Ai, BUCKET, QueueQuery::default()).collect_items().unwrap();
    assert_eq!(all, expected, "every field of every queue, names with & < > \" ' and Chinese included");
    assert!(all.iter().any(|q| q.name.as_deref().is_some_and(|n| n.contains('&') && n.contains('<'))));

    let page2 = client.describe_queues(QueueList::Ai, BUCKET, &QueueQuery { page_number: Some(2), page_size: Some(4), ..Default::default() }).unwrap();
    assert_eq!(page2.items, expected[4..8]);
}

#[test]
fn ai_queue_state_and_category_filters() {
    let emu = Emulator::start();
    let expected = fixture_queues(&emu.fixture(), BUCKET);
    let client = emu.client().build().unwrap();
    for state in [QueueState::Active, QueueState::Paused] {
        let want: Vec<_> = expected.iter().filter(|q| q.state.as_deref() == Some(state.as_str())).cloned().collect();
        assert!(!want.is_empty());
        let got = client.queue_pages(QueueList::Ai, BUCKET, QueueQuery { state: Some(state), ..Default::default() }).collect_items().unwrap();
        assert_eq!(got, want, "{state}");
    }
    let category = expected.iter().filter_map(|q| q.category.clone()).find(|c| c != "AIProcess").expect("a second category");
    let want: Vec<_> = expected.iter().filter(|q| q.category.as_deref() == Some(&category)).cloned().collect();
    let got = client.queue_pages(QueueList::Ai, BUCKET, QueueQuery { category: Some(category), page_size: Some(3), ..Default::default() }).collect_items().unwrap();
    assert_eq!(got, want);
}

#[test]
fn ai_queue_ids_answer_without_paging_and_with_non_exist_pids() {
    let emu = Emulator::start();
    let expected = fixture_queues(&emu.fixture(), BUCKET);
    let client = emu.client().build().unwrap();
    let ids = vec![expected[2].queue_id.clone().unwrap(), "A".into(), expected[0].queue_id.clone().unwrap(), "B".into()];
    let page = client.describe_queues(QueueList::Ai, BUCKET, &QueueQuery { queue_ids: ids.clone(), ..Default::default() }).unwrap();
    assert_eq!(page.items, vec![expected[2].clone(), expected[0].clone()]);
    assert_eq!(page.non_exist_pids, ["A", "B"]);
    assert_eq!((page.total_count, page.page_number, page.page_size), (None, None, None), "absent, not zero");
    // The page walker makes exactly one request for an id query.
    let before = emu.requests();
    let pages: Vec<_> = client.queue_pages(QueueList::Ai, BUCKET, QueueQuery { queue_ids: ids, ..Default::default() }).collect();
    assert_eq!(pages.len(), 1);
    assert_eq!(emu.requests() - before, 1);
}

#[test]
fn a_bucket_without_queues_is_an_empty_page() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    let page = client.describe_queues(QueueList::Ai, "emptybucket-1250000000", &QueueQuery::default()).unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.total_count, Some(0));
    assert_eq!(client.queue_pages(QueueList::Ai, "emptybucket-1250000000", QueueQuery::default()).count(), 1);
}

#[test]
fn temporary_credentials_send_and_sign_the_token() {
    let emu = Emulator::start();
    let client = emu.client().secret_id(support::TMP_SECRET_ID).secret_key(support::TMP_SECRET_KEY).session_token(support::TMP_TOKEN).build().unwrap();
    client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap();
    client.describe_queues(QueueList::Ai, BUCKET, &QueueQuery::default()).unwrap();

    let wrong = emu.client().secret_id(support::TMP_SECRET_ID).secret_key(support::TMP_SECRET_KEY).session_token("stolen").build().unwrap();
    let e = wrong.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err();
    assert_eq!((e.kind(), e.http_status(), e.code()), (ErrorKind::Service, Some(403), Some("InvalidSecurity")));
    let missing = emu.client().secret_id(support::TMP_SECRET_ID).secret_key(support::TMP_SECRET_KEY).build().unwrap();
    assert_eq!(missing.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap_err().code(), Some("InvalidSecurity"));
}

#[test]
fn one_client_serves_many_threads() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    std::thread::scope(|scope| {
        for t in 0..8 {
            let client = &client;
            scope.spawn(move || {
                for i in 0..25 {
                    if (t + i) % 2 == 0 {
                        assert_eq!(client.describe_buckets(BucketList::Pic, &BucketQuery::default()).unwrap().items.len(), 10);
                    } else {
                        assert_eq!(client.describe_queues(QueueList::Ai, BUCKET, &QueueQuery::default()).unwrap().items.len(), 10);
                    }
                }
            });
        }
    });
    assert_eq!(emu.requests(), 200);
}
