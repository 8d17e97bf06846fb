//! The six queue lists (`DescribeMediaProcessQueues`,
//! `DescribePicProcessQueues`, `DescribeAiProcessQueues`,
//! `DescribeAsrProcessQueues`, `DescribeDocProcessQueues`,
//! `DescribeFileProcessQueues`) end to end against `ci-emulator`: every
//! parameter and every field, checked against answers computed here from the
//! emulator's fixture.

mod support;

use cloud_infinite::{Operation, Param, Queue, QueueList, QueueQuery, QueueState, OPERATIONS};
use support::{expected, Emulator};

const BUCKET: &str = "examplebucket-1250000000";

/// Every queue list of the table.
fn queue_lists() -> Vec<QueueList> {
    OPERATIONS
        .iter()
        .filter_map(|spec| match spec.operation {
            Operation::Queues(list) => Some(list),
            _ => None,
        })
        .collect()
}

/// What a listing without `category` lists: the media queue docs say the
/// service then lists `Transcoding` queues only; other calls take no category.
fn listed_by_default(list: QueueList, queues: &[Queue]) -> Vec<Queue> {
    let takes_category = Operation::Queues(list).spec().takes(Param::Category);
    queues.iter().filter(|q| !takes_category || q.category.as_deref() == Some("Transcoding")).cloned().collect()
}

#[test]
fn every_kind_every_field_across_pages() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    let mut every: Vec<Queue> = Vec::new();
    for list in queue_lists() {
        let want = listed_by_default(list, &expected::queues(&fixture, BUCKET, list));
        assert!(want.len() >= 4, "{list:?}");
        let first = client.describe_queues(list, BUCKET, &QueueQuery { page_size: Some(3), ..Default::default() }).unwrap();
        assert_eq!(first.total_count, Some(want.len() as u64), "{list:?}");
        assert_eq!((first.page_number, first.page_size), (Some(1), Some(3)));
        assert_eq!(first.to_items(), want[..3], "{list:?}");
        assert!(first.non_exist_pids().map(str::to_owned).collect::<Vec<_>>().is_empty());

        let pages: Vec<_> = client.queue_pages(list, BUCKET, QueueQuery { page_size: Some(3), ..Default::default() }).collect::<Result<_, _>>().unwrap();
        assert_eq!(pages.len(), want.len().div_ceil(3), "{list:?}");
        let all: Vec<Queue> = pages.into_iter().flat_map(|p| p.to_items()).collect();
        assert_eq!(all, want, "{list:?}: every field of every queue");
        every.extend(all);
    }
    // Together the kinds show every variant the fixture promises.
    let notify = |f: fn(&cloud_infinite::NotifyConfig) -> bool| every.iter().any(|q| q.notify_config.as_ref().is_some_and(f));
    assert!(every.iter().any(|q| q.notify_config.is_none()));
    assert!(notify(|n| n.url.as_deref().is_some_and(|u| !u.is_empty())));
    assert!(notify(|n| n.mq_name.as_deref().is_some_and(|m| !m.is_empty()) && n.mq_mode.is_some() && n.mq_region.is_some()));
    assert!(notify(|n| n.kafka_config.as_ref().is_some_and(|k| k.region.is_some() && k.instance_id.is_some() && k.topic.is_some())));
    assert!(notify(|n| n.url.as_deref() == Some("") && n.state.as_deref() == Some("Off")), "the docs' <Url/> stays Some(\"\")");
    assert!(every.iter().any(|q| q.bucket_id.as_deref() == Some(BUCKET)));
    assert!(every.iter().any(|q| q.bucket_id.is_none()));
    assert!(every.iter().any(|q| q.name.as_deref().is_some_and(|n| n.contains('&') && n.contains('<') && n.contains('"'))));
    assert!(every.iter().any(|q| q.name.as_deref().is_some_and(|n| n.contains('队'))));
    for category in ["Transcoding", "PicProcessing", "AIProcess", "Speeching", "DocProcessing", "FileProcess"] {
        assert!(every.iter().any(|q| q.category.as_deref() == Some(category)), "{category}");
    }
}

#[test]
fn the_state_filter_on_every_kind() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    for list in queue_lists() {
        let queues = listed_by_default(list, &expected::queues(&fixture, BUCKET, list));
        for state in [QueueState::Active, QueueState::Paused] {
            let want: Vec<_> = queues.iter().filter(|q| q.state.as_deref() == Some(state.as_str())).cloned().collect();
            assert!(!want.is_empty(), "{list:?} {state}");
            let got = client.queue_pages(list, BUCKET, QueueQuery { state: Some(state), page_size: Some(2), ..Default::default() }).collect_items().unwrap();
            assert_eq!(got, want, "{list:?} {state}");
        }
    }
}

