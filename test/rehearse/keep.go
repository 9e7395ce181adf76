package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
)

// ParseKeyState reads KeyId and KeyState from a KMS DescribeKey response.
func ParseKeyState(data []byte) (id, state string, err error) {
	var out struct {
		KeyMetadata struct {
			KeyID    string `json:"KeyId"`
			KeyState string `json:"KeyState"`
		} `json:"KeyMetadata"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return "", "", fmt.Errorf("DescribeKey: %w: %s", err, data)
	}
	if out.KeyMetadata.KeyID == "" || out.KeyMetadata.KeyState == "" {
		return "", "", fmt.Errorf("DescribeKey: no KeyId or KeyState in %s", data)
	}
	return out.KeyMetadata.KeyID, out.KeyMetadata.KeyState, nil
}

// ParseSnapshotIDs reads the snapshot identifiers of an RDS
// DescribeDBSnapshots response.
func ParseSnapshotIDs(data []byte) ([]string, error) {
	var out struct {
		IDs []string `xml:"DescribeDBSnapshotsResult>DBSnapshots>DBSnapshot>DBSnapshotIdentifier"`
	}
	if err := xml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("DescribeDBSnapshots: %w", err)
	}
	return out.IDs, nil
}

// FinalSnapshotOf picks the final snapshot of instance among ids: the stack
// names it <instance>-final-<uuid> (constructs/database).
func FinalSnapshotOf(instance string, ids []string) (string, bool) {
	for _, id := range ids {
		if strings.HasPrefix(id, instance+"-final-") && len(id) > len(instance+"-final-") {
			return id, true
		}
	}
	return "", false
}
