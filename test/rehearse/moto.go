package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Moto is a moto_server on a free loopback port, owned by one rehearsal.
type Moto struct {
	URL    string
	Region string
	cmd    *exec.Cmd
	done   chan error
}

// StartMoto starts script (moto_server.py) with the account every request
// lands in. It returns once the server answers.
func StartMoto(python, script, account, region, logPath string) (*Moto, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, script, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Env = append(os.Environ(),
		"MOTO_ACCOUNT_ID="+account,
		// The stacks attach AWS managed policies (e.g. the ECS task execution
		// role policy); moto only knows them when asked to load them.
		"MOTO_IAM_LOAD_MANAGED_POLICIES=true",
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start moto: %w", err)
	}
	m := &Moto{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Region: region, cmd: cmd, done: make(chan error, 1)}
	go func() { m.done <- cmd.Wait(); logf.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-m.done:
			return nil, fmt.Errorf("moto exited before answering (%v); see %s", err, logPath)
		case <-time.After(250 * time.Millisecond):
		}
		if resp, err := http.Get(m.URL + "/moto-api/"); err == nil {
			resp.Body.Close()
			return m, nil
		}
	}
	m.Stop()
	return nil, fmt.Errorf("moto did not answer on %s within 60s; see %s", m.URL, logPath)
}

// Stop ends moto and anything it started.
func (m *Moto) Stop() {
	if m == nil || m.cmd.Process == nil {
		return
	}
	syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-m.done
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// call sends one request to moto. moto routes by the credential scope of the
// Authorization header and does not check signatures, so a well-formed
// scope is all it needs.
func (m *Moto) call(ctx context.Context, service, method, path string, header map[string]string, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, m.URL+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", fmt.Sprintf(
		"AWS4-HMAC-SHA256 Credential=rehearsal/20260101/%s/%s/aws4_request, SignedHeaders=host, Signature=0", m.Region, service))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// CreateHostedZone creates a public zone and returns its id (without the
// /hostedzone/ prefix).
func (m *Moto) CreateHostedZone(ctx context.Context, name string) (string, error) {
	body := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>%s</Name><CallerReference>rehearsal-%s</CallerReference></CreateHostedZoneRequest>`, name, name)
	code, data, err := m.call(ctx, "route53", http.MethodPost, "/2013-04-01/hostedzone", nil, body)
	if err != nil {
		return "", err
	}
	if code/100 != 2 {
		return "", fmt.Errorf("CreateHostedZone %s: HTTP %d: %s", name, code, data)
	}
	var out struct {
		ID string `xml:"HostedZone>Id"`
	}
	if err := xml.Unmarshal(data, &out); err != nil || out.ID == "" {
		return "", fmt.Errorf("CreateHostedZone %s: no zone id in %s", name, data)
	}
	return strings.TrimPrefix(out.ID, "/hostedzone/"), nil
}

// ObjectExists reports whether bucket holds key (path-style HEAD).
func (m *Moto) ObjectExists(ctx context.Context, bucket, key string) (bool, error) {
	code, _, err := m.call(ctx, "s3", http.MethodHead, "/"+bucket+"/"+key, nil, "")
	if err != nil {
		return false, err
	}
	switch code {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("HEAD s3://%s/%s: HTTP %d", bucket, key, code)
}

// Query calls an AWS query-protocol API (RDS, for instance) and returns the
// XML response.
func (m *Moto) Query(ctx context.Context, service, action string, params map[string]string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Action=%s&Version=%s", action, queryVersions[service])
	for k, v := range params {
		fmt.Fprintf(&b, "&%s=%s", k, v)
	}
	code, data, err := m.call(ctx, service, http.MethodPost, "/",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, b.String())
	if err != nil {
		return nil, err
	}
	if code/100 != 2 {
		return nil, fmt.Errorf("%s %s: HTTP %d: %s", service, action, code, data)
	}
	return data, nil
}

var queryVersions = map[string]string{"rds": "2014-10-31"}

// JSON calls an AWS JSON-protocol API (KMS, for instance): target is the
// X-Amz-Target header, e.g. TrentService.DescribeKey.
func (m *Moto) JSON(ctx context.Context, service, target, body string) ([]byte, error) {
	code, data, err := m.call(ctx, service, http.MethodPost, "/",
		map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}, body)
	if err != nil {
		return nil, err
	}
	if code/100 != 2 {
		return nil, fmt.Errorf("%s %s: HTTP %d: %s", service, target, code, data)
	}
	return data, nil
}

// DescribeKey returns a KMS key's id and state (Enabled, PendingDeletion, ...);
// keyID may be an alias name (alias/...).
func (m *Moto) DescribeKey(ctx context.Context, keyID string) (id, state string, err error) {
	body, _ := json.Marshal(map[string]string{"KeyId": keyID})
	data, err := m.JSON(ctx, "kms", "TrentService.DescribeKey", string(body))
	if err != nil {
		return "", "", err
	}
	return ParseKeyState(data)
}

// FinalSnapshots lists the manual snapshots of a (deleted) instance.
func (m *Moto) FinalSnapshots(ctx context.Context, instance string) ([]string, error) {
	data, err := m.Query(ctx, "rds", "DescribeDBSnapshots", map[string]string{"DBInstanceIdentifier": instance, "SnapshotType": "manual"})
	if err != nil {
		return nil, err
	}
	return ParseSnapshotIDs(data)
}
