import type { TimeSlice } from '../../domain/time-slice.js';
import { type Shape, type ServiceModel, shapeOf } from './model.js';

/**
 * The Query parameters an input shape can read, as a tree of name segments:
 * `Tags.member.2.Key=k` becomes root → Tags → member → item 2 → Key (value k).
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
 *
 * A list's items and a map's entries are kept in an array by their index, not in a map by the
 * index's text: a 1 MiB body holds some 40,000 items of a list the model does not bound
 * (GetAccountAuthorizationDetails' Filter), and each costs one parse of its digits and one array
 * slot, not a string, a hash and a map entry, to build and again to read.
 */
export interface ParameterNode {
  /** The value of the parameter named exactly by this node's path, if sent. */
  value: string | undefined;
  /** Whether any parameter is named under this node (`Tags.…` for Tags). */
  nested: boolean;
  /** What is named under it: a structure's members (by the name they are sent under), `member`, `entry`, `key`, `value`. */
  children: Map<string, ParameterNode> | undefined;
  /**
   * A list's items or a map's entries, by index (1, 2, …; a sparse array when indexes are skipped).
   * A list's scalar item with nothing named under it is kept as its value alone, not as a node: a
   * 40,000-item list is then 40,000 strings in an array, which the garbage collector copies and
   * scans far faster than 40,000 objects.
   */
  items: (ParameterNode | string)[] | undefined;
}

/** An entry of `items` that always holds nodes (a map's entries, a list of structures, lists or maps). */
export const nodeAt = (items: readonly (ParameterNode | string)[], index: number): ParameterNode | undefined => {
  const item = items[index];
  return typeof item === 'string' ? { value: item, nested: false, children: undefined, items: undefined } : item;
};

/** What a name segment means at a node: a member of a structure, a list's items, a map's entries… */
type Role =
  | { kind: 'structure'; shape: Shape }
  | { kind: 'list'; shape: Shape } // under its member name (`member`): the items
  | { kind: 'map'; shape: Shape } // under `entry`: the entries
  | Indexed
  | { kind: 'entry'; value: Role } // `key` and `value`
  | { kind: 'leaf' };

/** Indexes 1 to max: a list's items (max: one past the model's maximum) or a map's entries. */
interface Indexed {
  kind: 'indexed';
  of: Shape;
  max: number;
  item: Role | undefined; // made when first needed (a shape may contain itself)
}

const LEAF: Role = { kind: 'leaf' };

/** No request holds a million items. */
const NO_MAX = 9_999_999;

/**
 * The index `name[from, to)` spells, as the reader asks for them (1, 2, …), if not above `max`;
 * undefined for anything else ('01', '-1', 'x', ''). The reader stops at the first missing item
 * and refuses a list at item max + 1 of the model's maximum, so no item beyond that is ever read,
 * and none is kept.
 */
function indexAt(name: string, from: number, to: number, max: number): number | undefined {
  if (to === from || to - from > 7 || name.charCodeAt(from) === 0x30) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = name.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n <= max ? n : undefined;
}

