/**
 * FilterLogEvents: the events of a group's streams that match a filter pattern, merged in
 * timestamp order (ties: stream name, then arrival), a page at a time. The token is the last
 * returned event's place in that order, so a page resumes exactly after it.
 */
import type { Sub } from '../../storage/storage.js';
import {
  isPosition,
  nextPosition,
  POSITION_END,
  position,
  positionTime,
  type StreamState,
} from './catalog.js';
import type { LogMatcher } from './filter-pattern.js';
import { readForward, type StoredEvent } from './reader.js';
import type { FilteredLogEvent, FilterLogEventsResult } from './types.js';
import { invalidToken } from './validate.js';

export interface FilterQuery {
  streams: StreamState[];
  startTime: number;
  endTime: number | undefined;
  matches: LogMatcher;
  limit: number;
  nextToken: string | undefined;
}

interface Resume {
  pos: string;
  stream: string;
}

function encodeToken(r: Resume): string {
  return Buffer.from(`${r.pos}\0${r.stream}`, 'utf8').toString('base64url');
}

function decodeToken(token: string): Resume {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const sep = text.indexOf('\0');
  const pos = text.slice(0, sep);
  if (sep < 0 || !isPosition(pos)) return invalidToken(token);
  return { pos, stream: text.slice(sep + 1) };
}

interface Cursor {
  stream: StreamState;
  events: AsyncGenerator<StoredEvent>;
  head: StoredEvent | undefined;
}

/** Where a stream's read starts so that it yields only events after `resume` in merge order. */
function startOf(stream: StreamState, lower: string, resume: Resume | undefined): string {
  if (!resume) return lower;
  const ts = positionTime(resume.pos);
  let from: string;
  if (stream.name < resume.stream) from = position(ts + 1, 0);
  else if (stream.name === resume.stream) from = nextPosition(resume.pos);
  else from = position(ts, 0);
  return from > lower ? from : lower;
}

const before = (a: Cursor, b: Cursor): boolean => {
  const x = a.head as StoredEvent;
  const y = b.head as StoredEvent;
  return x.ts !== y.ts ? x.ts < y.ts : a.stream.name < b.stream.name;
};

export async function filterLogEvents(
  events: Sub<Buffer>,
  query: FilterQuery,
): Promise<FilterLogEventsResult> {
  const resume = query.nextToken === undefined ? undefined : decodeToken(query.nextToken);
  const lower = position(query.startTime, 0);
  const upper = query.endTime === undefined ? POSITION_END : position(query.endTime, 0);
  const cursors: Cursor[] = [];
  for (const stream of query.streams) {
    const { firstEventTimestamp: first, lastEventTimestamp: last } = stream.meta;
    if (first === undefined || last === undefined || last < query.startTime) continue;
    if (query.endTime !== undefined && first >= query.endTime) continue;
    const cursor: Cursor = {
      stream,
      events: readForward(events, stream.prefix, startOf(stream, lower, resume)),
      head: undefined,
    };
    await advance(cursor, upper);
    if (cursor.head) cursors.push(cursor);
  }
  const found: FilteredLogEvent[] = [];
  let last: Resume | undefined;
  try {
    while (cursors.length > 0 && found.length < query.limit) {
      let min = 0;
      for (let i = 1; i < cursors.length; i++)
        if (before(cursors[i] as Cursor, cursors[min] as Cursor)) min = i;
      const cursor = cursors[min] as Cursor;
      const event = cursor.head as StoredEvent;
      if (query.matches(event.message)) {
        found.push({
          logStreamName: cursor.stream.name,
          timestamp: event.ts,
          message: event.message,
          ingestionTime: event.ts,
          eventId: event.pos + cursor.stream.tag,
        });
        last = { pos: event.pos, stream: cursor.stream.name };
      }
      await advance(cursor, upper);
      if (!cursor.head) cursors.splice(min, 1);
    }
  } finally {
    for (const cursor of cursors) await cursor.events.return(undefined);
  }
  const result: FilterLogEventsResult = { events: found };
  if (cursors.length > 0 && last) result.nextToken = encodeToken(last);
  return result;
}

async function advance(cursor: Cursor, upper: string): Promise<void> {
  const next = await cursor.events.next();
  cursor.head = next.done || next.value.pos >= upper ? undefined : next.value;
}
