'use strict';
// The packed JSON page (CI_PAGE_FORMAT_JSON), which every call and pager of
// the binding reads, against the item arrays (CI_PAGE_FORMAT_STRUCTS) of the
// same call: for every operation against a private emulator, the two pages
// must be the same objects, field by field and key by key. Its fixture is
// the built-in one plus a bucket whose strings JSON must escape (`"`, `\`,
// tab, newline), Unicode beyond the BMP, empty and absent fields, numbers
// past 2^53, and queues with NotifyConfig and KafkaConfig. Also: the row
// decoders on hand-written JSON, and that the public methods ask for JSON.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startEmulator, emulatorOptions, BUCKET, EMULATOR_BIN } = require('./emulator');
const expected = require('./expected');
const ci = require('..');
const { fns, koffi, types } = require('../lib/native');
const { PAGE_FORMAT, OPERATION, SCHEME, PROXY_MODE, SHAPE } = require('../lib/abi');
const { convertPage, convertJsonPage } = require('../lib/results');
const { toQuery } = require('../lib/query');
const { takeError } = require('../lib/errors');

const ESCAPES = 'escapes-1250000000';
// Every character JSON must escape that XML can carry, and some it need not.
const HOSTILE = [
  'quote " backslash \\ slash / tab\there',
  'new\nline and two\n\nlines',
  '队列-ünïcødé-😀-𝄞',
  '\u2028\u2029 line separators, \u007f DEL, \u0085 NEL, \ufeff BOM',
  '</script><![CDATA[x]]> &amp; <tag a="b">',
  '\\u0041 is not A, \\" nor "\\',
];
const BIG = '18446744073709551615'; // u64::MAX: JSON text past 2^53
const BIG53 = '9007199254740993'; // 2^53 + 1, which no double holds

const notify = (i) => {
  const s = (k) => HOSTILE[(i + k) % HOSTILE.length];
  switch (i % 4) {
    case 0:
      return {
        url: `http://callback.example.com/${s(0)}`, event: s(1), type: 'Kafka', state: 'On', result_format: s(2),
        mq_mode: null, mq_region: null, mq_name: null,
        kafka_config: { region: s(3), instance_id: s(4), topic: s(5) },
      };
    case 1:
      return {
        url: null, event: 'TaskFinish', type: 'Kafka', state: 'Off', result_format: null,
        mq_mode: '', mq_region: '', mq_name: '', kafka_config: { region: null, instance_id: '', topic: s(0) },
      };
    case 2:
      return { url: s(1), event: s(2), type: 'TDMQ', state: s(3), result_format: 'XML', mq_mode: s(4), mq_region: s(5), mq_name: s(0), kafka_config: null };
    default:
      return null;
  }
};

const queue = (i, kind) => ({
  queue_id: `p${kind}${String(i).padStart(31 - kind.length, '0')}`,
  name: i === 0 ? null : `${HOSTILE[i % HOSTILE.length]} #${i}`,
  state: i % 5 === 3 ? null : i % 2 ? 'Active' : 'Paused',
  notify_config: notify(i),
  max_size: i % 3 === 0 ? `__BIG${i % 2 ? '' : '53'}__` : i % 3 === 1 ? null : i,
  max_concurrent: i % 4 === 0 ? null : i % 4 === 1 ? 0 : `__BIG__`,
  category: i % 2 ? HOSTILE[(i + 1) % HOSTILE.length] : null,
  update_time: i % 3 ? '2022-08-09T16:23:11+0800' : '',
  create_time: i % 7 === 0 ? null : `2022-08-09T16:23:${String(i % 60).padStart(2, '0')}+0800`,
  bucket_id: i % 2 ? ESCAPES : null,
});

/** The built-in fixture, plus the escapes bucket in every list and with queues of every kind. */
function writeFixture(dir) {
  const fixture = JSON.parse(execFileSync(EMULATOR_BIN, ['--dump-fixture'], { encoding: 'utf8' }));
  const lists = {};
  const queues = {};
  for (const op of ci.operations()) {
    if (op.shape === SHAPE.BUCKETS) lists[op.snakeName] = op.snakeName === 'doc_buckets' ? { alias_bucket_id: HOSTILE[0] } : {};
    // The media queues' default category is Transcoding: give them that one.
    if (op.shape === SHAPE.QUEUES) {
      queues[op.snakeName] = Array.from({ length: 12 }, (_, i) => {
        const q = queue(i, op.snakeName.slice(0, 3));
        if (op.snakeName === 'media_queues') q.category = 'Transcoding';
        return q;
      });
    }
  }
  fixture.buckets.unshift({
    name: ESCAPES, region: 'ap-guangzhou', create_time: HOSTILE[2], bucket_lists: lists,
    ci: { bucket_name: HOSTILE[0], app_id: HOSTILE[1], status: HOSTILE[3], tags: { [HOSTILE[4]]: 'x' } },
    queues, fault: null,
  });
  const text = JSON.stringify(fixture).replaceAll('"__BIG__"', BIG).replaceAll('"__BIG53__"', BIG53);
  const file = path.join(dir, 'fixture.json');
  fs.writeFileSync(file, text);
  return file;
}

