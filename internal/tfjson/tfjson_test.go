package tfjson

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDig(t *testing.T) {
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{
	  "as_object": {"scan_on_push": true},
	  "as_list": [{"scan_on_push": true}],
	  "many": [{"a": 1}, {"a": 2}]
	}`), &doc))
	assert.Equal(t, true, Dig(doc, "as_object", "scan_on_push"))
	assert.Equal(t, true, Dig(doc, "as_list", "scan_on_push"), "a one-element list is looked through")
	assert.Nil(t, Dig(doc, "many", "a"), "a key on a longer list is ambiguous")
	assert.Equal(t, 2.0, Dig(doc, "many", 1, "a"))
	assert.Nil(t, Dig(doc, "many", 5))
	assert.Nil(t, Dig(doc, "missing", "x"))
	assert.Nil(t, Dig(doc, 1.5))
}
