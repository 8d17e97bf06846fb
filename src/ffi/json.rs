//! `CI_PAGE_FORMAT_JSON`: a page's items as one JSON text, which a binding
//! reads in one crossing and decodes with its language's native parser
//! instead of reading struct fields one by one. The rows follow the C
//! structs' field order (see `ci_page.json`), so each binding's row
//! decoder is generated from the header.

use crate::model::Page;
use crate::views::{BucketRef, CiBucketRef, KafkaConfigRef, NotifyConfigRef, QueueRef};
use crate::xml::Item;

/// The names of each row's elements, in order: the fields of the C struct
/// with each `has_X`/`X` pair as `X`. A test checks the header's structs
/// against these, and the bindings' row decoders are generated from the
/// header, so rows and decoders cannot drift apart.
#[cfg(test)]
const ROW_FIELDS: [(&str, &[&str]); 5] = [
    ("ci_bucket", &["bucket_id", "name", "region", "create_time", "alias_bucket_id"]),
    ("ci_ci_bucket", &["bucket_id", "bucket_name", "app_id", "create_time", "region", "status"]),
    (
        "ci_queue",
        &["queue_id", "name", "state", "notify_config", "max_size", "max_concurrent", "category", "update_time", "create_time", "bucket_id"],
    ),
    ("ci_notify_config", &["url", "event", "type", "state", "result_format", "mq_mode", "mq_region", "mq_name", "kafka_config"]),
    ("ci_kafka_config", &["region", "instance_id", "topic"]),
];

/// The JSON of `page`, NUL-terminated, each item written by `row`.
pub(super) fn page<T: Item>(page: &Page<T>, row: impl Fn(&mut Vec<u8>, T::Ref<'_>)) -> Vec<u8> {
    // Rows are about the size of the XML they came from.
    let mut out = Vec::with_capacity(page.buffer().len() + 64);
    out.extend_from_slice(b"{\"items\":[");
    for (i, item) in page.items().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        row(&mut out, item);
    }
    out.extend_from_slice(b"],\"non_exist_pids\":[");
    for (i, id) in page.non_exist_pids().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(&mut out, Some(id));
    }
    out.extend_from_slice(b"]}\0");
    out
}

/// Writes the elements of one row, comma-separated, in brackets.
struct Row<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Row<'o> {
    fn new(out: &'o mut Vec<u8>) -> Self {
        out.push(b'[');
        Row { out, first: true }
    }

    fn next(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out
    }

    fn text(&mut self, s: Option<&str>) -> &mut Self {
        string(self.next(), s);
        self
    }

    fn number(&mut self, n: Option<u64>) -> &mut Self {
        let out = self.next();
        match n {
            Some(n) => out.extend_from_slice(crate::decimal::digits(n, &mut [0; 20])),
            None => out.extend_from_slice(b"null"),
        }
        self
    }

    fn nested<V>(&mut self, value: Option<V>, row: impl FnOnce(&mut Vec<u8>, V)) -> &mut Self {
        let out = self.next();
        match value {
            Some(v) => row(out, v),
            None => out.extend_from_slice(b"null"),
        }
        self
    }

    fn end(&mut self) {
        self.out.push(b']');
    }
}

pub(super) fn bucket_row(out: &mut Vec<u8>, b: BucketRef<'_>) {
    Row::new(out).text(b.bucket_id()).text(b.name()).text(b.region()).text(b.create_time()).text(b.alias_bucket_id()).end();
}

pub(super) fn ci_bucket_row(out: &mut Vec<u8>, b: CiBucketRef<'_>) {
    Row::new(out).text(b.bucket_id()).text(b.bucket_name()).text(b.app_id()).text(b.create_time()).text(b.region()).text(b.status()).end();
}

pub(super) fn queue_row(out: &mut Vec<u8>, q: QueueRef<'_>) {
    Row::new(out)
        .text(q.queue_id())
        .text(q.name())
        .text(q.state())
        .nested(q.notify_config(), notify_config_row)
        .number(q.max_size())
        .number(q.max_concurrent())
        .text(q.category())
        .text(q.update_time())
        .text(q.create_time())
        .text(q.bucket_id())
        .end();
}

fn notify_config_row(out: &mut Vec<u8>, n: NotifyConfigRef<'_>) {
    Row::new(out)
        .text(n.url())
        .text(n.event())
        .text(n.r#type())
        .text(n.state())
        .text(n.result_format())
        .text(n.mq_mode())
        .text(n.mq_region())
        .text(n.mq_name())
        .nested(n.kafka_config(), kafka_config_row)
        .end();
}

fn kafka_config_row(out: &mut Vec<u8>, k: KafkaConfigRef<'_>) {
    Row::new(out).text(k.region()).text(k.instance_id()).text(k.topic()).end();
}

/// `s` as a JSON string (RFC 8259): `"` and `\` escaped, control
/// characters as `\u00XX`; the rest is copied as the UTF-8 it is.
fn string(out: &mut Vec<u8>, s: Option<&str>) {
    let Some(s) = s else {
        out.extend_from_slice(b"null");
        return;
    };
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[copied..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
        }
        copied = i + 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}


#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, Some(s));
        String::from_utf8(out).unwrap()
    }

    /// The fields of `typedef struct NAME { ... } NAME;` in the header,
    /// each `has_X` flag dropped (its `X` follows it).
    fn header_fields(header: &str, name: &str) -> Vec<String> {
        let open = format!("typedef struct {name} {{");
        let body = &header[header.find(&open).unwrap_or_else(|| panic!("{name} in the header")) + open.len()..];
        let body = &body[..body.find('}').unwrap()];
        body.lines()
            .map(str::trim)
            .filter(|l| l.ends_with(';') && !l.starts_with("//") && !l.starts_with('*') && !l.starts_with("/*"))
            .map(|l| l.trim_end_matches(';').rsplit([' ', '*']).next().unwrap().to_owned())
            .filter(|f| !f.starts_with("has_"))
            .collect()
    }

    #[test]
    fn rows_follow_the_headers_structs() {
        let header = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/cloud_infinite.h")).unwrap();
        for (name, fields) in ROW_FIELDS {
            assert_eq!(header_fields(&header, name), fields, "{name}");
        }
    }

    #[test]
    fn strings_are_escaped_as_json_requires() {
        assert_eq!(json("plain é 中"), "\"plain é 中\"");
        assert_eq!(json("a\"b\\c\nd\te\rf\u{1}g\u{1f}"), r#""a\"b\\c\nd\te\rf\u0001g\u001f""#);
        assert_eq!(json(""), "\"\"");
    }

    #[test]
    fn a_queue_page_is_rows_in_struct_order() {
        let body = b"<Response><RequestId>r</RequestId><QueueList><QueueId>q&amp;1</QueueId><MaxSize>10</MaxSize>\
            <NotifyConfig><Url>u</Url><KafkaConfig><Topic>t</Topic></KafkaConfig></NotifyConfig></QueueList>\
            <QueueList/><NonExistPIDs>x\"y</NonExistPIDs></Response>";
        let page = crate::xml::parse_page::<crate::Queue>(body.to_vec(), "QueueList", 100).unwrap();
        let out = super::page(&page, queue_row);
        assert_eq!(out.last(), Some(&0));
        let text = std::str::from_utf8(&out[..out.len() - 1]).unwrap();
        assert_eq!(
            text,
            r#"{"items":[["q&1",null,null,["u",null,null,null,null,null,null,null,[null,null,"t"]],10,null,null,null,null,null],[null,null,null,null,null,null,null,null,null,null]],"non_exist_pids":["x\"y"]}"#
        );
    }
}
