//! `DescribeCIBuckets` end to end against `ci-emulator`: every parameter and
//! every field, checked against answers computed here from the fixture.

mod support;

use cloud_infinite::{CiBucket, CiBucketQuery};
use support::{expected, Emulator};

/// The fixture's CI buckets that `keep` keeps, without their tag keys.
fn filtered(all: &[(CiBucket, Vec<String>)], keep: impl Fn(&CiBucket, &[String]) -> bool) -> Vec<CiBucket> {
    all.iter().filter(|(b, tags)| keep(b, tags)).map(|(b, _)| b.clone()).collect()
}

#[test]
fn every_field_across_pages() {
    let emu = Emulator::start();
    let all = expected::ci_buckets(&emu.fixture());
    let want = filtered(&all, |_, _| true);
    assert!(want.len() > 100);
    // The fixture has both statuses and buckets of several regions.
    assert!(want.iter().any(|b| b.status.as_deref() == Some("off")) && want.iter().any(|b| b.status.as_deref() == Some("on")));
    let client = emu.client().build().unwrap();

    let first = client.describe_ci_buckets(&CiBucketQuery::default()).unwrap();
    assert_eq!(first.total_count, Some(want.len() as u64));
    assert_eq!((first.page_number, first.page_size), (Some(1), Some(10)));
    assert_eq!(first.to_items(), want[..10]);
    assert!(first.to_items()[0].bucket_name.as_deref() == Some("examplebucket") && first.to_items()[0].app_id.as_deref() == Some("1250000000"));

    let pages: Vec<_> = client.ci_bucket_pages(CiBucketQuery { page_size: Some(40), ..Default::default() }).collect::<Result<_, _>>().unwrap();
    assert_eq!(pages.len(), want.len().div_ceil(40));
    assert_eq!(pages.into_iter().flat_map(|p| p.to_items()).collect::<Vec<_>>(), want);

    let third = client.describe_ci_buckets(&CiBucketQuery { page_number: Some(3), page_size: Some(6), ..Default::default() }).unwrap();
    assert_eq!((third.page_number, third.page_size), (Some(3), Some(6)));
    assert_eq!(third.to_items(), want[12..18]);
}

#[test]
fn bucket_name_tag_key_and_region_filter() {
    let emu = Emulator::start();
    let all = expected::ci_buckets(&emu.fixture());
    let client = emu.client().build().unwrap();
    let walk = |q: CiBucketQuery| client.ci_bucket_pages(CiBucketQuery { page_size: Some(100), ..q }).collect_items().unwrap();

    // bucketName: the name without the APPID, or the whole BucketId, exactly.
    let one = &all[5].0;
    for name in [one.bucket_name.clone().unwrap(), one.bucket_id.clone().unwrap()] {
        assert_eq!(walk(CiBucketQuery { bucket_name: Some(name.clone()), ..Default::default() }), vec![one.clone()], "{name}");
    }
    let short = one.bucket_name.clone().unwrap();
    assert!(walk(CiBucketQuery { bucket_name: Some(short[..short.len() - 1].to_string()), ..Default::default() }).is_empty(), "not a prefix");

    // tagKey: buckets having that key, whatever its value; 项目 needs encoding.
    for key in ["env", "team", "cost-center", "项目"] {
        let want = filtered(&all, |_, tags| tags.iter().any(|t| t == key));
        assert!(!want.is_empty() && want.len() < all.len(), "{key}");
        assert_eq!(walk(CiBucketQuery { tag_key: Some(key.into()), ..Default::default() }), want, "{key}");
    }
    assert!(walk(CiBucketQuery { tag_key: Some("prod".into()), ..Default::default() }).is_empty(), "a tag value is not a key");

    // region: one region, exact.
    for region in ["ap-guangzhou", "ap-singapore"] {
        let want = filtered(&all, |b, _| b.region.as_deref() == Some(region));
        assert!(!want.is_empty());
        assert_eq!(walk(CiBucketQuery { region: Some(region.into()), ..Default::default() }), want, "{region}");
    }

    // Everything together.
    let want = filtered(&all, |b, tags| b.region.as_deref() == Some("ap-shanghai") && tags.iter().any(|t| t == "env"));
    assert!(!want.is_empty());
    let got = walk(CiBucketQuery { tag_key: Some("env".into()), region: Some("ap-shanghai".into()), ..Default::default() });
    assert_eq!(got, want);
    let target = want.last().unwrap().clone();
    let got = client
        .describe_ci_buckets(&CiBucketQuery {
            bucket_name: target.bucket_name.clone(),
            tag_key: Some("env".into()),
            region: Some("ap-shanghai".into()),
            page_number: Some(1),
            page_size: Some(1),
        })
        .unwrap();
    assert_eq!((got.to_items(), got.total_count), (vec![target], Some(1)));
}
