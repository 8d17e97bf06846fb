//! The six bucket lists (`DescribeMediaBuckets`, `DescribePicProcessBucket`,
//! `DescribeAIProcessBuckets`, `DescribeASRProcessBuckets`,
//! `DescribeDocProcessBuckets`, `DescribeFileProcessBuckets`) end to end
//! against `ci-emulator`: every parameter and every field, checked against
//! answers computed here from the emulator's fixture.

mod support;

use std::collections::HashSet;

use cloud_infinite::{Bucket, BucketList, BucketQuery, Operation, Shape, OPERATIONS};
use support::{expected, Emulator};

/// Every bucket list of the table.
fn bucket_lists() -> Vec<BucketList> {
    let lists: Vec<BucketList> = OPERATIONS
        .iter()
        .filter_map(|spec| match spec.operation {
            Operation::Buckets(list) => Some(list),
            _ => None,
        })
        .collect();
    assert_eq!(lists.len(), OPERATIONS.iter().filter(|s| s.operation.shape() == Shape::Buckets).count());
    lists
}

fn name(b: &Bucket) -> String {
    b.name.clone().unwrap()
}

fn region(b: &Bucket) -> String {
    b.region.clone().unwrap()
}

#[test]
fn each_list_answers_its_own_buckets_with_every_field() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    let mut seen = HashSet::new();
    for list in bucket_lists() {
        let want = expected::buckets(&fixture, list);
        assert!(want.len() > 10, "{list:?}: the fixture must make paging matter");
        let names: Vec<String> = want.iter().map(name).collect();
        assert!(seen.insert(names), "{list:?} lists the same buckets as another list");

        let first = client.describe_buckets(list, &BucketQuery::default()).unwrap();
        assert_eq!(first.total_count, Some(want.len() as u64), "{list:?}");
        assert_eq!((first.page_number, first.page_size), (Some(1), Some(10)), "{list:?}: the default page");
        assert_eq!(first.to_items(), want[..10], "{list:?}");
        assert!(first.non_exist_pids().map(str::to_owned).collect::<Vec<_>>().is_empty());
        assert!(first.request_id().is_some_and(|id| !id.is_empty()));

        let all = client.bucket_pages(list, BucketQuery { page_size: Some(9), ..Default::default() }).collect_items().unwrap();
        assert_eq!(all, want, "{list:?}: every field of every bucket, across pages");
    }
    assert_eq!(emu.requests(), bucket_lists().iter().map(|&l| 1 + expected::buckets(&fixture, l).len().div_ceil(9) as u64).sum::<u64>());
}

#[test]
fn doc_buckets_carry_alias_bucket_id_and_the_others_do_not() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    let doc = client.bucket_pages(BucketList::Doc, BucketQuery { page_size: Some(100), ..Default::default() }).collect_items().unwrap();
    assert_eq!(doc, expected::buckets(&fixture, BucketList::Doc));
    // The fixture has all three forms: an alias, the docs' empty `<AliasBucketId/>`, none.
    assert!(doc.iter().any(|b| b.alias_bucket_id.as_deref().is_some_and(|a| !a.is_empty())));
    assert!(doc.iter().any(|b| b.alias_bucket_id.as_deref() == Some("")), "present and empty stays Some(\"\")");
    assert!(doc.iter().any(|b| b.alias_bucket_id.is_none()));
    for list in bucket_lists().into_iter().filter(|l| *l != BucketList::Doc) {
        let page = client.describe_buckets(list, &BucketQuery { page_size: Some(100), ..Default::default() }).unwrap();
        assert!(page.to_items().iter().all(|b| b.alias_bucket_id.is_none()), "{list:?}");
    }
}

#[test]
fn pic_buckets_walk_in_three_pages_of_fifty() {
    let emu = Emulator::start();
    let want = expected::buckets(&emu.fixture(), BucketList::Pic);
    assert_eq!(want.len(), 130);
    let client = emu.client().build().unwrap();
    let pages: Vec<_> = client.bucket_pages(BucketList::Pic, BucketQuery { page_size: Some(50), ..Default::default() }).collect::<Result<_, _>>().unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.to_items().len()).collect();
    assert_eq!(sizes, [50, 50, 30]);
    assert_eq!(pages.iter().map(|p| p.page_number).collect::<Vec<_>>(), [Some(1), Some(2), Some(3)]);
    assert_eq!(pages.into_iter().flat_map(|p| p.to_items()).collect::<Vec<_>>(), want);
    assert_eq!(emu.requests(), 3, "one request per page, no extra");
    // Starting from a later page walks the rest.
    let rest = client.bucket_pages(BucketList::Pic, BucketQuery { page_number: Some(2), page_size: Some(100), ..Default::default() }).collect_items().unwrap();
    assert_eq!(rest, want[100..]);
}

