"""The compatibility scenario through boto3 (the same steps test/clients.test.ts runs through the
AWS CLI and the AWS SDK for JavaScript v3): a user, the account password policy, a login profile,
an access key, an inline policy, ChangePassword by the user itself, and errors.

Reads AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and IAMD_TEST_USER from the
environment and prints one JSON object describing what it observed; the test asserts on it.
"""
import json
import os
import sys

import boto3
from aws_errors import error_of

endpoint = os.environ["AWS_ENDPOINT_URL"]
user = os.environ["IAMD_TEST_USER"]
session = boto3.session.Session(region_name="us-east-1")
iam = session.client("iam", endpoint_url=endpoint)
seen = {}




self_read = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/compat/${aws:username}"}],
}

seen["arn"] = iam.create_user(UserName=user, Path="/compat/")["User"]["Arn"]

iam.update_account_password_policy(MinimumPasswordLength=10, RequireNumbers=True, RequireSymbols=True, AllowUsersToChangePassword=True)
policy = iam.get_account_password_policy()["PasswordPolicy"]
seen["policy"] = {k: policy[k] for k in ("MinimumPasswordLength", "RequireNumbers", "RequireSymbols", "AllowUsersToChangePassword", "ExpirePasswords")}

seen["weak_password_error"] = error_of(lambda: iam.create_login_profile(UserName=user, Password="shortpass"))
profile = iam.create_login_profile(UserName=user, Password="Compat-Init-1!", PasswordResetRequired=True)["LoginProfile"]
seen["created_reset_required"] = profile["PasswordResetRequired"]

key = iam.create_access_key(UserName=user)["AccessKey"]
seen["key_id_prefix"] = key["AccessKeyId"][:4]
seen["keys_listed"] = [(k["AccessKeyId"] == key["AccessKeyId"], k["Status"]) for k in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]]

iam.put_user_policy(UserName=user, PolicyName="SelfRead", PolicyDocument=json.dumps(self_read))
seen["inline_policies"] = iam.list_user_policies(UserName=user)["PolicyNames"]
seen["inline_document"] = iam.get_user_policy(UserName=user, PolicyName="SelfRead")["PolicyDocument"]  # boto3 decodes it

as_user = boto3.session.Session(
    region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
).client("iam", endpoint_url=endpoint)
seen["self_user_name"] = as_user.get_user()["User"]["UserName"]
as_user.change_password(OldPassword="Compat-Init-1!", NewPassword="Compat-Own-2!")
seen["reset_required_after_change"] = iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"]
seen["wrong_old_password_error"] = error_of(lambda: as_user.change_password(OldPassword="Compat-Init-1!", NewPassword="Compat-Own-3!"))

iam.update_login_profile(UserName=user, PasswordResetRequired=True)
seen["reset_required_after_admin_update"] = iam.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"]

seen["missing_user_error"] = error_of(lambda: iam.get_user(UserName=user + "-missing"))
seen["delete_conflict_error"] = error_of(lambda: iam.delete_user(UserName=user))

iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
iam.delete_user_policy(UserName=user, PolicyName="SelfRead")
iam.delete_login_profile(UserName=user)
iam.delete_user(UserName=user)
iam.delete_account_password_policy()
seen["user_gone"] = error_of(lambda: iam.get_user(UserName=user))["code"]
seen["policy_gone"] = error_of(lambda: iam.get_account_password_policy())["code"]

json.dump(seen, sys.stdout)
