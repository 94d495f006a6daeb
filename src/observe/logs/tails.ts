/**
 * Live tails: one private Subject per log group someone tails, fed by the writer as each line
 * arrives. With no tail open the writer's only cost is one `size` check per line.
 */
import { filter, Observable, Subject } from 'rxjs';
import { compileFilterPattern } from './filter-pattern.js';
import type { TailedLogEvent } from './types.js';

export class LogTails {
  readonly #subjects = new Map<string, Subject<TailedLogEvent>>();

  /** True while anyone tails any group. */
  get active(): boolean {
    return this.#subjects.size > 0;
  }

  /** The Subject of a tailed group, or undefined when nobody tails it. */
  subject(logGroupName: string): Subject<TailedLogEvent> | undefined {
    return this.#subjects.get(logGroupName);
  }

  tail$(logGroupName: string, filterPattern: string | undefined): Observable<TailedLogEvent> {
    const matches = compileFilterPattern(filterPattern);
    return new Observable<TailedLogEvent>((subscriber) => {
      let subject = this.#subjects.get(logGroupName);
      if (!subject) {
        subject = new Subject<TailedLogEvent>();
        this.#subjects.set(logGroupName, subject);
      }
      const own = subject;
      const subscription = own.pipe(filter((e) => matches(e.message))).subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        if (!own.observed && this.#subjects.get(logGroupName) === own) this.#subjects.delete(logGroupName);
      };
    });
  }

  complete(): void {
    for (const subject of this.#subjects.values()) subject.complete();
    this.#subjects.clear();
  }
}