#[test]
fn every_list_filters_by_regions_names_and_prefix() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    let every_bucket: Vec<String> = expected::fixture_buckets(&fixture).iter().map(|b| b["name"].as_str().unwrap().to_owned()).collect();
    for list in bucket_lists() {
        let all = expected::buckets(&fixture, list);
        let walk = |q: BucketQuery| client.bucket_pages(list, BucketQuery { page_size: Some(100), ..q }).collect_items().unwrap();

        // regions: several at once, exact.
        let regions = vec!["ap-shanghai".to_string(), "ap-chongqing".to_string()];
        let want: Vec<_> = all.iter().filter(|b| regions.contains(&region(b))).cloned().collect();
        assert!(!want.is_empty() && want.len() < all.len(), "{list:?}");
        assert_eq!(walk(BucketQuery { regions: regions.clone(), ..Default::default() }), want, "{list:?} regions");

        // bucketNames: exact names; one this list does not list, and one that
        // does not exist at all, simply match nothing.
        let elsewhere = every_bucket.iter().find(|n| !all.iter().any(|b| &name(b) == *n)).unwrap().clone();
        let names = vec![name(&all[3]), elsewhere, name(&all[all.len() - 1]), "nosuch-1250000000".to_string()];
        let page = client.describe_buckets(list, &BucketQuery { bucket_names: names, ..Default::default() }).unwrap();
        assert_eq!(page.to_items(), vec![all[3].clone(), all[all.len() - 1].clone()], "{list:?} bucketNames, in listing order");
        assert_eq!(page.total_count, Some(2));

        // bucketName: a prefix, not a substring.
        for prefix in ["photos-", "docs-1", "example"] {
            let want: Vec<_> = all.iter().filter(|b| name(b).starts_with(prefix)).cloned().collect();
            assert!(!want.is_empty(), "{list:?} {prefix}");
            assert_eq!(walk(BucketQuery { bucket_name_prefix: Some(prefix.into()), ..Default::default() }), want, "{list:?} {prefix}");
        }
        assert!(walk(BucketQuery { bucket_name_prefix: Some("hotos-".into()), ..Default::default() }).is_empty());

        // Everything together.
        let both = walk(BucketQuery {
            regions: vec![region(&all[0]), "ap-beijing".into()],
            bucket_names: vec![name(&all[0]), name(&all[1])],
            bucket_name_prefix: Some(name(&all[0])[..2].to_string()),
            ..Default::default()
        });
        let want: Vec<_> = all[..2]
            .iter()
            .filter(|b| (region(b) == region(&all[0]) || region(b) == "ap-beijing") && name(b).starts_with(&name(&all[0])[..2]))
            .cloned()
            .collect();
        assert_eq!(both, want, "{list:?} all filters");
    }
}

#[test]
fn page_number_and_page_size() {
    let emu = Emulator::start();
    let fixture = emu.fixture();
    let client = emu.client().build().unwrap();
    for list in bucket_lists() {
        let all = expected::buckets(&fixture, list);
        let page = client.describe_buckets(list, &BucketQuery { page_number: Some(2), page_size: Some(5), ..Default::default() }).unwrap();
        assert_eq!((page.page_number, page.page_size, page.total_count), (Some(2), Some(5), Some(all.len() as u64)));
        assert_eq!(page.to_items(), all[5..10], "{list:?}");
        let last = client.describe_buckets(list, &BucketQuery { page_size: Some(100), ..Default::default() }).unwrap();
        assert_eq!(last.to_items().len(), all.len().min(100));
        let past_end = client.describe_buckets(list, &BucketQuery { page_number: Some(1000), ..Default::default() }).unwrap();
        assert!(past_end.to_items().is_empty());
        assert_eq!(past_end.total_count, Some(all.len() as u64));
    }
}

#[test]
fn a_prefix_that_needs_encoding_is_signed_and_read_alike() {
    let emu = Emulator::start();
    let client = emu.client().build().unwrap();
    for list in bucket_lists() {
        let odd = client.describe_buckets(list, &BucketQuery { bucket_name_prefix: Some("测 a&b=c+d/%~".into()), ..Default::default() }).unwrap();
        assert_eq!(odd.total_count, Some(0), "{list:?}");
    }
}
