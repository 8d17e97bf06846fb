'use strict';
/**
 * The C ABI of libcloud_infinite as koffi sees it: where the library is,
 * mirrors of its structs, its functions. Nothing here knows about the
 * public JS API; index.js converts between the two.
 * @module cloud-infinite/lib/native
 * @private
 */

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');

// The core runs Rust code (TLS handshakes above all) that needs far more
// stack than koffi's default 128 KiB for async calls: with it, an HTTPS
// call overflows and the process dies with SIGSEGV. Give async calls what a
// Rust thread gets by default. koffi only takes settings before its first
// library is loaded, so when another package loaded one first, check instead.
const ASYNC_STACK_BYTES = 2 * 1024 * 1024;
if (koffi.config().async_stack_size < ASYNC_STACK_BYTES) {
  try {
    koffi.config({ ...koffi.config(), async_stack_size: ASYNC_STACK_BYTES });
  } catch (e) {
    throw new Error(
      `cloud-infinite: koffi's async stack is ${koffi.config().async_stack_size} bytes and can no longer be changed ` +
        `(${e.message}); the native core needs ${ASYNC_STACK_BYTES}. Load cloud-infinite before any other koffi library, ` +
        `or call koffi.config({ async_stack_size: ${ASYNC_STACK_BYTES} }) first.`,
    );
  }
}

/** The C ABI version this binding was written for (CI_ABI_VERSION). */
const ABI_VERSION = 2;

const LIB_NAMES = {
  linux: 'libcloud_infinite.so',
  darwin: 'libcloud_infinite.dylib',
  win32: 'cloud_infinite.dll',
};

/**
 * Where to load the library from, first match wins:
 * 1. `CLOUD_INFINITE_LIB`, a path to the shared library (explicit choice);
 * 2. the copy `npm pack` bundles in `native/<platform>-<arch>/`;
 * 3. a build in the source tree this package sits in (`target/debug`,
 *    then `target/release`), for working on the repository itself.
 * Debug comes before release in the tree because `make build` makes the
 * debug build, so it is the one that matches the current sources.
 * @returns {{ candidates: string[], chosen: string | undefined }}
 */
function locateLibrary() {
  const name = LIB_NAMES[process.platform] || LIB_NAMES.linux;
  const root = path.resolve(__dirname, '..');
  const explicit = process.env.CLOUD_INFINITE_LIB;
  if (explicit) return { candidates: [explicit], chosen: explicit };
  const candidates = [
    path.join(root, 'native', `${process.platform}-${process.arch}`, name),
    path.resolve(root, '..', '..', 'target', 'debug', name),
    path.resolve(root, '..', '..', 'target', 'release', name),
  ];
  return { candidates, chosen: candidates.find((p) => fs.existsSync(p)) };
}

const { candidates, chosen: libraryPath } = locateLibrary();
if (!libraryPath) {
  throw new Error(
    'cloud-infinite: the native library was not found; looked at ' +
      candidates.join(', ') +
      '. Build it with `cargo build --release --lib` in the repository, or set CLOUD_INFINITE_LIB to its path.',
  );
}

let lib;
try {
  lib = koffi.load(libraryPath);
} catch (e) {
  throw new Error(`cloud-infinite: cannot load the native library ${libraryPath}: ${e.message}`);
}

// Only these two are declared before the check: a library of another ABI
// may lack the other symbols, and the check must be what reports it.
const ci_abi_version = lib.func('uint32_t ci_abi_version(void)');
const ci_struct_size = lib.func('size_t ci_struct_size(uint32_t which)');

const abi = ci_abi_version();
if (abi !== ABI_VERSION) {
  throw new Error(
    `cloud-infinite: ${libraryPath} implements C ABI version ${abi}, but this package was written for version ${ABI_VERSION}; ` +
      'install the cloud-infinite package that matches the library (or the library that matches the package).',
  );
}

