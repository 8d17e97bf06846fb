use super::*;
use crate::model::{Bucket, CiBucket, KafkaConfig, NotifyConfig, Page, Queue};

fn parse_pic_bucket_page(body: &[u8]) -> Result<Page<Bucket>> {
    parse_page(body.to_vec(), "PicBucketList", MAX_ITEMS_PER_PAGE)
}

fn parse_ai_queue_page(body: &[u8]) -> Result<Page<Queue>> {
    parse_page(body.to_vec(), "QueueList", MAX_ITEMS_PER_PAGE)
}

const DOC_QUEUES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
<RequestId>NjJmNDczY2RfOTBmYTUwNjRfNTA4ZV85</RequestId>
<TotalCount>1</TotalCount>
<PageNumber>1</PageNumber>
<PageSize>10</PageSize>
<QueueList>
<QueueId>p4a17eeea29334bf499b7e20e2fbfd99d</QueueId>
<Name>My-Queue-ai &amp; &lt;co&gt; &#x6D4B;</Name>
<State>Active</State>
<NotifyConfig>
<Url><![CDATA[http://callback.demo.com/?a=1&b=2]]></Url>
<Event>TaskFinish,WorkflowFinish</Event>
<Type>Url</Type>
<State>On</State>
<ResultFormat>JSON</ResultFormat>
<Unknown><Deep>x</Deep></Unknown>
</NotifyConfig>
<MaxSize>10000</MaxSize>
<MaxConcurrent>10</MaxConcurrent>
<UpdateTime>2022-08-09T16:23:11+0800</UpdateTime>
<CreateTime>2022-08-09T16:23:11+0800</CreateTime>
<Category>AIProcess</Category>
</QueueList>
<QueueList><QueueId>p2</QueueId><NotifyConfig/></QueueList>
<QueueList><QueueId>p3</QueueId></QueueList>
</Response>"#;

#[test]
fn queues_every_field_entities_cdata_and_variants() {
    let page = parse_ai_queue_page(DOC_QUEUES.as_bytes()).unwrap();
    assert_eq!(page.request_id(), Some("NjJmNDczY2RfOTBmYTUwNjRfNTA4ZV85"));
    assert_eq!((page.total_count, page.page_number, page.page_size), (Some(1), Some(1), Some(10)));
    assert_eq!(page.to_items().len(), 3);
    let q = &page.to_items()[0];
    assert_eq!(q.name.as_deref(), Some("My-Queue-ai & <co> 测"));
    assert_eq!(q.state.as_deref(), Some("Active"));
    assert_eq!((q.max_size, q.max_concurrent), (Some(10000), Some(10)));
    assert_eq!(q.category.as_deref(), Some("AIProcess"));
    assert_eq!(q.update_time.as_deref(), Some("2022-08-09T16:23:11+0800"));
    let n = q.notify_config.as_ref().unwrap();
    assert_eq!(n.url.as_deref(), Some("http://callback.demo.com/?a=1&b=2"));
    assert_eq!(n.event.as_deref(), Some("TaskFinish,WorkflowFinish"));
    assert_eq!(n.r#type.as_deref(), Some("Url"));
    assert_eq!(n.state.as_deref(), Some("On"));
    assert_eq!(n.result_format.as_deref(), Some("JSON"));
    assert_eq!(n.mq_mode, None);
    assert_eq!(page.to_items()[1].notify_config, Some(NotifyConfig::default()));
    assert_eq!(page.to_items()[2].notify_config, None);
    assert!(page.non_exist_pids().map(str::to_owned).collect::<Vec<_>>().is_empty());
}

#[test]
fn one_bucket_is_still_a_list_and_empty_page_has_none() {
    let one = parse_pic_bucket_page(b"<Response><PicBucketList><Name>a</Name></PicBucketList></Response>").unwrap();
    assert_eq!(one.to_items().len(), 1);
    let none = parse_pic_bucket_page(b"<Response><TotalCount>0</TotalCount></Response>").unwrap();
    assert!(none.to_items().is_empty());
    assert_eq!(none.total_count, Some(0));
}

#[test]
fn malformed_bodies_are_parse_errors_that_say_why() {
    let cases: [(&[u8], &str); 8] = [
        (b"", "no XML element"),
        (b"service unavailable", "text outside"),
        (b"<Response><TotalCount>1</PageNumber></Response>", "not well-formed"),
        (b"<Response><TotalCount>1</TotalCount>", "truncated"),
        (b"<Response><TotalCount>abc</TotalCount></Response>", "TotalCount should be a non-negative integer"),
        (b"<Response><TotalCount>-1</TotalCount></Response>", "non-negative"),
        (b"<Error><Code>x</Code></Error>", "expected the root element <Response>, found <Error>"),
        (b"<Response>\xff</Response>", "not UTF-8"),
    ];
    for (body, needle) in cases {
        let e = parse_pic_bucket_page(body).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse);
        assert!(e.message().contains(needle), "{:?}: {}", String::from_utf8_lossy(body), e.message());
    }
    assert!(parse_pic_bucket_page(b"<Response></Response><Response></Response>").is_err());
    for nul in [&b"<Response><RequestId>a&#0;b</RequestId></Response>"[..], b"<Response><RequestId>a\0b</RequestId></Response>", b"<Response><RequestId><![CDATA[a\0]]></RequestId></Response>"] {
        assert_eq!(parse_pic_bucket_page(nul).unwrap_err().kind(), ErrorKind::Parse);
    }
}

#[test]
fn an_error_code_in_a_2xx_answer_is_a_service_error() {
    let body = b"<Response><Code>InternalError</Code><Message>try later</Message><RequestId>r9</RequestId></Response>";
    for e in [parse_pic_bucket_page(body).unwrap_err(), parse_ai_queue_page(body).unwrap_err()] {
        assert_eq!((e.kind(), e.code(), e.request_id()), (ErrorKind::Service, Some("InternalError"), Some("r9")));
        assert!(e.message().contains("try later"));
    }
}

#[test]
fn error_bodies_with_either_root() {
    let e = parse_error_body(
        b"<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message>\
          <Resource>/picbucket</Resource><RequestId>r</RequestId><TraceId>t</TraceId></Error>",
    )
    .unwrap();
    assert_eq!(e.code.as_deref(), Some("SignatureDoesNotMatch"));
    assert_eq!(e.resource.as_deref(), Some("/picbucket"));
    assert_eq!(e.trace_id.as_deref(), Some("t"));
    let r = parse_error_body(b"<Response><Code>InvalidArgument</Code><RequestId>r2</RequestId></Response>").unwrap();
    assert_eq!(r.code.as_deref(), Some("InvalidArgument"));
    assert_eq!(r.message, None);
    assert!(parse_error_body(b"<Other/>").is_none());
    assert!(parse_error_body(b"<Error><Code>x").is_none());
}

#[test]
fn the_scanner_reads_like_quick_xml() {
    let tricky: [&[u8]; 22] = [
        b"\xEF\xBB\xBF<Response><RequestId>bom</RequestId></Response>",
        b"<?xml version='1.0'?><!DOCTYPE Response [<!ELEMENT Response ANY>]><!-- c --><Response/>",
        b"<Response a='>' b=\"/>\"><RequestId >x</RequestId ></Response>",
        b"<ns:Response xmlns:ns='u'><ns:RequestId>p</ns:RequestId></ns:Response>",
        b"<Response><RequestId>a<!-- x -->b<![CDATA[<c>]]>&amp;d</RequestId></Response>",
        b"<Response><RequestId>a<b/>c</RequestId></Response>",
        b"<Response><TotalCount>1</TotalCount></response>",
        b"<Response></RequestId>",
        b"<Response><RequestId>&bogus;</RequestId></Response>",
        b"<Response><!-- never closed </Response>",
        b"<Response><![CDATA[x]]</Response>",
        b"<Response a='never closed></Response>",
        b"<Response><RequestId>x</RequestId><",
        b"<Response><?pi never closed</Response>",
        b"<Response><!x></Response>",
        b"<Response><QueueList><NotifyC'nfig/></QueueList></Response>",
        b"<Response><a'>'>x</a'>'><b x='1' / ></b></Response>",
        b"<Response><RequestId>x</RequestId a='>'></Response>",
        b"<Response/><Response/>",
        b"<![CDATA[x]]><Response/>",
        b"text<Response/>",
        b"<Response>\n  <PicBucketList>\n    <Name>a &#x41; &#65;</Name>\n  </PicBucketList>\n</Response>\n",
    ];
    for body in tricky {
        reference::assert_same(body);
    }
    for target in ["parse_response", "parse_error_body"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
        for entry in std::fs::read_dir(&dir).unwrap() {
            reference::assert_same(&std::fs::read(entry.unwrap().path()).unwrap());
        }
    }
}

#[test]
fn a_nameless_element_is_refused() {
    for body in [&b"<>x</>"[..], b"<Response>< RequestId>x</ RequestId></Response>", b"<Response></></Response>"] {
        let e = parse_pic_bucket_page(body).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse, "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn every_shape_and_its_new_fields() {
    let doc = b"<Response><DocBucketList><BucketId>d-1</BucketId><AliasBucketId>alias-d</AliasBucketId></DocBucketList></Response>";
    let page = parse_page::<Bucket>(doc.to_vec(), "DocBucketList", MAX_ITEMS_PER_PAGE).unwrap();
    assert_eq!(page.to_items()[0].alias_bucket_id.as_deref(), Some("alias-d"));
    // Another call's list element is not this call's items.
    assert!(parse_page::<Bucket>(doc.to_vec(), "MediaBucketList", MAX_ITEMS_PER_PAGE).unwrap().to_items().is_empty());

    let ci = b"<Response><TotalCount>1</TotalCount><CIBucketList><BucketId>b-125</BucketId><BucketName>b</BucketName>\
        <AppId>125</AppId><CreateTime>t</CreateTime><Region>ap-beijing</Region><Status>on</Status></CIBucketList></Response>";
    let page = parse_page::<CiBucket>(ci.to_vec(), "CIBucketList", MAX_ITEMS_PER_PAGE).unwrap();
    let b = &page.to_items()[0];
    let fields = [&b.bucket_id, &b.bucket_name, &b.app_id, &b.create_time, &b.region, &b.status].map(|f| f.as_deref());
    assert_eq!(fields, [Some("b-125"), Some("b"), Some("125"), Some("t"), Some("ap-beijing"), Some("on")]);

    let kafka = b"<Response><QueueList><QueueId>q</QueueId><BucketId>b-1</BucketId><NotifyConfig><Type>Kafka</Type>\
        <KafkaConfig><Region>ap-guangzhou</Region><InstanceId>ckafka-1</InstanceId><Topic>t</Topic></KafkaConfig>\
        </NotifyConfig></QueueList><QueueList><NotifyConfig><KafkaConfig/></NotifyConfig></QueueList></Response>";
    let items = parse_ai_queue_page(kafka).unwrap().to_items();
    assert_eq!(items[0].bucket_id.as_deref(), Some("b-1"));
    let notify = items[0].notify_config.as_ref().unwrap();
    assert_eq!(notify.r#type.as_deref(), Some("Kafka"));
    let want = KafkaConfig { region: Some("ap-guangzhou".into()), instance_id: Some("ckafka-1".into()), topic: Some("t".into()) };
    assert_eq!(notify.kafka_config.as_ref(), Some(&want));
    assert_eq!(items[1].notify_config.as_ref().unwrap().kafka_config, Some(KafkaConfig::default()));
}

#[test]
fn non_exist_pids_in_both_documented_shapes() {
    let flat = parse_ai_queue_page(b"<Response><NonExistPIDs>A</NonExistPIDs><NonExistPIDs>B</NonExistPIDs></Response>").unwrap();
    let nested = parse_ai_queue_page(b"<Response><NonExistPIDs><QueueID>A</QueueID><QueueID>B</QueueID></NonExistPIDs></Response>").unwrap();
    assert_eq!(flat.non_exist_pids().map(str::to_owned).collect::<Vec<_>>(), ["A", "B"]);
    assert_eq!(nested.non_exist_pids().map(str::to_owned).collect::<Vec<_>>(), ["A", "B"]);
}

#[test]
fn a_page_holding_more_than_a_page_can_is_refused_early() {
    let mut body = String::from("<Response>");
    for _ in 0..=MAX_ITEMS_PER_PAGE {
        body.push_str("<PicBucketList/>");
    }
    body.push_str("</Response>");
    let e = parse_pic_bucket_page(body.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse);
    assert!(e.message().contains("more than 100"), "{}", e.message());
    let ok = body.replacen("<PicBucketList/>", "", 1);
    assert_eq!(parse_pic_bucket_page(ok.as_bytes()).unwrap().to_items().len(), MAX_ITEMS_PER_PAGE);

    let pids: String = (0..=MAX_ITEMS_PER_PAGE).map(|i| format!("<NonExistPIDs>p{i}</NonExistPIDs>")).collect();
    let e = parse_ai_queue_page(format!("<Response>{pids}</Response>").as_bytes()).unwrap_err();
    assert!(e.message().contains("NonExistPIDs"), "{}", e.message());
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("<Response>{}{}</Response>", "<a>".repeat(100), "</a>".repeat(100));
    let e = parse_pic_bucket_page(deep.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Parse);
    assert!(e.message().contains("64 deep"), "{}", e.message());
    let fine = format!("<Response>{}{}</Response>", "<a>".repeat(60), "</a>".repeat(60));
    assert!(parse_pic_bucket_page(fine.as_bytes()).is_ok());
}

#[test]
fn every_call_s_list_element_has_a_tag_and_others_do_not() {
    for spec in crate::OPERATIONS {
        let tag = Tag::from_name(spec.list_element.as_bytes());
        assert!(matches!(tag, Tag::List(_)), "{}: {tag:?}", spec.list_element);
        // Calls sharing an element (the queue lists) share its tag.
        let first = crate::OPERATIONS.iter().position(|s| s.list_element == spec.list_element).unwrap();
        assert_eq!(tag, Tag::List(first as u8));
    }
    assert_eq!(Tag::from_name(b"FooBucketList"), Tag::Other);
    assert_eq!(Tag::from_name(b"List"), Tag::Other);
}