let dir;
let emu;
let fixture;
let client; // a native `ci_client *`

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-page-format-'));
  emu = await startEmulator(['--fixture', writeFixture(dir)]);
  fixture = await emu.fixture();
  const o = emulatorOptions(emu.addr);
  const out = [null];
  const err = fns.ci_client_new({
    secret_id: o.secretId, secret_key: o.secretKey, region: o.region, connect_to: o.connectTo,
    scheme: SCHEME.HTTP, proxy_mode: PROXY_MODE.DISABLED,
  }, out);
  if (err) throw takeError(fns, err);
  client = out[0];
});

test.after(async () => {
  if (client) fns.ci_free(client);
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(ci.liveObjects(), 0);
});

/** The raw `ci_page` and its JS page, read while it is live, then freed. */
function read(ptr) {
  try {
    return { raw: koffi.decode(ptr, types.ci_page), page: convertPage(ptr) };
  } finally {
    fns.ci_free(ptr);
  }
}

/** One page of `operation` in `format`. */
function describe(operation, bucket, query, format) {
  const out = [null];
  const err = fns.ci_describe(client, operation, bucket, { ...toQuery(query), page_format: format }, out);
  if (err) throw takeError(fns, err);
  return read(out[0]);
}

/** Every page of `operation` in `format`, through a pager. */
function walk(operation, bucket, query, format) {
  const out = [null];
  const err = fns.ci_pager_new(client, operation, bucket, { ...toQuery(query), page_format: format, has_concurrency: 1, concurrency: 3 }, out);
  if (err) throw takeError(fns, err);
  const pager = out[0];
  const pages = [];
  try {
    for (;;) {
      const next = [null];
      const e = fns.ci_pager_next(pager, next);
      if (e) throw takeError(fns, e);
      if (!next[0]) return pages;
      pages.push(read(next[0]));
    }
  } finally {
    fns.ci_free(pager);
  }
}

/** What a raw page of `format` must hold: the JSON text or the item arrays, never both. */
function checkRaw(raw, format, what) {
  if (format === PAGE_FORMAT.STRUCTS) {
    assert.equal(raw.json, null, `${what}: a STRUCTS page has no JSON`);
    assert.equal(Number(raw.jsonSize), 0, what);
    return;
  }
  assert.equal(typeof raw.json, 'string', `${what}: a JSON page has its text`);
  const text = raw.json;
  assert.ok(text.startsWith('{"items":['), `${what}: ${text.slice(0, 40)}`);
  assert.match(text, /,"non_exist_pids":\[.*\]\}$/s, what);
  assert.equal(Buffer.byteLength(text, 'utf8'), Number(raw.jsonSize), `${what}: json_size counts the bytes`);
  for (const f of ['bucketsLen', 'ciBucketsLen', 'queuesLen', 'nonExistPidsLen']) assert.equal(Number(raw[f]), 0, `${what}: ${f}`);
}

/** The two pages of one call are the same objects, keys in the same order, but for their request ids. */
function assertSamePage(fromJson, fromStructs, what) {
  for (const p of [fromJson, fromStructs]) assert.equal(typeof p.requestId, 'string', `${what}: a request id`);
  const strip = ({ requestId, ...rest }) => rest;
  assert.deepStrictEqual(strip(fromJson), strip(fromStructs), what);
  // Same keys in the same order at every level (one hidden class per type).
  assert.equal(JSON.stringify(strip(fromJson)), JSON.stringify(strip(fromStructs)), `${what}: key order`);
}

function items(page) {
  return page.queues ?? page.buckets;
}

