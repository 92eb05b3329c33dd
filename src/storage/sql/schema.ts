/**
 * The schema from version 5 on, written once for both databases. (Versions 1-4 predate the shared
 * layer and stay, released and unchanged, in each adapter's migrations.ts.)
 *
 * A migration is DDL with a few type words that each database spells its own way:
 *   {text}   TEXT (PostgreSQL: COLLATE "C", so comparison and order are bytewise as in SQLite)
 *   {int}    INTEGER / BIGINT (times are milliseconds since the epoch, UTC)
 *   {bool}   INTEGER 0/1 / BOOLEAN
 *   {blob}   BLOB / BYTEA
 * and, where the databases cannot share a statement, a part for one of them only.
 * Never edit a released migration: add the next one.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface SharedMigration {
  /** What it brings, for the reader. */
  title: string;
  both: string;
  sqlite?: string;
  postgres?: string;
}

const TYPES: Record<Dialect, Record<string, string>> = {
  sqlite: { text: 'TEXT', int: 'INTEGER', bool: 'INTEGER', blob: 'BLOB' },
  postgres: { text: 'TEXT COLLATE "C"', int: 'BIGINT', bool: 'BOOLEAN', blob: 'BYTEA' },
};

export function render(m: SharedMigration, dialect: Dialect): string {
  const types = TYPES[dialect];
  const text = `${m[dialect] ?? ''}\n${m.both}`;
  return text.replace(/\{(text|int|bool|blob)\}/g, (_, t: string) => types[t]!);
}

/** Adds a case-folded twin of `name` to a table, filled from the existing rows, unique. */
const foldedName = (table: string) => `
  ALTER TABLE ${table} ADD COLUMN name_key {text} NOT NULL DEFAULT '';
  UPDATE ${table} SET name_key = lower(name);
  CREATE UNIQUE INDEX ${table}_name_key ON ${table} (name_key);`;

