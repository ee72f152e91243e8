#!/usr/bin/env python3
"""Drives `qinglang serve`'s TMS-compatible endpoint (`POST /`, OPS-4) with Tencent Cloud's
official Python SDK (`tencentcloud-sdk-python-tms`, installed by scripts/install-tms-sdk.sh),
pointed at the server on loopback: what a platform's existing client code does.

Reads one JSON object on standard input:
  {"endpoint": "127.0.0.1:PORT", "secret_id": "AKID…", "secret_key": "…",
   "calls": [{"text": "…" | "image": "base64" | "file_url": "…", "biz_type": "…", "data_id": "…", "secret_id": "…",
              "secret_key": "…", "skew": -600, "action": "OtherAction"}, …],
   "bench": {"texts": ["…"], "rounds": 3, "bearer": "qlt_…"}}
and prints one JSON object: {"results": [the SDK's response as JSON, or {"Error": code,
"Message": …}], "bench": {"tms_per_s": …, "scan_per_s": …}}. A call's own secret_id,
secret_key or skew (seconds added to the signing clock) override the defaults; `action`
calls another action through the SDK's CommonClient; `image` or `file_url` calls IMS
ImageModeration with the IMS SDK. Exit status 2 when an SDK is missing.
"""
import base64
import json
import sys
import time
import urllib.request

try:
    from tencentcloud.common import credential
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
        TencentCloudSDKException,
    )
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.tms.v20201229 import models, tms_client
    from tencentcloud.ims.v20201229 import ims_client
    from tencentcloud.ims.v20201229 import models as ims_models
except ImportError as e:
    print(f"tencentcloud-sdk-python-tms or -ims is not installed: {e}", file=sys.stderr)
    sys.exit(2)

REGION = "ap-guangzhou"


def profile(endpoint):
    return ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=endpoint))


def call(spec, job):
    sid = job.get("secret_id", spec["secret_id"])
    key = job.get("secret_key", spec["secret_key"])
    cred = credential.Credential(sid, key)
    real_time = time.time
    if "skew" in job:
        time.time = lambda: real_time() + job["skew"]
    try:
        if "action" in job:
            common = CommonClient("tms", "2020-12-29", cred, REGION, profile=profile(spec["endpoint"]))
            return common.call_json(job["action"], {})["Response"]
        if "image" in job or "file_url" in job:
            client = ims_client.ImsClient(cred, REGION, profile(spec["endpoint"]))
            req = ims_models.ImageModerationRequest()
            if "image" in job:
                req.FileContent = job["image"]
            if "file_url" in job:
                req.FileUrl = job["file_url"]
            if job.get("biz_type"):
                req.BizType = job["biz_type"]
            if job.get("data_id"):
                req.DataId = job["data_id"]
            return json.loads(client.ImageModeration(req).to_json_string())
        client = tms_client.TmsClient(cred, REGION, profile(spec["endpoint"]))
        req = models.TextModerationRequest()
        req.Content = base64.b64encode(job["text"].encode("utf-8")).decode("ascii")
        if job.get("biz_type"):
            req.BizType = job["biz_type"]
        if job.get("data_id"):
            req.DataId = job["data_id"]
        return json.loads(client.TextModeration(req).to_json_string())
    except TencentCloudSDKException as e:
        return {"Error": e.get_code(), "Message": e.get_message()}
    finally:
        time.time = real_time


def bench(spec, b):
    """Calls per second through the SDK (signing, envelope) and through plain /v1/scan with
    a bearer token (urllib, one connection per call as the SDK makes), on the same texts."""
    client = tms_client.TmsClient(
        credential.Credential(spec["secret_id"], spec["secret_key"]), REGION, profile(spec["endpoint"])
    )
    texts = b["texts"] * b.get("rounds", 1)
    started = time.perf_counter()
    for t in texts:
        req = models.TextModerationRequest()
        req.Content = base64.b64encode(t.encode("utf-8")).decode("ascii")
        client.TextModeration(req)
    tms = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for t in texts:
        r = urllib.request.Request(
            f"http://{spec['endpoint']}/v1/scan",
            data=json.dumps({"text": t}).encode("utf-8"),
            headers={"Authorization": f"Bearer {b['bearer']}", "Content-Type": "application/json"},
        )
        urllib.request.urlopen(r).read()
    scan = len(texts) / (time.perf_counter() - started)
    return {"calls": len(texts), "tms_per_s": round(tms, 1), "scan_per_s": round(scan, 1)}


def main():
    spec = json.load(sys.stdin)
    out = {"results": [call(spec, job) for job in spec.get("calls", [])]}
    if spec.get("bench"):
        out["bench"] = bench(spec, spec["bench"])
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
