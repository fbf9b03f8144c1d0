// Spans as an OpenTelemetry SDK exports them (OTLP/JSON over HTTP), sent to a test server's OTLP
// port with plain fetch: the APM browser tests' and the trace bench's data.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';

export const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');
/** A trace id as the API writes it: the low 64 bits in decimal. */
export const decimalId = (traceHex) => BigInt(`0x${traceHex.slice(16)}`).toString();
export const attr = (key, value) => (typeof value === 'number'
  ? { key, value: { intValue: String(value) } }
  : { key, value: { stringValue: value } });

/** An OTLP span: `kind` 2 is server, 3 client; times in ms since the epoch. */
export function span({ traceId, spanId = hex(8), parent = '', name, kind = 2, startMs, durationMs, attributes = [], error = false }) {
  const startNs = BigInt(Math.round(startMs * 1e6));
  return {
    traceId,
    spanId,
    parentSpanId: parent,
    name,
    kind,
    startTimeUnixNano: String(startNs),
    endTimeUnixNano: String(startNs + BigInt(Math.round(durationMs * 1e6))),
    attributes,
    status: { code: error ? 2 : 1 },
  };
}

/** Posts spans grouped by service as one OTLP/JSON request. */
export async function sendSpans(server, byService) {
  const body = {
    resourceSpans: Object.entries(byService).map(([service, spans]) => ({
      resource: { attributes: [attr('service.name', service), attr('host.name', 'e2e-host'), attr('deployment.environment', 'e2e'), attr('env', 'e2e')] },
      scopeSpans: [{ spans }],
    })),
  };
  const response = await fetch(`${server.otlpBase}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `OTLP answered ${response.status}: ${await response.text()}`);
}

/** A request to shop-web's GET /orders that calls shop-api's GET /stock, which queries sqlite. */
export function orderTrace(startMs, { error = false, version = '1.0', durationMs = 40 } = {}) {
  const traceId = hex(16);
  const root = span({
    traceId, name: 'GET /orders', startMs, durationMs,
    attributes: [attr('http.method', 'GET'), attr('http.route', '/orders'), attr('http.status_code', error ? 500 : 200), attr('version', version)],
    error,
  });
  const call = span({
    traceId, parent: root.spanId, name: 'GET', kind: 3, startMs: startMs + 5, durationMs: 30,
    attributes: [attr('http.method', 'GET'), attr('http.url', 'http://shop-api/stock')],
  });
  const stock = span({
    traceId, parent: call.spanId, name: 'GET /stock', startMs: startMs + 6, durationMs: 28,
    attributes: [attr('http.method', 'GET'), attr('http.route', '/stock')],
  });
  const query = span({
    traceId, parent: stock.spanId, name: 'sqlite.query', kind: 3, startMs: startMs + 8, durationMs: 20,
    attributes: [attr('db.system', 'sqlite'), attr('db.statement', 'select id, count from stock where id = ? and count > 0 order by id')],
  });
  return { traceId, web: [root, call], api: [stock, query] };
}

/**
 * Sends one trace of 20,000 spans of `big-svc` that started `startMs` and lasts 2 s: a root, 200
 * children, each with 99 grandchildren (but the last), in batches of 2,000. Returns its hex id.
 */
export async function sendBigTrace(server, startMs) {
  const traceId = hex(16);
  const all = [];
  const root = span({ traceId, name: 'GET /big', startMs, durationMs: 2_000, attributes: [attr('http.method', 'GET'), attr('http.route', '/big')] });
  all.push(root);
  for (let c = 0; c < 200; c += 1) {
    const child = span({ traceId, parent: root.spanId, name: `step ${c}`, kind: 1, startMs: startMs + c * 10, durationMs: 9 });
    all.push(child);
    for (let g = 0; g < 99; g += 1) {
      all.push(span({ traceId, parent: child.spanId, name: `leaf ${c}.${g}`, kind: 1, startMs: startMs + c * 10 + g * 0.09, durationMs: 0.08 }));
    }
  }
  all.pop();
  for (let i = 0; i < all.length; i += 2_000) {
    await sendSpans(server, { 'big-svc': all.slice(i, i + 2_000) });
  }
  return traceId;
}
