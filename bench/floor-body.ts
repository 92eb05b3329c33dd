/** The fixed answer of the floor (floor-server.ts) and of its references (reference-server.ts): a GetLoginProfile response's size and shape. */
export const FLOOR_BODY =
  '<GetLoginProfileResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetLoginProfileResult><LoginProfile>' +
  '<UserName>floor</UserName><CreateDate>2026-01-01T00:00:00Z</CreateDate><PasswordResetRequired>false</PasswordResetRequired>' +
  '</LoginProfile></GetLoginProfileResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetLoginProfileResponse>';
