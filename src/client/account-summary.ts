import { GetAccountSummaryCommand, type SummaryKeyType } from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';

/** The counts and quotas `GetAccountSummary` answers. */
export interface AccountSummaryData {
  SummaryMap?: Partial<Record<SummaryKeyType, number>> | undefined;
}

/**
 * The account's entity counts and quotas: `iam.AccountSummary()`.
 *
 * @example
 * ```ts
 * const summary = await iam.AccountSummary().load();
 * summary.summaryMap.Users; summary.summaryMap.UsersQuota;
 * ```
 */
export class AccountSummary extends Resource<AccountSummaryData> {
  /** Use `iam.AccountSummary()`. */
  constructor(iam: IAM) {
    super(iam);
  }

  /** `AccountSummary()`. */
  override toString(): string {
    return 'AccountSummary()';
  }

  protected override async fetch(): Promise<AccountSummaryData> {
    const out = await this.iam.call('GetAccountSummary', (c) => c.send(new GetAccountSummaryCommand({})));
    return { SummaryMap: out.SummaryMap };
  }

  /** Counts and quotas by name: `Users`, `UsersQuota`, `Roles`, `Policies`, `MFADevices`, … */
  get summaryMap(): Partial<Record<SummaryKeyType, number>> {
    return this.attribute('SummaryMap', 'summaryMap') ?? {};
  }
}
