#!/usr/bin/env python3
"""Regenerates test/fixtures/sigv4-suite.json: the AWS SigV4 test-suite cases, signed by botocore.

The cases are the requests of AWS's published Signature Version 4 test suite (service "service",
region us-east-1, 2015-08-30T12:36:00Z, key AKIDEXAMPLE), written in this project's own form:
what iamd's verifier receives (method, raw path, raw query, node-style lower-case headers, body).
For each, botocore (SigV4Auth, with the clock fixed) gives the canonical request and the header-form
signature, and for GET requests SigV4QueryAuth gives a presigned form (X-Amz-Expires=3600).

`published` holds the signatures AWS published for the same cases (the 2015 suite's .authz files,
and the AWS CRT's copy of the suite, aws-c-auth tests/aws-signing-test-suite/v4, for the
presigned form and for the cases the CRT corrected). The test checks botocore agrees with them.

Usage: python3 scripts/make-sigv4-fixtures.py   (needs botocore: pip install botocore)
"""

import datetime
import json
import os
import sys
from unittest import mock
from urllib.parse import unquote

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
SERVICE = "service"
AMZ_DATE = "20150830T123600Z"
WHEN = datetime.datetime(2015, 8, 30, 12, 36, 0)
HOST = "example.amazonaws.com"
EXPIRES = 3600
SESSION_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqT"
    "flfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HF"
    "vlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4"
    "rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)

