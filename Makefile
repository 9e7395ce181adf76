# Flow Builder infrastructure. `make synth` and `make test` are all a newcomer needs.
SHELL := /bin/bash
export CHECKPOINT_DISABLE := 1
# jsii warns on every start that Node 20 is past end of life; Node 20 is what
# this project's machines have (see README prerequisites).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# Without a terminal (CI, logs, the rehearsal) cdktf's spinner writes hundreds
# of escape-code lines; its UI library prints only the final frame when CI is
# set, so set it whenever stdout is not a terminal (an existing CI wins).
CDKTF := CI=$${CI:-$$([ -t 1 ] || echo true)} npx --no-install cdktf
ENV ?= dev
ENVS := dev staging prod
# Where synth writes and which environment files it reads; the deploy
# rehearsal points both at its own workspace.
OUT ?= cdktf.out
ENVIRONMENTS ?= environments
export FLOW_BUILDER_ENVIRONMENTS := $(ENVIRONMENTS)
# The bootstrap stacks keep their local state next to $(OUT) (state.LocalStatePath).
BOOTSTRAP_STATE_DIR = $(dir $(abspath $(OUT))).bootstrap-state
# AUTO_APPROVE=1 skips cdktf's confirmation prompt (the rehearsal, CI).
APPROVE = $(if $(AUTO_APPROVE),--auto-approve)
# node_modules holds a stray Go package (flatted); keep it out of vet and test.
# Evaluated once, and only by the targets that use it.
PKGS = $(eval PKGS := $$(shell go list ./... | grep -v /node_modules/))$(PKGS)
# The stacks tests synthesize six stacks through jsii: minutes on a loaded
# 2-core machine, so go test's default 10-minute limit is too tight.
TEST_TIMEOUT ?= 30m

.PHONY: synth test update-golden fmt vet diff deploy destroy release promote bootstrap migrate-bootstrap validate rehearse install check-env bench scan lint docs

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json ## install the pinned cdktf CLI and Go modules
	go mod download

synth: node_modules/.package-lock.json ## synthesize all six stacks into $(OUT)/
	go run . -check
	@# Remove what synth rewrites, but keep each stack's .terraform/ (its
	@# initialised backend and providers) and lock file: deleting them makes
	@# Terraform forget where a stack's state lives.
	if [ -d $(OUT) ]; then find $(OUT) \( -name .terraform -o -name .terraform.lock.hcl \) -prune -o -type f -print0 | xargs -0 rm -f; fi
	$(CDKTF) synth --output $(OUT)

test: vet ## go vet + every test (golden files, properties, config rules, guardrails)
	go test -timeout $(TEST_TIMEOUT) $(PKGS)
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

bootstrap: check-env node_modules/.package-lock.json ## create (or update) the state bucket, key and lock table of ENV
	mkdir -p $(BOOTSTRAP_STATE_DIR)  # the bootstrap stack's local state lives here until migrated
	$(CDKTF) deploy flow-builder-state-$(ENV) --output $(OUT) $(APPROVE)

# cdktf 0.20.12 runs a plain `terraform init` and never passes -migrate-state
# (terraform-cdk issue 3704), so the migration runs Terraform directly.
migrate-bootstrap: check-env synth ## move ENV's bootstrap state into its bucket (after setting state_in_bucket: true)
	@grep -Eq '^state_in_bucket:[[:space:]]*true' $(ENVIRONMENTS)/$(ENV).yaml || \
	  { echo "set state_in_bucket: true in $(ENVIRONMENTS)/$(ENV).yaml first (README: Bootstrap)"; exit 1; }
	cd $(OUT)/stacks/flow-builder-state-$(ENV) && terraform init -migrate-state -force-copy -input=false

diff: check-env node_modules/.package-lock.json ## plan flow-builder-ENV: what make deploy would change
	$(CDKTF) diff flow-builder-$(ENV) --output $(OUT)

deploy: check-env node_modules/.package-lock.json ## apply flow-builder-ENV: exactly what environments/ENV.yaml declares
	$(CDKTF) deploy flow-builder-$(ENV) --output $(OUT) $(APPROVE)

# A release, a rollback and a promotion change environments/<env>.yaml (commit
# it) and then deploy what it declares; cdktf shows the plan and asks first
# unless AUTO_APPROVE=1.
release: check-env ## declare IMAGE (tag or sha256 digest) for SERVICE (api, worker, all) in ENV, then deploy
	go run ./cmd/release -dir $(ENVIRONMENTS) -env $(ENV) -service "$(SERVICE)" -image "$(IMAGE)"
	$(MAKE) deploy ENV=$(ENV)

promote: ## copy the images environment FROM declares to TO, then deploy TO
	go run ./cmd/release -dir $(ENVIRONMENTS) -env "$(TO)" -from "$(FROM)"
	$(MAKE) deploy ENV=$(TO)

destroy: check-env node_modules/.package-lock.json ## destroy flow-builder-ENV (refused while deletion protection is on)
	$(CDKTF) destroy flow-builder-$(ENV) --output $(OUT) $(APPROVE)

validate: synth ## terraform validate + offline plan of all six stacks (needs terraform and the provider)
	go run ./test/rehearse -validate -out $(OUT)

# ENV given on the command line rehearses one environment; otherwise all.
REHEARSE_ENVS = $(if $(filter command line environment,$(origin ENV)),$(ENV))
rehearse: node_modules/.package-lock.json ## apply, re-plan, change, destroy, rebuild against moto (ENV=dev for one)
	go run ./test/rehearse $(REHEARSE_ARGS) $(REHEARSE_ENVS)

bench: ## measure synth and test time/memory against the floor app (see README "Performance")
	go build -o build/bench/floor ./bench/floor
	go build -o build/bench/app .
	go run ./bench/cmd/bench $(BENCH_FLAGS)

# Security tools live in tools/go.mod (trivy needs GOEXPERIMENT=jsonv2 to build).
# --quiet: trivy logs "ERROR Falling back to embedded checks" on every offline
# scan (--skip-check-update with no downloaded bundle); the embedded checks are
# the ones we pin with the trivy version, so the line is noise. The report and
# the exit code are unaffected.
TRIVY_FLAGS := config --misconfig-scanners terraform --skip-check-update --disable-telemetry \
	--skip-version-check --quiet -s HIGH,CRITICAL --exit-code 1 --ignorefile ../.trivyignore.yaml

scan: synth ## trivy over all six freshly synthesized stacks; waivers in .trivyignore.yaml
	rm -rf cdktf.out/scan
	cd tools && go run ./tfjson2hcl ../cdktf.out/stacks ../cdktf.out/scan
	@# A scan that finds nothing to read must not pass.
	@n=$$(ls cdktf.out/scan/*/main.tf 2>/dev/null | wc -l); [ "$$n" -eq 6 ] || { echo "scan: $$n of 6 stacks rendered"; exit 1; }
	cd tools && GOEXPERIMENT=jsonv2 go tool trivy $(TRIVY_FLAGS) ../cdktf.out/scan

lint: ## actionlint the GitHub Actions workflow
	cd tools && go tool actionlint ../.github/workflows/ci.yml

docs: synth ## regenerate docs/environments.md and the README matrix (diagram, matrix, cost estimate)
	go run ./cmd/docs cdktf.out/stacks docs/environments.md README.md