/** The calls to make of each operation: [bucket, query]. */
function callsOf(op) {
  if (op.hostLevel === 2) {
    const ids = (fixture.buckets.find((b) => b.name === ESCAPES).queues[op.snakeName] || []).map((q) => q.queue_id);
    return [
      [ESCAPES, { pageSize: 100 }],
      [ESCAPES, { pageSize: 5, pageNumber: 2 }],
      [BUCKET, { pageSize: 100 }],
      [BUCKET, { pageSize: 3, state: 'Paused' }],
      [ESCAPES, { queueIds: [ids[2], 'pnotthere0000000000000000000000001', ids[0], 'pnotthere0000000000000000000000002'] }],
      ['emptybucket-1250000000', {}],
    ];
  }
  return [[null, { pageSize: 100 }], [null, { pageSize: 100, pageNumber: 2 }], [null, {}]];
}

test('every operation: the JSON page equals the STRUCTS page of the same call, field by field', () => {
  let compared = 0;
  let hostile = 0;
  const escapes = new Set();
  for (const op of ci.operations()) {
    for (const [bucket, query] of callsOf(op)) {
      const what = `${op.name} ${bucket ?? ''} ${JSON.stringify(query)}`;
      const s = describe(op.operation, bucket, query, PAGE_FORMAT.STRUCTS);
      const j = describe(op.operation, bucket, query, PAGE_FORMAT.JSON);
      checkRaw(s.raw, PAGE_FORMAT.STRUCTS, what);
      checkRaw(j.raw, PAGE_FORMAT.JSON, what);
      assertSamePage(j.page, s.page, what);
      for (const e of ['\\"', '\\\\', '\\t', '\\n', '😀', '\u2028']) if (j.raw.json.includes(e)) escapes.add(e);
      compared += items(j.page).length;
      if (JSON.stringify(items(j.page)).includes('😀')) hostile++;
    }
  }
  assert.ok(compared > 500, `${compared} items compared`);
  assert.ok(hostile >= 13, 'every operation met the hostile strings');
  assert.deepStrictEqual([...escapes].sort(), ['\\"', '\\\\', '\\n', '\\t', '\u2028', '😀'].sort(), 'the texts held escapes and raw UTF-8');
});

test('every operation: a walk in JSON pages equals the walk in STRUCTS pages', () => {
  for (const op of ci.operations()) {
    const bucket = op.hostLevel === 2 ? ESCAPES : null;
    const s = walk(op.operation, bucket, { pageSize: 7 }, PAGE_FORMAT.STRUCTS);
    const j = walk(op.operation, bucket, { pageSize: 7 }, PAGE_FORMAT.JSON);
    assert.equal(j.length, s.length, op.name);
    assert.ok(j.length >= 2, `${op.name}: more than one page`);
    j.forEach((p, i) => {
      checkRaw(p.raw, PAGE_FORMAT.JSON, `${op.name} page ${i + 1}`);
      checkRaw(s[i].raw, PAGE_FORMAT.STRUCTS, `${op.name} page ${i + 1}`);
      assertSamePage(p.page, s[i].page, `${op.name} page ${i + 1}`);
    });
  }
});

test('the JSON page carries the hostile strings and big numbers exactly as the fixture has them', () => {
  for (const op of ci.operations()) {
    if (op.shape === SHAPE.QUEUES) {
      const { page } = describe(op.operation, ESCAPES, { pageSize: 100 }, PAGE_FORMAT.JSON);
      const want = expected.queues(fixture, ESCAPES, op.snakeName);
      assert.deepStrictEqual(page.queues, want, op.name);
      assert.ok(page.queues.some((q) => q.notifyConfig && q.notifyConfig.kafkaConfig), `${op.name}: a KafkaConfig`);
      assert.ok(page.queues.some((q) => q.maxSize === Number(BigInt(BIG))), `${op.name}: u64::MAX`);
      assert.ok(page.queues.some((q) => q.maxSize === Number(BigInt(BIG53))), `${op.name}: 2^53 + 1`);
    } else if (op.shape === SHAPE.BUCKETS) {
      const { page } = describe(op.operation, null, { bucketNames: [ESCAPES] }, PAGE_FORMAT.JSON);
      assert.deepStrictEqual(page.buckets, expected.buckets(fixture, op.snakeName).filter((b) => b.name === ESCAPES), op.name);
    } else {
      const { page } = describe(op.operation, null, { bucketName: ESCAPES }, PAGE_FORMAT.JSON);
      assert.deepStrictEqual(page.buckets, expected.ciBuckets(fixture).filter((b) => b.bucket.bucketId === ESCAPES).map((b) => b.bucket), op.name);
    }
  }
  const { page } = describe(OPERATION.AI_QUEUES, ESCAPES, { queueIds: ['p"quoted\\back😀'] }, PAGE_FORMAT.JSON);
  assert.deepStrictEqual(page.nonExistPids, ['p"quoted\\back😀']);
});

