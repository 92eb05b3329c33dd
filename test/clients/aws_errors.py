"""Shared by the boto3 scenario scripts (their own folder is on sys.path when they run)."""
from botocore.exceptions import ClientError


def error_of(call):
    """Runs a call that should fail and returns AWS's code, message and HTTP status (None if it succeeded)."""
    try:
        call()
    except ClientError as e:
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None
