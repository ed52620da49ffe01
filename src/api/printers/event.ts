// core/v1 Event table: LAST SEEN from lastTimestamp, eventTime or series; OBJECT as lowercased kind/name.

import { translateTimestampSince } from '../../machinery/duration.js';
import { column, nameColumn, wide } from './columns.js';
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import type { TablePrinter } from './types.js';

/** formatEventSource: component (or reportingComponent), then `, host` (or reportingInstance) when present. */
function eventSource(ev: Loose<Event>): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: TablePrinter<Loose<Event>> = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'string', 'The object that this event is about.'),
    wide('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.'),
    wide('Source', 'The component reporting this event. Should be a short machine understandable string.'),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    wide('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    wide('Count', 'The number of times this event has occurred.'),
    nameColumn(1),
  ],
  cells(ev, now) {
    const firstSeen = ev.firstTimestamp
      ? translateTimestampSince(ev.firstTimestamp, now)
      : translateTimestampSince(ev.eventTime, now);
    let lastSeen = ev.lastTimestamp ? translateTimestampSince(ev.lastTimestamp, now) : firstSeen;
    let count: number = ev.count ?? 0;
    if (ev.series) {
      lastSeen = translateTimestampSince(ev.series.lastObservedTime, now);
      count = ev.series.count ?? 0;
    } else if (count === 0) {
      // Singleton events of the events.k8s.io API carry no count.
      count = 1;
    }
    const involved = ev.involvedObject ?? {};
    const kind = String(involved.kind ?? '').toLowerCase();
    const target = involved.name ? `${kind}/${involved.name}` : kind;
    return [
      lastSeen,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      involved.fieldPath ?? '',
      eventSource(ev),
      String(ev.message ?? '').trim(),
      firstSeen,
      count,
      ev.metadata?.name ?? '',
    ];
  },
};