test('a page format the core does not know is refused', () => {
  const out = [null];
  const err = fns.ci_describe(client, OPERATION.PIC_BUCKETS, null, { ...toQuery({}), page_format: 2 }, out);
  assert.notEqual(err, null);
  const e = takeError(fns, err);
  assert.equal(e.kind, 'invalid_argument');
});

test('the row decoders on hand-written JSON', () => {
  const head = (operation) => ({
    operation, requestId: 'req-1',
    paging: { hasTotalCount: true, totalCount: 2, hasPageNumber: false, pageNumber: 0, hasPageSize: true, pageSize: 10n },
  });
  const queues = convertJsonPage(head(OPERATION.MEDIA_QUEUES), String.raw`{"items":[` +
    String.raw`["p1","n\"a\\m\te\n😀","Active",["u",null,"Kafka","On",null,"","r","n",["ap-x","ins",null]],18446744073709551615,3,"c","u1",null,"b"],` +
    String.raw`["p2",null,null,null,null,null,null,null,null,null]],"non_exist_pids":["x\"y","\u00e9"]}`);
  assert.deepStrictEqual(queues, {
    requestId: 'req-1', totalCount: 2, pageNumber: null, pageSize: 10,
    queues: [
      {
        queueId: 'p1', name: 'n"a\\m\te\n😀', state: 'Active',
        notifyConfig: {
          url: 'u', event: null, type: 'Kafka', state: 'On', resultFormat: null, mqMode: '', mqRegion: 'r', mqName: 'n',
          kafkaConfig: { region: 'ap-x', instanceId: 'ins', topic: null },
        },
        maxSize: 18446744073709551615, maxConcurrent: 3, category: 'c', updateTime: 'u1', createTime: null, bucketId: 'b',
      },
      { queueId: 'p2', name: null, state: null, notifyConfig: null, maxSize: null, maxConcurrent: null, category: null, updateTime: null, createTime: null, bucketId: null },
    ],
    nonExistPids: ['x"y', 'é'],
  });
  assert.deepStrictEqual(convertJsonPage(head(OPERATION.DOC_BUCKETS), '{"items":[["a-1","a","ap-x","t",null]],"non_exist_pids":[]}').buckets,
    [{ bucketId: 'a-1', name: 'a', region: 'ap-x', createTime: 't', aliasBucketId: null }]);
  assert.deepStrictEqual(convertJsonPage(head(OPERATION.CI_BUCKETS), '{"items":[["a-1","a","1","t","ap-x","on"]],"non_exist_pids":[]}').buckets,
    [{ bucketId: 'a-1', bucketName: 'a', appId: '1', createTime: 't', region: 'ap-x', status: 'on' }]);
  const empty = convertJsonPage(head(OPERATION.PIC_BUCKETS), '{"items":[],"non_exist_pids":[]}');
  assert.deepStrictEqual(empty.buckets, []);
  assert.equal('nonExistPids' in empty, false, 'a bucket page has no nonExistPids');
});

test('every describe call and pager of the public API asks for JSON pages', async () => {
  const seen = [];
  const { ci_describe: describeFn, ci_pager_new: pagerNew } = fns;
  const spyAsync = (...args) => {
    seen.push(['describe', args[3].page_format]);
    return describeFn.async(...args);
  };
  fns.ci_describe = Object.assign((...args) => describeFn(...args), { async: spyAsync });
  fns.ci_pager_new = (...args) => {
    seen.push(['pager', args[3].page_format]);
    return pagerNew(...args);
  };
  const c = new ci.Client(emulatorOptions(emu.addr));
  try {
    const ac = new AbortController();
    await c.describeAiQueues(ESCAPES);
    await c.describeAiQueues(ESCAPES, { pageSize: 2 }, { signal: ac.signal });
    await c.describePicBuckets(null);
    for await (const p of c.ciBucketPages({ pageSize: 100 }, { concurrency: 2 })) assert.ok(p.buckets.length > 0);
    for await (const p of c.fileQueuePages(ESCAPES, undefined, { signal: ac.signal })) assert.ok(p.queues.length > 0);
  } finally {
    fns.ci_describe = describeFn;
    fns.ci_pager_new = pagerNew;
    c.close();
  }
  assert.deepStrictEqual(seen, [
    ['describe', PAGE_FORMAT.JSON], ['describe', PAGE_FORMAT.JSON], ['describe', PAGE_FORMAT.JSON],
    ['pager', PAGE_FORMAT.JSON], ['pager', PAGE_FORMAT.JSON],
  ]);
});
