package modelarts

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestImageDecodesDocumentedRegisterResponse(t *testing.T) {
	img := mustDecodeImage(t, fixture(t, "register_response.json"))
	assert.Equal(t, "708ca95d-c601-4dc7-86b9-670adfd5e818", img.ID)
	assert.Equal(t, "pytorch_1_8", img.Name)
	assert.Equal(t, "op_svc_modelarts_container2", img.Namespace)
	assert.Equal(t, "train-pytorch_1.8.0-cuda_10.2-py_3.7", img.Tag)
	assert.Equal(t, "swr.xxx.com/op_svc_modelarts_container2/pytorch_1_8:train-pytorch_1.8.0-cuda_10.2-py_3.7", img.SWRPath)
	assert.Equal(t, "", img.Description)
	assert.Equal(t, ArchX86_64, img.Arch, "lowercase x86_64 normalises to the constant")
	assert.Equal(t, ImageStatusActive, img.Status)
	assert.Equal(t, OriginCustomize, img.Origin)
	assert.Equal(t, ImageTypeDedicated, img.Type)
	assert.Equal(t, VisibilityPrivate, img.Visibility)
	assert.Equal(t, ServiceTypeUnknown, img.ServiceType)
	assert.Equal(t, []DevService{DevServiceNotebook, DevServiceSSH}, img.DevServices)
	assert.Equal(t, []ResourceCategory{ResourceCategoryCPU}, img.ResourceCategories)
	assert.Equal(t, "0", img.WorkspaceID)
	assert.Equal(t, int64(3376133259), img.Size)
	assert.Equal(t, time.UnixMilli(1671708630448).UTC(), img.CreatedAt.Time)
	assert.Equal(t, time.UTC, img.CreatedAt.Location())
	assert.Equal(t, img.CreatedAt, img.UpdatedAt)
}

func TestImageDecodesDocumentedGetAndCreateResponses(t *testing.T) {
	got := mustDecodeImage(t, fixture(t, "get_image_response.json"))
	assert.Equal(t, "278e88d1-5b71-4766-8502-b3ba72e824d9", got.ID)
	assert.Equal(t, ImageTypeBuildIn, got.Type)
	assert.Equal(t, ServiceTypeCommon, got.ServiceType)
	assert.Equal(t, []ResourceCategory{ResourceCategoryGPU, ResourceCategoryCPU}, got.ResourceCategories)
	assert.Equal(t, int64(1638234504492), got.CreatedAt.UnixMilli())
	assert.Empty(t, got.Origin, "absent fields stay zero")

	created := mustDecodeImage(t, fixture(t, "create_image_response.json"))
	assert.Equal(t, "4e0d1854-63e5-4517-b683-a0ee97a692a1", created.ID)
	assert.Equal(t, ImageStatusInit, created.Status)
	assert.Equal(t, OriginImageSave, created.Origin)
	assert.Equal(t, "atelier-auto", created.Namespace)
	assert.Equal(t, "20221223", created.Tag)
	assert.Equal(t, ServiceTypeTrain, created.ServiceType)
	assert.Equal(t, []DevService{DevServiceSSH, DevServiceNotebook}, created.DevServices)
}

func TestImageRoundTripsLosslessly(t *testing.T) {
	for _, name := range []string{"register_response.json", "get_image_response.json", "create_image_response.json"} {
		t.Run(name, func(t *testing.T) {
			first := mustDecodeImage(t, fixture(t, name))
			out, err := json.Marshal(first)
			require.NoError(t, err)
			second := mustDecodeImage(t, out)
			assert.Equal(t, first, second)

			var raw map[string]any
			require.NoError(t, json.Unmarshal(out, &raw))
			var orig map[string]any
			require.NoError(t, json.Unmarshal(fixture(t, name), &orig))
			assert.Equal(t, orig["create_at"], raw["create_at"], "milliseconds survive")
			assert.Equal(t, orig["update_at"], raw["update_at"])
		})
	}
}

func TestImageDecodesTheNewestEditionFields(t *testing.T) {
	img := mustDecodeImage(t, []byte(`{"id":"x","flavor_type":"ascend_snt9b","status_message":"layer 3 of 9",
		"support_res_categories":["ASCEND","gpu"],"resource_categories":["ASCEND"]}`))
	assert.Equal(t, FlavorTypeAscendSNT9B, img.FlavorType)
	assert.Equal(t, "layer 3 of 9", img.StatusMessage)
	assert.Equal(t, []ResourceCategory{ResourceCategoryASCEND, ResourceCategoryGPU}, img.SupportResCategories)
	assert.Equal(t, []ResourceCategory{ResourceCategoryASCEND}, img.ResourceCategories)
}

