package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Tools are the programs the rehearsal drives. FindTools says exactly what is
// missing and how to get it; nothing is skipped silently.
type Tools struct {
	Terraform string // terraform >= 1.10 (use_lockfile)
	PluginDir string // filesystem mirror holding registry.terraform.io/hashicorp/aws
	Python    string // a python3 that imports moto.server (moto 5.x)
}

// DefaultPluginDir is where these machines keep the provider mirror.
const DefaultPluginDir = "/opt/tf-plugins"

// FindTools looks up terraform, the provider mirror (TF_PLUGIN_DIR, default
// /opt/tf-plugins) and, when needMoto, a Python with moto (MOTO_PYTHON,
// default python3).
func FindTools(needMoto bool) (Tools, error) {
	var t Tools
	var missing []string
	if p, err := exec.LookPath("terraform"); err != nil {
		missing = append(missing, "terraform >= 1.10 is not on PATH: install it from https://developer.hashicorp.com/terraform/install")
	} else if v, err := terraformVersion(p); err != nil {
		missing = append(missing, err.Error())
	} else if !atLeast(v, 1, 10) {
		missing = append(missing, fmt.Sprintf("terraform %s is too old: the S3 backend's use_lockfile needs >= 1.10", v))
	} else {
		t.Terraform = p
	}
	t.PluginDir = os.Getenv("TF_PLUGIN_DIR")
	if t.PluginDir == "" {
		t.PluginDir = DefaultPluginDir
	}
	if m, _ := filepath.Glob(filepath.Join(t.PluginDir, "registry.terraform.io/hashicorp/aws/5.*/*")); len(m) == 0 {
		missing = append(missing, fmt.Sprintf("no AWS provider 5.x mirror under %s (TF_PLUGIN_DIR): create one with "+
			"`terraform providers mirror <dir>` in a directory whose configuration requires hashicorp/aws ~> 5.99, "+
			"then set TF_PLUGIN_DIR=<dir>", t.PluginDir))
	}
	if needMoto {
		t.Python = os.Getenv("MOTO_PYTHON")
		if t.Python == "" {
			t.Python = "python3"
		}
		if out, err := exec.Command(t.Python, "-c", "import moto, moto.server; print(moto.__version__)").CombinedOutput(); err != nil {
			missing = append(missing, fmt.Sprintf("%s cannot import moto.server (%s): run `pip install \"moto[server]==5.2.1\"` "+
				"or point MOTO_PYTHON at a Python that has it", t.Python, strings.TrimSpace(lastLine(string(out)))))
		} else if !strings.HasPrefix(strings.TrimSpace(string(out)), "5.") {
			missing = append(missing, fmt.Sprintf("moto %s found; the rehearsal and its gap list are written for moto 5.x", strings.TrimSpace(string(out))))
		}
	}
	if len(missing) > 0 {
		return t, errors.New("missing tools:\n  " + strings.Join(missing, "\n  "))
	}
	return t, nil
}

var versionRE = regexp.MustCompile(`v(\d+)\.(\d+)\.(\d+)`)

func terraformVersion(bin string) (string, error) {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %v", bin, err)
	}
	m := versionRE.FindString(string(out))
	if m == "" {
		return "", fmt.Errorf("%s version printed no version: %q", bin, lastLine(string(out)))
	}
	return m[1:], nil
}

// atLeast reports whether version "a.b.c" is >= major.minor.
func atLeast(version string, major, minor int) bool {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, _ := strconv.Atoi(parts[0])
	mi, _ := strconv.Atoi(parts[1])
	return ma > major || (ma == major && mi >= minor)
}

// WriteCLIConfig writes a Terraform CLI configuration that installs
// hashicorp providers from the mirror only (no network).
func (t Tools) WriteCLIConfig(path string) error {
	abs, err := filepath.Abs(t.PluginDir)
	if err != nil {
		return err
	}
	cfg := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
`, abs)
	return os.WriteFile(path, []byte(cfg), 0o644)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