// Mirrors of the header's structs, member for member. Typed pointers to
// result structs are declared `void *` so that koffi hands back the raw
// address: the arrays behind them are decoded with their lengths.
const ClientOptions = koffi.struct('ci_client_options', {
  from_env: 'uint8_t',
  secret_id: 'const char *',
  secret_key: 'const char *',
  session_token: 'const char *',
  region: 'const char *',
  endpoint: 'const char *',
  connect_to: 'const char *',
  scheme: 'uint32_t',
  connect_timeout_ms: 'uint64_t',
  timeout_ms: 'uint64_t',
  has_max_retries: 'uint8_t',
  max_retries: 'uint32_t',
  retry_base_delay_ms: 'uint64_t',
  max_response_bytes: 'uint64_t',
  user_agent_suffix: 'const char *',
  proxy_mode: 'uint32_t',
  proxy_url: 'const char *',
  ca_file: 'const char *',
});

const PicBucketQuery = koffi.struct('ci_pic_bucket_query', {
  regions: 'const char **',
  regions_len: 'size_t',
  bucket_names: 'const char **',
  bucket_names_len: 'size_t',
  bucket_name_prefix: 'const char *',
  page_number: 'uint64_t',
  page_size: 'uint64_t',
  timeout_ms: 'uint64_t',
});

const AiQueueQuery = koffi.struct('ci_ai_queue_query', {
  queue_ids: 'const char **',
  queue_ids_len: 'size_t',
  state: 'uint32_t',
  category: 'const char *',
  page_number: 'uint64_t',
  page_size: 'uint64_t',
  timeout_ms: 'uint64_t',
});

const PicBucket = koffi.struct('ci_pic_bucket', {
  bucket_id: 'const char *',
  name: 'const char *',
  region: 'const char *',
  create_time: 'const char *',
});

const PicBucketPage = koffi.struct('ci_pic_bucket_page', {
  request_id: 'const char *',
  has_total_count: 'bool',
  total_count: 'uint64_t',
  has_page_number: 'bool',
  page_number: 'uint64_t',
  has_page_size: 'bool',
  page_size: 'uint64_t',
  buckets: 'void *',
  buckets_len: 'size_t',
});

const NotifyConfig = koffi.struct('ci_notify_config', {
  url: 'const char *',
  event: 'const char *',
  type: 'const char *',
  state: 'const char *',
  result_format: 'const char *',
  mq_mode: 'const char *',
  mq_region: 'const char *',
  mq_name: 'const char *',
});

const AiQueue = koffi.struct('ci_ai_queue', {
  queue_id: 'const char *',
  name: 'const char *',
  state: 'const char *',
  notify_config: 'void *',
  has_max_size: 'bool',
  max_size: 'uint64_t',
  has_max_concurrent: 'bool',
  max_concurrent: 'uint64_t',
  category: 'const char *',
  update_time: 'const char *',
  create_time: 'const char *',
});

const AiQueuePage = koffi.struct('ci_ai_queue_page', {
  request_id: 'const char *',
  has_total_count: 'bool',
  total_count: 'uint64_t',
  has_page_number: 'bool',
  page_number: 'uint64_t',
  has_page_size: 'bool',
  page_size: 'uint64_t',
  queues: 'void *',
  queues_len: 'size_t',
  non_exist_pids: 'void *',
  non_exist_pids_len: 'size_t',
});

const Kv = koffi.struct('ci_kv', {
  name: 'const char *',
  value: 'const char *',
});

const SignRequest = koffi.struct('ci_sign_request', {
  secret_id: 'const char *',
  secret_key: 'const char *',
  method: 'const char *',
  path: 'const char *',
  params: 'ci_kv *',
  params_len: 'size_t',
  headers: 'ci_kv *',
  headers_len: 'size_t',
  start_time: 'uint64_t',
  end_time: 'uint64_t',
});

const Signature = koffi.struct('ci_signature', {
  authorization: 'const char *',
  signature: 'const char *',
  header_list: 'const char *',
  param_list: 'const char *',
  http_string: 'const char *',
  string_to_sign: 'const char *',
});

/** Each mirror with its `ci_struct_id`. */
const MIRRORS = [
  [1, 'ci_client_options', ClientOptions],
  [2, 'ci_pic_bucket_query', PicBucketQuery],
  [3, 'ci_ai_queue_query', AiQueueQuery],
  [4, 'ci_pic_bucket', PicBucket],
  [5, 'ci_pic_bucket_page', PicBucketPage],
  [6, 'ci_notify_config', NotifyConfig],
  [7, 'ci_ai_queue', AiQueue],
  [8, 'ci_ai_queue_page', AiQueuePage],
  [9, 'ci_kv', Kv],
  [10, 'ci_sign_request', SignRequest],
  [11, 'ci_signature', Signature],
];

