package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/modelarts/v1/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

// fullImage sets every field of the official SDK's ShowImageResponse.
const fullImage = `{"arch":"X86_64","create_at":1671708630448,"description":"d","dev_services":["NOTEBOOK","SSH"],
"id":"708ca95d-c601-4dc7-86b9-670adfd5e818","name":"pytorch_1_8","namespace":"org","origin":"CUSTOMIZE",
"resource_categories":["CPU","GPU"],"service_type":"TRAIN","size":3376133259,"status":"ACTIVE","status_message":"built",
"support_res_categories":["ASCEND"],"swr_path":"swr.example.com/org/pytorch_1_8:v1","tag":"v1","type":"DEDICATED",
"update_at":1671708630999,"visibility":"PRIVATE","workspace_id":"0","flavor_type":"ASCEND_SNT9B",
"swr_instance_id":"0123456789abcdef","show_name":"PyTorch 1.8","show_tag":"1.8",
"tags":[{"key":"team","value":"ml"},{"key":"env","value":"prod"}]}`

// An image as the official SDK's model writes it decodes into ours with no
// field lost: every key the official model sends comes back, with the same
// value, when our Image is encoded again.
func TestOfficialImageModelDecodesWithNoFieldLost(t *testing.T) {
	var official model.ShowImageResponse
	require.NoError(t, json.Unmarshal([]byte(fullImage), &official))
	sent, err := json.Marshal(official)
	require.NoError(t, err)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(sent)
	}))
	defer srv.Close()
	c, err := modelarts.NewClient(srv.URL, "a4a5d4098fb4474fa22cd05f897d6b99", auth.NewTokenSigner("t0ken"))
	require.NoError(t, err)
	img, err := c.GetImage(context.Background(), "708ca95d-c601-4dc7-86b9-670adfd5e818")
	require.NoError(t, err)

	ours, err := json.Marshal(img)
	require.NoError(t, err)
	var want, got map[string]any
	require.NoError(t, json.Unmarshal(sent, &want))
	require.NoError(t, json.Unmarshal(ours, &got))
	for k, v := range want {
		assert.Equal(t, v, got[k], "field %s", k)
	}
	assert.Len(t, want, 25, "every field of the official model is set")
	assert.Equal(t, []modelarts.Tag{{Key: "team", Value: "ml"}, {Key: "env", Value: "prod"}}, img.Tags)
	assert.Equal(t, "PyTorch 1.8", img.ShowName)
}

// Our request bodies decode strictly (no unknown field) into the official
// SDK's request models, every field we set arriving.
func TestOurRequestBodiesDecodeStrictlyIntoTheOfficialModels(t *testing.T) {
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"img-1"}`)
	}))
	defer srv.Close()
	c, err := modelarts.NewClient(srv.URL, "a4a5d4098fb4474fa22cd05f897d6b99", auth.NewTokenSigner("t0ken"))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.RegisterImage(ctx, &modelarts.RegisterImageRequest{
		SWRPath: "swr.example.com/org/name:tag", Arch: "aarch64", Description: "d", Origin: modelarts.OriginCustomize,
		ResourceCategories: []modelarts.ResourceCategory{"cpu", modelarts.ResourceCategoryASCEND}, ServiceType: modelarts.ServiceTypeDev,
		Services: []modelarts.DevService{modelarts.DevServiceSSH}, Visibility: modelarts.VisibilityPublic, WorkspaceID: "0",
		FlavorType: modelarts.FlavorType("ASCEND_SNT9"), Tags: []string{"team=ml"}, SWRInstanceID: "inst", ReadMe: "# readme",
	})
	require.NoError(t, err)
	_, err = c.CreateImageFromNotebook(ctx, "nb-1", &modelarts.CreateImageRequest{
		Name: "env", Namespace: "team", Tag: "v1", Description: "d", WorkspaceID: "0", SWRInstanceID: "inst", SWRInstanceDomain: "swr.example.com",
	})
	require.NoError(t, err)
	require.Len(t, bodies, 2)

	var reg model.ImageRegRequest
	strictDecode(t, bodies[0], &reg)
	assert.Equal(t, "swr.example.com/org/name:tag", reg.SwrPath)
	require.NotNil(t, reg.Arch)
	assert.Equal(t, "AARCH64", reg.Arch.Value())
	require.NotNil(t, reg.ReadMe)
	assert.Equal(t, "# readme", *reg.ReadMe)
	require.NotNil(t, reg.Tags)
	assert.Equal(t, []string{"team=ml"}, *reg.Tags)
	assertAllSent(t, bodies[0], reg)

	var create model.ImageCreateReq
	strictDecode(t, bodies[1], &create)
	assert.Equal(t, "env", create.Name)
	require.NotNil(t, create.SwrInstanceDomain)
	assert.Equal(t, "swr.example.com", *create.SwrInstanceDomain)
	assertAllSent(t, bodies[1], create)
}

func strictDecode(t *testing.T, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v), "body %s", body)
}

// assertAllSent checks that the official model, encoded again, carries
// every field of the body we sent.
func assertAllSent(t *testing.T, body []byte, official any) {
	t.Helper()
	again, err := json.Marshal(official)
	require.NoError(t, err)
	var sent, back map[string]any
	require.NoError(t, json.Unmarshal(body, &sent))
	require.NoError(t, json.Unmarshal(again, &back))
	for k := range sent {
		assert.Contains(t, back, k, "the official model lost %s", k)
	}
}
