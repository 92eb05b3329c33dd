import { IamError, validationError } from '../../domain/errors.js';
import { TimeSlice } from '../../domain/time-slice.js';
import { type Shape, type ServiceModel, shapeOf } from './model.js';
import { type ParameterNode, nodeAt, parameterTree } from './parameter-tree.js';

/**
 * Reads an operation's input from the Query protocol's flat parameters (`UserName=…`,
 * `Tags.member.1.Key=…`, `Attrs.entry.1.key=…`) following its input shape, and checks every
 * constraint the model declares on the way (required, length, pattern, range, enum).
 *
 * The parameters are first sorted into a tree along the shape (parameter-tree.ts), in one pass,
 * so reading costs time in proportion to the request's size: looking a name up never scans the
 * other parameters. A list longer than the model allows is refused by its length alone, before
 * any of its items is read.
 *
 * All violations are collected and reported together, in AWS's form:
 * "2 validation errors detected: Value at 'userName' failed to satisfy constraint: …; …".
 * IAM never echoes the offending value, so a rejected password cannot leak into an error. STS
 * does ("Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: …", recorded from
 * AWS in LocalStack's STS snapshots), except for the members the model marks sensitive (the web
 * identity token, the SAML assertion), which are never echoed.
 */
/**
 * Reads and validates an operation's input. A 1 MiB body holds some 40,000 list items (a list the
 * model does not bound, as GetAccountAuthorizationDetails' Filter): reading them costs ~150 ms on
 * a busy 2-core machine, so the reader gives the event loop back every few milliseconds
 * (time-slice.ts) and other requests are served meanwhile.
 */
export async function readInput(model: ServiceModel, shapeName: string | undefined, params: ReadonlyMap<string, string>): Promise<Record<string, unknown>> {
  if (!shapeName) return {};
  const shape = shapeOf(model, shapeName);
  const violations: string[] = [];
  const slice = new TimeSlice();
  const tree = await parameterTree(model, shape, params, slice);
  const input = await readStructure(model, shape, tree, '', violations, slice, true);
  if (violations.length > 0) throw validationError(violations);
  checkPath(model, shape, input);
  return input;
}

/**
 * A request's Path (CreateUser, CreateRole, CreateGroup, CreatePolicy, ...) that breaks the model's
 * pattern gets IAM's own sentence instead of the model's form (recorded from AWS for
 * CreateVirtualMFADevice, "invalid-path/" and "/invalid-path"; the same sentence is reported for an
 * AWS::IAM::Role's Path "test/" through CloudFormation, aws-cloudformation/cfn-lint#722). Its length
 * stays a model violation, as recorded ("Member must have length less than or equal to 512").
 * IAM checks it after the model's constraints: with other violations, those are reported.
 */
const INVALID_PATH =
  'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.';

function checkPath(model: ServiceModel, shape: Shape, input: Record<string, unknown>): void {
  const ref = shape.members?.Path;
  const pattern = ref && shapeOf(model, ref.shape).pattern;
  if (pattern !== undefined && typeof input.Path === 'string' && !compiledPattern(pattern).test(input.Path)) {
    throw new IamError('ValidationError', INVALID_PATH);
  }
}

/**
 * The order in which AWS lists the violations of several members. It is neither the model's
 * order, nor alphabetical, nor the order sent: every multi-member response recorded from AWS
 * (IAM's UpdateAccountPasswordPolicy and CreateOpenIDConnectProvider, and Lambda, API Gateway and
 * EventBridge responses) lists the members as a Java 8 HashMap of 16 buckets keyed by their
 * printed names iterates them: by bucket of String.hashCode(), and in model order within a bucket.
 * (Inferred from those recordings: minimumPasswordLength, passwordReusePrevention, maxPasswordAge.)
 * The violations of one member (a list's items) keep their own order.
 */
export function javaHashBucket(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(31, h) + name.charCodeAt(i)) | 0;
  return (h ^ (h >>> 16)) & 15;
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


const violation = (path: string, constraint: string, echoed?: string) =>
  `Value ${echoed === undefined ? '' : `'${echoed}' `}at '${path}' failed to satisfy constraint: ${constraint}`;

/** The value a scalar's violation shows: STS's own, never a sensitive member's (see readInput). */
const echoOf = (model: ServiceModel, shape: Shape, raw: string): string | undefined =>
  model.metadata.endpointPrefix === 'sts' && !shape.sensitive ? raw : undefined;
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const isScalar = (shape: Shape) => shape.type !== 'structure' && shape.type !== 'list' && shape.type !== 'map';
const join = (a: string, b: string) => (a ? `${a}.${b}` : b);

