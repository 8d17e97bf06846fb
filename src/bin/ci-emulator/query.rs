//! The query string as the service reads it: decoding, the parameters a call
//! takes (from its table entry), and paging.

use std::borrow::Cow;

use cloud_infinite::request::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use cloud_infinite::sign::percent_decode;
use cloud_infinite::OperationSpec;

use crate::answer::ApiError;
use crate::xml;

/// Decoded `(name, value)` pairs of a query, in request order.
pub type Params<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// Splits a raw query on `&` and the first `=`, and percent-decodes both
/// sides. `+` stays `+` unless `plus_as_space` (the HTML-form reading).
pub fn parse_query(raw: &str, plus_as_space: bool) -> Params<'_> {
    /// One side of a `name=value` pair, decoded.
    fn decode(s: &str, plus_as_space: bool) -> Cow<'_, str> {
        if plus_as_space && s.contains('+') {
            Cow::Owned(percent_decode(&s.replace('+', "%20")).into_owned())
        } else {
            percent_decode(s)
        }
    }
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (decode(name, plus_as_space), decode(value, plus_as_space))
        })
        .collect()
}

/// Refuses a parameter the call does not take. Empty values are let through,
/// as the official Python SDK sends every parameter it knows, unset ones empty.
pub fn check_taken(spec: &OperationSpec, params: &Params<'_>) -> Result<(), ApiError> {
    for (name, value) in params {
        if !value.is_empty() && !spec.params.iter().any(|p| p.wire_name() == name) {
            let taken: Vec<&str> = spec.params.iter().map(|p| p.wire_name()).collect();
            return Err(ApiError::invalid_argument(format!(
                "{} takes no parameter {name:?} (it takes {})",
                spec.name,
                taken.join(", ")
            )));
        }
    }
    Ok(())
}

/// The parameter's last value, `None` when absent or empty (the SDKs send
/// every parameter, the unset ones empty).
pub fn param<'p>(params: &'p Params<'_>, name: &str) -> Option<&'p str> {
    params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_ref()).filter(|v| !v.is_empty())
}

/// The non-empty items of a comma list parameter.
pub fn list<'p>(params: &'p Params<'_>, name: &str) -> Option<Vec<&'p str>> {
    let items: Vec<&str> = param(params, name)?.split(',').filter(|s| !s.is_empty()).collect();
    (!items.is_empty()).then_some(items)
}

/// A positive integer parameter no larger than `max`.
fn positive(params: &Params<'_>, name: &str, default: u64, max: u64) -> Result<u64, ApiError> {
    let Some(raw) = param(params, name) else { return Ok(default) };
    let parsed = if raw.bytes().all(|b| b.is_ascii_digit()) { raw.parse::<u64>().ok() } else { None };
    match parsed {
        Some(n) if (1..=max).contains(&n) => Ok(n),
        _ if max == u64::MAX => Err(ApiError::invalid_argument(format!(
            "{name} must be a positive integer, got {raw:?}"
        ))),
        _ => Err(ApiError::invalid_argument(format!("{name} must be an integer from 1 to {max}, got {raw:?}"))),
    }
}

/// The page of a filtered listing: which matching items to write.
pub struct Page {
    number: u64,
    size: u64,
    skip: u64,
}

impl Page {
    /// Reads and checks `pageNumber` (from 1) and `pageSize` (1 to 100, default 10).
    pub fn from(params: &Params<'_>) -> Result<Self, ApiError> {
        let number = positive(params, "pageNumber", 1, u64::MAX)?;
        let size = positive(params, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
        Ok(Page { number, size, skip: (number - 1).saturating_mul(size) })
    }

    /// The items of `items` that `wanted` keeps and that fall on this page,
    /// and how many `wanted` keeps in all.
    pub fn select<'i, T>(&self, items: impl Iterator<Item = &'i T>, wanted: impl Fn(&T) -> bool) -> (Vec<&'i T>, u64)
    where
        T: 'i,
    {
        let mut total = 0u64;
        let mut on_page = Vec::with_capacity(self.size.min(64) as usize);
        for item in items.filter(|item| wanted(item)) {
            if total >= self.skip && total - self.skip < self.size {
                on_page.push(item);
            }
            total += 1;
        }
        (on_page, total)
    }

    /// TotalCount, PageNumber and PageSize, in the service's order.
    pub fn write_header(&self, out: &mut String, total: u64) {
        xml::number_element(out, "TotalCount", total);
        xml::number_element(out, "PageNumber", self.number);
        xml::number_element(out, "PageSize", self.size);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloud_infinite::{BucketList, Operation, QueueList};

    #[test]
    fn query_keeps_plus_and_drops_nothing() {
        let q = parse_query("a=1&b=&c&d=x%2By+z&e=1=2", false);
        let flat: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
        assert_eq!(flat, vec![("a", "1"), ("b", ""), ("c", ""), ("d", "x+y+z"), ("e", "1=2")]);
        assert_eq!(parse_query("d=x+y", true)[0].1, "x y");
    }

    #[test]
    fn only_the_calls_own_parameters_pass() {
        let ai = Operation::Queues(QueueList::Ai).spec();
        let media = Operation::Queues(QueueList::Media).spec();
        let pic = Operation::Buckets(BucketList::Pic).spec();
        assert!(check_taken(media, &parse_query("category=CateAll&state=Active", false)).is_ok());
        let e = check_taken(ai, &parse_query("category=AIProcess", false)).unwrap_err();
        assert!(e.message.contains("category") && e.message.contains("queueIds"), "{}", e.message);
        assert!(check_taken(ai, &parse_query("category=&regions=", false)).is_ok(), "empty means unset");
        assert!(check_taken(pic, &parse_query("tagKey=env", false)).is_err());
        assert!(check_taken(pic, &parse_query("queueId=p1", false)).is_err());
    }

    #[test]
    fn pages_select_and_bad_paging_is_refused() {
        let page = Page::from(&parse_query("pageNumber=2&pageSize=3", false)).unwrap();
        let items: Vec<u32> = (0..20).collect();
        let (got, total) = page.select(items.iter(), |n| n % 2 == 0);
        assert_eq!((got, total), (vec![&6, &8, &10], 10));
        for bad in ["pageSize=0", "pageSize=101", "pageNumber=0", "pageNumber=-1", "pageSize=+5", "pageNumber=1.5"] {
            assert_eq!(Page::from(&parse_query(bad, false)).err().unwrap().code, "InvalidArgument", "{bad}");
        }
    }
}
