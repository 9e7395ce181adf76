package main

import (
	"encoding/json"
	"testing"
)

func TestConvert(t *testing.T) {
	var doc map[string]any
	src := `{
	  "provider": {"aws": [{"region": "us-east-1", "default_tags": [{"tags": {"Project": "x"}}]}]},
	  "resource": {"aws_ecr_repository": {"r": {
	    "//": {"metadata": {"path": "p"}},
	    "name": "x",
	    "image_scanning_configuration": {"scan_on_push": true},
	    "encryption_configuration": [{"encryption_type": "KMS", "kms_key": "${aws_kms_key.k.arn}"}],
	    "tags": {"Name": "x"},
	    "depends_on": ["aws_kms_key.k"]
	  }},
	  "aws_iam_role_policy": {"p": {"policy": "{\"Resource\":[\"${aws_s3_bucket.b.arn}/*\"],\"Pct\":\"%{x}\"}"}},
	  "aws_ecs_service": {"s": {"desired_count": "${(length(var.t) >= 1) ? format(\"%s:%s\", a.b, var.t) : 0}"}}}
	}`
	if err := json.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	got := Convert(doc)
	want := `resource "aws_ecr_repository" "r" {
  encryption_configuration {
    encryption_type = "KMS"
    kms_key = "${aws_kms_key.k.arn}"
  }
  image_scanning_configuration {
    scan_on_push = true
  }
  name = "x"
  tags = {"Name" = "x"}
}

resource "aws_ecs_service" "s" {
  desired_count = "${(length(var.t) >= 1) ? format("%s:%s", a.b, var.t) : 0}"
}

resource "aws_iam_role_policy" "p" {
  policy = "{\"Resource\":[\"${aws_s3_bucket.b.arn}/*\"],\"Pct\":\"%%{x}\"}"
}

provider "aws" {
  default_tags {
    tags = {"Project" = "x"}
  }
  region = "us-east-1"
}

`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
