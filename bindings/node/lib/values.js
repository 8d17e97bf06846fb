'use strict';
/**
 * JS values to C ones, for lib/query.js and the client options. They
 * check only what a conversion needs (the JS type, an integer range, no
 * NUL inside a string); every rule of the service is the core's to check.
 * @module cloud-infinite/lib/values
 * @private
 */

const { invalid } = require('./errors');

/** Whether a field was given: undefined and null mean "not set". */
function given(value) {
  return value !== undefined && value !== null;
}

/** A string field, or null when not given. */
function optString(value, what) {
  if (!given(value)) return null;
  if (typeof value !== 'string') throw invalid(`${what} must be a string, not ${typeof value}`);
  // A C string ends at the first NUL: the rest would be dropped unseen.
  if (value.includes('\0')) throw invalid(`${what} must not contain a NUL character`);
  return value;
}

/** A list of strings, or null when not given or empty (both send nothing). */
function optStringList(value, what) {
  if (!given(value)) return null;
  if (!Array.isArray(value)) throw invalid(`${what} must be an array of strings`);
  if (value.length === 0) return null;
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== 'string') throw invalid(`${what}[${i}] must be a string, not ${typeof value[i]}`);
    optString(value[i], `${what}[${i}]`);
  }
  return value;
}

/** The `has_` flag of an optional number: 1 when given, else 0. */
function isSet(value) {
  return given(value) ? 1 : 0;
}

/**
 * An optional integer field of C type uint64 (or uint32 with `max`): 0
 * when not given (its `has_` flag says so), else the value, 0 included,
 * for the core to accept or refuse.
 */
function optUint64(value, what, max = Number.MAX_SAFE_INTEGER) {
  if (!given(value)) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw invalid(`${what} must be an integer from 0 to ${max} (omit it for the default), not ${String(value)}`);
  }
  return value;
}

/** A string naming an enum value (`values` maps names to numbers), or 0 when not given. */
function optEnum(value, values, what) {
  if (!given(value)) return 0;
  const n = typeof value === 'string' && Object.hasOwn(values, value) ? values[value] : undefined;
  if (n === undefined) {
    const names = Object.keys(values).map((k) => JSON.stringify(k)).join(' or ');
    throw invalid(`${what} must be ${names} (omit it for any), not ${JSON.stringify(value)}`);
  }
  return n;
}

/** `obj` as an options object whose keys are all in `allowed`; {} for undefined/null. */
function checkKeys(obj, allowed, what) {
  if (!given(obj)) return {};
  if (typeof obj !== 'object' || Array.isArray(obj)) throw invalid(`${what} must be an object`);
  for (const key in obj) {
    // A misspelt field would otherwise be ignored without a word.
    if (Object.hasOwn(obj, key) && !allowed.includes(key)) {
      throw invalid(`unknown ${what} field "${key}"; known: ${allowed.join(', ')}`);
    }
  }
  return obj;
}

module.exports = { given, optString, optStringList, isSet, optUint64, optEnum, checkKeys };
