//! `operations_gen.go`: for every operation of the core's table, a method
//! for one page and a method for every page (which takes the walk's
//! `...PageOption` after the query), each one line over the
//! hand-written generic `describe` (calls.go) and `pages` (pager.go); and the table of
//! what was generated, which the guard test compares with the library's
//! `ci_operations()` at run time.

use super::{go_doc, go_ident, prologue, shape_stem, shape_variant};
use crate::header::Header;
use crate::names::OperationNames;
use cloud_infinite::{HostLevel, Param, OPERATIONS};
use std::fmt::Write;

/// The Go constant of a value of C enum `enum_name` whose short name is
/// `short`, checked to exist with `value` when given.
fn constant(header: &Header, enum_name: &str, short: &str, value: Option<u64>) -> String {
    let e = header.enumeration(enum_name);
    let v = e.variants.iter().find(|v| e.short_name(v) == short).unwrap_or_else(|| panic!("{enum_name} has no {short}"));
    if let Some(value) = value {
        assert_eq!(v.value, value, "{} in the header against the table", v.name);
    }
    format!("{}{}", super::go_type_name(enum_name), go_ident(short))
}

pub fn generate(header: &Header) -> String {
    let mut out = prologue(false, &["context", "iter"]);
    out.push_str(
        "\n// generatedOperation is one call as this package was generated for it.\n\
         type generatedOperation struct {\n\
         \toperation Operation\n\tname      string\n\tsnakeName string\n\tshape     Shape\n\thostLevel HostLevel\n\tparams    Param\n\
         \t// describe and pages name its two methods on *Client.\n\tdescribe string\n\tpages    string\n}\n\
         \n// generatedOperations are the calls of the table this package was generated\n\
         // from: the guard test fails when the linked library's ci_operations() lists\n\
         // another set.\n\
         var generatedOperations = []generatedOperation{\n",
    );
    let mut methods = String::new();
    for spec in OPERATIONS {
        let names = OperationNames::of(spec);
        let op = constant(header, "ci_operation", spec.snake_name, Some(spec.id.into()));
        let shape = constant(header, "ci_shape", shape_variant(spec.operation.shape()), None);
        let stem = shape_stem(spec.operation.shape());
        let (level, bucket_param, bucket_arg, of_bucket) = match spec.operation.host_level() {
            HostLevel::Service => ("service", "", "nil", String::new()),
            HostLevel::Bucket => ("bucket", " bucket string,", "&bucket", " of bucket (BucketName-APPID, e.g. \"examplebucket-1250000000\")".to_owned()),
        };
        let level = constant(header, "ci_host_level", level, None);
        let params: Vec<String> = Param::ALL
            .iter()
            .filter(|p| spec.takes(**p))
            .map(|p| constant(header, "ci_param", p.field_name(), Some(p.bit().into())))
            .collect();
        writeln!(
            out,
            "\t{{{op}, {:?}, {:?}, {shape}, {level}, {}, {:?}, {:?}}},",
            spec.name,
            spec.snake_name,
            params.join(" | "),
            names.go_describe,
            names.go_pages
        )
        .unwrap();
        methods.push('\n');
        methods.push_str(&go_doc(
            &format!(
                "{} calls {} ({} {}): one page of the {}{of_bucket}. q may be nil (no parameters). The context, errors and concurrency work as the package documentation says.",
                names.go_describe, spec.name, spec.method, spec.path, spec.summary
            ),
            "",
        ));
        writeln!(
            methods,
            "func (c *Client) {}(ctx context.Context,{bucket_param} q *{stem}Query) (*{stem}Page, error) {{\n\treturn describe(ctx, c, {op}, {bucket_arg}, q, go{stem}Page)\n}}",
            names.go_describe
        )
        .unwrap();
        methods.push('\n');
        methods.push_str(&go_doc(
            &format!(
                "{} walks every page of {} (the {}{of_bucket}) from q.PageNumber (default 1), through the library's pager, which fetches pages ahead in parallel once the first tells the TotalCount (see [WithConcurrency]) and yields them in order. q.Timeout bounds each page. Nothing is sent until the loop starts, and each range over the result walks afresh; see the package documentation for how a walk ends and how the context cancels it.",
                names.go_pages, spec.name, spec.summary
            ),
            "",
        ));
        writeln!(
            methods,
            "func (c *Client) {}(ctx context.Context,{bucket_param} q *{stem}Query, opts ...PageOption) iter.Seq2[*{stem}Page, error] {{\n\treturn pages(ctx, c, {op}, {bucket_arg}, q, opts, go{stem}Page)\n}}",
            names.go_pages
        )
        .unwrap();
    }
    out.push_str("}\n");
    out.push_str(&methods);
    out
}
