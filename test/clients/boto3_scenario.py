"""The core login-profile scenario through boto3, including the resource API the product grew from:
iam.LoginProfile(name).update(Password=..., PasswordResetRequired=...).

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
client = session.client("iam", endpoint_url=endpoint)
resource = session.resource("iam", endpoint_url=endpoint)
seen = {}




created = client.create_user(UserName=user, Path="/boto3/")["User"]
seen["arn"] = created["Arn"]
seen["user_id_prefix"] = created["UserId"][:4]

profile = client.create_login_profile(UserName=user, Password="Boto3-Initial-1!", PasswordResetRequired=False)
seen["created_reset_required"] = profile["LoginProfile"]["PasswordResetRequired"]

# The seed: the resource API's LoginProfile.update.
login_profile = resource.LoginProfile(user)
response = login_profile.update(Password="Boto3-Changed-2!", PasswordResetRequired=True)
seen["update_status"] = response["ResponseMetadata"]["HTTPStatusCode"]
login_profile.reload()
seen["reset_required_after_update"] = login_profile.password_reset_required
seen["profile_create_date_is_datetime"] = hasattr(login_profile.create_date, "isoformat")

login_profile.update(PasswordResetRequired=False)
seen["reset_required_after_clear"] = client.get_login_profile(UserName=user)["LoginProfile"]["PasswordResetRequired"]

seen["missing_user_error"] = error_of(lambda: client.update_login_profile(UserName=user + "-missing", Password="Xx-1234567"))
seen["validation_error"] = error_of(lambda: client.update_login_profile(UserName=user, Password="x" * 129))
seen["duplicate_profile_error"] = error_of(lambda: client.create_login_profile(UserName=user, Password="Another-1!"))

key = client.create_access_key(UserName=user)["AccessKey"]
# Real IAM grants nothing by default: let the user read itself.
client.put_user_policy(
    UserName=user,
    PolicyName="SelfService",
    PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/*/${aws:username}"]}]}
    ),
)
seen["key_listed"] = [k["AccessKeyId"] for k in client.list_access_keys(UserName=user)["AccessKeyMetadata"]] == [key["AccessKeyId"]]
as_user = boto3.session.Session(
    region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
).client("iam", endpoint_url=endpoint)
seen["self_user_name"] = as_user.get_user()["User"]["UserName"]
seen["delete_conflict_error"] = error_of(lambda: client.delete_user(UserName=user))

client.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
client.delete_user_policy(UserName=user, PolicyName="SelfService")
client.delete_login_profile(UserName=user)
seen["profile_gone_error"] = error_of(lambda: client.get_login_profile(UserName=user))
client.delete_user(UserName=user)
seen["user_gone"] = error_of(lambda: client.get_user(UserName=user))["code"]

json.dump(seen, sys.stdout)
