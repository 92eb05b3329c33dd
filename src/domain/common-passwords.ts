/**
 * A small built-in list of the most common passwords, for IAMD_BLOCK_COMMON_PASSWORDS=true (NIST
 * SP 800-63B asks that new passwords be checked against such a list). Compared case-insensitively.
 * Drawn from published most-common-password lists, keeping those that can pass a length and
 * character-class policy, which are the ones a policy alone does not stop.
 */
export const COMMON_PASSWORDS: readonly string[] = [
  '123456', '123456789', '12345678', 'password', 'qwerty123', 'qwerty1', '111111', '12345', 'secret',
  '123123', '1234567890', '1234567', '000000', 'qwerty', 'abc123', 'password1', 'iloveyou', '1q2w3e4r',
  '1qaz2wsx', 'qwertyuiop', 'dragon', 'monkey', 'letmein', 'welcome', 'admin', 'sunshine', 'football',
  'princess', 'baseball', 'master', 'shadow', 'superman', 'trustno1', 'passw0rd', 'p@ssw0rd', 'p@ssword',
  'p@ssw0rd1', 'p@ssw0rd!', 'p@ssw0rd1!', 'p@55w0rd', 'password!', 'password1!', 'password123', 'password123!',
  'password@123', 'password#1', 'welcome1', 'welcome1!', 'welcome123', 'welcome@123', 'letmein1!',
  'qwerty123!', 'qwerty@123', 'qwerty!23', 'admin123', 'admin@123', 'admin123!', 'administrator1!',
  'changeme', 'changeme1!', 'changeme123', 'summer2024!', 'winter2024!', 'spring2025!', 'autumn2025!',
  'summer2025!', 'winter2025!', 'summer2026!', 'winter2026!', 'iloveyou1!', 'abc123!@#', 'abcd1234!',
  'aa123456', 'zaq12wsx', 'zaq1@wsx', '1qaz@wsx', '1q2w3e4r5t', '1q2w3e4r!', 'test1234', 'test@123',
  'test123!', 'demo1234!', 'default1!', 'company1!', 'monkey123!', 'dragon123!', 'football1!',
  'baseball1!', 'superman1!', 'batman123!', 'starwars1!', 'hello123!', 'master123!', 'login123!',
];