/** A structure's member as reading needs it, made once per shape (a request reads every member of its input). */
interface MemberPlan {
  member: string;
  shape: Shape;
  /** The parameter name it is sent under. */
  sentAs: string;
  /** The name violations print (userName). */
  printed: string;
  required: boolean;
  scalar: boolean;
}
const plans = new WeakMap<Shape, MemberPlan[]>();

function membersOf(model: ServiceModel, shape: Shape): MemberPlan[] {
  let plan = plans.get(shape);
  if (!plan) {
    plan = Object.entries(shape.members ?? {}).map(([member, ref]) => {
      const memberShape = shapeOf(model, ref.shape);
      return {
        member,
        shape: memberShape,
        sentAs: ref.locationName ?? member,
        printed: lowerFirst(member),
        required: shape.required?.includes(member) ?? false,
        scalar: isScalar(memberShape),
      };
    });
    plans.set(shape, plan);
  }
  return plan;
}

async function readStructure(
  model: ServiceModel,
  shape: Shape,
  node: ParameterNode,
  path: string,
  violations: string[],
  slice: TimeSlice,
  /** The request's own members: their violations are listed in AWS's order (javaHashBucket). */
  topLevel = false,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const byMember: { bucket: number; found: string[] }[] = [];
  for (const m of membersOf(model, shape)) {
    const memberPath = join(path, m.printed);
    const found = topLevel ? [] : violations;
    const child = node.children?.get(m.sentAs);
    // A scalar is read at once, as readList reads its scalar items: no promise per member.
    const value = m.scalar
      ? readScalarNode(model, m.shape, child, memberPath, found)
      : await readValue(model, m.shape, child, memberPath, found, slice);
    if (value === undefined) {
      if (m.required) found.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
    } else {
      out[m.member] = value;
    }
    if (topLevel && found.length > 0) byMember.push({ bucket: javaHashBucket(memberPath), found });
  }
  // A stable sort: members of one bucket stay in the model's order.
  for (const { found } of byMember.sort((a, b) => a.bucket - b.bucket)) violations.push(...found);
  return out;
}

async function readValue(model: ServiceModel, shape: Shape, node: ParameterNode | undefined, path: string, violations: string[], slice: TimeSlice): Promise<unknown> {
  switch (shape.type) {
    case 'structure':
      // A structure is there when any parameter is named under it, even one it does not know.
      return node?.nested ? readStructure(model, shape, node, path, violations, slice) : undefined;
    case 'list':
      return readList(model, shape, node, path, violations, slice);
    case 'map':
      return readMap(model, shape, node, path, violations, slice);
    default:
      return readScalarNode(model, shape, node, path, violations);
  }
}

/** A scalar's parameter node read (its value echoed in a violation where the service does). */
function readScalarNode(model: ServiceModel, shape: Shape, node: ParameterNode | undefined, path: string, violations: string[]): unknown {
  return readScalar(shape, node?.value, path, violations, node?.value === undefined ? undefined : echoOf(model, shape, node.value));
}

/** An item or entry counts when it has a value or anything named under it. */
const present = (node: ParameterNode | string | undefined): boolean => node !== undefined && (typeof node === 'string' || node.value !== undefined || node.nested);

async function readList(
  model: ServiceModel,
  shape: Shape,
  node: ParameterNode | undefined,
  path: string,
  violations: string[],
  slice: TimeSlice,
): Promise<unknown[] | undefined> {
  // An empty list is sent as `Name=` with no members.
  if (!node?.nested) {
    if (node?.value !== '') return undefined;
    checkLength(shape, 0, path, violations);
    return [];
  }
  const items = (shape.flattened ? node : node.children?.get(shape.member!.locationName ?? 'member'))?.items ?? [];
  // Items are read from 1 up to the first gap, as AWS reads them. The length is known before any
  // item is read, so a list longer than the model's maximum is refused without building it.
  let count = 0;
  while (present(items[count + 1])) {
    count++;
    if (shape.max !== undefined && count > shape.max) {
      violations.push(violation(path, `Member must have length less than or equal to ${shape.max}`));
      return []; // refused: the items are never read
    }
  }
  const itemShape = shapeOf(model, shape.member!.shape);
  const out: unknown[] = [];
  for (let i = 1; i <= count; i++) {
    if ((i & 0xff) === 0) await slice.checkpoint();
    const item = items[i]!;
    // A scalar item is read at once (no promise per item: a list may hold 40,000 of them); the
    // tree keeps most as their value alone (parameter-tree.ts).
    const scalar = isScalar(itemShape);
    const itemNode = typeof item === 'string' ? undefined : item;
    const value = typeof item === 'string' ? item : item.value;
    // Something was named under the item, but nothing its shape can read (`Names.member.1.x=…` for
    // a list of strings, `Tags.member.1=…` for a list of structures): a null member.
    const readable = scalar ? value !== undefined : itemShape.type === 'list' ? itemNode!.nested || value === '' : itemNode!.nested;
    if (!readable) violations.push(`Value null at '${itemPath(path, i)}' failed to satisfy constraint: Member must not be null`);
    out.push(!readable ? undefined : scalar ? readScalar(itemShape, value, path, violations, echoOf(model, itemShape, value!), i) : await readValue(model, itemShape, nodeAt(items, i), itemPath(path, i), violations, slice));
  }
  checkLength(shape, count, path, violations);
  return out;
}

