import { IamError } from '../../domain/errors.js';
import { type Shape, type ServiceModel, shapeOf } from './model.js';

/**
 * Reads an operation's input from the Query protocol's flat parameters (`UserName=…`,
 * `Tags.member.1.Key=…`, `Attrs.entry.1.key=…`) following its input shape, and checks every
 * constraint the model declares on the way (required, length, pattern, range, enum).
 *
 * All violations are collected and reported together, in AWS's form:
 * "2 validation errors detected: Value at 'userName' failed to satisfy constraint: …; …".
 * The offending value is never echoed, so a rejected password cannot leak into an error.
 */
export function readInput(model: ServiceModel, shapeName: string | undefined, params: ReadonlyMap<string, string>): Record<string, unknown> {
  if (!shapeName) return {};
  const violations: string[] = [];
  const input = readStructure(model, shapeOf(model, shapeName), '', '', params, violations);
  if (violations.length > 0) throw validationError(violations);
  return input;
}

/**
 * Where AWS answers a broken pattern with a sentence of its own rather than the model's generic
 * violation (CreateVirtualMFADevice's Path, the account alias): top-level members whose value has
 * an allowed length but breaks the pattern get `messages[member]()`, before any other check.
 */
export function checkPatternMessages(
  model: ServiceModel,
  shapeName: string | undefined,
  params: ReadonlyMap<string, string>,
  messages: Readonly<Record<string, () => IamError>>,
): void {
  if (!shapeName) return;
  const input = shapeOf(model, shapeName);
  for (const [member, message] of Object.entries(messages)) {
    const raw = params.get(member);
    const ref = input.members?.[member];
    if (raw === undefined || !ref) continue;
    const shape = shapeOf(model, ref.shape);
    const lengthOk = (shape.min === undefined || raw.length >= shape.min) && (shape.max === undefined || raw.length <= shape.max);
    if (lengthOk && shape.pattern !== undefined && !compiledPattern(shape.pattern).test(raw)) throw message();
  }
}

export function validationError(violations: readonly string[]): IamError {
  const n = violations.length;
  return new IamError('ValidationError', `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`);
}

const violation = (path: string, constraint: string) => `Value at '${path}' failed to satisfy constraint: ${constraint}`;
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const join = (a: string, b: string) => (a ? `${a}.${b}` : b);

function readStructure(
  model: ServiceModel,
  shape: Shape,
  prefix: string,
  path: string,
  params: ReadonlyMap<string, string>,
  violations: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [member, ref] of Object.entries(shape.members ?? {})) {
    const key = join(prefix, ref.locationName ?? member);
    const memberPath = join(path, lowerFirst(member));
    const value = readValue(model, shapeOf(model, ref.shape), key, memberPath, params, violations);
    if (value === undefined) {
      if (shape.required?.includes(member)) {
        violations.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
      }
    } else {
      out[member] = value;
    }
  }
  return out;
}

function hasNested(params: ReadonlyMap<string, string>, key: string): boolean {
  const prefix = key + '.';
  for (const k of params.keys()) if (k.startsWith(prefix)) return true;
  return false;
}

function readValue(
  model: ServiceModel,
  shape: Shape,
  key: string,
  path: string,
  params: ReadonlyMap<string, string>,
  violations: string[],
): unknown {
  switch (shape.type) {
    case 'structure':
      return hasNested(params, key) ? readStructure(model, shape, key, path, params, violations) : undefined;
    case 'list':
      return readList(model, shape, key, path, params, violations);
    case 'map':
      return readMap(model, shape, key, path, params, violations);
    default:
      return readScalar(shape, params.get(key), path, violations);
  }
}

