"""Virtual MFA devices through boto3, with TOTP codes computed here from the returned seed (Python's
own hmac, as an authenticator app would), and the account alias.

Reads AWS_ENDPOINT_URL, the root credentials and IAMD_TEST_USER; prints one JSON object of what
it observed.
"""
import base64
import hashlib
import hmac
import json
import os
import struct
import time

import boto3
from aws_errors import error_of

endpoint = os.environ["AWS_ENDPOINT_URL"]
user = os.environ["IAMD_TEST_USER"]
session = boto3.session.Session(region_name="us-east-1")
iam = session.client("iam", endpoint_url=endpoint)
seen = {}


def code(seed, step):
    """RFC 6238: HMAC-SHA1 over the 30-second step, dynamic truncation, 6 digits."""
    mac = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def pair(seed, ahead=0):
    step = int(time.time()) // 30 + ahead
    return {"AuthenticationCode1": code(seed, step - 1), "AuthenticationCode2": code(seed, step)}


iam.create_user(UserName=user)
device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user + "-phone", Path="/boto3/")["VirtualMFADevice"]
serial = device["SerialNumber"]
seed = device["Base32StringSeed"]  # botocore decodes the blob: the base32 text, as bytes
seen["serial"] = serial
seen["seed_length"] = len(seed)
seen["qr_is_png"] = device["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n")

# The same code twice is never two consecutive codes (but for a chance of about 1e-11).
seen["wrong_codes"] = error_of(
    lambda: iam.enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1="000000", AuthenticationCode2="000000")
)
codes = pair(seed)
iam.enable_mfa_device(UserName=user, SerialNumber=serial, **codes)
seen["listed"] = [{k: d[k] for k in ("UserName", "SerialNumber")} for d in iam.list_mfa_devices(UserName=user)["MFADevices"]]
assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
seen["assigned_user"] = next(d["User"]["UserName"] for d in assigned if d["SerialNumber"] == serial)
got = iam.get_mfa_device(UserName=user, SerialNumber=serial)
seen["mfa_device"] = {k: got[k] for k in ("UserName", "SerialNumber")}

iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "team", "Value": "blue"}, {"Key": "kind", "Value": "phone"}])
iam.untag_mfa_device(SerialNumber=serial, TagKeys=["kind"])
seen["tags"] = iam.list_mfa_device_tags(SerialNumber=serial)["Tags"]

iam.resync_mfa_device(UserName=user, SerialNumber=serial, **pair(seed, 2))
seen["replayed"] = error_of(lambda: iam.resync_mfa_device(UserName=user, SerialNumber=serial, **pair(seed, 2)))
seen["delete_assigned"] = error_of(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial))
seen["delete_user"] = error_of(lambda: iam.delete_user(UserName=user))

# The resource API: the user's MFA devices
resource = session.resource("iam", endpoint_url=endpoint)
seen["resource_api_serials"] = [d.serial_number for d in resource.User(user).mfa_devices.all()]

iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
iam.delete_virtual_mfa_device(SerialNumber=serial)
seen["after_delete"] = error_of(lambda: iam.delete_virtual_mfa_device(SerialNumber=serial))
seen["tag_deleted"] = error_of(lambda: iam.list_mfa_device_tags(SerialNumber=serial))
iam.delete_user(UserName=user)

iam.create_account_alias(AccountAlias="boto3-alias")
seen["aliases"] = iam.list_account_aliases()["AccountAliases"]
iam.delete_account_alias(AccountAlias="boto3-alias")

print(json.dumps(seen))
