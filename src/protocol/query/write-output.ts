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

/** How one member of a structure is written: worked out once per shape, not per response. */
interface MemberPlan {
  member: string;
  /** The element's name (the member's, or its locationName). */
  name: string;
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
      return { member, name: ref.locationName ?? member, shape: memberShape, ...(flattened ? { flattenedItem: shapeOf(model, memberShape.member!.shape) } : {}) };
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
      for (const item of v as unknown[]) xml += writeElement(model, m.name, m.flattenedItem, item);
    } else {
      xml += writeElement(model, m.name, m.shape, v);
    }
  }
  return xml;
}

function writeElement(model: ServiceModel, name: string, shape: Shape, value: unknown): string {
  let inner: string;
  switch (shape.type) {
    case 'structure':
      inner = writeMembers(model, shape, value as Record<string, unknown>);
      break;
    case 'list': {
      const itemName = shape.member!.locationName ?? 'member';
      const itemShape = shapeOf(model, shape.member!.shape);
      inner = '';
      for (const item of value as unknown[]) inner += writeElement(model, itemName, itemShape, item);
      break;
    }
    case 'map':
      inner = '';
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        inner += `<entry><key>${escapeXml(k)}</key>${writeElement(model, 'value', shapeOf(model, shape.value!.shape), v)}</entry>`;
      }
      break;
    case 'timestamp':
      inner = isoDate(value as Date);
      break;
    case 'blob':
      inner = Buffer.isBuffer(value) ? value.toString('base64') : escapeXml(String(value));
      break;
    default:
      inner = escapeXml(String(value));
  }
  return `<${name}>${inner}</${name}>`;
}

/** The Query protocol's error envelope. */
export function writeError(model: ServiceModel, type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${model.metadata.xmlNamespace}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