function readList(
  model: ServiceModel,
  shape: Shape,
  key: string,
  path: string,
  params: ReadonlyMap<string, string>,
  violations: string[],
): unknown[] | undefined {
  // An empty list is sent as `Name=` with no members.
  if (!hasNested(params, key)) return params.get(key) === '' ? checkList(shape, [], path, violations) : undefined;
  const itemShape = shapeOf(model, shape.member!.shape);
  const itemPrefix = shape.flattened ? key : `${key}.${shape.member!.locationName ?? 'member'}`;
  const items: unknown[] = [];
  for (let i = 1; ; i++) {
    const itemKey = `${itemPrefix}.${i}`;
    if (!params.has(itemKey) && !hasNested(params, itemKey)) break;
    items.push(readValue(model, itemShape, itemKey, `${path}.${i}.member`, params, violations));
  }
  return checkList(shape, items, path, violations);
}

function checkList(shape: Shape, items: unknown[], path: string, violations: string[]): unknown[] {
  if (shape.min !== undefined && items.length < shape.min)
    violations.push(violation(path, `Member must have length greater than or equal to ${shape.min}`));
  if (shape.max !== undefined && items.length > shape.max)
    violations.push(violation(path, `Member must have length less than or equal to ${shape.max}`));
  return items;
}

function readMap(
  model: ServiceModel,
  shape: Shape,
  key: string,
  path: string,
  params: ReadonlyMap<string, string>,
  violations: string[],
): Record<string, unknown> | undefined {
  if (!hasNested(params, key)) return undefined;
  const out: Record<string, unknown> = {};
  const entryPrefix = shape.flattened ? key : `${key}.entry`;
  for (let i = 1; ; i++) {
    const k = params.get(`${entryPrefix}.${i}.key`);
    if (k === undefined) break;
    out[k] = readValue(model, shapeOf(model, shape.value!.shape), `${entryPrefix}.${i}.value`, `${path}.${i}.value`, params, violations);
  }
  return out;
}

function readScalar(shape: Shape, raw: string | undefined, path: string, violations: string[]): unknown {
  if (raw === undefined) return undefined;
  switch (shape.type) {
    case 'string':
      checkString(shape, raw, path, violations);
      return raw;
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(raw.trim())) {
        violations.push(violation(path, 'Member must be a number'));
        return undefined;
      }
      const n = Number(raw);
      if (shape.min !== undefined && n < shape.min)
        violations.push(violation(path, `Member must have value greater than or equal to ${shape.min}`));
      if (shape.max !== undefined && n > shape.max)
        violations.push(violation(path, `Member must have value less than or equal to ${shape.max}`));
      return n;
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        violations.push(violation(path, 'Member must be a boolean (true or false)'));
        return undefined;
      }
      return lower === 'true';
    }
    case 'timestamp': {
      const d = new Date(raw);
      if (Number.isNaN(d.getTime())) {
        violations.push(violation(path, 'Member must be a timestamp in ISO 8601 format'));
        return undefined;
      }
      return d;
    }
    default:
      return raw;
  }
}

function checkString(shape: Shape, value: string, path: string, violations: string[]): void {
  if (shape.min !== undefined && value.length < shape.min)
    violations.push(violation(path, `Member must have length greater than or equal to ${shape.min}`));
  if (shape.max !== undefined && value.length > shape.max)
    violations.push(violation(path, `Member must have length less than or equal to ${shape.max}`));
  if (shape.pattern !== undefined && !compiledPattern(shape.pattern).test(value))
    violations.push(violation(path, `Member must satisfy regular expression pattern: ${shape.pattern}`));
  if (shape.enum !== undefined && !shape.enum.includes(value))
    violations.push(violation(path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`));
}

const patterns = new Map<string, RegExp>();

/**
 * The model's patterns are Java regular expressions matched against the whole value. With the `u`
 * flag JavaScript understands their \p{L}-style classes; a pattern that is not valid in that mode
 * is compiled without it.
 */
export function compiledPattern(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    try {
      re = new RegExp(`^(?:${pattern})$`, 'u');
    } catch {
      re = new RegExp(`^(?:${pattern})$`);
    }
    patterns.set(pattern, re);
  }
  return re;
}
