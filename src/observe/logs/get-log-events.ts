/**
 * GetLogEvents: one stream's events in a time range, a page at a time, with CloudWatch's two
 * tokens. `f/<pos>/s` reads on after position `pos`, `b/<pos>/s` reads back before it; a page
 * with nothing new answers the token it was given, which is how callers know they reached the
 * end. Events older than the group's retention are never returned, swept or not.
 */

import type { Sub } from '../../storage/storage.js';
import {
  isPosition,
  nextPosition,
  POSITION_END,
  position,
  previousPosition,
  type StreamState,
} from './catalog.js';
import { readBackward, readForward, type StoredEvent } from './reader.js';
import type { GetLogEventsResult } from './types.js';
import { invalidToken } from './validate.js';

export interface EventsQuery {
  /** Inclusive lower bound on timestamps (the later of startTime and the retention cutoff). */
  startTime: number;
  /** Exclusive upper bound. */
  endTime: number | undefined;
  limit: number;
  startFromHead: boolean;
  nextToken: string | undefined;
}

const forwardToken = (pos: string): string => `f/${pos}/s`;
const backwardToken = (pos: string): string => `b/${pos}/s`;

function parseToken(token: string): { forward: boolean; pos: string } {
  const forward = token.startsWith('f/');
  if (!(forward || token.startsWith('b/')) || !token.endsWith('/s')) return invalidToken(token);
  const pos = token.slice(2, -2);
  if (!isPosition(pos)) return invalidToken(token);
  return { forward, pos };
}

export async function getLogEvents(
  events: Sub<Buffer>,
  stream: StreamState,
  query: EventsQuery,
): Promise<GetLogEventsResult> {
  const lower = position(query.startTime, 0);
  const upper = query.endTime === undefined ? POSITION_END : position(query.endTime, 0);
  const token = query.nextToken === undefined ? undefined : parseToken(query.nextToken);
  const forward = token ? token.forward : query.startFromHead;
  const page: StoredEvent[] = [];
  if (forward) {
    const after = token?.pos ?? previousPosition(lower);
    const from = laterPosition(nextPosition(after), lower);
    for await (const event of readForward(events, stream.prefix, from)) {
      if (event.pos >= upper || page.length >= query.limit) break;
      page.push(event);
    }
    const first = page[0];
    const last = page[page.length - 1];
    return {
      events: page.map(output),
      nextForwardToken: forwardToken(last ? last.pos : after),
      nextBackwardToken: backwardToken(first ? first.pos : nextPosition(after)),
    };
  }
  const before = token?.pos ?? upper;
  const until = laterPosition(before, upper) === before ? upper : before;
  for await (const event of readBackward(events, stream.prefix, until)) {
    if (event.pos < lower || page.length >= query.limit) break;
    page.push(event);
  }
  page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  return {
    events: page.map(output),
    nextForwardToken: forwardToken(last ? last.pos : previousPosition(before)),
    nextBackwardToken: backwardToken(first ? first.pos : before),
  };
}

/** The later of two positions (fixed-width digits: text order is numeric order). */
const laterPosition = (a: string, b: string): string => (a.localeCompare(b) >= 0 ? a : b);

const output = (e: StoredEvent) => ({ timestamp: e.ts, message: e.message, ingestionTime: e.ts });
