import type { TimeSlice } from '../../domain/time-slice.js';
import { type Shape, type ServiceModel, shapeOf } from './model.js';

/**
 * The Query parameters an input shape can read, as a tree of name segments:
 * `Tags.member.2.Key=k` becomes root → Tags → member → 2 → Key (value k).
 *
 * Built in one pass over the parameters, so reading a request costs time in proportion to its
 * size. (Reading the flat names directly, "is anything named under Tags.member.2?" is a scan of
 * every parameter, once per list item: a 16,000-item list took 45 s.)
 *
 * Only names the shape can read are kept. A name that leaves the shape (an unknown member, an
 * index such as `01` that the reader never asks for) stops where it leaves: its last node is
 * marked `nested`, as AWS counts a structure present when anything is named under it, and the rest
 * is dropped. So the tree is never deeper than the shape, and never larger than the request; a
 * list the model bounds (Tags: 50) keeps at most one item more than its maximum.
 */
export interface ParameterNode {
  /** The value of the parameter named exactly by this node's path, if sent. */
  value: string | undefined;
  /** Whether any parameter is named under this node (`Tags.…` for Tags). */
  nested: boolean;
  children: Map<string, ParameterNode> | undefined;
}

/** What a name segment means at a node: a member of a structure, a list's items, a map's entries… */
type Role =
  | { kind: 'shape'; shape: Shape }
  | { kind: 'items'; item: Role; max: number } // under `member`: indexes up to max + 1
  | { kind: 'entries'; entry: Role } // under `entry`: indexes
  | { kind: 'entry'; value: Role } // `key` and `value`
  | { kind: 'leaf' };

const LEAF: Role = { kind: 'leaf' };

/**
 * 1, 2, … as the reader asks for them, up to `max`; undefined for anything else ('01', '-1', 'x').
 * The reader stops at the first missing item and refuses a list at item max + 1 of the model's
 * maximum, so no item beyond that is ever read, and none is kept.
 */
function index(segment: string, max: number): number | undefined {
  if (segment.length === 0 || segment.length > 7 || segment.charCodeAt(0) === 0x30) return undefined;
  let n = 0;
  for (let i = 0; i < segment.length; i++) {
    const digit = segment.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n <= max ? n : undefined;
}

/** No request holds a million items. */
const NO_MAX = 9_999_999;

export async function parameterTree(model: ServiceModel, shape: Shape, params: ReadonlyMap<string, string>, slice: TimeSlice): Promise<ParameterNode> {
  const root = node();
  root.nested = params.size > 0;
  const rootRole = roleOf(model, shape);
  let seen = 0;
  for (const [name, value] of params) {
    // A 1 MiB body is some 60,000 parameters: other requests get their turns meanwhile.
    if ((++seen & 0x3ff) === 0) await slice.checkpoint();
    let at = root;
    let role: Role | undefined = rootRole;
    let start = 0;
    for (;;) {
      const dot = name.indexOf('.', start);
      const segment = dot < 0 ? name.slice(start) : name.slice(start, dot);
      role = childRole(model, role, segment);
      if (role === undefined) break; // not a name this shape reads
      const children: Map<string, ParameterNode> = (at.children ??= new Map());
      let child = children.get(segment);
      if (!child) {
        child = node();
        children.set(segment, child);
      }
      at = child;
      if (dot < 0) {
        at.value = value;
        break;
      }
      at.nested = true;
      start = dot + 1;
    }
  }
  return root;
}

// Every node has the same fields from the start (one hidden class: the tree is built fast).
const node = (): ParameterNode => ({ value: undefined, nested: false, children: undefined });

function childRole(model: ServiceModel, role: Role, segment: string): Role | undefined {
  switch (role.kind) {
    case 'shape': {
      const { shape } = role;
      switch (shape.type) {
        case 'structure': {
          const member = membersByLocation(shape).get(segment);
          return member === undefined ? undefined : roleOf(model, shapeOf(model, member));
        }
        case 'list': {
          const items = itemsRole(model, shape);
          if (shape.flattened) return index(segment, items.max + 1) === undefined ? undefined : items.item;
          return segment === (shape.member!.locationName ?? 'member') ? items : undefined;
        }
        case 'map': {
          const entries = entriesRole(model, shape);
          if (shape.flattened) return index(segment, NO_MAX) === undefined ? undefined : entries.entry;
          return segment === 'entry' ? entries : undefined;
        }
        default:
          return undefined; // a scalar has nothing under it
      }
    }
    case 'items':
      return index(segment, role.max + 1) === undefined ? undefined : role.item;
    case 'entries':
      return index(segment, NO_MAX) === undefined ? undefined : role.entry;
    case 'entry':
      return segment === 'key' ? LEAF : segment === 'value' ? role.value : undefined;
    case 'leaf':
      return undefined;
  }
}

// Roles are made once per shape, not once per parameter.
const roles = new WeakMap<Shape, Role>();
const itemRoles = new WeakMap<Shape, Role & { kind: 'items' }>();
const entryRoles = new WeakMap<Shape, Role & { kind: 'entries' }>();

function roleOf(_model: ServiceModel, shape: Shape): Role {
  let role = roles.get(shape);
  if (!role) roles.set(shape, (role = { kind: 'shape', shape }));
  return role;
}

function itemsRole(model: ServiceModel, list: Shape): Role & { kind: 'items' } {
  let role = itemRoles.get(list);
  if (!role) itemRoles.set(list, (role = { kind: 'items', item: roleOf(model, shapeOf(model, list.member!.shape)), max: list.max ?? NO_MAX }));
  return role;
}

function entriesRole(model: ServiceModel, map: Shape): Role & { kind: 'entries' } {
  let role = entryRoles.get(map);
  if (!role) entryRoles.set(map, (role = { kind: 'entries', entry: { kind: 'entry', value: roleOf(model, shapeOf(model, map.value!.shape)) } }));
  return role;
}

const byLocation = new WeakMap<Shape, Map<string, string>>();

/** A structure's members by the name they are sent under (locationName, else the member name). */
function membersByLocation(shape: Shape): Map<string, string> {
  let members = byLocation.get(shape);
  if (!members) {
    members = new Map(Object.entries(shape.members ?? {}).map(([member, ref]) => [ref.locationName ?? member, ref.shape]));
    byLocation.set(shape, members);
  }
  return members;
}
