"""moto_server with five gaps of moto 5.2.1 closed, and otherwise unchanged.

1. Application Auto Scaling tags (emulator-gaps.yaml: appautoscaling-tag-api).
The AWS provider tags every aws_appautoscaling_target (default_tags) and reads
the tags back with ListTagsForResource; moto 5.2.1 implements neither call
(moto/applicationautoscaling/responses.py has no tag_resource,
untag_resource or list_tags_for_resource), so the provider retries until it
times out. This shim keeps tags per ARN, the way AWS does.

2. Bucket policy conditions (emulator-gaps.yaml: s3-policy-conditions).
moto evaluates a bucket policy on every object request but (a) never
supplies aws:SecureTransport, knows only the StringEquals operator and treats
any other (Bool included) as satisfied, and (b) returns DENIED for any statement whose condition
does not hold, even a Deny. So the standard "deny unless TLS" statement denies
every object request, and the S3 backend cannot read or write state. The shim
evaluates bucket policies with aws:SecureTransport=true (the provider and the
backend only ever reach AWS over TLS; here the loopback endpoint is plain
HTTP), evaluates the Bool operator, and lets a Deny whose condition does not
hold be neutral, as IAM does.

3. Hosted zone ids (emulator-gaps.yaml: route53-zone-id-format). Route53
zone ids start with "Z" (Z1RWWTK7Y8UDDQ, as moto's own comment says), and the
environment rules check that; moto draws all characters at random. The shim
keeps moto's id but makes its first character a Z.

4. Certificate key algorithm (emulator-gaps.yaml: acm-key-algorithm).
RequestCertificate ignores KeyAlgorithm and always issues RSA_2048, so a
certificate requested as EC_prime256v1 reads back as RSA_2048 and the
provider plans to replace it (key_algorithm forces a new certificate). The
shim reports the algorithm that was requested, as ACM does.

5. Queue policies (emulator-gaps.yaml: sqs-set-attributes-drops-policy).
SetQueueAttributes without a Policy attribute clears the queue's policy in
moto; SQS changes only the attributes named. Any queue update (the provider
re-sends RedrivePolicy, see sqs-redrive-policy-format) then deletes the
aws_sqs_queue_policy behind Terraform's back. The shim keeps the policy
unless the request names it.
"""

import json
import sys

from moto.acm.models import CertBundle
from moto.acm.responses import AWSCertificateManagerResponse
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.iam import policy_conditions
from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult
from moto.route53 import models as route53_models
from moto.s3.models import FakeBucket
from moto.server import main
from moto.sqs.models import Queue

_TAGS = {}  # ARN -> {key: value}

_register = ApplicationAutoScalingResponse.register_scalable_target


def _register_with_tags(self):
    body = _register(self)
    tags = self._get_param("Tags") or {}
    if tags:
        arn = json.loads(body)["ScalableTargetARN"]
        _TAGS.setdefault(arn, {}).update(tags)
    return body


def _tag_resource(self):
    _TAGS.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
    return json.dumps({})


def _untag_resource(self):
    tags = _TAGS.get(self._get_param("ResourceARN"), {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return json.dumps({})


def _list_tags_for_resource(self):
    return json.dumps({"Tags": _TAGS.get(self._get_param("ResourceARN"), {})})


ApplicationAutoScalingResponse.register_scalable_target = _register_with_tags
ApplicationAutoScalingResponse.tag_resource = _tag_resource
ApplicationAutoScalingResponse.untag_resource = _untag_resource
ApplicationAutoScalingResponse.list_tags_for_resource = _list_tags_for_resource

def _bool_equals(expected, actual):
    values = expected if isinstance(expected, list) else [expected]
    return str(actual).lower() in [str(v).lower() for v in values]


policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", _bool_equals)

_statement_permitted = IAMPolicyStatement.is_action_permitted


def _statement_permitted_iam(self, action, resource="*", principal=None, incoming_condition_values=None):
    if (
        self._statement.get("Effect") == "Deny"
        and self._statement.get("Condition")
        and not self._check_conditions(incoming_condition_values)
    ):
        return PermissionResult.NEUTRAL
    return _statement_permitted(self, action, resource, principal, incoming_condition_values)


def _bucket_permission(self, action, resource):
    if self.policy is None:
        return PermissionResult.NEUTRAL
    return IAMPolicy(self.policy.decode()).is_action_permitted(
        action, resource, incoming_condition_values={"aws:SecureTransport": "true"}
    )


IAMPolicyStatement.is_action_permitted = _statement_permitted_iam
FakeBucket.get_permission = _bucket_permission

_zone_id = route53_models.create_route53_zone_id


def _z_zone_id(*args, **kwargs):
    return "Z" + _zone_id(*args, **kwargs)[1:]


route53_models.create_route53_zone_id = _z_zone_id

_KEY_ALGORITHMS = {}  # certificate ARN -> requested KeyAlgorithm
_request_certificate = AWSCertificateManagerResponse.request_certificate
_describe_certificate = CertBundle.describe


def _request_certificate_with_algorithm(self):
    response = _request_certificate(self)
    algorithm = self._get_param("KeyAlgorithm")
    if algorithm and isinstance(response, str):
        _KEY_ALGORITHMS[json.loads(response)["CertificateArn"]] = algorithm
    return response


def _describe_with_algorithm(self):
    result = _describe_certificate(self)
    if self.arn in _KEY_ALGORITHMS:
        result["Certificate"]["KeyAlgorithm"] = _KEY_ALGORITHMS[self.arn]
    return result


AWSCertificateManagerResponse.request_certificate = _request_certificate_with_algorithm
CertBundle.describe = _describe_with_algorithm

_set_queue_attributes = Queue._set_attributes


def _set_queue_attributes_keeping_policy(self, attributes, *args, **kwargs):
    policy = getattr(self, "policy", None)
    _set_queue_attributes(self, attributes, *args, **kwargs)
    if "Policy" not in attributes:
        self.policy = policy


Queue._set_attributes = _set_queue_attributes_keeping_policy

if __name__ == "__main__":
    sys.exit(main())
