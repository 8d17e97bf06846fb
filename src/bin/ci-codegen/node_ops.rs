//! bindings/node/lib/operations.js and lib/operations.d.ts: one method
//! pair per operation of the core's table (`describe<X>` and `<x>Pages`),
//! each the generic call with its `ci_operation`, with its TypeScript
//! declaration. Client extends the class.

use std::fmt::Write;

use cloud_infinite::{HostLevel, OperationSpec, Shape, OPERATIONS};

use crate::header::Header;
use crate::names::OperationNames;
use super::model::{constant_name, jsdoc};
use super::types::query_type_of;

/// The `ci_operation` constant of `spec` (`MEDIA_BUCKETS`).
pub fn operation_constant(header: &Header, spec: &OperationSpec) -> String {
    let e = header.enumeration("ci_operation");
    let v = e.variants.iter().find(|v| v.value == u64::from(spec.id)).unwrap_or_else(|| panic!("ci_operation has no {} ({})", spec.id, spec.name));
    constant_name(e, &v.name)
}

pub fn page_type_of(spec: &OperationSpec) -> &'static str {
    match spec.operation.shape() {
        Shape::Buckets => "BucketPage",
        Shape::CiBuckets => "CiBucketPage",
        Shape::Queues => "QueuePage",
    }
}

fn takes_bucket(spec: &OperationSpec) -> bool {
    spec.operation.host_level() == HostLevel::Bucket
}

/// The JSDoc of every call's options (index.d.ts types them).
const CALL_OPTIONS_TAG: &str = "@param {import('../index').CallOptions} [options] `signal`: an AbortSignal whose abort cancels the call";
/// The JSDoc of every page iterator's options.
const PAGE_OPTIONS_TAG: &str =
    "@param {import('../index').PageOptions} [options] `signal`: an AbortSignal whose abort ends the walk; `concurrency`: pages fetched at once";

/// The doc comments of the two methods, without tags.
fn docs(spec: &OperationSpec) -> (String, String) {
    let paging = if spec.operation.shape() == Shape::Queues {
        "\nWith `queueIds` the service sends no paging fields (they are null) and\nlists unknown ids in `nonExistPids`."
    } else {
        ""
    };
    let describe = format!(
        "{} (`{} {}`): one page of the {}.{paging}\n`options.signal` cancels the call (it rejects with an AbortError).",
        spec.name, spec.method, spec.path, spec.summary
    );
    let pages = format!(
        "Every page of {} (the {}), from the query's `pageNumber`\n(default 1) to the last, in order, one request per page (up to\n`options.concurrency` at once after the first). Throws at once when the\nquery is unusable; `options.signal` ends the walk.",
        spec.name, spec.summary
    );
    (describe, pages)
}

pub fn operations_js(header: &Header) -> String {
    let mut out = crate::banner("//");
    out.push_str("'use strict';\n");
    out.push_str(&jsdoc(
        "The describe calls of the core's table as Client methods, generated\nfrom src/operations.rs: each is the generic `describe` or `pages` of\nlib/client.js with its operation.\n@module cloud-infinite/lib/operations\n@private",
        &[],
        "",
    ));
    out.push_str("\nconst { OPERATION } = require('./abi');\n\n");
    out.push_str(&jsdoc("One method pair per operation; Client extends it.", &[], ""));
    out.push_str("class Operations {\n");
    for spec in OPERATIONS {
        let names = OperationNames::of(spec);
        let constant = operation_constant(header, spec);
        let query = query_type_of(spec);
        let page = page_type_of(spec);
        let (describe_doc, pages_doc) = docs(spec);
        let mut tags = Vec::new();
        if takes_bucket(spec) {
            tags.push("@param {string} bucket `BucketName-APPID`, e.g. `examplebucket-1250000000`".to_owned());
        }
        tags.push(format!("@param {{import('./types').{query}}} [query]"));
        let mut describe_tags = tags.clone();
        describe_tags.push(CALL_OPTIONS_TAG.to_owned());
        describe_tags.push(format!("@returns {{Promise<import('./types').{page}>}}"));
        let mut pages_tags = tags;
        pages_tags.push(PAGE_OPTIONS_TAG.to_owned());
        pages_tags.push(format!("@returns {{import('./pager').PageIterator<import('./types').{page}>}}"));
        let (params, bucket) = if takes_bucket(spec) { ("bucket, query, options", "bucket") } else { ("query, options", "null") };
        out.push_str(&jsdoc(&describe_doc, &describe_tags, "  "));
        writeln!(out, "  {}({params}) {{\n    return this.describe(OPERATION.{constant}, {bucket}, query, options);\n  }}\n", names.js_describe).unwrap();
        out.push_str(&jsdoc(&pages_doc, &pages_tags, "  "));
        writeln!(out, "  {}({params}) {{\n    return this.pages(OPERATION.{constant}, {bucket}, query, options);\n  }}\n", names.js_pages).unwrap();
    }
    out.truncate(out.trim_end().len());
    out.push_str("\n}\n\nmodule.exports = { Operations };\n");
    out
}

pub fn operations_dts() -> String {
    let mut out = crate::banner("//");
    let mut used: Vec<String> = Vec::new();
    let mut body = String::new();
    for spec in OPERATIONS {
        let names = OperationNames::of(spec);
        let query = query_type_of(spec);
        let page = page_type_of(spec);
        for t in [query.clone(), page.to_owned()] {
            if !used.contains(&t) {
                used.push(t);
            }
        }
        let (describe_doc, pages_doc) = docs(spec);
        let bucket = if takes_bucket(spec) { "bucket: string, " } else { "" };
        let tags: Vec<String> = if takes_bucket(spec) { vec!["@param bucket `BucketName-APPID`, e.g. `examplebucket-1250000000`".to_owned()] } else { Vec::new() };
        body.push_str(&jsdoc(&describe_doc, &tags, "  "));
        writeln!(body, "  {}({bucket}query?: {query}, options?: CallOptions): Promise<{page}>;", names.js_describe).unwrap();
        body.push_str(&jsdoc(&pages_doc, &tags, "  "));
        writeln!(body, "  {}({bucket}query?: {query}, options?: PageOptions): PageIterator<{page}>;", names.js_pages).unwrap();
    }
    used.sort_unstable();
    writeln!(out, "import type {{ {} }} from './types';", used.join(", ")).unwrap();
    out.push_str("import type { CallOptions, PageIterator, PageOptions } from '../index';\n\n");
    out.push_str(&jsdoc("The describe calls of the core's table: every Client has these methods.", &[], ""));
    out.push_str("export interface Operations {\n");
    out.push_str(&body);
    out.push_str("}\n");
    out
}
