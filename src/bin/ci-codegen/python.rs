//! The Python binding's generated files, in bindings/python/src/cloud_infinite/:
//!
//! - `_abi.py`: the header as ctypes sees it (ABI version, enums, struct
//!   mirrors with their `ci_struct_id`s, function prototypes);
//! - `_error_kinds.py`: one `CIError` subclass per `ci_kind`;
//! - `_results.py`: the frozen dataclasses of each page shape and their
//!   converters from `ci_page`;
//! - `_operations.py`: the query keyword arguments of each shape and the
//!   three methods of each operation (`describe_x`, `iter_x`, `iter_x_pages`);
//! - `_async_operations.py`: the same three methods for asyncio (`AsyncClient`).
//!
//! The helpers here are the Python spellings every one of them shares.

#[path = "python_abi.rs"]
mod abi;
#[path = "python_errors.rs"]
mod errors;
#[path = "python_operations.rs"]
mod operations;
#[path = "python_results.rs"]
mod results;

use cloud_infinite::Shape;

use crate::header::{Enum, Header};
use crate::Output;

/// Every generated file of the Python binding.
pub fn generate(header: &Header) -> Vec<Output> {
    vec![
        Output { path: "bindings/python/src/cloud_infinite/_abi.py", contents: abi::generate(header) },
        Output { path: "bindings/python/src/cloud_infinite/_error_kinds.py", contents: errors::generate(header) },
        Output { path: "bindings/python/src/cloud_infinite/_results.py", contents: results::generate(header) },
        Output { path: "bindings/python/src/cloud_infinite/_operations.py", contents: operations::generate(header) },
        Output { path: "bindings/python/src/cloud_infinite/_async_operations.py", contents: operations::generate_async(header) },
    ]
}

/// The short name of the `ci_shape` member of a shape of the table
/// (`CI_SHAPE_CI_BUCKETS` is `ci_buckets`): a new shape fails to compile here.
fn shape_of(shape: Shape) -> &'static str {
    match shape {
        Shape::Buckets => "buckets",
        Shape::CiBuckets => "ci_buckets",
        Shape::Queues => "queues",
    }
}

/// `notify_config` → `NotifyConfig`.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| c.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect()
}

/// The Python class of a C struct or enum: `ci_notify_config` → `NotifyConfig`.
/// `ci_kind` is `ErrorKind`, as "Kind" alone would say nothing next to the
/// package's other names.
fn class_name(c_name: &str) -> String {
    match c_name {
        "ci_kind" => "ErrorKind".to_owned(),
        other => camel(other.strip_prefix("ci_").unwrap_or(other)),
    }
}

/// An enum member's Python name: `CI_KIND_INVALID_ARGUMENT` → `INVALID_ARGUMENT`.
fn member_name(e: &Enum, variant: &crate::header::Variant) -> String {
    e.short_name(variant).to_ascii_uppercase()
}

/// The first paragraph of a C doc comment (what a Python reader needs;
/// the C examples that follow it are for C).
fn first_paragraph(doc: &str) -> String {
    doc.split("\n\n").next().unwrap_or_default().trim().to_owned()
}

/// A C doc comment as Python docs write it: reStructuredText literals and
/// None for NULL.
fn py_doc(doc: &str) -> String {
    doc.replace('`', "``").replace("NULL", "None")
}

/// The first sentence of a C doc comment, on one line: a comment's worth.
fn summary(doc: &str) -> String {
    let line = first_paragraph(doc).split_whitespace().collect::<Vec<_>>().join(" ");
    match line.find(". ") {
        Some(end) => line[..=end].to_owned(),
        None => line,
    }
}

/// `text` with each paragraph's lines filled up to `width` columns.
fn wrap(text: &str, width: usize) -> String {
    let mut paragraphs = Vec::new();
    for paragraph in text.split("\n\n") {
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
        paragraphs.push(lines.join("\n"));
    }
    paragraphs.join("\n\n")
}

/// `text` as a docstring at `indent`, filled to 88 columns, with the
/// closing quotes on their own line when it spans several.
fn docstring(text: &str, indent: &str) -> String {
    let text = wrap(text, 84 - indent.len()).replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 1 {
        // A closing `"` would run into the closing quotes.
        let pad = if text.ends_with('"') { " " } else { "" };
        return format!("{indent}\"\"\"{text}{pad}\"\"\"\n");
    }
    let mut out = format!("{indent}\"\"\"{}\n", lines[0]);
    for line in &lines[1..] {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("{indent}{line}\n"));
        }
    }
    out.push_str(&format!("{indent}\"\"\"\n"));
    out
}

/// `text` as `#:` comments (Sphinx's attribute docs) at `indent`.
fn attribute_doc(text: &str, indent: &str) -> String {
    wrap(text, 85 - indent.len())
        .lines().map(|l| if l.is_empty() { format!("{indent}#:\n") } else { format!("{indent}#: {l}\n") }).collect()
}

/// A Python list literal of strings, one line.
fn str_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_spellings() {
        assert_eq!(class_name("ci_ci_bucket"), "CiBucket");
        assert_eq!(class_name("ci_kind"), "ErrorKind");
        assert_eq!(py_doc("`Url`, or NULL"), "``Url``, or None");
        assert_eq!(docstring("say \"x\"", ""), "\"\"\"say \"x\" \"\"\"\n");
        assert_eq!(docstring("a\n\nb", "    "), "    \"\"\"a\n\n    b\n    \"\"\"\n");
        assert_eq!(wrap("a b\nc", 3), "a b\nc");
        assert_eq!(wrap("aa bb cc\n\ndd", 5), "aa bb\ncc\n\ndd");
        assert_eq!(summary("One. Two.\nThree\n\nFour"), "One.");
    }

    #[test]
    fn every_file_is_generated_from_the_real_header() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/cloud_infinite.h")).unwrap();
        let header = crate::header::parse(&text).unwrap();
        let outputs = generate(&header);
        assert_eq!(outputs.len(), 5);
        for o in &outputs {
            assert!(o.contents.starts_with(&crate::banner("#")), "{}", o.path);
        }
    }
}