func TestEnumsKeepUnknownValues(t *testing.T) {
	img := mustDecodeImage(t, []byte(`{"arch":"RISCV64","status":"PAUSED","type":"SHARED",
		"origin":"IMPORT","visibility":"TEAM","service_type":"Serve","flavor_type":"ASCEND_SNT10",
		"dev_services":["VSCODE","ssh"],"resource_categories":["NPU"]}`))
	assert.Equal(t, Arch("RISCV64"), img.Arch)
	assert.Equal(t, ImageStatus("PAUSED"), img.Status)
	assert.False(t, img.Status.IsTerminal())
	assert.Equal(t, ImageType("SHARED"), img.Type)
	assert.Equal(t, Origin("IMPORT"), img.Origin)
	assert.Equal(t, Visibility("TEAM"), img.Visibility)
	assert.Equal(t, ServiceType("Serve"), img.ServiceType, "unknown values are kept exactly as sent")
	assert.Equal(t, FlavorType("ASCEND_SNT10"), img.FlavorType)
	assert.Equal(t, []DevService{"VSCODE", DevServiceSSH}, img.DevServices)
	assert.Equal(t, []ResourceCategory{"NPU"}, img.ResourceCategories)
}

func TestEnumsMatchCaseInsensitively(t *testing.T) {
	cases := []struct {
		in   string
		want ImageStatus
	}{{"active", ImageStatusActive}, {"Create_Failed", ImageStatusCreateFailed}, {"INIT", ImageStatusInit}, {"creating", ImageStatusCreating}}
	for _, c := range cases {
		img := mustDecodeImage(t, []byte(`{"status":"`+c.in+`","arch":"aarch64","type":"dedicated"}`))
		assert.Equal(t, c.want, img.Status)
		assert.Equal(t, ArchAARCH64, img.Arch)
		assert.Equal(t, ImageTypeDedicated, img.Type)
	}
	var nb Notebook
	require.NoError(t, json.Unmarshal([]byte(`{"status":"snapshotting","image":{"type":"build_in"}}`), &nb))
	assert.Equal(t, NotebookStatusSnapshotting, nb.Status)
	assert.Equal(t, ImageTypeBuildIn, nb.Image.Type)
	assert.Equal(t, SortDesc, normalize("desc", sortDirValues))
}

func TestImageStatusPredicates(t *testing.T) {
	terminal := map[ImageStatus]bool{ImageStatusActive: true, ImageStatusCreateFailed: true, ImageStatusError: true, ImageStatusDeleted: true}
	failure := map[ImageStatus]bool{ImageStatusCreateFailed: true, ImageStatusError: true, ImageStatusDeleted: true}
	for _, s := range imageStatusValues {
		assert.Equal(t, terminal[s], s.IsTerminal(), "IsTerminal(%s)", s)
		assert.Equal(t, failure[s], s.IsFailure(), "IsFailure(%s)", s)
	}
}

func TestImageToleratesOddNumbers(t *testing.T) {
	img := mustDecodeImage(t, []byte(`{"size":"1024","create_at":1.671708630448e12,"update_at":null}`))
	assert.Equal(t, int64(1024), img.Size)
	assert.Equal(t, int64(1671708630448), img.CreatedAt.UnixMilli())
	assert.True(t, img.UpdatedAt.IsZero())

	_, err := decodeImage([]byte(`{"size":"big"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "big")
}

func TestZeroTimesEncodeAsZeroAndDecodeBack(t *testing.T) {
	out, err := json.Marshal(Image{ID: "x"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"x","create_at":0,"update_at":0}`, string(out))
	var back Image
	require.NoError(t, json.Unmarshal(out, &back))
	assert.True(t, back.CreatedAt.IsZero())
}

// A user type that embeds Image keeps its own fields through JSON: the
// models are plain data, their codecs live on field types.
func TestEmbeddingImageKeepsTheEmbeddersFields(t *testing.T) {
	type tracked struct {
		Image
		Owner string `json:"owner"`
	}
	in := tracked{Image: Image{ID: "x", CreatedAt: TimestampOf(time.UnixMilli(1671708630448))}, Owner: "team-a"}
	out, err := json.Marshal(in)
	require.NoError(t, err)
	assert.Contains(t, string(out), `"owner":"team-a"`)
	assert.Contains(t, string(out), `"create_at":1671708630448`)
	var back tracked
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, in, back)
}

func mustDecodeImage(t *testing.T, b []byte) *Image {
	t.Helper()
	img, err := decodeImage(b)
	require.NoError(t, err)
	return img
}

func TestNotebookDecodes(t *testing.T) {
	var nb Notebook
	require.NoError(t, json.Unmarshal([]byte(`{"id":"nb-1","name":"dev","status":"RUNNING","flavor":"modelarts.vm.cpu.2u",
		"image":{"id":"img-1","name":"pytorch","swr_path":"swr.x/a/b:c","type":"BUILD_IN"},"url":"https://x","fail_reason":"",
		"workspace_id":"0","extra":{"ignored":true}}`), &nb))
	assert.Equal(t, Notebook{ID: "nb-1", Name: "dev", Status: NotebookStatusRunning, Flavor: "modelarts.vm.cpu.2u",
		Image: Image{ID: "img-1", Name: "pytorch", SWRPath: "swr.x/a/b:c", Type: ImageTypeBuildIn},
		URL:   "https://x", WorkspaceID: "0"}, nb)
	assert.Len(t, notebookStatusValues, 14)
}
