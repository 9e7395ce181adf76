package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDeclaredImageIsReadFromTheContainerDefinition(t *testing.T) {
	repo := `[{"name":"api","image":"${aws_ecr_repository.registry_api_CC43E60F.repository_url}`
	for def, want := range map[string]string{
		repo + `:v1.4.2","essential":true}]`:                                                 "v1.4.2",
		repo + `@sha256:abababababababababababababababababababababababababababababababab"}]`: "sha256:abababababababababababababababababababababababababababababababab",
		repo + `","essential":true}]`:                                                        "",
	} {
		m := reImage.FindStringSubmatch(def)
		if assert.NotNil(t, m, def) {
			assert.Equal(t, want, m[1], def)
		}
	}
}