# name, method, raw path, raw query, extra headers (lower-case; a list = the header sent several times),
# body, published header-form signature, published presigned signature.
CASES = [
    ("get-vanilla", "GET", "/", "", {}, "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"),
    ("get-vanilla-query", "GET", "/", "", {}, "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"),
    ("get-vanilla-empty-query-key", "GET", "/", "Param1=value1", {}, "",
     "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
     "49096700cbbaa5753443850f40df10f904fc2fdb544dc9512203cc77c471a9de"),
    ("get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", {}, "",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
     "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5"),
    ("get-vanilla-query-order-encoded", "GET", "/", "Param-3=Value3&Param=Value2&%E1%88%B4=Value1", {}, "",
     "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac",
     "c5f1848ceec943ac2ca68ee720460c23aaae30a2300586597ada94c4a65e4787"),
    ("get-vanilla-query-unreserved", "GET", "/",
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {}, "",
     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
     "8e76a88a7433637b12778d5592799b29ad21ecd6cf6325051c21d86f0acda2bf"),
    ("get-vanilla-utf8-query", "GET", "/", "\u1234=bar", {}, "",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
     "0bdd809b1519ac4f0c1dc3540e2cc46bd0c7f778eda408b2ebf3b913d21ff600"),
    ("get-header-key-duplicate", "GET", "/", "", {"my-header1": ["value2", "value2", "value1"]}, "",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
     "3349ee0b81b4b589da0ff28a395c3591e04de515651dd74f298fa992d1507a97"),
    ("get-header-value-order", "GET", "/", "", {"my-header1": ["value4", "value1", "value3", "value2"]}, "",
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
     "313720e71ca6202fdcfa9b20f88de01a4eb0638a83c833b1c184359a4eda864e"),
    # The 2015 suite canonicalised the folded lines with commas (signature ba17b383...); AWS's CRT
    # corrected its copy in 2020 to spaces, which is what botocore and the JS SDK do.
    ("get-header-value-multiline", "GET", "/", "", {"my-header1": "value1\n  value2\n     value3"}, "",
     "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd",
     "e6f5def831211aca02987a44b96826706278c7bc078112ae0263659c5b2f2d56"),
    ("get-header-value-trim", "GET", "/", "", {"my-header1": " value1", "my-header2": ' "a   b   c"'}, "",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
     "e7bb0fd515e125e1aec2ecc4c0c17484fb06f6846b927c35e46005dd3df3acd4"),
    ("get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "", {}, "",
     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
     "95968482db1b9e0fadef6efc1bd24689f77c77d9ef56919c96a28cc92e0d6005"),
    ("get-utf8", "GET", "/\u1234", "", {}, "",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
     "10eae3f14a260bd3911cc6d008d3c576d143b05b62f09782a7a4b37f52178e44"),
    ("get-space", "GET", "/example space/", "", {}, "",
     "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
     "7a1f416954786484c9824d93c1f26ef64acb9b1b6c9154d08c9f07d0e394abf6"),
    ("get-relative", "GET", "/example/..", "", {}, "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"),
    ("get-relative-relative", "GET", "/example1/example2/../..", "", {}, "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"),
    ("get-slash", "GET", "//", "", {}, "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"),
    ("get-slash-dot-slash", "GET", "/./", "", {}, "",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
     "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"),
    ("get-slash-pointless-dot", "GET", "/./example", "", {}, "",
     "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5",
     "35034b1a0bdd969f346975386daf8aedfd4976573b8348cf4f67eaa41c5857de"),
    ("get-slashes", "GET", "//example//", "", {}, "",
     "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
     "c1834e8fb0307243711f0f907f6ab7311ed300d87f13792d7ee4da89ab93e082"),
    ("post-vanilla", "POST", "/", "", {}, "",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", None),
    ("post-vanilla-query", "POST", "/", "Param1=value1", {}, "",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11", None),
    ("post-vanilla-empty-query-value", "POST", "/", "Param1=value1", {}, "",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11", None),
    ("post-header-key-case", "POST", "/", "", {}, "",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", None),
    ("post-header-key-sort", "POST", "/", "", {"my-header1": "value1"}, "",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c", None),
    ("post-header-value-case", "POST", "/", "", {"my-header1": "VALUE1"}, "",
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d", None),
    ("post-x-www-form-urlencoded", "POST", "/", "", {"content-type": "application/x-www-form-urlencoded"}, "Param1=value1",
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a", None),
    ("post-x-www-form-urlencoded-parameters", "POST", "/", "",
     {"content-type": "application/x-www-form-urlencoded; charset=utf8"}, "Param1=value1",
     "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe", None),
    # Signed with a session token (the x-amz-security-token header is signed).
    ("post-sts-header-before", "POST", "/", "", {"x-amz-security-token": SESSION_TOKEN}, "",
     "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead", None),
]


class Capturing(botocore.auth.SigV4Auth):
    """SigV4Auth that remembers the canonical request it signed."""

    def string_to_sign(self, request, canonical_request):
        self.captured = canonical_request
        return super().string_to_sign(request, canonical_request)


class CapturingQuery(botocore.auth.SigV4QueryAuth):
    def string_to_sign(self, request, canonical_request):
        self.captured = canonical_request
        return super().string_to_sign(request, canonical_request)


def botocore_headers(headers):
    """Our header map as botocore's: a name sent several times is added several times."""
    pairs = []
    for name, value in headers.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((name, v))
    out = HTTPHeaders()
    for name, value in pairs:
        out[name] = value
    return out


def params_of(raw_query):
    """The decoded (name, value) pairs of a raw query; botocore encodes them itself, per SigV4."""
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        name, _, value = part.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


def new_request(method, path, raw_query, headers, body, with_date):
    request = AWSRequest(method=method, url=f"https://{HOST}{path}", data=body.encode("utf-8") if body else None)
    all_headers = {"host": HOST, **headers}
    if with_date:
        all_headers["x-amz-date"] = AMZ_DATE
    request.headers = botocore_headers(all_headers)
    request.params = params_of(raw_query)
    return request


def main():
    fixture_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "sigv4-suite.json")
    cases = []
    disagreements = []
    with mock.patch("botocore.auth.get_current_datetime", return_value=WHEN):
        for name, method, path, query, headers, body, published, published_query in CASES:
            token = headers.get("x-amz-security-token")
            creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
            signer = Capturing(creds, SERVICE, REGION)
            request = new_request(method, path, query, headers, body, with_date=True)
            signer.add_auth(request)
            authorization = request.headers["Authorization"]
            signature = authorization.rsplit("Signature=", 1)[1]
            signed_headers = authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0]
            case = {
                "name": name,
                "request": {
                    "method": method,
                    "path": path,
                    "query": query,
                    "headers": {"host": HOST, **headers, "x-amz-date": AMZ_DATE},
                    "body": body,
                },
                "canonicalRequest": signer.captured,
                "signedHeaders": signed_headers,
                "signature": signature,
                "publishedSignature": published,
            }
            if token is not None:
                case["sessionToken"] = token
            if published is not None and published != signature:
                disagreements.append(f"{name}: botocore {signature}, published {published}")

            if method == "GET" and body == "":
                qsigner = CapturingQuery(creds, SERVICE, REGION, expires=EXPIRES)
                qrequest = new_request(method, path, query, headers, body, with_date=False)
                qsigner.add_auth(qrequest)
                raw_query = qrequest.url.split("?", 1)[1]
                qsignature = raw_query.rsplit("X-Amz-Signature=", 1)[1]
                case["presigned"] = {
                    "query": raw_query,
                    "headers": {"host": HOST, **headers},
                    "canonicalRequest": qsigner.captured,
                    "signature": qsignature,
                    "publishedSignature": published_query,
                }
                if published_query is not None and published_query != qsignature:
                    disagreements.append(f"{name} (presigned): botocore {qsignature}, published {published_query}")
            cases.append(case)

    fixture = {
        "about": "AWS SigV4 test-suite cases in iamd's own form, signed by botocore; regenerate with scripts/make-sigv4-fixtures.py",
        "generator": f"botocore {botocore.__version__}",
        "credentials": {"accessKeyId": ACCESS_KEY, "secretAccessKey": SECRET_KEY},
        "region": REGION,
        "service": SERVICE,
        "amzDate": AMZ_DATE,
        "presignExpires": EXPIRES,
        "cases": cases,
    }
    os.makedirs(os.path.dirname(fixture_path), exist_ok=True)
    with open(fixture_path, "w", encoding="utf-8") as f:
        json.dump(fixture, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(fixture_path)}")
    for line in disagreements:
        print("DISAGREES WITH PUBLISHED:", line, file=sys.stderr)
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
