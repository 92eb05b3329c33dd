"""The password-policy scenario through boto3: the account policy, its enforcement with AWS's
error codes, reuse prevention, and ChangePassword called with the user's own keys.

Reads AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and IAMD_TEST_USER; prints one
JSON object of what it observed.
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




iam.update_account_password_policy(
    MinimumPasswordLength=10, RequireNumbers=True, RequireSymbols=True, PasswordReusePrevention=2, AllowUsersToChangePassword=True
)
policy = iam.get_account_password_policy()["PasswordPolicy"]
seen["policy"] = {k: policy[k] for k in sorted(policy)}

# The resource API: AccountPasswordPolicy
resource = session.resource("iam", endpoint_url=endpoint)
seen["resource_minimum_length"] = resource.AccountPasswordPolicy().minimum_password_length

iam.create_user(UserName=user)
seen["weak_create"] = error_of(lambda: iam.create_login_profile(UserName=user, Password="short"))
iam.create_login_profile(UserName=user, Password="Boto3-Policy-1!")
key = iam.create_access_key(UserName=user)["AccessKey"]
me = boto3.session.Session(
    region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
).client("iam", endpoint_url=endpoint)

seen["reuse"] = error_of(lambda: me.change_password(OldPassword="Boto3-Policy-1!", NewPassword="Boto3-Policy-1!"))
seen["wrong_old"] = error_of(lambda: me.change_password(OldPassword="Not-The-One-1!", NewPassword="Boto3-Policy-2!"))
me.change_password(OldPassword="Boto3-Policy-1!", NewPassword="Boto3-Policy-2!")
seen["changed"] = True
seen["user_reads_policy"] = me.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"]
seen["root_change"] = error_of(lambda: iam.change_password(OldPassword="a-Passw0rd!", NewPassword="b-Passw0rd!"))

iam.delete_account_password_policy()
seen["policy_gone"] = error_of(lambda: iam.get_account_password_policy())

json.dump(seen, sys.stdout)