function checkLength(shape: Shape, length: number, path: string, violations: string[]): void {
  if (shape.min !== undefined && length < shape.min)
    violations.push(violation(path, `Member must have length greater than or equal to ${shape.min}`));
  if (shape.max !== undefined && length > shape.max)
    violations.push(violation(path, `Member must have length less than or equal to ${shape.max}`));
}

async function readMap(
  model: ServiceModel,
  shape: Shape,
  node: ParameterNode | undefined,
  path: string,
  violations: string[],
  slice: TimeSlice,
): Promise<Record<string, unknown> | undefined> {
  if (!node?.nested) return undefined;
  const entries = (shape.flattened ? node : node.children?.get('entry'))?.items ?? [];
  const valueShape = shapeOf(model, shape.value!.shape);
  const out: Record<string, unknown> = {};
  for (let i = 1; ; i++) {
    if ((i & 0xff) === 0) await slice.checkpoint();
    const entry = nodeAt(entries, i);
    const k = entry?.children?.get('key')?.value;
    if (k === undefined) break;
    out[k] = await readValue(model, valueShape, entry!.children!.get('value'), `${path}.${i}.value`, violations, slice);
  }
  return out;
}

/**
 * A scalar's value, checked. `index`, for a list's item, makes its path (`filter.3.member`) only
 * when a violation names it: a list may hold 40,000 items, each valid.
 */
function readScalar(shape: Shape, raw: string | undefined, path: string, violations: string[], echoed?: string, index = 0): unknown {
  if (raw === undefined) return undefined;
  switch (shape.type) {
    case 'string':
      checkString(shape, raw, path, violations, echoed, index);
      return raw;
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(raw.trim())) {
        violations.push(violation(pathOf(path, index), 'Member must be a number'));
        return undefined;
      }
      const n = Number(raw);
      if (shape.min !== undefined && n < shape.min)
        violations.push(violation(pathOf(path, index), `Member must have value greater than or equal to ${shape.min}`, echoed));
      if (shape.max !== undefined && n > shape.max)
        violations.push(violation(pathOf(path, index), `Member must have value less than or equal to ${shape.max}`, echoed));
      return n;
    }
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        violations.push(violation(pathOf(path, index), 'Member must be a boolean (true or false)'));
        return undefined;
      }
      return lower === 'true';
    }
    case 'timestamp': {
      const d = new Date(raw);
      if (Number.isNaN(d.getTime())) {
        violations.push(violation(pathOf(path, index), 'Member must be a timestamp in ISO 8601 format'));
        return undefined;
      }
      return d;
    }
    default:
      return raw;
  }
}

function checkString(shape: Shape, value: string, path: string, violations: string[], echoed: string | undefined, index: number): void {
  if (shape.min !== undefined && value.length < shape.min)
    violations.push(violation(pathOf(path, index), `Member must have length greater than or equal to ${shape.min}`, echoed));
  if (shape.max !== undefined && value.length > shape.max)
    violations.push(violation(pathOf(path, index), `Member must have length less than or equal to ${shape.max}`, echoed));
  // A top-level Path's pattern is IAM's own check (checkPath).
  if (shape.pattern !== undefined && (index !== 0 || path !== 'path') && !compiledPattern(shape.pattern).test(value))
    violations.push(violation(pathOf(path, index), `Member must satisfy regular expression pattern: ${shape.pattern}`, echoed));
  // IAM names no values here (recorded from AWS: "Member must satisfy enum value set").
  if (shape.enum !== undefined && !shape.enum.includes(value)) violations.push(violation(pathOf(path, index), 'Member must satisfy enum value set', echoed));
}

const pathOf = (path: string, index: number) => (index === 0 ? path : itemPath(path, index));
const itemPath = (list: string, index: number) => `${list}.${index}.member`;

const patterns = new Map<string, RegExp>();

/**
 * The model's patterns are Java regular expressions matched against the whole value. With the `u`
 * flag JavaScript understands their \p{L}-style classes; a pattern that is not valid in that mode
 * is compiled without it. (Each is a character class repeated, or alternatives that cannot
 * overlap, so matching is linear in the value's length; the amplification benchmark checks it.)
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
