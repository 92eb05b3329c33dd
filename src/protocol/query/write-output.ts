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
  const parts: string[] = [`<${operation}Response xmlns="${model.metadata.xmlNamespace}">`];
  if (op.output) {
    const wrapper = op.output.resultWrapper ?? `${operation}Result`;
    parts.push(`<${wrapper}>`);
    writeMembers(model, shapeOf(model, op.output.shape), output ?? {}, parts);
    parts.push(`</${wrapper}>`);
  }
  parts.push(`<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${operation}Response>`);
  return parts.join('');
}

function writeMembers(model: ServiceModel, shape: Shape, value: Record<string, unknown>, parts: string[]): void {
  for (const [member, ref] of Object.entries(shape.members ?? {})) {
    const v = value[member];
    if (v === undefined || v === null) continue;
    const name = ref.locationName ?? member;
    const memberShape = shapeOf(model, ref.shape);
    if (memberShape.type === 'list' && memberShape.flattened) {
      for (const item of v as unknown[]) writeElement(model, name, shapeOf(model, memberShape.member!.shape), item, parts);
    } else {
      writeElement(model, name, memberShape, v, parts);
    }
  }
}

function writeElement(model: ServiceModel, name: string, shape: Shape, value: unknown, parts: string[]): void {
  parts.push(`<${name}>`);
  switch (shape.type) {
    case 'structure':
      writeMembers(model, shape, value as Record<string, unknown>, parts);
      break;
    case 'list': {
      const itemName = shape.member!.locationName ?? 'member';
      const itemShape = shapeOf(model, shape.member!.shape);
      for (const item of value as unknown[]) writeElement(model, itemName, itemShape, item, parts);
      break;
    }
    case 'map':
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        parts.push(`<entry><key>${escapeXml(k)}</key>`);
        writeElement(model, 'value', shapeOf(model, shape.value!.shape), v, parts);
        parts.push('</entry>');
      }
      break;
    case 'timestamp':
      parts.push(isoDate(value as Date));
      break;
    case 'blob':
      parts.push(Buffer.isBuffer(value) ? value.toString('base64') : escapeXml(String(value)));
      break;
    default:
      parts.push(escapeXml(String(value)));
  }
  parts.push(`</${name}>`);
}

/** The Query protocol's error envelope. */
export function writeError(model: ServiceModel, type: 'Sender' | 'Receiver', code: string, message: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${model.metadata.xmlNamespace}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
