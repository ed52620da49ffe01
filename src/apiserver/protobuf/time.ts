// JSON forms of meta/v1 Time (RFC 3339, whole seconds) and MicroTime (RFC 3339, microseconds), both in UTC.
// A zero timestamp is Go's zero time, which both write as null: returned as undefined.

function rfc3339(seconds: number): string {
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) throw new RangeError('Time.MarshalJSON: year outside of range [0,9999]');
  return date.toISOString().slice(0, 19);
}

export function time(seconds: number, nanos: number): string | undefined {
  if (seconds === 0 && nanos === 0) return undefined;
  return `${rfc3339(seconds)}Z`;
}

export function microTime(seconds: number, nanos: number): string | undefined {
  if (seconds === 0 && nanos === 0) return undefined;
  return `${rfc3339(seconds)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}
