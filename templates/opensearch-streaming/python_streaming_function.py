"""Streams the DynamoDB tables of @searchable models into OpenSearch.

Written for amplify-gql (not derived from the Amplify CLI's function). For every stream
record it writes the item's new image as a plain JSON document to
`/<index>/_doc/<id>`, or deletes that document when the item is removed:

* the index is the model's name, lower-cased (the table is named `<Model>-<api id>-<env>`);
* the id is the item's key values, ordered by attribute name and joined with `|`;
* with OPENSEARCH_USE_EXTERNAL_VERSIONING=true (DataStore), `_version` becomes the
  document's external version instead of a field.

Requests are signed with AWS Signature Version 4 using the function's credentials. Only the
standard library is used.
"""

import datetime
import hashlib
import hmac
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

ENDPOINT = os.environ.get("OPENSEARCH_ENDPOINT", "")
REGION = os.environ.get("OPENSEARCH_REGION", os.environ.get("AWS_REGION", ""))
EXTERNAL_VERSIONING = os.environ.get("OPENSEARCH_USE_EXTERNAL_VERSIONING", "false") == "true"

logger = logging.getLogger()
logger.setLevel(logging.DEBUG if os.environ.get("DEBUG") == "1" else logging.INFO)


def plain(value):
    """A DynamoDB attribute value (`{"S": "x"}`, `{"N": "1"}`, ...) as plain JSON."""
    (kind, inner), = value.items()
    if kind in ("S", "B", "BOOL"):
        return inner
    if kind == "N":
        return number(inner)
    if kind == "NULL":
        return None
    if kind == "SS" or kind == "BS":
        return list(inner)
    if kind == "NS":
        return [number(n) for n in inner]
    if kind == "L":
        return [plain(v) for v in inner]
    if kind == "M":
        return {k: plain(v) for k, v in inner.items()}
    raise ValueError("unknown DynamoDB type: " + kind)


def number(text):
    n = Decimal(text)
    return int(n) if n == n.to_integral_value() and "." not in text and "e" not in text.lower() else float(n)


def image(attributes):
    return {name: plain(value) for name, value in (attributes or {}).items()}


def index_name(source_arn):
    """`arn:...:table/Post-abc-dev/stream/...` -> `post`."""
    table = source_arn.split(":", 5)[5].split("/")[1]
    return table.split("-")[0].lower()


def document_id(keys):
    return "|".join(str(plain(keys[name])) for name in sorted(keys))


def sign(method, url, body, now=None):
    """The headers of a SigV4-signed request to the `es` service."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    parts = urllib.parse.urlsplit(url)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = now.strftime("%Y%m%d")
    headers = {"content-type": "application/json", "host": parts.netloc, "x-amz-date": amz_date}
    token = os.environ.get("AWS_SESSION_TOKEN")
    if token:
        headers["x-amz-security-token"] = token
    signed = ";".join(sorted(headers))
    query = "&".join(
        "=".join(urllib.parse.quote(p, safe="-_.~") for p in pair)
        for pair in sorted(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    )
    canonical = "\n".join([
        method,
        urllib.parse.quote(parts.path or "/", safe="/-_.~"),
        query,
        "".join(f"{k}:{headers[k]}\n" for k in sorted(headers)),
        signed,
        hashlib.sha256(body).hexdigest(),
    ])
    scope = f"{day}/{REGION}/es/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + os.environ.get("AWS_SECRET_ACCESS_KEY", "")).encode()
    for part in (day, REGION, "es", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={os.environ.get('AWS_ACCESS_KEY_ID', '')}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return headers


def send(method, path, document=None, params=None):
    url = ENDPOINT.rstrip("/") + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    body = b"" if document is None else json.dumps(document).encode()
    request = urllib.request.Request(url, data=body or None, method=method, headers=sign(method, url, body))
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as e:
        # A newer version already indexed (external versioning) or a document already gone.
        if e.code in (404, 409):
            logger.info("%s %s: %s", method, path, e.code)
            return e.code
        raise


def handle(record):
    if record.get("eventSource") != "aws:dynamodb":
        logger.debug("skipping a record from %s", record.get("eventSource"))
        return
    ddb = record["dynamodb"]
    index = index_name(record["eventSourceARN"])
    path = "/{}/_doc/{}".format(index, urllib.parse.quote(document_id(ddb["Keys"]), safe=""))
    if record["eventName"] == "REMOVE":
        params = None
        old = image(ddb.get("OldImage"))
        if EXTERNAL_VERSIONING and "_version" in old:
            params = {"version": old["_version"], "version_type": "external"}
        send("DELETE", path, params=params)
        return
    document = image(ddb.get("NewImage"))
    params = None
    if EXTERNAL_VERSIONING and "_version" in document:
        params = {"version": document.pop("_version"), "version_type": "external"}
    send("PUT", path, document, params)


def lambda_handler(event, context):
    records = event.get("Records", [])
    logger.debug("%d records", len(records))
    for record in records:
        handle(record)
    return {"records": len(records)}