export const SHARED_MIGRATIONS: readonly SharedMigration[] = [
  {
    title: '5: one resource model: folded names, one tags table, roles, owners of any kind',
    // The old link tables allowed only users and groups as owners (a CHECK SQLite cannot drop):
    // they are rebuilt for any owner, keeping their rows and their order.
    sqlite: `
  CREATE TABLE policy_attachments_v5 (
    seq        INTEGER PRIMARY KEY,
    owner_kind TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    UNIQUE (owner_id, policy_arn)
  );
  INSERT INTO policy_attachments_v5 (seq, owner_kind, owner_id, policy_arn)
    SELECT rowid, owner_kind, owner_id, policy_arn FROM policy_attachments;
  DROP TABLE policy_attachments;
  ALTER TABLE policy_attachments_v5 RENAME TO policy_attachments;
  -- Counting the users a policy bounds (every policy read does) must not scan them; PostgreSQL
  -- has had this index since its own version 3.
  CREATE INDEX users_permissions_boundary ON users (permissions_boundary);
  `,
    postgres: `
  ALTER TABLE policy_attachments DROP CONSTRAINT policy_attachments_owner_kind_check;
  ALTER TABLE policy_attachments DROP CONSTRAINT policy_attachments_pkey;
  ALTER TABLE policy_attachments ADD PRIMARY KEY (seq);
  ALTER TABLE policy_attachments ADD CONSTRAINT policy_attachments_owner_policy UNIQUE (owner_id, policy_arn);
  `,
    both: `
  ${foldedName('users')}
  ${foldedName('groups')}
  ${foldedName('managed_policies')}
  CREATE INDEX policy_attachments_owner ON policy_attachments (owner_id, seq);
  CREATE INDEX policy_attachments_policy ON policy_attachments (policy_arn, owner_kind);

  CREATE TABLE inline_policies_v5 (
    owner_kind {text} NOT NULL,
    owner_id   {text} NOT NULL,
    name       {text} NOT NULL,
    name_key   {text} NOT NULL,
    document   {text} NOT NULL,
    PRIMARY KEY (owner_id, name_key)
  );
  INSERT INTO inline_policies_v5 (owner_kind, owner_id, name, name_key, document)
    SELECT owner_kind, owner_id, name, lower(name), document FROM inline_policies;
  DROP TABLE inline_policies;
  ALTER TABLE inline_policies_v5 RENAME TO inline_policies;

  -- Tags of every taggable resource, by the resource's id; keys unique regardless of case.
  CREATE TABLE tags (
    owner_id {text} NOT NULL,
    key      {text} NOT NULL,
    key_fold {text} NOT NULL,
    value    {text} NOT NULL,
    position {int} NOT NULL,
    PRIMARY KEY (owner_id, key_fold)
  );
  INSERT INTO tags (owner_id, key, key_fold, value, position)
    SELECT user_id, key, lower(key), value, position FROM user_tags;
  DROP TABLE user_tags;

  CREATE TABLE roles (
    id                   {text} PRIMARY KEY,
    name                 {text} NOT NULL,
    name_key             {text} NOT NULL UNIQUE,
    path                 {text} NOT NULL,
    created_at           {int} NOT NULL,
    description          {text},
    max_session_duration {int} NOT NULL,
    trust_policy         {text} NOT NULL,
    permissions_boundary {text},
    last_used_at         {int},
    last_used_region     {text},
    -- A service-linked role: the service that owns it (AWS refuses plain changes to it).
    linked_service       {text}
  );
  CREATE INDEX roles_permissions_boundary ON roles (permissions_boundary);

  CREATE TABLE instance_profiles (
    id         {text} PRIMARY KEY,
    name       {text} NOT NULL,
    name_key   {text} NOT NULL UNIQUE,
    path       {text} NOT NULL,
    created_at {int} NOT NULL
  );
  CREATE TABLE instance_profile_roles (
    profile_id {text} NOT NULL REFERENCES instance_profiles (id),
    role_id    {text} NOT NULL REFERENCES roles (id),
    PRIMARY KEY (profile_id, role_id)
  );
  CREATE INDEX instance_profile_roles_role ON instance_profile_roles (role_id);

  `,
  },
  {
    title: '6: the credentials of a user besides keys and password: SSH public keys, signing certificates, service-specific credentials',
    both: `
  CREATE TABLE ssh_public_keys (
    id          {text} PRIMARY KEY,
    user_id     {text} NOT NULL REFERENCES users (id),
    body        {text} NOT NULL,
    blob        {text} NOT NULL,
    fingerprint {text} NOT NULL,
    status      {text} NOT NULL,
    uploaded_at {int} NOT NULL,
    -- A user has a key once (DuplicateSSHPublicKey); the index also serves the user's listing.
    UNIQUE (user_id, fingerprint)
  );

  CREATE TABLE signing_certificates (
    id          {text} PRIMARY KEY,
    -- NULL: the root user's own certificates.
    user_id     {text} REFERENCES users (id),
    body        {text} NOT NULL,
    -- One certificate belongs to one owner in the account (DuplicateCertificate).
    thumbprint  {text} NOT NULL UNIQUE,
    status      {text} NOT NULL,
    uploaded_at {int} NOT NULL
  );
  CREATE INDEX signing_certificates_user ON signing_certificates (user_id, uploaded_at);

  CREATE TABLE service_specific_credentials (
    id                {text} PRIMARY KEY,
    user_id           {text} NOT NULL REFERENCES users (id),
    service_name      {text} NOT NULL,
    -- A service's sign-in name: unique per service, and kept when the user is renamed.
    service_user_name {text} NOT NULL,
    secret_hash       {text} NOT NULL,
    status            {text} NOT NULL,
    created_at        {int} NOT NULL,
    expires_at        {int},
    UNIQUE (service_name, service_user_name)
  );
  CREATE INDEX service_specific_credentials_user ON service_specific_credentials (user_id, service_name);
  `,
  },
  {
    title: '7: virtual MFA devices',
    both: `
  -- serial is the device's ARN; serial_key its folded twin (serial numbers are found regardless of
  -- case). seed is sealed under the master key. last_step: the last TOTP step a code was accepted
  -- at (a code is good once); drift: the device's clock as last measured, in steps.
  CREATE TABLE mfa_devices (
    id         {text} PRIMARY KEY,
    serial     {text} NOT NULL,
    serial_key {text} NOT NULL UNIQUE,
    name       {text} NOT NULL,
    path       {text} NOT NULL,
    created_at {int} NOT NULL,
    seed       {text} NOT NULL,
    user_id    {text} REFERENCES users (id),
    enabled_at {int},
    last_step  {int},
    drift      {int} NOT NULL DEFAULT 0
  );
  CREATE INDEX mfa_devices_user ON mfa_devices (user_id);
  `,
  },
  {
    title: '8: the console\'s second step: sessions awaiting an MFA code, and when MFA was used',
    both: `
  -- awaiting_mfa: the password was right, a code of the user's MFA device is still due.
  -- mfa_authenticated_at: when a code was accepted (NULL: signed in without MFA).
  ALTER TABLE console_sessions ADD COLUMN awaiting_mfa {bool} NOT NULL DEFAULT FALSE;
  ALTER TABLE console_sessions ADD COLUMN mfa_authenticated_at {int};
  `,
  },
  {
    title: '9: server certificates',
    both: `
  -- A named resource (created_at: the upload date). private_key is sealed under the master key;
  -- expires_at is the certificate's notAfter.
  CREATE TABLE server_certificates (
    id          {text} PRIMARY KEY,
    name        {text} NOT NULL,
    name_key    {text} NOT NULL UNIQUE,
    path        {text} NOT NULL,
    created_at  {int} NOT NULL,
    expires_at  {int} NOT NULL,
    body        {text} NOT NULL,
    chain       {text},
    private_key {text} NOT NULL
  );
  `,
  },
  {
    title: '10: access advisor: when each principal last used each service, and the reports made',
    both: `
  -- Written as access-key last-used is (at most once a minute per principal and service), never
  -- per request. principal_id: a user's or a role's id.
  CREATE TABLE service_last_accessed (
    principal_id {text} NOT NULL,
    service      {text} NOT NULL,
    last_at      {int} NOT NULL,
    region       {text} NOT NULL,
    PRIMARY KEY (principal_id, service)
  );
  -- GenerateServiceLastAccessedDetails: the report as made (JSON), read by its job id.
  CREATE TABLE access_advisor_jobs (
    id         {text} PRIMARY KEY,
    created_at {int} NOT NULL,
    report     {text} NOT NULL
  );
  `,
  },
  {
    title: '11: identity providers (OIDC and SAML)',
    both: `
  -- url_key: the provider's URL without https://, as in its ARN (oidc-provider/HOST/PATH), unique.
  -- client_ids, thumbprints: JSON arrays in the order given.
  CREATE TABLE oidc_providers (
    id          {text} PRIMARY KEY,
    url_key     {text} NOT NULL UNIQUE,
    client_ids  {text} NOT NULL,
    thumbprints {text} NOT NULL,
    created_at  {int} NOT NULL
  );
  -- A named resource (path: always /). metadata: the document as given; valid_until: its
  -- validUntil or the default AWS gives. private_keys: JSON [{keyId, timestamp, key}], each key
  -- sealed under the master key.
  CREATE TABLE saml_providers (
    id                        {text} PRIMARY KEY,
    name                      {text} NOT NULL,
    name_key                  {text} NOT NULL UNIQUE,
    path                      {text} NOT NULL,
    created_at                {int} NOT NULL,
    valid_until               {int} NOT NULL,
    metadata                  {text} NOT NULL,
    uuid                      {text} NOT NULL,
    assertion_encryption_mode {text},
    private_keys              {text} NOT NULL
  );
  `,
  },
  {
    title: "12: the unique ids a role's trust policy names its users and roles by",
    both: `
  -- trust_principal_ids: JSON {"<user or role ARN as written>": "<its unique id then>"}: AWS
  -- trusts the principal the ARN named when the policy was written, not a later one of the same
  -- name. trust_principals_for: the SHA-256 (hex) of the trust_policy they were resolved for, so
  -- that a policy written without them (by a node of an older version, during a rolling upgrade)
  -- is not read with another policy's ids. NULL, or for another policy: resolved by ARN at the
  -- role's first use (src/domain/trust-principals.ts).
  ALTER TABLE roles ADD COLUMN trust_principal_ids {text};
  ALTER TABLE roles ADD COLUMN trust_principals_for {text};
  `,
  },
];
