import type { CredentialStatus } from './entities.js';
import { IamError } from './errors.js';

/**
 * The status a caller may set on a credential. The model's enum also lists Expired, which only AWS
 * itself sets (on STS-issued keys, expired API keys).
 */
export function refuseExpiredStatus(status: CredentialStatus | 'Expired'): CredentialStatus {
  if (status === 'Expired') throw new IamError('InvalidInput', 'Invalid value for parameter Status. Valid values are Active and Inactive.');
  return status;
}