#[test]
fn media_queues_by_category() {
    let emu = Emulator::start();
    let queues = expected::queues(&emu.fixture(), BUCKET, QueueList::Media);
    let client = emu.client().build().unwrap();
    let walk = |q: QueueQuery| client.queue_pages(QueueList::Media, BUCKET, QueueQuery { page_size: Some(4), ..q }).collect_items().unwrap();
    let of = |c: &str| -> Vec<Queue> { queues.iter().filter(|q| q.category.as_deref() == Some(c)).cloned().collect() };
    let (transcoding, speed) = (of("Transcoding"), of("SpeedTranscoding"));
    assert!(!transcoding.is_empty() && !speed.is_empty());
    assert_eq!(transcoding.len() + speed.len(), queues.len());

    assert_eq!(walk(QueueQuery::default()), transcoding, "no category: the documented default, Transcoding");
    assert_eq!(walk(QueueQuery { category: Some("CateAll".into()), ..Default::default() }), queues, "CateAll: every category");
    for (category, want) in [("Transcoding", &transcoding), ("SpeedTranscoding", &speed)] {
        assert_eq!(&walk(QueueQuery { category: Some(category.into()), ..Default::default() }), want, "{category}");
    }
    // With the state filter and paging.
    let want: Vec<_> = queues.iter().filter(|q| q.state.as_deref() == Some("Paused")).cloned().collect();
    assert!(want.len() > 1);
    let page = client
        .describe_queues(QueueList::Media, BUCKET, &QueueQuery { state: Some(QueueState::Paused), category: Some("CateAll".into()), page_number: Some(2), page_size: Some(1), ..Default::default() })
        .unwrap();
    assert_eq!((page.to_items(), page.total_count), (vec![want[1].clone()], Some(want.len() as u64)));
    // A category the call does not list is the service's to refuse.
    let e = client.describe_queues(QueueList::Media, BUCKET, &QueueQuery { category: Some("AIProcess".into()), ..Default::default() }).unwrap_err();
    assert_eq!((e.kind(), e.http_status(), e.code()), (cloud_infinite::ErrorKind::Service, Some(400), Some("InvalidArgument")));
}

#[test]
fn queue_ids_answer_without_paging_and_with_non_exist_pids() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    let before = emu.requests();
    for list in queue_lists() {
        let queues = expected::queues(&fixture, BUCKET, list);
        // A queue of another kind is not one of this kind's.
        let other_kind = queue_lists()
            .into_iter()
            .flat_map(|other| expected::queues(&fixture, BUCKET, other))
            .map(|q| q.queue_id.unwrap())
            .find(|id| !queues.iter().any(|q| q.queue_id.as_deref() == Some(id)))
            .unwrap();
        let last = queues.len() - 1;
        let ids = vec![queues[last].queue_id.clone().unwrap(), "A".into(), other_kind.clone(), queues[0].queue_id.clone().unwrap()];
        let page = client.describe_queues(list, BUCKET, &QueueQuery { queue_ids: ids.clone(), ..Default::default() }).unwrap();
        assert_eq!(page.to_items(), vec![queues[last].clone(), queues[0].clone()], "{list:?}: in the order asked, any category");
        assert_eq!(page.non_exist_pids().map(str::to_owned).collect::<Vec<_>>(), ["A".to_string(), other_kind], "{list:?}");
        assert_eq!((page.total_count, page.page_number, page.page_size), (None, None, None), "{list:?}: absent, not zero");
        // The page walker makes exactly one request for an id query, and the
        // state filter and paging do not apply to it.
        let pages: Vec<_> = client
            .queue_pages(list, BUCKET, QueueQuery { queue_ids: ids, state: Some(QueueState::Paused), page_size: Some(1), ..Default::default() })
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].to_items().len(), 2);
    }
    assert_eq!(emu.requests() - before, 2 * queue_lists().len() as u64);
}

#[test]
fn queues_belong_to_their_bucket() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    let other = "photos-1-1250000000";
    let mut some = 0;
    for list in queue_lists() {
        let want = listed_by_default(list, &expected::queues(&fixture, other, list));
        some += want.len();
        let got = client.queue_pages(list, other, QueueQuery::default()).collect_items().unwrap();
        assert_eq!(got, want, "{list:?}");
        // This bucket's queue ids are unknown to the example bucket.
        if let Some(id) = want.first().and_then(|q| q.queue_id.clone()) {
            let page = client.describe_queues(list, BUCKET, &QueueQuery { queue_ids: vec![id.clone()], ..Default::default() }).unwrap();
            assert!(page.to_items().is_empty() && page.non_exist_pids().map(str::to_owned).collect::<Vec<_>>() == [id], "{list:?}");
        }
    }
    assert!(some > 0, "the second bucket has queues");
}

#[test]
fn a_bucket_without_queues_is_an_empty_page_of_every_kind() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    for list in queue_lists() {
        let page = client.describe_queues(list, "emptybucket-1250000000", &QueueQuery::default()).unwrap();
        assert!(page.to_items().is_empty(), "{list:?}");
        assert_eq!(page.total_count, Some(0));
        assert_eq!(client.queue_pages(list, "emptybucket-1250000000", QueueQuery::default()).count(), 1);
    }
}

/// The older docs' `NonExistPIDs` container of `<QueueID>`s, which the
/// emulator does not send, read by the core like the flat form.
#[test]
fn the_container_form_of_non_exist_pids_is_read_too() {
    let server = support::RecordingServer::start(
        "<Response><RequestId>r</RequestId><QueueList><QueueId>A</QueueId><Name></Name><State>Active</State>\
         <NotifyConfig><Url></Url></NotifyConfig></QueueList>\
         <NonExistPIDs><QueueID>B</QueueID><QueueID>C</QueueID></NonExistPIDs></Response>",
    );
    let client = cloud_infinite::ClientBuilder::new()
        .secret_id(support::SECRET_ID)
        .secret_key(support::SECRET_KEY)
        .region("ap-guangzhou")
        .scheme(cloud_infinite::Scheme::Http)
        .connect_to(&server.addr)
        .proxy(cloud_infinite::ProxyConfig::Disabled)
        .build()
        .unwrap();
    let ids = vec!["A".to_string(), "B".to_string(), "C".to_string()];
    let page = client.describe_queues(QueueList::Doc, BUCKET, &QueueQuery { queue_ids: ids, ..Default::default() }).unwrap();
    assert_eq!(page.non_exist_pids().map(str::to_owned).collect::<Vec<_>>(), ["B", "C"]);
    assert_eq!(page.to_items().len(), 1);
    assert_eq!(page.to_items()[0].queue_id.as_deref(), Some("A"));
}
