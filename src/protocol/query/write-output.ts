import { type Shape, type ServiceModel, shapeOf } from './model.js';
import { escapeXml, isoDate } from './xml.js';

/**
 * Writes an operation's response in the Query protocol's XML, following its output shape:
 *
 *   <OpResponse xmlns="…"><OpResult>…</OpResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>
 *
 * Operations without an output still get the envelope (an empty 200 body breaks botocore).
 * Members appear in the model's order; absent (undefined/null) members are left out.
 */
export function writeOutput(
  model: ServiceModel,
  operation: string,
  output: Record<string, unknown> | undefined,
  requestId: string,
): string {
  const op = model.operations[operation]!;
  let xml = `<${operation}Response xmlns="${model.metadata.xmlNamespace}">`;
  if (op.output) {
    const wrapper = op.output.resultWrapper ?? `${operation}Result`;
    xml += `<${wrapper}>${writeMembers(model, shapeOf(model, op.output.shape), output ?? {})}</${wrapper}>`;
  }
  return `${xml}<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${operation}Response>`;
}

/**
 * An element's tags, made once per name (the model's member and location names, so few): a
 * response writes the same names over and over, and building both tags per element was most of
 * the writer's own cost (bench/request-instructions.ts).
 */
interface Tags {
  open: string;
  close: string;
}
const tagsByName = new Map<string, Tags>();
function tagsOf(name: string): Tags {
  let tags = tagsByName.get(name);
  if (tags === undefined) tagsByName.set(name, (tags = { open: `<${name}>`, close: `</${name}>` }));
  return tags;
}

/** How one member of a structure is written: worked out once per shape, not per response. */
interface MemberPlan {
  member: string;
  /** The element's tags (of the member's name, or its locationName). */
  tags: Tags;
  shape: Shape;
  /** A flattened list's items are written one after another, each named as the member. */
  flattenedItem?: Shape;
}

const plans = new WeakMap<Shape, MemberPlan[]>();

function planOf(model: ServiceModel, shape: Shape): MemberPlan[] {
  let plan = plans.get(shape);
  if (plan === undefined) {
    plan = Object.entries(shape.members ?? {}).map(([member, ref]) => {
      const memberShape = shapeOf(model, ref.shape);
      const flattened = memberShape.type === 'list' && memberShape.flattened;
      return { member, tags: tagsOf(ref.locationName ?? member), shape: memberShape, ...(flattened ? { flattenedItem: shapeOf(model, memberShape.member!.shape) } : {}) };
    });
    plans.set(shape, plan);
  }
  return plan;
}

function writeMembers(model: ServiceModel, shape: Shape, value: Record<string, unknown>): string {
  let xml = '';
  for (const m of planOf(model, shape)) {
    const v = value[m.member];
    if (v === undefined || v === null) continue;
    if (m.flattenedItem) {
      for (const item of v as unknown[]) xml += writeElement(model, m.tags, m.flattenedItem, item);
    } else {
      xml += writeElement(model, m.tags, m.shape, v);
    }
  }
  return xml;
}

function writeElement(model: ServiceModel, tags: Tags, shape: Shape, value: unknown): string {
  let inner: string;
  switch (shape.type) {
    case 'structure':
      inner = writeMembers(model, shape, value as Record<string, unknown>);
      break;
    case 'list': {
      const itemTags = tagsOf(shape.member!.locationName ?? 'member');
      const itemShape = shapeOf(model, shape.member!.shape);
      inner = '';
      for (const item of value as unknown[]) inner += writeElement(model, itemTags, itemShape, item);
      break;
    }
    case 'map':
      inner = '';
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        inner += `<entry><key>${escapeXml(k)}</key>${writeElement(model, VALUE_TAGS, shapeOf(model, shape.value!.shape), v)}</entry>`;
      }
      break;
    case 'timestamp':
      inner = isoDate(value as Date);
      break;
    case 'blob':
      inner = Buffer.isBuffer(value) ? value.toString('base64') : escapeXml(String(value));
      break;
    default:
      inner = escapeXml(typeof value === 'string' ? value : String(value));
  }
  return tags.open + inner + tags.close;
}

const VALUE_TAGS = tagsOf('value');

/** The Query protocol's error envelope. */
export function writeError(model: ServiceModel, type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${model.metadata.xmlNamespace}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
