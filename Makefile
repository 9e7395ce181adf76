# Flow Builder infrastructure. `make synth` and `make test` are all a newcomer needs.
SHELL := /bin/bash
export CHECKPOINT_DISABLE := 1
# jsii warns on every start that Node 20 is past end of life; Node 20 is what
# this project's machines have (see README prerequisites).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
CDKTF := npx --no-install cdktf
ENV ?= dev
ENVS := dev staging prod
# node_modules holds a stray Go package (flatted); keep it out of vet and test.
PKGS = $(shell go list ./... | grep -v /node_modules/)

.PHONY: synth test update-golden fmt vet diff deploy bootstrap install check-env bench scan lint docs

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json ## install the pinned cdktf CLI and Go modules
	go mod download

synth: node_modules/.package-lock.json ## synthesize all six stacks into cdktf.out/
	rm -rf cdktf.out
	go run . -check
	$(CDKTF) synth

test: vet ## go vet + every test (golden files, properties, config rules, guardrails)
	go test $(PKGS)
	cd tools && go vet ./tfjson2hcl && go test ./tfjson2hcl

update-golden: ## rewrite testdata/*.json from the current code; review the diff
	go test ./stacks -update

GOFILES = $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './cdktf.out/*')

fmt:
	gofmt -w $(GOFILES)

vet:
	@test -z "$$(gofmt -l $(GOFILES))" || { gofmt -l $(GOFILES); echo "gofmt needed: run make fmt"; exit 1; }
	go vet $(PKGS)

check-env:
	@[[ " $(ENVS) " == *" $(ENV) "* ]] || { echo "ENV must be one of: $(ENVS)"; exit 1; }

bootstrap: check-env node_modules/.package-lock.json ## create the state bucket and lock table of ENV
	mkdir -p .bootstrap-state  # the bootstrap stack's local state lives here until migrated
	$(CDKTF) deploy flow-builder-state-$(ENV)

diff: check-env node_modules/.package-lock.json ## plan flow-builder-ENV
	$(CDKTF) diff flow-builder-$(ENV)

deploy: check-env node_modules/.package-lock.json ## apply flow-builder-ENV (pass VARS="--var api_image_tag=...")
	$(CDKTF) deploy flow-builder-$(ENV) $(VARS)

bench: ## measure synth and test time/memory against the floor app (see README "Performance")
	go build -o build/bench/floor ./bench/floor
	go build -o build/bench/app .
	go run ./bench/cmd/bench $(BENCH_FLAGS)

# Security tools live in tools/go.mod (trivy needs GOEXPERIMENT=jsonv2 to build).
TRIVY_FLAGS := config --misconfig-scanners terraform --skip-check-update --disable-telemetry \
	--skip-version-check -s HIGH,CRITICAL --exit-code 1 --ignorefile ../.trivyignore.yaml

scan: ## trivy over all six synthesized stacks; waivers in .trivyignore.yaml
	test -d cdktf.out/stacks || $(MAKE) synth
	rm -rf cdktf.out/scan
	cd tools && go run ./tfjson2hcl ../cdktf.out/stacks ../cdktf.out/scan
	cd tools && GOEXPERIMENT=jsonv2 go tool trivy $(TRIVY_FLAGS) ../cdktf.out/scan

lint: ## actionlint the GitHub Actions workflow
	cd tools && go tool actionlint ../.github/workflows/ci.yml

docs: synth ## regenerate docs/environments.md and the README matrix (diagram, matrix, cost estimate)
	go run ./cmd/docs cdktf.out/stacks docs/environments.md README.md
