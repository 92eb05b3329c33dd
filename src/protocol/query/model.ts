import iamModel from '../model/iam.json' with { type: 'json' };
import stsModel from '../model/sts.json' with { type: 'json' };

/**
 * The IAM service model (botocore's service-2.json without documentation). It is the single source
 * of member names, types and constraints: the parser, the validator and the XML serialiser all
 * walk these shapes, so iamd accepts and returns exactly what AWS's clients were generated from.
 */
export interface ShapeRef {
  shape: string;
  locationName?: string;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'blob' | 'double' | 'float';
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  flattened?: boolean;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  error?: { code: string; httpStatusCode: number; senderFault?: boolean };
  exception?: boolean;
}

export interface OperationModel {
  name: string;
  input?: ShapeRef;
  output?: ShapeRef & { resultWrapper?: string };
  errors?: ShapeRef[];
}

export interface ServiceModel {
  metadata: { apiVersion: string; xmlNamespace: string; endpointPrefix: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

export const IAM_MODEL = iamModel as unknown as ServiceModel;
export const STS_MODEL = stsModel as unknown as ServiceModel;

export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the service model`);
  return shape;
}
