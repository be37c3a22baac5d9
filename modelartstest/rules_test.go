package modelartstest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelarts-go/modelarts"
)

// The boundaries of the API pages, each side of each limit, sent over HTTP.
// The expectations are written from the pages, not from the SDK's checks.
func TestSaveRulesFollowTheAPIPages(t *testing.T) {
	s := NewServer()
	defer s.Close()
	ws32 := strings.Repeat("a1", 16)
	cases := []struct {
		field, value string
		ok           bool
	}{
		{"name", strings.Repeat("a", 128), true},
		{"name", strings.Repeat("a", 129), false},
		{"name", "pytorch1_4", true}, // the 2025 page's own example
		{"name", "a.b-c_d", true},
		{"name", "Env", false},
		{"name", "-env", false},
		{"name", "env.", false},
		{"name", "", false},
		{"namespace", "a", true},
		{"namespace", "t" + strings.Repeat("X", 63), true},
		{"namespace", "t" + strings.Repeat("x", 64), false},
		{"namespace", "team-A.b_c", true},
		{"namespace", "Team", false},
		{"namespace", "1team", false},
		{"namespace", "", false},
		{"tag", strings.Repeat("V", 64), true},
		{"tag", strings.Repeat("v", 65), false},
		{"tag", "v1.0_rc-1,b", true}, // '.' from the older page, ',' from the 2025 one
		{"tag", "v 1", false},
		{"tag", "v:1", false},
		{"description", strings.Repeat("é", 512), true}, // characters, not bytes
		{"description", strings.Repeat("e", 513), false},
		{"workspace_id", "0", true},
		{"workspace_id", ws32, true},
		{"workspace_id", ws32[:31], false},
		{"workspace_id", strings.ToUpper(ws32), false},
		{"swr_instance_domain", "ee.swr.local:5000", true},
		{"swr_instance_domain", "ee.swr.local/x", false},
	}
	for i, c := range cases {
		s.AddNotebook("nb", modelarts.NotebookStatusRunning)
		req := map[string]string{"name": "env", "namespace": "team", "tag": fmt.Sprintf("t%d", i)}
		req[c.field] = c.value
		body := fmt.Sprintf(`{"name":%q,"namespace":%q,"tag":%q,"description":%q,"workspace_id":%q,"swr_instance_domain":%q}`,
			req["name"], req["namespace"], req["tag"], req["description"], req["workspace_id"], req["swr_instance_domain"])
		status, m, _ := raw(t, s, "POST", v1(s)+"/notebooks/nb/create-image", body, nil)
		if c.ok {
			assert.Equal(t, 200, status, "%s=%.20q: %v", c.field, c.value, m)
		} else {
			assert.Equal(t, 400, status, "%s=%.20q", c.field, c.value)
			assert.Equal(t, "ModelArts.0104", m["error_code"], "%s=%.20q", c.field, c.value)
		}
	}
}

func TestSWRPathLengthFollowsTheAPIPage(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for _, c := range []struct {
		path string
		ok   bool
	}{
		{"s.io/ab/cdefg:hi", true}, // 16 characters
		{"s.io/ab/cdefg:h", false}, // 15
		{"s.io/ab/" + strings.Repeat("c", 2040), true},
		{"s.io/ab/" + strings.Repeat("c", 2041), false},
		{"s.io/ab/cdefg/hij", false},
	} {
		status, m, _ := raw(t, s, "POST", v1(s)+"/images", `{"swr_path":"`+c.path+`"}`, nil)
		if c.ok {
			assert.Equal(t, 200, status, "%d characters: %v", len(c.path), m)
		} else {
			assert.Equal(t, 400, status, "%d characters", len(c.path))
		}
	}
}