const mismatches = MIRRORS.filter(([id, , type]) => Number(ci_struct_size(id)) !== koffi.sizeof(type)).map(
  ([id, name, type]) => `${name}: ${koffi.sizeof(type)} bytes here, ${ci_struct_size(id)} in the library`,
);
if (mismatches.length) {
  throw new Error(
    `cloud-infinite: the struct layouts of ${libraryPath} differ from this package's mirrors (${mismatches.join('; ')}), ` +
      'although both say C ABI version 1: the library and the package come from different builds; reinstall them together.',
  );
}

// Opaque handles. koffi 3 passes every pointer as a BigInt address and
// checks no pointee type, so these names document the prototypes; the real
// guard is the library, which looks every handle up in its registry and
// reports a stale or foreign one as an error instead of using it.
koffi.opaque('ci_client');
koffi.opaque('ci_error');
koffi.opaque('ci_pic_bucket_pager');
koffi.opaque('ci_ai_queue_pager');

// Result out-parameters are `void **` on purpose: typed as
// `ci_pic_bucket_page **`, koffi would decode the struct and drop the
// address that ci_free needs.
const fns = {
  ci_version: lib.func('const char *ci_version(void)'),
  ci_free: lib.func('int32_t ci_free(void *object)'),
  ci_live_objects: lib.func('size_t ci_live_objects(void)'),
  ci_client_new: lib.func('ci_error *ci_client_new(const ci_client_options *options, _Out_ ci_client **out)'),
  ci_describe_pic_buckets: lib.func(
    'ci_error *ci_describe_pic_buckets(const ci_client *client, const ci_pic_bucket_query *query, _Out_ void **out)',
  ),
  ci_describe_ai_queues: lib.func(
    'ci_error *ci_describe_ai_queues(const ci_client *client, const char *bucket, const ci_ai_queue_query *query, _Out_ void **out)',
  ),
  ci_pic_bucket_pager_new: lib.func(
    'ci_error *ci_pic_bucket_pager_new(const ci_client *client, const ci_pic_bucket_query *query, _Out_ ci_pic_bucket_pager **out)',
  ),
  ci_pic_bucket_pager_next: lib.func('ci_error *ci_pic_bucket_pager_next(ci_pic_bucket_pager *pager, _Out_ void **out)'),
  ci_ai_queue_pager_new: lib.func(
    'ci_error *ci_ai_queue_pager_new(const ci_client *client, const char *bucket, const ci_ai_queue_query *query, _Out_ ci_ai_queue_pager **out)',
  ),
  ci_ai_queue_pager_next: lib.func('ci_error *ci_ai_queue_pager_next(ci_ai_queue_pager *pager, _Out_ void **out)'),
  ci_sign: lib.func('ci_error *ci_sign(const ci_sign_request *request, _Out_ void **out)'),
  ci_error_kind: lib.func('uint32_t ci_error_kind(const ci_error *error)'),
  ci_error_message: lib.func('const char *ci_error_message(const ci_error *error)'),
  ci_error_code: lib.func('const char *ci_error_code(const ci_error *error)'),
  ci_error_request_id: lib.func('const char *ci_error_request_id(const ci_error *error)'),
  ci_error_resource: lib.func('const char *ci_error_resource(const ci_error *error)'),
  ci_error_trace_id: lib.func('const char *ci_error_trace_id(const ci_error *error)'),
  ci_error_http_status: lib.func('uint16_t ci_error_http_status(const ci_error *error)'),
  ci_debug_panic: lib.func('ci_error *ci_debug_panic(const char *message)'),
};

module.exports = {
  koffi,
  libraryPath,
  ABI_VERSION,
  abiVersion: abi,
  fns,
  types: { ClientOptions, PicBucketQuery, AiQueueQuery, PicBucket, PicBucketPage, NotifyConfig, AiQueue, AiQueuePage, Kv, SignRequest, Signature },
};
