import { isNoSuchEntity, ResourceNotLoadedError } from './errors.js';
import type { IAM } from './iam.js';

/** Internal: stores data the library already has (from a create or a list) without a request. */
export const SET_DATA: unique symbol = Symbol('iamd.client.setData');

/**
 * What every resource shares: the IAM it talks through, and lazily loaded attributes.
 *
 * Attributes are read synchronously, so they must be loaded first: `await resource.load()`
 * fetches them (again, each time it is called; `reload()` is the same call). Resources that a
 * create call or a collection returns come loaded with the data that call answered. Reading an
 * attribute that was never loaded throws {@link ResourceNotLoadedError}; identifiers (a user's
 * name, a policy's ARN) are always available.
 *
 * @typeParam D - the SDK's shape of the resource's data (e.g. the SDK's `User`).
 */
export abstract class Resource<D extends object> {
  /** The IAM entry point this resource sends its requests through. */
  readonly iam: IAM;
  #data: D | undefined;

  /** @param iam - the IAM entry point to send requests through. */
  protected constructor(iam: IAM) {
    this.iam = iam;
  }

  /** The loaded data, in the SDK's PascalCase shape, or `undefined` before the first load. */
  get data(): Readonly<D> | undefined {
    return this.#data;
  }

  /** Whether the attributes have been loaded. */
  get loaded(): boolean {
    return this.#data !== undefined;
  }

  /**
   * Fetches the resource's attributes from IAM and returns the resource itself.
   *
   * @throws {@link IamClientError} `NoSuchEntity` when the resource does not exist.
   */
  async load(): Promise<this> {
    this.#data = await this.fetch();
    return this;
  }

  /** The same as {@link Resource.load}: fetches the attributes again. */
  reload(): Promise<this> {
    return this.load();
  }

  /** Whether the resource exists now: a load that answers `NoSuchEntity` is `false`. */
  async exists(): Promise<boolean> {
    try {
      await this.load();
      return true;
    } catch (e) {
      if (isNoSuchEntity(e)) return false;
      throw e;
    }
  }

  /** @internal */
  [SET_DATA](data: D | undefined): this {
    this.#data = data;
    return this;
  }

  /** How the resource reads in messages, e.g. `User("alice")`. */
  abstract toString(): string;

  /** Fetches the data `load()` stores. */
  protected abstract fetch(): Promise<D>;

  /** Reads one loaded attribute, or throws {@link ResourceNotLoadedError}. */
  protected attribute<K extends keyof D>(key: K, name: string): D[K] {
    if (this.#data === undefined) throw new ResourceNotLoadedError(this.toString(), name);
    return this.#data[key];
  }
}
