// Command release declares which image a service runs in an environment,
// by editing environments/<env>.yaml (make release, make promote). It never
// deploys: the Makefile deploys what the file then declares, so a release,
// a rollback and a promotion are commits like any other change.
//
//	go run ./cmd/release -dir environments -env staging -service api -image v1.4.2
//	go run ./cmd/release -dir environments -env prod -from staging
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/flow-builder/infra/config"
	"github.com/flow-builder/infra/internal/yamledit"
)

func main() {
	dir := flag.String("dir", "environments", "environment files")
	env := flag.String("env", "", "environment to change (dev, staging, prod)")
	service := flag.String("service", "", "api, worker or all")
	image := flag.String("image", "", "release tag (v1.4.2) or digest (sha256:<64 hex>)")
	from := flag.String("from", "", "promote: copy every service's image from this environment")
	flag.Parse()
	if err := run(*dir, *env, *service, *image, *from); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(dir, env, service, image, from string) error {
	if !slices.Contains(config.EnvironmentNames, env) {
		return fmt.Errorf("ENV must be one of %v, not %q", config.EnvironmentNames, env)
	}
	images := map[string]string{}
	switch {
	case from != "":
		if service != "" || image != "" {
			return errors.New("promote takes FROM and TO only, not SERVICE or IMAGE")
		}
		if from == env {
			return fmt.Errorf("FROM and TO are both %s", env)
		}
		src, err := config.Load(filepath.Join(dir, from+".yaml"))
		if err != nil {
			return err
		}
		for svc, img := range src.Services.Images() {
			if img == "" {
				return fmt.Errorf("%s declares no image for %s: nothing to promote", from, svc)
			}
			images[svc] = img
		}
	case image == "":
		return errors.New("IMAGE is required: a release tag (v1.4.2) or a digest (sha256:<64 hex>)")
	case service == "all":
		for _, svc := range config.ServiceNames {
			images[svc] = image
		}
	case slices.Contains(config.ServiceNames, service):
		images[service] = image
	default:
		return fmt.Errorf("SERVICE must be one of %v or all, not %q", config.ServiceNames, service)
	}
	return declare(filepath.Join(dir, env+".yaml"), images)
}

// declare writes images into file and validates the result with every
// environment rule; a file that would not load is restored untouched.
func declare(file string, images map[string]string) error {
	before, err := config.Load(file)
	if err != nil {
		return err
	}
	original, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	for _, svc := range config.ServiceNames {
		if img, ok := images[svc]; ok {
			if err := yamledit.Set(file, "services."+svc+".image", img); err != nil {
				return err
			}
		}
	}
	after, err := config.Load(file)
	if err != nil && before.Services.AwaitingFirstRelease {
		// The first release of every service ends the first-release window.
		if derr := yamledit.Delete(file, "services.awaiting_first_release"); derr != nil {
			return derr
		}
		after, err = config.Load(file)
	}
	if err != nil {
		return errors.Join(err, os.WriteFile(file, original, 0o644))
	}
	for _, svc := range config.ServiceNames {
		was, now := before.Services.Images()[svc], after.Services.Images()[svc]
		if was == now {
			fmt.Printf("%s: services.%s.image stays %s\n", file, svc, orNone(now))
		} else {
			fmt.Printf("%s: services.%s.image %s -> %s\n", file, svc, orNone(was), now)
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