export async function parameterTree(model: ServiceModel, shape: Shape, params: ReadonlyMap<string, string>, slice: TimeSlice): Promise<ParameterNode> {
  const root = node();
  root.nested = params.size > 0;
  const rootRole = roleOf(model, shape);
  // The node the last name's final segment was under, and that name up to it (`Filter.member.`):
  // the items of a long list share it, and find their place without walking from the root.
  let lastParent: ParameterNode | undefined;
  let lastParentRole: Role = rootRole;
  let lastPrefix = '';
  let seen = 0;
  for (const [name, value] of params) {
    // A 1 MiB body is some 60,000 parameters: other requests get their turns meanwhile.
    if ((++seen & 0x3ff) === 0) await slice.checkpoint();
    let at = root;
    let role: Role | undefined = rootRole;
    let start = 0;
    const sameParent = lastParent !== undefined && name.length > lastPrefix.length && name.startsWith(lastPrefix) && name.indexOf('.', lastPrefix.length) < 0;
    if (sameParent) {
      at = lastParent!;
      role = lastParentRole;
      start = lastPrefix.length;
    }
    for (;;) {
      const dot = name.indexOf('.', start);
      const end = dot < 0 ? name.length : dot;
      const parent = at;
      const parentRole: Role = role;
      let child: ParameterNode | undefined;
      if (role.kind === 'indexed') {
        const i = indexAt(name, start, end, role.max);
        if (i === undefined) break; // not a name this shape reads
        const items: (ParameterNode | string)[] = (at.items ??= []);
        role = itemRole(model, role);
        const slot = items[i];
        if (dot < 0 && role === LEAF) {
          // A scalar item's value: the string alone, unless something was named under it first.
          if (typeof slot === 'object') slot.value = value;
          else items[i] = value;
          if (!sameParent) {
            lastParent = parent;
            lastParentRole = parentRole;
            lastPrefix = name.slice(0, start);
          }
          break;
        }
        if (slot === undefined) child = items[i] = node();
        else if (typeof slot === 'string') {
          child = items[i] = node();
          child.value = slot;
        } else child = slot;
      } else {
        const segment = name.slice(start, end);
        role = namedRole(model, role, segment);
        if (role === undefined) break;
        const children: Map<string, ParameterNode> = (at.children ??= new Map());
        child = children.get(segment);
        if (!child) {
          child = node();
          children.set(segment, child);
        }
      }
      at = child;
      if (dot < 0) {
        at.value = value;
        if (!sameParent) {
          lastParent = parent;
          lastParentRole = parentRole;
          lastPrefix = name.slice(0, start);
        }
        break;
      }
      at.nested = true;
      start = dot + 1;
    }
  }
  return root;
}

// Every node has the same fields from the start (one hidden class: the tree is built fast).
const node = (): ParameterNode => ({ value: undefined, nested: false, children: undefined, items: undefined });

/** The role of a named segment under a node of `role`; undefined when the shape reads no such name. */
function namedRole(model: ServiceModel, role: Role, segment: string): Role | undefined {
  switch (role.kind) {
    case 'structure': {
      const member = membersByLocation(role.shape).get(segment);
      return member === undefined ? undefined : roleOf(model, shapeOf(model, member));
    }
    case 'list':
      return segment === (role.shape.member!.locationName ?? 'member') ? indexedRole(role.shape) : undefined;
    case 'map':
      return segment === 'entry' ? indexedRole(role.shape) : undefined;
    case 'entry':
      return segment === 'key' ? LEAF : segment === 'value' ? role.value : undefined;
    default:
      return undefined; // a scalar has nothing under it; indexes are not names
  }
}

function itemRole(model: ServiceModel, indexed: Indexed): Role {
  if (indexed.item === undefined) {
    const { of } = indexed;
    indexed.item = of.type === 'map' ? { kind: 'entry', value: roleOf(model, shapeOf(model, of.value!.shape)) } : roleOf(model, shapeOf(model, of.member!.shape));
  }
  return indexed.item;
}

// Roles are made once per shape, not once per parameter.
const roles = new WeakMap<Shape, Role>();
const indexedRoles = new WeakMap<Shape, Indexed>();

function roleOf(_model: ServiceModel, shape: Shape): Role {
  let role = roles.get(shape);
  if (!role) {
    switch (shape.type) {
      case 'structure':
        role = { kind: 'structure', shape };
        break;
      case 'list':
      case 'map':
        // A flattened list or map has its indexes right under its name (`Names.1`, not `Names.member.1`).
        role = shape.flattened ? indexedRole(shape) : shape.type === 'list' ? { kind: 'list', shape } : { kind: 'map', shape };
        break;
      default:
        role = LEAF;
    }
    roles.set(shape, role);
  }
  return role;
}

function indexedRole(shape: Shape): Indexed {
  let role = indexedRoles.get(shape);
  if (!role) {
    // A list is kept to one item past its maximum (the reader refuses it there); a map's entries are not bounded by the model.
    const max = shape.type === 'list' && shape.max !== undefined ? shape.max + 1 : NO_MAX;
    indexedRoles.set(shape, (role = { kind: 'indexed', of: shape, max, item: undefined }));
  }
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
