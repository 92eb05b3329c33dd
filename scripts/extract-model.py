#!/usr/bin/env python3
"""Regenerate src/protocol/model/*.json from the AWS service models that ship with botocore.

The models are AWS's own description of IAM and STS (Apache-2.0, from botocore). We keep them with
the documentation stripped: iamd reads constraints, shapes and error codes from them, so the server
validates and serialises exactly what AWS clients expect.
"""
import gzip, json, os, botocore

root = os.path.join(os.path.dirname(botocore.__file__), "data")
out = os.path.join(os.path.dirname(__file__), "..", "src", "protocol", "model")

def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in ("documentation", "documentationUrl", "examples")}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node

for name, path in (("iam", "iam/2010-05-08/service-2.json.gz"), ("sts", "sts/2011-06-15/service-2.json.gz")):
    model = strip(json.load(gzip.open(os.path.join(root, path))))
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(model, f, indent=0)
        f.write("\n")
    print(name, len(model["operations"]), "operations")
