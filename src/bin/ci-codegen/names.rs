//! How each language spells an operation's names, from the table's
//! `snake_name` (`media_buckets`): one rule per language, used by every
//! generator that names a call.

// Used by the language generators, which name calls with it.
#![allow(dead_code)]

use cloud_infinite::OperationSpec;

/// Words Go writes in capitals (Go's initialisms convention).
const GO_INITIALISMS: &[&str] = &["ai", "asr", "ci", "id", "url"];

fn words(snake: &str) -> impl Iterator<Item = &str> {
    snake.split('_').filter(|w| !w.is_empty())
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
}

/// `media_buckets` → `MediaBuckets`, with Go's initialisms: `ai_queues` → `AIQueues`.
pub fn go_camel(snake: &str) -> String {
    words(snake).map(|w| if GO_INITIALISMS.contains(&w) { w.to_ascii_uppercase() } else { capitalised(w) }).collect()
}

/// `media_buckets` → `mediaBuckets`; `ai_queues` → `aiQueues`.
pub fn js_camel(snake: &str) -> String {
    let mut out = String::new();
    for (i, w) in words(snake).enumerate() {
        out.push_str(&if i == 0 { w.to_owned() } else { capitalised(w) });
    }
    out
}

/// `media_buckets` → `media_bucket`: the name of one item, for `..._pages`.
pub fn singular(snake: &str) -> &str {
    snake.strip_suffix('s').unwrap_or(snake)
}

/// The names one operation gets in every language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationNames {
    /// `describe_media_buckets`.
    pub py_describe: String,
    /// `iter_media_buckets`: every item of every page.
    pub py_iter_items: String,
    /// `iter_media_bucket_pages`: every page.
    pub py_iter_pages: String,
    /// `DescribeMediaBuckets`.
    pub go_describe: String,
    /// `MediaBucketPages`.
    pub go_pages: String,
    /// `describeMediaBuckets`.
    pub js_describe: String,
    /// `mediaBucketPages`.
    pub js_pages: String,
}

impl OperationNames {
    /// The names of `spec` in every language.
    pub fn of(spec: &OperationSpec) -> Self {
        let snake = spec.snake_name;
        let one = singular(snake);
        OperationNames {
            py_describe: format!("describe_{snake}"),
            py_iter_items: format!("iter_{snake}"),
            py_iter_pages: format!("iter_{one}_pages"),
            go_describe: format!("Describe{}", go_camel(snake)),
            go_pages: format!("{}Pages", go_camel(one)),
            js_describe: format!("describe{}", capitalised(&js_camel(snake))),
            js_pages: format!("{}Pages", js_camel(one)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloud_infinite::{BucketList, Operation, QueueList};

    #[test]
    fn names_read_as_each_language_writes_them() {
        let media = OperationNames::of(Operation::Buckets(BucketList::Media).spec());
        assert_eq!(
            [&media.py_describe, &media.py_iter_items, &media.py_iter_pages, &media.go_describe, &media.go_pages, &media.js_describe, &media.js_pages],
            ["describe_media_buckets", "iter_media_buckets", "iter_media_bucket_pages", "DescribeMediaBuckets", "MediaBucketPages", "describeMediaBuckets", "mediaBucketPages"]
        );
        let ai = OperationNames::of(Operation::Queues(QueueList::Ai).spec());
        assert_eq!([ai.go_describe.as_str(), ai.go_pages.as_str(), ai.js_describe.as_str()], ["DescribeAIQueues", "AIQueuePages", "describeAiQueues"]);
        let ci = OperationNames::of(Operation::CiBuckets.spec());
        assert_eq!([ci.go_describe.as_str(), ci.js_pages.as_str(), ci.py_iter_pages.as_str()], ["DescribeCIBuckets", "ciBucketPages", "iter_ci_bucket_pages"]);
    }
}
