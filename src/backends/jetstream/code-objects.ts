/**
 * Zip code in the object store `<prefix>_code`, one object per sha256, shared by every function
 * (every process) whose configuration names it; collected once no configuration does.
 *
 * The race to guard: a process creating (or updating) a function whose code is already stored
 * skips the upload and writes a configuration naming the object, while another process, having
 * found no configuration naming it, deletes it. The object's description (its last message on
 * `$O.<store>.M.<name>`) is the one point both touch, with conditional publishes:
 *
 * - A writer **pins** the object before and after writing the configuration: when it is there,
 *   its description is published again unchanged (so its stream sequence moves on); when it is
 *   gone, it is uploaded again (the writer has the bytes).
 * - A collector reads the description (its sequence), then checks that no configuration names
 *   the object, then publishes the deletion **expecting that sequence** (and purges the chunks).
 *
 * A collector whose read came before a writer's pin fails its deletion (the sequence moved). One
 * whose read came after the first pin and whose check came before the configuration was written
 * may delete the object, but the writer's second pin, after its configuration, then finds it gone
 * and uploads it again: a configuration never stays without its code. (In that moment, between
 * the deletion and the second pin, an invocation elsewhere could find the code missing; the
 * window is one configuration write of a create racing the collection of the same bytes.)
 */
import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Base64UrlPaddedCodec, type ObjectStore } from '@nats-io/obj';
import { headers } from '@nats-io/transport-node';

/** An object's stored description (the object store's own JSON) and its stream sequence. */
interface Stored {
  readonly seq: number;
  readonly info: { readonly nuid: string; readonly deleted?: boolean } & Record<string, unknown>;
}

/** A writer's pin tries again this often when its conditional publish keeps losing. */
const PIN_ROUNDS = 10;

export class CodeObjects {
  readonly #os: ObjectStore;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #store: string;
  readonly #stream: string;

  constructor(os: ObjectStore, js: JetStreamClient, jsm: JetStreamManager, store: string) {
    this.#os = os;
    this.#js = js;
    this.#jsm = jsm;
    this.#store = store;
    this.#stream = `OBJ_${store}`;
  }

  /** The bytes of the object, or undefined when there is none. */
  async get(sha: string): Promise<Uint8Array | undefined> {
    return (await this.#os.getBlob(sha)) ?? undefined;
  }

  /**
   * Makes the object present and moves its description on (see the file comment): call it
   * before and after writing a configuration that names it.
   */
  async pin(sha: string, zip: Uint8Array): Promise<void> {
    for (let round = 0; round < PIN_ROUNDS; round++) {
      const stored = await this.#last(sha);
      if (stored === undefined || stored.info.deleted) {
        await this.#os.putBlob({ name: sha }, zip);
        return;
      }
      if (await this.#publishIf(sha, stored.info, stored.seq)) return;
      // A collection or another pin came between: look again.
    }
    throw new Error(`the code object ${sha} kept changing under ${PIN_ROUNDS} pins`);
  }

  /**
   * Deletes the object unless `referenced` (asked after its description was read) says a
   * configuration names it, or its description moved since (a writer pinned it). True when
   * deleted.
   */
  async collect(sha: string, referenced: () => Promise<boolean>): Promise<boolean> {
    const stored = await this.#last(sha);
    if (stored === undefined || stored.info.deleted) return false;
    if (await referenced()) return false;
    return this.#delete(sha, stored);
  }

  /**
   * Collects every object no configuration names: each description is read before the one
   * listing of names `referenced` answers, so a pin after the read still wins.
   */
  async sweep(referenced: () => Promise<ReadonlySet<string>>): Promise<number> {
    const read: Array<[string, Stored]> = [];
    for (const sha of await this.#names()) {
      const stored = await this.#last(sha);
      if (stored !== undefined && !stored.info.deleted) read.push([sha, stored]);
    }
    if (read.length === 0) return 0;
    const names = await referenced();
    let deleted = 0;
    for (const [sha, stored] of read) {
      if (!names.has(sha) && (await this.#delete(sha, stored))) deleted++;
    }
    return deleted;
  }

  /**
   * Every object name, from the description subjects (one STREAM.INFO to the leader, as
   * kv-keys.ts does: the client's listing runs a consumer that may end early under load).
   */
  async #names(): Promise<string[]> {
    const prefix = `$O.${this.#store}.M.`;
    const info = await this.#jsm.streams.info(this.#stream, { subjects_filter: `${prefix}>` });
    return Object.keys(info.state.subjects ?? {}).map((subject) =>
      Buffer.from(subject.slice(prefix.length), 'base64url').toString('utf8'),
    );
  }

  async #delete(sha: string, stored: Stored): Promise<boolean> {
    const tombstone = { ...stored.info, deleted: true, size: 0, chunks: 0, digest: '' };
    if (!(await this.#publishIf(sha, tombstone, stored.seq))) return false;
    await this.#jsm.streams.purge(this.#stream, { filter: `$O.${this.#store}.C.${stored.info.nuid}` });
    return true;
  }

  /**
   * Publishes `info` as the object's description (rolling up the earlier ones, as the object
   * store does) if its last one is still at `seq`; false when another came first.
   */
  async #publishIf(sha: string, info: object, seq: number): Promise<boolean> {
    const h = headers();
    h.set('Nats-Rollup', 'sub');
    try {
      await this.#js.publish(this.#meta(sha), JSON.stringify(info), {
        headers: h,
        expect: { lastSubjectSequence: seq },
      });
      return true;
    } catch (err) {
      if (isWrongLast(err)) return false;
      throw err;
    }
  }

  async #last(sha: string): Promise<Stored | undefined> {
    try {
      // The plain message-get API answers from the stream leader (direct gets may lag).
      const msg = await this.#jsm.streams.getMessage(this.#stream, { last_by_subj: this.#meta(sha) });
      return msg ? { seq: msg.seq, info: msg.json<Stored['info']>() } : undefined;
    } catch (err) {
      if (err instanceof Error && /not found/i.test(err.message)) return undefined;
      throw err;
    }
  }

  #meta(sha: string): string {
    return `$O.${this.#store}.M.${Base64UrlPaddedCodec.encode(sha)}`;
  }
}

/** The server's refusal of a publish whose expected last subject sequence is not the last. */
function isWrongLast(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}
